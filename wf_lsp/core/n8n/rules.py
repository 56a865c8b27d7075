"""Rules for n8n exports: node types, type versions, credentials, parameters and connection types, from the catalogue."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from wf_lsp.core.context import Context
from wf_lsp.core.findings import Related
from wf_lsp.core.n8n import catalogue as cat_mod
from wf_lsp.core.n8n import params
from wf_lsp.core.rules import fixes

STICKY_NOTE = "n8n-nodes-base.stickyNote"
#: nodes built to loop or to leave a loop: a cycle through one of them is how n8n iterates or polls, not a mistake
LOOP_TYPES = frozenset(
    {f"n8n-nodes-base.{t}" for t in ("splitInBatches", "if", "switch", "filter", "compareDatasets")} | {"@n8n/n8n-nodes-langchain.textClassifier"}
)
_COMMUNITY = re.compile(r"(^|/)n8n-nodes-")
_OFFICIAL = ("n8n-nodes-base.", "@n8n/n8n-nodes-langchain.")


@lru_cache(maxsize=4096)
def is_community(type_name: str) -> bool:
    """A community package's type (`n8n-nodes-<vendor>.*`, `@scope/n8n-nodes-<vendor>.*`)."""
    package = type_name.rpartition(".")[0]
    return bool(package) and not type_name.startswith(_OFFICIAL) and bool(_COMMUNITY.search(package))


def check(ctx: Context) -> None:
    """Run every n8n rule on an n8n export (after the shared structure, node and connection rules)."""
    catalogue = cat_mod.load(ctx.settings.n8n_catalog)
    if catalogue is None:
        where = f"n8n catalogue {ctx.settings.n8n_catalog} not found" if ctx.settings.n8n_catalog else "No n8n catalogue"
        ctx.add(
            "N8N_CATALOG_MISSING",
            f"{where}: node types, versions, parameters and credentials are not checked; {cat_mod.BUILD_HINT}",
            "",
            (),
            anchor="key",
        )
    descs: dict[int, dict[str, Any]] = {}
    for i, node in ctx.iter_nodes():
        desc = _node(ctx, catalogue, i, node)
        if desc is not None:
            descs[i] = desc
    _connections(ctx, catalogue, descs)
    _graph_filters(ctx)


def _node(ctx: Context, catalogue: cat_mod.Catalogue | None, i: int, node: dict[str, Any]) -> dict[str, Any] | None:
    type_name = node.get("type")
    if not isinstance(type_name, str) or not type_name:
        return None
    tptr = ("nodes", i, "type")
    if is_community(type_name) and (catalogue is None or type_name not in catalogue.types):
        message = f'"{type_name}" is a community node: it is not in the catalogue, so it is not checked'
        ctx.add("N8N_COMMUNITY_NODE_TYPE", message, f"nodes[{i}].type", tptr)
        return None
    if catalogue is None:
        return None
    if type_name not in catalogue.types:
        guess = fixes.closest(type_name, _type_list(ctx, catalogue), ctx)
        ctx.add(
            "N8N_UNKNOWN_NODE_TYPE",
            f'Unknown n8n node type "{type_name}"' + (f'; did you mean "{guess}"?' if guess else "") + f" (catalogue: {catalogue.label()})",
            f"nodes[{i}].type",
            tptr,
            fix=fixes.replace_value(tptr, guess, f'Change type to "{guess}"', safe=False) if guess else None,
        )
        return None
    version = node.get("typeVersion", 1)
    desc = catalogue.description(type_name, version)
    if desc is None:
        valid = catalogue.versions(type_name)
        near = _nearest(version, valid)
        vptr = ("nodes", i, "typeVersion") if "typeVersion" in node else tptr
        ctx.add(
            "N8N_UNKNOWN_TYPE_VERSION",
            f"typeVersion {version!r} is not a version of {type_name}; valid: {', '.join(valid)}",
            f"nodes[{i}].typeVersion",
            vptr,
            related=[Related(f"{type_name} is declared here", tptr)],
            fix=fixes.replace_value(vptr, _number(near), f"Use typeVersion {near}", safe=False) if near and "typeVersion" in node else None,
        )
        return None
    _credentials(ctx, i, node, desc, type_name, catalogue.memo)
    params.check_node(ctx, i, node, desc, catalogue.memo)
    return desc


