"""Replay every input that once broke wf-lsp (tests/data/regressions; see the README there)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests import fuzzkit as fk
from wf_lsp.core.fix.fixing import fix_all
from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.settings import settings_from_mapping

CASES = sorted(fk.REGRESSIONS.glob("*.json"))


def _meta(case: Path) -> dict[str, Any]:
    expect = case.with_suffix(".expect")
    assert expect.exists(), f"{case.name} has no .expect saying why it is a regression"
    meta: dict[str, Any] = json.loads(expect.read_text(encoding="utf-8"))
    assert meta.get("why"), f"{expect.name}: say why"
    return meta


def _param(case: Path) -> Any:
    reason = _meta(case).get("xfail")
    return pytest.param(case, id=case.stem, marks=pytest.mark.xfail(strict=True, reason=reason) if reason else ())


def test_every_regression_has_an_expectation() -> None:
    assert len(CASES) >= 20
    for path in fk.REGRESSIONS.iterdir():
        assert path.suffix in (".json", ".expect", ".md"), path.name
        if path.suffix == ".expect":
            assert path.with_suffix(".json").exists(), f"{path.name} has no input"


def _toml(settings: dict[str, Any]) -> str:
    return "".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items())


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_regression(case: Path, tmp_path: Path) -> None:
    meta = _meta(case)
    data = case.read_bytes()
    settings, problems = settings_from_mapping(meta.get("settings", {}))
    assert problems == []
    loader = WorkflowLoader(settings, registry=fk.REGISTRY)
    result = loader.validate_text(data)
    fk.check_result(data, result)
    codes = {f.code for f in result.findings}
    assert set(meta.get("codes", [])) <= codes, codes
    assert not set(meta.get("absent_codes", [])) & codes, codes
    messages = "\n".join(f.message for f in result.findings)
    assert [s for s in meta.get("absent", []) if s in messages] == [], messages
    assert all(s in messages for s in meta.get("message_contains", [])), messages
    fixed, _ = fix_all(fk.text_of(data), result.findings)
    if meta.get("fix_all_valid_json"):
        assert fk.is_json(fixed), fixed
    if meta.get("fix_all_no_worse"):
        assert len(loader.validate_text(fixed).errors) <= len(result.errors)
    for profile in fk.PROFILES:
        fk.check(data, profile)
    config = tmp_path / "wf-lsp.toml"
    config.write_text(_toml(meta.get("settings", {})))
    path = tmp_path / case.name
    path.write_bytes(data)
    for fmt in ("text", "json", "sarif", "github"):
        code, out, err = fk.run_cli_strict(
            ["check", str(path), "--config", str(config), "--jobs", "1", "--format", fmt, "--min-severity", "hint"]
        )
        assert code in (0, 1), err.decode("utf-8", "replace")
        if fmt in ("json", "sarif"):
            json.loads(out)
        if fmt == "text":
            shown = out.decode("utf-8") + err.decode("utf-8")
            assert [s for s in meta.get("cli_text_absent", []) if s in shown] == [], shown
