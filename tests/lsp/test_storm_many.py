"""A storm over the real server's stdio: 2,000 edits to 20 open corpus documents from a client that never waits, hovers
and code actions interleaved, some of them cancelled, documents closed while their validation runs. Every request is
answered (or cancelled), nothing is published for a closed document after its close, and every open document's final
diagnostics are those of a fresh validation of its final text."""

from __future__ import annotations

import asyncio
import json
import random
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers import corpus_files
from tests.lsp.raw import Expected, RawServer, utf16_position
from wf_lsp.core.settings import settings_from_mapping
from wf_lsp.lsp.documents import has_markers

DOCS = 20
EDITS = 2000
CLOSED = 5  # documents closed during the storm (each right after an edit, while it is being validated)
SEED = 20260521
OPTIONS = {"debounceMs": 20}
#: Edits after which a tenant report is asked for and cancelled at once.
REPORTS = (300, 1300)
#: Request errors the storm may legitimately get: RequestCancelled (we cancelled it) and ContentModified.
CANCELLED = {-32800, -32801}
NAME_VALUE = re.compile(r'"name"\s*:\s*"([^"\\]*)"')
TYPE_VALUE = re.compile(r'"type"\s*:\s*"([^"\\]*)"')
#: Typed into node names: ASCII, an accented letter and an astral character (two UTF-16 units).
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 _-é😀"


@dataclass
class Editor:
    """One document as the client holds it."""

    uri: str
    text: str
    original: str
    version: int = 1
    closed: bool = False
    names: list[str] = field(default_factory=list)


def _pick_files() -> list[Path]:
    """20 corpus files spread over the corpus (the server validates a JSON file when it names "nodes" and
    "connections")."""
    files = [
        f for f in corpus_files() if has_markers(f.read_text(encoding="utf-8"))
    ]  # corpus_files fails loudly when it is missing
    step = len(files) // DOCS
    return files[::step][:DOCS]


def _edit(rng: random.Random, ed: Editor) -> list[dict[str, Any]]:
    """One random content change (applied to ed.text): typing into or deleting from a node name, renaming a node to
    another's name, breaking the JSON at the end of a line, or (rarely) replacing the whole text."""
    text = ed.text
    roll = rng.random()
    names = list(NAME_VALUE.finditer(text))
    if roll < 0.03:
        ed.text = ed.original if rng.random() < 0.7 else text.replace('"nodes"', '"nodes" ', 1)
        return [{"text": ed.text}]
    if roll < 0.08 or not names:  # break (or further break) the JSON where no marker key can be split
        ends = [m.start() for m in re.finditer("\n", text)] or [len(text)]
        start = end = rng.choice(ends)
        new = rng.choice(["}", ",", "[", '"', "{"])
    else:
        m = rng.choice(names)
        lo, hi = m.span(1)
        if roll < 0.18 and len(names) > 1:  # a duplicate name
            start, end, new = lo, hi, names[0].group(1) if m is not names[0] else names[1].group(1)
        elif roll < 0.40 and hi > lo:  # delete a few characters
            start = rng.randrange(lo, hi)
            end = min(hi, start + rng.randint(1, 3))
            new = ""
        else:  # type a few characters
            start = end = rng.randint(lo, hi)
            new = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 3)))
    rng_json = {"start": utf16_position(text, start), "end": utf16_position(text, end)}
    ed.text = text[:start] + new + text[end:]
    return [{"range": rng_json, "text": new}]


def _big(text: str) -> str:
    """A real workflow with its nodes repeated a hundred times (about 200 KB, with a thousand findings)."""
    data = json.loads(text)
    data["nodes"] = data["nodes"] * 100
    return json.dumps(data, indent=2)


def _hover_at(rng: random.Random, ed: Editor) -> dict[str, Any]:
    types_ = list(TYPE_VALUE.finditer(ed.text))
    offset = rng.choice(types_).start(1) + 1 if types_ else rng.randrange(len(ed.text) + 1)
    return {"textDocument": {"uri": ed.uri}, "position": utf16_position(ed.text, offset)}


def _action_params(ed: Editor, diagnostics: list[dict[str, Any]]) -> dict[str, Any]:
    end = utf16_position(ed.text, len(ed.text))
    return {
        "textDocument": {"uri": ed.uri},
        "range": {"start": {"line": 0, "character": 0}, "end": end},
        "context": {"diagnostics": diagnostics},
    }


