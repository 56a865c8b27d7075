"""`wf-lsp check --cache`: the local result cache hits on unchanged files, revalidates changed ones, keeps settings and
tenants apart, survives corrupt or foreign index files, and never changes what a run reports or how it exits."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import run_cli
from wf_lsp import __version__
from wf_lsp.core.cache import checkcache

DATA = Path(__file__).parent / "data"
FORMATS = ("text", "json", "sarif", "github")
BASE = ["check", ".", "--no-config", "--jobs", "1", "--color", "never"]


@pytest.fixture(autouse=True)
def _no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test are seconds old at most: trust their timestamps anyway."""
    monkeypatch.setattr(checkcache, "RACY_NS", 0)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """Every err and ok case (without sidecar settings), a broken workflow, non-workflow JSON, a BOM and a bad
    encoding."""
    root = tmp_path / "tree"
    (root / "err").mkdir(parents=True)
    (root / "ok").mkdir()
    for src in sorted((DATA / "err").glob("*.json")):
        if not src.with_suffix(".toml").exists():
            shutil.copy(src, root / "err" / src.name)
    for src in sorted((DATA / "ok").glob("*.json")):
        if not src.with_suffix(".toml").exists():
            shutil.copy(src, root / "ok" / src.name)
    good = (DATA / "ok" / "valid_default.json").read_bytes()
    (root / "package.json").write_text('{"name": "x", "version": "1.0.0"}')
    (root / "settings.json").write_text('{"nodes": "not a list"}')  # has the marker: validated, then passed over
    (root / "broken.json").write_bytes(good[: len(good) // 2])
    (root / "bom.json").write_bytes(b"\xef\xbb\xbf" + good)
    (root / "latin1.json").write_bytes(good.replace(b'"tenantId"', b'"tenant\xe9"', 1))
    return root


def _run(root: Path, *extra: str, fmt: str = "json") -> tuple[int, str, str]:
    return run_cli([*BASE, "--format", fmt, *extra], cwd=root)


def _stable(fmt: str, out: str) -> str:
    """Output without per-run timing: validation time and the cache-hit flag in json summaries."""
    if fmt != "json":
        return out
    rows = json.loads(out)
    for row in rows:
        row["summary"].pop("metrics", None)
    return json.dumps(rows, sort_keys=True)


def _local(err: str) -> tuple[int, int]:
    m = re.search(r"local: (\d+) hit\(s\), (\d+) miss\(es\)", err)
    assert m, err
    return int(m.group(1)), int(m.group(2))


def _index_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("check-*.idx"))


def test_second_run_hits_and_every_format_is_unchanged(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for fmt in FORMATS:
        plain = _run(tree, fmt=fmt)
        first = _run(tree, "--cache-dir", str(cache), fmt=fmt)
        second = _run(tree, "--cache-dir", str(cache), fmt=fmt)
        assert plain[0] == first[0] == second[0] == 1, fmt  # problems found, with or without the cache
        assert _stable(fmt, plain[1]) == _stable(fmt, first[1]) == _stable(fmt, second[1]), fmt
        assert plain[1].strip(), fmt
    code, out, err = _run(tree, "--cache-dir", str(cache), "--statistics")
    hits, misses = _local(err)
    files = len(list(tree.rglob("*.json")))
    assert (hits, misses) == (files, 0)
    assert "0 miss(es)" in err and "cache: 0 hit(s)" in err  # nothing validated at all
    assert json.loads(out)[0]["summary"]["metrics"]["cacheHit"] is True
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert len(_index_files(cache)) == 1


def test_exit_codes_and_options_are_unchanged(tree: Path, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    for extra in (
        ["--exit-zero"],
        ["-q", "--no-snippets"],
        ["--min-severity", "hint"],
        ["--select", "DUPLICATE_NODE_NAME"],
    ):
        plain = _run(tree, *extra, fmt="text")
        _run(tree, *extra, "--cache-dir", cache, fmt="text")
        warm = _run(tree, *extra, "--cache-dir", cache, fmt="text")
        assert plain == warm, extra
    clean = tree / "ok"
    assert _run(clean, "--cache-dir", cache)[0] == 0
    assert _run(clean, "--cache-dir", cache)[0] == 0


def test_a_modified_file_is_revalidated(tree: Path, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    target = tree / "ok" / "valid_default.json"
    _run(tree, "--cache-dir", cache)
    text = target.read_text()
    target.write_text(text.replace('"tenantId"', '"tenantIdX"', 1))
    code, out, err = _run(tree, "--cache-dir", cache, "--statistics")
    assert _local(err)[1] == 1
    row = next(r for r in json.loads(out) if r["file"].endswith("valid_default.json"))
    assert any(e["code"] == "MISSING_TENANT_ID" for e in row["errors"])
    assert _stable("json", out) == _stable("json", _run(tree)[1])
    assert _local(_run(tree, "--cache-dir", cache, "--statistics")[2])[1] == 0  # stored again


def test_a_touched_file_is_revalidated(tree: Path, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    _run(tree, "--cache-dir", cache)
    target = tree / "err" / sorted(os.listdir(tree / "err"))[0]
    st = target.stat()
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    code, out, err = _run(tree, "--cache-dir", cache, "--statistics")
    assert _local(err)[1] == 1
    assert _stable("json", out) == _stable("json", _run(tree)[1])


def test_same_size_rewrite_is_revalidated(tree: Path, tmp_path: Path) -> None:
    """Same size and (after the write) a restored mtime: the inode change time still tells."""
    cache = str(tmp_path / "cache")
    target = tree / "ok" / "valid_default.json"
    _run(tree, "--cache-dir", cache)
    st = target.stat()
    data = target.read_bytes()
    bad = data.replace(b'"tenantId"', b'"tenantIdX"', 1)[: len(data)]
    bad = bad[: bad.rindex(b"}") + 1]
    bad = bad + b" " * (len(data) - len(bad))
    assert len(bad) == len(data) and bad != data
    time.sleep(0.01)
    target.write_bytes(bad)
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    code, out, err = _run(tree, "--cache-dir", cache, "--statistics")
    assert _local(err)[1] == 1
    assert _stable("json", out) == _stable("json", _run(tree)[1])


def test_settings_and_tenants_never_share_results(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    files = len(list(tree.rglob("*.json")))
    for extra in (
        [],
        ["--tenant", "acme"],
        ["--tenant", "other"],
        ["--profile", "strict"],
        ["--user-level", "4", "--tenant", "acme"],
    ):
        code, out, err = _run(tree, *extra, "--cache-dir", str(cache), "--statistics")
        assert _local(err) == (0, files), extra  # a new fingerprint: nothing from the other settings
        assert _stable("json", out) == _stable("json", _run(tree, *extra)[1]), extra
    assert len(_index_files(cache)) == 5
    code, out, err = _run(tree, "--tenant", "acme", "--cache-dir", str(cache), "--statistics")
    assert _local(err) == (files, 0)  # each settings' index stays warm
    assert _stable("json", out) == _stable("json", _run(tree, "--tenant", "acme")[1])


def test_old_indexes_are_pruned(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkcache, "MAX_INDEXES", 2)
    cache = tmp_path / "cache"
    for tenant in ("a", "b", "c"):
        _run(tree / "ok", "--tenant", tenant, "--cache-dir", str(cache))
    assert len(_index_files(cache)) == 2
    assert _local(_run(tree / "ok", "--tenant", "c", "--cache-dir", str(cache), "--statistics")[2])[1] == 0


def test_a_changed_registry_file_misses(tree: Path, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    reg = tmp_path / "extra-types.json"
    reg.write_text('{"types": {}}')
    cfg = tmp_path / "wf-lsp.toml"
    cfg.write_text(f"registry = [{json.dumps(str(reg))}]\n")
    args = ["check", ".", "--config", str(cfg), "--format", "json", "--jobs", "1", "--statistics", "--cache-dir", cache]
    run_cli(args, cwd=tree)
    assert _local(run_cli(args, cwd=tree)[2])[1] == 0
    reg.write_text('{"types": {"acme.thing": {"category": "core"}}}')
    assert _local(run_cli(args, cwd=tree)[2])[0] == 0


def _key(cache: Path) -> bytes:
    return (cache / checkcache.KEY_FILE).read_bytes()


def _mac(body: bytes, key: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=32, key=key).digest()


def _foreign(version: str, fingerprint: str | None = None, fmt: int = checkcache.FORMAT) -> Callable[[bytes], bytes]:
    return lambda key: checkcache._dumps(
        {"format": fmt, "version": version, "fingerprint": fingerprint or "x", "entries": {}}, key
    )


@pytest.mark.parametrize(
    "content",
    [
        lambda key: b"\x00garbage\xff",
        lambda key: b"",
        lambda key: b'{"format": 1, "entries": {}}',
        lambda key: checkcache._MAGIC + b"\x00" * 32 + b"\xff\xff",  # wrong MAC
        lambda key: checkcache._MAGIC + _mac(b"\xff\xff", key) + b"\xff\xff",  # right MAC, bad body
        lambda key: checkcache._dumps([1, 2, 3], key),
        # an index with a right MAC: nested beyond any parser's limit, or not JSON at all
        lambda key: checkcache._MAGIC + _mac(b"[" * 100_000, key) + b"[" * 100_000,
        lambda key: checkcache._MAGIC + _mac(b"\xe3\x00\x00", key) + b"\xe3\x00\x00",
        _foreign("0.0.0-other"),
        _foreign(__version__, fmt=99),
    ],
)
def test_a_corrupt_or_foreign_index_is_ignored(tree: Path, tmp_path: Path, content: Callable[[bytes], bytes]) -> None:
    cache = tmp_path / "cache"
    _run(tree, "--cache-dir", str(cache))
    (index,) = _index_files(cache)
    index.write_bytes(content(_key(cache)))
    code, out, err = _run(tree, "--cache-dir", str(cache), "--statistics")
    assert code == 1 and "internal error" not in err
    assert _local(err)[0] == 0
    assert _stable("json", out) == _stable("json", _run(tree)[1])
    assert _local(_run(tree, "--cache-dir", str(cache), "--statistics")[2])[1] == 0  # rewritten, trusted again


def test_a_truncated_index_is_ignored(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _run(tree, "--cache-dir", str(cache))
    (index,) = _index_files(cache)
    data = index.read_bytes()
    for cut in (len(data) - 1, len(data) // 2, 20):
        index.write_bytes(data[:cut])
        code, out, err = _run(tree, "--cache-dir", str(cache), "--statistics")
        assert _local(err)[0] == 0 and code == 1
        index.write_bytes(data)


def test_damaged_entries_are_misses(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _run(tree, "--cache-dir", str(cache))
    (index,) = _index_files(cache)
    payload = checkcache._loads(index.read_bytes(), _key(cache))
    keys = sorted(payload["entries"])
    payload["entries"][keys[0]] = "junk"
    payload["entries"][keys[1]][4] = {"f": 1, "v": "0.1.0", "x": [["bad"]]}
    payload["entries"][keys[2]][4] = [1, 2, 3]
    index.write_bytes(checkcache._dumps(payload, _key(cache)))
    code, out, err = _run(tree, "--cache-dir", str(cache), "--statistics")
    assert _local(err)[1] == 3
    assert _stable("json", out) == _stable("json", _run(tree)[1])


def test_an_unwritable_cache_warns_and_changes_nothing(tree: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    plain = _run(tree, fmt="text")
    code, out, err = _run(tree, "--cache-dir", str(blocker / "cache"), fmt="text")
    assert (code, out) == plain[:2]
    assert "cannot write the result cache" in err


def test_default_cache_folder_is_skipped_by_discovery(tree: Path) -> None:
    plain = _run(tree, fmt="text")
    assert _run(tree, "--cache", fmt="text")[:2] == plain[:2]
    assert (tree / ".wf-lsp-cache" / ".gitignore").is_file()
    assert _run(tree, "--cache", fmt="text")[:2] == plain[:2]
    assert _local(_run(tree, "--cache", "--statistics")[2])[1] == 0


def test_passed_over_files_are_checked_when_named(tree: Path, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    _run(tree, "--cache-dir", cache)
    args = [
        "check",
        "package.json",
        "settings.json",
        "--no-config",
        "--format",
        "json",
        "--jobs",
        "1",
        "--cache-dir",
        cache,
    ]
    plain = run_cli([*args[:-2]], cwd=tree)
    warm = run_cli(args, cwd=tree)
    assert _stable("json", warm[1]) == _stable("json", plain[1])
    assert {Path(r["file"]).name for r in json.loads(warm[1])} == {"package.json", "settings.json"}


def test_fix_with_the_cache(tree: Path, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    twin = tmp_path / "twin"
    shutil.copytree(tree, twin)
    _run(tree, "--cache-dir", cache)
    fixed_cached = _run(tree, "--fix", "--cache-dir", cache, fmt="text")
    fixed_plain = _run(twin, "--fix", fmt="text")
    assert fixed_cached[:2] == fixed_plain[:2]
    for path in twin.rglob("*.json"):
        assert (tree / path.relative_to(twin)).read_bytes() == path.read_bytes()
    assert _run(tree, "--cache-dir", cache, fmt="text")[:2] == _run(twin, fmt="text")[:2]


def test_parallel_runs_fill_and_hit(tmp_path: Path) -> None:
    root = tmp_path / "many"
    root.mkdir()
    srcs = sorted(p for p in (DATA / "err").glob("*.json") if not p.with_suffix(".toml").exists())
    for i in range(120):
        shutil.copy(srcs[i % len(srcs)], root / f"f{i:03d}.json")
    cache = str(tmp_path / "cache")
    args = ["check", ".", "--no-config", "--format", "json", "--statistics"]
    plain = run_cli([*args, "--jobs", "1"], cwd=root)
    par = run_cli([*args, "--jobs", "2", "--cache-dir", cache], cwd=root)
    warm = run_cli([*args, "--jobs", "2", "--cache-dir", cache], cwd=root)
    assert _stable("json", plain[1]) == _stable("json", par[1]) == _stable("json", warm[1])
    assert _local(warm[2]) == (120, 0)


def test_help_documents_the_flags() -> None:
    code, out, _ = run_cli(["check", "--help"])
    assert code == 0 and "--cache-dir" in out and "--cache " in out


def test_a_tampered_index_entry_is_ignored_with_a_warning(tree: Path, tmp_path: Path) -> None:
    """Someone rewrites an invalid file's entry with a clean result and recomputes the unkeyed checksum, as anyone can:
    the index fails verification, is ignored with a warning, and the file's errors are reported."""
    cache = tmp_path / "cache"
    _run(tree, "--cache-dir", str(cache))
    (index,) = _index_files(cache)
    data = index.read_bytes()
    body = data[len(checkcache._MAGIC) + checkcache._DIGEST :]
    payload = json.loads(body)
    entries = payload["entries"]
    bad = next(k for k in entries if k.endswith("INVALID_NODE_TYPE_typo.json"))
    good = next(k for k in entries if k.endswith("valid_default.json"))
    entries[bad][4] = entries[good][4]
    forged = json.dumps(payload).encode()
    index.write_bytes(checkcache._MAGIC + hashlib.blake2b(forged, digest_size=checkcache._DIGEST).digest() + forged)
    code, out, err = _run(tree, "--cache-dir", str(cache), "--statistics", fmt="text")
    assert "INVALID_NODE_TYPE_typo.json" in out and "failed verification" in err, err
    assert _local(out)[0] == 0


@pytest.mark.parametrize("unsafe", ["another user's", "world-writable", "group-writable", "key readable by others"])
def test_an_unsafe_cache_folder_is_ignored_with_a_warning(tree: Path, tmp_path: Path, unsafe: str) -> None:
    """A cache folder that another user owns or can write (or whose key others can read) is neither read nor written."""
    cache = tmp_path / "cache"
    _run(tree, "--cache-dir", str(cache))
    (index,) = _index_files(cache)
    if unsafe == "another user's":
        os.chown(cache, 65534, 65534)
    elif unsafe == "world-writable":
        cache.chmod(0o777)
    elif unsafe == "group-writable":
        cache.chmod(0o775)
    else:
        (cache / checkcache.KEY_FILE).chmod(0o644)
    before = index.read_bytes(), index.stat().st_mtime_ns
    (tree / "ok" / "valid_default.json").touch()  # a run that used the cache would rewrite the index
    code, out, err = _run(tree, "--cache-dir", str(cache), "--statistics", fmt="text")
    assert (code, out.split("cache:")[0]) == (1, _run(tree, "--statistics", fmt="text")[1].split("cache:")[0])
    assert "checking without the result cache" in err, err
    assert (index.read_bytes(), index.stat().st_mtime_ns) == before
    assert len([line for line in err.splitlines() if "result cache" in line]) == 1


def test_a_new_cache_folder_and_key_are_private(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    old = os.umask(0o002)  # a umask that leaves new folders group-writable
    try:
        _run(tree, "--cache-dir", str(cache))
    finally:
        os.umask(old)
    assert cache.stat().st_mode & 0o022 == 0
    key = cache / checkcache.KEY_FILE
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == 32
    assert _local(_run(tree, "--cache-dir", str(cache), "--statistics")[2])[1] == 0
