"""One validation run: parse, run the rules of the profile, suppress, set severities, then place and fix findings."""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from typing import Any

from wf_lsp.core.findings import Finding, Fix, Pointer, Related, Severity, Span
from wf_lsp.core.fix.fixes import FixPlan
from wf_lsp.core.n8n import dialect as n8n_dialect
from wf_lsp.core.parse.document import Document, parse
from wf_lsp.core.parse.locate import Found, locate, value_end
from wf_lsp.core.reuse import Key, Previous, key_of
from wf_lsp.core.rules import catalog, every, noderefs, rule  # noqa: F401 (importing `every` registers every rule)
from wf_lsp.core.rules.context import Context
from wf_lsp.core.rules.registry import Registry
from wf_lsp.core.rules.suppress import apply_suppressions
from wf_lsp.core.settings import Settings


@dataclass(slots=True)
class Analysis:
    """What one run found, plus the facts a summary needs."""

    findings: list[Finding]
    value: Any
    is_workflow: bool
    duration_ms: float
    dialect: str = "metabuilder"


#: codes whose rules do not run on a dialect's files (the catalog's `dialects`)
_NOT_ON = {dialect: catalog.codes_not_on(dialect) for dialect in ("metabuilder", "n8n")}

SKELETON_MIN = 50_000
#: below this many deep pointers one early-exiting walk beats indexing the whole file first
SKELETON_POINTERS = 40


def enabled_codes(settings: Settings) -> frozenset[str]:
    """Codes the profile turns on, minus `off` severities, narrowed by select/ignore (memoised per settings object)."""
    cached = _ENABLED.get(id(settings))
    if cached is not None and cached[0] is settings:
        return cached[1]
    codes = _enabled_codes(settings)
    if len(_ENABLED) > 64:
        _ENABLED.clear()
    _ENABLED[id(settings)] = (settings, codes)
    return codes


_ENABLED: dict[int, tuple[Settings, frozenset[str]]] = {}


def _on_dialect(enabled: frozenset[str], dialect: str) -> frozenset[str]:
    """The enabled codes whose rules run on a dialect's files (memoised: the same set object for the same settings)."""
    key = (id(enabled), dialect)
    cached = _DIALECT.get(key)
    if cached is not None and cached[0] is enabled:
        return cached[1]
    if len(_DIALECT) > 64:
        _DIALECT.clear()
    found = enabled - _NOT_ON[dialect]
    _DIALECT[key] = (enabled, found)
    return found


_DIALECT: dict[tuple[int, str], tuple[frozenset[str], frozenset[str]]] = {}


def _enabled_codes(settings: Settings) -> frozenset[str]:
    codes = set(catalog.codes_for(settings.profile))
    for code, level in settings.severity.items():
        if level == "off":
            codes.discard(code)
        elif code in catalog.RULES:
            codes.add(code)  # an explicit severity turns a rule on in any profile
    if settings.select:
        codes = {c for c in codes if any(c.startswith(s.upper()) for s in settings.select)}
    for entry in settings.ignore:
        if entry.files is None and entry.pointer is None and entry.code != "*":
            codes.discard(entry.code)
    return frozenset(codes)


def looks_like_workflow(value: Any) -> bool:
    """A top-level object with `nodes` or `connections` (how files are recognised)."""
    return isinstance(value, dict) and ("nodes" in value or "connections" in value)


def analyze(
    text: str,
    settings: Settings,
    registry: Registry,
    path: str | None = None,
    pre: list[Finding] | None = None,
    doc: Document | None = None,
) -> Analysis:
    """Validate one text (`doc`: its parse, when the caller has it); never raises for any input.

    The cyclic garbage collector is paused for the run. A parsed document is a tree (no reference cycles), and so are
    the findings, so the collector would find nothing; yet parsing a large file allocates enough containers to trigger
    dozens of collections that each walk the young tree (measured: 7 ms of a 50 ms run on a 1000-node file with an
    error on every node). Everything the run frees is freed by reference counting as usual.
    """
    with PausedGC():
        return _analyze(text, settings, registry, path, pre, doc)


class PausedGC:
    """A with-block during which the cyclic garbage collector does not run (nestable; with threads, the outermost
    pause resumes it). A caller that keeps a run's parsed value a little longer (to summarize it) can pause around
    both, and drop the value inside: a collection that finds the tree dead has nothing to walk."""

    __slots__ = ("_resume",)

    def __enter__(self) -> PausedGC:
        self._resume = gc.isenabled()
        if self._resume:
            gc.disable()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._resume:
            gc.enable()


