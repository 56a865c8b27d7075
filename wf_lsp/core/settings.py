"""Settings shared by the CLI, `[tool.wf-lsp]` and the language server, read leniently."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from wf_lsp import __version__

Profile = Literal["oracle", "recommended", "strict"]
ConnectionKeys = Literal["auto", "name", "id"]
DialectSetting = Literal["auto", "metabuilder", "n8n"]
DIALECTS: tuple[str, ...] = ("auto", "metabuilder", "n8n")
PROFILES: tuple[str, ...] = ("oracle", "recommended", "strict")
CONNECTION_KEYS: tuple[str, ...] = ("auto", "name", "id")
SEVERITY_WORDS: tuple[str, ...] = ("error", "warning", "information", "info", "hint", "off")
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_WORKSPACE_FILES = 20_000
DEFAULT_MAX_DIAGNOSTICS = 1000


@dataclass(frozen=True, slots=True)
class IgnoreEntry:
    """Suppress `code` (or `*`) in files matching `files` (a glob) at or below JSON `pointer`."""

    code: str = "*"
    files: str | None = None
    pointer: str | None = None


@dataclass(frozen=True, slots=True)
class CacheSettings:
    """Validation cache sizes and the optional shared Redis layer."""

    max_entries: int = 512
    ttl_seconds: int = 3600
    redis_url: str | None = None
    redis_timeout_ms: int = 100
    #: authenticates the shared cache's values (HMAC-SHA256); never shown, never part of a fingerprint
    secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything that changes what the engine reports (and a few things that only change how)."""

    profile: Profile = "recommended"
    connection_keys: ConnectionKeys = "auto"
    dialect: DialectSetting = "auto"
    #: an n8n catalogue file to use instead of the newest one in the cache directory
    n8n_catalog: str | None = None
    tenant_id: str | None = None
    user_id: str | None = None
    user_level: int | None = None
    severity: dict[str, str] = field(default_factory=dict)
    select: tuple[str, ...] = ()
    ignore: tuple[IgnoreEntry, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    registry: tuple[str, ...] = ()
    #: skip what `.gitignore` files ignore when walking folders
    respect_gitignore: bool = True
    #: the folder `ignore` file globs, `include` and `exclude` are anchored at (the config file's); None: the current
    #: one
    root: str | None = None
    debounce_ms: int = 150
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    #: The language server's limits (they change how it works, never what a file's result is).
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    max_workspace_files: int = DEFAULT_MAX_WORKSPACE_FILES
    #: diagnostics the language server publishes per document, plus one that counts the rest (0: no limit); the CLI
    #: always reports every finding
    max_diagnostics: int = DEFAULT_MAX_DIAGNOSTICS
    cache: CacheSettings = field(default_factory=CacheSettings)

    @property
    def key_mode(self) -> str:
        """How connection keys name nodes ('name', 'id' or 'auto'): profile oracle reads names only, as the real
        validator does. The one place this is decided: the engine, the editor features and the graphs all ask here."""
        return "name" if self.profile == "oracle" else self.connection_keys

    def fingerprint(self, registry_digest: str = "") -> str:
        """Hash of every setting that can change a result, plus the registry and wf-lsp version."""
        payload = {
            "v": __version__,
            "profile": self.profile,
            "keys": self.connection_keys,
            "dialect": self.dialect,
            "n8n": _catalog_identity(self.n8n_catalog),
            "tenant": self.tenant_id,
            "user": self.user_id,
            "level": self.user_level,
            "severity": sorted(self.severity.items()),
            "select": list(self.select),
            "ignore": [(i.code, i.files, i.pointer) for i in self.ignore],
            "max": self.max_file_bytes,
            "registry": registry_digest,
        }
        if any(i.files for i in self.ignore):  # the same path may match differently from another root
            payload["root"] = self.root
        blob = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.blake2b(blob, digest_size=12).hexdigest()

    def with_(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        return replace(self, **changes)


# camelCase (editor / TOML) names -> field names
_ALIASES = {
    "profile": "profile",
    "connectionKeys": "connection_keys",
    "connection-keys": "connection_keys",
    "dialect": "dialect",
    "n8nCatalog": "n8n_catalog",
    "n8n-catalog": "n8n_catalog",
    "tenantId": "tenant_id",
    "tenant": "tenant_id",
    "userId": "user_id",
    "userLevel": "user_level",
    "severity": "severity",
    "select": "select",
    "ignore": "ignore",
    "include": "include",
    "exclude": "exclude",
    "registry": "registry",
    "files": "include",
    "respectGitignore": "respect_gitignore",
    "respect-gitignore": "respect_gitignore",
    "debounceMs": "debounce_ms",
    "maxFileBytes": "max_file_bytes",
    "maxMessageBytes": "max_message_bytes",
    "maxWorkspaceFiles": "max_workspace_files",
    "maxDiagnostics": "max_diagnostics",
    "cache": "cache",
}
_FIELD_NAMES = {f.name for f in fields(Settings)} - {"root"}
#: Keys read by the language server or an editor client, not by the engine.
CLIENT_KEYS = frozenset({"trace", "server", "serverCommand", "interpreter", "enable", "configurationPreference"})


def settings_from_mapping(data: Any, base: Settings | None = None) -> tuple[Settings, list[str]]:
    """Settings from an editor/TOML mapping; bad values keep the defaults and produce a message each."""
    base = base or Settings()
    problems: list[str] = []
    if data is None:
        return base, problems
    if not isinstance(data, dict):
        return base, [f"settings must be an object, got {type(data).__name__}; using defaults"]
    changes: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = _ALIASES.get(raw_key, raw_key.replace("-", "_") if isinstance(raw_key, str) else raw_key)
        if key not in _FIELD_NAMES:
            # Unknown keys are tolerated (other tools share the section) but not silently.
            if raw_key not in CLIENT_KEYS:
                problems.append(f"unknown setting {raw_key!r} ignored")
            continue
        try:
            changes[key] = _coerce(key, value, base)
        except (TypeError, ValueError) as exc:
            problems.append(f"setting {raw_key!r}: {exc}; using the default")
    return replace(base, **changes), problems


def _coerce(key: str, value: Any, base: Settings) -> Any:
    if key == "profile":
        if value not in PROFILES:
            raise ValueError(f"{value!r} is not one of {', '.join(PROFILES)}")
        return value
    if key == "connection_keys":
        if value not in CONNECTION_KEYS:
            raise ValueError(f"{value!r} is not one of {', '.join(CONNECTION_KEYS)}")
        return value
    if key == "dialect":
        if value not in DIALECTS:
            raise ValueError(f"{value!r} is not one of {', '.join(DIALECTS)}")
        return value
    if key in ("tenant_id", "user_id", "n8n_catalog"):
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise TypeError("must be a string")
        return value
    if key == "user_level":
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 4:
            raise ValueError("must be an integer from 0 to 4")
        return value
    if key == "severity":
        if not isinstance(value, dict):
            raise TypeError("must be an object mapping rule codes to a level or 'off'")
        out = {}
        for code, level in value.items():
            if not isinstance(code, str) or not isinstance(level, str) or level.lower() not in SEVERITY_WORDS:
                raise ValueError(f"{code!r}: level must be one of {', '.join(SEVERITY_WORDS)}")
            out[code.upper()] = level.lower()
        return out
    if key in ("select", "include", "exclude", "registry"):
        return _str_tuple(value)
    if key == "ignore":
        return _ignore_entries(value)
    if key == "respect_gitignore":
        if not isinstance(value, bool):
            raise TypeError("must be true or false")
        return value
    if key in ("debounce_ms", "max_file_bytes", "max_diagnostics", "max_message_bytes", "max_workspace_files"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError("must be a non-negative integer")
        return value
    if key == "cache":
        return _cache(value, base.cache)
    raise ValueError("unsupported")


def _catalog_identity(explicit: str | None) -> str:
    """Which n8n catalogue a run would use (so a rebuilt catalogue never serves stale results)."""
    from wf_lsp.core.n8n import catalogue

    return catalogue.identity(explicit)


def _str_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise TypeError("must be a list of strings")
    return tuple(value)


def _ignore_entries(value: Any) -> tuple[IgnoreEntry, ...]:
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise TypeError("must be a list of codes or {code, files, pointer} objects")
    out: list[IgnoreEntry] = []
    for item in value:
        if isinstance(item, str):
            out.append(IgnoreEntry(code=item.upper()))
        elif isinstance(item, dict):
            code, files, pointer = item.get("code", "*"), item.get("files"), item.get("pointer")
            if not isinstance(code, str) or not (files is None or isinstance(files, str)):
                raise TypeError("ignore entries need a string code and an optional string glob")
            if pointer is not None and (not isinstance(pointer, str) or (pointer and not pointer.startswith("/"))):
                raise ValueError("an ignore pointer must be a JSON pointer starting with '/'")
            out.append(IgnoreEntry(code=code.upper(), files=files, pointer=pointer))
        else:
            raise TypeError("ignore entries must be strings or objects")
    return tuple(out)


def _cache(value: Any, base: CacheSettings) -> CacheSettings:
    if not isinstance(value, dict):
        raise TypeError("must be an object with maxEntries, ttlSeconds, redisUrl, secret")
    changes: dict[str, Any] = {}
    for k, v in value.items():
        k = str(k)
        if k in ("maxEntries", "max_entries", "ttlSeconds", "ttl_seconds", "redisTimeoutMs", "redis_timeout_ms"):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError(f"{k} must be a non-negative integer")
            name = {"maxEntries": "max_entries", "ttlSeconds": "ttl_seconds", "redisTimeoutMs": "redis_timeout_ms"}.get(
                k, k
            )
            changes[name] = v
        elif k in ("redisUrl", "redis_url"):
            if v is not None and not isinstance(v, str):
                raise TypeError("redisUrl must be a string")
            changes["redis_url"] = v or None
        elif k == "secret":
            if v is not None and not isinstance(v, str):
                raise TypeError("secret must be a string")
            changes["secret"] = v or None
        else:
            raise ValueError(f"unknown cache setting {k!r}")
    return replace(base, **changes)
