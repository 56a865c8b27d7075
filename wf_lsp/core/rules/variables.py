"""Variable rules: definitions, names, types, defaults and ReDoS-prone patterns (the real validator's P4)."""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Any

from wf_lsp.core.findings import Pointer
from wf_lsp.core.js import jsdate, jsval
from wf_lsp.core.rules.context import Context
from wf_lsp.core.rules.rule import rule

VARIABLE_TYPES = ("string", "number", "boolean", "array", "object", "date", "any")
_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_JS_DOT = r"[^\n\r\u2028\u2029]"
_JS_WS = r"[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
#: The platform's stacked-quantifier pattern, /(\+|\*|\{.*?\})\s*(\+|\*|\{.*?\})/g: matches are counted by
#: stacked_quantifiers in O(n log n); the regex itself backtracks quadratically (a 50 kB run of "{" took 9 s).
NESTED_QUANT = re.compile(rf"(\+|\*|\{{{_JS_DOT}*?\}}){_JS_WS}*(\+|\*|\{{{_JS_DOT}*?\}})")
_WS_RUN = re.compile(rf"{_JS_WS}*")
#: what ends a `{.*?}` quantifier: its closing brace, or a line end (JavaScript's `.` matches no line terminator)
_STOPS = re.compile(r"[}\n\r\u2028\u2029]")
_QUANT_START = re.compile(r"[+*{]")


@rule("INVALID_VARIABLE_DEFINITION")
def invalid_variable_definition(ctx: Context) -> None:
    """A variable definition that is not an object (the platform's P4 checks nothing else of it)."""
    for _name, definition, vptr, path, _ in _irregular(ctx):
        if not isinstance(definition, (dict, list)):
            ctx.report("INVALID_VARIABLE_DEFINITION", vptr, path=path)


@rule("INVALID_VARIABLE_NAME")
def invalid_variable_name(ctx: Context) -> None:
    """A variable name that is not an identifier ([a-zA-Z_][a-zA-Z0-9_]*)."""
    for name, _, vptr, path, is_list in _definitions(ctx):
        if not _NAME.fullmatch(name):
            ctx.report("INVALID_VARIABLE_NAME", vptr, path=path, anchor="key" if not is_list else "value")


@rule("MISSING_VARIABLE_TYPE")
def missing_variable_type(ctx: Context) -> None:
    """A variable with no (truthy) type."""
    for _, d, vptr, path, _ in _definitions(ctx):
        if not jsval.truthy(d.get("type")):
            ctx.report("MISSING_VARIABLE_TYPE", vptr + ("type",), path=f"{path}.type")


@rule("INVALID_VARIABLE_TYPE")
def invalid_variable_type(ctx: Context) -> None:
    """A variable type outside VARIABLE_TYPES."""
    for _, d, vptr, path, _ in _definitions(ctx):
        vtype = d.get("type")
        if jsval.truthy(vtype) and not (isinstance(vtype, str) and vtype in VARIABLE_TYPES):
            ctx.report("INVALID_VARIABLE_TYPE", vptr + ("type",), path=f"{path}.type", type=jsval.to_str(vtype))


@rule("VARIABLE_TYPE_MISMATCH")
def variable_type_mismatch(ctx: Context) -> None:
    """A default value of another type than the declared one."""
    for _, d, vptr, path, _ in _definitions(ctx):
        vtype = d.get("type")
        if "defaultValue" in d and not _type_match(d["defaultValue"], vtype):
            declared = jsval.to_str(vtype, missing="type" not in d)
            ctx.report("VARIABLE_TYPE_MISMATCH", vptr + ("defaultValue",), path=f"{path}.defaultValue", type=declared)


@rule("INVALID_VARIABLE_VALIDATION")
def invalid_variable_validation(ctx: Context) -> None:
    """A validation pattern that is truthy but not a string."""
    for _, d, vptr, path, _ in _definitions(ctx):
        pattern = _pattern(d)
        if jsval.truthy(pattern) and not isinstance(pattern, str):
            ctx.report(
                "INVALID_VARIABLE_VALIDATION", vptr + ("validation", "pattern"), path=f"{path}.validation.pattern"
            )


@rule("REGEX_COMPLEXITY_WARNING")
def regex_complexity_warning(ctx: Context) -> None:
    """A validation pattern the platform's ReDoS heuristic scores over 100."""
    for _, d, vptr, path, _ in _definitions(ctx):
        pattern = _pattern(d)
        if isinstance(pattern, str) and pattern:
            score = regex_complexity(pattern)
            if score > 100:
                pptr = vptr + ("validation", "pattern")
                ctx.report("REGEX_COMPLEXITY_WARNING", pptr, path=f"{path}.validation.pattern", score=score)


#: (name, definition, pointer, platform path, whether `variables` is an array) of a variable some rule may report
Variable = tuple[str, Any, Pointer, str, bool]


