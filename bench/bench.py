"""wf-lsp benchmark: every document shape at every size, each number beside its floor and budget, as one table."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import gen  # noqa: E402
import keyprof  # noqa: E402
import scenarios  # noqa: E402
from harness import OUT, Peer, log, schema_path  # noqa: E402
from table import Report, render  # noqa: E402

SECTIONS = ("full", "peer", "corpus", "keystroke", "startup", "check", "memory", "profile")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--quick", action="store_true", help="development run: 100 and 1000 nodes, fewer repetitions, no memory run"
    )
    ap.add_argument("--sizes", help="comma-separated node counts (default 100,1000,5000; quick: 100,1000)")
    ap.add_argument("--shapes", help="comma-separated shapes (default all: {})".format(",".join(gen.VARIANTS)))
    ap.add_argument("--skip", default="", help="comma-separated sections to skip: " + ",".join(SECTIONS))
    a = ap.parse_args()
    skip = set(filter(None, a.skip.split(",")))
    if a.quick:
        skip.add("memory")
    unknown = skip - set(SECTIONS)
    if unknown:
        ap.error(f"unknown sections: {', '.join(sorted(unknown))}")
    sizes = tuple(int(s) for s in a.sizes.split(",")) if a.sizes else ((100, 1000) if a.quick else gen.SIZES)
    shapes = tuple(a.shapes.split(",")) if a.shapes else gen.VARIANTS
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "server-stderr.log").write_text("")
    load_start = os.getloadavg()[0]
    rep = Report()
    why = scenarios.wf_lsp_serve_ok() if {"keystroke", "startup", "memory"} - skip else ""
    if why:
        raise SystemExit(f"bench: `wf-lsp serve` does not start: {why}")
    log("generating documents ...")
    docs = {(n, v): t for n, v, t in gen.documents(sizes, shapes)}
    paths: dict[tuple[int, str], Path] = {}
    (OUT / "docs").mkdir(exist_ok=True)
    for (n, v), t in docs.items():
        p = OUT / "docs" / f"wf_{n}_{v}.json"
        if not p.exists() or p.read_text(encoding="utf-8") != t:
            p.write_text(t, encoding="utf-8")
        paths[(n, v)] = p
    schema, schema_src = schema_path()
    peer: Peer | None = None
    if "peer" not in skip:
        try:
            peer = Peer(schema)
        except Exception as e:
            rep.notes.append(f"VS Code's JSON language service not measured: {e}")
    try:
        if "full" not in skip:
            scenarios.full_validation(rep, docs, peer, paths, a.quick)
        if "corpus" not in skip:
            scenarios.corpus(rep, peer, a.quick)
        if peer is not None:
            peer.close()
            peer = None
        if "keystroke" not in skip:
            scenarios.keystrokes(rep, docs, a.quick)
        if "startup" not in skip:
            scenarios.startup(rep, a.quick)
        if "check" not in skip:
            scenarios.check_cli(rep, a.quick)
        if "memory" not in skip:
            text = docs.get((5000, "valid")) or gen.make(5000)
            scenarios.memory(rep, text, 5000, 100)
    except Exception:
        rep.notes.append(f"a section failed: `{traceback.format_exc().strip().splitlines()[-1]}`")
        log(traceback.format_exc())
    finally:
        if peer is not None:
            peer.close()
    argv = " ".join(sys.argv[1:])
    meta = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load": f"{load_start:.1f} at start, {os.getloadavg()[0]:.1f} at end",
        "python": sys.version.split()[0],
        "node": subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip() or "n/a",
        "command": f"bench/run {argv}".strip(),
        "schema": schema_src,
    }
    text = render(rep, meta)
    if "profile" not in skip and "full" not in skip:
        log("profiling the worst full-validation line ...")
        text += "\n\n" + scenarios.profile_worst(rep, docs)
    if "profile" not in skip and "keystroke" not in skip:
        log("profiling the worst keystroke line ...")
        text += "\n\n" + keyprof.profile_keystroke(rep, docs)
    (OUT / "table.md").write_text(text + "\n")
    (OUT / "results.json").write_text(json.dumps({"meta": meta, "raw": rep.raw}, indent=2, default=str))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
