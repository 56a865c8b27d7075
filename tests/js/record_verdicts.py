"""Record the real MetaBuilder validator's verdicts on seeded odd-shaped workflows (tests/data/js-oracle-verdicts.json).

Not part of the test run: the validator is not vendored. To regenerate, compile the validator
(`workflow/executor/ts/utils/workflow-validator.ts` of johndoe6345789/metabuilder at 46f8daeb, with `tsc --target ES2020
--module commonjs`) and run

    python tests/js/record_verdicts.py path/to/workflow-validator.js > tests/data/js-oracle-verdicts.json

The workflows stress what depends on JavaScript: truthiness, trim(), parseInt, ToNumber, template-literal printing,
Date.parse, SameValueZero, indexOf, and iteration of odd shapes (string `nodes`, primitive nodes, arrays as maps).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests import jsgen

RUNNER = """
const { validateWorkflow } = require(process.argv[1]);
let input = "";
process.stdin.on("data", (c) => (input += c));
process.stdin.on("end", () => {
  const out = JSON.parse(input).map((text) => {
    try {
      const r = validateWorkflow(JSON.parse(text));
      const row = (sev) => (e) => [e.code, e.path, sev, e.message];
      return { errors: r.errors.map(row("error")), warnings: r.warnings.map(row("warning")) };
    } catch (e) {
      return { crashed: String(e) };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
"""


def odd(rng: random.Random) -> Any:
    return jsgen.json_values(rng)


def name(rng: random.Random) -> Any:
    return (
        rng.choice(
            [
                "A",
                "B",
                "a b",
                " A",
                "A ",
                "\u00a0",
                "",
                "日",
                "\U0001f600",
                None,
                1,
                1.0,
                True,
                [],
                {},
                "undefined",
                "C",
            ]
        )
        if rng.random() < 0.15
        else rng.choice(["A", "B", "C"])
    )


def node(rng: random.Random) -> Any:
    if rng.random() < 0.05:
        return rng.choice([1, "x", [], True, "ab", [1], False, 0, 1.0])
    n = {}
    for f in ["id", "name", "type"]:
        if rng.random() < 0.9:
            n[f] = name(rng) if rng.random() < 0.6 else rng.choice(["x", "\u2028", "\ufeff a", "\x1c", " \u3000 "])
    if rng.random() < 0.4:
        n["timeout"] = odd(rng)
    if rng.random() < 0.5:
        p = rng.choice(
            [
                {},
                {"name": 1},
                {"x": "[object Object]"},
                {"parameters": {"parameters": {"parameters": {}}}},
                {"parameters": [1]},
                "str",
                5,
                [1, "[object Object]"],
                None,
                {"position": [0, 0], "typeVersion": 1},
            ]
        )
        n["parameters"] = p
    return n


def conns(rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.1:
        return rng.choice([None, "ab", 5, [], [{"main": []}], {}])
    c = {}
    for _ in range(rng.randint(0, 3)):
        src = rng.choice(["A", "B", "C", "x", "0"])
        if rng.random() < 0.15:
            c[src] = odd(rng)
            continue
        outs = {}
        for _ in range(rng.randint(0, 2)):
            ot = rng.choice(["main", "main", "error", "ai", "0"])
            if rng.random() < 0.15:
                outs[ot] = odd(rng)
                continue
            idx = {} if rng.random() < 0.5 else []
            for _ in range(rng.randint(0, 2)):
                tl = [
                    rng.choice(
                        [
                            {"node": name(rng)},
                            {"node": name(rng), "type": "main", "index": 0},
                            "A",
                            [],
                            {"node": ""},
                            {"node": odd(rng)},
                        ]
                    )
                    for _ in range(rng.randint(0, 2))
                ]
                if rng.random() < 0.1:
                    tl = odd(rng)
                if isinstance(idx, dict):
                    idx[
                        rng.choice(
                            ["0", "1", "-1", "1abc", "0.5", " 1", "٣", "１", "-0", "abc", "", "\u00a01", "\x1c1", "+1"]
                        )
                    ] = tl
                else:
                    idx.append(tl)
            outs[ot] = idx
        c[src] = outs
    return c


def variables(rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.1:
        return rng.choice([None, "ab", 5, [], [{"type": "string"}], {}])
    v = {}
    for _ in range(rng.randint(0, 4)):
        k = rng.choice(["a", "_b", "1x", "a-b", "é", "ok"])
        if rng.random() < 0.1:
            v[k] = rng.choice([1, "s", [], True])
            continue
        d = {}
        if rng.random() < 0.9:
            d["type"] = rng.choice(
                [
                    "string",
                    "number",
                    "boolean",
                    "array",
                    "object",
                    "date",
                    "any",
                    "integer",
                    "",
                    None,
                    1,
                    ["date"],
                    "Date",
                ]
            )
        if rng.random() < 0.7:
            d["defaultValue"] = rng.choice([odd(rng), rng.choice(jsgen.dates(rng, 1)), None, [], {}, "2025-01-01"])
        if rng.random() < 0.3:
            d["validation"] = rng.choice(
                [
                    {"pattern": "(a+)+" * rng.randint(1, 5)},
                    {"pattern": ""},
                    "x",
                    None,
                    {"pattern": "\U0001f600" * 60},
                    {"pattern": "a{1,2}\u2028{3}" * 3},
                ]
            )
        if rng.random() < 0.2:
            d["scope"] = rng.choice(["global", "workflow"])
        v[k] = d
    return v


def wf(rng: random.Random) -> Any:
    w = {}
    if rng.random() < 0.9:
        w["nodes"] = (
            [node(rng) for _ in range(rng.randint(0, 4))]
            if rng.random() < 0.9
            else rng.choice(["ab", "a\U0001f600b\U0001f600", "", 5, {}, None])
        )
    if rng.random() < 0.9:
        w["connections"] = conns(rng)
    if rng.random() < 0.6:
        w["variables"] = variables(rng)
    if rng.random() < 0.9:
        w["tenantId"] = rng.choice(["t", "", None, 0, [], "${TENANT_ID}", {}])
    return w


def main() -> None:
    validator = str(Path(sys.argv[1]).resolve())
    rng = random.Random(12)
    texts = [json.dumps(wf(rng), ensure_ascii=False) for _ in range(int(sys.argv[2]) if len(sys.argv) > 2 else 300)]
    proc = subprocess.run(
        ["node", "-e", RUNNER, validator],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        env={"TZ": "UTC"},
        check=True,
    )
    records = [{"workflow": t, **verdict} for t, verdict in zip(texts, json.loads(proc.stdout), strict=True)]
    sys.stdout.write(
        "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n]\n"
    )  # a record a line


if __name__ == "__main__":
    main()
