"""The server's shared cache: results go to a real Redis; a bad cache URL is one message and memory-only validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as t

from tests.lsp.kit import BOOT, CLIENTS, CONFIG, actions, command, corpus_text, diagnostics, open_doc, start
from tests.redis_server import RedisServer

SECRET = "team-cache-secret"
FIX_ALL = "source.fixAll.wf-lsp"
DUP = corpus_text(BOOT).replace('"name": "Migrate Version"', '"name": "Load Config"')


@pytest.mark.parametrize("caps", CLIENTS)
async def test_results_are_shared_through_redis(caps: str, redis_server: RedisServer, tmp_path: Path) -> None:
    for round_ in ("cold", "warm"):  # a second editor session finds the first one's results
        client = await CONFIG.start()
        try:
            await start(
                client, caps, [tmp_path], {"debounceMs": 10, "cache": {"redisUrl": redis_server.url, "secret": SECRET}}
            )
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


FIXABLE = (Path(__file__).parents[1] / "data" / "err" / "MISSING_TENANT_ID_absent.json").read_text()


def _evil(text: str) -> bytes:
    """A value claiming a safe fix that replaces the whole text, as wf-lsp wrote values before they were sealed."""
    from tests.test_shared_trust import PWNED, old_style
    from wf_lsp.core.findings import Finding, Fix, Severity, TextEdit
    from wf_lsp.core.loader import WorkflowLoader, content_hash
    from wf_lsp.core.result import Result

    local = WorkflowLoader().validate_text(text)
    evil = Finding(
        "MISSING_TENANT_ID",
        "x",
        "tenantId",
        (),
        "value",
        Severity.ERROR,
        fixes=[Fix("fix", (TextEdit(0, len(text), PWNED),), True)],
    )
    return old_style(Result([evil], True, content_hash(text), local.summary, 1.0), content_hash(text))


def _plant(server: RedisServer, text: str, value: bytes, seal: bool) -> None:
    from wf_lsp import __version__
    from wf_lsp.core.loader import WorkflowLoader, content_hash
    from wf_lsp.core.settings import Settings

    loader = WorkflowLoader(Settings())
    key = loader.shared_key(text)
    if seal:
        from wf_lsp.core.cache.codec import seal as sealer

        value = sealer(SECRET.encode(), key, content_hash(text), loader.fingerprint, __version__, value)
    assert server.client().set(key, value)


@pytest.mark.parametrize("seal", [False, True], ids=["unsealed", "sealed"])
async def test_code_actions_never_offer_an_edit_from_redis(
    seal: bool, redis_server: RedisServer, tmp_path: Path
) -> None:
    """Fix-all and quick fixes come from this server's own validation of the text, whatever Redis holds for it."""
    _plant(redis_server, FIXABLE, _evil(FIXABLE), seal)
    client = await CONFIG.start()
    try:
        await start(
            client,
            "visual-studio-code",
            [tmp_path],
            {"debounceMs": 10, "cache": {"redisUrl": redis_server.url, "secret": SECRET}},
        )
        doc = open_doc(client, tmp_path / "fixable.json", FIXABLE)
        diags = await diagnostics(doc)
        whole = t.Range(t.Position(0, 0), t.Position(len(FIXABLE.splitlines()), 0))
        offered = await actions(doc, diags, whole) + await actions(doc, diags, whole, [FIX_ALL])
        stats = await command(client, "wf.cacheStats")
        await client.shutdown_session()
    finally:
        await client.stop()
    assert "pwned" not in repr(offered) + repr(diags)
    assert any(a.kind == FIX_ALL for a in offered)  # the real fix, computed here
    assert stats["sharedHits"] == 0 and stats["sharedRejected"] == 1


