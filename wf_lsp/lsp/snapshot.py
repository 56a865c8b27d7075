"""One analysis per document version: the parsed value, spans, node index, graph and plan that editor features read."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

from lsprotocol import types

from wf_lsp.core.findings import Pointer
from wf_lsp.core.fix.fixes import iter_targets
from wf_lsp.core.parse.document import parse
from wf_lsp.core.parse.locate import Found, locate, path_at, value_end
from wf_lsp.core.plan import Graph, Plan, build_graph, plan_levels
from wf_lsp.core.settings import Settings
from wf_lsp.lsp import documents
from wf_lsp.lsp.convert import PositionMapper

if TYPE_CHECKING:
    from wf_lsp.lsp.documents import OpenDocument
    from wf_lsp.lsp.server import WfServer

#: Texts above this size are parsed in a worker thread, not on the event loop.
_BIG = 200_000
T = TypeVar("T")


class once(Generic[T]):
    """functools.cached_property without its lock: on 3.11 one lock per property serves every instance, so the event
    loop would wait while a worker thread builds another snapshot's graph. Two threads may build a value twice (the
    same value); nothing waits."""

    def __init__(self, build: Callable[[Any], T]) -> None:
        self._build = build
        self._name = build.__name__
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> once[T]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> once[T] | T:
        if obj is None:
            return self
        value = obj.__dict__[self._name] = self._build(obj)
        return value


@dataclass(frozen=True, slots=True)
class Ref:
    """A place that names a node: a connection key, a connection target or a trigger's nodeId."""

    pointer: Pointer
    part: Literal["key", "value"]
    kind: Literal["source", "target", "trigger"]
    text: str


