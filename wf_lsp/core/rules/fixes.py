"""Fix plans: text edits against the validated text, computed once the spans they need are known."""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from itertools import repeat
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from wf_lsp.core.findings import Fix, Pointer, TextEdit
from wf_lsp.core.locate import Found, value_end

if TYPE_CHECKING:
    from wf_lsp.core.context import Context, FixPlan

_WS = re.compile(r"[ \t\r\n]*")


def dumps(value: Any) -> str:
    """JSON text for a value, keeping non-ASCII characters as they are."""
    if type(value) is str:
        return encode_basestring(value)  # what json.dumps(value, ensure_ascii=False) returns for a string, minus its setup
    return json.dumps(value, ensure_ascii=False)


def _plan(pointers: tuple[Pointer, ...], build: Callable[[dict[Pointer, Found], str], list[Fix]]) -> FixPlan:
    return (pointers, build)


def replace_value(ptr: Pointer, value: Any, title: str, safe: bool) -> FixPlan:
    """Replace the value at ptr with a new JSON value."""

    def build(spans: dict[Pointer, Found], text: str) -> list[Fix]:
        if ptr not in spans:
            return []
        start, end = spans[ptr][1][0], value_end(text, spans[ptr])
        return [Fix(title, (TextEdit(start, end, dumps(value)),), safe)]

    return _plan((ptr,), build)


def replace_values(edits: list[tuple[Pointer, str, Any]], title: str, safe: bool) -> FixPlan:
    """Replace several values or keys at once: (pointer, 'value'|'key', new value)."""

    def build(spans: dict[Pointer, Found], text: str) -> list[Fix]:
        out: list[TextEdit] = []
        for ptr, part, value in edits:
            if ptr not in spans:
                return []
            key_span = spans[ptr][0]
            span = key_span if part == "key" else (spans[ptr][1][0], value_end(text, spans[ptr]))
            if span is None:
                return []
            out.append(TextEdit(span[0], span[1], dumps(value)))
        return [Fix(title, tuple(sorted(out, key=lambda e: e.start)), safe)] if out else []

    return _plan(tuple(p for p, _, _ in edits), build)


def insert_member(obj_ptr: Pointer, key: str, value: Any, title: str, safe: bool) -> FixPlan:
    """Add `"key": value` as the first member of the object at obj_ptr, matching its indentation."""

    def build(spans: dict[Pointer, Found], text: str) -> list[Fix]:
        if obj_ptr not in spans:
            return []
        start, end = spans[obj_ptr][1][0], value_end(text, spans[obj_ptr])
        if text[start] != "{":
            return []
        first = _WS.match(text, start + 1).end()  # type: ignore[union-attr]
        member = f"{dumps(key)}: {dumps(value)}"
        if text[first] == "}":
            edit = TextEdit(start, end, "{" + member + "}")
        else:
            gap = text[start + 1 : first]
            edit = TextEdit(first, first, member + "," + (gap or " "))
        return [Fix(title, (edit,), safe)]

    return _plan((obj_ptr,), build)


def remove_item(container: Pointer, index: int, title: str, safe: bool) -> FixPlan:
    """Remove one array element with its separating comma."""
    item = container + (index,)

    def build(spans: dict[Pointer, Found], text: str) -> list[Fix]:
        if item not in spans or container not in spans:
            return []
        return [Fix(title, (_removal(text, spans[item][1][0], value_end(text, spans[item])),), safe)]

    return _plan((item, container), build)


def remove_member(ptr: Pointer, title: str, safe: bool) -> FixPlan:
    """Remove an object member (key and value) with its separating comma."""

    def build(spans: dict[Pointer, Found], text: str) -> list[Fix]:
        if ptr not in spans or spans[ptr][0] is None:
            return []
        return [Fix(title, (_removal(text, spans[ptr][0][0], value_end(text, spans[ptr])),), safe)]  # type: ignore[index]

    return _plan((ptr,), build)


