"""What every rule sees: the parsed workflow, its node indexes, the settings and `report`, where findings go."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from wf_lsp.core.findings import Anchor, Finding, Pointer, Related
from wf_lsp.core.fix.fixes import FixPlan, iter_targets
from wf_lsp.core.fix.suggest import Guesses
from wf_lsp.core.parse.document import Document
from wf_lsp.core.rules import catalog, noderefs
from wf_lsp.core.rules.registry import Registry
from wf_lsp.core.settings import Settings

__all__ = ["Context", "FixPlan", "path_of"]

_RULES = catalog.RULES


@dataclass(slots=True)
class Context:
    """Shared, precomputed facts about one workflow for the rules."""

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
    #: the dialect in force for this file: "metabuilder" or "n8n"
    dialect: str = "metabuilder"
    #: the code of the running rule: the only one it may report
    current: str = ""
    #: did-you-mean answers and indexes for this document (bounded; see rules.suggest.closest)
    guess: Guesses = field(default_factory=Guesses)
    candidate_lists: dict[str, list[str]] = field(default_factory=dict)
    #: did-you-mean answers for unknown node types (bounded; see rules.types._suggest)
    type_guesses: dict[str, str | None] = field(default_factory=dict)
    _targets: list[tuple[Pointer, int, Any]] | None = None
    #: every name or id used as a connection key or target (built on first use)
    referenced: set[str] | None = None
    #: whether some connection reference may name a node by id (set by the connection walk)
    by_id: bool = False
    #: what several rules of one run share (the graph's adjacency, resolved triggers, a walk's notes), by name or walk
    memo: dict[Any, Any] = field(default_factory=dict)
    #: what the previous version's run kept for this one (an editor's spliced text), and what this run keeps for the
    #: next (None: a text no editor changes); see rules.carry
    carried: dict[str, Any] | None = None
    carry: dict[str, Any] | None = None
    #: in-document suppressions that matched nothing: (pointer of the code string, position, code)
    unused_suppressions: list[tuple[Pointer, int, str]] = field(default_factory=list)

    @property
    def oracle(self) -> bool:
        """True under the profile that reproduces the real validator's semantics exactly (how values are read; which
        rules run is the catalog's business)."""
        return self.settings.profile == "oracle"

    def on(self, code: str) -> bool:
        """Whether a rule is enabled in this run."""
        return code in self.enabled

    def report(
        self,
        code: str,
        pointer: Pointer,
        /,
        *,
        path: str | None = None,
        anchor: Anchor = "value",
        related: list[Related] | None = None,
        fix: FixPlan | None = None,
        variant: str | None = None,
        **fields: Any,
    ) -> Finding | None:
        """Record a finding if its rule is enabled: the message is the catalog's template (or variant) with `fields`
        filled in, the path is derived from the pointer unless given. Severity and suggestion come later."""
        if code not in self.enabled:
            if code not in _RULES:
                raise KeyError(f"{code} is not a code of the catalog (rules.toml)")
            return None
        if code != self.current:
            raise LookupError(f"{code} reported by the rule for {self.current or 'nothing'}")
        rule = _RULES[code]
        template = rule.message if variant is None else rule.variants[variant]  # catalog.render, inlined: a hot path
        f = Finding(
            code,
            template.format_map(fields) if fields else template,
            path_of(pointer) if path is None else path,
            pointer,
            anchor,
        )
        if related:
            f.related = related
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
            conns = self.wf.get("connections") if isinstance(self.wf, dict) else None
            self._targets = iter_targets(conns) if isinstance(conns, dict) else []
        return self._targets

    def iter_nodes(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(index, node) for every node that is an object."""
        for i, node in enumerate(self.nodes):
            if isinstance(node, dict):
                yield i, node


_INDEXED = frozenset({"nodes", "triggers"})


def path_of(pointer: Pointer) -> str:
    """The platform's path for a pointer: `nodes[3].parameters.url`, `variables.x.scope`, `tenantId`."""
    if len(pointer) == 3 and pointer[0] == "nodes" and type(pointer[1]) is int:
        return f"nodes[{pointer[1]}].{pointer[2]}"  # the common case, first
    if not pointer:
        return ""
    head = str(pointer[0])
    rest = pointer[1:]
    if rest and type(rest[0]) is int and head in _INDEXED:
        head = f"{head}[{rest[0]}]"
        rest = rest[1:]
    return ".".join((head, *map(str, rest))) if rest else head
