"""`wf-lsp check --cache-url` against a real redis-server: shared across processes, and faults never change results."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import corpus_files
from tests.redis_server import RedisServer


def _corpus_copy(tmp_path: Path, n: int = 30) -> Path:
    folder = tmp_path / "flows"
    folder.mkdir()
    for f in corpus_files()[:n]:
        shutil.copy(f, folder / f.name)
    return folder


SECRET = "team-cache-secret"


def _check(folder: Path, url: str, *extra: str, secret: str | None = SECRET) -> tuple[int, list[dict], str]:
    cmd = [
        sys.executable,
        "-m",
        "wf_lsp",
        "check",
        str(folder),
        "--format",
        "json",
        "--cache-url",
        url,
        "--statistics",
        "--jobs",
        "1",
        *extra,
    ]
    env = {k: v for k, v in os.environ.items() if k not in ("WF_LSP_CACHE_SECRET", "WF_LSP_REDIS_URL")}
    if secret is not None:
        env["WF_LSP_CACHE_SECRET"] = secret
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def _findings(rows: list[dict]) -> list[tuple[str, str]]:
    return sorted((Path(r["file"]).name, json.dumps([r["errors"], r["warnings"]], sort_keys=True)) for r in rows)


def test_a_second_process_gets_every_result_from_redis(tmp_path: Path, redis_server: RedisServer) -> None:
    folder = _corpus_copy(tmp_path)
    code1, cold, err1 = _check(folder, redis_server.url)
    code2, warm, err2 = _check(folder, redis_server.url)
    assert code1 == code2 == 1 and _findings(cold) == _findings(warm)
    # a file with fixes is validated again here: the shared value never carries edits
    fixable = sum(1 for r in cold if any(f["fixes"] for f in r["errors"] + r["warnings"] + r["infos"]))
    assert 0 < fixable < 30
    assert "0 shared hit(s), 30 miss(es)" in err1, err1
    assert f"{30 - fixable} shared hit(s), {fixable} miss(es)" in err2 and f"recomputed={fixable}" in err2, err2
    assert redis_server.command_calls("mget") == 2  # one batch per run, not one call per file


def test_faults_fall_back_to_memory_with_the_same_results(tmp_path: Path, redis_server: RedisServer) -> None:
    folder = _corpus_copy(tmp_path, 12)
    code, baseline, _ = _check(folder, redis_server.url)
    # garbage under every key: ignored, revalidated
    client = redis_server.client()
    for key in client.keys("wf-lsp:*"):
        client.set(key, b"\x00not ours")
    code_g, garbage, err_g = _check(folder, redis_server.url)
    assert code_g == code and _findings(garbage) == _findings(baseline) and "12 miss(es)" in err_g
    # a server that is down: no error, same diagnostics
    redis_server.stop()
    code_d, down, err_d = _check(folder, redis_server.url)
    assert code_d == code and _findings(down) == _findings(baseline)
    assert "state=open" in err_d and "Traceback" not in err_d
