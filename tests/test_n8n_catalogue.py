"""The n8n dialect against n8n itself: a catalogue built from the real npm packages, compared with n8n's own checker.

Needs the n8n packages installed with npm (`.ci/run` does it, cached) in $WF_LSP_N8N_NODE_MODULES or
~/.cache/wf-lsp-ci/n8n/node_modules. Without them these tests fail with the command that installs them.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli
from wf_lsp.core.findings import Severity
from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.n8n.rules import LOOP_TYPES
from wf_lsp.core.settings import Settings

HERE = Path(__file__).resolve().parent
CORPUS = (
    Path("/work/shared/corpus/n8n")
    if not (HERE.parents[2] / "shared" / "corpus" / "n8n").is_dir()
    else HERE.parents[2] / "shared" / "corpus" / "n8n"
)
INSTALL = (
    "npm install --omit=peer --ignore-scripts n8n-workflow@2.40 n8n-nodes-base@2.40 n8n-core@2.40 date-fns@2 && "
    "npm install --omit=peer --ignore-scripts @n8n/n8n-nodes-langchain@2.40"
)


def _modules() -> Path:
    path = Path(
        os.environ.get("WF_LSP_N8N_NODE_MODULES") or Path.home() / ".cache" / "wf-lsp-ci" / "n8n" / "node_modules"
    )
    missing = [
        p
        for p in ("n8n-workflow", "n8n-nodes-base", "@n8n/n8n-nodes-langchain")
        if not (path / p / "package.json").is_file()
    ]
    assert not missing, f"n8n packages {missing} not installed in {path}: run .ci/run, or in {path.parent}: {INSTALL}"
    assert shutil.which("node"), "Node is needed to build the n8n catalogue"
    return path


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("n8n-catalogue")
    code, stdout, err = run_cli(["catalog", "build", "--n8n", str(_modules()), "--out-dir", str(out)])
    assert code == 0, err
    files = list(out.glob("n8n-catalog-*.json"))
    assert len(files) == 1 and "n8n-nodes-base" in stdout
    return files[0]


def _run_oracle(files: list[str]) -> dict[str, Any]:
    command = ["node", str(HERE / "n8n" / "oracle.js"), str(_modules())]
    proc = subprocess.run(command, input="\n".join(files).encode(), capture_output=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@pytest.fixture(scope="module")
def oracle() -> dict[str, Any]:
    files = sorted(str(p) for p in CORPUS.glob("*.json"))
    assert len(files) == 174, f"corpus missing at {CORPUS}"
    return _run_oracle(files)


def _ours(loader: WorkflowLoader, path: str) -> tuple[Any, dict[str, set[tuple[str, str]]]]:
    result = loader.validate_text(Path(path).read_text(encoding="utf-8"), path)
    per_node: dict[str, set[tuple[str, str]]] = {}
    for f in result.findings:
        if f.code == "N8N_PARAMETER_ISSUE":
            m = re.match(r"nodes\[(\d+)\]\.parameters\.(.+)$", f.path)
            assert m, f.path
            per_node.setdefault(m.group(1), set()).add((m.group(2), re.sub(r' \(node ".*"\)$', "", f.message)))
    return result, per_node


def test_catalogue_info_and_structure(catalogue: Path) -> None:
    code, out, _ = run_cli(["catalog", "info", "--n8n-catalog", str(catalogue)])
    assert code == 0 and str(catalogue) in out and "n8n-nodes-base 2.40" in out
    data = json.loads(catalogue.read_text())
    types = data["types"]
    assert len(types) > 800 and "@n8n/n8n-nodes-langchain.agent" in types
    assert types["n8n-nodes-base.gmailTool"]["toolOf"] == "n8n-nodes-base.gmail"  # derived usableAsTool variant
    http = data["descriptions"][types["n8n-nodes-base.httpRequest"]["versions"]["4.2"]]
    assert any(p["name"] == "url" and p["required"] for p in http["properties"])


def test_parameter_issues_agree_with_n8n_node_for_node(catalogue: Path, oracle: dict[str, Any]) -> None:
    loader = WorkflowLoader(Settings(n8n_catalog=str(catalogue)))
    agree, differ, resolved, with_issues = 0, [], 0, 0
    for path, nodes in oracle.items():
        if nodes is None:
            continue  # not valid JSON as published
        _, ours = _ours(loader, path)
        for index, entry in nodes.items():
            theirs = {(name, msg) for name, msgs in entry["issues"].items() for msg in msgs}
            resolved += entry["resolved"]
            with_issues += bool(theirs)
            if theirs == ours.get(index, set()):
                agree += 1
            else:
                differ.append((Path(path).name, index, theirs, ours.get(index)))
    # n8n 2.40: 2936 of 2949 nodes resolve, 16 have issues (a later 2.40.x may shift these a little; agreement may not)
    assert resolved > 2900 and with_issues >= 10, (resolved, with_issues)
    assert not differ, differ[:10]
    assert agree == 2949


def test_parameter_issues_agree_with_n8n_on_damaged_exports(catalogue: Path, tmp_path: Path) -> None:
    """Every node of every export loses, empties, nulls or turns into an expression one parameter (seeded); n8n and
    wf-lsp must still agree node for node (nodes on which n8n's own code throws are counted, not compared)."""
    rng = random.Random(5)
    files = []
    for path in sorted(CORPUS.glob("*.json")):
        try:
            wf = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        for node in wf.get("nodes", []):
            params = node.get("parameters")
            for mapper in (
                v
                for v in (params or {}).values()
                if isinstance(v, dict) and "schema" in v and isinstance(v.get("value"), dict)
            ):
                for field in mapper["schema"] or []:  # resource mapper fields: values of the wrong type
                    if field.get("type") in ("number", "options", "array", "boolean"):
                        mapper["value"][field["id"]] = "not-valid"
            if isinstance(params, dict) and params:
                key, roll = rng.choice(sorted(params)), rng.random()
                if roll < 0.4:
                    del params[key]
                else:
                    params[key] = "" if roll < 0.7 else "={{ 1 }}" if roll < 0.85 else None
        damaged = tmp_path / path.name
        damaged.write_text(json.dumps(wf, indent=2), encoding="utf-8")
        files.append(str(damaged))
    theirs_all = _run_oracle(files)
    loader = WorkflowLoader(Settings(n8n_catalog=str(catalogue)))
    compared, with_issues, crashed, differ = 0, 0, 0, []
    for path, nodes in theirs_all.items():
        _, ours = _ours(loader, path)
        for index, entry in nodes.items():
            if entry.get("crashed"):
                crashed += 1
                continue
            theirs = {(name, msg) for name, msgs in entry["issues"].items() for msg in msgs}
            compared += 1
            with_issues += bool(theirs)
            if theirs != ours.get(index, set()):
                differ.append((Path(path).name, index, theirs, ours.get(index)))
    assert not differ, differ[:10]
    assert compared > 2900 and with_issues > 200 and crashed < 50, (compared, with_issues, crashed)


def test_files_n8n_finds_clean_get_no_error(catalogue: Path, oracle: dict[str, Any]) -> None:
    loader = WorkflowLoader(Settings(n8n_catalog=str(catalogue)))
    clean = 0
    for path, nodes in oracle.items():
        if nodes is None or not all(e["resolved"] for e in nodes.values()) or any(e["issues"] for e in nodes.values()):
            continue
        clean += 1
        result, _ = _ours(loader, path)
        for f in result.errors:
            # The one exception: a loop with no node that can leave it (a No-Op wired to itself), which n8n accepts.
            assert f.code == "CIRCULAR_DEPENDENCY", (Path(path).name, f.code, f.message)
            wf = json.loads(Path(path).read_text())
            assert not any(wf["nodes"][r.pointer[1]]["type"] in LOOP_TYPES for r in f.related)
    assert clean > 140


def _planted(tmp_path: Path, catalogue: Path, edit: Any, name: str) -> list[Any]:
    wf = json.loads((CORPUS / "devops_disk-space-watchdog.json").read_text())
    edit(wf)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(wf, indent=2))
    result = WorkflowLoader(Settings(n8n_catalog=str(catalogue))).validate_text(path.read_text(), str(path))
    assert result.summary["dialect"] == "n8n"
    return result.errors


