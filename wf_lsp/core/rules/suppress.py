"""Suppressions: `x-wf-ignore` keys in the document and `ignore` entries in settings, and the unused ones."""

from __future__ import annotations

from typing import Any

from wf_lsp.core.findings import Finding, Pointer
from wf_lsp.core.globs import matches
from wf_lsp.core.rules.context import Context

IGNORE_KEY = "x-wf-ignore"


def _pointer_from_json(text: str) -> Pointer:
    parts: list[str | int] = []
    for raw in text.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        parts.append(int(part) if part.isdigit() else part)
    return tuple(parts)


def _in_doc(ctx: Context) -> list[tuple[Pointer, Pointer, int, str]]:
    """(scope pointer, pointer of the code string, position, code) for every in-document suppression."""
    out: list[tuple[Pointer, Pointer, int, str]] = []
    if isinstance(ctx.wf, dict):
        _collect(out, (), ctx.wf)
    for i, node in enumerate(ctx.nodes):
        if isinstance(node, dict) and IGNORE_KEY in node:
            _collect(out, ("nodes", i), node)
    return out


def _collect(out: list[tuple[Pointer, Pointer, int, str]], scope: Pointer, holder: dict[str, Any]) -> None:
    codes = holder.get(IGNORE_KEY)
    if isinstance(codes, str):
        out.append((scope, scope + (IGNORE_KEY,), -1, codes.upper()))
    elif isinstance(codes, list):
        for k, code in enumerate(codes):
            if isinstance(code, str):
                out.append((scope, scope + (IGNORE_KEY, k), k, code.upper()))


def apply_suppressions(ctx: Context, path: str | None) -> list[Finding]:
    """Drop suppressed findings; note in-document suppressions that matched nothing (rules.suppression reports them)."""
    entries = _in_doc(ctx)
    settings_entries = [
        (e.code, _pointer_from_json(e.pointer) if e.pointer else ())
        for e in ctx.settings.ignore
        if (e.files is None or (path is not None and matches(path, (e.files,), ctx.settings.root)))
        and (e.files or e.pointer)
    ]
    if not entries and not settings_entries:
        return ctx.findings
    used = [False] * len(entries)
    kept: list[Finding] = []
    for f in ctx.findings:
        hit = False
        for k, (scope, _ptr, _pos, code) in enumerate(entries):
            if (code == f.code or code == "*") and f.pointer[: len(scope)] == scope:
                used[k] = hit = True
        for code, scope in settings_entries:
            if (code == f.code or code == "*") and f.pointer[: len(scope)] == scope:
                hit = True
        if not hit:
            kept.append(f)
    ctx.unused_suppressions = [
        (ptr, pos, code)
        for k, (_scope, ptr, pos, code) in enumerate(entries)
        if not used[k] and code != "UNUSED_SUPPRESSION"
    ]
    return kept
