"""Seeded generators of adversarial inputs for the differential tests against Node (dates, numbers, strings)."""

from __future__ import annotations

import json
import random

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ZONES = [
    "GMT",
    "UTC",
    "UT",
    "Z",
    "z",
    "EST",
    "EDT",
    "CST",
    "CDT",
    "MST",
    "MDT",
    "PST",
    "PDT",
    "CET",
    "BST",
    "utcx",
    "gmt",
]
# ECMAScript whitespace and line terminators, and look-alikes that are not whitespace in JavaScript.
JS_SPACES = list(
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
NOT_JS_SPACES = list("\x1c\x1d\x1e\x1f\x85\u180e\u200b\x00")
UNICODE_DIGITS = list("٠١٢٣٤٥٦٧٨٩۳०३০৩੩૩௩౩೩൩๓໓༣၃០᠓０１２３４５６７８９𝟎𝟏𝟗")
ODD_NUMBERS = [
    *(
        "Infinity",
        "+Infinity",
        "-Infinity",
        "infinity",
        "INFINITY",
        "inf",
        "NaN",
        "nan",
        "Inf",
        "1e",
        "e5",
        ".",
        "+",
        "-",
        "",
    ),
    *(
        "+-1",
        "--1",
        "1__0",
        "1_000",
        "0.5.5",
        "5.",
        ".5",
        "+.5",
        "-.5e-3",
        "00012",
        "1e+",
        "1E5",
        "1e400",
        "-1e-400",
        "0e0",
    ),
]
SEPARATORS = [
    " ",
    " ",
    "-",
    "/",
    ":",
    ".",
    ",",
    "+",
    "(",
    ")",
    "T",
    "t",
    "Z",
    "  ",
    ", ",
    "\u00a0",
    "\u2028",
    "\t",
    "_",
]


def _num(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.5:
        return str(rng.randint(0, 60))
    if kind < 0.7:
        return f"{rng.randint(0, 9999):04d}"
    if kind < 0.8:
        return f"{rng.randint(0, 99):02d}"
    if kind < 0.9:
        return "0" * rng.randint(0, 12) + str(rng.randint(0, 10 ** rng.randint(1, 12)))
    return "".join(rng.choice(UNICODE_DIGITS + list("0123456789")) for _ in range(rng.randint(1, 4)))


def _word(rng: random.Random) -> str:
    pool = rng.random()
    if pool < 0.35:
        m = rng.choice(MONTHS)
        return rng.choice([m, m[:3], m.upper(), m.lower(), m[:3] + "x", m[:2], m + "s"])
    if pool < 0.5:
        d = rng.choice(DAYS)
        return rng.choice([d, d[:3], d.upper()])
    if pool < 0.7:
        return rng.choice(ZONES)
    if pool < 0.8:
        return rng.choice(["am", "pm", "AM", "PM", "a.m.", "noon", "T", "t", "at", "of", "the"])
    return rng.choice(["foo", "é", "日", "Ḱ", "K", "ıan", "ﬀ", "\U0001f600", "[x]", "_", "`", "~"])


def _iso(rng: random.Random) -> str:
    year = rng.choice(
        [f"{rng.randint(0, 9999):04d}", f"{rng.choice('+-')}{rng.randint(0, 300000):06d}", str(rng.randint(0, 99999))]
    )
    s = year
    if rng.random() < 0.8:
        s += f"-{rng.randint(0, 13):02d}"
        if rng.random() < 0.8:
            s += f"-{rng.randint(0, 32):02d}"
    if rng.random() < 0.6:
        s += rng.choice(["T", "t", " "]) + f"{rng.randint(0, 25):02d}:{rng.randint(0, 60):02d}"
        if rng.random() < 0.6:
            s += f":{rng.randint(0, 60):02d}"
            if rng.random() < 0.5:
                s += "." + "0" * rng.randint(0, 3) + str(rng.randint(0, 10 ** rng.randint(1, 10)))
        s += rng.choice(
            [
                "",
                "Z",
                "z",
                f"+{rng.randint(0, 24):02d}:{rng.randint(0, 60):02d}",
                f"-{rng.randint(0, 2400):04d}",
                "+5",
                " GMT",
            ]
        )
    return s


def _rfc(rng: random.Random) -> str:
    day = rng.choice(DAYS)[:3]
    month = rng.choice(MONTHS)[:3]
    zone = rng.choice(["GMT", "UTC", "+0000", "-0500", "EST", "PDT", "GMT+0100", "(Coordinated Universal Time)", ""])
    clock = f"{rng.randint(0, 24):02d}:{rng.randint(0, 60):02d}:{rng.randint(0, 60):02d}"
    return f"{day}, {rng.randint(0, 32):02d} {month} {rng.randint(0, 3000)} {clock} {zone}".strip()


def _human(rng: random.Random) -> str:
    month = rng.choice(MONTHS)
    forms = [
        f"{month} {rng.randint(0, 32)}, {rng.randint(0, 3000)}",
        f"{rng.randint(0, 32)} {month} {rng.randint(0, 3000)}",
        f"{rng.randint(0, 3000)}/{rng.randint(0, 13):02d}/{rng.randint(0, 32):02d} "
        f"{rng.randint(0, 25)}:{rng.randint(0, 60):02d}",
        f"{rng.randint(0, 13)}/{rng.randint(0, 32)}/{rng.randint(0, 120)}",
        f"{month[:3]} {rng.randint(0, 32)} {rng.randint(0, 3000)} "
        f"{rng.randint(0, 13)}:{rng.randint(0, 60):02d} {rng.choice(['am', 'pm', 'AM', 'PM'])}",
        f"{rng.randint(0, 32)}-{month[:3]}-{rng.randint(0, 99):02d}",
        f"{rng.randint(0, 13)}.{rng.randint(0, 32)}.{rng.randint(0, 3000)}",
    ]
    return rng.choice(forms)


def _soup(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 8)):
        r = rng.random()
        parts.append(
            _num(rng) if r < 0.45 else _word(rng) if r < 0.7 else rng.choice(SEPARATORS + JS_SPACES + NOT_JS_SPACES)
        )
    return "".join(parts)


def _mutate(rng: random.Random, s: str) -> str:
    for _ in range(rng.randint(1, 3)):
        i = rng.randint(0, len(s))
        op = rng.random()
        if op < 0.4:
            s = s[:i] + rng.choice(SEPARATORS + JS_SPACES + NOT_JS_SPACES + UNICODE_DIGITS + ["(", ")", "((x)"]) + s[i:]
        elif op < 0.6:
            s = s[:i] + s[i + 1 :]
        elif op < 0.8:
            s = s[:i] + _word(rng) + s[i:]
        elif i < len(s):  # stretch a character, or a few, into a long run (whitespace, punctuation, words, digits)
            piece = s[i : i + rng.choice([1, 1, 2, 3])]
            s = s[:i] + piece * rng.randint(2, 40) + s[i:]
        else:
            s += "0" * rng.randint(0, 12) + str(rng.randint(0, 10 ** rng.randint(8, 30)))
    return s


def dates(rng: random.Random, n: int) -> list[str]:
    """Date strings: ISO variants, RFC 2822/1123, human forms, token soup and mutations of each."""
    makers = [_iso, _rfc, _human, _soup]
    out = []
    for _ in range(n):
        s = rng.choice(makers)(rng)
        if rng.random() < 0.3:
            s = _mutate(rng, s)
        out.append(s)
    return out


def _numeric_core(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.25:
        return str(rng.randint(-(10 ** rng.randint(1, 25)), 10 ** rng.randint(1, 25)))
    if r < 0.45:
        return repr(rng.uniform(-1e6, 1e6) * 10.0 ** rng.randint(-30, 30))
    if r < 0.55:
        prefix = rng.choice(["0x", "0X", "0o", "0O", "0b", "0B", "-0x", "+0x", "0x_", "0"])
        digits = "".join(
            rng.choice("0123456789abcdefABCDEF_") for _ in range(rng.randint(0, 40 if rng.random() < 0.9 else 300))
        )
        return prefix + digits
    if r < 0.65:
        return rng.choice(ODD_NUMBERS)
    if r < 0.75:
        return "".join(rng.choice(UNICODE_DIGITS + list("0123456789")) for _ in range(rng.randint(1, 5)))
    if r < 0.85:
        return str(rng.randint(0, 99)) + rng.choice(["abc", "px", "ms", ".5", "e3", " 1", ",5", "_1", "n", "٣"])
    return "9" * rng.randint(300, 700) + rng.choice(["", ".5", "e-300"])


def numeric_strings(rng: random.Random, n: int) -> list[str]:
    """Strings for Number(), parseInt(s, 10) and comparisons: signs, exponents, radix prefixes, Infinity, huge digit
    runs, Unicode digits, underscores, and JavaScript whitespace (and look-alikes) around them."""
    out = []
    for _ in range(n):
        s = _numeric_core(rng)
        if rng.random() < 0.4:
            s = "".join(rng.choice(JS_SPACES + NOT_JS_SPACES) for _ in range(rng.randint(1, 3))) + s
        if rng.random() < 0.4:
            s += "".join(rng.choice(JS_SPACES + NOT_JS_SPACES) for _ in range(rng.randint(1, 3)))
        out.append(s)
    return out


def doubles(rng: random.Random, n: int) -> list[float]:
    """Doubles from every range: random bit patterns, integers near 2^53, powers of ten near the 1e21 and 1e-7
    format switches, subnormals, sums such as 0.1 + 0.2."""
    import struct

    out: list[float] = [
        0.1 + 0.2,
        -0.0,
        1e21,
        1e-7,
        123e-20,
        2.0**53,
        2.0**53 + 2,
        5e-324,
        1.7976931348623157e308,
        0.000001,
        1e20,
    ]
    while len(out) < n:
        r = rng.random()
        if r < 0.3:
            x = struct.unpack(">d", rng.getrandbits(64).to_bytes(8, "big"))[0]
        elif r < 0.5:
            x = float(rng.randint(-(2**60), 2**60))
        elif r < 0.7:
            x = rng.randint(1, 999) * 10.0 ** rng.randint(-12, 25)
        elif r < 0.85:
            x = rng.random() * 10.0 ** rng.randint(-10, 22)
        else:
            x = rng.randint(0, 100) / 10 + rng.randint(0, 100) / 100
        if x == x and x not in (float("inf"), float("-inf")):
            out.append(x)
    return out


def json_values(rng: random.Random, depth: int = 0) -> object:
    """A random JSON value: nested arrays and objects, null, booleans, integers beyond 2^53, floats, odd strings."""
    r = rng.random()
    if depth < 3 and r < 0.2:
        return [json_values(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if depth < 3 and r < 0.27:
        return {"k": json_values(rng, depth + 1)}
    if r < 0.35:
        return rng.choice([None, True, False])
    if r < 0.55:
        return rng.choice(
            [rng.randint(-(10 ** rng.randint(1, 25)), 10 ** rng.randint(1, 25)), rng.randint(-2000, 5000000)]
        )
    if r < 0.7:
        return rng.choice(doubles(rng, 12))
    return rng.choice(numeric_strings(rng, 1) + [rng.choice(["", "abc", "[object Object]", "日本", "\U0001f600"])])


def js_strings(rng: random.Random, n: int) -> list[str]:
    """Strings for trim() and .length: JavaScript whitespace and look-alikes at both ends, astral characters,
    lone surrogates, combining marks."""
    pool = JS_SPACES + NOT_JS_SPACES + list("ab x\u0301é日") + ["\U0001f600", "\U00010000", "\ud800", "\udfff"]
    # Through JSON, as a workflow file delivers them: a lone high surrogate before a lone low one reads as one pair.
    return [json.loads(json.dumps("".join(rng.choice(pool) for _ in range(rng.randint(0, 8))))) for _ in range(n)]


def patterns(rng: random.Random, n: int) -> list[str]:
    """Regular-expression sources for the ReDoS score: stacked quantifiers split by JavaScript whitespace and line
    terminators (which `.` does not cross), alternations, lookaheads, astral characters."""
    pool = ["+", "*", "{1,2}", "{", "}", "|", "(?=", "(?!", "(a", ")", "a", "\\s", ".", "\n", "\u2028", "\U0001f600"]
    pool += JS_SPACES + NOT_JS_SPACES
    return [json.loads(json.dumps("".join(rng.choice(pool) for _ in range(rng.randint(0, 30))))) for _ in range(n)]
