"""The VS Code extension's JSON Schema association reaches exactly the files the server checks: every JSON file, with
the workflow schema applied when the top level has `nodes` or `connections`, the well-known non-workflows left out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.helpers import CORPUS, ROOT, corpus_files
from wf_lsp.core.engine import looks_like_workflow
from wf_lsp.core.rules.models import schema_text
from wf_lsp.lsp.documents import NEVER

EXTENSION = ROOT / "vscode-extension"


def _association() -> tuple[list[str], dict[str, Any]]:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    [association] = manifest["contributes"]["jsonValidation"]
    schema = json.loads((EXTENSION / association["url"]).read_text(encoding="utf-8"))
    return association["fileMatch"], schema


def test_the_association_covers_every_json_file_but_the_known_non_workflows() -> None:
    patterns, _ = _association()
    assert patterns[:2] == ["**/*.json", "**/*.jsonc"]
    assert sorted(p.removeprefix("!**/") for p in patterns[2:]) == sorted(NEVER)


def test_the_packaged_schema_is_the_workflow_schema_behind_the_same_test_as_the_server() -> None:
    _, schema = _association()
    workflow = json.loads(schema_text())
    defs = workflow.pop("$defs", {})
    assert (schema["$schema"], schema["$id"]) == (
        workflow.pop("$schema"),
        workflow.pop("$id").replace("workflow-", "workflow-files-"),
    )
    assert schema["$defs"] == {**defs, "Workflow": workflow}, "stale: run `npm run schema` in vscode-extension"
    assert schema["then"] == {"$ref": "#/$defs/Workflow"}


def _applies(schema: dict[str, Any], value: Any) -> bool:
    return jsonschema.Draft202012Validator(schema["if"]).is_valid(value)


def test_the_schema_applies_to_all_91_corpus_workflows() -> None:
    _, schema = _association()
    files = corpus_files()
    applied = [f.name for f in files if _applies(schema, json.loads(f.read_text(encoding="utf-8")))]
    assert len(applied) == len(files) == 91
    # the old association (`**/workflows/**`, `*.workflow.json`) reached 17 of them, by their original paths
    old = [f for f in files if "__workflows__" in f.name or f.name.endswith(".workflow.json")]
    assert len(old) < 91


@pytest.mark.parametrize(
    "value",
    [
        {"nodes": []},
        {"connections": {}},
        {"name": "x", "nodes": [{"id": 1}], "connections": []},
        {"name": "x"},
        [{"nodes": []}],
        {"editor": {"nodes": [], "connections": {}}},
        "nodes",
        None,
        {},
    ],
)
def test_the_schema_applies_exactly_where_the_server_sees_a_workflow(value: Any) -> None:
    _, schema = _association()
    assert _applies(schema, value) == looks_like_workflow(value)


def test_a_corpus_workflow_gets_the_same_schema_errors_through_the_association() -> None:
    _, schema = _association()
    workflow = json.loads(schema_text())
    for f in corpus_files()[:20]:
        value = json.loads(f.read_text(encoding="utf-8"))
        direct = sorted(e.message for e in jsonschema.Draft202012Validator(workflow).iter_errors(value))
        through = sorted(e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(value))
        assert direct == through, f.name
    assert CORPUS.is_dir()


def test_the_schema_file_is_packaged() -> None:
    assert "schemas/workflow-files.schema.json" in (EXTENSION / "ci.sh").read_text(encoding="utf-8")
    assert Path(EXTENSION / "schemas" / "workflow-files.schema.json").is_file()


def test_every_server_setting_is_a_vscode_setting_with_the_servers_default() -> None:
    """Before: maxFileBytes, maxMessageBytes, maxWorkspaceFiles, maxDiagnostics, respectGitignore and
    cache.redisTimeoutMs were read by the server but VS Code did not know them (no completion, no description, and
    a warning in settings.json). Every camelCase key the server reads is contributed, with the server's default."""
    from dataclasses import fields

    from wf_lsp.core.settings import CacheSettings, Settings

    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    contributed = manifest["contributes"]["configuration"]["properties"]
    # The server's own names: camelCase of each field (the editor spells `include` as `files`/`include`).
    defaults = Settings()
    camel = {
        f.name: "".join(w.capitalize() if i else w for i, w in enumerate(f.name.split("_"))) for f in fields(Settings)
    }
    for name, key in camel.items():
        if name in ("root", "cache", "select"):  # root: where a config file sits; select: a config-file-only key
            continue
        assert f"wfLsp.{key}" in contributed, f"wfLsp.{key} is not contributed"
        value = getattr(defaults, name)
        if isinstance(value, (bool, int)):
            assert contributed[f"wfLsp.{key}"]["default"] == value, key
    for f in fields(CacheSettings):
        key = "".join(w.capitalize() if i else w for i, w in enumerate(f.name.split("_")))
        if key == "secret":  # a secret belongs in the environment (WF_LSP_CACHE_SECRET), not in settings.json
            assert "wfLsp.cache.secret" not in contributed
            assert "WF_LSP_CACHE_SECRET" in contributed["wfLsp.cache.redisUrl"]["markdownDescription"]
            continue
        assert f"wfLsp.cache.{key}" in contributed, f"wfLsp.cache.{key} is not contributed"
