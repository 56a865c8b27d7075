"""n8n exports against the 1000-node budget: full validation with the catalogue, cold and warm, and one edit."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from table import BUDGET_FULL_VALID_1000  # noqa: E402

from wf_lsp.core.loader import WorkflowLoader  # noqa: E402
from wf_lsp.core.n8n import catalogue  # noqa: E402
from wf_lsp.core.settings import Settings  # noqa: E402

BUDGET_MS = BUDGET_FULL_VALID_1000
#: node types with one main input and output, so the chained document is valid (as the MetaBuilder budget's is)
SIMPLE = {
    f"n8n-nodes-base.{t}"
    for t in (
        "set",
        "code",
        "httpRequest",
        "noOp",
        "wait",
        "splitOut",
        "aggregate",
        "dateTime",
        "markdown",
        "html",
        "crypto",
        "limit",
        "sort",
        "removeDuplicates",
        "summarize",
        "renameKeys",
        "itemLists",
        "merge",
    )
}


def corpus_dir() -> Path:
    for candidate in (
        ROOT.parent / "shared" / "corpus" / "n8n",
        ROOT.parents[1] / "shared" / "corpus" / "n8n",
        Path("/work/shared/corpus/n8n"),
    ):
        if candidate.is_dir():
            return candidate
    raise SystemExit("n8n corpus not found")


def build(n: int, seed: int = 0) -> dict[str, Any]:
    """A deterministic n-node export: real corpus nodes (no sticky notes or triggers), chained by main connections."""
    pool: list[dict[str, Any]] = []
    for path in sorted(corpus_dir().glob("*.json")):
        try:
            wf = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        for x in wf.get("nodes", []):
            if (
                x["type"] in SIMPLE and x.get("parameters", {}).get("language") != "python"
            ):  # legacy value n8n 2 dropped
                pool.append(x)
    rng = random.Random(seed)
    nodes = []
    for i in range(n):
        node = json.loads(json.dumps(rng.choice(pool)))
        node["name"], node["id"] = f"N{i} {node['name']}", f"node-{i}"
        nodes.append(node)
    conns = {
        nodes[i]["name"]: {"main": [[{"node": nodes[i + 1]["name"], "type": "main", "index": 0}]]} for i in range(n - 1)
    }
    return {
        "name": f"bench {n}",
        "nodes": nodes,
        "connections": conns,
        "pinData": {},
        "meta": {"instanceId": "bench"},
        "versionId": "1",
    }


def timed(fn: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--nodes", type=int, default=1000)
    ap.add_argument("--catalog", help="n8n catalogue (default: the newest built)")
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    cat_path = catalogue.find(args.catalog)
    if cat_path is None:
        raise SystemExit("no n8n catalogue: wf-lsp catalog build --n8n NODE_MODULES_DIR")
    text = orjson.dumps(build(args.nodes), option=orjson.OPT_INDENT_2).decode()
    settings = Settings(n8n_catalog=str(cat_path))
    t0 = time.perf_counter()
    catalogue.load(str(cat_path))
    load_ms = (time.perf_counter() - t0) * 1000
    loader = WorkflowLoader(settings)
    t0 = time.perf_counter()
    result = loader.validate_text(text)
    cold_ms = (time.perf_counter() - t0) * 1000
    counter = iter(range(10**9))

    def fresh() -> None:
        loader.clear()
        loader.validate_text(text + " " * (next(counter) % 7 + 1))

    edits = iter(
        [
            text.replace('"name": "N500 ', f'"name": "N500x{k} ', 1).replace('"node": "N500 ', f'"node": "N500x{k} ', 1)
            for k in range(args.runs)
        ]
    )

    def edit() -> None:
        loader.validate_text(next(edits))

    warm_ms = timed(fresh, args.runs)
    edit_ms = timed(edit, args.runs)
    floor_ms = timed(lambda: orjson.loads(text), args.runs)
    rows = [
        ("catalogue load (once per process)", load_ms, None),
        ("full validation, first time (no node seen before)", cold_ms, None),
        ("full validation, nodes seen before (new text, cache cleared)", warm_ms, BUDGET_MS),
        ("one node renamed (references updated)", edit_ms, BUDGET_MS),
        ("orjson.loads (floor)", floor_ms, None),
    ]
    print(
        f"n8n export, {args.nodes} nodes, {len(text) / 1e6:.2f} MB, {len(result.findings)} findings, "
        f"catalogue {cat_path.name}"
    )
    print("| what | ms | budget |\n|---|---|---|")
    for what, ms, budget in rows:
        verdict = "" if budget is None else f"≤ {budget:.0f} {'✓' if ms <= budget else '✗'}"
        print(f"| {what} | {ms:.1f} | {verdict} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
