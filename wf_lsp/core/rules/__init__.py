"""Rule modules, one per concern; `RULE_MODULES` runs them in the platform's evaluation order."""

from __future__ import annotations

from wf_lsp.core.rules import connections, graph, nodes, structure, tenancy, types, variables

#: Order matters for oracle parity: nodes (P1, P2), connections (P3), variables (P4), tenancy (P5).
RULE_MODULES = (structure, nodes, types, connections, variables, tenancy, graph)
