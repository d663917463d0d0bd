"""Numbers in templates: the one place that reads a template value as a whole number (a
Timeout, a MemorySize, a RetentionInDays, a VisibilityTimeout ...), or says why it is none.

Templates write numbers many ways: `30`, `"30"` (CloudFormation converts), `30.0`, `.inf`,
`1e999`, a 5,000-digit literal, `"²"` (which `str.isdigit()` accepts and `int()` refuses),
`"--5"`, `true`, a list. `int()` raises on several of them, and converting or printing a number
of more than 4,300 digits raises too (sys.get_int_max_str_digits): nothing here calls `int()` on
text longer than `MAX_DIGITS`, and messages show long numbers shortened.

Values that cannot be known (UNKNOWN, an unresolved intrinsic function, `${...}` variables,
`{{resolve:...}}` dynamic references) are no number and no error: nothing is said about them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from lambdalint.model import UNKNOWN

# a whole number of more digits than this is beyond every range a setting has: it is held as
# an infinity rather than converted
MAX_DIGITS = 30
_WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_SHOWN = 40  # characters of a value shown in a message


@dataclass(frozen=True)
class Number:
    """A template value read as a whole number.

    `value` is the number: an int, or an infinity for one too large to hold (more than
    MAX_DIGITS digits, 1e999, .inf). It is None when the value is no whole number, and then
    `problem` says why ("not a number", "not a whole number"). `shown` is the value as a message
    shows it (at most about 40 characters)."""

    value: int | float | None
    shown: str
    problem: str = ""


def whole_number(value: Any) -> Number | None:
    """`value` read as a whole number; None when nothing can be said (unknown or absent)."""
    if value is None or value is UNKNOWN or isinstance(value, dict):
        return None  # absent, unresolved, or an intrinsic function left as written
    if isinstance(value, bool):
        return Number(None, "true" if value else "false", "not a number")
    if isinstance(value, int):
        return Number(value, _show_int(value))
    if isinstance(value, float):
        return _from_float(value, repr(value))
    if isinstance(value, str):
        return _from_text(value)
    if isinstance(value, list):
        return Number(None, "a list", "not a number")
    return None


def setting(value: Any) -> Any:
    """What a loader keeps for a numeric setting: the int when `value` is a whole number that
    fits, UNKNOWN when nothing can be known, else the value as written (a check reads it again
    with `whole_number` and says why it is none, or that it is out of range)."""
    number = whole_number(value)
    if number is None:
        return UNKNOWN
    if isinstance(number.value, int):
        return number.value
    return value


def literal(text: str) -> int | float:
    """A number literal of the template's language (`30`, `-5`, 5,000 digits), never an error:
    an int up to about 1e77, a float beyond (an infinity past 1e308), as the YAML and JSON
    loaders read them. `text` is ASCII digits with an optional sign (and a fraction or an
    exponent, which make it a float)."""
    if not _WHOLE.fullmatch(text):
        return float(text)
    if len(text.lstrip("+-").lstrip("0")) <= 77:
        return int(text)
    return float(text)


def shorten(text: str) -> str:
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _show_int(value: int) -> str:
    if value.bit_length() <= 100:
        return str(value)
    digits = int(value.bit_length() * math.log10(2)) + 1
    return f"{'-' if value < 0 else ''}a number of about {digits:,} digits"


def _from_float(value: float, shown: str) -> Number:
    if math.isnan(value):
        return Number(None, shorten(shown), "not a number")
    if math.isinf(value):
        return Number(value, shorten(shown))
    if not value.is_integer():
        return Number(None, shorten(shown), "not a whole number")
    return Number(int(value), shorten(shown))


def _from_text(value: str) -> Number | None:
    if "${" in value or "{{" in value:
        return None  # a variable or dynamic reference resolved at deploy time
    text = value.strip()
    if _WHOLE.fullmatch(text):
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-").lstrip("0") or "0"
        if len(digits) > MAX_DIGITS:
            return Number(sign * math.inf, f"{text[:12]}... ({len(digits):,} digits)")
        return Number(sign * int(digits), text)
    if _DECIMAL.fullmatch(text):
        number = float(text)  # an overflow gives an infinity, never an error
        return _from_float(number, text)
    return Number(None, shorten(repr(value[:_SHOWN])), "not a number")