def _node(wf: dict[str, Any], type_suffix: str) -> tuple[int, dict[str, Any]]:
    return next((i, n) for i, n in enumerate(wf["nodes"]) if n["type"].endswith(type_suffix))


@pytest.mark.parametrize(
    ("name", "code", "edit", "where"),
    [
        (
            "misspelt_type",
            "N8N_UNKNOWN_NODE_TYPE",
            lambda wf: _node(wf, ".ssh")[1].update(type="n8n-nodes-base.shh"),
            ("type",),
        ),
        (
            "bad_version",
            "N8N_UNKNOWN_TYPE_VERSION",
            lambda wf: _node(wf, ".telegram")[1].update(typeVersion=9.7),
            ("typeVersion",),
        ),
        (
            "missing_required",
            "N8N_PARAMETER_ISSUE",
            lambda wf: _node(wf, ".telegram")[1]["parameters"].update(chatId=""),
            ("parameters", "chatId"),
        ),
    ],
)
def test_planted_defects_are_errors_on_the_right_node(
    tmp_path: Path, catalogue: Path, name: str, code: str, edit: Any, where: tuple[str, ...]
) -> None:
    wf = json.loads((CORPUS / "devops_disk-space-watchdog.json").read_text())
    errors = _planted(tmp_path, catalogue, edit, name)
    assert [e.code for e in errors] == [code], [(e.code, e.message) for e in errors]
    edit(wf)
    suffix = {"misspelt_type": ".shh", "bad_version": ".telegram", "missing_required": ".telegram"}[name]
    index, _ = _node(wf, suffix)
    assert errors[0].pointer == ("nodes", index, *where)
    assert errors[0].severity == Severity.ERROR


