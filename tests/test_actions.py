"""The suppression edit behind "Ignore CODE for this node": inserted, extended, never duplicated."""

from __future__ import annotations

import json

from tests.helpers import CORPUS
from wf_lsp.core.fix.actions import ignore_edit
from wf_lsp.core.fix.fixing import apply_edits
from wf_lsp.core.loader import WorkflowLoader

BOOT = (CORPUS / "gameengine__packages__bootstrap__workflows__boot_default.json").read_text()


def test_inserts_the_key_as_the_first_member_with_the_node_indentation() -> None:
    edit = ignore_edit(BOOT, "DUPLICATE_NODE_NAME", 1)
    assert edit is not None
    text = apply_edits(BOOT, [edit])
    assert '    {\n      "x-wf-ignore": ["DUPLICATE_NODE_NAME"],\n      "id": "validate_version",' in text
    assert json.loads(text)["nodes"][1]["x-wf-ignore"] == ["DUPLICATE_NODE_NAME"]


def test_extends_an_existing_list_or_string_and_skips_a_code_already_there() -> None:
    once = apply_edits(BOOT, [ignore_edit(BOOT, "A", 0)])  # type: ignore[list-item]
    twice = apply_edits(once, [ignore_edit(once, "B", 0)])  # type: ignore[list-item]
    assert json.loads(twice)["nodes"][0]["x-wf-ignore"] == ["A", "B"]
    assert ignore_edit(twice, "a", 0) is None and ignore_edit(twice, "A", 0) is None
    as_string = BOOT.replace('"id": "load_config"', '"x-wf-ignore": "A", "id": "load_config"')
    assert json.loads(apply_edits(as_string, [ignore_edit(as_string, "B", 0)]))["nodes"][0]["x-wf-ignore"] == ["A", "B"]  # type: ignore[list-item]


def test_file_level_suppression_and_that_it_works() -> None:
    text = BOOT.replace('  "tenantId": "${TENANT_ID}"\n', '  "x": 1\n')
    assert "MISSING_TENANT_ID" in {f.code for f in WorkflowLoader().validate_text(text).findings}
    fixed = apply_edits(text, [ignore_edit(text, "MISSING_TENANT_ID")])  # type: ignore[list-item]
    assert json.loads(fixed)["x-wf-ignore"] == ["MISSING_TENANT_ID"]
    assert "MISSING_TENANT_ID" not in {f.code for f in WorkflowLoader().validate_text(fixed).findings}


def test_no_edit_for_a_missing_node_or_broken_text() -> None:
    assert ignore_edit(BOOT, "X", 99) is None
    assert ignore_edit("{ nope", "X", 0) is None
