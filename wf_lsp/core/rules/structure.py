"""Structure rules: the top-level object, the nodes array, workflow id and resource limits."""

from __future__ import annotations

from wf_lsp.core.rules.context import Context
from wf_lsp.core.rules.rule import rule

MAX_NODES = 500
MAX_VARIABLES = 100


@rule("INVALID_WORKFLOW_STRUCTURE", stage="top")
def workflow_structure(ctx: Context) -> None:
    """A top level that is not an object (the only rule that runs on one)."""
    wf = ctx.wf
    if not isinstance(wf, dict):
        kind = "an array" if isinstance(wf, list) else type(wf).__name__ if wf is not None else "null"
        ctx.report("INVALID_WORKFLOW_STRUCTURE", (), kind=kind)


@rule("INVALID_NODES")
def invalid_nodes(ctx: Context) -> None:
    """A missing `nodes`, or one that is not an array."""
    wf = ctx.wf
    nodes = wf.get("nodes")
    if isinstance(nodes, list):
        return
    if isinstance(nodes, str):
        # The platform iterates a string without crashing: `oracle` reports only what it reports (see rules.nodes).
        if not ctx.oracle:
            ctx.report("INVALID_NODES", ("nodes",), variant="string")
        return
    if "nodes" not in wf:
        ctx.report("INVALID_NODES", (), path="nodes", variant="missing")
    else:
        ctx.report("INVALID_NODES", ("nodes",), anchor="key")


@rule("MISSING_WORKFLOW_ID")
def missing_workflow_id(ctx: Context) -> None:
    """A workflow with no `id` member."""
    if "id" not in ctx.wf:
        ctx.report("MISSING_WORKFLOW_ID", (), path="id")


@rule("RESOURCE_LIMIT_EXCEEDED")
def resource_limit(ctx: Context) -> None:
    """More nodes or variables than the platform's limits."""
    nodes = ctx.wf.get("nodes")
    if isinstance(nodes, list) and len(nodes) > MAX_NODES:
        ctx.report("RESOURCE_LIMIT_EXCEEDED", ("nodes",), anchor="key", count=len(nodes), what="nodes", limit=MAX_NODES)
    variables = ctx.wf.get("variables")
    if isinstance(variables, dict) and len(variables) > MAX_VARIABLES:
        ctx.report(
            "RESOURCE_LIMIT_EXCEEDED",
            ("variables",),
            anchor="key",
            count=len(variables),
            what="variables",
            limit=MAX_VARIABLES,
        )
