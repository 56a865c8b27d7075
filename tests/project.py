"""A small real project for configuration tests: a pyproject.toml with `[tool.wf-lsp]`, workflows in several folders,
an excluded folder, a git-ignored folder, a workspace registry file and a package.json, with the findings expected."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import DATA

#: DUPLICATE_NODE_NAME at 35:15, UNREACHABLE_NODE at 35:15, INVALID_CONNECTION_TARGET_NODE at 65:21 (1-based)
DUP = (DATA / "err" / "DUPLICATE_NODE_NAME_typed_in.json").read_text(encoding="utf-8")
#: A workflow whose second node has a type only the project's registry file defines.
CUSTOM = (
    (DATA / "err" / "INVALID_NODE_TYPE_typo.json").read_text(encoding="utf-8").replace('"logic.iff"', '"acme.custom"')
)
PYPROJECT = """\
[project]
name = "demo"
version = "1.0.0"

[tool.wf-lsp]
severity = { UNREACHABLE_NODE = "off" }
ignore = [{ code = "DUPLICATE_NODE_NAME", files = "legacy/*" }]
exclude = ["generated/"]
registry = ["tools/extra-node-types.json"]
"""
REGISTRY = {
    "types": {
        "acme.custom": {
            "description": "A node type of this project.",
            "group": "acme",
            "outputs": ["main"],
            "params": {},
        }
    }
}

#: (path relative to the project, 1-based line, 1-based column, code) of every finding the project must produce.
EXPECTED = frozenset(
    {
        ("flows/dup.json", 35, 15, "DUPLICATE_NODE_NAME"),
        ("flows/dup.json", 65, 21, "INVALID_CONNECTION_TARGET_NODE"),
        ("legacy/dup.json", 65, 21, "INVALID_CONNECTION_TARGET_NODE"),
    }
)


def make_project(root: Path) -> Path:
    """Write the project under `root` (which must not hold one yet); returns root."""
    files = {
        "pyproject.toml": PYPROJECT,
        ".gitignore": "scratch/\n",
        "package.json": json.dumps({"name": "demo", "version": "1.0.0", "private": True}, indent=2) + "\n",
        "tsconfig.json": '{"compilerOptions": {"strict": true}}\n',
        "tools/extra-node-types.json": json.dumps(REGISTRY, indent=2) + "\n",
        "flows/dup.json": DUP,
        "flows/custom.json": CUSTOM,
        "legacy/dup.json": DUP,
        "generated/dup.json": DUP,
        "scratch/dup.json": DUP,
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def findings_of_json_output(out: str, base: Path, cwd: Path) -> set[tuple[str, int, int, str]]:
    """The findings of `wf-lsp check --format json` output, paths made relative to `base` (they are printed as given,
    relative to `cwd` or absolute)."""
    found = set()
    for entry in json.loads(out):
        rel = (cwd / entry["file"]).resolve().relative_to(base.resolve()).as_posix()
        for kind in ("errors", "warnings", "infos"):
            for f in entry.get(kind, []):
                start = f["range"]["start"]
                found.add((rel, start["line"] + 1, start["character"] + 1, f["code"]))
    return found
