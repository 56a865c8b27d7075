"""Benchmark of the shared Redis cache: `wf-lsp check` over the corpus x20, cold vs warm Redis."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

REPO = Path(__file__).resolve().parent.parent
CORPUS_CANDIDATES = (
    REPO.parent / "shared" / "corpus" / "metabuilder",
    Path("/work/shared/corpus/metabuilder"),
)
#: Exit codes of `wf-lsp check` that mean it ran: 0 clean, 1 problems found.
OK_EXITS = (0, 1)


def find_corpus(explicit: str | None) -> Path:
    """The MetaBuilder corpus folder (`--corpus`, else shared/ beside the repo)."""
    for candidate in [Path(explicit)] if explicit else CORPUS_CANDIDATES:
        if candidate.is_dir() and any(candidate.glob("*.json")):
            return candidate
    sys.exit(f"corpus not found (tried {', '.join(map(str, CORPUS_CANDIDATES))}); pass --corpus")


def copy_corpus(corpus: Path, dest: Path, copies: int, unique: bool) -> int:
    """Copy the corpus *.json into `copies` subfolders; `unique` makes each copy's bytes differ."""
    count = 0
    sources = sorted(corpus.glob("*.json"))
    for n in range(copies):
        folder = dest / f"copy{n:02d}"
        folder.mkdir(parents=True)
        for src in sources:
            if unique:  # trailing whitespace: same findings, different content hash
                (folder / src.name).write_bytes(src.read_bytes() + b" " * (n + 1))
            else:
                shutil.copyfile(src, folder / src.name)
            count += 1
    return count


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """A private redis-server on a free loopback port; yields its URL, killed on exit."""
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server not found: install it with `apt-get install -y redis-server`")
    port = free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    args += ["--dir", str(workdir), "--logfile", str(workdir / "redis.log")]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with redis.Redis.from_url(url, socket_timeout=1) as probe:
                    probe.ping()
                break
            except redis.RedisError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"redis-server did not start; see {workdir / 'redis.log'}")
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wf_lsp_command() -> list[str]:
    """The `wf-lsp` console script beside this Python, else `python -m wf_lsp`."""
    script = Path(sys.executable).with_name("wf-lsp")
    return [str(script)] if script.exists() else [sys.executable, "-m", "wf_lsp"]


def run_check(target: Path, cache_url: str | None, extra: list[str]) -> tuple[float, str]:
    """Wall time of one `wf-lsp check TARGET [EXTRA...] [--cache-url URL]`, and its stdout."""
    cmd = [*wf_lsp_command(), "check", str(target), *extra]
    if cache_url:
        cmd += ["--cache-url", cache_url]
    env = {k: v for k, v in os.environ.items() if k != "WF_LSP_REDIS_URL"}
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, env=env, check=False, timeout=1800)
    elapsed = time.perf_counter() - started
    if done.returncode not in OK_EXITS:
        err = done.stderr.decode(errors="replace")[-2000:]
        sys.exit(f"`{' '.join(cmd)}` exited {done.returncode}:\n{err}")
    return elapsed, done.stdout.decode(errors="replace")


def keyspace_hits(url: str) -> int:
    """The server's keyspace_hits counter (INFO stats)."""
    with redis.Redis.from_url(url) as client:
        return int(client.info("stats")["keyspace_hits"])


def bench(target: Path, url: str, repeat: int, extra: list[str]) -> dict[str, object]:
    """Medians of `repeat` runs each: no Redis, cold Redis (after FLUSHALL), warm Redis."""
    times: dict[str, list[float]] = {"none": [], "cold": [], "warm": []}
    same_output = True
    keys = warm_hits = 0
    with redis.Redis.from_url(url) as admin:
        for _ in range(repeat):
            times["none"].append(run_check(target, None, extra)[0])
            admin.flushall()
            cold_s, cold_out = run_check(target, url, extra)
            times["cold"].append(cold_s)
            keys = int(admin.dbsize())
            before = keyspace_hits(url)
            warm_s, warm_out = run_check(target, url, extra)  # a second, separate process
            times["warm"].append(warm_s)
            warm_hits = keyspace_hits(url) - before
            same_output = same_output and _comparable(cold_out) == _comparable(warm_out)
    return {
        "median": {k: statistics.median(v) for k, v in times.items()},
        "min": {k: min(v) for k, v in times.items()},
        "max": {k: max(v) for k, v in times.items()},
        "keys": keys,
        "warm_hits": warm_hits,
        "same_output": same_output,
    }


#: Report fields that legitimately differ between a cold and a warm run.
VOLATILE_KEYS = frozenset({"cacheHit", "cache_hit", "validationTimeMs", "elapsedMs", "statistics"})


def _comparable(output: str) -> object:
    """The JSON report without the fields that legitimately differ run to run."""
    try:
        return _strip(json.loads(output))
    except ValueError:
        return output


def _strip(data: object) -> object:
    if isinstance(data, dict):
        return {k: _strip(v) for k, v in data.items() if k not in VOLATILE_KEYS}
    if isinstance(data, list):
        return [_strip(v) for v in data]
    return data


def table(title: str, files: int, result: dict[str, object]) -> str:
    """A small Markdown table of one benchmark."""
    med, lo, hi = (result[k] for k in ("median", "min", "max"))
    assert isinstance(med, dict) and isinstance(lo, dict) and isinstance(hi, dict)
    rows = [
        f"### {title} ({files} files)",
        "",
        "| run | median s | min s | max s |",
        "| --- | ---: | ---: | ---: |",
    ]
    labels = {"none": "no Redis (memory only)", "cold": "cold Redis (after FLUSHALL)"}
    labels["warm"] = "warm Redis (second process)"
    for key, label in labels.items():
        rows.append(f"| {label} | {med[key]:.2f} | {lo[key]:.2f} | {hi[key]:.2f} |")
    ratio = med["cold"] / med["warm"] if med["warm"] else float("inf")
    rows += [
        "",
        (
            f"cold / warm = **{ratio:.1f}x**; keys in Redis after a cold run: {result['keys']}; "
            f"Redis keyspace hits in a warm run: {result['warm_hits']}; "
            f"same findings cold and warm: {'yes' if result['same_output'] else 'NO'}"
        ),
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", help="folder of workflow *.json (default: shared corpus)")
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--format", default="json", choices=("json", "text", "sarif", "github"))
    parser.add_argument("--jobs", type=int, help="pass --jobs N to wf-lsp check (default: its own)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--mode",
        choices=("identical", "unique", "both"),
        default="both",
        help="identical copies (dedupe by content hash) or byte-distinct copies",
    )
    args = parser.parse_args(argv)
    corpus = find_corpus(args.corpus)
    modes = ("identical", "unique") if args.mode == "both" else (args.mode,)
    extra = ["--format", args.format] + (["--jobs", str(args.jobs)] if args.jobs else [])
    print(f"`wf-lsp check {' '.join(extra)}`, corpus {corpus.name} x{args.copies}, ", end="")
    print(f"{args.repeat} runs each\n")
    with tempfile.TemporaryDirectory(prefix="wf-lsp-bench-") as tmp, redis_server(Path(tmp)) as url:
        for mode in modes:
            target = Path(tmp) / mode
            files = copy_corpus(corpus, target, args.copies, unique=mode == "unique")
            title = "identical copies" if mode == "identical" else "byte-distinct copies"
            print(table(title, files, bench(target, url, args.repeat, extra)) + "\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