def _removal(text: str, start: int, end: int) -> TextEdit:
    """Delete text[start:end] (an item or a member) together with the comma that separates it from a neighbour."""
    after = _WS.match(text, end).end()  # type: ignore[union-attr]
    if text[after : after + 1] == ",":
        return TextEdit(start, _WS.match(text, after + 1).end(), "")  # type: ignore[union-attr]
    i = start - 1
    while i >= 0 and text[i] in " \t\r\n":
        i -= 1
    if i >= 0 and text[i] == ",":
        return TextEdit(i, end, "")
    if i >= 0 and text[i] in "[{" and text[after : after + 1] in ("]", "}"):  # the only one: close up, `[]` / `{}`
        return TextEdit(i + 1, after, "")
    return TextEdit(start, end, "")


def combine(*plans: FixPlan | None) -> FixPlan | None:
    """Several alternative fixes for one finding."""
    real = [p for p in plans if p is not None]
    if not real:
        return None
    pointers = tuple(ptr for p in real for ptr in p[0])

    def build(spans: dict[Pointer, Found], text: str) -> list[Fix]:
        return [fix for p in real for fix in p[1](spans, text)]

    return (pointers, build)


def free_name(taken: set[str], base: str) -> str:
    """`base 2`, `base 3`, ... : the first that is not taken."""
    n = 2
    while f"{base} {n}" in taken:
        n += 1
    return f"{base} {n}"


def rename_duplicate(ctx: Context, index: int, name: str) -> FixPlan:
    """Rename a later node whose name repeats an earlier one's."""
    new = free_name(set(ctx.names), name)
    referenced = _name_referenced(ctx, name)
    return replace_values([(("nodes", index, "name"), "value", new)], f"Rename duplicate node to '{new}'", safe=not referenced)


def rename_duplicate_id(ctx: Context, index: int, node_id: str) -> FixPlan:
    """Give a node whose id repeats an earlier one's a fresh id."""
    n = 2
    while f"{node_id}_{n}" in ctx.ids:
        n += 1
    new = f"{node_id}_{n}"
    return replace_values([(("nodes", index, "id"), "value", new)], f"Change duplicate id to '{new}'", safe=False)


def _name_referenced(ctx: Context, name: str) -> bool:
    if ctx.referenced is None:
        conns = ctx.wf.get("connections") if isinstance(ctx.wf, dict) else None
        refs: set[str] = set()
        if isinstance(conns, dict):
            refs.update(conns)
            refs.update(t for _, _, t in ctx.targets() if isinstance(t, str))
        ctx.referenced = refs
    return name in ctx.referenced


def iter_targets(conns: dict[str, Any]) -> list[tuple[Pointer, int, Any]]:
    """Every (pointer of a target list, position, target node value) in a connection map."""
    out: list[tuple[Pointer, int, Any]] = []
    for src, outputs in conns.items():
        if not isinstance(outputs, dict):
            continue
        for otype, indices in outputs.items():
            items = indices.items() if isinstance(indices, dict) else enumerate(indices) if isinstance(indices, list) else ()
            for x, targets in items:
                if isinstance(targets, list):
                    for j, t in enumerate(targets):
                        if isinstance(t, dict):
                            out.append((("connections", src, otype, x), j, t.get("node")))
    return out


