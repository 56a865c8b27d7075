"""Settings from initializationOptions, workspace/configuration (per folder), didChangeConfiguration; a loader each."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.capabilities import get_capability

from wf_lsp.core.config import PREFERENCES, ConfigError, project_settings
from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.settings import Settings, settings_from_mapping
from wf_lsp.lsp.documents import uri_to_path

if TYPE_CHECKING:
    from wf_lsp.lsp.server import WfServer

log = logging.getLogger("wf_lsp.lsp.settings")
SECTION = "wf-lsp"
#: How long bad settings given at initialize wait for the client's workspace settings, to be shown in the same message.
HOLD_SECONDS = 5.0
#: Longest wait for the shared cache to answer its first call, beyond its own timeout (name resolution is not bounded by
#: it).
PROBE_GRACE_SECONDS = 2.0
PROBE_KEY = "wf-lsp:v1:probe"
#: Keys an editor may send that are the client's business, not the server's.
_CLIENT_KEYS = frozenset({"trace", "server", "serverCommand", "interpreter", "enable", "path", "args"})


def _mapping(data: Any) -> Any:
    """The settings object inside what a client sent: top-level keys, or a `wf-lsp` section."""
    if isinstance(data, dict) and isinstance(data.get(SECTION), dict):
        merged = {k: v for k, v in data.items() if k != SECTION}
        merged.update(data[SECTION])
        data = merged
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if k not in _CLIENT_KEYS}
    return data


class SettingsManager:
    """The settings in force for each workspace folder, and the validation loader for each distinct set."""

    def __init__(self, server: WfServer) -> None:
        self._server = server
        self._init_options: Any = None
        self.base = Settings()
        self._folders: dict[str, Settings] = {}
        self._loaders: dict[str, WorkflowLoader] = {}
        self._told: set[str] = set()
        #: Problems not shown yet, by where they came from: shown together, as one message.
        self._pending: dict[str, list[str]] = {}
        self._holding = 0
        self._held_for_client = False
        self._flush_handle: asyncio.Handle | None = None
        self._probes: set[asyncio.Future[None]] = set()
        self.ready = asyncio.Event()
        #: What the editor said (initializationOptions, then its global and per-folder settings), keys as it sent them.
        self._editor: dict[str, Any] = {}
        self._editor_folders: dict[str, dict[str, Any]] = {}
        #: The settings files in force, by workspace folder URI (to re-read them when one changes).
        self.config_files: dict[str, str] = {}

    # -- reading ------------------------------------------------------------------------------
    def initialize(self, options: Any) -> None:
        """Read initializationOptions (the settings keys at top level)."""
        self._init_options = _mapping(options)
        self._editor = dict(self._init_options) if isinstance(self._init_options, dict) else {}
        self.base, problems = settings_from_mapping(_engine_keys(self._init_options))
        # Shown with whatever the client's own settings add (one message), or alone if `initialized` never comes.
        self._held_for_client = True
        with contextlib.suppress(RuntimeError):
            asyncio.get_running_loop().call_later(HOLD_SECONDS, self._release)
        self._tell(problems, "initializationOptions")

    @property
    def can_pull(self) -> bool:
        """Whether the client answers workspace/configuration."""
        return bool(get_capability(self._server.client_capabilities, "workspace.configuration", False))

    async def refresh(self, pushed: Any = None) -> bool:
        """Re-read the settings (pulled per folder when the client can, else the pushed ones); True when they
        changed."""
        before = (self.base, dict(self._folders))
        self._holding += 1
        try:
            try:
                if self.can_pull:
                    await self._pull()
                elif pushed is not None:
                    raw = _mapping(pushed)
                    base, problems = settings_from_mapping(
                        _engine_keys(raw), settings_from_mapping(_engine_keys(self._init_options))[0]
                    )
                    self._tell(problems, "didChangeConfiguration")
                    self.base = base
                    self._editor = {
                        **(self._init_options if isinstance(self._init_options, dict) else {}),
                        **(raw if isinstance(raw, dict) else {}),
                    }
            except Exception as exc:  # a client that fails the request must not stop validation
                log.warning("could not read settings from the client: %s", exc)
            try:
                self._read_files()
            finally:
                self.ready.set()
            self._prune()
            await self._check_loaders()
        finally:
            self._holding -= 1
            self._held_for_client = False
            self._schedule_flush()
        return (self.base, self._folders) != before

    async def _check_loaders(self) -> None:
        """Build the loader of every settings set in force now (registry files are read) and wait for cache probes,
        so that everything wrong with the settings is known before they are shown."""
        for settings in self.all():
            self.loader(settings)
        pending = [p for p in self._probes if not p.done()]
        if pending:
            timeout = max(s.cache.redis_timeout_ms for s in self.all()) / 1000 + PROBE_GRACE_SECONDS
            await asyncio.wait(pending, timeout=timeout)

    def _prune(self) -> None:
        """Drop loaders of settings no longer in force (their caches go with them)."""
        live = {_loader_key(s) for s in self.all()}
        for key in [k for k in self._loaders if k not in live]:
            self._loaders.pop(key).store.close()

    async def _pull(self) -> None:
        folders = self.folder_uris()
        items = [types.ConfigurationItem(section=SECTION)]
        items += [types.ConfigurationItem(scope_uri=uri, section=SECTION) for uri in folders]
        answer = await asyncio.wait_for(
            self._server.workspace_configuration_async(types.ConfigurationParams(items=items)), 10
        )
        answer = list(answer or [])
        init = settings_from_mapping(_engine_keys(self._init_options))[0]
        global_cfg = _mapping(answer[0]) if answer else None
        # None: the client has none; not an object: said so
        base, problems = settings_from_mapping(_engine_keys(global_cfg), init)
        self._tell(problems, "workspace/configuration")
        editor = {
            **(self._init_options if isinstance(self._init_options, dict) else {}),
            **(global_cfg if isinstance(global_cfg, dict) else {}),
        }
        folder_settings: dict[str, Settings] = {}
        editor_folders: dict[str, dict[str, Any]] = {}
        for uri, raw in zip(folders, answer[1:], strict=False):
            cfg = _mapping(raw)
            if cfg is not None and cfg != global_cfg:
                folder_settings[uri], problems = settings_from_mapping(_engine_keys(cfg), base)
                self._tell(problems, f"workspace/configuration for {uri}")
                if isinstance(cfg, dict):
                    editor_folders[uri] = {**editor, **cfg}
        self.base = base
        self._folders = folder_settings
        self._editor = editor
        self._editor_folders = editor_folders

    def _read_files(self) -> None:
        """Fold each workspace folder's settings file (`wf-lsp.toml`, `[tool.wf-lsp]`) into its settings, as
        `configurationPreference` says: `editorFirst` (the default: the editor's keys win), `filesystemFirst` or
        `editorOnly`. A broken file is shown once, and the folder gets the editor's settings on the defaults."""
        files: dict[str, str] = {}
        for uri in self.folder_uris():
            path = uri_to_path(uri)
            if path is None:
                continue
            editor = self._editor_folders.get(uri, self._editor)
            preference = editor.get("configurationPreference", "editorFirst")
            if preference not in PREFERENCES:
                self._tell(
                    [f"configurationPreference {preference!r} is not one of {', '.join(PREFERENCES)}"],
                    "editor settings",
                )
                preference = "editorFirst"
            try:
                settings, problems, config = project_settings(Path(path), _engine_keys(editor), preference)
            except ConfigError as exc:
                self._tell([f"{exc}; its settings are not used"], "settings file")
                settings, problems, config = project_settings(Path(path), _engine_keys(editor), "editorOnly")
                files[uri] = str(exc.path)
            # the editor's own problems were told when its settings were read
            self._tell([p for p in problems if not p.startswith("editor settings: ")], "settings file")
            if config is not None:
                files[uri] = str(config.path)
            self._folders[uri] = settings
        self.config_files = files

    async def reread_files(self) -> bool:
        """A settings file changed on disk: read every folder's again (a fixed file's error may be shown again
        later)."""
        before = dict(self._folders)
        self._told = {t for t in self._told if not t.endswith("; its settings are not used")}
        self._holding += 1
        try:
            self._read_files()
            self._prune()
            await self._check_loaders()
        finally:
            self._holding -= 1
            self._schedule_flush()
        return self._folders != before

    def _tell(self, problems: list[str], where: str) -> None:
        """Note bad settings (defaults are used for them) to be shown once, together; never raise."""
        problems = [
            p.removesuffix("; using the default").removesuffix("; using defaults") for p in problems
        ]  # the message says so once
        fresh = [p for p in dict.fromkeys(problems) if p not in self._told]
        if not fresh:
            return
        self._told.update(fresh)
        self._pending.setdefault(where, []).extend(fresh)
        self._schedule_flush()

    def _release(self) -> None:
        self._held_for_client = False
        self._schedule_flush()

    def _schedule_flush(self) -> None:
        """Show what is pending soon, unless settings are being read (they are shown when that is done)."""
        if not self._pending or self._holding or self._held_for_client or self._flush_handle is not None:
            return
        try:
            self._flush_handle = asyncio.get_running_loop().call_soon(self.flush)
        except RuntimeError:  # no event loop (a unit test): now
            self.flush()

    def flush(self) -> None:
        """Show every pending problem in one message (and log it)."""
        self._flush_handle = None
        if not self._pending:
            return
        parts = [f"{where}: {'; '.join(problems)}." for where, problems in self._pending.items()]
        self._pending = {}
        message = "wf-lsp: some settings could not be used, so their defaults are in force. " + " ".join(parts)
        log.warning(message)
        with contextlib.suppress(Exception):  # no client connection yet: the log line has it
            self._server.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=message))

    # -- lookup -------------------------------------------------------------------------------
    def folder_uris(self) -> list[str]:
        """Workspace folder URIs (the root URI when the client sent no folders)."""
        try:
            ws = self._server.workspace
        except RuntimeError:
            return []
        folders = [f.uri for f in ws.folders.values()]
        if not folders and ws.root_uri:
            folders = [ws.root_uri]
        return folders

    def folder_paths(self) -> list[str]:
        """File-system paths of the workspace folders."""
        return [p for p in (uri_to_path(u) for u in self.folder_uris()) if p]

    def folder_of(self, uri: str) -> str | None:
        """The innermost workspace folder containing a URI."""
        best = None
        for folder in self.folder_uris():
            prefix = folder.rstrip("/") + "/"
            if uri.startswith(prefix) and (best is None or len(folder) > len(best)):
                best = folder
        return best

    def for_uri(self, uri: str) -> Settings:
        """Settings in force for a document."""
        folder = self.folder_of(uri)
        return self._folders.get(folder, self.base) if folder else self.base

    def for_folder(self, folder_uri: str) -> Settings:
        """Settings in force for a workspace folder."""
        return self._folders.get(folder_uri, self.base)

    def all(self) -> list[Settings]:
        """Every distinct settings set in force."""
        out = [self.base]
        out += [s for s in self._folders.values() if s not in out]
        return out

    def loader(self, settings: Settings) -> WorkflowLoader:
        """The loader (cache) for a settings set; bad registry files or an unreachable cache are reported once."""
        key = _loader_key(settings)
        loader = self._loaders.get(key)
        if loader is None:
            loader = WorkflowLoader(settings, store=_store(settings), analyzer=self._server.analyzer)
            self._loaders[key] = loader
            self._tell(list(loader.registry.problems), "registry")
            stats = loader.store.stats()
            if not stats.get("enabled", True):
                if stats.get("last_error"):
                    self._tell([str(stats["last_error"])], "cache")
            else:
                self._probe(loader)
        return loader

    def _probe(self, loader: WorkflowLoader) -> None:
        """Ask the shared cache once, off the event loop, so an unreachable one is reported with the settings."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a unit test): the first validation finds out
            return
        done: concurrent.futures.Future[None] = concurrent.futures.Future()

        def ask() -> None:
            try:
                loader.store.get_many([PROBE_KEY])  # never raises: a fault is counted and kept as last_error
            finally:
                done.set_result(None)

        # A daemon thread: resolving a host name is not bounded by the cache timeout, and must not hold up exit.
        threading.Thread(target=ask, name="wf-cache-probe", daemon=True).start()

        async def told() -> None:
            await asyncio.wrap_future(done)
            stats = loader.store.stats()
            if stats.get("errors"):
                self._tell(
                    [
                        f"shared cache {stats.get('url')} unavailable ({stats.get('last_error')}); "
                        "validating with the memory cache only"
                    ],
                    "cache",
                )

        probe = asyncio.ensure_future(told())
        self._probes.add(probe)
        probe.add_done_callback(self._probes.discard)

    def loaders(self) -> list[WorkflowLoader]:
        """Every loader created so far."""
        return list(self._loaders.values())


def _loader_key(settings: Settings) -> str:
    """Settings that validate alike share a loader (the root matters only to path-scoped ignores); the cache secret
    is kept out of repr, so it goes in as a digest."""
    import hashlib

    secret = (settings.cache.secret or "").encode("utf-8", "surrogatepass")
    digest = hashlib.blake2b(secret, digest_size=8, person=b"wf-lsp-key").hexdigest()
    return f"{settings if any(e.files for e in settings.ignore) else settings.with_(root=None)!r}:{digest}"


def _engine_keys(data: Any) -> Any:
    """An editor's settings without the keys only the server reads."""
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if k != "configurationPreference"}
    return data


def _store(settings: Settings) -> Any:
    """The shared Redis layer when a URL (the setting, else WF_LSP_REDIS_URL) and a secret are set, else none; a
    NullStore carries the reason (no secret, no Redis client), told once with the settings."""
    from wf_lsp.core.cache.sharedcache import cache_url, open_shared

    if cache_url(settings) is None:
        return None
    try:
        return open_shared(settings)
    except Exception as exc:  # fail open: memory cache only (the message may hold the URL: only the type is shown)
        log.warning("shared cache unavailable (%s), using memory only", type(exc).__name__)
        return None