@pytest.mark.parametrize(
    "raw", [b"[" * 200_000, b'{"f":1,"v":"%s","w":true,"h":"%s","s":{},"d":0,"x":[]}'], ids=["deep", "no-summary"]
)
async def test_garbage_in_redis_never_stops_diagnostics(
    raw: bytes, redis_server: RedisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The secret from the environment (WF_LSP_CACHE_SECRET); unsealed garbage, too deep to parse or without a summary,
    is rejected and the document still gets its diagnostics."""
    from wf_lsp import __version__
    from wf_lsp.core.loader import content_hash

    value = raw.replace(b"%s", __version__.encode(), 1).replace(b"%s", content_hash(DUP).encode(), 1)
    _plant(redis_server, DUP, value, seal=False)
    monkeypatch.setenv("WF_LSP_CACHE_SECRET", SECRET)
    client = await CONFIG.start()
    try:
        await start(
            client, "visual-studio-code", [tmp_path], {"debounceMs": 10, "cache": {"redisUrl": redis_server.url}}
        )
        doc = open_doc(client, tmp_path / "dup.json", DUP)
        found = {str(d.code) for d in await diagnostics(doc)}
        stats = await command(client, "wf.cacheStats")
        await client.shutdown_session()
    finally:
        await client.stop()
    assert "DUPLICATE_NODE_NAME" in found
    assert stats["shared"]["enabled"] is True and stats["sharedRejected"] == 1


async def test_without_a_secret_the_server_says_so_once(redis_server: RedisServer, tmp_path: Path) -> None:
    client = await CONFIG.start()
    try:
        await start(
            client, "visual-studio-code", [tmp_path], {"debounceMs": 10, "cache": {"redisUrl": redis_server.url}}
        )
        docs = [open_doc(client, tmp_path / f"dup{i}.json", DUP.replace("Demo", f"Demo{i}")) for i in range(3)]
        for doc in docs:
            assert "DUPLICATE_NODE_NAME" in {str(d.code) for d in await diagnostics(doc)}
        stats = await command(client, "wf.cacheStats")
        await client.shutdown_session()
    finally:
        await client.stop()
    told = [m.message for m in client.messages if "secret" in m.message]
    assert len(told) == 1 and "cache.secret" in told[0] and "WF_LSP_CACHE_SECRET" in told[0], told
    assert stats["shared"]["enabled"] is False
    assert redis_server.client().dbsize() == 0 and redis_server.command_calls("mget") == 0


async def test_a_password_with_reserved_characters_is_masked_in_every_message(tmp_path: Path) -> None:
    from tests.redis_server import free_port

    url = f"redis://:pa/ss#wo?rd@127.0.0.1:{free_port()}/0"  # nothing listens: the failure is told
    client = await CONFIG.start()
    try:
        await start(
            client,
            "visual-studio-code",
            [tmp_path],
            {"debounceMs": 10, "cache": {"redisUrl": url, "secret": SECRET, "redisTimeoutMs": 200}},
        )
        doc = open_doc(client, tmp_path / "dup.json", DUP)
        await diagnostics(doc)
        stats = await command(client, "wf.cacheStats")
        await client.shutdown_session()
    finally:
        await client.stop()
    said = repr(stats) + repr([m.message for m in client.messages]) + repr([m.message for m in client.log_messages])
    assert "127.0.0.1" in said and "unavailable" in said, said
    for part in ("pa/ss", "ss#wo", "wo?rd"):
        assert part not in said, said


async def test_a_redis_url_without_the_redis_client_is_told_once(redis_server: RedisServer, tmp_path: Path) -> None:
    """The server started where `import redis` fails: one message says how to install the client; diagnostics go on."""
    import sys

    from pytest_lsp import ClientServerConfig

    from tests.lsp.kit import make_client

    no_redis = "import sys; sys.modules['redis'] = None; from wf_lsp.cli import main; sys.exit(main(['serve']))"
    client = await ClientServerConfig(
        server_command=[sys.executable, "-c", no_redis], client_factory=make_client
    ).start()
    try:
        await start(
            client,
            "visual-studio-code",
            [tmp_path],
            {"debounceMs": 10, "cache": {"redisUrl": redis_server.url, "secret": SECRET}},
        )
        doc = open_doc(client, tmp_path / "dup.json", DUP)
        found = {str(d.code) for d in await diagnostics(doc)}
        await client.shutdown_session()
    finally:
        await client.stop()
    assert "DUPLICATE_NODE_NAME" in found
    told = [m.message for m in client.messages if "Redis client" in m.message]
    assert len(told) == 1 and "pip install" in told[0], [m.message for m in client.messages]
    assert redis_server.client().dbsize() == 0
