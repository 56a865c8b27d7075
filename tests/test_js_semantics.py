"""Differential tests: wf-lsp's JavaScript semantics (jsval, jsdate) against the same expressions in real Node.

Each test generates thousands of seeded, adversarial inputs and evaluates them in one Node process.
"""

from __future__ import annotations

import json
import random
from typing import Any

from tests import jsgen
from tests.jsnode import bits, evaluate
from wf_lsp.core.js import jsdate, jsval

# Examples from the issue and from V8's own rules: accepted by V8, and strings Python would read as dates but V8
# rejects.
DATE_EXAMPLES = [
    "Tue, 14 Jan 2025 09:30:00 GMT",
    "June 1, 2025",
    "2025/06/01 10:00",
    "1/2/25",
    "Jan 5 2020 12:30 pm",
    "Thu, 01 Jan 1970 00:00:00 GMT+0100",
    "Sat Sep 13 275760 00:00:00 GMT+0000 (Coordinated Universal Time)",
    "+275760-09-13T00:00:00.000Z",
    "+275760-09-13T00:00:00.001Z",
    "-271821-04-20T00:00:00Z",
    "-000000-01-01T00:00:00Z",
    "2025-06-01T24:00",
    "2025-06-01T24:01",
    "2025-02-31",
    "2025-06-01T10:00:00+0530",
    "20250601",
    "2025-W01-1",
    "2025-06-01T10:00:00.123456+05:30[Europe/Paris]",
    "2025-06-01 10:00:00+00:00",
    "٢٠٢٥-٠٦-٠١",
    "２０２５-０６-０１",
    "2025-06-01\u0000junk",
    "2000-01-01 10:00 +1193047:",
    "Jan\u00a01 2000",
    "Jan\u20281 2000",
    "(comment (nested)) Jan 1 2000",
    "Jan 1 2000 10:00 GMT)",
    "",
    " ",
    "now",
    "today",
]


def test_date_parse_agrees_with_v8() -> None:
    inputs = DATE_EXAMPLES + jsgen.dates(random.Random(1), 12000)
    js = evaluate({"dateParse": inputs})["dateParse"]
    ours = [bits(jsdate.date_parse(s)) for s in inputs]
    wrong = [(s, j, o) for s, j, o in zip(inputs, js, ours, strict=True) if j != o]
    assert not wrong, f"{len(wrong)} of {len(inputs)} differ from V8 (input, V8 bits, ours): {wrong[:10]}"
    accepted = sum(j != "NaN" for j in js)
    assert 0.3 * len(inputs) < accepted < 0.8 * len(inputs), accepted  # both verdicts are well exercised
    assert jsdate.date_parses("Tue, 14 Jan 2025 09:30:00 GMT") and not jsdate.date_parses("2025-W01-1")


def test_number_and_parse_int_agree_with_v8() -> None:
    inputs = jsgen.numeric_strings(random.Random(2), 8000)
    js = evaluate({"number": inputs, "parseInt10": inputs})
    wrong = [
        (s, j, bits(jsval.to_number(s)))
        for s, j in zip(inputs, js["number"], strict=True)
        if j != bits(jsval.to_number(s))
    ]
    assert not wrong, f"Number(): {len(wrong)} of {len(inputs)} differ (input, V8, ours): {wrong[:10]}"
    wrong = [
        (s, j, bits(jsval.parse_int(s)))
        for s, j in zip(inputs, js["parseInt10"], strict=True)
        if j != bits(jsval.parse_int(s))
    ]
    assert not wrong, f"parseInt(s, 10): {len(wrong)} of {len(inputs)} differ (input, V8, ours): {wrong[:10]}"


def test_timeout_comparisons_agree_with_v8() -> None:
    rng = random.Random(3)
    values: list[Any] = [jsgen.json_values(rng) for _ in range(6000)]
    js = evaluate({"timeout": values, "truthy": values})
    for v, (short, long), truthy in zip(values, js["timeout"], js["truthy"], strict=True):
        n = jsval.to_number(v)
        assert (n < 1000, n > 3600000, jsval.truthy(v)) == (short, long, truthy), json.dumps(v)


def test_number_to_string_agrees_with_v8() -> None:
    rng = random.Random(4)
    numbers = jsgen.doubles(rng, 6000)
    texts = [json.dumps(x) for x in numbers]
    texts += [str(rng.randint(-(10**30), 10**30)) for _ in range(1500)] + [
        "9007199254740993",
        "-0",
        "-0.0",
        "1e21",
        "1e400",
        "1" + "0" * 400,
    ]
    values: list[Any] = [jsgen.json_values(rng) for _ in range(4000)]
    js = evaluate({"numberText": texts, "template": values})
    wrong = [
        (t, j, jsval.to_str(json.loads(t)))
        for t, j in zip(texts, js["numberText"], strict=True)
        if j != jsval.to_str(json.loads(t))
    ]
    assert not wrong, f"Number::toString: {len(wrong)} of {len(texts)} differ (JSON text, V8, ours): {wrong[:10]}"
    wrong = [(v, j, jsval.to_str(v)) for v, j in zip(values, js["template"], strict=True) if j != jsval.to_str(v)]
    assert not wrong, f"template literal: {len(wrong)} of {len(values)} differ (value, V8, ours): {wrong[:10]}"


