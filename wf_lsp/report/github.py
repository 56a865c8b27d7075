"""GitHub Actions workflow commands (`::error file=...,line=...::message`) so problems annotate the diff."""

from __future__ import annotations

from wf_lsp.core.batch import FileResult
from wf_lsp.core.redact import visible

_LEVEL = {1: "error", 2: "warning"}


def _escape(value: str, prop: bool = False) -> str:
    value = visible(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def render(files: list[FileResult]) -> str:
    """One workflow command per finding (information and hints become notices)."""
    out = []
    for fr in files:
        for f in fr.result.findings:
            level = _LEVEL.get(int(f.severity), "notice")
            s, e = f.span.start if f.span else None, f.span.end if f.span else None
            props = [f"file={_escape(fr.path, True)}"]
            if s and e:
                props += [
                    f"line={s.line + 1}",
                    f"col={s.character + 1}",
                    f"endLine={e.line + 1}",
                    f"endColumn={e.character + 1}",
                ]
            props.append(f"title={_escape(f.code, True)}")
            out.append(f"::{level} {','.join(props)}::{_escape(f.message)}")
    return "\n".join(out) + ("\n" if out else "")
