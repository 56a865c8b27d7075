"""Document rules: what the parser found (syntax, encoding, size, depth) and keys an object repeats."""

from __future__ import annotations

from typing import Any

from wf_lsp.core.findings import Pointer
from wf_lsp.core.rules.context import Context
from wf_lsp.core.rules.rule import rule

# The parser finds these and words them (the position and the repair are part of the message); the rules pass them on.


@rule("JSON_SYNTAX_ERROR", stage="document", renders=False)
def json_syntax_error(ctx: Context) -> None:
    """Text that is not JSON, with each repair the parser made to read on."""
    if ctx.doc.syntax:
        _parsed(ctx, "JSON_SYNTAX_ERROR")


@rule("INVALID_ENCODING", stage="document", renders=False)
def invalid_encoding(ctx: Context) -> None:
    """Bytes that are not UTF-8 (or a byte-order-marked UTF-16/32)."""
    if ctx.doc.syntax:
        _parsed(ctx, "INVALID_ENCODING")


@rule("FILE_TOO_LARGE", stage="document", renders=False)
def file_too_large(ctx: Context) -> None:
    """A file over maxFileBytes, not parsed."""
    if ctx.doc.syntax:
        _parsed(ctx, "FILE_TOO_LARGE")


@rule("NESTING_TOO_DEEP", stage="document", renders=False)
def nesting_too_deep(ctx: Context) -> None:
    """JSON nested deeper than the parser goes."""
    if ctx.doc.syntax:
        _parsed(ctx, "NESTING_TOO_DEEP")


def _parsed(ctx: Context, code: str) -> None:
    ctx.findings.extend(f for f in ctx.doc.syntax if f.code == code)


@rule("DUPLICATE_KEY", stage="document")
def duplicate_key(ctx: Context) -> None:
    """Find where each object with duplicate keys sits, and report every repeated key."""
    targets = ctx.doc.duplicate_keys
    if not targets:
        return
    stack: list[tuple[Any, Pointer]] = [(ctx.doc.value, ())]
    while stack and targets:
        value, ptr = stack.pop()
        if isinstance(value, dict):
            for key in targets.get(id(value), []):
                ctx.report("DUPLICATE_KEY", ptr + (key,), path="", anchor="key", key=key)
            stack.extend((v, ptr + (k,)) for k, v in value.items() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend((v, ptr + (i,)) for i, v in enumerate(value) if isinstance(v, (dict, list)))