def closest(word: str, candidates: list[str], ctx: Context | None = None) -> str | None:
    """The closest candidate to word (did-you-mean), if close enough.

    Small candidate lists use difflib's ratio; large ones a deletion-neighbourhood index (edit distance up to 2),
    built once per document, so a file with an error on every node still validates in linear time. With a
    context, at most GUESS_BUDGET distinct words are guessed per document.
    """
    if not candidates or len(word) > MAX_GUESS_LENGTH:
        return None
    cache: dict[str, str | None] | None = None
    if ctx is not None:
        cache = ctx.guesses
        if word in cache:
            return cache[word]
        if len(cache) >= GUESS_BUDGET:
            return None
    suggester = _suggester(candidates, ctx) if ctx is not None else None
    if len(candidates) <= SMALL or (len(cache or ()) < FEW and len(candidates) <= 2000):
        # difflib's ratio costs O(candidates) a word: fine for short lists, and for the first few words of a long one.
        if suggester is not None:
            hit = suggester.by_ratio(word)
        else:
            folded = word.lower()
            hit = next((c for c in candidates if c.lower() == folded), None)
            if hit is None:
                hits = difflib.get_close_matches(word, [c for c in candidates if len(c) <= MAX_GUESS_LENGTH], n=1, cutoff=RATIO_CUTOFF)
                hit = hits[0] if hits else None
    else:
        hit = (suggester or _Suggester(candidates)).by_edits(word)
    if cache is not None:
        cache[word] = hit
    return hit


SMALL = 64
#: words (and candidates) longer than this get no did-you-mean: a ratio costs up to the product of the two lengths, and
#: nobody mistypes a 300-character name
MAX_GUESS_LENGTH = 256
#: words guessed with difflib before a long candidate list gets its deletion index
FEW = 4
#: difflib.get_close_matches' default cutoff, which did-you-mean uses
RATIO_CUTOFF = 0.6


def _suggester(candidates: list[str], ctx: Context) -> _Suggester:
    found = ctx.suggesters.get(id(candidates))
    if found is None:
        found = ctx.suggesters[id(candidates)] = _Suggester(candidates)
    return found


class _Suggester:
    """Did-you-mean over one long candidate list, with tables built on first use and shared by every word."""

    def __init__(self, words: list[str]) -> None:
        self.words = [w for w in words if len(w) <= MAX_GUESS_LENGTH]
        self._folded: dict[str, str] | None = None
        self._counts: _CharCounts | None = None
        self._deletions: _DeletionIndex | None = None

    def by_ratio(self, word: str, cutoff: float = RATIO_CUTOFF) -> str | None:
        """Exactly what the small-list path answers: a case-insensitive match, else difflib's best ratio."""
        if self._folded is None:
            self._folded = {}
            for w in self.words:
                self._folded.setdefault(w.lower(), w)
        hit = self._folded.get(word.lower())
        if hit is not None:
            return hit
        if self._counts is None:
            self._counts = _CharCounts(self.words)
        survivors = _subsequence_filter(word, self._counts.may_match(word, cutoff), cutoff)
        hits = difflib.get_close_matches(word, survivors, n=1, cutoff=cutoff) if survivors else []
        return hits[0] if hits else None

    def by_edits(self, word: str) -> str | None:
        """A case-insensitive match within edit distance 2."""
        if self._deletions is None:
            self._deletions = _DeletionIndex(self.words)
        if len(word) > MAX_GUESS_LENGTH:
            return None
        return self._deletions.lookup(word)


class _CharCounts:
    """Per-character counts of many short words, to skip the words difflib would reject before computing a ratio.

    difflib.get_close_matches keeps a word only if its quick_ratio, 2 * (characters the two strings share, counted
    with multiplicity) / (sum of lengths), reaches the cutoff; the ratio it then computes never exceeds that. Here the
    shared counts of all words are computed at once: one byte column per character (that character's count in each
    word), capped at the query's own count with bytes.translate, and summed as big integers. Lists with a word of 256
    characters or more (a count must fit in a byte), and queries with many distinct characters, keep every word.
    """

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.lengths = [len(w) for w in words]
        self.short = all(n < 256 for n in self.lengths)
        self._columns: dict[str, bytes] = {}

    def _column(self, ch: str) -> bytes:
        column = self._columns.get(ch)
        if column is None:
            column = self._columns[ch] = bytes(map(str.count, self.words, repeat(ch)))
        return column

    def _shared(self, wanted_counts: Counter[str]) -> bytes:
        """For every word, how many characters it shares with a query of these counts (with multiplicity)."""
        total = 0
        for ch, wanted in wanted_counts.items():
            column = self._column(ch)
            if wanted < 255:
                column = column.translate(_cap_table(wanted))
            total += int.from_bytes(column, "big")
        return total.to_bytes(len(self.words), "big")

    def may_match(self, word: str, cutoff: float) -> list[str]:
        """The words, in order, whose quick_ratio against `word` reaches the cutoff (all of them if any is long)."""
        counts = Counter(word)
        if not self.short or len(counts) > MAX_QUERY_CHARACTERS:
            return self.words
        n = len(word)
        shared = self._shared(counts)
        return [w for w, size, common in zip(self.words, self.lengths, shared, strict=True) if _ratio(common, size + n) >= cutoff]


