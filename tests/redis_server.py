"""Pytest fixtures running a real, throwaway `redis-server` on a free loopback port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

INSTALL_HINT = (
    "redis-server is not installed: the shared-cache tests need a real one. "
    "Install it with `apt-get install -y redis-server` (Debian's package; .ci/run does this)."
)
_START_TIMEOUT_S = 10.0


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """One `redis-server` process: no persistence, loopback only, killed at teardown."""

    def __init__(self, binary: str, workdir: Path, port: int | None = None) -> None:
        self.binary = binary
        self.workdir = workdir
        self.port = port or free_port()
        self.password: str | None = None
        self.log_path = workdir / "redis.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._clients: list[redis.Redis] = []
        self._started = False

    @property
    def url(self) -> str:
        """`redis://127.0.0.1:PORT/0` (no password, whatever the server requires)."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def start(self, retries: int = 3) -> None:
        """Start on `self.port` and wait for PING; fail the test with the server log otherwise."""
        if self.running:
            return
        self.password = None
        args = [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.workdir),
            "--daemonize", "no",
            "--logfile", "",
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                if not self._started and "Address already in use" in self.log() and retries > 0:
                    self.port = free_port()  # lost a race for the port: take another one
                    self._proc = None
                    self.start(retries - 1)
                    return
                pytest.fail(f"redis-server exited with {self._proc.returncode}:\n{self.log()}")
            try:
                with redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=0.5) as probe:
                    if probe.ping():
                        self._started = True
                        return
            except redis.RedisError:
                time.sleep(0.02)
        self.stop()
        pytest.fail(f"redis-server did not answer PING within {_START_TIMEOUT_S}s:\n{self.log()}")

    def stop(self) -> None:
        """Terminate the process (kill if it lingers); pooled test clients are closed first."""
        self._close_clients()
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def restart(self) -> None:
        """Stop, then start again on the same port (an empty server: nothing is persisted)."""
        self.stop()
        self.start()

    def client(self, **kwargs: Any) -> redis.Redis:
        """A plain redis-py client for the test itself (knows the password set via config_set)."""
        kwargs.setdefault("socket_timeout", 5)
        made = redis.Redis(host="127.0.0.1", port=self.port, password=self.password, **kwargs)
        self._clients.append(made)
        return made

    def config_set(self, name: str, value: str | int) -> None:
        """`CONFIG SET name value`, remembering `requirepass` for later `client()` calls."""
        self.client().config_set(name, value)
        if name.lower() == "requirepass":
            self.password = str(value) or None

    def command_calls(self, command: str) -> int:
        """Times `command` ran since start or the last CONFIG RESETSTAT (from INFO commandstats)."""
        stats = self.client().info("commandstats")
        entry = stats.get(f"cmdstat_{command.lower()}")
        return int(entry["calls"]) if isinstance(entry, dict) else 0

    def log(self) -> str:
        """The server's log so far."""
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return "(no log)"

    def _close_clients(self) -> None:
        for made in self._clients:
            made.close()
        self._clients.clear()


@pytest.fixture(scope="session")
def redis_server_binary() -> str:
    """Path of `redis-server`; fails (never skips) when it is missing."""
    found = shutil.which("redis-server")
    if found is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    return found


@pytest.fixture
def redis_server_factory(redis_server_binary: str, tmp_path: Path) -> Iterator[Callable[[], RedisServer]]:
    """Start any number of servers for one test; all are stopped at teardown, pass or fail."""
    servers: list[RedisServer] = []

    def make() -> RedisServer:
        workdir = tmp_path / f"redis{len(servers)}"
        workdir.mkdir()
        server = RedisServer(redis_server_binary, workdir)
        servers.append(server)
        server.start()
        return server

    try:
        yield make
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def redis_server(redis_server_factory: Callable[[], RedisServer]) -> RedisServer:
    """A fresh, empty `redis-server` for this test."""
    return redis_server_factory()