def _analyze(
    text: str, settings: Settings, registry: Registry, path: str | None, pre: list[Finding] | None, doc: Document | None
) -> Analysis:
    t0 = time.perf_counter()
    if doc is None:
        doc = parse(text, settings.max_file_bytes)
    enabled = enabled_codes(settings)
    dialect = n8n_dialect.resolve(settings.dialect, doc.value)
    enabled = _on_dialect(enabled, dialect)
    ctx = Context(doc=doc, settings=settings, registry=registry, enabled=enabled, wf=doc.value)
    ctx.dialect = dialect
    if doc.placed is not None:  # an editor's text: this run keeps work for the next version, and takes the last's
        ctx.carry = doc.carried = {}
        ctx.carried = doc.previous.carried if doc.previous is not None else None
    ctx.key_mode = "name" if dialect == "n8n" else settings.key_mode
    if pre:
        ctx.findings.extend(f for f in pre if f.code in enabled)
    rule.run("document", ctx)
    if doc.value is not None or not doc.syntax:
        _index_nodes(ctx)
        rule.run("top", ctx)
        if isinstance(ctx.wf, dict):  # only the structure rule speaks about a non-object top level
            rule.run("workflow", ctx)
    findings = apply_suppressions(ctx, path)
    if ctx.unused_suppressions:
        before = len(ctx.findings)
        rule.run("suppressed", ctx)
        findings.extend(ctx.findings[before:])
    _severities(findings, settings)
    _place(doc, ctx, findings)
    findings.sort(key=lambda f: (f.span.start.offset if f.span else 0, f.severity, f.code))
    return Analysis(findings, doc.value, looks_like_workflow(doc.value), (time.perf_counter() - t0) * 1000, dialect)


def _index_nodes(ctx: Context) -> None:
    nodes = ctx.wf.get("nodes") if isinstance(ctx.wf, dict) else None
    if not isinstance(nodes, list):
        return
    ctx.nodes = nodes
    noderefs.index_nodes(nodes, ctx.names, ctx.ids)


def _severities(findings: list[Finding], settings: Settings) -> None:
    levels: dict[str, tuple[Severity, Severity | None, str]] = {}
    for f in findings:
        level = levels.get(f.code)
        if level is None:
            level = levels[f.code] = _level(f.code, settings)
        default, configured, suggestion = level
        f.severity = default
        if "super-admin" in f.tags:
            f.severity = Severity.INFORMATION
            f.tags = ()
        if configured is not None:
            f.severity = configured
        f.suggestion = suggestion
        if len(f.message) > MAX_MESSAGE:
            f.message = clip(f.message)
        if f.related and any(len(r.message) > MAX_MESSAGE for r in f.related):
            f.related = [Related(clip(r.message), r.pointer, r.anchor, r.span) for r in f.related]


def _level(code: str, settings: Settings) -> tuple[Severity, Severity | None, str]:
    """A code's default severity, the severity the settings give it (if any) and its suggestion."""
    rule = catalog.RULES.get(code)
    configured = settings.severity.get(code)
    return (
        rule.severity if rule else Severity.ERROR,
        Severity.parse(configured) if configured and configured != "off" else None,
        catalog.suggestion_for(code),
    )


MAX_MESSAGE = 1000


def clip(message: str) -> str:
    """A message that echoes a huge value (a 10 MB name), cut in the middle so editors and logs stay responsive."""
    cut = len(message) - 600
    return f"{message[:400]} …({cut:,} characters)… {message[-200:]}"


def _ancestors(ptr: Pointer) -> list[Pointer]:
    return [ptr[:k] for k in range(len(ptr), -1, -1)]


def _place(doc: Document, ctx: Context, findings: list[Finding]) -> None:
    """Give every finding and related location its exact span, and build fix edits, in one locate pass."""
    plans = ctx.plans
    exact = not doc.insertions and doc.value is not None
    # Text repaired in place (a stray token blanked, a comment turned into spaces) has the same offsets but other
    # characters: a fix computed against the repaired text is kept only where the original reads the same.
    repaired = exact and doc.parsed_text != doc.text
    mapped = bool(doc.insertions)
    keys: list[tuple[Key, Finding]] = []
    doc.moved = None
    if doc.placed is not None:  # a text an editor will change: the next version places what did not change as this
        findings, keys = _reuse(doc, findings, plans) if exact and not repaired else (findings, keys)
    if not findings:
        return
    wanted: set[Pointer] = set()
    add = wanted.add
    for f in findings:
        if f.offsets is None:
            add(f.pointer)
        for r in f.related:
            add(r.pointer)
        plan = plans.get(id(f))
        if plan is not None:
            wanted.update(plan.pointers)
    text = doc.parsed_text
    early = not doc.duplicate_keys
    # In a large file, deep pointers are found from their node's or entry's offset (one extra C-speed scan), and so
    # are nodes[i] and connections.S themselves where the skeleton is known without a scan (carried from the last
    # version, or canonical text): a walk from the root would scan every value before them.
    deep = sum(1 for p in wanted if len(p) > 2)
    big = doc.value is not None and len(text) > SKELETON_MIN and (deep > 0 or any(len(p) == 2 for p in wanted))
    skeleton = doc.skeleton(full_scan=deep > SKELETON_POINTERS) if big else None
    # With the parsed value, locate skips what is certainly absent (and so can stop early); the spans stay the same.
    spans = locate(text, wanted, early, skeleton, doc.value) if doc.value is not None and wanted else {}
    missing = {p for p in wanted if p not in spans and p}
    if missing and doc.value is not None:
        # Second pass, rarely needed: the nearest existing ancestor of what is absent (a missing key).
        spans.update(locate(text, {a for p in missing for a in _ancestors(p)[1:]}, early, skeleton, doc.value))
    offsets: list[int] = []
    for f in findings:
        if f.offsets is None:
            span = _span_for(text, spans, f.pointer, f.anchor, f.code == "DUPLICATE_KEY")
            f.offsets = _map(doc, span) if mapped else span
        offsets.extend(f.offsets)
        for r in f.related:
            span = _span_for(text, spans, r.pointer, r.anchor, False)
            offsets.extend(_map(doc, span) if mapped else span)
        plan = plans.get(id(f))
        if plan is not None and exact:
            try:
                f.fixes = plan.build(spans, text)
            except (IndexError, KeyError, ValueError):
                f.fixes = []
            if repaired and f.fixes:
                f.fixes = [x for x in f.fixes if _same_around(doc, x)]
    positions = iter(doc.index.positions(offsets))
    for f in findings:
        f.span = Span(next(positions), next(positions))
        f.related = [Related(r.message, r.pointer, r.anchor, Span(next(positions), next(positions))) for r in f.related]
    if keys:
        doc.placed.update(keys)  # type: ignore[union-attr]