def _irregular(ctx: Context) -> list[Variable]:
    """The variables, in Object.entries order (the platform's P4), that some variable rule may report (once per run)."""
    found: list[Variable] | None = ctx.memo.get("variables.irregular")
    if found is not None:
        return found
    found = ctx.memo["variables.irregular"] = []
    variables = ctx.wf.get("variables")
    if not jsval.truthy(variables):
        return found
    is_list = isinstance(variables, list)
    for name, definition in variables.items() if isinstance(variables, dict) else jsval.entries(variables):
        if not _plain(name, definition):
            vptr: Pointer = (
                ("variables",) if isinstance(variables, str) else ("variables", int(name) if is_list else name)
            )
            found.append((name, definition, vptr, f"variables.{name}", is_list))
    return found


def _definitions(ctx: Context) -> list[Variable]:
    """The irregular variables whose definition is an object or an array (which reads as an empty object)."""
    found: list[Variable] | None = ctx.memo.get("variables.definitions")
    if found is None:
        found = ctx.memo["variables.definitions"] = [
            (name, d if isinstance(d, dict) else {}, vptr, path, is_list)
            for name, d, vptr, path, is_list in _irregular(ctx)
            if isinstance(d, (dict, list))
        ]
    return found


def _pattern(d: dict[str, Any]) -> Any:
    validation = d.get("validation")
    return validation.get("pattern") if isinstance(validation, dict) else None


def _plain(name: str, definition: Any) -> bool:
    """True when no variable rule can fire (the common case, decided without allocating)."""
    if type(definition) is not dict or not (name.isascii() and name.isidentifier()):  # isidentifier: _NAME, for ASCII
        return False
    vtype = definition.get("type")
    if type(vtype) is not str or vtype not in VARIABLE_TYPES:
        return False
    if "defaultValue" in definition and not _type_match(definition["defaultValue"], vtype):
        return False
    validation = definition.get("validation")
    return not (isinstance(validation, dict) and jsval.truthy(validation.get("pattern")))


def regex_complexity(pattern: str) -> int:
    """The platform's ReDoS heuristic: length + 50 per stacked quantifier + 10 per `|` + 30 per lookahead."""
    score = jsval.utf16_len(pattern)
    score += 50 * stacked_quantifiers(pattern)
    score += 10 * pattern.count("|")
    score += 30 * (pattern.count("(?=") + pattern.count("(?!"))
    return score


def stacked_quantifiers(pattern: str) -> int:
    """How many matches NESTED_QUANT.findall(pattern) returns, without its backtracking: O(n log n).

    A match is a first quantifier, optional whitespace, then a second quantifier. `+` and `*` are one character; `{`
    runs lazily to a `}` on the same line, and backtracks to a later `}` of that line when no second quantifier follows
    the earlier one. So a `{` starts a match exactly when some `}` later on its line is "good" (whitespace, then a
    second quantifier, follows it), and the match ends where that first good `}`'s second quantifier ends. The good
    braces are found once; each `{` then needs one binary search. Matches do not overlap: the scan goes on after each.
    """
    stops = [m.start() for m in _STOPS.finditer(pattern)]
    n = len(pattern)

    def second(k: int) -> int:
        """End of a second quantifier at k (after its whitespace), or -1."""
        k = _WS_RUN.match(pattern, k).end()  # type: ignore[union-attr]
        if k >= n:
            return -1
        c = pattern[k]
        if c in "+*":
            return k + 1
        if c != "{":
            return -1
        at = bisect_left(stops, k + 1)
        return stops[at] + 1 if at < len(stops) and pattern[stops[at]] == "}" else -1

    # Every line end, and every good `}` with the end of the match it completes (-1 for a line end).
    marks: list[int] = []
    ends: list[int] = []
    for s in stops:
        end = second(s + 1) if pattern[s] == "}" else -1
        if end >= 0 or pattern[s] != "}":
            marks.append(s)
            ends.append(end)
    count = 0
    m = _QUANT_START.search(pattern)
    while m is not None:
        k = m.start()
        if pattern[k] == "{":
            at = bisect_left(marks, k + 1)
            end = ends[at] if at < len(marks) else -1
        else:
            end = second(k + 1)
        if end >= 0:
            count += 1
        m = _QUANT_START.search(pattern, end if end >= 0 else k + 1)
    return count


def _type_match(value: Any, vtype: Any) -> bool:
    if vtype == "string":
        return isinstance(value, str)
    if vtype == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if vtype == "boolean":
        return isinstance(value, bool)
    if vtype == "array":
        return isinstance(value, list)
    if vtype == "object":
        return isinstance(value, dict)
    if vtype == "date":
        return isinstance(value, str) and jsdate.date_parses(value)  # `!isNaN(Date.parse(value))`, as V8 parses
    return bool(vtype == "any")
