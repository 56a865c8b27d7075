"""Structure rules: the top-level object, the nodes array, workflow id and resource limits."""

from __future__ import annotations

from wf_lsp.core.context import Context

MAX_NODES = 500
MAX_VARIABLES = 100


def check(ctx: Context) -> None:
    """Report a non-object top level, a missing or non-array `nodes`, and (non-oracle) limits."""
    wf = ctx.wf
    if not isinstance(wf, dict):
        kind = "an array" if isinstance(wf, list) else type(wf).__name__ if wf is not None else "null"
        ctx.add("INVALID_WORKFLOW_STRUCTURE", f"Workflow must be a JSON object, got {kind}", "", ())
        return
    nodes = wf.get("nodes")
    if not isinstance(nodes, (list, str)):
        what = "is missing" if "nodes" not in wf else "must be an array"
        ctx.add("INVALID_NODES", f'Workflow "nodes" {what}', "nodes", ("nodes",) if "nodes" in wf else (), anchor="key" if "nodes" in wf else "value")
    if ctx.oracle:
        return
    if "id" not in wf:
        ctx.add("MISSING_WORKFLOW_ID", "Workflow has no id", "id", ())
    if isinstance(nodes, list) and len(nodes) > MAX_NODES:
        ctx.add("RESOURCE_LIMIT_EXCEEDED", f"Workflow has {len(nodes)} nodes; the limit is {MAX_NODES}", "nodes", ("nodes",), anchor="key")
    variables = wf.get("variables")
    if isinstance(variables, dict) and len(variables) > MAX_VARIABLES:
        ctx.add(
            "RESOURCE_LIMIT_EXCEEDED",
            f"Workflow has {len(variables)} variables; the limit is {MAX_VARIABLES}",
            "variables",
            ("variables",),
            anchor="key",
        )