def _reuse(
    doc: Document, findings: list[Finding], plans: dict[int, FixPlan]
) -> tuple[list[Finding], list[tuple[Key, Finding]]]:
    """Place what the previous version of a spliced text placed the same way (moved by the edit), and keep what this
    run placed for the next version: the findings still to place, and the keys to keep them by once placed."""
    previous: Previous | None = doc.previous
    doc.previous = None  # used once: the previous version's findings are let go
    placed: dict[Key, Finding] = {}
    todo: list[Finding] = []
    keys: list[tuple[Key, Finding]] = []
    moved: dict[int, Finding] = {}
    for k, f in enumerate(findings):
        plan = plans.get(id(f))
        key = key_of(f, plan)
        found = previous.reuse(f, key, plan) if previous is not None and key is not None else None
        if found is not None:
            kept, old, same = found
            if kept is not f:  # the previous finding itself (before the edit, and the same): nothing moves
                findings[k] = f = kept
            placed[key] = f
            if same:
                moved[id(f)] = old
        else:
            todo.append(f)
            if key is not None:
                keys.append((key, f))
    doc.placed = placed
    doc.moved = (previous.edit, moved) if previous is not None and moved else None
    return todo, keys


def _same_around(doc: Document, fix: Fix) -> bool:
    """Whether every edit of a fix, and the character on each side of it, reads the same in the original text as in
    the repaired text the fix was computed against."""
    original, parsed = doc.text, doc.parsed_text
    return all(original[max(0, e.start - 1) : e.end + 1] == parsed[max(0, e.start - 1) : e.end + 1] for e in fix.edits)


def _map(doc: Document, span: tuple[int, int]) -> tuple[int, int]:
    if not doc.insertions:
        return span
    return doc.to_original(span[0]), max(doc.to_original(span[0]), doc.to_original(span[1]))


def _leading_space(text: str) -> int:
    """len(text) - len(text.lstrip()), without copying a large text when its leading whitespace is short."""
    head = text[:64]
    rest = head.lstrip()
    if rest or len(head) == len(text):
        return len(head) - len(rest)
    return len(text) - len(text.lstrip())


def _span_for(text: str, spans: dict[Pointer, Found], ptr: Pointer, anchor: str, first_key: bool) -> tuple[int, int]:
    found = spans.get(ptr)
    if found is None:
        for k in range(
            len(ptr) - 1, -1, -1
        ):  # fall back to the nearest located ancestor: its key, or its value's first character
            found = spans.get(ptr[:k])
            if found is not None:
                return found[0] if found[0] is not None else (found[1][0], found[1][0] + 1)
        start = _leading_space(text)
        return (start, start + 1) if start < len(text) else (0, 0)
    key_span, (vs, ve) = found
    if (first_key or anchor == "key") and key_span is not None:
        return key_span
    if ve < 0 and text[vs : vs + 1] in ("{", "["):
        # The locator leaves a container's end out when no wanted pointer needed it: find it here, so a span never
        # depends on which other findings were placed with it (the same text always gives the same span).
        ve = _container_end(text, vs)
    if anchor == "member" and key_span is not None and ve >= 0:
        return key_span[0], ve
    if ve < 0 or (text[vs : vs + 1] in ("{", "[") and text.find("\n", vs, ve) >= 0):
        return key_span if key_span is not None else (vs, vs + 1)
    return vs, ve


def _container_end(text: str, start: int) -> int:
    """The end of the container value at start, or -1 when it does not end on its first line (its end is not needed
    then: such a value is marked by its key), or when it does not parse."""
    nl = text.find("\n", start)
    if nl > 0 and not text[start + 1 : nl].strip():  # the opening bracket ends its line: a multi-line value
        return -1
    end = value_end(text, (None, (start, -1)))
    return end if end > start + 1 else -1  # (start + 1: it does not parse)
