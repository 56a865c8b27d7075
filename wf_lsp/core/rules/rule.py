"""The rule registry: `@rule(CODE)` ties each catalog code to the one function that reports it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from wf_lsp.core.findings import Pointer
from wf_lsp.core.rules import catalog

if TYPE_CHECKING:
    from wf_lsp.core.rules.context import Context

# Adding a rule takes three places:
#   1. an entry in core/data/rules.toml: severity, profiles (the only place that decides where it runs), `fix`,
#      the message template (`{field}`s filled in by ctx.report; other wordings under [CODE.variants]), suggestion, doc;
#   2. one function in a module of core/rules/ (rules.every imports them in order), registered with @rule("CODE"),
#      that reports with ctx.report("CODE", pointer, **fields) (the path comes from the pointer unless given);
#   3. a golden case, tests/data/err/CODE_<case>.json with its .out (and a .toml sidecar for settings).
# Then `wf-lsp rules --format markdown > docs/rules.md`. tests/test_rule_registry.py checks that every code has one
# function, every template and variant is rendered with exactly its fields, and `fix = true` matches the fixes offered.
# Rules that share work compute it once per run in ctx.memo (the graph's adjacency); rules that share one walk (the
# connection map, an n8n export) have it `note` what each of them reports, and each reports its own (report_walked).

#: when a rule runs: on every parsed text; on any top-level value; on a top-level object; after suppressions match
Stage = Literal["document", "top", "workflow", "suppressed"]
RuleFunction = Callable[["Context"], None]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Registered:
    """One rule function and the one code it reports."""

    name: str
    module: str
    code: str
    run: RuleFunction
    stage: Stage
    #: False when the messages are the parser's own text, not the catalog's templates
    renders: bool

    def wanted(self, enabled: frozenset[str]) -> bool:
        """Whether the run needs this rule: its code is enabled."""
        return self.code in enabled


#: every registered rule, in registration order (within a module, the order its rules run in)
REGISTERED: list[Registered] = []
BY_CODE: dict[str, Registered] = {}
#: rule modules in the order they run (set by rules.every, which imports them all)
MODULE_ORDER: list[str] = []


def rule(code: str, *, stage: Stage = "workflow", renders: bool = True) -> Callable[[RuleFunction], RuleFunction]:
    """Register a function as the rule for a code; a code not in the catalog, or registered twice, fails here."""
    if code not in catalog.RULES:
        raise KeyError(f"@rule({code!r}): no such code in rules.toml")

    def register(fn: RuleFunction) -> RuleFunction:
        entry = Registered(f"{fn.__module__}.{fn.__name__}", fn.__module__, code, fn, stage, renders)
        if code in BY_CODE:
            raise ValueError(f"{code} is registered twice: {BY_CODE[code].name} and {entry.name}")
        BY_CODE[code] = entry
        REGISTERED.append(entry)
        return fn

    return register


def unregistered() -> list[str]:
    """Catalog codes no function reports (empty once every rule module is imported)."""
    return [code for code in catalog.RULES if code not in BY_CODE]


#: a stage's rules for one enabled set, in order: (code, function)
Plan = tuple[tuple[str, RuleFunction], ...]
_PLANS: dict[frozenset[str], dict[str, Plan]] = {}


def plan(stage: Stage, enabled: frozenset[str]) -> Plan:
    """The rules of a stage that an enabled set needs, in order (memoised per enabled set)."""
    plans = _PLANS.get(enabled)
    if plans is None:
        missing = unregistered()
        if missing:
            raise LookupError(f"catalog codes with no rule function: {', '.join(missing)}")
        if len(_PLANS) > 256:
            _PLANS.clear()
        ordered = sorted(
            REGISTERED, key=lambda r: MODULE_ORDER.index(r.module) if r.module in MODULE_ORDER else len(MODULE_ORDER)
        )
        plans = _PLANS[enabled] = {
            s: tuple((r.code, r.run) for r in ordered if r.stage == s and r.wanted(enabled))
            for s in ("document", "top", "workflow", "suppressed")
        }
    return plans[stage]


def run(stage: Stage, ctx: Context) -> None:
    """Run the rules of a stage that this run needs."""
    for code, fn in plan(stage, ctx.enabled):
        ctx.current = code
        fn(ctx)
    ctx.current = ""


#: what a walk found, by code, in walk order: (pointer, the options and fields for ctx.report)
Noted = dict[str, list[tuple[Pointer, dict[str, Any]]]]


def walked(ctx: Context, walk: RuleFunction) -> Noted:
    """What a walk shared by several rules found, running it once per run (for whichever of its rules runs first)."""
    noted: Noted | None = ctx.memo.get(walk)
    if noted is None:
        noted = ctx.memo[walk] = {}
        outer = ctx.memo.get("walk:current")
        ctx.memo["walk:current"] = (noted, walk.__module__)
        try:
            walk(ctx)
        finally:
            ctx.memo["walk:current"] = outer
    return noted


def current_notes(ctx: Context) -> Noted:
    """Inside a walk: what it has noted so far."""
    noted: Noted = ctx.memo["walk:current"][0]
    return noted


def add_notes(into: Noted, more: Noted) -> None:
    """Add what a part of a walk noted (code by code, in order) to what the walk noted."""
    for code, items in more.items():
        into.setdefault(code, []).extend(items)


def noting(ctx: Context, work: Callable[[], T]) -> tuple[Noted, T]:
    """Inside a walk: run one part of it, and return what that part noted (also noted in the walk) and its answer."""
    outer = ctx.memo["walk:current"]
    part: Noted = {}
    ctx.memo["walk:current"] = (part, outer[1])
    try:
        out = work()
    finally:
        ctx.memo["walk:current"] = outer
    add_notes(outer[0], part)
    return part, out


def note(ctx: Context, code: str, pointer: Pointer, **options: Any) -> None:
    """Inside a walk: what one of its rules will report (ctx.report's options and fields). A code whose rule is not
    in the walk's module (a misspelt one included) fails: nothing would ever report it."""
    noted, module = ctx.memo["walk:current"]
    entry = BY_CODE.get(code)
    if entry is None or entry.module != module:
        raise LookupError(f"{code} noted by a walk in {module}, where no rule reports it")
    noted.setdefault(code, []).append((pointer, options))


def report_walked(ctx: Context, walk: RuleFunction, code: str) -> None:
    """Report what a walk found for one code."""
    noted = ctx.memo.get(walk)
    found = (walked(ctx, walk) if noted is None else noted).get(code)
    if found:
        for pointer, options in found:
            ctx.report(code, pointer, **options)
