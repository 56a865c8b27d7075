"""The n8n dialect without a catalogue: detection per file, MetaBuilder-only rules off, structure and connections on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_cli
from wf_lsp.core.n8n.dialect import detect

CORPUS = Path(__file__).resolve().parents[1].parent.parent / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")


@pytest.fixture(autouse=True)
def _no_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WF_LSP_CACHE_DIR", str(tmp_path / "empty-cache"))


N8N_EXPORT = {
    "name": "Demo",
    "nodes": [
        {
            "id": "a",
            "name": "Start",
            "type": "n8n-nodes-base.manualTrigger",
            "typeVersion": 1,
            "position": [0, 0],
            "parameters": {},
        },
        {
            "id": "b",
            "name": "Set",
            "type": "n8n-nodes-base.set",
            "typeVersion": 3.4,
            "position": [200, 0],
            "parameters": {"name": "x"},
        },
    ],
    "connections": {"Start": {"main": [[{"node": "Set", "type": "main", "index": 0}], None]}},
    "pinData": {},
    "meta": {"instanceId": "abc"},
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, "n8n"),
        ({"tenantId": "acme"}, "metabuilder"),
        ({"triggers": []}, "metabuilder"),
        ({"variables": {"x": {"type": "string"}}}, "metabuilder"),
        ({"connections": {"a": {"main": [[{"node": "b", "type": "main", "index": 0}]]}}}, "metabuilder"),
    ],
)
def test_markers_decide_the_dialect(change: dict[str, object], expected: str) -> None:
    assert detect({**N8N_EXPORT, **change}) == expected


def test_metabuilder_type_or_no_marker_is_metabuilder() -> None:
    wf = {"nodes": [{"id": "a", "name": "A", "type": "metabuilder.http", "parameters": {}}], "connections": {}}
    assert detect(wf) == "metabuilder"
    assert detect({"nodes": [{"name": "A", "type": "custom.thing"}], "connections": {}}) == "metabuilder"
    only_types = {"nodes": [{"name": "A", "type": "n8n-nodes-base.set"}], "connections": {}}
    assert detect(only_types) == "n8n"


def _json(tmp_path: Path, wf: object, *extra: str) -> dict[str, object]:
    f = tmp_path / "wf.json"
    f.write_text(json.dumps(wf, indent=2))
    code, out, err = run_cli(["check", str(f), "--format", "json", "--no-config", "--jobs", "1", *extra])
    assert code in (0, 1), err
    rows = json.loads(out)
    assert isinstance(rows, list) and len(rows) == 1
    return rows[0]  # type: ignore[no-any-return]


def _codes(row: dict[str, object]) -> set[str]:
    return {f["code"] for k in ("errors", "warnings", "infos") for f in row[k]}  # type: ignore[index, attr-defined]


def test_n8n_export_skips_metabuilder_rules_and_shows_dialect(tmp_path: Path) -> None:
    row = _json(tmp_path, N8N_EXPORT)
    assert row["dialect"] == "n8n" and row["valid"] is True
    assert _codes(row) == {"N8N_CATALOG_MISSING"}
    forced = _json(tmp_path, N8N_EXPORT, "--dialect", "metabuilder")
    assert forced["dialect"] == "metabuilder" and forced["valid"] is False
    assert {
        "MISSING_TENANT_ID",
        "UNIMPLEMENTED_NODE_TYPE",
        "NESTED_NODE_ATTRIBUTES",
        "INVALID_CONNECTION_FORMAT",
    } <= _codes(forced)


def test_dangling_connection_and_duplicate_name_stay_errors(tmp_path: Path) -> None:
    wf = json.loads(json.dumps(N8N_EXPORT))
    wf["nodes"][1]["name"] = "Start"
    wf["connections"]["Start"]["main"][0].append({"node": "Nowhere", "type": "main", "index": 0})
    row = _json(tmp_path, wf)
    errors = {f["code"]: f for f in row["errors"]}  # type: ignore[attr-defined]
    assert {"DUPLICATE_NODE_NAME", "INVALID_CONNECTION_TARGET_NODE"} <= set(errors)


def test_ai_connection_kinds_and_sticky_notes(tmp_path: Path) -> None:
    wf = json.loads(json.dumps(N8N_EXPORT))
    wf["nodes"].append(
        {
            "id": "c",
            "name": "Note",
            "type": "n8n-nodes-base.stickyNote",
            "typeVersion": 1,
            "position": [0, 0],
            "parameters": {},
        }
    )
    wf["connections"]["Set"] = {
        "ai_tool": [[{"node": "Start", "type": "ai_tool", "index": 0}]],
        "bogus": [[{"node": "Start", "type": "main", "index": 0}]],
    }
    row = _json(tmp_path, wf)
    bad = [f for f in row["errors"] if f["code"] == "N8N_INVALID_CONNECTION_TYPE"]  # type: ignore[attr-defined]
    assert len(bad) == 1 and '"bogus"' in bad[0]["message"]
    assert not any(f["code"] == "UNREACHABLE_NODE" for f in row["warnings"])  # type: ignore[attr-defined]


def test_corpus_dialects_without_catalogue() -> None:
    n8n, mb = CORPUS / "n8n", CORPUS / "metabuilder"
    assert n8n.is_dir() and mb.is_dir(), f"corpus missing under {CORPUS}"
    code, out, err = run_cli(["check", str(n8n), str(mb), "--format", "json", "--no-config", "--jobs", "1"])
    rows = json.loads(out)
    by_dialect: dict[str, set[str]] = {"n8n": set(), "metabuilder": set()}
    codes: set[str] = set()
    for row in rows:
        by_dialect[row["dialect"]].add(Path(row["file"]).parent.name)
        if row["dialect"] == "n8n":
            codes |= _codes(row)
    assert by_dialect == {"n8n": {"n8n"}, "metabuilder": {"metabuilder"}}
    assert not codes & {
        "INVALID_NODE_TYPE",
        "MISSING_TENANT_ID",
        "INVALID_OUTPUT_TYPE",
        "MISSING_NODE_ID",
        "UNIMPLEMENTED_NODE_TYPE",
    }
    n8n_rows = [r for r in rows if r["dialect"] == "n8n"]
    assert len(n8n_rows) == 174
    # without a catalogue: every file parses to a result, the two published-broken ones have syntax errors
    invalid = sorted(Path(r["file"]).name for r in n8n_rows if not r["valid"])
    assert len(invalid) <= 3, invalid


MINI = Path(__file__).resolve().parent / "data" / "n8n" / "mini-catalog.json"


def test_hover_text_of_an_n8n_type_from_the_catalogue() -> None:
    from wf_lsp.core.n8n import catalogue, describe

    cat = catalogue.load(str(MINI))
    text = describe.type_markdown(cat, "n8n-nodes-base.demoAction", 2)
    assert text.startswith("**Demo Action** (`n8n-nodes-base.demoAction` v2)")
    assert "| `title` | string | yes |  |" in text and "| `resource` | options |  | `item` |" in text
    assert "Inputs: `main` · Outputs: `main`" in text and "Credentials: `demoApi`" in text
    tool = describe.type_markdown(cat, "n8n-nodes-base.demoActionTool", 1)
    assert "Inputs: none · Outputs: `ai_tool`" in tool
    assert "versions: 1, 2, 2.1" in describe.type_markdown(cat, "n8n-nodes-base.demoAction", 7)
    assert "no n8n catalogue" in describe.type_markdown(None, "n8n-nodes-base.demoAction", 1)


def test_catalog_info_without_a_catalogue_says_how_to_build_one() -> None:
    code, out, _ = run_cli(["catalog", "info"])
    assert code == 1 and "wf-lsp catalog build --n8n" in out
    code, out, _ = run_cli(["catalog", "info", "--n8n-catalog", str(MINI)])
    assert code == 0 and "n8n-nodes-base 0.0.0-test" in out and "node types: 6" in out


def test_a_cycle_through_a_node_whose_type_is_an_object_does_not_crash(tmp_path: Path) -> None:
    wf = json.loads(json.dumps(N8N_EXPORT))
    wf["nodes"][1]["type"] = {"not": "a string"}
    wf["connections"]["Set"] = {"main": [[{"node": "Start", "type": "main", "index": 0}]]}
    row = _json(tmp_path, wf)
    assert row["dialect"] == "n8n" and "CIRCULAR_DEPENDENCY" in _codes(row)


def test_a_malformed_catalogue_never_crashes_a_check(tmp_path: Path) -> None:
    """A catalogue is a file on disk: junk where objects belong is coerced at load (a list description once crashed)."""
    cat = json.loads(MINI.read_text())
    cat["descriptions"][0] = [{"name": None}]  # demoTrigger's description is a list
    action = cat["descriptions"][1]
    action["properties"][0]["options"] = ["item", 3, None]  # options that are not objects
    action["properties"][1]["displayOptions"] = {"show": ["resource"]}  # a show rule that is not an object
    action["credentials"] = "demoApi"
    cat["descriptions"][2]["inputs"] = [["main"], 7]
    cat["types"]["n8n-nodes-base.demoAction"]["versions"]["3"] = 99  # points at no description
    path = tmp_path / "junk.json"
    path.write_text(json.dumps(cat))
    wf = json.loads(json.dumps(N8N_EXPORT))
    wf["nodes"][0]["type"] = "n8n-nodes-base.demoTrigger"
    wf["nodes"][1].update(type="n8n-nodes-base.demoAction", typeVersion=3, credentials={"demoApi": {}})
    wf["nodes"].append(
        {
            "name": "Two",
            "type": "n8n-nodes-base.demoAction",
            "typeVersion": 2,
            "parameters": {"resource": "x"},
            "credentials": {"a": {}},
        }
    )
    row = _json(tmp_path, wf, "--n8n-catalog", str(path), "--profile", "strict")
    assert "N8N_UNKNOWN_TYPE_VERSION" in _codes(row) and "N8N_INVALID_CREDENTIAL_TYPE" in _codes(row)


def test_check_says_once_how_to_build_a_catalogue(tmp_path: Path) -> None:
    for k in range(3):
        (tmp_path / f"wf{k}.json").write_text(json.dumps(N8N_EXPORT))
    code, out, err = run_cli(["check", str(tmp_path), "--no-config", "--jobs", "1"])
    assert code == 0 and out == ""
    assert err.count("wf-lsp catalog build --n8n") == 1 and "3 n8n file(s) checked without a node catalogue" in err


def test_expressions_pass_except_where_n8n_takes_none(tmp_path: Path) -> None:
    wf = json.loads((Path(__file__).parent / "data" / "ok" / "n8n_export_clean.json").read_text())
    action = wf["nodes"][1]
    action["parameters"]["title"] = "={{ $json.anything }}"  # an expression where n8n takes one: fine
    assert _codes(_json(tmp_path, wf, "--n8n-catalog", str(MINI))) == set()
    action["parameters"]["resource"] = "={{ 'item' }}"  # Resource takes no expression (noDataExpression)
    row = _json(tmp_path, wf, "--n8n-catalog", str(MINI))
    found = [f for f in row["warnings"] if f["code"] == "N8N_INVALID_PARAMETER_VALUE"]  # type: ignore[attr-defined]
    assert (
        len(found) == 1
        and "does not accept an expression" in found[0]["message"]
        and found[0]["path"] == "nodes[1].parameters.resource"
    )


def test_a_parameter_that_takes_no_expression_reads_it_as_text() -> None:
    """As n8n's getNodeParameters: Resource "={{ 'item' }}" is the text "{{ 'item' }}", so List stays hidden."""
    from wf_lsp.core.n8n import catalogue, params

    cat = catalogue.load(str(MINI))
    assert cat is not None
    desc = cat.description("n8n-nodes-base.demoAction", 2)
    assert desc is not None
    node = {
        "type": "n8n-nodes-base.demoAction",
        "typeVersion": 2,
        "parameters": {"resource": "={{ 'item' }}", "title": "x"},
    }
    assert params.node_issues(node, desc) == {}
    node["parameters"] = {"resource": "={{ 'list' }}"}
    assert params.resolve(desc["properties"], node["parameters"], node, desc)["resource"] == "{{ 'list' }}"


def test_catalog_build_without_n8n_packages_says_what_is_missing(tmp_path: Path) -> None:
    empty = tmp_path / "node_modules"
    empty.mkdir()
    code, out, err = run_cli(["catalog", "build", "--n8n", str(empty), "--out-dir", str(tmp_path / "out")])
    assert code == 1 and "no n8n node descriptions found" in err and not (tmp_path / "out").exists()
    code, _, err = run_cli(["catalog", "build", "--n8n", str(tmp_path / "nope")])
    assert code == 2 and "is not a folder" in err
    code, _, err = run_cli(["catalog", "build", "--n8n", str(empty), "--node", str(tmp_path / "no-node")])
    assert code == 1 and "Node" in err
