"""Run JavaScript expressions in real Node, many inputs per process (tests/js/jsbatch.js), for differential tests."""

from __future__ import annotations

import json
import math
import os
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

HARNESS = Path(__file__).resolve().parent / "js" / "jsbatch.js"


def node_binary() -> str:
    """The `node` executable; fails (never skips) when Node is not installed."""
    found = shutil.which("node") or ("/usr/bin/node" if os.path.exists("/usr/bin/node") else None)
    assert found, "Node.js is required for the JavaScript differential tests: install it (apt-get install nodejs)"
    return found


def evaluate(batches: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Evaluate each named harness function on its inputs in one Node process (TZ=UTC); results in input order."""
    names = list(batches)
    payload = json.dumps([{"fn": name, "inputs": batches[name]} for name in names])
    env = {"PATH": os.environ.get("PATH", ""), "TZ": "UTC", "LANG": "C"}
    proc = subprocess.run(
        [node_binary(), str(HARNESS)], input=payload.encode(), capture_output=True, env=env, timeout=120, check=False
    )
    assert proc.returncode == 0, f"node failed: {proc.stderr.decode(errors='replace')}"
    results = json.loads(proc.stdout)
    return dict(zip(names, results, strict=True))


def bits(x: float) -> str:
    """A double as the harness prints it: its IEEE-754 bits in decimal, or "NaN"."""
    return "NaN" if math.isnan(x) else str(struct.unpack(">Q", struct.pack(">d", x))[0])
