"""Every rule module, imported in the order their rules run (the platform's evaluation order, for oracle parity)."""

from __future__ import annotations

# Order matters for oracle parity: nodes (P1, P2), connections (P3), variables (P4), tenancy (P5); n8n rules last.
from wf_lsp.core.n8n import rules as n8n_rules
from wf_lsp.core.rules import connections, document, graph, nodes, structure, suppression, tenancy, types, variables
from wf_lsp.core.rules.rule import MODULE_ORDER, REGISTERED, unregistered

MODULES = (document, structure, nodes, types, connections, variables, tenancy, graph, n8n_rules, suppression)
MODULE_ORDER[:] = [m.__name__ for m in MODULES]

__all__ = ["MODULES", "REGISTERED", "unregistered"]
