"""The human text format: `path:line:col: severity: message [CODE]`, the source line, a caret (like gcc, actionlint)."""

from __future__ import annotations

from wf_lsp.core.batch import FileResult

_MAX_SNIPPET = 160


def render(files: list[FileResult], color: bool = False, snippets: bool = True) -> str:
    """All findings of all files, in file then position order."""
    lines: list[str] = []
    if not any(fr.result.findings for fr in files):
        return ""
    from wf_lsp.core.parse.textindex import TextIndex
    from wf_lsp.core.redact import SecretSpans, line_has_secret, mask_values, visible

    for fr in files:
        index = TextIndex(fr.text) if snippets and fr.result.findings else None
        secrets: SecretSpans | None = None  # built on the first snippet: one pass over the text
        for f in fr.result.findings:
            line = f.span.start.line + 1 if f.span else 1
            col = f.span.start.character + 1 if f.span else 1
            message = visible(f.message)
            level = f.severity.label
            head = f"{visible(fr.path)}:{line}:{col}: {level}: {message} [{f.code}]"
            if color:
                mark = {1: "\x1b[31m", 2: "\x1b[33m"}.get(int(f.severity), "\x1b[36m")
                head = f"\x1b[1m{visible(fr.path)}:{line}:{col}:\x1b[0m {mark}{level}:\x1b[0m {message} [{f.code}]"
            lines.append(head)
            if index is not None and f.span is not None:
                src = index.line_text(f.span.start.line)
                if len(src) <= _MAX_SNIPPET:  # long (minified) lines get no snippet, and no work spent on one
                    if secrets is None:
                        secrets = SecretSpans(fr.text)
                    src = secrets.mask(src, index.offset(f.span.start.line, 0))
                    if line_has_secret(src, f.pointer):
                        src = mask_values(src)
                    src = visible(src)
                    width = (
                        f.span.end.character - f.span.start.character
                        if f.span.end.line == f.span.start.line
                        else len(src) - f.span.start.character
                    )
                    lines.append(f"  {line:>4} | {src}")
                    lines.append("       | " + " " * f.span.start.character + "^" + "~" * max(0, width - 1))
    return "\n".join(lines) + ("\n" if lines else "")
