"""The shared cache is a trust boundary: values planted in a real Redis (with redis-py, under the loader's own keys)
never change a verdict, never crash, and never put an edit into a file; without a secret the layer stays off."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.redis_server import RedisServer
from wf_lsp import __version__
from wf_lsp.core.cache import codec
from wf_lsp.core.findings import Finding, Fix, Severity, TextEdit
from wf_lsp.core.loader import WorkflowLoader, content_hash
from wf_lsp.core.result import Result
from wf_lsp.core.settings import CacheSettings, Settings

DATA = Path(__file__).parent / "data"
SECRET = "team-cache-secret"
GOOD = DATA / "ok" / "valid_default.json"
BAD = DATA / "err" / "INVALID_CONNECTION_TARGET_NODE_typo.json"
FIXABLE = DATA / "err" / "MISSING_TENANT_ID_absent.json"
PWNED = '{"pwned": true}\n'


def check(
    *args: str, secret: str | None = SECRET, env: dict[str, str] | None = None, timeout: float = 120
) -> tuple[int, str, str]:
    """`python -m wf_lsp check ...` in a subprocess, with WF_LSP_CACHE_SECRET set only when `secret` is given."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WF_LSP_")}
    if secret is not None:
        clean["WF_LSP_CACHE_SECRET"] = secret
    clean.update(env or {})
    cmd = [sys.executable, "-m", "wf_lsp", "check", "--no-config", "--jobs", "1", "--color", "never", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=clean)
    return proc.returncode, proc.stdout, proc.stderr


def shared_key(path: Path) -> str:
    """The key the loader uses for a file's text under the CLI's default settings."""
    return WorkflowLoader(Settings()).shared_key(path.read_text(encoding="utf-8"))


def local_result(path: Path) -> Result:
    return WorkflowLoader(Settings()).validate_text(path.read_text(encoding="utf-8"))


def old_style(result: Result, digest: str) -> bytes:
    """A value as wf-lsp wrote it before values were sealed, re-stamped with `digest`: what anyone can compute."""
    payload = codec.to_payload(result, __version__)
    payload["h"] = digest
    payload["s"] = result.summary
    payload.pop("e")
    return json.dumps(payload).encode()


def sealed(body: bytes, key: str, path: Path, secret: str = SECRET) -> bytes:
    """`body` sealed exactly as a holder of `secret` would seal it for `key` (a rogue holder of the team secret)."""
    from wf_lsp.core.cache.codec import seal

    loader = WorkflowLoader(Settings(cache=CacheSettings(secret=secret)))
    digest = content_hash(path.read_text(encoding="utf-8"))
    return seal(secret.encode(), key, digest, loader.fingerprint, __version__, body)


def plant(server: RedisServer, key: str, value: bytes) -> None:
    assert server.client().set(key, value)


def test_a_value_restamped_for_an_invalid_file_cannot_make_it_pass(tmp_path: Path, redis_server: RedisServer) -> None:
    """Copying a valid file's result under an invalid file's key (old format, or a sealed value of another key) is
    rejected, counted, and the file is validated here: its errors are reported and the run fails."""
    bad = tmp_path / "bad.json"
    shutil.copy(BAD, bad)
    assert check(str(bad), "--cache-url", redis_server.url)[0] == 1
    key = shared_key(bad)
    assert redis_server.client().exists(key) == 1  # the test plants under the loader's real key
    good_key = shared_key(GOOD)
    check(str(GOOD), "--cache-url", redis_server.url)
    digest = content_hash(bad.read_text(encoding="utf-8"))
    for value in (old_style(local_result(GOOD), digest), redis_server.client().get(good_key)):
        assert value is not None
        plant(redis_server, key, value)
        code, out, err = check(str(bad), "--cache-url", redis_server.url, "--statistics")
        assert code == 1 and "INVALID_CONNECTION_TARGET_NODE" in out, (code, out, err)
        assert "rejected=1" in out, out


