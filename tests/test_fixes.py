"""Fixes: each mechanical fix repairs its finding, edits stay valid JSON, and safe fixes never make things worse."""

from __future__ import annotations

import json

import pytest

from tests.helpers import DATA
from wf_lsp.core.fix.fixing import apply_edits, fix_all
from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.settings import Settings

CASES = {
    "DUPLICATE_NODE_NAME_typed_in": ("Rename duplicate node to 'Check 2'", Settings()),
    "MISSING_TENANT_ID_absent": ("Add tenantId '${TENANT_ID}'", Settings()),
    "MISSING_TENANT_ID_null": ("Set tenantId to 'acme'", Settings(tenant_id="acme")),
    "GLOBAL_SCOPE_VARIABLE_scope": ("Change scope to 'workflow'", Settings()),
    "TIMEOUT_TOO_SHORT_seconds": ("Raise timeout to 1000 ms", Settings()),
    "TIMEOUT_TOO_LONG_hours": ("Lower timeout to 3600000 ms", Settings()),
    "INVALID_CONNECTION_TARGET_NODE_typo": ("Retarget connection to 'Respond'", Settings()),
    "INVALID_CONNECTION_TARGET_no_node": ("Remove connection target", Settings()),
    "INVALID_CONNECTION_SOURCE_typo": ("Change source to 'Check'", Settings()),
    "INVALID_CONNECTION_SOURCE_id_in_name_mode": ("Key connection by name 'Check'", Settings(connection_keys="name")),
    "MISSING_REQUIRED_FIELD_condition": ("Add parameter 'condition'", Settings()),
    "INVALID_NODE_TYPE_typo": ("Change type to 'logic.if'", Settings()),
    "INVALID_TRIGGER_NODE_typo": ("Point trigger at 'start'", Settings()),
    "DUPLICATE_NODE_ID_copy": ("Change duplicate id to 'check_2'", Settings()),
    "UNUSED_SUPPRESSION_node": ("Remove unused suppression of TIMEOUT_TOO_SHORT", Settings()),
    "MIXED_CONNECTION_KEYS_one_id": ("Key all connections by node name", Settings()),
    "INVALID_ENUM_VALUE_trigger_type": None,
}


@pytest.mark.parametrize("case", [c for c, v in CASES.items() if v], ids=str)
def test_fix_repairs_its_finding(case: str) -> None:
    title, settings = CASES[case]  # type: ignore[misc]
    text = (DATA / "err" / f"{case}.json").read_text()
    loader = WorkflowLoader(settings)
    before = loader.validate_text(text)
    finding = next(f for f in before.findings if any(x.title == title for x in f.fixes))
    fix = next(x for x in finding.fixes if x.title == title)
    fixed = apply_edits(text, fix.edits)
    json.loads(fixed)
    after = loader.validate_text(fixed)
    assert finding.code not in {f.code for f in after.findings if f.path == finding.path}, [
        f.message for f in after.findings
    ]
    assert len(after.errors) < len(before.errors) or len(after.warnings) < len(before.warnings)


def test_fix_all_safe_fixes_on_a_file_with_several_problems() -> None:
    text = (DATA / "ok" / "valid_default.json").read_text()
    text = text.replace('"tenantId": "${TENANT_ID}",\n', "").replace('"scope": "workflow"', '"scope": "global"')
    loader = WorkflowLoader()
    before = loader.validate_text(text)
    fixed, n = fix_all(text, before.findings)
    after = loader.validate_text(fixed)
    assert n == 2 and after.findings == [] and json.loads(fixed)["tenantId"] == "${TENANT_ID}"


def test_fixes_are_not_offered_on_repaired_text() -> None:
    text = (DATA / "err" / "JSON_SYNTAX_ERROR_missing_comma.json").read_text().replace('"${TENANT_ID}"', "null")
    result = WorkflowLoader().validate_text(text)
    assert any(f.code == "MISSING_TENANT_ID" for f in result.findings)
    assert all(not f.fixes for f in result.findings)


@pytest.mark.parametrize("indent", [2, 4, None], ids=["indent 2", "indent 4", "one line"])
def test_removing_the_only_item_or_member_leaves_no_blank_line(indent: int | None) -> None:
    """Before: removing the only connection target left `[\\n          \\n        ]`, a whitespace-only line in the
    user's file; now the container closes up (`[]`), as a formatter would write it."""
    data = json.loads((DATA / "ok" / "valid_default.json").read_text())
    source = next(iter(data["connections"]))
    data["connections"][source]["main"] = [[{"node": "Nowhere At All", "type": "main", "index": 0}]]
    text = json.dumps(data, indent=indent)
    loader = WorkflowLoader()
    finding = next(f for f in loader.validate_text(text).findings if f.code == "INVALID_CONNECTION_TARGET_NODE")
    fix = next(x for x in finding.fixes if x.title == "Remove connection target")
    fixed = apply_edits(text, fix.edits)
    assert json.loads(fixed)["connections"][source]["main"] == [[]]
    assert not [line for line in fixed.splitlines() if line and not line.strip()], fixed
    assert "[]" in fixed
