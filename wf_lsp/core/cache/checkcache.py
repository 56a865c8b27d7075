"""The local on-disk result cache of `wf-lsp check --cache`: one index per settings fingerprint, keyed by file stat."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import stat
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from wf_lsp import __version__
from wf_lsp.core.cache import codec
from wf_lsp.core.cache.cachestats import CacheStats
from wf_lsp.core.result import Result
from wf_lsp.core.settings import Settings

#: Bump when the index layout changes; an index of another format is ignored.
FORMAT = 1
#: A file modified this recently may still change within the same timestamp tick: it is checked, never cached.
RACY_NS = 2_000_000_000
#: Entries kept from earlier runs (files not seen in this run) only while the index stays below this size.
MAX_ENTRIES = 100_000
#: Indexes kept in one folder (settings and tenants in use, builds of wf-lsp); the least recently written go first.
MAX_INDEXES = 16
#: Marks a file passed over because it holds no workflow (valid for folder searches only, never for named files).
PASSED = 0
_MAGIC = b"wf-lsp-index 3\n"
_DIGEST = 32
#: The per-user key (random, mode 0600) that authenticates the indexes in a cache folder.
KEY_FILE = "key"
_KEY_BYTES = 32
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# wf-lsp's result cache; see https://bford.info/cachedir/\n"

Stat = tuple[int, int, int, int]


def _code_identity() -> str:
    """The wf-lsp version plus the size and mtime of every source and data file of the core (editable installs)."""
    core = Path(__file__).resolve().parent.parent
    parts = [__version__]
    try:
        found = sorted(
            p for p in core.rglob("*") if p.suffix in (".py", ".json", ".toml") and "__pycache__" not in p.parts
        )
    except OSError:
        found = []
        parts.append("core:?")
    for path in found:
        try:
            st = path.stat()
            parts.append(f"{path.relative_to(core).as_posix()}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{path.relative_to(core).as_posix()}:?")
    return "\n".join(parts)


def _registry_sources(settings: Settings) -> str:
    """The extra registry files' names and contents (the shipped registry is part of the code identity)."""
    h = hashlib.blake2b(digest_size=16)
    for name in settings.registry:
        h.update(name.encode("utf-8", "surrogatepass") + b"\0")
        try:
            h.update(Path(name).expanduser().read_bytes())
        except OSError as exc:
            h.update(f"unreadable:{exc.errno}".encode())
        h.update(b"\0")
    return h.hexdigest()


