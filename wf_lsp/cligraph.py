"""`wf-lsp graph` and `check --summary`: read, validate and write; the graphs and the report render in report/."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def write_summary(target: str, files: list[Any], settings: Any) -> None:
    """The Markdown report with a Mermaid graph of each invalid workflow."""
    from wf_lsp.core import graphmodel
    from wf_lsp.report import summary

    key_mode = settings.key_mode

    def graph_of(fr: Any) -> Any:
        return graphmodel.of_text(fr.text, fr.result, key_mode, settings.max_file_bytes) if fr.text else None

    Path(target).write_text(summary.render(files, graph_of), encoding="utf-8", errors="backslashreplace")


def graph(args: argparse.Namespace, settings: Any) -> int:
    """`wf-lsp graph FILE`: exit 0 with the graph written, 2 when the file cannot be read."""
    from wf_lsp.core import graphmodel
    from wf_lsp.core.loader import WorkflowLoader
    from wf_lsp.core.parse.document import decode_bytes

    try:
        data = sys.stdin.buffer.read() if args.path == "-" else Path(args.path).read_bytes()
    except OSError as exc:
        sys.stderr.write(f"wf-lsp: error: cannot read {args.path}: {exc.strerror or exc}\n")
        return 2
    text = decode_bytes(data)[0]
    result = WorkflowLoader(settings).validate_text(text, None if args.path == "-" else args.path)
    model = graphmodel.of_text(text, result, settings.key_mode, settings.max_file_bytes)
    from wf_lsp.report import graphs

    rendered = graphs.render(model, args.format, "<stdin>" if args.path == "-" else Path(args.path).name)
    if args.output:
        Path(args.output).write_text(rendered, encoding="utf-8", errors="surrogatepass")
    else:
        if hasattr(sys.stdout, "reconfigure"):
            sys.stdout.reconfigure(errors="backslashreplace")
        sys.stdout.write(rendered)
    return 0
