"""`check --fix` and `--diff` in the CLI: verified fixes applied to stdin and files, and what is printed about them."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def apply_fixes(
    args: argparse.Namespace, run: Any, paths: list[str], stdin: tuple[str, bytes] | None, settings: Any
) -> tuple[Any, bytes | None]:
    """Verified fixes: diffs printed (--diff), files rewritten atomically (--fix), and stdin's fixed bytes (or None)."""
    from wf_lsp.core.fix.fixfiles import FixReport, fix_files, unified_diff
    from wf_lsp.core.fix.fixing import fix_verified
    from wf_lsp.core.loader import WorkflowLoader

    loader = WorkflowLoader(settings)

    def validate(text: str, path: str | None) -> list[Any]:
        return loader.validate_batch([(path, text)], memory=False)[0].findings

    files = run.files[1:] if stdin is not None else run.files
    report: FixReport = fix_files(
        ((fr.path, fr.text, fr.result.findings) for fr in files),
        paths,
        validate,
        args.unsafe_fixes,
        write=not args.diff,
    )
    stdin_fixed = None
    if stdin is not None and run.files:
        fr = run.files[0]
        outcome = fix_verified(fr.text, validate(fr.text, fr.path), lambda t: validate(t, fr.path), args.unsafe_fixes)
        report.rolled_back += outcome.rolled_back
        if outcome.applied:
            report.applied += outcome.applied
            bom = b"\xef\xbb\xbf" if stdin[1].startswith(b"\xef\xbb\xbf") else b""
            stdin_fixed = bom + outcome.text.encode("utf-8", "surrogatepass")
            if args.diff:
                report.diffs.insert(0, unified_diff(fr.path, fr.text, outcome.text))
    for diff in report.diffs:
        sys.stdout.write(diff)
    for note in report.notes:
        sys.stderr.write(f"wf-lsp: {note}\n")
    for path, why in report.refused:
        sys.stderr.write(f"wf-lsp: error: {path}: {why}\n")
    kind = "fix(es)" if args.unsafe_fixes else "safe fix(es)"
    if report.applied:
        verb = "would apply" if args.diff else "applied"
        sys.stderr.write(f"wf-lsp: {verb} {report.applied} {kind}\n")
    if args.diff and not args.unsafe_fixes:
        from wf_lsp.core.fix.fixfiles import fixable

        more = sum(fixable(fr.result.findings, unsafe=True) - fixable(fr.result.findings) for fr in run.files)
        if more:
            sys.stderr.write(f"wf-lsp: {more} more fix(es) with `--diff --unsafe-fixes`\n")
    if report.rolled_back:
        sys.stderr.write(f"wf-lsp: {report.rolled_back} fix(es) not applied: each would have made its file worse\n")
    return report, stdin_fixed
