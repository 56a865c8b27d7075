"""The suppression rule: an in-document `x-wf-ignore` entry that suppressed nothing (matching is core.suppress)."""

from __future__ import annotations

from wf_lsp.core.fix import fixes
from wf_lsp.core.rules.context import Context
from wf_lsp.core.rules.rule import rule


@rule("UNUSED_SUPPRESSION", stage="suppressed")
def unused_suppression(ctx: Context) -> None:
    """Report every in-document suppression that matched no finding, with a fix that removes it."""
    for ptr, pos, code in ctx.unused_suppressions:
        title = f"Remove unused suppression of {code}"
        plan = (
            fixes.remove_item(ptr[:-1], pos, title, safe=True)
            if pos >= 0
            else fixes.remove_member(ptr, title, safe=True)
        )
        ctx.report("UNUSED_SUPPRESSION", ptr, path=".".join(map(str, ptr)), fix=plan, code=code)
