"""What every rule sees: the parsed workflow, its node indexes, the settings and a place to put findings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from wf_lsp.core import noderefs
from wf_lsp.core.document import Document
from wf_lsp.core.findings import Anchor, Finding, Fix, Pointer, Related
from wf_lsp.core.locate import Found
from wf_lsp.core.registry import Registry
from wf_lsp.core.settings import Settings

#: A fix plan: the pointers whose spans it needs, and a function from those spans to fixes.
FixPlan = tuple[tuple[Pointer, ...], Callable[[dict[Pointer, Found], str], list[Fix]]]


@dataclass(slots=True)
class Context:
    """Shared, precomputed facts about one workflow for the rule modules."""

    doc: Document
    settings: Settings
    registry: Registry
    enabled: frozenset[str]
    wf: Any
    findings: list[Finding] = field(default_factory=list)
    plans: dict[int, FixPlan] = field(default_factory=dict)
    nodes: list[Any] = field(default_factory=list)
    #: string name -> index of the first node with it; string id -> index of first node with it
    names: dict[str, int] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    #: resolved graph edges: (source node index, target node index, pointer of the target's "node" value)
    edges: list[tuple[int, int, Pointer]] = field(default_factory=list)
    key_mode: str = "auto"
    #: did-you-mean answers per word (bounded; see rules.fixes.closest)
    guesses: dict[str, str | None] = field(default_factory=dict)
    #: did-you-mean indexes of large candidate lists, by id of the list
    suggesters: dict[int, Any] = field(default_factory=dict)
    candidate_lists: dict[str, list[str]] = field(default_factory=dict)
    #: did-you-mean answers for unknown node types (bounded; see rules.types._suggest)
    type_guesses: dict[str, str | None] = field(default_factory=dict)
    _targets: list[tuple[Pointer, int, Any]] | None = None
    #: every name or id used as a connection key or target (built on first use)
    referenced: set[str] | None = None

    @property
    def oracle(self) -> bool:
        """True under the profile that reproduces the real validator exactly."""
        return self.settings.profile == "oracle"

    def on(self, code: str) -> bool:
        """Whether a rule is enabled in this run."""
        return code in self.enabled

    def add(
        self,
        code: str,
        message: str,
        path: str,
        pointer: Pointer,
        anchor: Anchor = "value",
        related: list[Related] | None = None,
        fix: FixPlan | None = None,
    ) -> Finding | None:
        """Record a finding if its rule is enabled (severity and suggestion come from the catalog later)."""
        if code not in self.enabled:
            return None
        f = Finding(code=code, message=message, path=path, pointer=pointer, anchor=anchor, related=related or [])
        self.findings.append(f)
        if fix is not None:
            self.plans[id(f)] = fix
        return f

    def resolve(self, key: Any) -> int | None:
        """Index of the node a connection key or target names, by the connection-key mode."""
        return noderefs.resolve(key, self.names, self.ids, self.key_mode)

    def node_label(self, index: int) -> str:
        """A node's name (or id, or index) for messages."""
        return noderefs.label(self.nodes, index)

    def targets(self) -> list[tuple[Pointer, int, Any]]:
        """Every (target-list pointer, position, target node) of the connection map (computed once)."""
        if self._targets is None:
            from wf_lsp.core.rules.fixes import iter_targets

            conns = self.wf.get("connections") if isinstance(self.wf, dict) else None
            self._targets = iter_targets(conns) if isinstance(conns, dict) else []
        return self._targets

    def iter_nodes(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(index, node) for every node that is an object."""
        for i, node in enumerate(self.nodes):
            if isinstance(node, dict):
                yield i, node
