"""Coverage-guided fuzz target (atheris/libFuzzer) for the parser, the position layer and the whole engine.

CI only smoke-tests TestOneInput without atheris (tests/test_atheris_target.py). To fuzz for real, for as long as you
like:

    .venv/bin/pip install atheris
    mkdir -p /tmp/wf-seeds && cp ../shared/corpus/metabuilder/*.json tests/data/regressions/*.json /tmp/wf-seeds/
    .venv/bin/python tests/fuzz/atheris_parser.py /tmp/wf-seeds -dict=tests/fuzz/json.dict \\
        -max_total_time=3600 -timeout=20 -rss_limit_mb=4096 -max_len=65536 -artifact_prefix=/tmp/wf-crash-

(most libFuzzer flags work; -fork does not under atheris). Each crash is saved as /tmp/wf-crash-<sha1>;
reproduce one with `.venv/bin/python tests/fuzz/atheris_parser.py /tmp/wf-crash-<sha1>`, then add it to
tests/data/regressions/ (see the README there) so CI replays it from then on.

What counts as a crash: any exception out of parse/locate/path_at/TextIndex/validate_text, a finding whose span is not
inside the text, a fix whose edits fall outside the text or overlap, or a fix that turns valid JSON into invalid JSON.
The input's length and last byte pick the settings and whether it is fed as bytes (decoded by the loader) or as text.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import traceback
from typing import Any

_loaded: dict[str, Any] = {}
#: Crashes already reported and pinned by strict xfail tests, as (file, function) of the raising frame: skipped so a
#: long run goes on finding new ones (WF_LSP_FUZZ_STRICT=1 stops on them too). Empty this as the bugs get fixed.
KNOWN_OPEN: set[tuple[str, str]] = set()


def _load() -> dict[str, Any]:
    """Import the code under test (lazily, so atheris can instrument it) and build one loader per settings."""
    if not _loaded:
        from wf_lsp.core.loader import WorkflowLoader
        from wf_lsp.core.parse import document, locate, textindex
        from wf_lsp.core.rules.registry import load_registry
        from wf_lsp.core.settings import Settings

        registry = load_registry(())
        variants = [
            Settings(),
            Settings(profile="oracle"),
            Settings(profile="strict", tenant_id="tenant-a", user_level=1),
            Settings(connection_keys="id"),
            Settings(connection_keys="name", max_file_bytes=4096),
        ]
        _loaded.update(
            document=document,
            locate=locate,
            TextIndex=textindex.TextIndex,
            loaders=[WorkflowLoader(s, registry=registry, max_concurrency=1) for s in variants],
        )
    return _loaded


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def _check_result(text: str, result: Any) -> None:
    n = len(text)
    for f in result.findings:
        spans = [f.span, *(r.span for r in f.related)]
        for span in spans:
            if span is None or not 0 <= span.start.offset <= span.end.offset <= n:
                raise AssertionError(f"{f.code}: span {span} outside a text of {n}")
    valid = _is_json(text)
    for f in result.findings:
        for fix in f.fixes:
            edits = sorted(fix.edits, key=lambda e: (e.start, e.end))
            out = text
            for a, b in itertools.pairwise(edits):
                if a.end > b.start:
                    raise AssertionError(f"{f.code}: fix {fix.title!r} has overlapping edits")
            for e in reversed(edits):
                if not 0 <= e.start <= e.end <= n:
                    raise AssertionError(f"{f.code}: fix {fix.title!r} edit {e} outside a text of {n}")
                out = out[: e.start] + e.new_text + out[e.end :]
            if valid and not _is_json(out):
                raise AssertionError(f"{f.code}: fix {fix.title!r} turned valid JSON into invalid JSON")


def TestOneInput(data: bytes) -> None:
    """One fuzz input: parse, index, locate and validate it; raise on any broken invariant."""
    try:
        _one_input(data)
    except TypeError as exc:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        known = (os.path.basename(frame.filename), frame.name) in KNOWN_OPEN and "unhashable" in str(exc)
        if not known or os.environ.get("WF_LSP_FUZZ_STRICT"):
            raise


def _one_input(data: bytes) -> None:
    env = _load()
    if not data:
        return
    # The settings and the feeding mode come from the input's length and last byte, so seed files are used whole.
    mode, body = (len(data) * 31 + data[-1]) & 0xFF, data
    loader = env["loaders"][mode % len(env["loaders"])]
    if mode & 0x80:
        text, _ = env["document"].decode_bytes(body)
        result = loader.validate_text(body)
    else:
        # Undecodable bytes become U+FFFD, or (with bit 6) lone surrogates, which a text can carry too.
        text = body.decode("utf-8", "surrogateescape" if mode & 0x40 else "replace")
        result = loader.validate_text(text)
    _check_result(text, result)
    doc = env["document"].parse(text)
    index = env["TextIndex"](text)
    probes = sorted({0, len(text), len(text) // 2, len(text) // 3, *(b % (len(text) + 1) for b in body[:8])})
    for offset, pos in zip(probes, index.positions(probes), strict=True):
        if pos.offset != offset or index.offset(pos.line, pos.character) != offset:
            raise AssertionError(f"TextIndex round trip failed at {offset}: {pos}")
    if doc.value is not None:
        work = doc.parsed_text
        env["locate"].locate(work, [(), ("nodes",), ("nodes", 0, "name"), ("connections",)])
        for offset in probes:
            env["locate"].path_at(work, min(offset, len(work)))


def main() -> None:
    """Run under atheris (libFuzzer flags in argv)."""
    import atheris

    with atheris.instrument_imports(include=["wf_lsp"]):
        _load()
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
