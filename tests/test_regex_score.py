"""The ReDoS heuristic's stacked-quantifier count: the same answer as the platform's regex, in O(n log n)."""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from tests import fuzzkit as fk
from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.rules.variables import NESTED_QUANT, regex_complexity, stacked_quantifiers

#: characters that matter to the pattern: quantifiers, braces, JavaScript whitespace and line terminators, and others
_ALPHABET = st.sampled_from(list("+*{}{} \t\n\r\u2028\u00a0ab,1"))


@fk.examples(3000)
@given(pattern=st.text(_ALPHABET, max_size=40))
def test_count_equals_the_regex(pattern: str) -> None:
    assert stacked_quantifiers(pattern) == len(NESTED_QUANT.findall(pattern))


def test_known_counts() -> None:
    assert stacked_quantifiers("a+*") == 1
    assert stacked_quantifiers("(a+)+(b*)*") == 0  # a ")" sits between: nothing is stacked
    assert stacked_quantifiers("a{1,2}{3}") == 1
    assert stacked_quantifiers("a{1} \n +") == 1  # whitespace, line breaks included, between the two
    assert stacked_quantifiers("{a}b}+") == 1  # the lazy brace backtracks to the later "}" that a "+" follows
    assert stacked_quantifiers("{a\n}+") == 0  # but not past a line end
    assert stacked_quantifiers("++++") == 2


# Patterns that made the regex backtrack quadratically: a 50 kB run of "{" took 9 s. Each is 200 kB here, which would
# take minutes; linear work is a few tens of milliseconds.
ADVERSARIAL = {
    "open braces": "{" * 200_000,
    "open braces then a close": "{" * 199_999 + "}",
    "braces and spaces": "{ " * 100_000,
    "closed braces, nothing stacked": "{a}b" * 50_000,
    "plus and spaces": "+ a" * 66_666,
}


def test_adversarial_patterns_take_linear_time() -> None:
    for name, pattern in ADVERSARIAL.items():
        start = time.perf_counter()
        regex_complexity(pattern)
        took = time.perf_counter() - start
        assert took < 1.0, f"{name}: {took:.2f} s"


def test_a_workflow_with_a_huge_brace_pattern_validates_quickly() -> None:
    text = (
        '{"id":"w","nodes":[],"connections":{},"variables":{"v":{"type":"string","validation":{"pattern":"'
        + "{" * 200_000
        + '"}}}}'
    )
    start = time.perf_counter()
    result = WorkflowLoader().validate_text(text)
    took = time.perf_counter() - start
    assert any(f.code == "REGEX_COMPLEXITY_WARNING" for f in result.findings)
    assert took < 2.0, f"{took:.2f} s"
