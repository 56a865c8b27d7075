"""The wheel people install: SPDX license and the LICENSE file, classifiers matching requires-python, project URLs,
py.typed, and a README fit to be the PyPI long description."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from tests.helpers import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "deprecated" not in proc.stderr.lower() or "license" not in proc.stderr.lower(), proc.stderr
    [built] = out.glob("wf_lsp-*.whl")
    return built


def _metadata(wheel: Path) -> tuple[list[str], object]:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
        return names, Parser().parsestr(zf.read(meta).decode("utf-8"))


def test_the_wheel_carries_license_types_and_urls(wheel: Path) -> None:
    names, meta = _metadata(wheel)
    assert meta["License-Expression"] == "MIT"  # type: ignore[index]
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), names
    assert "wf_lsp/py.typed" in names
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))  # type: ignore[attr-defined]
    assert {"Homepage", "Source", "Issues"} <= set(urls)
    assert meta["Description-Content-Type"] == "text/markdown"  # type: ignore[index]


def test_requires_python_matches_the_classifiers_and_ci() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11,<3.14"
    versions = sorted(
        c.rsplit(" :: ", 1)[1]
        for c in project["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    )
    assert versions == ["3.11", "3.12", "3.13"]
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in versions, (
        "the tests run on a Python the package does not claim"
    )


def test_the_readme_is_fit_for_pypi() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert not re.search(r"pip install wf-lsp\b(?!\S)", readme), (
        "wf-lsp is not on PyPI: say pipx install <path or git URL>, or the wheel"
    )
    assert "pipx install" in readme
    assert not re.search(r"\b[Ii]ssue[s]? ?#?\d+|#\d{1,4}\b", readme), "no issue numbers in the long description"
    example_end = readme.index("```\n", readme.index("```sh")) + 4  # the example command block at the top
    body = readme[example_end:]
    dev_paths = re.findall(
        r"`[^`\n]*(?:\.\./shared|/work/|\.venv/|\.ci/|\btests/|\bbench/|\bwf_lsp/|vscode-extension/e2e)[^`\n]*`", body
    )
    assert not dev_paths, f"paths into the development checkout: {dev_paths}"
    relative_links = re.findall(r"\]\((?!https?://|#)([^)]+)\)", readme)
    assert not relative_links, f"relative links do not work on PyPI: {relative_links}"
