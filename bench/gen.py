"""Deterministic generator of the benchmark's document shapes (valid, errors, unknown types, n8n, broken JSON, ...)."""

from __future__ import annotations

import argparse
import itertools
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

SIZES = (100, 1000, 5000)
#: every document shape the benchmark measures, in table order
VARIANTS = (
    "valid",
    "errors10",
    "errors_every",
    "unknown_few",
    "unknown_all",
    "n8n",
    "broken_comma",
    "broken_truncated",
    "long_names",
    "deep_params",
)
#: a long node name's length (characters)
LONG_NAME = 10_000
#: depth of the nested parameter trees in the `deep_params` shape
DEEP = 48
CORPUS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "metabuilder"
_CORPUS_FALLBACKS = (CORPUS_DIR, Path("/work/shared/corpus/metabuilder"))

_VERBS = (
    "Fetch",
    "Parse",
    "Check",
    "Build",
    "Send",
    "Load",
    "Merge",
    "Filter",
    "Map",
    "Store",
    "Format",
    "Count",
    "Split",
    "Join",
    "Resolve",
    "Notify",
    "Score",
    "Route",
    "Sync",
    "Emit",
)
_NOUNS = (
    "Users",
    "Orders",
    "Invoice",
    "Profile",
    "Token",
    "Payload",
    "Report",
    "Config",
    "Session",
    "Metrics",
    "Catalog",
    "Comment",
    "Thread",
    "Message",
    "Asset",
    "Scene",
    "Artifact",
    "Index",
)
_FIELDS = (
    "id",
    "email",
    "displayName",
    "status",
    "createdAt",
    "amount",
    "currency",
    "items",
    "owner",
    "level",
    "tags",
    "region",
    "score",
    "total",
    "limit",
    "offset",
    "cursor",
    "locale",
)


_VARIABLES = ("apiBase", "maxRetries", "debug", "pageSize")
_CURRENT = [1]  # index of the node being generated: $steps references point only at earlier nodes


def _expr(rng: random.Random) -> str:
    """A MetaBuilder template expression that refers only to things that exist."""
    kind = rng.randrange(5)
    if kind == 0:
        return f"{{{{ $json.{rng.choice(_FIELDS)} }}}}"
    if kind == 1:
        return "{{{{ $context.{} }}}}".format(rng.choice(("tenantId", "user.id", "user.email", "user.level")))
    if kind == 2:
        return f"{{{{ $steps.node_{rng.randrange(max(1, _CURRENT[0]))}.output.{rng.choice(_FIELDS)} }}}}"
    if kind == 3:
        return f"{{{{ $workflow.variables.{rng.choice(_VARIABLES)} }}}}"
    return "{{{{ $env.{} }}}}".format(rng.choice(("API_TOKEN", "REGION", "BASE_URL")))


def _sentence(rng: random.Random, words: int) -> str:
    pool = _VERBS + _NOUNS + _FIELDS + ("the", "and", "with", "for", "when", "then", "every", "tenant")
    return " ".join(rng.choice(pool).lower() for _ in range(words))


def _url(rng: random.Random) -> str:
    return "https://api.example.com/v{}/{}/{}?tenant={{{{ $context.tenantId }}}}".format(
        rng.randrange(1, 4), rng.choice(_NOUNS).lower(), f"{{{{ $json.{rng.choice(_FIELDS)} }}}}"
    )


def _small_object(rng: random.Random, k: int) -> dict[str, Any]:
    return {rng.choice(_FIELDS) + str(j): _expr(rng) for j in range(k)}