@pytest.mark.parametrize("how", ["unsealed", "sealed with the team secret"])
def test_fix_never_applies_an_edit_from_redis(tmp_path: Path, redis_server: RedisServer, how: str) -> None:
    """A value claiming a safe fix that rewrites the whole file is never applied by --fix, even when it carries a valid
    MAC: only the fixes this process computes for the text are applied."""
    good, fixable = tmp_path / "good.json", tmp_path / "fixable.json"
    shutil.copy(GOOD, good)
    shutil.copy(FIXABLE, fixable)
    twin = tmp_path / "twin.json"
    shutil.copy(FIXABLE, twin)
    assert check(str(twin), "--fix")[0] in (0, 1)  # what --fix does without any cache
    for target in (good, fixable):
        text = target.read_text(encoding="utf-8")
        evil = Finding(
            "MISSING_TENANT_ID",
            "x",
            "tenantId",
            (),
            "value",
            Severity.ERROR,
            fixes=[Fix("fix it", (TextEdit(0, len(text), PWNED),), True)],
        )
        result = Result([evil], True, content_hash(text), local_result(target).summary, 1.0)
        key = shared_key(target)
        body = old_style(result, content_hash(text))
        plant(redis_server, key, body if how == "unsealed" else sealed(body, key, target))
    code, out, err = check(str(good), str(fixable), "--fix", "--cache-url", redis_server.url)
    assert "pwned" not in good.read_text() + fixable.read_text()
    assert good.read_bytes() == GOOD.read_bytes()
    assert fixable.read_bytes() == twin.read_bytes() != FIXABLE.read_bytes()


GARBAGE = [
    b"[" * 200_000,
    b'{"s":{}}',
    b"\xff\xfe\x00garbage",
    b"",
    b"null",
    b'{"f":1,"v":"%s","w":true,"h":"%s","s":{},"d":0,"x":[]}',
    b'{"f":1,"v":"%s","w":true,"h":"%s","s":{"nodeCount":"many"},"d":1e999,"x":[[1,2,3]]}',
    b'{"f":1,"v":"%s","w":true,"h":"%s","s":{},"d":0,"x":[["C","m","p",[],"value",1,[],[],"",[0,0,999999999,0,0,999999999],[]]]}',
]


