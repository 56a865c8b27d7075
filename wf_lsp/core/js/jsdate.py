"""JavaScript's `Date.parse` as V8 (Node 20) implements it: the ES5 ISO format first, then V8's legacy date parser."""

# A port of the rules of V8's `src/date/dateparser*` (read as a specification), plus the range checks of V8's
# `ParseDateTimeString`. Strings without a time zone are local time; wf-lsp takes the local time zone to be UTC, which
# only matters within a day of the limits of the representable range (±8.64e15 ms).

from __future__ import annotations

import math

from wf_lsp.core.js.jsdatescan import (
    AM_PM,
    END,
    END_TOKEN,
    MONTH,
    NUM,
    SPACE,
    TIME_SEP,
    WORD,
    ZONE,
    Scanner,
    Token,
    compress,
)

_NONE = 2**31 - 1  # V8's kNone (kMaxInt): "no value"
_SMI_MAX = 2**31 - 1
_MAX_TIME_MS = 864 * 10**13
_MAX_TIME_BEFORE_UTC_MS = _MAX_TIME_MS + 864 * 10**6


def _between(x: int, lo: int, hi: int) -> bool:
    return lo <= x <= hi


class _Day:
    def __init__(self) -> None:
        self.comp: list[int] = []
        self.named_month = _NONE
        self.iso = False

    def add(self, n: int) -> bool:
        if len(self.comp) < 3:
            self.comp.append(n)
            return True
        return False

    def write(self) -> tuple[int, int, int] | None:
        if not self.comp:
            return None
        comp = self.comp + [1] * (3 - len(self.comp))
        year = 0
        if self.named_month == _NONE:
            if self.iso or not _between(comp[0], 1, 31):
                year, month, day = comp
            else:
                month, day, year = comp
        else:
            month = self.named_month
            if not _between(comp[0], 1, 31):
                year, day = comp[0], comp[1]
            else:
                day, year = comp[0], comp[1]
        if not self.iso:
            if _between(year, 0, 49):
                year += 2000
            elif _between(year, 50, 99):
                year += 1900
        if not _between(month, 1, 12) or not _between(day, 1, 31):
            return None
        return year, month - 1, day


class _Time:
    def __init__(self) -> None:
        self.comp: list[int] = []
        self.hour_offset = _NONE

    def empty(self) -> bool:
        return not self.comp

    def expecting(self, n: int) -> bool:
        i = len(self.comp)
        return (i == 1 and _between(n, 0, 59)) or (i == 2 and _between(n, 0, 59)) or (i == 3 and _between(n, 0, 999))

    def add(self, n: int) -> bool:
        if len(self.comp) < 4:
            self.comp.append(n)
            return True
        return False

    def add_final(self, n: int) -> bool:
        if not self.add(n):
            return False
        self.comp += [0] * (4 - len(self.comp))
        return True

    def write(self) -> tuple[int, int, int, int] | None:
        hour, minute, second, ms = self.comp + [0] * (4 - len(self.comp))
        if self.hour_offset != _NONE:
            if not _between(hour, 0, 12):
                return None
            hour = hour % 12 + self.hour_offset
        ok = _between(hour, 0, 23) and _between(minute, 0, 59) and _between(second, 0, 59) and _between(ms, 0, 999)
        if not ok and (hour != 24 or minute or second or ms):
            return None
        return hour, minute, second, ms


class _Zone:
    def __init__(self) -> None:
        self.sign = _NONE
        self.hour = _NONE
        self.minute = _NONE

    def set(self, hours: int) -> None:
        self.sign = -1 if hours < 0 else 1
        self.hour, self.minute = abs(hours), 0

    def expecting(self, n: int) -> bool:
        return self.hour != _NONE and self.minute == _NONE and _between(n, 0, 59)

    def is_utc(self) -> bool:
        return self.hour == 0 and self.minute == 0

    def empty(self) -> bool:
        return self.hour == _NONE

    def write(self) -> tuple[bool, int | None]:
        if self.sign == _NONE:
            return True, None
        hour = 0 if self.hour == _NONE else self.hour
        minute = 0 if self.minute == _NONE else self.minute
        total = (hour * 3600 + minute * 60) % 2**32  # V8 computes this in unsigned 32-bit arithmetic
        if total > _SMI_MAX:
            return False, None
        return True, -total if self.sign < 0 else total


def _milliseconds(token: Token) -> int:
    """The first three significant digits of a fraction, given its value (first 9 digits) and its length."""
    number, length = token.value, token.length
    if length == 1:
        return number * 100
    if length == 2:
        return number * 10
    if length > 3:
        factor: int = 10 ** (min(length, 9) - 3)
        return number // factor
    return number


def _es5(sc: Scanner, day: _Day, time: _Time, tz: _Zone) -> Token | None:
    """The ES5 date-time format; returns the token the legacy parser continues with, or None when invalid."""
    if sc.peek().is_sign():
        sign_token = sc.next()
        if not sc.peek().is_num(6):
            return sign_token
        year = sc.next().value
        if sign_token.sign() < 0 and year == 0:
            return sign_token
        day.add(sign_token.sign() * year)
    elif sc.peek().is_num(4):
        day.add(sc.next().value)
    else:
        return sc.next()
    if sc.skip("-"):
        if not sc.peek().is_num(2) or not _between(sc.peek().value, 1, 12):
            return sc.next()
        day.add(sc.next().value)
        if sc.skip("-"):
            if not sc.peek().is_num(2) or not _between(sc.peek().value, 1, 31):
                return sc.next()
            day.add(sc.next().value)
    if not sc.peek().is_word(TIME_SEP):
        if sc.peek().kind != END:
            return sc.next()
    elif not _es5_time(sc, time, tz):
        return None
    if tz.empty() and time.empty():
        tz.set(0)
    day.iso = True
    return END_TOKEN