# Node types with (required parameter factories, optional parameter factories).
_P = Callable[[random.Random], Any]
_TYPES: dict[str, tuple[dict[str, _P], dict[str, _P]]] = {
    "logic.if": (
        {"condition": lambda r: f"{{{{ {_expr(r)[3:-3]} > {r.randrange(100)} }}}}"},
        {"then": lambda r: f"node_{r.randrange(1000)}", "else": lambda r: f"node_{r.randrange(1000)}"},
    ),
    "core.http_request": (
        {"url": _url},
        {
            "method": lambda r: r.choice(("GET", "POST", "PUT", "DELETE")),
            "headers": lambda r: {
                "Authorization": "Bearer {{ $env.API_TOKEN }}",
                "Accept": "application/json",
                "X-Tenant": "{{ $context.tenantId }}",
            },
            "body": lambda r: _small_object(r, 3),
        },
    ),
    "packagerepo.parse_json": (
        {"input": _expr},
        {"out": lambda r: "parsed_" + r.choice(_FIELDS)},
    ),
    "string.concat": (
        {},
        {"values": lambda r: [_expr(r) for _ in range(3)], "separator": lambda r: r.choice((" ", ",", "-"))},
    ),
    "string.format": (
        {},
        {
            "template": lambda r: f"Hello {{name}}, your {r.choice(_FIELDS)} is {{value}}",
            "variables": lambda r: {"name": _expr(r), "value": _expr(r)},
        },
    ),
    "string.replace": (
        {},
        {
            "value": _expr,
            "search": lambda r: r.choice(_FIELDS),
            "replacement": lambda r: r.choice(_FIELDS),
            "all": lambda r: r.random() < 0.5,
        },
    ),
    "math.add": ({}, {"values": lambda r: [r.randrange(1000) for _ in range(4)]}),
    "math.round": ({}, {"value": _expr, "decimals": lambda r: r.randrange(4)}),
    "list.length": ({}, {"array": _expr}),
    "list.slice": ({}, {"array": _expr, "start": lambda r: r.randrange(5), "end": lambda r: r.randrange(5, 50)}),
    "list.sort": (
        {},
        {"array": _expr, "key": lambda r: r.choice(_FIELDS), "order": lambda r: r.choice(("asc", "desc"))},
    ),
    "dict.get": (
        {},
        {"object": _expr, "path": lambda r: f"{r.choice(_FIELDS)}.{r.choice(_FIELDS)}", "default": lambda r: None},
    ),
    "convert.toJson": ({}, {"value": _expr, "pretty": lambda r: True, "indent": lambda r: 2}),
    "logic.equals": ({}, {"a": _expr, "b": _expr, "strict": lambda r: True}),
    # var.* in TS takes `name`, which the real validator flags as a nested node attribute: use the Python form.
    "var.set": ({}, {"key": lambda r: "v_" + r.choice(_FIELDS), "value": _expr}),
}
_LEAF_TYPES: dict[str, tuple[dict[str, _P], dict[str, _P]]] = {
    "packagerepo.respond_json": ({"body": lambda r: _small_object(r, 3)}, {"status": lambda r: 200}),
}
_TRIGGER_TYPE = "metabuilder.trigger"
_TYPE_NAMES = tuple(_TYPES)

# Extra, free-form parameters (the function-style plugins accept anything); these carry the payload.
_EXTRAS: tuple[tuple[str, _P], ...] = (
    ("description", lambda r: _sentence(r, r.randrange(10, 20))),
    ("label", lambda r: _sentence(r, 3)),
    ("outputKey", lambda r: "result_" + r.choice(_FIELDS)),
    ("retryCount", lambda r: r.randrange(0, 5)),
    ("continueOnFail", lambda r: r.random() < 0.3),
    ("inputs", lambda r: _small_object(r, 2)),
    ("outputs", lambda r: {"result": "state." + r.choice(_FIELDS), "error": "state.lastError"}),
    ("tags", lambda r: [r.choice(_NOUNS).lower() for _ in range(2)]),
    ("mapping", lambda r: {f: _expr(r) for f in r.sample(_FIELDS, 3)}),
    ("cacheTtlSeconds", lambda r: r.choice((60, 300, 3600))),
    ("note", lambda r: _sentence(r, r.randrange(7, 14))),
    ("fields", lambda r: r.sample(_FIELDS, 2)),
    ("context", lambda r: {"tenant": "{{ $context.tenantId }}", "user": "{{ $context.user.id }}"}),
)


def _node_name(i: int, rng: random.Random) -> str:
    return f"{rng.choice(_VERBS)} {rng.choice(_NOUNS)} {i}"


