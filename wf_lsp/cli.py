"""The `wf-lsp` command: check, graph, rules, schema and serve. Parses arguments, calls the core, formats, exits."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wf_lsp import __version__

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
DEFAULT_CACHE_DIR = ".wf-lsp-cache"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"wf-lsp: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="wf-lsp", description="Validate MetaBuilder workflow JSON (CLI and language server).")
    p.add_argument("--version", action="version", version=f"wf-lsp {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    c = sub.add_parser(
        "check",
        help="check workflow files and folders",
        description="Check workflow files; exit 0 clean, 1 problems, 2 usage, 3 internal.",
    )
    c.add_argument("paths", nargs="*", default=None, help="files, folders, or - for stdin (default: .)")
    c.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
    c.add_argument("--profile", choices=("oracle", "recommended", "strict"))
    c.add_argument("--connection-keys", choices=("auto", "name", "id"))
    c.add_argument(
        "--dialect", choices=("auto", "metabuilder", "n8n"), help="workflow dialect (default auto: decided per file)"
    )
    c.add_argument("--n8n-catalog", metavar="FILE", help="n8n catalogue to use (default: the newest one built)")
    c.add_argument("--select", help="comma-separated codes (or prefixes) to report, nothing else")
    c.add_argument("--ignore", help="comma-separated codes to leave out")
    c.add_argument("--tenant", help="the tenant checking the files (tenancy rules)")
    c.add_argument("--user-level", type=int, choices=range(0, 5), metavar="0-4")
    c.add_argument(
        "--min-severity",
        choices=("error", "warning", "information", "hint"),
        default="warning",
        help="lowest severity shown in text, sarif and github output (json always has all); default warning",
    )
    c.add_argument("--exit-zero", action="store_true", help="exit 0 even when problems are found")
    c.add_argument("--statistics", action="store_true", help="print counts per code and cache statistics")
    c.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (default: CPU count)")
    c.add_argument(
        "--cache-url",
        help=(
            "shared Redis cache, e.g. redis://localhost:6379/0 (or WF_LSP_REDIS_URL); "
            "used only with a secret (cache.secret or WF_LSP_CACHE_SECRET)"
        ),
    )
    c.add_argument(
        "--cache",
        action="store_true",
        help="keep results in a local cache (.wf-lsp-cache): files unchanged since an earlier run are not read again",
    )
    c.add_argument("--cache-dir", metavar="DIR", help="the local cache's folder (implies --cache)")
    c.add_argument("--stdin-filename", help="name to report for text read from stdin")
    c.add_argument("--config", help="settings file (default: wf-lsp.toml or pyproject.toml found upward)")
    c.add_argument("--no-config", action="store_true", help="ignore settings files")
    c.add_argument(
        "--workflows-only",
        "--only-workflows",
        action="store_true",
        help=(
            "check named files only when they hold a workflow and are not excluded; "
            "pass over the rest quietly (pre-commit)"
        ),
    )
    c.add_argument("--no-respect-gitignore", action="store_true", help="also check files that .gitignore files ignore")
    c.add_argument("--quiet", "-q", action="store_true", help="print only the findings")
    c.add_argument(
        "--fix",
        action="store_true",
        help="apply the safe fixes that make nothing worse, then report what is left (stdin: print the fixed text)",
    )
    c.add_argument(
        "--diff",
        action="store_true",
        help="print the fixes --fix would make as a unified diff; write nothing (also with --fix)",
    )
    c.add_argument("--unsafe-fixes", action="store_true", help="with --fix or --diff, apply unsafe fixes too")
    c.add_argument("--no-snippets", action="store_true", help="text format: one line per problem, no source excerpt")
    c.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    c.add_argument(
        "--summary", metavar="FILE.md", help="also write a Markdown report with a graph of each invalid workflow"
    )
    g = sub.add_parser(
        "graph",
        help="draw a workflow as Mermaid, Graphviz DOT or JSON",
        description="Print a workflow's graph with its problems marked.",
    )
    g.add_argument("path", help="a workflow file, or - for stdin")
    g.add_argument("--format", choices=("mermaid", "dot", "json"), default="mermaid")
    g.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    g.add_argument("--profile", choices=("oracle", "recommended", "strict"))
    g.add_argument("--connection-keys", choices=("auto", "name", "id"))
    g.add_argument("--dialect", choices=("auto", "metabuilder", "n8n"), help="workflow dialect (default auto)")
    g.add_argument("--n8n-catalog", metavar="FILE", help="n8n catalogue to use (default: the newest one built)")
    g.add_argument("--tenant", help="the tenant checking the file (tenancy rules)")
    g.add_argument("--user-level", type=int, choices=range(0, 5), metavar="0-4")
    g.add_argument("--config", help="settings file (default: wf-lsp.toml or pyproject.toml found upward)")
    g.add_argument("--no-config", action="store_true", help="ignore settings files")
    g.set_defaults(select=None, ignore=None, cache_url=None)
    r = sub.add_parser("rules", help="list rules, or explain one")
    r.add_argument("code", nargs="?")
    r.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    sub.add_parser("schema", help="print the workflow JSON Schema")
    cat = sub.add_parser("catalog", help="build or show the n8n node catalogue")
    csub = cat.add_subparsers(dest="catalog_command", required=True, parser_class=_Parser)
    cb = csub.add_parser("build", help="read the node descriptions of installed n8n packages (needs Node)")
    cb.add_argument(
        "--n8n",
        required=True,
        metavar="NODE_MODULES_DIR",
        help="folder with n8n-nodes-base and @n8n/n8n-nodes-langchain installed",
    )
    cb.add_argument("--out-dir", metavar="DIR", help="where to write it (default: the user cache dir)")
    cb.add_argument("--node", default="node", help="the Node executable")
    ci = csub.add_parser("info", help="say which catalogue is in force")
    ci.add_argument("--n8n-catalog", metavar="FILE")
    s = sub.add_parser("serve", help="run the language server (stdio by default)")
    s.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    s.add_argument(
        "--stdio", action="store_true", help="use stdio (the default; accepted because many clients pass it)"
    )
    s.add_argument("--log-level", default="INFO")
    return p


def _import_server() -> Callable[[str | None, str], None]:
    """`wf_lsp.lsp.server.serve`, imported with the cyclic garbage collector off: the imports (lsprotocol's hundreds of
    classes first) make only long-lived objects, so the collections they would set off are wasted start-up time. What
    they made is then frozen out of later collections, which would otherwise walk it again and again."""
    gc.disable()
    try:
        from wf_lsp.lsp.server import serve
    finally:
        gc.enable()
    gc.freeze()
    return serve


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "graph":
            return _graph(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "catalog":
            from wf_lsp.catalog_cli import run as run_catalog

            return run_catalog(args)
        if args.command == "schema":
            from wf_lsp.core.rules.models import schema_text

            sys.stdout.write(schema_text())
            return EXIT_CLEAN
        if args.command == "serve":
            serve = _import_server()
            serve(args.tcp, args.log_level)
            return EXIT_CLEAN
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_CLEAN
    except Exception as exc:  # the named internal-failure exit code, with the cause
        print(f"wf-lsp: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_USAGE


def _settings(args: argparse.Namespace, paths: list[str]) -> Any:
    from wf_lsp.core.config import ConfigError, find_config_file, read_config
    from wf_lsp.core.settings import Settings, settings_from_mapping

    settings = Settings()
    problems: list[str] = []
    if not args.no_config:
        cfg = (
            Path(args.config)
            if args.config
            else find_config_file(Path(paths[0] if paths and paths[0] != "-" else ".").resolve())
        )
        if cfg is not None:
            if not cfg.is_file():
                raise _Usage(f"settings file not found: {cfg}")
            try:
                config = read_config(cfg)
            except ConfigError as exc:
                where = f"{exc.path}:{exc.line}:{exc.column}" if exc.line else str(exc.path)
                raise _Usage(exc.message, where=where) from None
            settings, more = settings_from_mapping(config.data)
            settings = settings.with_(root=str(config.folder))
            problems += [f"{config.path}: {m}" for m in more]
    for msg in problems:
        print(f"wf-lsp: warning: {msg}", file=sys.stderr)
    changes: dict[str, Any] = {}
    if args.profile:
        changes["profile"] = args.profile
    if args.connection_keys:
        changes["connection_keys"] = args.connection_keys
    if args.tenant:
        changes["tenant_id"] = args.tenant
    if args.dialect:
        changes["dialect"] = args.dialect
    if args.n8n_catalog:
        changes["n8n_catalog"] = args.n8n_catalog
    if args.user_level is not None:
        changes["user_level"] = args.user_level
    if getattr(args, "no_respect_gitignore", False):  # `check` only
        changes["respect_gitignore"] = False
    if args.select:
        changes["select"] = tuple(c.strip().upper() for c in args.select.split(",") if c.strip())
    if args.ignore:
        from wf_lsp.core.settings import IgnoreEntry

        changes["ignore"] = settings.ignore + tuple(
            IgnoreEntry(code=c.strip().upper()) for c in args.ignore.split(",") if c.strip()
        )
    url = args.cache_url or os.environ.get("WF_LSP_REDIS_URL") or settings.cache.redis_url
    if url:
        from wf_lsp.core.cache.sharedcache import cache_secret, shared_cache_problem

        problem = shared_cache_problem(url, cache_secret(settings))
        if problem is not None:  # said once here; the workers then run without the layer
            print(f"wf-lsp: warning: {problem}", file=sys.stderr)
            url = None
        changes["cache"] = settings.cache.__class__(**{**_fields(settings.cache), "redis_url": url})
    return settings.with_(**changes)


def _fields(obj: Any) -> dict[str, Any]:
    return {k: getattr(obj, k) for k in obj.__slots__}


class _Usage(Exception):
    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        #: `file:line:col` of the problem (printed first, as compilers do)
        self.where = where

    def print(self) -> None:
        """The message on stderr: `file:line:col: error: ...` when it has a place, else `wf-lsp: error: ...`."""
        print(f"{self.where}: error: {self}" if self.where else f"wf-lsp: error: {self}", file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    from wf_lsp.core.batch import run_check
    from wf_lsp.core.findings import Severity

    paths = args.paths or ["."]
    if args.diff and args.format != "text":  # `--fix --diff` is `--diff`, as in ruff
        print("wf-lsp: error: --diff prints a patch and writes nothing: it does not go with --format", file=sys.stderr)
        return EXIT_USAGE
    for stream in (sys.stdout, sys.stderr):
        # Lone surrogates from `\ud800` escapes in a file must not crash output (in JSON they stay valid escapes).
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        settings = _settings(args, paths)
    except _Usage as exc:
        exc.print()
        return EXIT_USAGE
    stdin = None
    if "-" in paths:
        paths = [p for p in paths if p != "-"]
        stdin = (args.stdin_filename or "<stdin>", sys.stdin.buffer.read())
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        print(f"wf-lsp: error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    from wf_lsp.progress import Progress

    progress = Progress(sys.stderr) if sys.stderr.isatty() and not args.quiet else None
    # The file texts travel back from workers only when something prints source lines or rewrites files.
    want_text = args.fix or args.diff or bool(args.summary) or (args.format == "text" and not args.no_snippets)
    cache_dir = args.cache_dir or (DEFAULT_CACHE_DIR if args.cache else None)
    run = run_check(
        paths,
        settings,
        jobs=args.jobs,
        progress=progress,
        stdin=stdin,
        want_text=want_text,
        cache_dir=cache_dir,
        workflows_only=args.workflows_only,
    )
    if progress:
        progress.finish()
    for msg in run.warnings:
        print(f"wf-lsp: warning: {msg}", file=sys.stderr)
    out = sys.stdout
    refused: list[tuple[str, str]] = []
    if args.fix or args.diff:
        from wf_lsp.clifix import apply_fixes

        report, stdin_fixed = apply_fixes(args, run, paths, stdin, settings)
        if args.diff:
            return EXIT_PROBLEMS if report.applied and not args.exit_zero else EXIT_CLEAN
        if stdin is not None:
            fixed = stdin_fixed if stdin_fixed is not None else stdin[1]
            if hasattr(sys.stdout, "buffer"):
                sys.stdout.flush()
                sys.stdout.buffer.write(fixed)
            else:  # a text stream standing in for stdout (tests, embedding)
                sys.stdout.write(fixed.decode("utf-8", "surrogateescape"))
            sys.stdout.flush()
            out = sys.stderr  # stdout holds the fixed text: the report goes to stderr, as ruff does
            stdin = (stdin[0], stdin_fixed) if stdin_fixed is not None else stdin
        if report.applied:
            run = run_check(
                paths, settings, jobs=args.jobs, stdin=stdin, cache_dir=cache_dir, workflows_only=args.workflows_only
            )
        refused = report.refused
    from wf_lsp.report import formats

    color = args.color == "always" or (args.color == "auto" and out.isatty() and not os.environ.get("NO_COLOR"))
    formats.write(args.format, run, out, Severity.parse(args.min_severity), color=color, snippets=not args.no_snippets)
    if args.summary:
        from wf_lsp.cligraph import write_summary

        write_summary(args.summary, run.files, settings)
    counts = Counter(f.code for fr in run.files for f in fr.result.findings)
    failing = sum(1 for fr in run.files for f in fr.result.findings if f.severity <= Severity.WARNING)
    if args.statistics:
        from wf_lsp.report import statistics

        (sys.stderr if args.format != "text" else out).write(statistics.render(counts, run.cache))
    if not args.quiet:
        sys.stderr.write(formats.skipped(run))
    if not args.quiet and args.format == "text":
        sys.stderr.write(formats.totals(run) + formats.fixable(run))
    if not args.quiet:
        sys.stderr.write(formats.catalogue_note(counts))
    if refused and not args.exit_zero:
        return EXIT_PROBLEMS
    if run.unreadable and not args.exit_zero:
        print(f"wf-lsp: {len(run.unreadable)} file(s) could not be read, so the run is not clean", file=sys.stderr)
        return EXIT_PROBLEMS
    if failing and not args.exit_zero:
        return EXIT_PROBLEMS
    return EXIT_CLEAN


def _graph(args: argparse.Namespace) -> int:
    from wf_lsp.cligraph import graph

    try:
        settings = _settings(args, [args.path])
    except _Usage as exc:
        exc.print()
        return EXIT_USAGE
    return graph(args, settings)


def _rules(args: argparse.Namespace) -> int:
    from wf_lsp.core.rules import catalog
    from wf_lsp.report import rules as render

    rules = list(catalog.RULES.values())
    if args.code:
        rule = catalog.RULES.get(args.code.upper())
        if rule is None:
            print(f"wf-lsp: error: unknown rule code {args.code!r}", file=sys.stderr)
            return EXIT_USAGE
        rules = [rule]
    if args.format == "json":
        sys.stdout.write(render.as_json(rules))
    elif args.format == "markdown":
        sys.stdout.write(render.as_markdown(rules))
    elif args.code:
        sys.stdout.write(render.explain(rules[0]))
    else:
        sys.stdout.write(render.as_table(rules))
    return EXIT_CLEAN


if __name__ == "__main__":
    raise SystemExit(main())