async def test_a_storm_over_many_documents(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    folder = tmp_path / "storm"
    folder.mkdir()
    editors: list[Editor] = []
    for src in _pick_files():
        shutil.copy(src, folder / src.name)
        text = src.read_text(encoding="utf-8")
        editors.append(Editor((folder / src.name).as_uri(), text, text))
    server = await RawServer(configuration=lambda item: dict(OPTIONS), stderr=tmp_path / "stderr.txt").start()
    try:
        await server.initialize([folder], OPTIONS)
        for ed in editors:
            server.open(ed.uri, ed.text)
        await server.drain()
        # The editor had these files open before the storm: each has had its first diagnostics.
        await server.until(
            lambda: all(server.publishes(ed.uri) for ed in editors), what="the first diagnostics of every document"
        )

        requests: dict[int | str, tuple[str, asyncio.Future[dict[str, Any]]]] = {}
        cancelled_ids: set[int | str] = set()
        to_cancel: list[tuple[int, int | str]] = []  # (edit index at which to cancel, request id)
        close_at = {EDITS * (k + 1) // (CLOSED + 1): editors[k * 3] for k in range(CLOSED)}
        reports: list[int | str] = []
        began = time.perf_counter()
        for i in range(EDITS):
            closing = close_at.get(i)
            ed = closing if closing is not None else rng.choice([e for e in editors if not e.closed])
            ed.version += 1
            if closing is None:
                server.change(ed.uri, ed.version, _edit(rng, ed))
            else:
                # pasted a big workflow, then closed while it is validated (after the 20 ms debounce; it takes ~100 ms)
                ed.text = _big(ed.original)
                server.change(ed.uri, ed.version, [{"text": ed.text}])
                await server.drain()
                await asyncio.sleep(0.02 + 0.02 * len([e for e in editors if e.closed]))
                server.close(ed.uri)
                ed.closed = True
                msg_id, fut = server.request("textDocument/hover", _hover_at(rng, ed))
                requests[msg_id] = ("hover-closed", fut)
            if i in REPORTS:  # a command that waits on the client (showDocument): a cancel sent behind it always lands
                msg_id, fut = server.request(
                    "workspace/executeCommand", {"command": "wf.showTenantDiagnostics", "arguments": []}
                )
                requests[msg_id] = ("report", fut)
                server.cancel(msg_id)
                cancelled_ids.add(msg_id)
                reports.append(msg_id)
            if i % 7 == 0:  # a hover or a code action, often cancelled (at once, or a few edits later)
                if rng.random() < 0.5:
                    method, params = "textDocument/hover", _hover_at(rng, ed)
                else:
                    last = server.publishes(ed.uri)
                    method, params = (
                        "textDocument/codeAction",
                        _action_params(ed, last[-1]["diagnostics"] if last else []),
                    )
                msg_id, fut = server.request(method, params)
                requests[msg_id] = (method, fut)
                roll = rng.random()
                if roll < 0.2:
                    server.cancel(msg_id)
                    cancelled_ids.add(msg_id)
                elif roll < 0.4:
                    to_cancel.append((i + rng.randint(1, 10), msg_id))
            for _at, msg_id in [c for c in to_cancel if c[0] == i]:
                server.cancel(msg_id)
                cancelled_ids.add(msg_id)
            if i % 25 == 0:  # let the pipe drain, as an editor's event loop would; the client never awaits a reply
                await server.drain()
                await asyncio.sleep(0)
        await server.drain()
        sent_s = time.perf_counter() - began

        # Every request is answered: with a result, or (only if we cancelled it) RequestCancelled / ContentModified.
        answers = await asyncio.wait_for(asyncio.gather(*(fut for _, fut in requests.values())), 60)
        unexpected = []
        cancelled = 0
        for (msg_id, (method, _)), answer in zip(requests.items(), answers, strict=True):
            if "error" in answer:
                if answer["error"]["code"] in CANCELLED and msg_id in cancelled_ids:
                    cancelled += 1
                else:
                    unexpected.append((method, answer))
            elif method == "hover-closed":
                assert answer["result"] is None, f"a hover on a closed document answered {answer['result']}"
        assert not unexpected, f"requests failed: {unexpected[:3]}"
        for msg_id in reports:
            assert answers[list(requests).index(msg_id)]["error"]["code"] == -32800, (
                "a cancelled command was not answered RequestCancelled"
            )

        settings = settings_from_mapping(OPTIONS)[0]
        expected = Expected()
        open_eds = [ed for ed in editors if not ed.closed]
        # Each open document ends with the diagnostics of its final text, at its final version...
        await server.until(
            lambda: all(
                server.publishes(ed.uri) and server.publishes(ed.uri)[-1].get("version") == ed.version
                for ed in open_eds
            ),
            timeout=60,
            what="the final version's diagnostics of every open document",
        )
        count = len(server.received)
        await asyncio.sleep(0.5)  # ...and nothing else is published after it (no stale result lands late)
        late = server.publishes(since=count)
        assert not late, f"published after the final diagnostics: {[(p['uri'], p.get('version')) for p in late]}"
        for ed in open_eds:
            mine = server.publishes(ed.uri)
            versions = [p["version"] for p in mine if p.get("version") is not None]
            assert versions == sorted(versions), (
                f"{ed.uri}: an older version's diagnostics were published after a newer one's"
            )
            got = mine[-1]["diagnostics"]
            want = expected.diagnostics(ed.uri, ed.text, ed.version, settings)
            assert got == want, f"{ed.uri} v{ed.version}: {json.dumps(got)[:400]} != {json.dumps(want)[:400]}"

        # A closed document: its close cleared its diagnostics (a publish without a version) and no validation result
        # was published after that; the last word on it is an empty list.
        for ed in editors:
            if not ed.closed:
                continue
            mine = server.publishes(ed.uri)
            cleared = next((k for k, p in enumerate(mine) if p.get("version") is None), None)
            assert cleared is not None, f"{ed.uri}: its close did not clear its diagnostics"
            assert all(p.get("version") is None and p["diagnostics"] == [] for p in mine[cleared:]), (
                f"{ed.uri}: published after its close"
            )

        during = [m for m in server.logs() if "closed while it was validated" in m]
        assert during, "no document was closed while it was being validated: the storm missed that case"
        assert await server.shutdown_and_exit() == 0
        # For the record (shown with -s): how hard the storm was.
        print(
            f"\nstorm: {EDITS} edits to {DOCS} documents sent in {sent_s:.2f}s; "
            f"{len(requests)} requests, {cancelled} cancelled;",
            f"{len(during)} documents closed while validated",
        )
    finally:
        await server.stop()
