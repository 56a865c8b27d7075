"""`--fix` never makes a file worse: fixes on repaired text, rollback after revalidation, comments kept (property)."""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests import fuzzkit as fk
from tests.helpers import DATA, run_cli
from wf_lsp.core.findings import Finding, Fix, Severity, TextEdit
from wf_lsp.core.fix.fixing import SYNTAX_CODES, chosen_fixes, comments, fix_verified
from wf_lsp.core.loader import WorkflowLoader

VALID = (DATA / "ok" / "valid_default.json").read_text()


def comments_of(text: str) -> Counter[str]:
    """The comments of a text, by a character-by-character scan (independent of the code under test)."""
    found: Counter[str] = Counter()
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] not in '"\n\r':
                i += 2 if text[i] == "\\" else 1
            i += 1
        elif text.startswith("//", i):
            end = i
            while end < n and text[end] not in "\n\r":
                end += 1
            found[text[i:end]] += 1
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            found[text[i:end]] += 1
            i = end
        else:
            i += 1
    return found


def errors(findings: list[Finding]) -> tuple[int, int]:
    """(errors, syntax errors)."""
    return sum(1 for f in findings if f.severity == Severity.ERROR), sum(1 for f in findings if f.code in SYNTAX_CODES)


def test_a_fix_is_not_computed_against_a_repaired_value() -> None:
    # The repair reads `* null` as null; the fix's span was that of `null` in the repaired text, so it produced
    # `"tenantId":"${TENANT_ID}"ll`.
    text = VALID.replace('"tenantId": "${TENANT_ID}"', '"tenantId":* null')
    result = WorkflowLoader().validate_text(text)
    assert any(f.code == "MISSING_TENANT_ID" for f in result.findings)
    assert all(not f.fixes for f in result.findings if f.code == "MISSING_TENANT_ID")


def test_a_fix_next_to_a_comment_keeps_the_comment() -> None:
    # The repair turns the comment into spaces; the removal of the unused suppression took those spaces with it.
    text = VALID.replace('"id": "wf_demo",', '"id": "wf_demo",\n  "x-wf-ignore": "TIMEOUT_TOO_SHORT", // why\n', 1)
    loader = WorkflowLoader()
    result = loader.validate_text(text)
    assert any(f.code == "UNUSED_SUPPRESSION" for f in result.findings)
    out = fix_verified(text, result.findings, lambda t: loader.validate_text(t).findings)
    assert "// why" in out.text


# -- the property -----------------------------------------------------------------------------------
_JUNK = ["*", "x", ",", "}", "]", ":", '"', "{", "[", "nul", "// c\n", "/* c */"]


@st.composite
def broken_mutants(draw: st.DrawFn) -> str:
    """A mutated corpus file, then broken as people break JSON: comments added, stray tokens, characters deleted."""
    text: str = draw(fk.corpus_mutants())
    for k in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["line comment", "block comment", "junk", "delete", "star", "tenant", "suppression"]))
        if op == "line comment":
            comma = text.find(",\n", at)
            at = len(text) if comma < 0 else comma + 2
            text = text[:at] + f"// note {k}: keep me\n" + text[at:]
        elif op == "tenant":  # a tenantId the repair reads as null next to text it blanks: the fix must not land there
            start = text.find('"tenantId":')
            end = text.find("\n", start)
            if start >= 0 and end >= 0:
                text = (
                    text[:start]
                    + '"tenantId":'
                    + draw(st.sampled_from(["* null", " nul", " null // later", " null /* x */"]))
                    + text[end - 1 if text[end - 1] == "," else end :]
                )
        elif op == "suppression":  # an unused suppression (its removal is a safe fix) next to a comment
            brace = text.find("{")
            if brace >= 0:
                text = text[: brace + 1] + f'\n"x-wf-ignore": "TIMEOUT_TOO_SHORT", // why {k}\n' + text[brace + 1 :]
        elif op == "block comment":
            after = min((i for i in (text.find(c, at) for c in ",{[") if i >= 0), default=-1)
            at = len(text) if after < 0 else after + 1
            text = text[:at] + f" /* note {k} */ " + text[at:]
        elif op == "junk":
            text = text[:at] + draw(st.sampled_from(_JUNK)) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + 1 :]
        else:
            colon = text.find(": ", at)
            if colon >= 0:
                text = text[: colon + 1] + "* " + text[colon + 2 :]
    return text


