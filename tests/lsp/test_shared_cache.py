"""The server's shared cache: results go to a real Redis; a bad cache URL is one message and memory-only validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as t

from tests.lsp.kit import BOOT, CLIENTS, CONFIG, command, corpus_text, diagnostics, open_doc, start
from tests.redis_server import RedisServer

SECRET = "team-cache-secret"
DUP = corpus_text(BOOT).replace('"name": "Migrate Version"', '"name": "Load Config"')


@pytest.mark.parametrize("caps", CLIENTS)
async def test_results_are_shared_through_redis(caps: str, redis_server: RedisServer, tmp_path: Path) -> None:
    for round_ in ("cold", "warm"):  # a second editor session finds the first one's results
        client = await CONFIG.start()
        try:
            await start(client, caps, [tmp_path], {"debounceMs": 10, "cache": {"redisUrl": redis_server.url, "secret": SECRET}})
            doc = open_doc(client, tmp_path / "dup.json", DUP)
            assert "DUPLICATE_NODE_NAME" in {str(d.code) for d in await diagnostics(doc)}
            clean = open_doc(client, tmp_path / "clean.json", corpus_text(BOOT))
            assert await diagnostics(clean) == []
            stats = await command(client, "wf.cacheStats")
            assert stats["shared"]["enabled"] is True
            if round_ == "cold":
                assert stats["shared"]["sets"] == 2 and stats["misses"] == 2
            else:
                # the clean text comes from Redis; the one with fixes is validated here (a shared value has no edits)
                assert (stats["sharedHits"], stats["sharedRecomputed"], stats["misses"]) == (1, 1, 1)
            await client.shutdown_session()
        finally:
            await client.stop()


@pytest.mark.parametrize("caps", CLIENTS)
async def test_a_bad_cache_url_is_told_once_and_validation_goes_on(caps: str, tmp_path: Path) -> None:
    client = await CONFIG.start()
    try:
        await start(client, caps, [tmp_path], {"debounceMs": 10, "cache": {"redisUrl": "http://not-redis"}})
        doc = open_doc(client, tmp_path / "dup.json", DUP)
        assert "DUPLICATE_NODE_NAME" in {str(d.code) for d in await diagnostics(doc)}
        told = [m for m in client.messages if "cache" in m.message]
        assert len(told) == 1 and told[0].type == t.MessageType.Warning
        await client.shutdown_session()
    finally:
        await client.stop()