def fingerprint(settings: Settings) -> str:
    """What a cached result depends on besides the file: settings (tenant included), registry, wf-lsp code."""
    parts = (
        str(FORMAT),
        sys.implementation.cache_tag or "",
        settings.fingerprint(_registry_sources(settings)),
        _code_identity(),
    )
    blob = "\0".join(parts)
    return hashlib.blake2b(blob.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class CheckCache:
    """Results of earlier runs, by file: a hit needs the same path, size, mtime, ctime and inode."""

    def __init__(self, folder: str | os.PathLike[str], settings: Settings) -> None:
        self.folder = Path(folder)
        self.fingerprint = fingerprint(settings)
        self.index_path = self.folder / f"check-{self.fingerprint}.idx"
        #: path-scoped ignores make a result depend on the path as written, not only on the file
        self._path_scoped = any(e.files for e in settings.ignore)
        try:
            self._cwd: str | None = os.getcwd()
        except OSError:  # the working folder was removed: only absolute paths can be keyed
            self._cwd = None
        self._old: dict[str, Any] = {}
        self._new: dict[str, Any] = {}
        self._seen: set[str] = set()
        self._dirty = False
        self._started_ns = time.time_ns()
        self.hits = 0
        self.misses = 0
        #: why the cache was (partly) ignored: shown as warnings, never an error
        self.warnings: list[str] = []
        problem = folder_problem(self.folder)
        #: an unsafe folder is neither read nor written
        self._usable = problem is None
        if problem is not None:
            self.warnings.append(f"{problem}; checking without the result cache")
            return
        self._load()

    def _load(self) -> None:
        try:
            data = self.index_path.read_bytes()
        except OSError:
            return
        key = self._key_file(create=False)
        if key is None:
            return
        try:
            payload = _loads(data, key)
        except _Forged:
            self.warnings.append(
                f"the result cache {self.index_path} failed verification (changed outside wf-lsp); "
                "it is ignored and rewritten"
            )
            self._dirty = True
            return
        except ValueError:
            return
        if (
            isinstance(payload, dict)
            and payload.get("format") == FORMAT
            and payload.get("version") == __version__
            and payload.get("fingerprint") == self.fingerprint
            and isinstance(payload.get("entries"), dict)
        ):
            self._old = payload["entries"]

    def key(self, path: str) -> str | None:
        """The entry key of a path: absolute (and, with path-scoped ignores, also as written)."""
        if self._cwd is None and not os.path.isabs(path):
            return None
        full = os.path.join(self._cwd or "", path)  # not normalized: another spelling of a path is only a miss
        return f"{full}\0{path}" if self._path_scoped else full

    def lookup(self, path: str, stat: Stat | None, explicit: bool) -> Result | int | None:
        """The cached result (or PASSED) for a file whose stat is unchanged; None on a miss."""
        key = self.key(path)
        if stat is None or key is None:
            self.misses += 1
            return None
        self._seen.add(key)
        entry = self._old.get(key)
        out: Result | int | None = None
        if isinstance(entry, list) and len(entry) == 5 and entry[:4] == list(stat):
            payload = entry[4]
            if payload == PASSED:
                out = None if explicit else PASSED
            else:
                out = codec.from_payload(payload, __version__, None)
        if out is None:
            self.misses += 1
            if entry is not None:
                self._dirty = True  # stale: replaced or dropped on save
        else:
            self.hits += 1
            self._new[key] = entry
        return out

    def store(self, path: str, stat: Stat | None, outcome: Result | None) -> None:
        """Remember a fresh result (None: passed over unread, no workflow markers), unless the file changed too
        recently to trust its timestamp."""
        key = self.key(path)
        if stat is None or key is None or max(stat[1], stat[2]) >= self._started_ns - RACY_NS:
            return
        payload = PASSED if outcome is None else codec.to_payload(outcome, __version__)
        self._new[key] = [*stat, payload]
        self._dirty = True

    def save(self) -> str | None:
        """Write the index (atomically) when anything changed; a failure is returned as a warning, never raised."""
        entries = self._new
        if len(self._old) + len(entries) <= MAX_ENTRIES:
            for k, v in self._old.items():  # files not part of this run stay cached
                if k not in self._seen:
                    entries.setdefault(k, v)
        elif self._old:
            self._dirty = True
        if not self._dirty or not self._usable:
            return None
        payload = {"format": FORMAT, "version": __version__, "fingerprint": self.fingerprint, "entries": entries}
        try:
            import tempfile

            self._ensure_folder()
            key = self._key_file(create=True)
            if key is None:
                return None  # said in a warning
            data = _dumps(payload, key)
            fd, tmp = tempfile.mkstemp(prefix=".check-", suffix=".tmp", dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, self.index_path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            self._prune()
        except (OSError, ValueError) as exc:
            return f"cannot write the result cache in {self.folder}: {exc}"
        return None

    def _prune(self) -> None:
        """Keep the newest MAX_INDEXES indexes (one per settings fingerprint and wf-lsp build)."""
        with contextlib.suppress(OSError):
            found = [(p.stat().st_mtime_ns, p) for p in self.folder.glob("check-*.idx") if p != self.index_path]
            for _mtime, path in sorted(found, reverse=True)[MAX_INDEXES - 1 :]:
                path.unlink()

    def _key_file(self, create: bool) -> bytes | None:
        """The folder's key: a regular file of this user's, readable by nobody else; made when missing and `create`.
        A key that is not private is not trusted (a warning says so, and the cache is left alone)."""
        path = self.folder / KEY_FILE
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            if not create:
                return None
            import tempfile

            key = secrets.token_bytes(_KEY_BYTES)
            tmp_fd, tmp = tempfile.mkstemp(prefix=".key-", dir=self.folder)  # mode 0600
            try:
                with os.fdopen(tmp_fd, "wb") as fh:
                    fh.write(key)
                os.link(tmp, path)  # whole or not at all; a run that made one meanwhile wins
            except FileExistsError:
                return self._key_file(create=False)
            finally:
                os.unlink(tmp)
            return key
        except OSError as exc:
            return self._distrust(f"cannot read {path}: {exc.strerror}")
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077:
                return self._distrust(
                    f"{path} is not a private file of this user "
                    f"(owner uid {st.st_uid}, mode {stat.filemode(st.st_mode)})"
                )
            key = fh.read(_KEY_BYTES + 1)
        if len(key) != _KEY_BYTES:
            return self._distrust(f"{path} is not a wf-lsp cache key")
        return key

    def _distrust(self, why: str) -> bytes | None:
        """Note why the cache is left alone (always None: no key)."""
        self.warnings.append(f"{why}; checking without the result cache")
        self._usable = False
        self._old = {}
        return None

    def _ensure_folder(self) -> None:
        if self.folder.is_dir():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o755)  # never group- or world-writable, whatever the umask
        (self.folder / ".gitignore").write_text("# created by wf-lsp\n*\n", encoding="utf-8")
        (self.folder / "CACHEDIR.TAG").write_text(_TAG, encoding="utf-8")

    def stats(self) -> CacheStats:
        """Hits and misses of this run."""
        return CacheStats(local_hits=self.hits, local_misses=self.misses)


def folder_problem(folder: Path) -> str | None:
    """Why a cache folder cannot be trusted (owned by another user, writable by group or others), or None.

    A folder that does not exist yet is fine: it is made private when first written."""
    try:
        st = folder.stat()
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode):
        return f"the result cache {folder} is not a folder"
    if st.st_uid != os.geteuid():
        return f"the result cache folder {folder} belongs to another user (uid {st.st_uid})"
    if st.st_mode & 0o022:
        return f"the result cache folder {folder} is writable by others ({stat.filemode(st.st_mode)})"
    return None


class _Forged(ValueError):
    """An index whose MAC does not verify."""


def _mac(body: bytes, key: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=_DIGEST, key=key).digest()


def _loads(data: bytes, key: bytes) -> Any:
    """The index's data; ValueError unless the file is whole and of this format, _Forged unless its MAC (keyed
    BLAKE2b with the folder's private key) verifies, then it must be JSON.

    The index is data, like the files it describes: JSON, never a format that can build code objects (marshal,
    pickle). Only a holder of the key can write an index that is read: a planted or edited one is ignored.
    """
    head = len(_MAGIC) + _DIGEST
    if len(data) < head or not data.startswith(_MAGIC):
        raise ValueError("not a wf-lsp index")
    body = data[head:]
    if not hmac.compare_digest(_mac(body, key), data[len(_MAGIC) : head]):
        raise _Forged("MAC mismatch")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        # lone surrogates (from undecodable file names or texts) are written with surrogatepass, which orjson refuses
        try:
            return json.loads(body.decode("utf-8", "surrogatepass"))
        except RecursionError as exc:
            raise ValueError("index nested too deeply") from exc


def _dumps(payload: Any, key: bytes) -> bytes:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")
    return _MAGIC + _mac(body, key) + body
