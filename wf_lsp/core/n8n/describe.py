"""Markdown about an n8n node type from the catalogue (hover): display name, description, parameters, connections."""

from __future__ import annotations

import json
from typing import Any

from wf_lsp.core.n8n.catalogue import Catalogue

MAX_ROWS = 40


def _cell(value: Any) -> str:
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 60 else text[:57] + "…"


def _kinds(value: Any) -> str:
    if isinstance(value, str):
        return "computed per node"
    out = [v if isinstance(v, str) else v.get("type", "?") for v in value or [] if isinstance(v, (str, dict))]
    return ", ".join(f"`{o}`" for o in out) or "none"


def type_markdown(catalogue: Catalogue | None, type_name: str, version: Any) -> str:
    """What the catalogue says about a type at a version (or why it says nothing)."""
    if catalogue is None:
        return f"**{type_name}** — no n8n catalogue: build one with `wf-lsp catalog build --n8n NODE_MODULES_DIR`"
    desc = catalogue.description(type_name, version)
    if desc is None:
        versions = catalogue.versions(type_name)
        if not versions:
            return f"**{type_name}** is not in the catalogue ({catalogue.label()})"
        return f"**{type_name}** has no version {version!r}; versions: {', '.join(versions)}"
    lines = [f"**{desc.get('displayName') or type_name}** (`{type_name}` v{version if version is not None else 1})", ""]
    if desc.get("description"):
        lines += [_cell(desc["description"]) if len(str(desc["description"])) > 300 else str(desc["description"]), ""]
    props = [p for p in desc.get("properties") or [] if isinstance(p, dict) and p.get("type") != "notice"]
    if props:
        lines += ["| Parameter | Type | Required | Default |", "| --- | --- | --- | --- |"]
        seen: set[str] = set()
        for p in props:
            name = str(p.get("name"))
            if name in seen:
                continue
            seen.add(name)
            if len(seen) > MAX_ROWS:
                lines.append(f"| … {len({str(q.get('name')) for q in props}) - MAX_ROWS} more | | | |")
                break
            default = p.get("default")
            shown = (
                ""
                if default in (None, "", {}, [])
                else f"`{_cell(default if isinstance(default, str) else json.dumps(default))}`"
            )
            lines.append(f"| `{name}` | {p.get('type', '?')} | {'yes' if p.get('required') else ''} | {shown} |")
        lines.append("")
    lines.append(f"Inputs: {_kinds(desc.get('inputs'))} · Outputs: {_kinds(desc.get('outputs'))}")
    creds = [c.get("name") for c in desc.get("credentials") or [] if isinstance(c, dict)]
    if creds:
        lines.append("Credentials: " + ", ".join(f"`{c}`" for c in creds))
    lines.append(f"_from {catalogue.label()}_")
    return "\n".join(lines)


def type_choices(catalogue: Catalogue) -> list[tuple[str, str, str]]:
    """(type name, display name, description) of every catalogue type at its newest version (for completion)."""
    out: list[tuple[str, str, str]] = []
    for name in sorted(catalogue.types):
        versions = catalogue.versions(name)
        desc = catalogue.description(name, float(versions[-1])) if versions else None
        if desc is not None:
            out.append((name, str(desc.get("displayName") or name), str(desc.get("description") or "")))
    return out


def parameter_choices(desc: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, detail) of a description's parameters, each name once (for completion)."""
    seen: dict[str, str] = {}
    for p in desc.get("properties") or []:
        if (
            isinstance(p, dict)
            and isinstance(p.get("name"), str)
            and p["name"] not in seen
            and p.get("type") != "notice"
        ):
            seen[p["name"]] = f"{p.get('displayName', p['name'])} · {p.get('type', '?')}" + (
                " · required" if p.get("required") else ""
            )
    return list(seen.items())


def option_values(desc: dict[str, Any], name: str) -> list[tuple[str, str]]:
    """(value, option name) of every fixed option of a parameter, across its variants (for completion)."""
    out: dict[str, str] = {}
    for p in desc.get("properties") or []:
        if isinstance(p, dict) and p.get("name") == name and p.get("type") in ("options", "multiOptions"):
            for o in p.get("options") or []:
                if isinstance(o, dict) and isinstance(o.get("value"), str):
                    out.setdefault(o["value"], str(o.get("name", o["value"])))
    return list(out.items())


def parameter_markdown(desc: dict[str, Any], name: str) -> str | None:
    """A parameter of a description (hover on its key): display name, type, default, required, options, description."""
    variants = [p for p in desc.get("properties") or [] if isinstance(p, dict) and p.get("name") == name]
    if not variants:
        return None
    p = variants[0]
    default = p.get("default")
    lines = [
        f"**{p.get('displayName') or name}** (`{name}`): {p.get('type', '?')}"
        + (" · required" if any(v.get("required") for v in variants) else "")
    ]
    if p.get("description"):
        lines += ["", str(p["description"])]
    if default not in (None, "", {}, []):
        lines += ["", f"Default: `{_cell(default if isinstance(default, str) else json.dumps(default))}`"]
    options = [o for v in variants for o in v.get("options") or [] if isinstance(o, dict) and "value" in o]
    if options:
        shown = ", ".join(f"`{_cell(o['value'])}`" for o in options[:MAX_ROWS])
        lines += ["", f"Options: {shown}" + (" …" if len(options) > MAX_ROWS else "")]
    if len(variants) > 1:
        lines += ["", f"_{len(variants)} variants, shown by the node's other parameters and version_"]
    return "\n".join(lines)