def _params(
    rng: random.Random, type_name: str, table: dict[str, tuple[dict[str, _P], dict[str, _P]]]
) -> dict[str, Any]:
    required, optional = table[type_name]
    target = rng.randint(5, 15)
    params: dict[str, Any] = {k: f(rng) for k, f in required.items()}
    for k, f in optional.items():
        if len(params) < target and rng.random() < 0.7:
            params[k] = f(rng)
    extras = list(_EXTRAS)
    rng.shuffle(extras)
    for k, f in extras:
        if len(params) >= target:
            break
        params.setdefault(k, f(rng))
    return params


def build(n: int, seed: int = 0) -> dict[str, Any]:
    """A valid workflow with n nodes: a chain 0→1→…→n-1 with forward fan-out, name-keyed object-form connections."""
    rng = random.Random(seed * 1_000_003 + n)
    nodes: list[dict[str, Any]] = []
    for i in range(n):
        _CURRENT[0] = i
        if i == 0:
            type_name, params = (
                _TRIGGER_TYPE,
                {
                    "triggerType": "manual",
                    "description": _sentence(rng, 10),
                    "label": "Start",
                    "outputKey": "trigger",
                    "tags": ["bench"],
                },
            )
        elif i == n - 1 and n > 1:
            type_name = "packagerepo.respond_json"
            params = _params(rng, type_name, _LEAF_TYPES)
        else:
            type_name = rng.choice(_TYPE_NAMES)
            params = _params(rng, type_name, _TYPES)
        nodes.append(
            {
                "id": f"node_{i}",
                "name": _node_name(i, rng),
                "type": type_name,
                "typeVersion": 1,
                "position": [260 * (i % 40), 200 * (i // 40)],
                "parameters": params,
            }
        )
    connections: dict[str, Any] = {}
    for i in range(n - 1):
        targets = [i + 1]
        if rng.random() < 0.3:
            for j in range(i + 2, min(n - 1, i + 2 + rng.randrange(1, 3))):
                targets.append(j)
        outs = {"0": [{"node": nodes[t]["name"], "type": "main", "index": 0} for t in targets]}
        connections[nodes[i]["name"]] = {"main": outs}
    return {
        "id": f"wf_bench_{n}",
        "name": f"Benchmark workflow {n}",
        "version": "3.0.0",
        "tenantId": "acme",
        "active": False,
        "nodes": nodes,
        "connections": connections,
        "triggers": [{"nodeId": nodes[0]["id"], "kind": "manual"}] if nodes else [],
        "variables": {
            "apiBase": {"type": "string", "defaultValue": "https://api.example.com", "scope": "workflow"},
            "maxRetries": {"type": "number", "defaultValue": 3, "scope": "workflow"},
            "debug": {"type": "boolean", "defaultValue": False, "scope": "execution"},
            "pageSize": {"type": "number", "defaultValue": 50, "scope": "workflow"},
        },
        "settings": {"timezone": "UTC", "executionTimeout": 3600},
    }


def _spread(n: int, k: int) -> list[int]:
    """k distinct node indices spread over 1..n-2 (never the trigger or the final node)."""
    lo, hi = 1, max(1, n - 2)
    span = hi - lo + 1
    if span >= k:
        return [lo + (2 * j + 1) * span // (2 * k) for j in range(k)]
    return [lo + (j % span) for j in range(k)]


def plant_errors10(wf: dict[str, Any]) -> dict[str, Any]:
    """Plant 10 distinct errors spread over the document."""
    nodes = wf["nodes"]
    n = len(nodes)
    idx = _spread(n, 8)
    conns = wf["connections"]
    # 1. missing tenantId
    del wf["tenantId"]
    # 2. duplicate node name (connections keep pointing at the original name)
    #    (edges into and out of the renamed node switch to its id, which "auto" keying accepts, so the
    #    ambiguous name creates no cycle or unreachable node on top)
    a, b = idx[0], idx[1]
    old, dup, bid = nodes[b]["name"], nodes[a]["name"], nodes[b]["id"]
    nodes[b]["name"] = dup
    for entry in conns.values():
        for targets in entry["main"].values():
            for t in targets:
                if t["node"] == old:
                    t["node"] = bid
    if old in conns:
        conns[bid] = conns.pop(old)
    # 3. dangling connection target
    src = nodes[idx[2]]["name"]
    if src in conns:
        conns[src]["main"]["0"].append({"node": f"Ghost Node {idx[2]}", "type": "main", "index": 0})
    # 4. empty node type
    nodes[idx[3]]["type"] = ""
    # 5. "[object Object]" parameter
    nodes[idx[4]]["parameters"]["payload"] = "[object Object]"
    # 6. node-level attribute nested in parameters
    nodes[idx[5]]["parameters"]["position"] = [0, 0]
    # 7. invalid output type
    src = nodes[idx[6]]["name"]
    if src in conns:
        conns[src]["success"] = {"0": [{"node": nodes[-1]["name"], "type": "main", "index": 0}]}
    # 8. missing required parameter (logic.if without condition)
    nodes[idx[7]]["type"] = "logic.if"
    nodes[idx[7]]["parameters"].pop("condition", None)
    # 9. invalid variable name (a map key that is not an identifier)
    wf["variables"]["2fast"] = {"type": "number", "defaultValue": 2, "scope": "workflow"}
    # 10. connection source naming no node
    conns["Ghost Source"] = {"main": {"0": [{"node": nodes[-1]["name"], "type": "main", "index": 0}]}}
    return wf


def plant_errors_every(wf: dict[str, Any]) -> dict[str, Any]:
    """An error on every node: even nodes get an empty type, odd nodes a connection target that names no node."""
    conns = wf["connections"]
    for i, node in enumerate(wf["nodes"]):
        if i % 2 == 0:
            node["type"] = ""
        else:
            entry = conns.setdefault(node["name"], {"main": {"0": []}})
            entry["main"]["0"].append({"node": f"Missing Node {i}", "type": "main", "index": 0})
    return wf


#: ten look-alikes of registry types that are no type at all (each gets a did-you-mean)
_TYPOS = (
    "logic.iff",
    "core.http_requests",
    "packagerepo.parse_jsn",
    "string.concatt",
    "string.formatt",
    "math.ad",
    "list.lenght",
    "dict.gett",
    "convert.toJsn",
    "var.sett",
)


def plant_unknown_types(wf: dict[str, Any], distinct: bool) -> dict[str, Any]:
    """Every node gets a type no registry has: one of ten look-alikes of registry types, or (distinct) its own type
    with a numbered suffix, so that all of them differ."""
    for i, node in enumerate(wf["nodes"]):
        node["type"] = f"{node['type']}{i}" if distinct else _TYPOS[i % len(_TYPOS)]
    return wf


def long_names(wf: dict[str, Any]) -> dict[str, Any]:
    """Every node's name is LONG_NAME characters, all distinct; connections are re-keyed by node id (which MetaBuilder's
    "auto" keying accepts), so each long name appears once: 5000 nodes make about 56 MB, not three times that."""
    rng = random.Random(len(wf["nodes"]))
    id_of = {node["name"]: node["id"] for node in wf["nodes"]}
    pool = _VERBS + _NOUNS + _FIELDS
    for node in wf["nodes"]:
        words = [node["name"]]
        size = len(node["name"])
        while size < LONG_NAME:
            words.append(rng.choice(pool))
            size += len(words[-1]) + 1
        node["name"] = " ".join(words)[:LONG_NAME]
    wf["connections"] = {
        id_of[src]: {
            out: {k: [dict(t, node=id_of[t["node"]]) for t in ts] for k, ts in outs.items()}
            for out, outs in entry.items()
        }
        for src, entry in wf["connections"].items()
    }
    return wf


def deep_params(wf: dict[str, Any]) -> dict[str, Any]:
    """Every tenth node also carries a parameter tree DEEP levels deep (a chain of objects, one leaf at the bottom)."""
    for i, node in enumerate(wf["nodes"]):
        if i % 10 != 5:
            continue
        tree: dict[str, Any] = {"leaf": f"{{{{ $json.{_FIELDS[i % len(_FIELDS)]} }}}}"}
        for d in range(DEEP - 1, 0, -1):
            tree = {"level": d, "child": tree}
        node["parameters"]["tree"] = tree
    return wf


#: n8n node types (about ten distinct) with a parameters factory each
_N8N_MAIN: tuple[tuple[str, float, Callable[[random.Random, int], dict[str, Any]]], ...] = (
    (
        "n8n-nodes-base.set",
        3.4,
        lambda r, i: {
            "assignments": {
                "assignments": [
                    {
                        "id": f"a{i}-{k}",
                        "name": r.choice(_FIELDS),
                        "value": f"={{{{ $json.{r.choice(_FIELDS)} }}}}",
                        "type": "string",
                    }
                    for k in range(3)
                ]
            },
            "options": {},
        },
    ),
    (
        "n8n-nodes-base.httpRequest",
        4.2,
        lambda r, i: {
            "url": f"=https://api.example.com/{r.choice(_NOUNS).lower()}/{{{{ $json.id }}}}",
            "method": r.choice(("GET", "POST")),
            "options": {"timeout": 10000},
        },
    ),
    (
        "n8n-nodes-base.code",
        2,
        lambda r, i: {
            "jsCode": "return $input.all().map(item => ({ json: { "
            + f"{r.choice(_FIELDS)}: item.json.{r.choice(_FIELDS)}"
            + " } }));"
        },
    ),
    (
        "n8n-nodes-base.if",
        2.2,
        lambda r, i: {
            "conditions": {
                "options": {"caseSensitive": True},
                "conditions": [
                    {
                        "id": f"c{i}",
                        "leftValue": f"={{{{ $json.{r.choice(_FIELDS)} }}}}",
                        "rightValue": r.randrange(100),
                        "operator": {"type": "number", "operation": "gt"},
                    }
                ],
                "combinator": "and",
            },
            "options": {},
        },
    ),
    ("n8n-nodes-base.merge", 3, lambda r, i: {"mode": "combine", "combineBy": "combineByPosition", "options": {}}),
    ("n8n-nodes-base.noOp", 1, lambda r, i: {}),
    ("n8n-nodes-base.wait", 1.1, lambda r, i: {"amount": r.randrange(1, 60)}),
)
_N8N_AGENT = "@n8n/n8n-nodes-langchain.agent"
_N8N_AI = (
    (
        "@n8n/n8n-nodes-langchain.lmChatOpenAi",
        1.2,
        "ai_languageModel",
        {"model": {"__rl": True, "value": "gpt-4o-mini", "mode": "list"}, "options": {}},
    ),
    ("@n8n/n8n-nodes-langchain.memoryBufferWindow", 1.3, "ai_memory", {"contextWindowLength": 10}),
    (
        "@n8n/n8n-nodes-langchain.toolHttpRequest",
        1.1,
        "ai_tool",
        {"toolDescription": "Look an order up", "url": "https://api.example.com/orders"},
    ),
)


def build_n8n(n: int, seed: int = 0) -> dict[str, Any]:
    """An n8n-style export of n nodes: a manual trigger, then a main chain of n8n-nodes-base types in which every tenth
    node is an AI agent with a chat model, a memory and a tool attached by ai_languageModel / ai_memory / ai_tool
    connections; connections keyed by node name in n8n's list form; no tenantId (an n8n export has none)."""
    rng = random.Random(seed * 1_000_003 + n + 77)
    nodes: list[dict[str, Any]] = []
    conns: dict[str, Any] = {}
    chain: list[str] = []
    i = 0

    def add(type_name: str, version: float, params: dict[str, Any]) -> str:
        name = f"{type_name.rsplit('.', 1)[-1]} {len(nodes)}"
        nodes.append(
            {
                "parameters": params,
                "id": f"{rng.getrandbits(32):08x}-{len(nodes):04x}-4000-8000-{rng.getrandbits(48):012x}",
                "name": name,
                "type": type_name,
                "typeVersion": version,
                "position": [220 * (len(nodes) % 40), 200 * (len(nodes) // 40)],
            }
        )
        return name

    chain.append(add("n8n-nodes-base.manualTrigger", 1, {}))
    while len(nodes) < n:
        i += 1
        if i % 10 == 0 and n - len(nodes) >= 4:
            agent = add(_N8N_AGENT, 1.7, {"promptType": "define", "text": "={{ $json.question }}", "options": {}})
            chain.append(agent)
            for type_name, version, kind, params in _N8N_AI:
                conns[add(type_name, version, dict(params))] = {kind: [[{"node": agent, "type": kind, "index": 0}]]}
        else:
            type_name, version, make_params = rng.choice(_N8N_MAIN)
            chain.append(add(type_name, version, make_params(rng, i)))
    for a, b in itertools.pairwise(chain):
        conns[a] = {"main": [[{"node": b, "type": "main", "index": 0}]]}
    return {
        "name": f"n8n benchmark {n}",
        "nodes": nodes,
        "pinData": {},
        "connections": conns,
        "active": False,
        "settings": {"executionOrder": "v1"},
        "versionId": "00000000-0000-4000-8000-000000000000",
        "meta": {"templateCredsSetupCompleted": True, "instanceId": "bench"},
        "tags": [],
    }


def dumps(wf: dict[str, Any]) -> str:
    """Pretty-print as editors and the corpus do: indent 2, trailing newline."""
    return json.dumps(wf, indent=2, ensure_ascii=False) + "\n"


def break_json(text: str) -> str:
    """Delete the line-ending comma nearest the middle of the text."""
    mid = len(text) // 2
    after = text.find(",\n", mid)
    before = text.rfind(",\n", 0, mid)
    pos = after if after != -1 and (before == -1 or after - mid <= mid - before) else before
    return text[:pos] + text[pos + 1 :]


def make(n: int, variant: str = "valid", seed: int = 0) -> str:
    """The text of one benchmark document."""
    wf = build(n, seed)
    if variant == "valid":
        return dumps(wf)
    if variant == "errors10":
        return dumps(plant_errors10(wf))
    if variant == "errors_every":
        return dumps(plant_errors_every(wf))
    if variant == "broken_comma":
        return break_json(dumps(wf))
    if variant == "broken_truncated":
        text = dumps(wf)
        return text[: len(text) // 2]
    if variant in ("unknown_few", "unknown_all"):
        return dumps(plant_unknown_types(wf, distinct=variant == "unknown_all"))
    if variant == "long_names":
        return dumps(long_names(wf))
    if variant == "deep_params":
        return dumps(deep_params(wf))
    if variant == "n8n":
        return dumps(build_n8n(n, seed))
    raise ValueError(f"unknown variant {variant!r}")


def documents(sizes: tuple[int, ...] = SIZES, variants: tuple[str, ...] = VARIANTS) -> Iterator[tuple[int, str, str]]:
    """(size, variant, text) for every combination."""
    for n in sizes:
        for v in variants:
            yield n, v, make(n, v)


def corpus_dir() -> Path:
    for d in _CORPUS_FALLBACKS:
        if d.is_dir():
            return d
    raise FileNotFoundError("corpus not found in {}".format(", ".join(map(str, _CORPUS_FALLBACKS))))


def corpus() -> list[tuple[str, str]]:
    """(path, text) of the real MetaBuilder corpus files."""
    return [(str(p), p.read_text(encoding="utf-8")) for p in sorted(corpus_dir().glob("*.json"))]


def many_files(directory: str | Path, n: int = 1000, seed: int = 7) -> list[Path]:
    """Write n small valid workflows (5–60 nodes each) into directory; return their paths."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for k in range(n):
        size = rng.randint(5, 60)
        p = d / f"wf_{k:04d}.json"
        text = dumps(build(size, seed=seed * 100_000 + k))
        if not p.exists() or p.read_text(encoding="utf-8") != text:
            p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "out" / "docs"))
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--many", type=int, default=0, help="also write N small files into OUT/many")
    ap.add_argument("--stats", action="store_true", help="print size/lines per document")
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for n, v, text in documents(tuple(int(s) for s in a.sizes.split(","))):
        (out / f"wf_{n}_{v}.json").write_text(text, encoding="utf-8")
        if a.stats:
            print(f"{n:5d} {v:<13s} {len(text.encode()):9d} bytes {text.count(chr(10)):7d} lines")
    if a.many:
        many_files(out / "many", a.many)


if __name__ == "__main__":
    main()
