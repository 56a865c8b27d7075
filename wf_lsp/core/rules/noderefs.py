"""How connections and triggers name nodes: the first index of each name and id, resolution by connection-key mode."""

from __future__ import annotations

from typing import Any

#: what a mode without a second lookup looks in second (nothing)
_NOTHING: dict[str, int] = {}


def index_nodes(nodes: list[Any], names: dict[str, int], ids: dict[str, int]) -> None:
    """Record in names and ids the index of the first node with each string name and each string id."""
    for i, node in enumerate(nodes):
        if isinstance(node, dict):
            name, node_id = node.get("name"), node.get("id")
            if isinstance(name, str) and name not in names:
                names[name] = i
            if isinstance(node_id, str) and node_id not in ids:
                ids[node_id] = i


def lookups(names: dict[str, int], ids: dict[str, int], key_mode: str) -> tuple[dict[str, int], dict[str, int]]:
    """Where a reference is looked up first, and then second: names or ids alone, or (auto) names, then ids."""
    if key_mode == "name":
        return names, _NOTHING
    if key_mode == "id":
        return ids, _NOTHING
    return names, ids


def resolve(ref: Any, names: dict[str, int], ids: dict[str, int], key_mode: str) -> int | None:
    """Index of the node a connection key or target names, by the key mode."""
    if not isinstance(ref, str):
        return None
    first, second = lookups(names, ids, key_mode)
    hit = first.get(ref)
    return hit if hit is not None else second.get(ref)


def label(nodes: list[Any], index: int) -> str:
    """A node's name, else its id, else its position (for messages and editor labels)."""
    node = nodes[index] if 0 <= index < len(nodes) else None
    if isinstance(node, dict):
        for key in ("name", "id"):
            value = node.get(key)
            if isinstance(value, str) and value:
                return value
    return f"nodes[{index}]"