def _type_list(ctx: Context, catalogue: cat_mod.Catalogue) -> list[str]:
    found = ctx.candidate_lists.get("n8n-types")
    if found is None:
        found = ctx.candidate_lists["n8n-types"] = sorted(catalogue.types)
    return found


def _nearest(version: Any, valid: list[str]) -> str | None:
    if not valid:
        return None
    if isinstance(version, bool) or not isinstance(version, (int, float)):
        return valid[-1]
    return min(valid, key=lambda v: (abs(float(v) - version), -float(v)))


def _number(text: str | None) -> int | float | None:
    if text is None:
        return None
    f = float(text)
    return int(f) if f.is_integer() else f


def _accepted_credentials(desc: dict[str, Any], memo: dict[str, Any]) -> list[Any] | None:
    """The credential types a description accepts (None: any, picked by a parameter, as in HTTP Request)."""
    table = memo.setdefault("credentials", {})
    key = id(desc)
    if key not in table:
        props = desc.get("properties") or []
        any_type = any(isinstance(p, dict) and p.get("name") in ("nodeCredentialType", "genericAuthType") for p in props)
        table[key] = None if any_type else [c.get("name") for c in desc.get("credentials") or [] if isinstance(c, dict)]
    found: list[Any] | None = table[key]
    return found


def _credentials(ctx: Context, i: int, node: dict[str, Any], desc: dict[str, Any], type_name: str, memo: dict[str, Any]) -> None:
    creds = node.get("credentials")
    if not isinstance(creds, dict) or not creds:
        return
    accepted = _accepted_credentials(desc, memo)
    if accepted is None:
        return  # the node takes any credential type, picked by a parameter
    for name in creds:
        if name not in accepted:
            ctx.add(
                "N8N_INVALID_CREDENTIAL_TYPE",
                f'{type_name} does not accept credentials of type "{name}"'
                + (f"; it accepts {', '.join(a for a in accepted if isinstance(a, str))}" if accepted else "; it takes no credentials"),
                f"nodes[{i}].credentials.{name}",
                ("nodes", i, "credentials", name),
                anchor="key",
            )


_QUOTED_KIND = re.compile(r"""['"](main|ai_[A-Za-z]+)['"]""")


def connection_types(value: Any) -> set[str] | None:
    """The connection types a description's inputs or outputs declare (None when unknown).

    Some nodes compute theirs per node with an expression n8n evaluates (the AI Agent's inputs depend on its
    parameters); every type such an expression can return is spelled in it, so the types it names are a safe superset.
    """
    if isinstance(value, str):
        named = set(_QUOTED_KIND.findall(value))
        return named or None
    if not isinstance(value, list):
        return None
    out: set[str] = set()
    for item in value:
        if isinstance(item, str):
            out.add(item)
        elif isinstance(item, dict) and isinstance(item.get("type"), str):
            out.add(item["type"])
    return out


def _known_kind(ctype: str) -> bool:
    return ctype == "main" or ctype.startswith("ai_")