PROFILES = ["recommended", "strict-tenant", "name-keys"]


def _fix(loader: WorkflowLoader, text: str) -> tuple[str, Any]:
    before = loader.validate_text(text)
    out = fix_verified(text, before.findings, lambda t: loader.validate_text(t).findings)
    return out.text, before


@fk.examples(400)
@given(text=broken_mutants(), profile=st.sampled_from(PROFILES))
def test_fix_never_adds_errors_or_syntax_errors_and_never_drops_comments(text: str, profile: str) -> None:
    loader = fk.LOADERS[profile]
    fixed, before = _fix(loader, text)
    after = loader.validate_text(fixed)
    (e0, s0), (e1, s1) = errors(before.findings), errors(after.findings)
    assert e1 <= e0, f"errors {e0} -> {e1}"
    assert s1 <= s0, f"syntax errors {s0} -> {s1}"
    lost = comments_of(text) - comments_of(fixed)
    assert not lost, f"comments dropped: {list(lost)}"


# -- choosing fixes stays linear ------------------------------------------------------------------
def _chosen_by_pairs(findings: list[Finding]) -> list[Fix]:
    """The definition: in finding order, a fix whose edits overlap or touch an earlier chosen one's is dropped."""
    chosen: list[Fix] = []
    taken: list[tuple[int, int]] = []
    for f in findings:
        fix = next((x for x in f.fixes if x.safe), None)
        if fix is None:
            continue
        spans = [(e.start, e.end) for e in fix.edits]
        if any(s <= te and ts <= e for s, e in spans for ts, te in taken):
            continue
        chosen.append(fix)
        taken.extend(spans)
    return chosen


def _finding(edits: list[tuple[int, int]], safe: bool = True) -> Finding:
    return Finding("X", "x", "", (), fixes=[Fix("f", tuple(TextEdit(s, s + n, "") for s, n in edits), safe)])


@fk.examples(500)
@given(
    st.lists(
        st.tuples(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 6)), min_size=1, max_size=3), st.booleans()),
        max_size=12,
    )
)
def test_chosen_fixes_follow_the_definition(spec: list[tuple[list[tuple[int, int]], bool]]) -> None:
    findings = [_finding(edits, safe) for edits, safe in spec]
    assert chosen_fixes(findings) == _chosen_by_pairs(findings)


def test_choosing_among_many_fixes_is_linear() -> None:
    findings = [_finding([(i * 10, 3)], safe=True) for i in range(100_000)]
    start = time.perf_counter()
    assert len(chosen_fixes(findings)) == 100_000
    took = time.perf_counter() - start
    assert took < 2.0, f"{took:.2f} s"  # pairwise checks took minutes (50,000 fixes: over 100 s)


@fk.examples(100)
@given(text=broken_mutants(), profile=st.sampled_from(["recommended", "strict-tenant"]))
def test_the_fix_command_never_makes_a_file_worse(text: str, profile: str) -> None:
    """The same property through `wf-lsp check FILE --fix` itself (in this process), on a real file."""
    settings = fk.PROFILES[profile]
    flags = ["--profile", settings.profile] + (
        ["--tenant", settings.tenant_id, "--user-level", str(settings.user_level)] if settings.tenant_id else []
    )
    loader = fk.LOADERS[profile]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "wf.jsonc"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        code, _, err = run_cli(["check", str(path), "--fix", "--no-config", "--no-snippets", "-q", *flags])
        assert code in (0, 1), err
        fixed = path.read_bytes().decode("utf-8", "surrogatepass")
    (e0, s0), (e1, s1) = errors(loader.validate_text(text).findings), errors(loader.validate_text(fixed).findings)
    assert e1 <= e0 and s1 <= s0, f"errors {e0} -> {e1}, syntax errors {s0} -> {s1}"
    assert not comments_of(text) - comments_of(fixed)


@fk.examples(2000)
@given(st.text(st.sampled_from(list('"/*\n ab\\')), max_size=30))
def test_comments_are_found_as_the_independent_scan_finds_them(text: str) -> None:
    assert comments(text) == comments_of(text)
