"""Project configuration in the CLI: paths and globs anchored at the config file, .gitignore, registry files, broken
files, the pre-commit mode, and the severity word in text output."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.project import DUP, EXPECTED, findings_of_json_output, make_project
from wf_lsp.core.config import ConfigError, project_settings, read_config


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "proj")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def _findings(args: list[str], cwd: Path, base: Path) -> tuple[int, set[tuple[str, int, int, str]], str]:
    code, out, err = run_cli(["check", "--format", "json", *args], cwd=cwd)
    return code, findings_of_json_output(out, base, cwd), err


def test_globs_and_paths_are_anchored_at_the_config_file(project: Path) -> None:
    """`ignore = [{files = "legacy/*"}]`, `exclude`, `registry` and `.gitignore` give one answer however the paths are
    spelled."""
    runs = {
        "root, no paths": _findings([], project, project),
        "root, .": _findings(["."], project, project),
        "subfolder, ..": _findings([".."], project / "flows", project),
        "subfolder, files": _findings(["../flows", "../legacy", "custom.json"], project / "flows", project),
        "absolute": _findings([str(project)], Path("/"), project),
        "absolute files": _findings(
            [str(project / "flows"), str(project / "legacy" / "dup.json")], project / "tools", project
        ),
    }
    for name, (code, found, err) in runs.items():
        assert (code, found) == (1, set(EXPECTED)), f"{name}: {err}"


def test_a_registry_file_is_found_from_any_folder_and_a_missing_one_is_reported(project: Path) -> None:
    code, out, err = run_cli(["check", "custom.json", "--no-snippets"], cwd=project / "flows")
    assert (code, out) == (0, ""), err
    assert "registry" not in err
    (project / "tools" / "extra-node-types.json").unlink()
    code, out, err = run_cli(["check", "custom.json", "--no-snippets"], cwd=project / "flows")
    assert code == 1 and "[INVALID_NODE_TYPE]" in out
    assert (
        f"registry file {str(project / 'tools' / 'extra-node-types.json')!r} ignored: No such file or directory" in err
    )


def test_exclude_applies_to_a_folder_named_on_the_command_line(project: Path) -> None:
    code, out, err = run_cli(["check", "generated"], cwd=project)
    assert (code, out) == (0, "") and "0 file(s) checked" in err
    code, out, err = run_cli(["check", str(project / "generated")], cwd=project / "flows")
    assert (code, out) == (0, "") and "0 file(s) checked" in err


def test_gitignore_is_respected_unless_switched_off(project: Path) -> None:
    code, found, _ = _findings([], project, project)
    assert not any(path.startswith("scratch/") for path, *_ in found)
    code, found, err = _findings(["--no-respect-gitignore"], project, project)
    assert ("scratch/dup.json", 35, 15, "DUPLICATE_NODE_NAME") in found, err
    (project / "wf-lsp.toml").write_text("respectGitignore = false\nexclude = ['generated/']\n", encoding="utf-8")
    code, found, err = _findings([], project, project)
    assert ("scratch/dup.json", 35, 15, "DUPLICATE_NODE_NAME") in found, err


def test_a_gitignore_above_the_checked_folder_counts(project: Path) -> None:
    (project / "flows" / "scratch").mkdir()
    (project / "flows" / "scratch" / "dup.json").write_text(DUP, encoding="utf-8")
    _, found, err = _findings(["."], project / "flows", project)
    assert not any("scratch" in path for path, *_ in found), err


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("pyproject.toml", '[project]\nname = "x"\n\n[tool.wf-lsp]\nprofile = "strict\n', ":5:18:"),
        ("wf-lsp.toml", "profile = 'strict'\nseverity = {A = 'off',, }\n", ":2:23:"),
        ("pyproject.toml", "[tool.wf-lsp\nprofile = 1\n", ":1:13:"),
    ],
)
def test_a_broken_config_file_is_a_usage_error_with_its_location(
    tmp_path: Path, name: str, text: str, where: str
) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "a.json").write_text(DUP, encoding="utf-8")
    code, out, err = run_cli(["check", "a.json"], cwd=tmp_path)
    assert (code, out) == (2, "")
    first = err.splitlines()[0]
    assert first.startswith(str(tmp_path / name) + where) and ": error: invalid TOML: " in first, err


def test_read_config_reports_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "wf-lsp.toml"
    path.write_text('profile = "oracle"\nuserLevel = \n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_config(path)
    assert (caught.value.line, caught.value.column) == (2, 13)


@pytest.mark.parametrize(
    ("preference", "profile", "severity"),
    [
        ("editorFirst", "strict", {"UNREACHABLE_NODE": "off", "DUPLICATE_NODE_NAME": "warning"}),
        (
            "filesystemFirst",
            "oracle",
            {"UNREACHABLE_NODE": "off", "DUPLICATE_NODE_NAME": "warning"},
        ),  # severity merged by code
        ("editorOnly", "strict", {"DUPLICATE_NODE_NAME": "warning"}),
    ],
)
def test_configuration_preference(tmp_path: Path, preference: str, profile: str, severity: dict[str, str]) -> None:
    """Editor settings override only the keys they set (editorFirst), or the file's win (filesystemFirst), or the file
    is not read (editorOnly)."""
    (tmp_path / "wf-lsp.toml").write_text(
        'profile = "oracle"\nseverity = { UNREACHABLE_NODE = "off" }\n', encoding="utf-8"
    )
    editor = {"profile": "strict", "severity": {"DUPLICATE_NODE_NAME": "warning"}}
    if preference == "editorFirst":  # a key the editor does not set comes from the file
        editor = {"profile": "strict"}
        severity = {"UNREACHABLE_NODE": "off"}
    settings, problems, config = project_settings(tmp_path, editor, preference)
    assert (settings.profile, settings.severity, problems) == (profile, severity, [])
    assert (config is None) == (preference == "editorOnly")
    assert settings.root == str(tmp_path)


def test_workflows_only_passes_over_other_json_quietly(project: Path) -> None:
    """What the pre-commit hook runs: every JSON file is handed over; only workflows are checked, excluded ones are
    not."""
    files = ["package.json", "tsconfig.json", "tools/extra-node-types.json", "generated/dup.json", "flows/custom.json"]
    code, out, err = run_cli(["check", "--workflows-only", "--no-snippets", *files], cwd=project)
    assert (code, out) == (0, ""), err
    assert "1 file(s) checked" in err
    code, out, err = run_cli(["check", "--workflows-only", "--no-snippets", *files, "legacy/dup.json"], cwd=project)
    assert (
        code == 1
        and out
        == 'legacy/dup.json:65:21: error: Target node "Respond" not found in workflow nodes '
        "[INVALID_CONNECTION_TARGET_NODE]\n"
    )
    # without the mode a named file is always checked: package.json is reported as no workflow
    code, out, _ = run_cli(["check", "--no-snippets", "package.json"], cwd=project)
    assert code == 1 and "package.json:" in out


def test_text_output_names_the_severity_without_snippets_or_colour(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(DUP, encoding="utf-8")
    code, out, _ = run_cli(["check", "a.json", "--no-config", "--no-snippets", "--color", "never"], cwd=tmp_path)
    assert code == 1
    assert out.splitlines() == [
        'a.json:35:15: error: Duplicate node name: "Check" [DUPLICATE_NODE_NAME]',
        'a.json:35:15: warning: Node "Check" is not reachable from any trigger [UNREACHABLE_NODE]',
        'a.json:65:21: error: Target node "Respond" not found in workflow nodes [INVALID_CONNECTION_TARGET_NODE]',
    ]
    code, out, _ = run_cli(["check", "a.json", "--no-config", "--no-snippets", "--color", "always"], cwd=tmp_path)
    assert "\x1b[33mwarning:\x1b[0m" in out and "\x1b[31merror:\x1b[0m" in out


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("pyproject.toml", b"[tool]\nwf-lsp = 5\n", "[tool.wf-lsp] must be a table"),
        ("wf-lsp.toml", b"profile = '\xff\xfe'\n", "settings file is not UTF-8"),
    ],
)
def test_a_settings_file_that_is_no_table_or_not_utf8_is_a_usage_error(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    (tmp_path / name).write_bytes(data)
    (tmp_path / "a.json").write_text(DUP, encoding="utf-8")
    code, out, err = run_cli(["check", "a.json"], cwd=tmp_path)
    assert (code, out) == (2, "") and message in err, err


def test_odd_values_in_a_settings_file_are_warnings_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "wf-lsp.toml").write_text(
        'registry = 5\nexclude = [1]\nrespectGitignore = "yes"\nfiles = {}\n', encoding="utf-8"
    )
    (tmp_path / "a.json").write_text(DUP, encoding="utf-8")
    code, out, err = run_cli(["check", "a.json", "--no-snippets"], cwd=tmp_path)
    assert code == 1 and "[DUPLICATE_NODE_NAME]" in out
    for key in ("registry", "exclude", "respectGitignore", "files"):
        assert f"setting {key!r}" in err, err