@pytest.mark.parametrize("sealing", ["unsealed", "sealed"])
@pytest.mark.parametrize("raw", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_values_never_crash(tmp_path: Path, redis_server: RedisServer, raw: bytes, sealing: str) -> None:
    """Any bytes under a file's key, with or without a valid MAC, give the file's own findings and exit code (never exit
    3, never a traceback)."""
    bad = tmp_path / "bad.json"
    shutil.copy(BAD, bad)
    baseline = check(str(bad), "--format", "json")
    key = shared_key(bad)
    value = raw.replace(b"%s", __version__.encode(), 1).replace(
        b"%s", content_hash(bad.read_text(encoding="utf-8")).encode(), 1
    )
    plant(redis_server, key, value if sealing == "unsealed" else sealed(value, key, bad))
    code, out, err = check(str(bad), "--format", "json", "--cache-url", redis_server.url)
    assert "Traceback" not in err and code == baseline[0] == 1, err
    assert _stable(out) == _stable(baseline[1])


def _stable(out: str) -> Any:
    rows = json.loads(out)
    for row in rows:
        row["summary"].pop("metrics", None)
    return rows


def test_without_a_secret_the_layer_stays_off_and_says_so_once(tmp_path: Path, redis_server: RedisServer) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(120):  # enough for parallel workers: still one message
        shutil.copy(BAD if i % 2 else GOOD, folder / f"f{i:03d}.json")
    code, out, err = check(str(folder), "--cache-url", redis_server.url, "--jobs", "2", "--statistics", secret=None)
    assert code == 1
    told = [line for line in err.splitlines() if "secret" in line]
    assert len(told) == 1, err
    assert "cache.secret" in told[0] and "WF_LSP_CACHE_SECRET" in told[0]
    assert redis_server.client().dbsize() == 0 and redis_server.command_calls("mget") == 0
    # the environment variable turns it on
    check(str(folder), "--cache-url", redis_server.url, "--jobs", "2")
    assert redis_server.client().dbsize() == 2  # two distinct texts


def test_a_redis_url_without_the_redis_client_goes_on_from_memory(tmp_path: Path) -> None:
    """With the Redis client missing (`import redis` fails), the run says so once and checks from memory: exit 1 for
    problems found, not exit 3."""
    bad = tmp_path / "bad.json"
    shutil.copy(BAD, bad)
    code = (
        "import sys; sys.modules['redis'] = None\n"  # exactly what a missing package does to `import redis`
        "from wf_lsp.cli import main\n"
        f"sys.exit(main(['check', '--no-config', {str(bad)!r}, '--cache-url', 'redis://127.0.0.1:1/0']))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("WF_LSP_")}
    env["WF_LSP_CACHE_SECRET"] = SECRET
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "INVALID_CONNECTION_TARGET_NODE" in proc.stdout
    told = [line for line in proc.stderr.splitlines() if "Redis client" in line]
    assert len(told) == 1 and "pip install" in told[0], proc.stderr


PASSWORD = "pa/ss#wo?rd@x"


def test_a_password_with_reserved_characters_works_and_is_never_printed(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    redis_server.config_set("requirepass", PASSWORD)
    good = tmp_path / "good.json"
    shutil.copy(GOOD, good)
    url = f"redis://:{PASSWORD}@127.0.0.1:{redis_server.port}/0"
    for _ in range(2):
        code, out, err = check(str(good), "--cache-url", url, "--statistics")
        assert code == 0 and "errors=0" in out, out + err
    assert "1 shared hit(s)" in out
    wrong = f"redis://:{PASSWORD}x@127.0.0.1:{redis_server.port}/0"
    code, out, err = check(str(good), "--cache-url", wrong, "--statistics")
    assert code == 0 and "errors=1" in out
    for part in ("pa/ss", "ss#wo", "wo?rd", "rd@x"):
        assert part not in out + err, out + err


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=12)
        | st.dictionaries(st.sampled_from(list("fvwhsdxe") + ["nodeCount"]), inner, max_size=8)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | _JSON.map(lambda v: json.dumps(v).encode()))
def test_decoding_is_total(data: bytes) -> None:
    """Any bytes decode to a result or None; never an exception."""
    result = codec.decode(data, __version__, "h")
    assert result is None or isinstance(result, Result)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10), st.data())
def test_a_mutated_real_payload_decodes_to_a_checked_result_or_none(n: int, data: st.DataObject) -> None:
    """A real payload with one field swapped for anything: a result whose fields have the right types, or None."""
    payload = codec.to_payload(local_result(FIXABLE), __version__)
    path = ["x", 0, n] if n < 11 else ["s"]
    payload["x"][0][path[2]] = data.draw(_JSON)
    result = codec.from_payload(payload, __version__, None)
    if result is not None:
        for f in result.findings:
            assert (
                isinstance(f.code, str)
                and isinstance(f.severity, Severity)
                and all(isinstance(p, str | int) for p in f.pointer)
            )
            assert f.span is None or f.span.start.offset <= f.span.end.offset
        assert isinstance(result.summary["validation"]["errorCount"], int)


def test_the_secret_from_a_settings_file_turns_the_layer_on(tmp_path: Path, redis_server: RedisServer) -> None:
    good = tmp_path / "good.json"
    shutil.copy(GOOD, good)
    cfg = tmp_path / "wf-lsp.toml"
    cfg.write_text(f'cache = {{ redisUrl = "{redis_server.url}", secret = "from-the-file" }}\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("WF_LSP_")}
    cmd = [sys.executable, "-m", "wf_lsp", "check", str(good), "--config", str(cfg), "--statistics"]
    for _ in range(2):
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0 and "1 shared hit(s)" in proc.stdout, proc.stdout + proc.stderr
    assert "from-the-file" not in proc.stdout + proc.stderr
