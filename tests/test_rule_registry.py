"""The catalog is the rules: one function per code, messages from templates, profiles from the catalog alone."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import DATA, ROOT, SPEC, golden_args, run_cli
from wf_lsp.core.engine import analyze, enabled_codes
from wf_lsp.core.findings import Finding, Pointer
from wf_lsp.core.parse.document import parse
from wf_lsp.core.rules import catalog, every, rule
from wf_lsp.core.rules.context import Context, path_of
from wf_lsp.core.rules.registry import load_registry
from wf_lsp.core.settings import Settings

REGISTRY = load_registry()
ERR = sorted((DATA / "err").glob("*.json"))
NO_ID = json.dumps({"tenantId": "${TENANT_ID}", "nodes": [], "connections": {}})


def _codes(text: str, settings: Settings) -> list[str]:
    return [f.code for f in analyze(text, settings, REGISTRY).findings]


def test_an_explicit_severity_turns_a_rule_on_under_the_oracle_profile() -> None:
    # The catalog leaves MISSING_WORKFLOW_ID out of `oracle`; a severity set for it turns it on (engine.enabled_codes).
    assert "MISSING_WORKFLOW_ID" not in _codes(NO_ID, Settings(profile="oracle"))
    assert _codes(NO_ID, Settings(profile="oracle", severity={"MISSING_WORKFLOW_ID": "warning"})) == [
        "MISSING_WORKFLOW_ID"
    ]
    found = analyze(NO_ID, Settings(profile="oracle", severity={"MISSING_WORKFLOW_ID": "warning"}), REGISTRY).findings
    assert [f.severity.label for f in found] == ["warning"]


#: codes whose golden case needs what `oracle` reads differently: connection keys are names there, never ids
_ORACLE_READS_OTHERWISE = {"MIXED_CONNECTION_KEYS"}


@pytest.mark.parametrize("case", ERR, ids=lambda p: p.stem)
def test_every_rule_runs_under_oracle_when_a_severity_is_set_for_it(case: Path) -> None:
    code = next(c for c in sorted(catalog.RULES, key=len, reverse=True) if case.stem.startswith(c + "_"))
    if "oracle" in catalog.RULES[code].profiles or code in _ORACLE_READS_OTHERWISE or code.startswith("N8N_"):
        return
    if case.with_suffix(".toml").exists():
        return  # settings of their own (a tenant, a limit): covered by the golden test
    args = [a for a in golden_args(case) if a not in ("-q",)] + ["--format", "json", "--profile", "oracle"]
    severity = {code: "warning"}
    config = case.parent / f".{case.stem}.oracle.toml"
    config.write_text(f'profile = "oracle"\n[severity]\n{code} = "warning"\n', encoding="utf-8")
    try:
        args[args.index("--no-config")] = "--config"
        args.insert(args.index("--config") + 1, config.name)
        _, out, err = run_cli(args, cwd=case.parent)
    finally:
        config.unlink()
    reported = {e["code"]: e["severity"] for e in _entries(out)}
    assert reported.get(code) == severity[code], (code, err, sorted(reported))


def _entries(out: str) -> list[dict[str, Any]]:
    """Every finding of `check --format json` output, whatever its severity."""
    return [e for f in json.loads(out) for key in ("errors", "warnings", "infos", "hints") for e in f.get(key, [])]


def test_every_catalog_code_has_exactly_one_rule_function() -> None:
    assert every.unregistered() == []
    owners = [entry.code for entry in rule.REGISTERED]
    assert sorted(owners) == sorted(catalog.RULES)


def test_a_rule_for_a_code_not_in_the_catalog_fails_when_it_is_registered() -> None:
    with pytest.raises(KeyError, match="DUPLICATE_NODE_NAMES"):
        rule.rule("DUPLICATE_NODE_NAMES")
    with pytest.raises(ValueError, match="registered twice"):
        rule.rule("DUPLICATE_NODE_NAME")(lambda ctx: None)


def _context(settings: Settings) -> Context:
    doc = parse(NO_ID)
    return Context(doc=doc, settings=settings, registry=REGISTRY, enabled=enabled_codes(settings), wf=doc.value)


def test_report_refuses_a_misspelt_code_and_a_code_of_another_rule() -> None:
    ctx = _context(Settings(profile="strict"))
    ctx.current = "MISSING_WORKFLOW_ID"
    with pytest.raises(KeyError, match="MISSING_WORKFLOW_IDS"):
        ctx.report("MISSING_WORKFLOW_IDS", ())
    with pytest.raises(LookupError, match="MISSING_TENANT_ID reported by the rule for MISSING_WORKFLOW_ID"):
        ctx.report("MISSING_TENANT_ID", ("tenantId",))
    found = ctx.report("MISSING_WORKFLOW_ID", (), path="id")
    assert found is not None and found.message == catalog.RULES["MISSING_WORKFLOW_ID"].message


def test_a_walk_shared_by_rules_refuses_a_code_none_of_its_rules_reports() -> None:
    ctx = _context(Settings())

    def walk(ctx: Context) -> None:
        rule.note(ctx, "INVALID_OUTPUT_INDEX", ("connections",), index="x")

    with pytest.raises(LookupError, match=r"INVALID_OUTPUT_INDEX noted by a walk in tests\.test_rule_registry"):
        rule.walked(ctx, walk)


def test_report_renders_the_template_and_derives_the_path() -> None:
    ctx = _context(Settings())
    ctx.current = "DUPLICATE_NODE_NAME"
    found = ctx.report("DUPLICATE_NODE_NAME", ("nodes", 3, "name"), name="Load")
    assert found is not None and (found.message, found.path) == ('Duplicate node name: "Load"', "nodes[3].name")
    assert path_of(("variables", "x", "scope")) == "variables.x.scope"
    assert path_of(("nodes", 2, "parameters", 0)) == "nodes[2].parameters.0"
    assert path_of(("triggers", 1, "nodeId")) == "triggers[1].nodeId"
    assert path_of(()) == ""


def _golden_run(monkeypatch: pytest.MonkeyPatch) -> tuple[set[tuple[str, str | None]], set[str], set[str]]:
    """Every golden case through the CLI: the (code, variant) templates rendered, the codes reported, and the codes
    that offered a fix."""
    rendered: set[tuple[str, str | None]] = set()
    real = Context.report
    options = ("path", "anchor", "related", "fix", "variant")

    def recording(self: Context, code: str, pointer: Pointer, /, **kw: Any) -> Finding | None:
        if code in self.enabled:
            variant = kw.get("variant")
            rendered.add((code, variant))
            # A field the template does not name is a misspelt name (format_map itself fails on a missing one).
            fields = {k for k in kw if k not in options}
            assert fields == catalog.RULES[code].fields(variant), (code, variant, sorted(fields))
        return real(self, code, pointer, **kw)

    monkeypatch.setattr(Context, "report", recording)
    reported: set[str] = set()
    fixed: set[str] = set()
    for case in ERR:
        args = [a for a in golden_args(case) if a != "-q"] + ["--format", "json"]
        _, out, err = run_cli(args, cwd=case.parent)
        for e in _entries(out):
            reported.add(e["code"])
            if e["fixes"]:
                fixed.add(e["code"])
    # An n8n export on a machine with no catalogue at all (none configured, none in an empty cache folder).
    with tempfile.TemporaryDirectory() as empty:
        monkeypatch.setenv("WF_LSP_CACHE_DIR", empty)
        folder = Path(empty)
        (folder / "wf-lsp.toml").write_text('dialect = "n8n"\n', encoding="utf-8")
        (folder / "export.json").write_text(
            (DATA / "err" / "N8N_UNKNOWN_NODE_TYPE_misspelt.json").read_text(), encoding="utf-8"
        )
        _, out, _ = run_cli(
            ["check", "export.json", "--format", "json", "--min-severity", "hint", "--jobs", "1"], cwd=folder
        )
        assert [e["code"] for e in _entries(out)] == ["N8N_CATALOG_MISSING"], out
    return rendered, reported, fixed


@pytest.fixture(scope="module")
def golden() -> tuple[set[tuple[str, str | None]], set[str], set[str]]:
    with pytest.MonkeyPatch.context() as mp:
        return _golden_run(mp)


def test_every_template_and_variant_is_used(golden: tuple[set[tuple[str, str | None]], set[str], set[str]]) -> None:
    rendered, reported, _ = golden
    templates = {(code, None) for code, entry in rule.BY_CODE.items() if entry.renders}
    templates |= {(code, v) for code, r in catalog.RULES.items() for v in r.variants}
    missing = sorted(templates - rendered, key=str)
    assert missing == [], f"templates no golden case renders (add a case, or drop them): {missing}"
    assert set(catalog.RULES) <= reported


def test_the_fix_flag_says_exactly_which_codes_offer_a_fix(
    golden: tuple[set[tuple[str, str | None]], set[str], set[str]],
) -> None:
    _, _, fixed = golden
    flagged = {code for code, r in catalog.RULES.items() if r.has_fix}
    assert sorted(flagged - fixed) == [], f"fix = true, yet no golden case gets a fix: {sorted(flagged - fixed)}"
    assert sorted(fixed - flagged) == [], f"offers fixes, yet the catalog says fix = false: {sorted(fixed - flagged)}"


def test_the_platforms_suggestions_are_the_catalogs_word_for_word() -> None:
    # Spec 4.2: getSuggestionForError's table. The catalog is the one place these words live.
    text = (SPEC / "metabuilder-validator.md").read_text(encoding="utf-8")
    table = text[text.index("### 4.2") :].split("\n\n", 2)[1]
    rows = [line.split("|")[1:3] for line in table.splitlines()[2:] if not line.startswith("| *")]
    assert len(rows) == 8
    for code, suggestion in rows:
        assert catalog.RULES[code.strip()].suggestion == suggestion.strip(), code


#: a suppression is unused exactly when what it suppresses is not reported, so it depends on the other codes
_DEPENDS_ON_OTHERS = {"UNUSED_SUPPRESSION"}
#: codes whose rules read what other rules' work collects: checked on every file, reported or not
_SHARING = {"CIRCULAR_DEPENDENCY", "UNREACHABLE_NODE", "MIXED_CONNECTION_KEYS", "INVALID_CONNECTION_TARGET_PORT"}


def test_a_rule_reports_the_same_when_it_is_the_only_one_selected() -> None:
    # Rules share work (the connection walk, the graph, n8n's loop nodes): selecting one alone must not change it.
    n8n = sorted((ROOT.parent / "shared" / "corpus" / "n8n").glob("*.json"))[:40]
    assert len(n8n) == 40, "expected the n8n corpus beside the checkout"
    for path in [*ERR, *n8n]:
        text = path.read_text(encoding="utf-8", errors="replace")
        for profile in ("recommended", "strict"):
            full = analyze(text, Settings(profile=profile), REGISTRY).findings
            for code in sorted(({f.code for f in full} | _SHARING) - _DEPENDS_ON_OTHERS):
                alone = analyze(text, Settings(profile=profile, select=(code,)), REGISTRY).findings
                expected = [(f.message, f.span, f.fixes) for f in full if f.code == code]
                assert [(f.message, f.span, f.fixes) for f in alone if f.code == code] == expected, (path.name, code)
