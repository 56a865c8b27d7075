"""Project configuration files: finding `wf-lsp.toml` / `[tool.wf-lsp]`, reading them strictly, anchoring paths."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from wf_lsp.core.settings import Settings, settings_from_mapping

CONFIG_NAMES = ("wf-lsp.toml", "pyproject.toml")
Preference = Literal["editorFirst", "filesystemFirst", "editorOnly"]
PREFERENCES: tuple[str, ...] = ("editorFirst", "filesystemFirst", "editorOnly")
#: `[tool.wf-lsp]` or `[tool.wf-lsp.severity]` (also when the rest of the line is broken: then its error is shown)
_HEADER = re.compile(r"^\s*\[\s*tool\s*\.\s*[\"']?wf-lsp\b", re.MULTILINE)
_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


class ConfigError(Exception):
    """A settings file that cannot be read or is not valid TOML: where (line and column, 1-based) and why."""

    def __init__(self, path: Path, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(f"{path}:{line}:{column}: {message}" if line else f"{path}: {message}")
        self.path, self.message, self.line, self.column = path, message, line, column


@dataclass(frozen=True, slots=True)
class Config:
    """A settings file's table, its paths anchored at its folder."""

    path: Path
    data: dict[str, Any]

    @property
    def folder(self) -> Path:
        """The folder the file's paths and globs are relative to."""
        return self.path.parent


def find_config_file(start: Path) -> Path | None:
    """The nearest `wf-lsp.toml`, or `pyproject.toml` with a `[tool.wf-lsp]` table, at or above `start`."""
    here = start if start.is_dir() else start.parent
    for folder in (here, *here.parents):
        candidate = folder / "wf-lsp.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _mentions_us(pyproject):
            return pyproject
    return None


def _mentions_us(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    if _HEADER.search(text) is not None:
        return True
    if "wf-lsp" not in text:
        return False
    try:  # `[tool]` with a `wf-lsp = ...` key, or an inline table: only a parse can tell
        tool = tomllib.loads(text).get("tool")
    except tomllib.TOMLDecodeError:
        return False  # broken, and no `[tool.wf-lsp]` header: not ours to report
    return isinstance(tool, dict) and "wf-lsp" in tool


def read_config(path: Path) -> Config:
    """The settings table of a file (the whole of `wf-lsp.toml`, `[tool.wf-lsp]` of a pyproject); ConfigError if
    broken."""
    path = path.absolute()
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(path, f"cannot read settings: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"settings file is not UTF-8 ({exc.reason})") from None
    try:
        data: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _AT.search(message)
        line, column = (int(found.group(1)), int(found.group(2))) if found else (0, 0)
        raise ConfigError(path, "invalid TOML: " + _AT.sub("", message).strip(), line, column) from None
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        data = tool.get("wf-lsp", {}) if isinstance(tool, dict) else {}
    if not isinstance(data, dict):
        raise ConfigError(path, "[tool.wf-lsp] must be a table")
    return Config(path, anchor(data, path.parent))


def anchor(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """A copy of a settings table whose relative registry paths are made absolute against `folder`."""
    registry = data.get("registry")
    if isinstance(registry, str):
        registry = [registry]
    if isinstance(registry, list) and all(isinstance(r, str) for r in registry):
        data = {**data, "registry": [os.path.join(folder, os.path.expanduser(r)) for r in registry]}
    return data


def project_settings(
    start: Path,
    editor: dict[str, Any] | None = None,
    preference: str = "editorFirst",
    base: Settings | None = None,
    editor_folder: Path | None = None,
) -> tuple[Settings, list[str], Config | None]:
    """The settings for files under `start`: the config file found from it merged with an editor's settings.

    `editorFirst`: the editor's keys override the file's; `filesystemFirst`: the file's override the editor's;
    `editorOnly`: the file is not read. A `severity` table is merged code by code. Globs are anchored at the config
    file's folder (else `editor_folder`, else `start`). A broken file raises ConfigError.
    """
    folder = editor_folder or (start if start.is_dir() else start.parent)
    editor = anchor(editor, folder) if editor else {}
    config = None
    if preference != "editorOnly":
        found = find_config_file(start)
        config = read_config(found) if found is not None else None
    problems: list[str] = []
    settings = base or Settings()
    layers: list[tuple[dict[str, Any], str]] = []
    if config is not None:
        layers.append((config.data, str(config.path)))
    if editor:
        layers.insert(len(layers) if preference != "filesystemFirst" else 0, (editor, "editor settings"))
    merged: dict[str, Any] = {}
    for data, where in layers:
        problems += [f"{where}: {m}" for m in settings_from_mapping(data, settings)[1]]
        for key, value in data.items():
            # a severity table is merged code by code: an editor demoting one rule keeps the file's other levels
            if key == "severity" and isinstance(value, dict) and isinstance(merged.get(key), dict):
                value = {**merged[key], **value}
            merged[key] = value
    settings = settings_from_mapping(merged, settings)[0]
    root = config.folder if config is not None else folder
    return settings.with_(root=str(root)), problems, config
