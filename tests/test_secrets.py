"""Secrets stay secret: source snippets never show a secret's value (wherever it sits, however its key is spelled), and
Redis URLs are masked whole, whatever characters the password holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_cli
from wf_lsp.core.cache.redis_store import mask_url, url_problem

CASE = Path(__file__).parent / "data" / "secrets" / "multiline_and_escaped.json"
SECRETS = ("hunter2-NEXTLINE", "31415926535", "escaped-SECRET", "arr-SECRET", "arr2-SECRET")


def test_text_snippets_never_show_a_secret_value() -> None:
    """Values on the line after their key (string, number, array), and keys spelled with escapes (`p\\u0061ssword`,
    `\\u0074oken`), are masked; other keys and values stay readable."""
    text = CASE.read_text()
    assert all(s in text for s in SECRETS)
    code, out, err = run_cli(["check", "--no-config", "--color", "never", str(CASE)])
    assert code == 1 and out.count("DUPLICATE_KEY") == 6, out + err
    for secret in SECRETS:
        assert secret not in out, f"{secret} shown:\n{out}"
    assert '"limit": 1, "limit": 2' in out and '"x": 1, "x": 2' in out  # nothing else is hidden
    assert '"p\\u0061ssword": "****"' in out


PASSWORDS = ["pa/ss", "pa#ss", "pa?ss", "p@ss/w#rd?x", "a:b/c"]


@pytest.mark.parametrize("password", PASSWORDS)
@pytest.mark.parametrize(
    "template", ["redis://:{pw}@h:6379/0", "rediss://user:{pw}@h/2?ssl_cert_reqs=none", "redis://{pw}@h:1"]
)
def test_mask_url_hides_passwords_with_reserved_characters(template: str, password: str) -> None:
    url = template.format(pw=password)
    user, colon, _ = password.partition(":")
    expected = template.format(pw=f"{user}:***" if template.startswith("redis://{pw}") and colon else "***")
    assert mask_url(url) == expected


def test_url_problem_masks_too() -> None:
    problem = url_problem("http://:pa/ss#word@h/0")
    assert problem is not None and "pa/ss" not in problem and "word" not in problem


@pytest.mark.parametrize("unit", ['\\"a\\" ', '"\\"', "\\"])
def test_finding_secret_values_stays_linear(unit: str) -> None:
    """Escaped quotes on one long line (real n8n code nodes) made every `"` restart a scan to the line's end: a 30 kB
    line took 5 s, 240 kB 396 s. The secret finder reads each string token once."""
    import time

    from wf_lsp.core.redact import SecretSpans

    line = unit * (240_000 // len(unit))
    text = '{"nodes": [{"parameters": {"jsCode": "' + line + '", "password": "hunter2"}}]}'
    t0 = time.perf_counter()
    spans = SecretSpans(text)
    assert time.perf_counter() - t0 < 2.0
    if unit == '\\"a\\" ':  # a well-formed text: the password's value is still found and masked
        assert "hunter2" not in spans.mask(text, 0)
