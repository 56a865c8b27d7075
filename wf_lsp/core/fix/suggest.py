"""Did-you-mean: the closest known word to a misspelt one, in time linear in the document however many errors."""

from __future__ import annotations

import difflib
import threading
from collections import Counter, OrderedDict
from functools import lru_cache
from itertools import repeat


def closest(word: str, candidates: list[str], state: Guesses | None = None) -> str | None:
    """The closest candidate to word (did-you-mean), if close enough.

    Small candidate lists use difflib's ratio; large ones a deletion-neighbourhood index (edit distance up to 2),
    built once per document, so a file with an error on every node still validates in linear time. With a
    document's state, at most GUESS_BUDGET distinct words are guessed per document.
    """
    if not candidates or len(word) > MAX_GUESS_LENGTH:
        return None
    cache: dict[str, str | None] | None = None
    if state is not None:
        cache = state.answers
        if word in cache:
            return cache[word]
        if len(cache) >= GUESS_BUDGET:
            return None
    suggester = state.suggester(candidates) if state is not None else None
    if len(candidates) <= SMALL or (len(cache or ()) < FEW and len(candidates) <= 2000):
        # difflib's ratio costs O(candidates) a word: fine for short lists, and for the first few words of a long one.
        if suggester is not None:
            hit = suggester.by_ratio(word)
        else:
            folded = word.lower()
            hit = next((c for c in candidates if c.lower() == folded), None)
            if hit is None:
                hits = difflib.get_close_matches(
                    word, [c for c in candidates if len(c) <= MAX_GUESS_LENGTH], n=1, cutoff=RATIO_CUTOFF
                )
                hit = hits[0] if hits else None
    else:
        hit = (suggester or Suggester(candidates)).by_edits(word)
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


class Guesses:
    """One document's did-you-mean state: answers per word (bounded by GUESS_BUDGET) and the indexes of its long
    candidate lists, by id of the list (a caller keeps each list alive for the document's run)."""

    __slots__ = ("_suggesters", "answers")

    def __init__(self) -> None:
        self.answers: dict[str, str | None] = {}
        self._suggesters: dict[int, Suggester] = {}

    def suggester(self, candidates: list[str]) -> Suggester:
        """The index of one candidate list (built once per document, or taken from the last runs' when their list was
        the same: an editor's next version mostly has the same node names)."""
        found = self._suggesters.get(id(candidates))
        if found is None:
            found = self._suggesters[id(candidates)] = _shared(candidates)
        return found


#: Suggesters of the last few candidate lists (a Suggester is a function of its list alone: the same list, the same
#: answers, whichever document asks), and how many are kept
_SHARED: OrderedDict[tuple[str, ...], Suggester] = OrderedDict()
_SHARED_KEEP = 4
_SHARED_LOCK = threading.Lock()


def _shared(candidates: list[str]) -> Suggester:
    key = tuple(candidates)
    with _SHARED_LOCK:
        found = _SHARED.get(key)
        if found is not None:
            _SHARED.move_to_end(key)
            return found
    found = Suggester(list(key))
    with _SHARED_LOCK:
        _SHARED[key] = found
        while len(_SHARED) > _SHARED_KEEP:
            _SHARED.popitem(last=False)
    return found


class Suggester:
    """Did-you-mean over one long candidate list, with tables built on first use and shared by every word."""

    def __init__(self, words: list[str]) -> None:
        self.words = [w for w in words if len(w) <= MAX_GUESS_LENGTH]
        self._folded: dict[str, str] | None = None
        self._counts: _CharCounts | None = None
        self._deletions: _DeletionIndex | None = None
        #: runs of several threads share a suggester: its tables are built on first use, one caller at a time
        self._lock = threading.Lock()

    def by_ratio(self, word: str, cutoff: float = RATIO_CUTOFF) -> str | None:
        """Exactly what the small-list path answers: a case-insensitive match, else difflib's best ratio."""
        with self._lock:
            return self._by_ratio(word, cutoff)

    def _by_ratio(self, word: str, cutoff: float) -> str | None:
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
        if len(word) > MAX_GUESS_LENGTH:
            return None
        with self._lock:
            if self._deletions is None:
                self._deletions = _DeletionIndex(self.words)
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
        return [
            w
            for w, size, common in zip(self.words, self.lengths, shared, strict=True)
            if _ratio(common, size + n) >= cutoff
        ]


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
    Each length's part is a function of that length's words alone, shared by every list that has them (_part): an
    editor's next version, one node renamed, rebuilds one or two lengths, not all.
    """

    def __init__(self, words: list[str]) -> None:
        #: lower-cased length -> (lower-cased word, word), in list order; and the parts built so far
        self._pending: dict[int, list[tuple[str, str]]] = {}
        self._parts: dict[int, _Part] = {}
        for w in words:
            lw = w.lower()
            self._pending.setdefault(len(lw), []).append((lw, w))

    def _part(self, length: int) -> _Part:
        part = self._parts.get(length)
        if part is None:
            part = self._parts[length] = _part(tuple(self._pending.pop(length, ())))
        return part

    def lookup(self, word: str) -> str | None:
        lw = word.lower()
        n = len(lw)
        # Keys of one length come from words of one length (exact: equal; deletions: one longer).
        shorter, same, longer = self._part(n - 1), self._part(n), self._part(n + 1)
        hit = same[0].get(lw)
        if hit is not None or n < 3:
            return hit
        for d in (lw, *sorted(_deletes(lw))):
            hit = (same[0].get(d) or longer[1].get(d)) if len(d) == n else (shorter[0].get(d) or same[1].get(d))
            if hit is not None:
                return hit
        return None


#: one length's part of a deletion index: each word by itself (lower-cased) and by each of its deletions (words of
#: three characters or more), the first word in list order for each key
_Part = tuple[dict[str, str], dict[str, str]]
#: the parts of the last lengths' words, and how many are kept
_PARTS: OrderedDict[tuple[tuple[str, str], ...], _Part] = OrderedDict()
_PARTS_KEEP = 48


def _part(words: tuple[tuple[str, str], ...]) -> _Part:
    """The part of a deletion index for words of one length ((lower-cased, word) in list order)."""
    with _SHARED_LOCK:
        found = _PARTS.get(words)
        if found is not None:
            _PARTS.move_to_end(words)
            return found
    exact: dict[str, str] = {}
    dels: dict[str, str] = {}
    for lw, w in words:
        exact.setdefault(lw, w)
        if len(lw) >= 3:
            for d in _deletes(lw):
                dels.setdefault(d, w)
    with _SHARED_LOCK:
        _PARTS[words] = exact, dels
        while len(_PARTS) > _PARTS_KEEP:
            _PARTS.popitem(last=False)
    return exact, dels


GUESS_BUDGET = 50
