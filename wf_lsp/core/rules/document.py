"""Document rules: what the parser found (syntax, encoding, size, depth) and keys an object repeats."""

from __future__ import annotations

from typing import Any

from wf_lsp.core.context import Context
from wf_lsp.core.findings import Pointer
from wf_lsp.core.rules.rule import rule


@rule("JSON_SYNTAX_ERROR", "INVALID_ENCODING", "FILE_TOO_LARGE", "NESTING_TOO_DEEP", stage="document", renders=False)
def parser_findings(ctx: Context) -> None:
    """The parser's own findings (it words them: the position and the repair are part of the message)."""
    if ctx.doc.syntax:
        ctx.findings.extend(f for f in ctx.doc.syntax if f.code in ctx.enabled)


@rule("DUPLICATE_KEY", stage="document")
def duplicate_key(ctx: Context) -> None:
    """Find where each object with duplicate keys sits, and report every repeated key."""
    targets = ctx.doc.duplicate_keys
    stack: list[tuple[Any, Pointer]] = [(ctx.doc.value, ())]
    while stack and targets:
        value, ptr = stack.pop()
        if isinstance(value, dict):
            for key in targets.get(id(value), []):
                ctx.report("DUPLICATE_KEY", ptr + (key,), path="", anchor="key", key=key)
            stack.extend((v, ptr + (k,)) for k, v in value.items() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend((v, ptr + (i,)) for i, v in enumerate(value) if isinstance(v, (dict, list)))