def test_planted_misspelt_type_suggests_the_real_one(tmp_path: Path, catalogue: Path) -> None:
    errors = _planted(tmp_path, catalogue, lambda wf: _node(wf, ".ssh")[1].update(type="n8n-nodes-base.shh"), "typo")
    assert 'did you mean "n8n-nodes-base.ssh"?' in errors[0].message and errors[0].fixes


def test_planted_dangling_connection(tmp_path: Path, catalogue: Path) -> None:
    def edit(wf: dict[str, Any]) -> None:
        wf["connections"]["Check Disk Usage (SSH)"]["main"][0][0]["node"] = "Nowhere"

    wf = json.loads((CORPUS / "devops_disk-space-watchdog.json").read_text())
    assert "Check Disk Usage (SSH)" in wf["connections"], list(wf["connections"])
    errors = _planted(tmp_path, catalogue, edit, "dangling")
    assert [e.code for e in errors] == ["INVALID_CONNECTION_TARGET_NODE"]
    assert errors[0].pointer == ("connections", "Check Disk Usage (SSH)", "main", 0, 0, "node")
    assert "Remove connection target" in [f.title for f in errors[0].fixes]


def test_planted_wrong_ai_connection_type(tmp_path: Path, catalogue: Path) -> None:
    path = CORPUS / "WordPress_Write_a_WordPress_post_with_AI_starting_from_a_few_keywords_.json"
    wf = json.loads(path.read_text())
    src, outs = next((s, o) for s, o in wf["connections"].items() if "ai_tool" in o)
    outs["ai_languageModel"] = outs.pop("ai_tool")
    for targets in outs["ai_languageModel"]:
        for t in targets:
            t["type"] = "ai_languageModel"
    planted = tmp_path / "wrong_ai.json"
    planted.write_text(json.dumps(wf, indent=2))
    result = WorkflowLoader(Settings(n8n_catalog=str(catalogue))).validate_text(planted.read_text(), str(planted))
    assert [e.code for e in result.errors] == ["N8N_INVALID_CONNECTION_TYPE"], [
        (e.code, e.message) for e in result.errors
    ]
    assert result.errors[0].pointer == ("connections", src, "ai_languageModel")


def test_corpus_is_valid_with_the_catalogue(catalogue: Path) -> None:
    code, out, err = run_cli(
        ["check", str(CORPUS), "--format", "json", "--no-config", "--jobs", "1", "--n8n-catalog", str(catalogue)]
    )
    rows = json.loads(out)
    valid = [r for r in rows if r["valid"]]
    assert all(r["dialect"] == "n8n" for r in rows)
    # invalid: 16 files where n8n itself shows parameter issues (13 files), 2 not valid JSON, node versions the
    # catalogue lacks, and one self-loop; everything else is valid
    assert len(valid) >= 150, [(Path(r["file"]).name, [e["code"] for e in r["errors"]]) for r in rows if not r["valid"]]