def _two(sc: Scanner, lo: int, hi: int) -> bool:
    return sc.peek().is_num(2) and _between(sc.peek().value, lo, hi)


def _es5_time(sc: Scanner, time: _Time, tz: _Zone) -> bool:
    sc.next()  # "T"
    if not _two(sc, 0, 24):
        return False
    hour_24 = sc.peek().value == 24
    time.add(sc.next().value)
    if not sc.skip(":") or not _two(sc, 0, 59) or (hour_24 and sc.peek().value > 0):
        return False
    time.add(sc.next().value)
    if sc.skip(":"):
        if not _two(sc, 0, 59) or (hour_24 and sc.peek().value > 0):
            return False
        time.add(sc.next().value)
        if sc.skip("."):
            if not sc.peek().is_num() or (hour_24 and sc.peek().value > 0):
                return False
            time.add(_milliseconds(sc.next()))
    if sc.peek().is_z():
        sc.next()
        tz.set(0)
    elif sc.peek().is_sign():
        tz.sign = sc.next().sign()
        if sc.peek().is_num(4):
            hour, minute = divmod(sc.next().value, 100)
            if not _between(hour, 0, 23) or not _between(minute, 0, 59):
                return False
            tz.hour, tz.minute = hour, minute
        else:
            if not _two(sc, 0, 23):
                return False
            tz.hour = sc.next().value
            if not sc.skip(":") or not _two(sc, 0, 59):
                return False
            tz.minute = sc.next().value
    return sc.peek().kind == END


def _legacy(sc: Scanner, token: Token, day: _Day, time: _Time, tz: _Zone) -> bool:
    """V8's legacy (Safari-compatible) rules, from `token` on; False when the string is rejected."""
    has_number = bool(day.comp)
    while token.kind != END:
        if token.kind == NUM:
            has_number = True
            n = token.value
            if sc.skip(":"):
                if sc.skip(":"):
                    if not time.empty():
                        return False
                    time.add(n)
                    time.add(0)
                else:
                    if not time.add(n):
                        return False
                    if sc.peek().is_sym("."):
                        sc.next()
            elif sc.skip(".") and time.expecting(n):
                time.add(n)
                if not sc.peek().is_num():
                    return False
                time.add_final(_milliseconds(sc.next()))
            elif tz.expecting(n):
                tz.minute = n
            elif time.expecting(n):
                time.add_final(n)
                peek = sc.peek()
                if peek.kind not in (END, SPACE) and not peek.is_z() and not peek.is_sign():
                    return False
            else:
                if not day.add(n):
                    return False
                sc.skip("-")
        elif token.kind == WORD:
            kind, value = token.value >> 8, token.word_value()
            if kind == AM_PM and not time.empty():
                time.hour_offset = value
            elif kind == MONTH:
                day.named_month = value
                sc.skip("-")
            elif kind == ZONE and has_number:
                tz.set(value)
            elif has_number or sc.peek().kind == NUM:
                return False  # a stray word after a number, or glued to the first number
        elif token.is_sign() and (tz.is_utc() or not time.empty()):
            tz.sign = token.sign()
            n = length = 0
            if sc.peek().kind == NUM:
                following = sc.next()
                n, length = following.value, following.length
            has_number = True
            if sc.peek().is_sym(":"):
                tz.hour, tz.minute = n, _NONE
            elif length in (1, 2):
                tz.hour, tz.minute = n, 0
            elif length in (3, 4):
                tz.hour, tz.minute = divmod(n, 100)
            else:
                return False
        elif (token.is_sign() or token.is_sym(")")) and has_number:
            return False
        token = sc.next()
    return True


def _days_from_civil(year: int, month0: int) -> int:
    """Days from 1970-01-01 to the first day of the month (ECMAScript MakeDay; the month may be any integer)."""
    y = year + month0 // 12
    m = month0 % 12 + 1
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def date_parse(s: str) -> float:
    """Date.parse(s): milliseconds since the epoch, or NaN."""
    end = s.find("\x00")  # V8's reader treats NUL as the end of the string
    sc = Scanner(compress(s if end < 0 else s[:end]))
    day, time, tz = _Day(), _Time(), _Zone()
    token = _es5(sc, day, time, tz)
    if token is None or not _legacy(sc, token, day, time, tz):
        return math.nan
    ymd, hms = day.write(), time.write()
    if ymd is None or hms is None:
        return math.nan
    ok, offset = tz.write()
    if not ok:
        return math.nan
    year, month0, mday = ymd
    hour, minute, second, ms = hms
    date = (_days_from_civil(year, month0) + mday - 1) * 86400000 + hour * 3600000 + minute * 60000 + second * 1000 + ms
    if offset is None:
        if abs(date) > _MAX_TIME_BEFORE_UTC_MS:
            return math.nan
    else:
        date -= offset * 1000
    if abs(date) > _MAX_TIME_MS:
        return math.nan
    return float(date)


def date_parses(s: str) -> bool:
    """`!isNaN(Date.parse(s))`."""
    return not math.isnan(date_parse(s))
