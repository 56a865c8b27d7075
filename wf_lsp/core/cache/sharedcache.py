"""Turning the shared cache on: a Redis URL, a secret to authenticate values and the Redis client, or why not."""

from __future__ import annotations

import os

from wf_lsp.core.cache.store import NullStore, SharedStore
from wf_lsp.core.settings import Settings

#: Environment variables read when the settings do not set the URL or the secret.
URL_ENV = "WF_LSP_REDIS_URL"
SECRET_ENV = "WF_LSP_CACHE_SECRET"


def cache_url(settings: Settings) -> str | None:
    """The shared cache's URL: the setting, else WF_LSP_REDIS_URL."""
    url = settings.cache.redis_url or os.environ.get(URL_ENV) or ""
    return url.strip() or None


def cache_secret(settings: Settings) -> bytes | None:
    """The key that authenticates shared values: the `cache.secret` setting, else WF_LSP_CACHE_SECRET."""
    secret = settings.cache.secret or os.environ.get(SECRET_ENV) or ""
    return secret.encode("utf-8", "surrogatepass") if secret else None


def shared_cache_problem(url: str, secret: bytes | None) -> str | None:
    """Why a configured shared cache stays off (no secret, no Redis client), or None when it can be used."""
    from wf_lsp.core.redact import mask_url

    if secret is None:
        return (
            f"the shared cache {mask_url(url)} is off: "
            "it needs a secret to authenticate what other processes store there; "
            f"set the same `cache.secret` setting (or the {SECRET_ENV} environment variable) "
            "on every machine that uses it"
        )
    try:
        import redis  # noqa: F401
    except ImportError:
        return (
            f"the shared cache {mask_url(url)} is off: the Redis client is not installed "
            "(add `redis` to wf-lsp's environment: `pipx inject wf-lsp redis` or `pip install redis`); "
            "validating with the memory cache only"
        )
    return None


def open_shared(settings: Settings) -> SharedStore:
    """The Redis store when a URL and a secret are set and the client is installed; otherwise a NullStore with the
    reason."""
    url = cache_url(settings)
    if url is None:
        return NullStore()
    problem = shared_cache_problem(url, cache_secret(settings))
    if problem is not None:
        return NullStore(reason=problem)
    from wf_lsp.core.cache.redis_store import open_store

    return open_store(url, settings.cache.redis_timeout_ms)