def test_wrong_ai_input_on_a_node_whose_inputs_are_computed(tmp_path: Path, catalogue: Path) -> None:
    """The Agent computes its inputs with an expression; a type it never returns (ai_embedding) is still an error."""
    versions = json.loads(catalogue.read_text())["types"]["@n8n/n8n-nodes-langchain.agent"]["versions"]
    agent_version = max(versions, key=float)
    wf = {
        "meta": {"instanceId": "x"},
        "nodes": [
            {
                "id": "1",
                "name": "Chat",
                "type": "@n8n/n8n-nodes-langchain.chatTrigger",
                "typeVersion": 1.1,
                "position": [0, 0],
                "parameters": {},
            },
            {
                "id": "2",
                "name": "Agent",
                "type": "@n8n/n8n-nodes-langchain.agent",
                "typeVersion": float(agent_version),
                "position": [200, 0],
                "parameters": {},
            },
            {
                "id": "3",
                "name": "Embed",
                "type": "@n8n/n8n-nodes-langchain.embeddingsOpenAi",
                "typeVersion": 1,
                "position": [200, 200],
                "parameters": {},
            },
        ],
        "connections": {
            "Chat": {"main": [[{"node": "Agent", "type": "main", "index": 0}]]},
            "Embed": {"ai_embedding": [[{"node": "Agent", "type": "ai_embedding", "index": 0}]]},
        },
    }
    path = tmp_path / "agent.json"
    path.write_text(json.dumps(wf, indent=2))
    result = WorkflowLoader(Settings(n8n_catalog=str(catalogue))).validate_text(path.read_text(), str(path))
    bad = [e for e in result.errors if e.code == "N8N_INVALID_CONNECTION_TYPE"]
    assert len(bad) == 1 and bad[0].pointer == ("connections", "Embed", "ai_embedding", 0, 0, "type"), [
        (e.code, e.message) for e in result.errors
    ]
    assert '"Agent" has no "ai_embedding" input' in bad[0].message


def test_n8n_trigger_types_are_the_catalogues_trigger_group(catalogue: Path) -> None:
    """Which n8n nodes start a workflow (drawn as triggers in graphs) is n8n's own answer: the node description's
    `group` holds "trigger" (n8n's NodeHelpers.isTriggerNode). Checked against every type of the installed packages."""
    from wf_lsp.core.n8n.dialect import is_trigger_type

    data = json.loads(catalogue.read_text(encoding="utf-8"))
    descriptions, types = data["descriptions"], data["types"]
    theirs = {
        name
        for name, t in types.items()
        if any("trigger" in (descriptions[i].get("group") or []) for i in t["versions"].values())
    }
    assert len(theirs) > 100
    assert {name for name in types if is_trigger_type(name)} == theirs


def test_an_n8n_graph_draws_its_trigger_nodes_as_triggers() -> None:
    """Before: an n8n export's schedule trigger was drawn as an ordinary node (only MetaBuilder `triggers` counted)."""
    path = CORPUS / "Telegram_RSS_Keyword_Alert_to_Telegram.json"
    code, stdout, err = run_cli(["graph", "--format", "json", str(path)])
    assert code == 0, err
    graph = json.loads(stdout)
    marked = [n["name"] for n in graph["nodes"] if n["trigger"]]
    assert marked == ["Ogni 5 minuti"] and graph["triggers"], graph["nodes"]
    code, stdout, err = run_cli(["graph", "--format", "mermaid", str(path)])
    assert '(["Ogni 5 minuti' in stdout, stdout


def _exports() -> list[dict[str, Any]]:
    out = []
    for path in sorted(CORPUS.glob("*.json")):
        try:
            out.append(json.loads(path.read_text(encoding="utf-8")))
        except ValueError:
            continue  # (a few are not valid JSON as published)
    return out