def _connections(ctx: Context, catalogue: cat_mod.Catalogue | None, descs: dict[int, dict[str, Any]]) -> None:
    conns = ctx.wf.get("connections")
    if not isinstance(conns, dict):
        return
    inputs: dict[int, set[str] | None] = {}  # node index -> its input types (computed once per node)
    for src, outputs in conns.items():
        s = ctx.names.get(src)
        if s is None or not isinstance(outputs, dict):
            continue
        sdesc = descs.get(s)
        souts = connection_types(sdesc.get("outputs")) if sdesc else None
        stype = ctx.nodes[s].get("type")
        for ctype, indices in outputs.items():
            if not isinstance(indices, list) or not any(isinstance(x, list) and x for x in indices):
                continue
            optr = ("connections", src, ctype)
            if stype == STICKY_NOTE:
                ctx.add(
                    "N8N_INVALID_CONNECTION_TYPE",
                    f'Sticky note "{src}" is not a node of the graph and has no outputs',
                    f"connections.{src}",
                    ("connections", src),
                    anchor="key",
                )
                break
            if not _known_kind(ctype) or (souts is not None and ctype not in souts):
                ctx.add(
                    "N8N_INVALID_CONNECTION_TYPE",
                    f'"{src}" has no "{ctype}" output' + (f"; its outputs: {', '.join(sorted(souts)) or 'none'}" if souts is not None else ""),
                    f"connections.{src}.{ctype}",
                    optr,
                    anchor="key",
                    related=[Related(f"{src} is defined here", ("nodes", s, "type"))],
                )
                continue
            for x, targets in enumerate(indices):
                if not isinstance(targets, list):
                    continue
                for j, t in enumerate(targets):
                    if isinstance(t, dict):
                        _target(ctx, descs, inputs, src, ctype, optr + (x, j), t)


def _target(
    ctx: Context, descs: dict[int, dict[str, Any]], inputs: dict[int, set[str] | None], src: str, ctype: str, ptr: tuple[Any, ...], t: dict[str, Any]
) -> None:
    name = t.get("node")
    d = ctx.names.get(name) if isinstance(name, str) else None
    if d is None:
        return  # a dangling target is INVALID_CONNECTION_TARGET_NODE
    ttype = t.get("type", ctype)
    if not isinstance(ttype, str):
        return
    target_node = ctx.nodes[d]
    if target_node.get("type") == STICKY_NOTE:
        ctx.add(
            "N8N_INVALID_CONNECTION_TYPE",
            f'Sticky note "{name}" is not a node of the graph and takes no input',
            "",
            ptr + ("node",),
            related=[Related(f"{name} is defined here", ("nodes", d, "type"))],
        )
        return
    if ttype != ctype:
        ctx.add(
            "N8N_INVALID_CONNECTION_TYPE",
            f'A "{ctype}" output of "{src}" cannot feed the "{ttype}" input of "{name}": n8n connects equal types only',
            "",
            ptr + ("type",),
            related=[Related(f"the {ctype} output of {src}", ptr[:3], anchor="key")],
        )
        return
    if d in inputs:
        tins = inputs[d]
    else:
        tdesc = descs.get(d)
        tins = inputs[d] = connection_types(tdesc.get("inputs")) if tdesc else None
    if not _known_kind(ttype) or (tins is not None and ttype not in tins):
        where = ptr + ("type",) if "type" in t else ptr + ("node",)
        ctx.add(
            "N8N_INVALID_CONNECTION_TYPE",
            f'"{name}" has no "{ttype}" input'
            + (f"; its inputs: {', '.join(sorted(tins)) or 'none'}" if tins is not None else "")
            + f' (connection from "{src}")',
            "",
            where,
            related=[Related(f"{name} is defined here", ("nodes", d, "type"))],
        )


def _graph_filters(ctx: Context) -> None:
    """Sticky notes are not nodes of the graph; cycles through nodes built to loop are how n8n iterates."""
    kept = []
    for f in ctx.findings:
        if f.code == "UNREACHABLE_NODE" and len(f.pointer) > 1 and _type_at(ctx, f.pointer[1]) == STICKY_NOTE:
            continue
        if f.code == "CIRCULAR_DEPENDENCY" and any(len(r.pointer) > 1 and _type_at(ctx, r.pointer[1]) in LOOP_TYPES for r in f.related):
            continue
        kept.append(f)
    ctx.findings[:] = kept


def _type_at(ctx: Context, index: Any) -> str | None:
    if isinstance(index, int) and 0 <= index < len(ctx.nodes) and isinstance(ctx.nodes[index], dict):
        t = ctx.nodes[index].get("type")
        return t if isinstance(t, str) else None
    return None