class DocumentSnapshot:
    """One version of a document under its settings, as every editor feature sees it (ruff_server's snapshot).

    The diagnostics keep one per open document version, next to its validation, and hand the same object to hover,
    completion, symbols, code lens, inlay hints, navigation, the graph and the execution plan. It is built for free: the
    text is parsed on first use, leniently (broken text is repaired, as the engine does), then never again, and the
    graph and plan are built once under the key mode and dialect of the settings."""

    def __init__(self, text: str, version: int | None, settings: Settings, encoding: str) -> None:
        self.text = text
        self.version = version
        self.settings = settings
        self.key_mode = settings.key_mode
        self.encoding = encoding
        self._parsed: tuple[Any, str, list[tuple[int, int]], bool] | None = None

    def matches(self, text: str, version: int | None, settings: Settings, encoding: str) -> bool:
        """Whether this snapshot is of that text and version under those settings (the text compared by identity)."""
        return self.text is text and self.version == version and self.encoding == encoding and self.settings == settings

    def parse(self) -> None:
        """Parse the text now (once; `value` and the spans do it on first use)."""
        if self._parsed is not None:
            return
        try:
            self._parsed = (json.loads(self.text), self.text, [], False)
        except (ValueError, RecursionError):
            doc = parse(self.text)
            self._parsed = (doc.value, doc.parsed_text, list(doc.insertions), True)

    @property
    def parsed(self) -> bool:
        """Whether the text has been parsed already."""
        return self._parsed is not None

    def _get(self) -> tuple[Any, str, list[tuple[int, int]], bool]:
        if self._parsed is None:
            self.parse()
        assert self._parsed is not None
        return self._parsed

    @property
    def value(self) -> Any:
        """The parsed (possibly repaired) value."""
        return self._get()[0]

    @property
    def parsed_text(self) -> str:
        """The text that was parsed: the original, or its repair."""
        return self._get()[1]

    @property
    def insertions(self) -> list[tuple[int, int]]:
        """Characters the repair inserted: (offset, count), in order."""
        return self._get()[2]

    @property
    def broken(self) -> bool:
        """Whether the text needed repairing to parse."""
        return self._get()[3]

    # -- offsets --------------------------------------------------------------------------------
    def _to_parsed(self, offset: int) -> int:
        for at, count in self.insertions:
            if at <= offset:
                offset += count
            else:
                break
        return offset

    def _to_original(self, offset: int) -> int:
        shift = sum(count for at, count in self.insertions if at < offset)
        return max(0, min(len(self.text), offset - shift))

    def _span(self, span: tuple[int, int]) -> tuple[int, int]:
        if not self.insertions:
            return span
        return self._to_original(span[0]), self._to_original(span[1])

    @once
    def mapper(self) -> PositionMapper:
        """Positions of this text in the client's encoding."""
        return PositionMapper(self.text, self.encoding)

    def range(self, span: tuple[int, int]) -> types.Range:
        """Client range of an original-text span."""
        return self.mapper.offsets(*span)

    # -- structure ------------------------------------------------------------------------------
    def at(self, offset: int) -> tuple[Pointer, str, tuple[int, int]] | None:
        """The innermost member at an original offset: pointer, 'key' or 'value', and its original span."""
        hit = path_at(self.parsed_text, self._to_parsed(offset))
        if hit is None:
            return None
        ptr, part, span = hit
        return ptr, part, self._span(span)

    def spans(self, pointers: list[Pointer]) -> dict[Pointer, Found]:
        """Key and value spans (original offsets) of pointers that exist."""
        text = self.parsed_text
        located = locate(text, pointers, early_exit=False)
        found = {p: (k, (v[0], value_end(text, (k, v)))) for p, (k, v) in located.items()}
        if not self.insertions:
            return found
        return {p: (self._span(k) if k else None, self._span(v)) for p, (k, v) in found.items()}

    def get(self, pointer: Pointer) -> Any:
        """The value at a pointer (None when missing)."""
        value = self.value
        for part in pointer:
            if isinstance(value, dict) and isinstance(part, str):
                value = value.get(part)
            elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
                value = value[part]
            else:
                return None
        return value

    @once
    def graph(self) -> Graph:
        """Nodes, resolved edges and starts (under the dialect setting, as the engine resolves them)."""
        return build_graph(self.value, self.key_mode, self.settings.dialect)

    @once
    def plan(self) -> Plan:
        """Execution levels from the triggers."""
        return plan_levels(self.graph)

    @property
    def nodes(self) -> list[Any]:
        """The nodes array (empty when missing)."""
        return self.graph.nodes

    @once
    def refs(self) -> list[tuple[int, Ref]]:
        """Every reference to a node, with the index of the node it resolves to."""
        out: list[tuple[int, Ref]] = []
        wf = self.value if isinstance(self.value, dict) else {}
        conns = wf.get("connections")
        graph = self.graph
        if isinstance(conns, dict):
            for key in conns:
                index = graph.resolve(key)
                if index is not None:
                    out.append((index, Ref(("connections", key), "key", "source", key)))
            for list_ptr, j, target in iter_targets(conns):
                index = graph.resolve(target)
                if index is not None:
                    out.append((index, Ref((*list_ptr, j, "node"), "value", "target", target)))
        triggers = wf.get("triggers")
        for t, trig in enumerate(triggers if isinstance(triggers, list) else []):
            ref = trig.get("nodeId") if isinstance(trig, dict) else None
            if not isinstance(ref, str):
                continue
            index = graph.ids.get(ref)
            if index is None and self.key_mode != "id":
                index = graph.names.get(ref)
            if index is not None:
                out.append((index, Ref(("triggers", t, "nodeId"), "value", "trigger", ref)))
        return out

    def refs_to(self, index: int) -> list[Ref]:
        """References to one node."""
        return [r for i, r in self.refs if i == index]

    def ref_at(self, pointer: Pointer, part: str) -> tuple[int, Ref] | None:
        """The reference at a pointer (as returned by `at`), if that is one."""
        for index, ref in self.refs:
            if ref.pointer == pointer and ref.part == part:
                return index, ref
        return None

    def node_at(self, pointer: Pointer) -> int | None:
        """Index of the node a pointer lies in."""
        if len(pointer) >= 2 and pointer[0] == "nodes" and isinstance(pointer[1], int) and pointer[1] < len(self.nodes):
            return pointer[1]
        return None

    @once
    def node_spans(self) -> dict[int, tuple[tuple[int, int], tuple[int, int] | None]]:
        """Node index -> (span of the node object, span of its name value when it has one)."""
        pointers: list[Pointer] = []
        for i in range(len(self.nodes)):
            pointers += [("nodes", i), ("nodes", i, "name")]
        found = self.spans(pointers)
        out: dict[int, tuple[tuple[int, int], tuple[int, int] | None]] = {}
        for i in range(len(self.nodes)):
            obj = found.get(("nodes", i))
            if obj is not None:
                name = found.get(("nodes", i, "name"))
                out[i] = (obj[1], name[1] if name else None)
        return out

    def target_style(self) -> str:
        """How this document names nodes in connections: 'id' or 'name' (the key mode, or the majority in auto)."""
        if self.key_mode in ("name", "id"):
            return self.key_mode
        ids, names = self.graph.ids, self.graph.names
        by_id = sum(1 for _, r in self.refs if r.kind != "trigger" and r.text in ids and r.text not in names)
        by_name = sum(1 for _, r in self.refs if r.kind != "trigger" and r.text in names)
        return "id" if by_id > by_name else "name"


def workflow_doc(server: WfServer, uri: str) -> OpenDocument | None:
    """The open document at uri when it is a workflow candidate (editor features stay out of other files)."""
    doc = server.documents.get(uri)
    if doc is None:
        return None
    chosen = documents.selection(uri, doc.language_id, server.settings.for_uri(uri))
    if chosen is False or (chosen is None and not doc.seen_workflow and not documents.has_markers(doc.text)):
        return None
    return doc


async def snapshot_of(server: WfServer, doc: OpenDocument) -> DocumentSnapshot:
    """The snapshot of a document's current version, shared with its validation (big texts parse off the event loop)."""
    snap = server.diagnostics.document(doc)
    if not snap.parsed and len(snap.text) > _BIG:
        await asyncio.get_running_loop().run_in_executor(None, snap.parse)
    return snap
