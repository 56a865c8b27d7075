"""Rule tests as data: tests/data/ok/*.json report nothing; tests/data/err/<CODE>_<case>.json match their .out."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import DATA, golden_args, run_cli
from wf_lsp.core.rules import catalog

ERR = sorted((DATA / "err").glob("*.json"))
OK = sorted((DATA / "ok").glob("*.json"))


@pytest.mark.parametrize("case", OK, ids=lambda p: p.stem)
def test_ok_cases_report_nothing(case: Path) -> None:
    code, out, err = run_cli(golden_args(case), cwd=case.parent)
    assert (code, out) == (0, ""), err


@pytest.mark.parametrize("case", ERR, ids=lambda p: p.stem)
def test_err_cases_match_golden_output(case: Path) -> None:
    code, out, err = run_cli(golden_args(case), cwd=case.parent)
    if os.environ.get("WF_LSP_UPDATE_GOLDEN"):
        case.with_suffix(".out").write_text(out, encoding="utf-8")
    expected = case.with_suffix(".out").read_text(encoding="utf-8")
    assert out == expected
    assert code in (0, 1), err
    rule_code = next(c for c in sorted(catalog.RULES, key=len, reverse=True) if case.stem.startswith(c + "_"))
    assert f"[{rule_code}]" in out, f"{case.name} does not produce its own code"


def test_every_catalog_code_has_an_err_case_and_docs() -> None:
    stems = [p.stem for p in ERR]
    for code, rule in catalog.RULES.items():
        assert any(
            s.startswith(code + "_") and not any(s.startswith(o + "_") and len(o) > len(code) for o in catalog.RULES)
            for s in stems
        ), code
        assert len(rule.doc) > 40 and rule.suggestion and rule.message, code


def test_rules_command_explains_each_code() -> None:
    code, out, _ = run_cli(["rules"])
    assert code == 0 and all(c in out for c in catalog.RULES)
    code, out, _ = run_cli(["rules", "duplicate_node_name"])
    assert code == 0 and "Use unique names for all nodes." in out and catalog.RULES["DUPLICATE_NODE_NAME"].doc in out
    assert run_cli(["rules", "NOPE"])[0] == 2


def test_rules_doc_is_up_to_date() -> None:
    from tests.helpers import ROOT

    code, out, _ = run_cli(["rules", "--format", "markdown"])
    assert code == 0 and out == (ROOT / "docs" / "rules.md").read_text(), (
        "regenerate: wf-lsp rules --format markdown > docs/rules.md"
    )