#: a query with more distinct characters than this is matched by plain difflib (one column per character)
MAX_QUERY_CHARACTERS = 64


def _subsequence_filter(word: str, candidates: list[str], cutoff: float) -> list[str]:
    """The candidates, in order, whose ratio against `word` could still reach the cutoff by their longest common
    subsequence with it.

    difflib's matching blocks are runs of equal characters in increasing order in both strings, so together they are a
    common subsequence: ratio <= 2 * LCS / (sum of lengths). A few big-integer operations per character of the
    candidate compute the LCS length (Hyyro's bit-parallel algorithm), several times faster than a ratio itself.
    """
    if len(candidates) < 2:
        return candidates
    masks: dict[str, int] = {}
    for position, ch in enumerate(word):
        masks[ch] = masks.get(ch, 0) | (1 << position)
    width = len(word)
    everything = (1 << width) - 1
    kept = []
    for candidate in candidates:
        row = everything
        for ch in candidate:
            matched = row & masks.get(ch, 0)
            row = ((row + matched) | (row - matched)) & everything
        if _ratio(width - row.bit_count(), width + len(candidate)) >= cutoff:
            kept.append(candidate)
    return kept


def _ratio(matches: int, length: int) -> float:
    """difflib's _calculate_ratio."""
    return 2.0 * matches / length if length else 1.0


@lru_cache(maxsize=256)
def _cap_table(limit: int) -> bytes:
    """A bytes.translate table that caps every byte at limit."""
    return bytes(min(b, limit) for b in range(256))


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class _DeletionIndex:
    """Case-insensitive lookup of words within edit distance 2 (insertions, deletions, substitutions, swaps).

    A query of length n can only meet words of length n - 1, n or n + 1 (lower-cased), so the index is built per
    length, on first use: a file with an error on every node pays for the lengths its typos have, not for all names.
    """

    def __init__(self, words: list[str]) -> None:
        self.exact: dict[str, str] = {}
        self.dels: dict[str, str] = {}
        #: lower-cased length -> (lower-cased word, word), in list order; removed once indexed
        self._pending: dict[int, list[tuple[str, str]]] = {}
        for w in words:
            lw = w.lower()
            self._pending.setdefault(len(lw), []).append((lw, w))

    def _index(self, length: int) -> None:
        # Keys of one length come from words of one length (exact: equal; deletions: one longer), so indexing length by
        # length keeps the first word for every key.
        for lw, w in self._pending.pop(length, ()):
            self.exact.setdefault(lw, w)
            if len(lw) >= 3:
                for d in _deletes(lw):
                    self.dels.setdefault(d, w)

    def lookup(self, word: str) -> str | None:
        lw = word.lower()
        for length in (len(lw) - 1, len(lw), len(lw) + 1):
            self._index(length)
        if lw in self.exact:
            return self.exact[lw]
        if len(lw) < 3:
            return None
        for d in (lw, *sorted(_deletes(lw))):
            hit = self.exact.get(d) or self.dels.get(d)
            if hit is not None:
                return hit
        return None


GUESS_BUDGET = 50

#: did-you-mean over one long candidate list, for rules that keep one per registry (node types)
Suggester = _Suggester
