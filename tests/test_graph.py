"""Graph pictures: the core graph model, and `wf-lsp graph` as Mermaid, DOT and JSON (goldens, Graphviz, mermaid)."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from html import unescape
from pathlib import Path

import pytest

from tests.helpers import CORPUS, DATA, corpus_files, run_cli
from tests.mermaidkit import mermaid_parse
from wf_lsp.core import graphmodel
from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.settings import Settings
from wf_lsp.report import dot, mermaid
from wf_lsp.report.graphlabels import clean

GRAPH = DATA / "graph"
HOSTILE = GRAPH / "hostile_names.json"
#: corpus files with goldens: a parallel flow with a warning and error outputs, dangling targets, many errors, id keys
CORPUS_CASES = [
    "packages__examples__workflows__complex_approval_flow.workflow.json",
    "workflow__examples__python__testing_triangle__workflow.json",
    "packages__email_client__workflow__fetch_inbox.json",
    "packagerepo__backend__workflows__publish_artifact.json",
]
CASES = [CORPUS / name for name in CORPUS_CASES] + [HOSTILE]
FORMATS = {"mermaid": ".mmd", "dot": ".dot", "json": ".graph.json"}


def _model(path: Path, **settings: str) -> graphmodel.WorkflowGraph:
    text = path.read_text(encoding="utf-8")
    s = Settings().with_(**settings) if settings else Settings()
    result = WorkflowLoader(s).validate_text(text, str(path))
    return graphmodel.of_text(text, result, graphmodel.key_mode_of(s.profile, s.connection_keys))


def _wf(nodes: list[dict], conns: dict, **extra: object) -> dict:  # type: ignore[type-arg]
    return {"id": "w", "name": "w", "tenantId": "t", "nodes": nodes, "connections": conns, **extra}


def _node(i: str, name: str, type_: str = "metabuilder.transform") -> dict:  # type: ignore[type-arg]
    return {"id": i, "name": name, "type": type_, "typeVersion": 1, "position": [0, 0], "parameters": {}}


# -- the model ---------------------------------------------------------------------------------


def test_model_orders_nodes_by_plan_and_marks_cycles_unreachable_and_findings() -> None:
    g = _model(HOSTILE)
    names = [n.name for n in g.nodes]
    assert names[0].startswith("Start") and [n.step for n in g.nodes[:10]] == list(range(1, 11))
    assert [n.name for n in g.nodes if n.cyclic] == ["Loop A", "Loop B"]
    assert [n.name for n in g.nodes if n.unreachable] == ["Orphan -->|x| y", "Chat Model"]
    assert [n.index for n in g.nodes if n.trigger] == [0] == g.triggers
    by_name = {n.name: n for n in g.nodes}
    assert by_name["Loop B"].codes == ["CIRCULAR_DEPENDENCY"] and by_name["Loop B"].step is None
    assert by_name["Chat Model"].codes == ["INVALID_OUTPUT_TYPE", "UNREACHABLE_NODE"]
    # a dangling target's finding sits on the connection's source node
    assert by_name["Back`tick` `code` and \\N \\G \\l backslashes"].codes == ["INVALID_CONNECTION_TARGET_NODE"]
    dangling = [link for link in g.links if link.target is None]
    assert [(link.source, link.target_ref) for link in dangling] == [(2, 'Nowhere "[x]"')]


def test_model_carries_connection_types_and_output_indices_through() -> None:
    wf = _wf(
        [_node("a", "Agent"), _node("m", "Chat Model"), _node("t", "Tool"), _node("b", "Branch")],
        {
            "Chat Model": {"ai_languageModel": [[{"node": "Agent", "type": "ai_languageModel", "index": 0}]]},
            "Tool": {"ai_tool": [[{"node": "Agent", "type": "ai_tool", "index": 0}]]},
            "Agent": {"main": [[], [{"node": "Branch", "type": "main", "index": 1}]]},
        },
    )
    g = graphmodel.build(wf)
    links = {(link.source_ref, link.type, link.output, link.input, link.target) for link in g.links}
    assert links == {
        ("Chat Model", "ai_languageModel", 0, 0, 0),
        ("Tool", "ai_tool", 0, 0, 0),
        ("Agent", "main", 1, 1, 3),
    }
    out = mermaid.render(g)
    assert '-->|"ai#58;languageModel"|' not in out and '-->|"ai_languageModel"| n0' in out and '-->|"main 1"| n3' in out


def test_model_follows_the_connection_key_mode() -> None:
    wf = _wf([_node("a", "A"), _node("b", "B")], {"a": {"main": {"0": [{"node": "b", "type": "main", "index": 0}]}}})
    assert [(link.source, link.target) for link in graphmodel.build(wf, key_mode="id").links] == [(0, 1)]
    assert [(link.source, link.target) for link in graphmodel.build(wf, key_mode="auto").links] == [(0, 1)]
    by_name = graphmodel.build(wf, key_mode="name")
    assert [(link.source, link.target) for link in by_name.links] == [(None, None)]
    assert "? a" in mermaid.render(by_name) and "? b" in mermaid.render(by_name)
    assert graphmodel.key_mode_of("oracle", "id") == "name" and graphmodel.key_mode_of("recommended", "id") == "id"


def test_model_of_an_id_keyed_corpus_file_resolves_every_edge() -> None:
    g = _model(CORPUS / "packagerepo__backend__workflows__publish_artifact.json")
    assert g.links and all(link.source is not None and link.target is not None for link in g.links)
    assert all(n.step is not None for n in g.nodes) and not g.unreachable and not g.cyclic


def test_model_of_garbage_never_crashes() -> None:
    for value in (
        None,
        [],
        "x",
        {"nodes": "x"},
        {"nodes": [1, None, {"name": 3}], "connections": {"a": 1, "b": {"main": {"x": [{"node": {}}]}}}},
    ):
        g = graphmodel.build(value)
        mermaid.render(g)
        dot.render(g)
        json.dumps(g.to_json())
    g = graphmodel.of_text('{"nodes": [{"name": "A"}, {"name": "B"', None)
    assert [n.name for n in g.nodes] == ["A", "B"]


def test_rendering_is_linear_in_the_graph_size() -> None:
    def ring(n: int) -> dict:  # type: ignore[type-arg]
        """A trigger into one big cycle: every node is on it (the worst case for cycle marking)."""
        nodes = [_node(f"n{i}", f"Node {i}") for i in range(n)]
        conns = {
            f"Node {i}": {"main": {"0": [{"node": f"Node {(i + 1) % n}", "type": "main", "index": 0}]}}
            for i in range(n)
        }
        return _wf(nodes, conns, triggers=[{"nodeId": "n0", "kind": "manual"}])

    def cost(n: int) -> float:
        wf = ring(n)
        start = time.perf_counter()
        g = graphmodel.build(wf)
        assert len(g.cyclic) == n
        mermaid.render(g)
        dot.render(g)
        json.dumps(g.to_json())
        return time.perf_counter() - start

    small, big = min(cost(1000) for _ in range(3)), min(cost(10000) for _ in range(2))
    assert big < small * 40, (small, big)  # 10x the nodes: linear is ~10x, quadratic ~100x


# -- goldens -----------------------------------------------------------------------------------


#: Mermaid and DOT goldens for every case; JSON goldens for the hostile names and a file with problems
GOLDENS = [(c, f) for c in CASES for f in ("mermaid", "dot")] + [(HOSTILE, "json"), (CASES[1], "json")]


@pytest.mark.parametrize(("case", "fmt"), GOLDENS, ids=lambda v: v if isinstance(v, str) else v.stem[:40])
def test_graph_output_matches_golden(case: Path, fmt: str) -> None:
    code, out, err = run_cli(["graph", str(case), "--format", fmt, "--no-config"])
    assert code == 0, err
    golden = GRAPH / (case.name.removesuffix(".json") + FORMATS[fmt])
    if os.environ.get("WF_LSP_UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")


def test_problem_nodes_are_marked_in_both_pictures() -> None:
    mmd = (GRAPH / "workflow__examples__python__testing_triangle__workflow.mmd").read_text()
    assert "class n0,n1,n3,n4 error" in mmd and "✖ INVALID_CONNECTION_TARGET_NODE" in mmd
    assert 'x0["? #91;object Object#93;"]' in mmd and "n0 -.-> x0" in mmd
    gv = (GRAPH / "workflow__examples__python__testing_triangle__workflow.dot").read_text()
    assert re.search(
        r'n0 \[label="Lint\\ntools.run_lint · step 1\\n✖ INVALID_CONNECTION_TARGET_NODE".*class="error"', gv
    )
    hostile = (GRAPH / "hostile_names.mmd").read_text()
    assert "class n10 cyclic" in hostile and "on a cycle" in hostile and "linkStyle 12,13 stroke:#e67700" in hostile
    assert "class n12 warning" in hostile and "unreachable<br/>⚠ UNREACHABLE_NODE" in hostile
    # the long name is shortened in the label and kept whole in a comment
    assert "A very long node name that goes on and…" in hostile
    assert (
        '%% n8 = "A very long node name that goes on and on well past any sensible label width for a picture' in hostile
    )


def test_hostile_names_cannot_break_out_of_labels() -> None:
    mmd = (GRAPH / "hostile_names.mmd").read_text()
    for line in mmd.splitlines():
        if not line.lstrip().startswith("%%"):
            assert "%%" not in line and "<script" not in line, line
            assert line.count('"') % 2 == 0, line
    assert "`" not in mmd  # not even in comments: a diagram sits in a Markdown code fence
    assert len(mmd.splitlines()) == len(mmd.split("\n")) - 1  # no stray line breaks from a name
    gv = (GRAPH / "hostile_names.dot").read_text()
    assert "\\\\N \\\\G \\\\l" in gv  # backslashes doubled: never Graphviz escapes


# -- the real renderers ------------------------------------------------------------------------


def _dot() -> str:
    found = shutil.which("dot")
    assert found, "Graphviz `dot` is not installed (apt-get install graphviz); these tests render with it"
    return found


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem[:40])
def test_dot_renders_with_graphviz_and_shows_every_node(case: Path) -> None:
    text = (GRAPH / (case.name.removesuffix(".json") + ".dot")).read_text(encoding="utf-8")
    proc = subprocess.run([_dot(), "-Tsvg"], input=text.encode(), capture_output=True, timeout=60, check=False)
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr.decode()
    svg = proc.stdout.decode()
    g = _model(case)
    titles = set(re.findall(r"<title>(n\d+)</title>", svg))
    assert titles == {f"n{n.index}" for n in g.nodes}
    shown = unescape(" ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg)))
    for n in g.nodes:
        assert clean(n.name)[:30].strip() in shown, n.name
    assert 'class="node error"' in svg or not any(n.severity == 1 for n in g.nodes)


def test_mermaid_parses_with_the_real_mermaid_parser(tmp_path: Path) -> None:
    files = sorted(GRAPH.glob("*.mmd"))
    for path in corpus_files():
        out = tmp_path / (path.stem + ".mmd")
        out.write_text(mermaid.render(_model(path), path.name), encoding="utf-8")
        files.append(out)
    # a negative control: the hostile names written raw into labels do not parse, so the parser really checks
    raw = tmp_path / "raw.mmd"
    names = [n.name for n in _model(HOSTILE).nodes]
    raw.write_text(
        "flowchart LR\n" + "".join(f'  n{i}["{clean(name)}"]\n' for i, name in enumerate(names)), encoding="utf-8"
    )
    results = mermaid_parse([*files, raw])
    assert len(results) == len(files) + 1
    bad = {f: r["error"] for f, r in results.items() if not r["ok"] and f != str(raw)}
    assert not bad, bad
    assert {r.get("type") for f, r in results.items() if f != str(raw)} == {"flowchart-v2"}
    assert not results[str(raw)]["ok"]


def _random_names(seed: int, count: int) -> list[str]:
    """Names from every character class that means something to Mermaid, DOT, Markdown or HTML, plus random Unicode."""
    rng = random.Random(seed)
    specials = list("\"'`#%{}[]()<>|;:&\\/*_~=-.,!?@$^+ \t\n\r\u2028\u0000\u007f\u200b\ufeff") + [
        "end",
        "%%",
        "-->",
        "```",
        "<br/>",
        "\\N",
        "&amp;",
    ]
    out = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 12)):
            kind = rng.random()
            if kind < 0.5:
                parts.append(rng.choice(specials))
            elif kind < 0.8:
                parts.append(
                    chr(
                        rng.choice(
                            [
                                rng.randint(0x20, 0x7E),
                                rng.randint(0xA0, 0x2FFF),
                                rng.randint(0x1F300, 0x1FAFF),
                                rng.randint(0xD800, 0xDFFF),
                            ]
                        )
                    )
                )
            else:
                parts.append("x" * rng.randint(1, 60))
        out.append("".join(parts))
    return out


def test_random_hostile_names_render_with_graphviz_and_mermaid(tmp_path: Path) -> None:
    names = _random_names(18, 240)
    files, dots = [], []
    for k in range(0, len(names), 8):
        chunk = names[k : k + 8]
        nodes = [_node(f"id{i}", name) for i, name in enumerate(chunk)]
        conns = {
            chunk[i]: {f"t{chunk[i + 1][:3]}": [[{"node": chunk[i + 1], "type": "main", "index": 0}]]}
            for i in range(len(chunk) - 1)
        }
        conns.setdefault(chunk[0], {})["main"] = [[{"node": chunk[-1] + "?", "type": "main", "index": 0}]]
        g = graphmodel.build(_wf(nodes, conns))
        out = tmp_path / f"g{k}.mmd"
        out.write_text(mermaid.render(g, chunk[0]), encoding="utf-8")
        files.append(out)
        dots.append(dot.render(g, chunk[0]))
    results = mermaid_parse(files)
    bad = {f: r.get("error") for f, r in results.items() if not r["ok"]}
    assert len(results) == len(files) and not bad, bad
    for text in dots:
        proc = subprocess.run(
            [_dot(), "-Tsvg"], input=text.encode("utf-8"), capture_output=True, timeout=60, check=False
        )
        assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr.decode()
        assert len(re.findall(r"<title>n\d+</title>", proc.stdout.decode())) >= 1


def test_graph_cli_reads_stdin_writes_files_and_reports_bad_paths(tmp_path: Path) -> None:
    text = (CORPUS / CORPUS_CASES[3]).read_bytes()
    proc = subprocess.run(
        [sys.executable, "-m", "wf_lsp", "graph", "-", "--no-config", "--format", "dot"],
        input=text,
        capture_output=True,
        timeout=60,
        check=False,
    )
    out = proc.stdout.decode()
    assert proc.returncode == 0 and out.startswith("digraph workflow {") and 'tooltip="<stdin>"' in out, (
        proc.stderr.decode()
    )
    target = tmp_path / "g.mmd"
    code, out, err = run_cli(["graph", str(HOSTILE), "--no-config", "-o", str(target)])
    assert (code, out) == (0, "") and target.read_text(encoding="utf-8") == (GRAPH / "hostile_names.mmd").read_text(
        encoding="utf-8"
    ), err
    for bad in (tmp_path / "missing.json", tmp_path):
        code, out, err = run_cli(["graph", str(bad), "--no-config"])
        assert code == 2 and out == "" and "cannot read" in err
    code, _, err = run_cli(["graph", str(HOSTILE), "--format", "svg"])
    assert code == 2 and "invalid choice" in err


def test_graph_cli_follows_the_profile_s_key_mode() -> None:
    # id-keyed connections: resolved by default, not under the oracle profile (which reads names only)
    path = str(CORPUS / CORPUS_CASES[3])
    _, default, _ = run_cli(["graph", path, "--no-config", "--format", "json"])
    _, oracle, _ = run_cli(["graph", path, "--no-config", "--format", "json", "--profile", "oracle"])
    assert all(e["resolved"] for e in json.loads(default)["edges"])
    assert json.loads(oracle)["keyMode"] == "name" and not any(e["resolved"] for e in json.loads(oracle)["edges"])


def test_every_n8n_export_renders_and_keeps_its_ai_connection_types(tmp_path: Path) -> None:
    n8n = CORPUS.parent / "n8n"
    exports = sorted(n8n.glob("*.json"))
    assert len(exports) >= 170, f"expected the n8n corpus at {n8n}"
    files, kinds = [], set()
    loader = WorkflowLoader(Settings())
    for i, path in enumerate(exports):
        text = path.read_text(encoding="utf-8")
        g = graphmodel.of_text(text, loader.validate_text(text, str(path)))
        kinds |= {link.type for link in g.links}
        out = tmp_path / f"{i:03}.mmd"
        out.write_text(mermaid.render(g, path.name), encoding="utf-8")
        files.append(out)
    assert {"main", "ai_languageModel", "ai_tool", "ai_memory", "ai_embedding", "ai_outputParser"} <= kinds
    results = mermaid_parse(files)
    bad = {f: r.get("error") for f, r in results.items() if not r["ok"]}
    assert len(results) == len(files) and not bad, bad
    telegram = mermaid.render(_model(n8n / "Telegram_TeleBot_KnowledgeHub.json"))
    assert '-->|"ai_languageModel"|' in telegram and '-->|"ai_tool"|' in telegram


def test_an_n8n_graph_draws_its_ai_sub_nodes_as_nodes() -> None:
    """Before: n8n sub-nodes (a chat model, a vector store, a text splitter: joined to their root by `ai_*`
    connections, outside the execution plan) were drawn as "? missing" nodes although they are in `nodes`."""
    n8n = CORPUS.parent / "n8n"
    path = n8n / (
        "AI_Research_RAG_and_Data_Analysis_Chat_with_GitHub_API_Documentation__RAG-Powered_Chatbot_with_Pinecone_OpenAI.json"
    )
    model = _model(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    drawn = {n.name for n in model.nodes}
    expected = {n["name"] for n in data["nodes"] if n["type"] != "n8n-nodes-base.stickyNote"}
    assert drawn == expected, expected ^ drawn
    assert "OpenAI Chat Model" in drawn
    for render in (mermaid.render, dot.render):
        text = render(model, path.name)
        assert "missing" not in text, text
    sub = next(n for n in model.nodes if n.name == "OpenAI Chat Model")
    assert sub.step is None and not sub.unreachable, sub
