"""`wf-lsp catalog build|info`: build the n8n node catalogue from installed packages, or show the one in force."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _say(text: str, err: bool = False) -> None:
    (sys.stderr if err else sys.stdout).write(text + "\n")


def run(args: argparse.Namespace) -> int:
    """Run one catalog subcommand; returns the exit code."""
    from wf_lsp.core.n8n import catalogue

    if args.catalog_command == "build":
        modules = Path(args.n8n)
        if not modules.is_dir():
            _say(f"wf-lsp: error: {modules} is not a folder", err=True)
            return EXIT_USAGE
        try:
            path, summary = catalogue.build(modules, Path(args.out_dir) if args.out_dir else None, node=args.node)
        except FileNotFoundError:
            _say(f"wf-lsp: error: Node ({args.node}) is needed to read n8n's node descriptions", err=True)
            return EXIT_PROBLEMS
        except (RuntimeError, ValueError, OSError) as exc:
            _say(f"wf-lsp: error: {exc}", err=True)
            return EXIT_PROBLEMS
        packages = ", ".join(f"{k} {v}" for k, v in sorted(summary["packages"].items()))
        _say(f"wrote {path}")
        _say(f"{summary['types']} node types ({summary['descriptions']} descriptions) from {packages}")
        for failed in summary["failed"]:
            _say(f"  not loaded: {failed.get('file')}: {failed.get('error')}")
        return EXIT_CLEAN
    explicit = getattr(args, "n8n_catalog", None)
    path = catalogue.find(explicit)
    cat = catalogue.load(explicit)
    if cat is None:
        where = f"{path} cannot be read" if path is not None else f"no catalogue in {catalogue.cache_dir()}"
        _say(f"n8n catalogue: none ({where}); {catalogue.BUILD_HINT}")
        return EXIT_PROBLEMS
    _say(f"n8n catalogue: {cat.path}")
    _say(f"built from: {cat.label()}")
    _say(f"node types: {len(cat.types)}")
    return EXIT_CLEAN
