"""The node-type registry: shipped data from every MetaBuilder plugin family, plus a workspace's own files."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of a node type."""

    name: str
    type: str = "any"
    required: bool = False
    default: Any = None
    enum: tuple[Any, ...] = ()
    secret: bool = False


@dataclass(frozen=True, slots=True)
class NodeType:
    """A registry entry: where it comes from, what it does, its parameters and outputs."""

    id: str
    source: str
    group: str
    description: str
    params: dict[str, Param] = field(default_factory=dict)
    outputs: tuple[str, ...] = ("main",)
    required_one_of: tuple[tuple[str, ...], ...] = ()
    max_timeout_ms: int | None = None


@dataclass(slots=True)
class Registry:
    """All known node types, the known-but-unimplemented ones and the v3 category words."""

    types: dict[str, NodeType]
    unimplemented: dict[str, str]
    categories: frozenset[str]
    digest: str
    problems: list[str] = field(default_factory=list)
    #: tables derived from this registry, built by whoever needs them on first use (rule lookups, suggestions)
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def get(self, type_id: str) -> NodeType | None:
        """The entry for a type id, if any."""
        return self.types.get(type_id)

    def suggest(self, type_id: str) -> str | None:
        """The closest known type id (did-you-mean), if one is close enough."""
        hits = difflib.get_close_matches(type_id, self._all_ids(), n=1, cutoff=0.75)
        return hits[0] if hits else None

    def _all_ids(self) -> list[str]:
        return sorted(self.types)


def _entry(type_id: str, raw: dict[str, Any]) -> NodeType:
    params = {}
    for name, p in (raw.get("params") or {}).items():
        if not isinstance(p, dict):
            continue
        params[name] = Param(
            name=name,
            type=str(p.get("type", "any")),
            required=bool(p.get("required", False)),
            default=p.get("default"),
            enum=tuple(p.get("enum") or ()),
            secret=bool(p.get("secret", False)),
        )
    return NodeType(
        id=type_id,
        source=str(raw.get("source", "workspace")),
        group=str(raw.get("group", "")),
        description=str(raw.get("description", "")),
        params=params,
        outputs=tuple(raw.get("outputs", ["main"])),
        required_one_of=tuple(tuple(g) for g in raw.get("requiredOneOf", []) if isinstance(g, list)),
        max_timeout_ms=raw.get("maxTimeoutMs") if isinstance(raw.get("maxTimeoutMs"), int) else None,
    )


def _merge(data: dict[str, Any], types: dict[str, NodeType], unimplemented: dict[str, str], categories: set[str]) -> None:
    for type_id, raw in (data.get("types") or {}).items():
        if isinstance(type_id, str) and isinstance(raw, dict):
            types[type_id] = _entry(type_id, raw)
            unimplemented.pop(type_id, None)
    for type_id, why in (data.get("unimplemented") or {}).items():
        if isinstance(type_id, str) and type_id not in types:
            unimplemented[type_id] = str(why)
    for word in data.get("categories") or []:
        if isinstance(word, str):
            categories.add(word)


@lru_cache(maxsize=1)
def _shipped_text() -> str:
    return resources.files("wf_lsp.core").joinpath("data/registry.json").read_text(encoding="utf-8")


def load_registry(extra_files: tuple[str, ...] = ()) -> Registry:
    """The shipped registry merged with workspace registry files (a bad file is reported, never fatal); read again
    when one of the files changes, appears or goes."""
    return _load_registry(extra_files, tuple(_signature(name) for name in extra_files))


def _signature(name: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(os.path.expanduser(name))
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


@lru_cache(maxsize=16)
def _load_registry(extra_files: tuple[str, ...], _signatures: tuple[tuple[int, int, int] | None, ...]) -> Registry:
    texts = [_shipped_text()]
    problems: list[str] = []
    types: dict[str, NodeType] = {}
    unimplemented: dict[str, str] = {}
    categories: set[str] = set()
    _merge(json.loads(texts[0]), types, unimplemented, categories)
    for name in extra_files:
        try:
            text = Path(name).expanduser().read_text(encoding="utf-8")
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("top level must be an object with 'types'")
        except OSError as exc:
            problems.append(f"registry file {name!r} ignored: {exc.strerror or exc}")
            continue
        except ValueError as exc:
            problems.append(f"registry file {name!r} ignored: {exc}")
            continue
        texts.append(text)
        _merge(data, types, unimplemented, categories)
    digest = hashlib.blake2b("\0".join(texts).encode(), digest_size=10).hexdigest()
    return Registry(types=types, unimplemented=unimplemented, categories=frozenset(categories), digest=digest, problems=problems)
