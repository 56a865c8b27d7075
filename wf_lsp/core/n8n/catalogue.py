"""The n8n node catalogue: built on the user's machine from their n8n packages, found in the cache dir, loaded once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from wf_lsp.core.n8n import sanitize

FORMAT = 1
_NAME = re.compile(r"^n8n-catalog-.*\.json$")
BUILD_HINT = (
    "build one with `wf-lsp catalog build --n8n NODE_MODULES_DIR` "
    "(a folder where n8n-nodes-base and @n8n/n8n-nodes-langchain are installed)"
)


def cache_dir() -> Path:
    """Where catalogues live: $WF_LSP_CACHE_DIR, else the user's cache directory (XDG on Linux) / wf-lsp."""
    explicit = os.environ.get("WF_LSP_CACHE_DIR")
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "wf-lsp"


def find(explicit: str | None = None) -> Path | None:
    """The catalogue in force: the configured file, else the newest `n8n-catalog-*.json` in the cache dir."""
    if explicit:
        return Path(explicit).expanduser()
    try:
        found = [p for p in cache_dir().iterdir() if _NAME.match(p.name) and p.is_file()]
    except OSError:
        return None
    return max(found, key=lambda p: (p.stat().st_mtime, p.name)) if found else None


def identity(explicit: str | None = None) -> str:
    """A short string that changes whenever the catalogue in force changes (for cache fingerprints and reloads).

    The file name (which names the package versions) and size, not its folder: machines with the same n8n packages
    share results through a shared cache.
    """
    path = find(explicit)
    if path is None:
        return ""
    try:
        st = path.stat()
    except OSError:
        return f"{path.name}:missing"
    return f"{path.name}:{st.st_size}"


def version_key(value: Any) -> str | None:
    """A typeVersion as the catalogue spells it (JavaScript's String(number)): 1 -> "1", 2.0 -> "2", 4.2 -> "4.2"."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


@dataclass(slots=True)
class Catalogue:
    """A loaded catalogue: node types by name, each version pointing at a shared description."""

    path: Path
    packages: dict[str, str]
    descriptions: list[dict[str, Any]]
    types: dict[str, dict[str, Any]]
    memo: dict[str, Any] = field(default_factory=dict)

    def versions(self, type_name: str) -> list[str]:
        """The versions a type has, in numeric order."""
        entry = self.types.get(type_name)
        if entry is None:
            return []
        return sorted(entry["versions"], key=float)

    def description(self, type_name: str, version: Any) -> dict[str, Any] | None:
        """The description of a type at a typeVersion (n8n's default version 1 when absent)."""
        entry = self.types.get(type_name)
        key = version_key(1 if version is None else version)
        if entry is None or key is None:
            return None
        index = entry["versions"].get(key)
        if index is None:
            return None
        desc: dict[str, Any] = self.descriptions[index]
        if entry.get("toolOf"):
            return tool_variant(desc, self.memo, index)
        return desc

    def label(self) -> str:
        """The packages and versions it was built from."""
        return ", ".join(f"{k} {v}" for k, v in sorted(self.packages.items()))


def tool_variant(desc: dict[str, Any], memo: dict[str, Any], index: int) -> dict[str, Any]:
    """The AI-tool variant n8n derives from a `usableAsTool` node: no inputs, one `ai_tool` output."""
    key = f"tool:{index}"
    hit = memo.get(key)
    if hit is None:
        hit = memo[key] = {
            **desc,
            "name": f"{desc.get('name')}Tool",
            "inputs": [],
            "outputs": ["ai_tool"],
            "tool": True,
        }
    return hit


_LOADED: dict[str, tuple[str, Catalogue | None]] = {}
_LOCK = threading.Lock()


def load(explicit: str | None = None) -> Catalogue | None:
    """The catalogue in force, loaded once per file version (None when there is none or it cannot be read)."""
    path = find(explicit)
    if path is None:
        return None
    try:
        st = path.stat()
        ident = f"{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        ident = "missing"
    with _LOCK:
        hit = _LOADED.get(str(path))
        if hit is not None and hit[0] == ident:
            return hit[1]
        cat = _read(path)
        _LOADED[str(path)] = (ident, cat)
        return cat


def _read(path: Path) -> Catalogue | None:
    try:
        raw = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        return None
    descs = raw.get("descriptions")
    if not isinstance(descs, list):
        return None
    clean = [sanitize.description(d) for d in descs]
    packages = raw.get("packages")
    labels = {str(k): str(v) for k, v in packages.items()} if isinstance(packages, dict) else {}
    return Catalogue(path, labels, clean, sanitize.types(raw.get("types"), len(clean)))


def build(
    node_modules: Path, out_dir: Path | None = None, node: str = "node", timeout: float = 600
) -> tuple[Path, dict[str, Any]]:
    """Run our extractor in Node over the installed n8n packages; write the catalogue; return its path and summary."""
    from importlib import resources  # here, not at start-up

    script = resources.files("wf_lsp.core.n8n").joinpath("extract.js")
    with resources.as_file(script) as script_path:
        proc = subprocess.run(
            [node, str(script_path), str(node_modules)],
            capture_output=True,
            timeout=timeout,
            check=False,
            cwd=str(node_modules),
        )
    if proc.returncode != 0:
        raise RuntimeError(f"node exited with {proc.returncode}: {proc.stderr.decode(errors='replace')[-2000:]}")
    raw = orjson.loads(proc.stdout)
    packages = raw.get("packages") or {}
    if not raw.get("types"):
        raise RuntimeError(
            f"no n8n node descriptions found under {node_modules} "
            "(install n8n-nodes-base and @n8n/n8n-nodes-langchain there)"
        )
    tag = "_".join(f"{k.replace('@', '').replace('/', '-')}@{v}" for k, v in sorted(packages.items()))
    folder = out_dir or cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"n8n-catalog-{tag}.json"
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(proc.stdout)
    tmp.replace(target)
    summary = {
        "packages": packages,
        "types": len(raw["types"]),
        "descriptions": len(raw["descriptions"]),
        "failed": raw.get("failed") or [],
    }
    return target, summary
