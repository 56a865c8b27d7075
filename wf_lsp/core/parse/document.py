"""Text to JSON value plus syntax problems: C-speed parsing, broken text repaired (repair.py), positions on demand."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from wf_lsp.core.findings import Finding, Pointer
from wf_lsp.core.parse import repair, skeleton
from wf_lsp.core.parse.brackets import read
from wf_lsp.core.parse.jsonerror import Kind, classify, too_deep
from wf_lsp.core.parse.repair import doc_to_original, report_depth, syntax_finding
from wf_lsp.core.parse.skeleton import Spans
from wf_lsp.core.parse.textindex import TextIndex

#: the fast parser (None sends every text down the json path, which does all the same work, only slower)
_orjson: Any = orjson

MAX_REPAIRS = 40


@dataclass(slots=True)
class Document:
    """A parsed text: its value (None when nothing parsed), syntax findings and the text they index."""

    text: str
    value: Any
    syntax: list[Finding] = field(default_factory=list)
    #: Objects that had duplicate keys: id(dict) -> list of duplicated key names.
    duplicate_keys: dict[int, list[str]] = field(default_factory=dict)
    #: Text the value was parsed from (the original, or a repaired copy) and the insertions made to it.
    parsed_text: str = ""
    insertions: list[tuple[int, int]] = field(default_factory=list)
    #: each repair step: (what json expected, where it stopped, how far what the step reported reaches), in the
    #: original text's offsets
    repairs: list[tuple[Kind, int, int]] = field(default_factory=list)
    truncated: bool = False
    #: parsed_text is exactly its value pretty-printed with two-space indents (found while parsing; see _fast_value)
    canonical: bool = False
    _skeleton: Mapping[Pointer, Spans] | None = None
    #: 0 nothing tried yet, 1 the indentation index was tried, 2 the full scan too
    _skeleton_tried: int = 0
    _index: TextIndex | None = None
    #: a text an editor will change (kept by a Reparser): what the last run placed, by engine key; else None
    placed: dict[Any, Finding] | None = None
    #: a spliced text: the previous version's placements and where the texts differ (a reuse.Previous)
    previous: Any = None
    #: what the last run's rules kept for the next version (rules.carry), for a text an editor will change
    carried: dict[str, Any] | None = None
    #: after a spliced text's run: the findings it has from the last run's, moved (a reuse.Earlier)
    moved: Any = None

    @property
    def index(self) -> TextIndex:
        """Line index of the original text (built on first use)."""
        if self._index is None:
            self._index = TextIndex(self.text)
        return self._index

    def skeleton(self, full_scan: bool = True) -> Mapping[Pointer, Spans] | None:
        """Spans of the top two levels of parsed_text (nodes[i], connections.S, ...), computed once, on demand.

        Canonical text (exactly its value pretty-printed) is indexed by its indentation, a few milliseconds; other text
        needs a full scan, done only when full_scan is allowed.
        """
        if self._skeleton is None and self._skeleton_tried < (2 if full_scan else 1):
            if self._skeleton_tried == 0 and self.canonical:
                self._skeleton = skeleton.fast_index(self.parsed_text, self.value)
            if self._skeleton is None and full_scan:
                with contextlib.suppress(skeleton.NotSimple):
                    self._skeleton = skeleton.index(self.parsed_text)
            self._skeleton_tried = 2 if full_scan else 1
        return self._skeleton

    def to_original(self, offset: int) -> int:
        """Map an offset in parsed_text back to the original text."""
        return min(len(self.text), doc_to_original(self.insertions, offset))


def decode_bytes(data: bytes) -> tuple[str, Finding | None]:
    """Decode file bytes: UTF-8 (BOM allowed), UTF-16/32 with BOM; invalid bytes are replaced and reported."""
    skip, enc = 0, "utf-8"
    if data.startswith(b"\xef\xbb\xbf"):
        skip = 3
    elif data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        enc = "utf-32"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"
    body = data[skip:]
    try:
        return body.decode(enc), None
    except UnicodeDecodeError as exc:
        text = body.decode(enc, errors="replace")
        # Position of the first bad byte, in code points of the replaced text.
        at = len(body[: exc.start].decode(enc, errors="replace"))
        bad = f"byte 0x{body[exc.start]:02x} at byte offset {exc.start + skip}"
        message = f"File is not valid {enc.upper()}: {bad} cannot be decoded"
        return text, Finding(code="INVALID_ENCODING", message=message, path="", pointer=(), offsets=(at, at + 1))


def parse(text: str, max_bytes: int | None = None) -> Document:
    """Parse text into a Document; never raises. Broken text is repaired step by step and each step reported."""
    if max_bytes is not None and _utf8_size(text, max_bytes) > max_bytes:
        doc = Document(text=text, value=None, parsed_text=text)
        message = f"File is over the size limit of {max_bytes:,} bytes (setting maxFileBytes); not validated"
        doc.syntax.append(syntax_finding("FILE_TOO_LARGE", message, 0, 0))
        return doc
    work = text
    if work.startswith("\ufeff"):
        work = " " + work[1:]  # same length: positions stay exact
    doc = Document(text=text, value=None, parsed_text=work)
    fast, broken = _fast_parse(work)
    if fast is not _NO_VALUE:
        doc.value, doc.canonical = fast
        return doc
    dups: dict[int, list[str]] = {}
    nonstd: list[str] = []

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        d = dict(pairs)
        if len(d) != len(pairs):
            seen: set[str] = set()
            dups[id(d)] = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
        return d

    def constant(name: str) -> float:
        # NaN/Infinity are not JSON: reported below, but read as the numbers JavaScript would see, so that rules and
        # json.dumps handle them like any number (an opaque marker object crashed every rule that printed the value).
        nonstd.append(name)
        return float(name)

    insertions: list[tuple[int, int]] = []
    decoder = json.JSONDecoder(object_pairs_hook=hook, parse_constant=constant, parse_int=_json_int)
    deep = too_deep(work)
    if deep:
        report_depth(doc, work, insertions)
    for _ in range(0 if deep else MAX_REPAIRS):
        dups.clear()
        try:
            value, extra = read(decoder, work, broken)
            if extra is None:
                doc.value = value
                break
            kind, pos = Kind.EXTRA, extra
        except json.JSONDecodeError as exc:
            kind, pos = classify(work, exc.pos)  # the position only: CPython's wording differs between releases
        except RecursionError:
            report_depth(doc, work, insertions)
            break
        at, reported = doc_to_original(insertions, pos), len(doc.syntax)
        repaired = repair.step(work, kind, pos, doc, insertions)
        doc.repairs.append((kind, at, max([at + 1, *(f.offsets[1] for f in doc.syntax[reported:] if f.offsets)])))
        if repaired is None:
            doc.value = None
            break
        work = repaired
        fast, broken = _fast_parse(work)  # the repaired text is usually well-formed now
        if fast is not _NO_VALUE:
            doc.value, doc.canonical = fast
            break
    else:
        if not deep:
            doc.value = None
            doc.syntax.append(
                syntax_finding(
                    "JSON_SYNTAX_ERROR", f"Too many syntax errors (over {MAX_REPAIRS}); stopped parsing", 0, 0
                )
            )
    doc.parsed_text = work
    if doc.truncated:
        # The brackets closed at the end shift no position that maps back, but the text was repaired all the same:
        # a zero-length record says so, and keeps fixes (edits against the exact text) from being offered.
        insertions.append((len(work), 0))
    doc.insertions = insertions
    doc.duplicate_keys = dict(dups)
    if nonstd:
        _report_nonstandard(doc, work)
    return doc


_NO_VALUE = object()
#: what bytes.strip() strips
_WS_BYTES = re.compile(rb"[ \t\n\r\x0b\x0c]*")


def _json_int(text: str) -> int | float:
    """A JSON integer, exact; beyond CPython's 4300-digit conversion limit, the double JavaScript reads (Infinity)."""
    return int(text) if len(text) <= 4300 else float(text)


