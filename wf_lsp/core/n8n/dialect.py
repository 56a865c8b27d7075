"""Which dialect a workflow is written in (MetaBuilder or a plain n8n export), decided from documented markers."""

from __future__ import annotations

from typing import Any, Literal

Dialect = Literal["metabuilder", "n8n"]
DIALECT_CHOICES: tuple[str, ...] = ("auto", "metabuilder", "n8n")

# Which rules run on which dialect is the catalog's `dialects` field: MetaBuilder's tenancy, registry (types,
# parameters, the secrets it marks), connection types, node ids (n8n assigns them on import), trigger lists and the
# parameter names MetaBuilder reserves ("name" is an ordinary n8n parameter) do not run on n8n files; the n8n rules run
# on n8n files only. Duplicate names and dangling connections are errors in both dialects.

_N8N_PREFIXES = ("n8n-nodes-", "@n8n/")


def is_n8n_type(value: Any) -> bool:
    """A type from an n8n package: `n8n-nodes-base.*`, `@n8n/n8n-nodes-langchain.*` or a community
    `n8n-nodes-<vendor>.*`."""
    return isinstance(value, str) and value.startswith(_N8N_PREFIXES) and "." in value


#: n8n types that start a workflow but whose names do not end in `Trigger` (n8n 2.40's whole catalogue: the rest do).
_TRIGGERS_BY_NAME = frozenset(
    {"n8n-nodes-base.webhook", "n8n-nodes-base.cron", "n8n-nodes-base.interval", "n8n-nodes-base.emailReadImap"}
)


#: n8n's canvas annotation: a node in `nodes` that never runs and is not part of the graph.
STICKY_NOTE = "n8n-nodes-base.stickyNote"


def is_trigger_type(value: Any) -> bool:
    """An n8n node type that starts a workflow: n8n's own test is a description `group` holding "trigger", which
    every such type in n8n's packages spells as a name ending in `Trigger`, or is one of four older names."""
    return is_n8n_type(value) and (value.endswith("Trigger") or value in _TRIGGERS_BY_NAME)


def detect(value: Any) -> Dialect:
    """The dialect of a parsed workflow: any MetaBuilder marker wins; else n8n markers; else MetaBuilder."""
    if not isinstance(value, dict):
        return "metabuilder"
    if _metabuilder_markers(value):
        return "metabuilder"
    meta = value.get("meta")
    if isinstance(meta, dict) and "instanceId" in meta:
        return "n8n"
    if "versionId" in value or "pinData" in value:
        return "n8n"
    nodes = value.get("nodes")
    if isinstance(nodes, list) and nodes and all(isinstance(n, dict) and is_n8n_type(n.get("type")) for n in nodes):
        return "n8n"
    return "metabuilder"


def resolve(setting: str, value: Any) -> Dialect:
    """The dialect in force for a file under the `dialect` setting (`auto` decides per file)."""
    if setting == "n8n":
        return "n8n"
    if setting == "metabuilder":
        return "metabuilder"
    return detect(value)


def _metabuilder_markers(wf: dict[str, Any]) -> bool:
    if "tenantId" in wf or "triggers" in wf:
        return True
    variables = wf.get("variables")
    if isinstance(variables, dict) and any(isinstance(v, dict) and "type" in v for v in variables.values()):
        return True
    nodes = wf.get("nodes")
    if not isinstance(nodes, list):
        return False
    names: set[str] = set()
    ids: set[str] = set()
    for node in nodes:
        if isinstance(node, dict):
            t = node.get("type")
            if isinstance(t, str) and t.startswith("metabuilder."):
                return True
            if isinstance(node.get("name"), str):
                names.add(node["name"])
            if isinstance(node.get("id"), str):
                ids.add(node["id"])
    conns = wf.get("connections")
    if isinstance(conns, dict) and conns:
        # id-keyed connections: some key names a node id and no node name
        return any(k in ids and k not in names for k in conns)
    return False