class _Editor:
    """An editor's versions of one document: each validated as the next version (spliced when the parser can) and in
    full, with what the n8n walk checked in the first."""

    def __init__(self, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
        from wf_lsp.core.n8n import rules as n8n_rules
        from wf_lsp.core.parse.incremental import Reparser
        from wf_lsp.core.rules.registry import load_registry

        self.settings, self.registry, self.parser = settings, load_registry(settings.registry), Reparser()
        self.checked: list[int] = []
        self.links: list[str] = []
        node, links = n8n_rules._node, n8n_rules._links

        def check(ctx: Any, cat: Any, i: int, n: Any) -> Any:
            self.checked.append(i)
            return node(ctx, cat, i, n)

        def connect(ctx: Any, cat: Any, descs: Any, src: str, outputs: Any) -> Any:
            self.links.append(src)
            return links(ctx, cat, descs, src, outputs)

        monkeypatch.setattr(n8n_rules, "_node", check)
        monkeypatch.setattr(n8n_rules, "_links", connect)

    def _seen(self, text: str, doc: Any) -> str:
        from wf_lsp.core.engine import analyze

        a = analyze(text, self.settings, self.registry, "/tmp/x.json", None, doc)
        found = [(f.code, f.message, f.severity, f.span, f.related, f.fixes, f.suggestion) for f in a.findings]
        return repr((a.dialect, found, [f.pointer for f in a.findings]))

    def open(self, text: str) -> tuple[list[int], list[str]]:
        """A new document: validate its first version (see next)."""
        from wf_lsp.core.parse.incremental import Reparser

        self.parser = Reparser()
        return self.next(text)

    def next(self, text: str) -> tuple[list[int], list[str]]:
        """Validate the next version, assert it equals a full validation; (nodes checked, connection entries checked
        by source key)."""
        self.checked.clear()
        self.links.clear()
        got = self._seen(text, self.parser.parse(text, self.settings.max_file_bytes))
        checked, links = list(self.checked), list(self.links)
        assert got == self._seen(text, None)
        return checked, links


def test_an_edit_inside_one_n8n_node_checks_that_node_again_and_keeps_the_others(
    catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the catalogue: typing in one node checks that node only (and no connection); renaming a node checks it
    and the connection entries that name it, as source or target. Every version equals a full validation."""
    wf = max(_exports(), key=lambda w: (len(w["nodes"]), w.get("name", "")))
    text = json.dumps(wf, indent=2)
    nodes = wf["nodes"]
    k = next(i for i in range(len(nodes) // 2, len(nodes)) if nodes[i]["name"] in wf["connections"])
    assert len(nodes) >= 10
    editor = _Editor(Settings(n8n_catalog=str(catalogue)), monkeypatch)
    assert editor.open(text) == (list(range(len(nodes))), list(wf["connections"]))
    name = nodes[k]["name"]
    naming = [
        src
        for src, outputs in wf["connections"].items()
        if src == name
        or any(t.get("node") == name for lists in outputs.values() for targets in lists or () for t in targets or ())
    ]
    assert 1 < len(naming) < len(wf["connections"])
    named = text.index(f'"name": {json.dumps(name)}')
    at = named + len('"name": "')
    text = text[:at] + "x" + text[at:]  # renamed: its connections now name no node
    assert editor.next(text) == ([k], naming)
    text = text[:named] + '"notes": "n",\n      ' + text[named:]  # a field added to the node
    assert editor.next(text) == ([k], [])
    for typed in "abc":  # typing in the field, keystroke after keystroke
        text = text[: named + 10] + typed + text[named + 10 :]
        assert editor.next(text) == ([k], [])


def test_random_edits_of_n8n_exports_with_the_catalogue_match_full_validation(
    catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The equivalence property with the catalogue loaded (misspelt types ask did-you-mean, parameters are checked),
    and the nodes an edit did not touch are not checked again."""
    from tests.test_incremental import _corpus, _edit

    editor = _Editor(Settings(n8n_catalog=str(catalogue)), monkeypatch)
    rng = random.Random(5)
    spliced: list[int] = []
    for original in _corpus("n8n", 8):
        text = original
        history = [text]
        editor.open(text)
        for _ in range(30):
            text = _edit(text, rng, history)
            history.append(text)
            before = editor.parser.splices
            done, _ = editor.next(text)
            if editor.parser.splices > before:  # one node or one connection entry re-parsed
                spliced.append(len(done))
    # a spliced version checks its one node again (none for a connection entry), and nodes of unknown types
    assert len(spliced) >= 60 and sum(spliced) <= 2 * len(spliced), spliced