def _fast_parse(work: str) -> tuple[Any, bool]:
    """(_fast_value's answer, whether orjson found the text not well-formed)."""
    if _orjson is None:
        return _NO_VALUE, False
    try:
        raw = work.encode("utf-8")
        value = _orjson.loads(raw)
        again = _orjson.dumps(value, option=_orjson.OPT_INDENT_2)
    except _orjson.JSONDecodeError:
        return _NO_VALUE, True
    except (ValueError, TypeError):  # lone surrogates, nesting orjson will not write back
        return _NO_VALUE, False
    return _fast_check(raw, value, again), False


def _fast_value(work: str) -> Any:
    """(value, canonical) of well-formed JSON without duplicate keys, parsed by orjson (about 1.6x the speed of json
    with the duplicate-key hook); _NO_VALUE for anything else (broken text, NaN, huge numbers, duplicate keys, lone
    surrogates), which the json path then parses and reports exactly. canonical: the text is its value pretty-printed.

    The value is written back pretty-printed (two-space indents, as json.dumps(indent=2) and most formatters write). If
    that is the text itself, nothing was dropped or rounded. Otherwise duplicate keys are found by counting: every ':'
    of valid JSON text is either a member's separator or a character inside a string literal, and the re-serialised
    value keeps one ':' per member that survived and every ':' inside strings, so the two counts are equal exactly when
    no member was dropped - unless a string spells a colon as the escape \u003a, which decodes to an extra ':' and
    could hide a dropped member: such text takes the json path. Integers beyond 64 bits: orjson reads them as floats,
    which it writes back with an exponent ("1e+20"); json keeps them exact. Any "e+" in the re-serialised value (such
    a float, or just those two characters in a string) sends the text to the json path.
    """
    return _fast_parse(work)[0]


def _fast_check(raw: bytes, value: Any, again: bytes) -> Any:
    """_fast_value's answer for a text orjson read: `raw` (its UTF-8), its `value`, and the value written `again`."""
    ws = _WS_BYTES.match
    lead = ws(raw).end()  # type: ignore[union-attr]
    if raw.startswith(again, lead) and ws(raw, lead + len(again)).end() == len(raw):  # type: ignore[union-attr]
        return value, True  # (raw.strip() == again, without copying a large text)
    if raw.count(b":") != again.count(b":"):
        return _NO_VALUE
    # (a one-byte search is a memchr: the longer needles are looked for only when their first byte occurs)
    if (b"\\" in raw and b"\\u003" in raw) or (b"+" in again and b"e+" in again):
        return _NO_VALUE
    return value, False


def _report_nonstandard(doc: Document, work: str) -> None:
    for m in re.finditer(r"-?\b(?:NaN|Infinity)\b", work):
        start = doc.to_original(m.start())
        doc.syntax.append(
            syntax_finding("JSON_SYNTAX_ERROR", f"{m.group()} is not valid JSON", start, start + len(m.group()))
        )
        break


def _utf8_size(text: str, limit: int) -> int:
    """Size of text in UTF-8 bytes, computed only when it could exceed limit (a code point takes at most 4 bytes)."""
    if text.isascii() or len(text) > limit or len(text) * 4 <= limit:
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))
