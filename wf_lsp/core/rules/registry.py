"""The node-type registry: shipped data from every MetaBuilder plugin family, plus a workspace's own files."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
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

    def unimplemented_reason(self, type_id: str) -> str | None:
        """Why a type that is no registry entry is known all the same (UNIMPLEMENTED_NODE_TYPE), or None (unknown).

        A type is known but unimplemented when a registry file lists it under `unimplemented`, or when it lies in a
        namespace of node types that other platforms run (see FOREIGN_NAMESPACES): every type of such a namespace is
        treated alike, seen in real files or not.
        """
        why = self.unimplemented.get(type_id)
        if why is None and len(type_id) <= MAX_TYPE_LENGTH:
            seen: dict[str, str | None] = self.memo.setdefault("registry.namespaces", {})
            if type_id in seen:
                return seen[type_id]
            m = _FOREIGN.fullmatch(type_id)
            if m is not None:
                why = next(reason for pattern, reason in FOREIGN_NAMESPACES if re.fullmatch(pattern, m.group(1)))
            if len(seen) < 4096:
                seen[type_id] = why
        return why

    def ids(self) -> list[str]:
        """Every registry type id, sorted (built once)."""
        ids = self.memo.get("registry.ids")
        if ids is None:
            ids = self.memo["registry.ids"] = sorted(self.types)
        return ids


#: Namespaces (npm package names, and the migration script's prefix) whose node types MetaBuilder knows but cannot run,
#: with the reason; a type is `<namespace>.<name>`, the name a letter, then letters, digits, `_` or `-`. First match
#: wins.
FOREIGN_NAMESPACES: tuple[tuple[str, str], ...] = (
    (
        r"n8n-nodes-base",
        "n8n built-in node type; MetaBuilder has no executor, registry entry or plugin for n8n's nodes",
    ),
    (
        r"@n8n/n8n-nodes-langchain",
        "n8n AI (LangChain) node type; MetaBuilder has no executor, registry entry or plugin for n8n's nodes",
    ),
    (
        r"(?:@[a-z0-9][a-z0-9._~-]*/)?n8n-nodes-[a-z0-9][a-z0-9._~-]*",
        "n8n community node package (n8n-nodes-<name> or @<scope>/n8n-nodes-<name>); MetaBuilder cannot run n8n nodes",
    ),
    (
        r"metabuilder",
        "the n8n migration script writes metabuilder.<legacy type> for every legacy node type; "
        "only metabuilder.trigger has an executor",
    ),
)
#: longer type strings are never classified by namespace, nor given suggestions (npm names have at most 214 characters)
MAX_TYPE_LENGTH = 256
_FOREIGN = re.compile("(" + "|".join(p for p, _ in FOREIGN_NAMESPACES) + r")\.[A-Za-z][A-Za-z0-9_-]*")


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


def _merge(
    data: dict[str, Any], types: dict[str, NodeType], unimplemented: dict[str, str], categories: set[str]
) -> None:
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
    from importlib import resources  # here, not at start-up

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
    return Registry(
        types=types, unimplemented=unimplemented, categories=frozenset(categories), digest=digest, problems=problems
    )
