"""Rules for n8n exports: node types, type versions, credentials, parameters, connection types, from the catalogue."""

from __future__ import annotations

import functools
import re
from functools import lru_cache
from typing import Any

from wf_lsp.core.findings import Related
from wf_lsp.core.fix import fixes
from wf_lsp.core.fix.suggest import closest
from wf_lsp.core.n8n import catalogue as cat_mod
from wf_lsp.core.n8n import kept, params
from wf_lsp.core.n8n.dialect import STICKY_NOTE
from wf_lsp.core.rules.context import Context
from wf_lsp.core.rules.rule import note, report_walked, rule

#: nodes built to loop or to leave a loop: a cycle through one of them is how n8n iterates or polls, not a mistake
LOOP_TYPES = frozenset(
    {f"n8n-nodes-base.{t}" for t in ("splitInBatches", "if", "switch", "filter", "compareDatasets")}
    | {"@n8n/n8n-nodes-langchain.textClassifier"}
)
_COMMUNITY = re.compile(r"(^|/)n8n-nodes-")
_OFFICIAL = ("n8n-nodes-base.", "@n8n/n8n-nodes-langchain.")


@lru_cache(maxsize=4096)
def is_community(type_name: str) -> bool:
    """A community package's type (`n8n-nodes-<vendor>.*`, `@scope/n8n-nodes-<vendor>.*`)."""
    package = type_name.rpartition(".")[0]
    return bool(package) and not type_name.startswith(_OFFICIAL) and bool(_COMMUNITY.search(package))


@rule("N8N_CATALOG_MISSING")
def catalog_missing(ctx: Context) -> None:
    """No n8n catalogue to check node types, versions, parameters and credentials against."""
    report_walked(ctx, _export, "N8N_CATALOG_MISSING")


@rule("N8N_COMMUNITY_NODE_TYPE")
def community_node_type(ctx: Context) -> None:
    """A community node the catalogue does not have (information: it is not checked)."""
    report_walked(ctx, _export, "N8N_COMMUNITY_NODE_TYPE")


@rule("N8N_UNKNOWN_NODE_TYPE")
def unknown_node_type(ctx: Context) -> None:
    """A node type the catalogue does not have, with the closest type as a did-you-mean and a fix."""
    report_walked(ctx, _export, "N8N_UNKNOWN_NODE_TYPE")


@rule("N8N_UNKNOWN_TYPE_VERSION")
def unknown_type_version(ctx: Context) -> None:
    """A typeVersion the node type does not have, with the nearest one as a fix."""
    report_walked(ctx, _export, "N8N_UNKNOWN_TYPE_VERSION")


@rule("N8N_PARAMETER_ISSUE")
def parameter_issue(ctx: Context) -> None:
    """What n8n's own parameter check (getNodeParametersIssues) says of a node."""
    report_walked(ctx, _export, "N8N_PARAMETER_ISSUE")


@rule("N8N_INVALID_CONNECTION_TYPE")
def invalid_connection_type(ctx: Context) -> None:
    """A connection between an output and an input n8n would not connect."""
    report_walked(ctx, _export, "N8N_INVALID_CONNECTION_TYPE")


@rule("N8N_INVALID_CREDENTIAL_TYPE")
def invalid_credential_type(ctx: Context) -> None:
    """A credential of a type the node does not take."""
    report_walked(ctx, _export, "N8N_INVALID_CREDENTIAL_TYPE")


@rule("N8N_UNKNOWN_PARAMETER")
def unknown_parameter(ctx: Context) -> None:
    """A parameter the node's description does not have."""
    report_walked(ctx, _export, "N8N_UNKNOWN_PARAMETER")


@rule("N8N_INVALID_PARAMETER_VALUE")
def invalid_parameter_value(ctx: Context) -> None:
    """A parameter value n8n's editor does not accept."""
    report_walked(ctx, _export, "N8N_INVALID_PARAMETER_VALUE")