def test_regex_complexity_agrees_with_v8() -> None:
    from wf_lsp.core.rules.variables import regex_complexity

    inputs = jsgen.patterns(random.Random(6), 5000)
    js = evaluate({"regexScore": inputs})["regexScore"]
    wrong = [(p, j, regex_complexity(p)) for p, j in zip(inputs, js, strict=True) if j != regex_complexity(p)]
    assert not wrong, f"{len(wrong)} of {len(inputs)} differ (pattern, V8, ours): {wrong[:10]}"


def test_trim_and_length_agree_with_v8() -> None:
    inputs = jsgen.js_strings(random.Random(5), 5000)
    js = evaluate({"trim": inputs, "length": inputs})
    assert [jsval.trim(s) for s in inputs] == js["trim"]
    assert [jsval.utf16_len(s) for s in inputs] == js["length"]


# The 23 codes of the real validator (spec 2.1).
ORACLE_CODES = [
    *(
        "DUPLICATE_NODE_NAME",
        "MISSING_NODE_ID",
        "MISSING_NODE_NAME",
        "MISSING_NODE_TYPE",
        "OBJECT_SERIALIZATION_FAILURE",
    ),
    *(
        "NESTED_NODE_ATTRIBUTES",
        "EXCESSIVE_PARAMETER_NESTING",
        "TIMEOUT_TOO_SHORT",
        "TIMEOUT_TOO_LONG",
        "INVALID_CONNECTION_SOURCE",
    ),
    *("INVALID_CONNECTION_FORMAT", "INVALID_OUTPUT_TYPE", "INVALID_OUTPUT_INDEX", "INVALID_CONNECTION_TARGET"),
    *(
        "INVALID_CONNECTION_TARGET_NODE",
        "INVALID_VARIABLE_DEFINITION",
        "INVALID_VARIABLE_NAME",
        "MISSING_VARIABLE_TYPE",
    ),
    *(
        "INVALID_VARIABLE_TYPE",
        "VARIABLE_TYPE_MISMATCH",
        "REGEX_COMPLEXITY_WARNING",
        "MISSING_TENANT_ID",
        "GLOBAL_SCOPE_VARIABLE",
    ),
]


def test_rule_docs_say_where_javascript_semantics_apply() -> None:
    from tests.helpers import run_cli
    from wf_lsp.core.rules import catalog

    assert len(ORACLE_CODES) == 23
    for code in [
        *ORACLE_CODES,
        "INVALID_NODES",
        "INVALID_NODE",
        "INVALID_NODE_FIELD_TYPE",
        "INVALID_VARIABLE_VALIDATION",
    ]:
        assert len(catalog.RULES[code].javascript) > 60, code
    code, out, _ = run_cli(["rules", "VARIABLE_TYPE_MISMATCH"])
    assert (
        code == 0 and "JavaScript semantics:" in out and "Date.parse" in out and "Tue, 14 Jan 2025 09:30:00 GMT" in out
    )


STRUCTURAL = {
    "INVALID_WORKFLOW_STRUCTURE",
    "INVALID_NODES",
    "INVALID_NODE",
    "INVALID_NODE_FIELD_TYPE",
    "INVALID_CONNECTION_TARGET",
}
STRUCTURAL |= {"INVALID_VARIABLE_DEFINITION", "INVALID_VARIABLE_VALIDATION"}


def test_oracle_profile_matches_recorded_verdicts_on_odd_workflows() -> None:
    """Odd-shaped workflows (tests/js/record_verdicts.py) with the real validator's verdicts, recorded under Node:
    exactly its findings where it returns, and a structural diagnostic where it throws."""
    from collections import Counter

    from tests.helpers import DATA
    from wf_lsp.core.loader import WorkflowLoader
    from wf_lsp.core.settings import Settings

    loader = WorkflowLoader(Settings(profile="oracle", connection_keys="name"))
    records = json.loads((DATA / "js-oracle-verdicts.json").read_text(encoding="utf-8"))
    assert len(records) >= 300
    crashed = 0
    for record in records:
        got = Counter(
            (f.code, f.path, f.severity.label, f.message) for f in loader.validate_text(record["workflow"]).findings
        )
        if "crashed" in record:
            crashed += 1
            assert STRUCTURAL & {code for code, *_ in got}, (record, got)
            continue
        want = Counter(tuple(row) for row in record["errors"] + record["warnings"])
        assert got == want, (
            f"{record['workflow']}\nmissing {list((want - got).elements())}\nextra {list((got - want).elements())}"
        )
    assert 0 < crashed < len(records) / 2


def test_json_integers_beyond_cpythons_digit_limit_read_as_javascript_reads_them() -> None:
    """JSON.parse reads any integer as a double: 5,000 digits are Infinity in JavaScript, not a crash."""
    from wf_lsp.core.loader import WorkflowLoader
    from wf_lsp.core.settings import Settings

    huge = "1" + "0" * 5000
    assert evaluate({"numberText": [huge, "-" + huge]})["numberText"] == ["Infinity", "-Infinity"]
    text = (
        '{"tenantId": "t", "nodes": [{"id": "a", "name": "A", "type": "x", "timeout": '
        + huge
        + '}], "connections": {}}'
    )
    findings = WorkflowLoader(Settings(profile="oracle")).validate_text(text).findings
    assert [(f.code, f.message) for f in findings] == [
        ("TIMEOUT_TOO_LONG", "Node timeout is very long (Infinityms). Maximum recommended: 3600000ms"),
    ]