def _export(ctx: Context) -> None:
    """One walk over an n8n export for every n8n rule (after the shared structure, node and connection rules): the
    catalogue, then each node (type, version, credentials, parameters), then the connections."""
    catalogue = cat_mod.load(ctx.settings.n8n_catalog)
    if catalogue is None:
        hint = cat_mod.BUILD_HINT
        if ctx.settings.n8n_catalog:
            note(
                ctx,
                "N8N_CATALOG_MISSING",
                (),
                path="",
                anchor="key",
                variant="not_found",
                file=ctx.settings.n8n_catalog,
                hint=hint,
            )
        else:
            note(ctx, "N8N_CATALOG_MISSING", (), path="", anchor="key", hint=hint)
    kept.export(
        ctx,
        catalogue,
        functools.partial(_node, ctx, catalogue),
        functools.partial(_links, ctx, catalogue),
        "N8N_UNKNOWN_NODE_TYPE",  # the only note made after a did-you-mean
    )


def _node(ctx: Context, catalogue: cat_mod.Catalogue | None, i: int, node: dict[str, Any]) -> dict[str, Any] | None:
    type_name = node.get("type")
    if not isinstance(type_name, str) or not type_name:
        return None
    tptr = ("nodes", i, "type")
    if is_community(type_name) and (catalogue is None or type_name not in catalogue.types):
        note(ctx, "N8N_COMMUNITY_NODE_TYPE", tptr, type=type_name)
        return None
    if catalogue is None:
        return None
    if type_name not in catalogue.types:
        guess = closest(type_name, _type_list(ctx, catalogue), ctx.guess)
        if guess:
            fix = fixes.replace_value(tptr, guess, f'Change type to "{guess}"', safe=False)
            note(
                ctx,
                "N8N_UNKNOWN_NODE_TYPE",
                tptr,
                fix=fix,
                variant="guess",
                type=type_name,
                guess=guess,
                catalogue=catalogue.label(),
            )
        else:
            note(ctx, "N8N_UNKNOWN_NODE_TYPE", tptr, type=type_name, catalogue=catalogue.label())
        return None
    version = node.get("typeVersion", 1)
    desc = catalogue.description(type_name, version)
    if desc is None:
        valid = catalogue.versions(type_name)
        near = _nearest(version, valid)
        vptr = ("nodes", i, "typeVersion") if "typeVersion" in node else tptr
        note(
            ctx,
            "N8N_UNKNOWN_TYPE_VERSION",
            vptr,
            path=f"nodes[{i}].typeVersion",
            related=[Related(f"{type_name} is declared here", tptr)],
            fix=fixes.replace_value(vptr, _number(near), f"Use typeVersion {near}", safe=False)
            if near and "typeVersion" in node
            else None,
            version=repr(version),
            type=type_name,
            valid=", ".join(valid),
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
        any_type = any(
            isinstance(p, dict) and p.get("name") in ("nodeCredentialType", "genericAuthType") for p in props
        )
        table[key] = None if any_type else [c.get("name") for c in desc.get("credentials") or [] if isinstance(c, dict)]
    found: list[Any] | None = table[key]
    return found


def _credentials(
    ctx: Context, i: int, node: dict[str, Any], desc: dict[str, Any], type_name: str, memo: dict[str, Any]
) -> None:
    creds = node.get("credentials")
    if not isinstance(creds, dict) or not creds:
        return
    accepted = _accepted_credentials(desc, memo)
    if accepted is None:
        return  # the node takes any credential type, picked by a parameter
    for name in creds:
        if name not in accepted:
            cptr = ("nodes", i, "credentials", name)
            if accepted:
                names = ", ".join(a for a in accepted if isinstance(a, str))
                note(
                    ctx,
                    "N8N_INVALID_CREDENTIAL_TYPE",
                    cptr,
                    anchor="key",
                    type=type_name,
                    credential=name,
                    accepted=names,
                )
            else:
                note(
                    ctx,
                    "N8N_INVALID_CREDENTIAL_TYPE",
                    cptr,
                    anchor="key",
                    variant="none",
                    type=type_name,
                    credential=name,
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


def _types_of(desc: dict[str, Any] | None, side: str, memo: dict[str, Any]) -> frozenset[str] | None:
    """connection_types of a description's inputs or outputs, computed once per catalogue (which keeps desc alive)."""
    if desc is None:
        return None
    table = memo.setdefault("connection types", {})
    key = (id(desc), side)
    if key not in table:
        found = connection_types(desc.get(side))
        table[key] = frozenset(found) if found is not None else None
    hit: frozenset[str] | None = table[key]
    return hit


def _known_kind(ctype: str) -> bool:
    return ctype == "main" or ctype.startswith("ai_")


def _links(
    ctx: Context, catalogue: cat_mod.Catalogue | None, descs: dict[int, dict[str, Any]], src: str, outputs: Any
) -> list[str]:
    """Check the connection types of one entry of the connection map (the source's outputs, each target's inputs);
    the names it looked up (all it read besides the entry, and each named node's type and description)."""
    refs = [src]
    s = ctx.names.get(src)
    if s is None or not isinstance(outputs, dict):
        return refs
    memo: dict[str, Any] = catalogue.memo if catalogue is not None else {}
    sdesc = descs.get(s)
    souts = _types_of(sdesc, "outputs", memo)
    stype = ctx.nodes[s].get("type")
    for ctype, indices in outputs.items():
        if not isinstance(indices, list) or not any(isinstance(x, list) and x for x in indices):
            continue
        optr = ("connections", src, ctype)
        if stype == STICKY_NOTE:
            note(
                ctx,
                "N8N_INVALID_CONNECTION_TYPE",
                ("connections", src),
                anchor="key",
                variant="sticky_source",
                node=src,
            )
            break
        if not _known_kind(ctype) or (souts is not None and ctype not in souts):
            related = [Related(f"{src} is defined here", ("nodes", s, "type"))]
            if souts is None:
                note(ctx, "N8N_INVALID_CONNECTION_TYPE", optr, anchor="key", related=related, node=src, type=ctype)
            else:
                outs = ", ".join(sorted(souts)) or "none"
                note(
                    ctx,
                    "N8N_INVALID_CONNECTION_TYPE",
                    optr,
                    anchor="key",
                    related=related,
                    variant="outputs",
                    node=src,
                    type=ctype,
                    outputs=outs,
                )
            continue
        for x, targets in enumerate(indices):
            if not isinstance(targets, list):
                continue
            for j, t in enumerate(targets):
                if isinstance(t, dict):
                    name = t.get("node")
                    if isinstance(name, str):
                        refs.append(name)
                    _target(ctx, descs, memo, src, ctype, optr + (x, j), t)
    return refs


def _target(
    ctx: Context,
    descs: dict[int, dict[str, Any]],
    memo: dict[str, Any],
    src: str,
    ctype: str,
    ptr: tuple[Any, ...],
    t: dict[str, Any],
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
        related = [Related(f"{name} is defined here", ("nodes", d, "type"))]
        note(
            ctx,
            "N8N_INVALID_CONNECTION_TYPE",
            ptr + ("node",),
            path="",
            related=related,
            variant="sticky_target",
            node=name,
        )
        return
    if ttype != ctype:
        related = [Related(f"the {ctype} output of {src}", ptr[:3], anchor="key")]
        note(
            ctx,
            "N8N_INVALID_CONNECTION_TYPE",
            ptr + ("type",),
            path="",
            related=related,
            variant="unequal",
            src=src,
            out=ctype,
            node=name,
            type=ttype,
        )
        return
    tins = _types_of(descs.get(d), "inputs", memo)
    # ttype is the source's output type here, which _connections has checked is a known kind.
    if tins is not None and ttype not in tins:
        where = ptr + ("type",) if "type" in t else ptr + ("node",)
        related = [Related(f"{name} is defined here", ("nodes", d, "type"))]
        ins = ", ".join(sorted(tins)) or "none"
        note(
            ctx,
            "N8N_INVALID_CONNECTION_TYPE",
            where,
            path="",
            related=related,
            variant="input",
            node=name,
            type=ttype,
            inputs=ins,
            src=src,
        )
