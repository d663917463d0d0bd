"""JSON with positions (see positions.py): a small iterative parser whose strings are decoded by
the json module's C scanner."""

from __future__ import annotations

import bisect
import json
import re
from pathlib import Path
from typing import Any

from lambdalint.model import Diagnostic, Loc, Pos
from lambdalint.reading import DEFAULT_LIMITS, ReadLimits
from lambdalint.reading.positions import (
    LList,
    LMap,
    LoadError,
    report_duplicate,
    report_more_duplicates,
)

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_scanstring: Any = json.decoder.scanstring  # type: ignore[attr-defined]
_SURROGATE = re.compile("[\ud800-\udfff]")


class _JsonFrame:
    """A container being filled; `val_idx` is where its current item starts."""

    __slots__ = ("container", "is_map", "key", "key_idx", "val_idx")

    def __init__(self, container: Any) -> None:
        self.container = container
        self.is_map = isinstance(container, LMap)
        self.key: Any = None
        self.key_idx = 0
        self.val_idx = 0


_NEWLINE = re.compile("\n")


class _JsonParser:
    """A small JSON parser that records positions; strings are decoded by json's C scanner.

    Iterative (an explicit stack of open containers), so how deep a file may nest is set by
    `max-depth`, never by Python's recursion limit."""

    def __init__(self, text: str, path: Path, limits: ReadLimits) -> None:
        self.s = text
        self.path = path
        self.lines = [m.start() for m in _NEWLINE.finditer(text)]  # offsets of every "\n"
        self.diags: list[Diagnostic] = []
        self.duplicates = 0
        self.max_depth = limits.max_depth

    def pos(self, idx: int) -> Pos:
        line = bisect.bisect_left(self.lines, idx)
        start = self.lines[line - 1] + 1 if line > 0 else 0
        return Pos(line + 1, idx - start + 1)

    def error(self, msg: str, idx: int) -> LoadError:
        return LoadError(msg, self.pos(min(idx, len(self.s))))

    def ws(self, i: int) -> int:
        return _WS.match(self.s, i).end()  # type: ignore[union-attr]

    def parse(self) -> Any:
        s, n = self.s, len(self.s)
        stack: list[_JsonFrame] = []
        i = self.ws(0)
        while True:
            if i >= n:
                raise self.error("unexpected end of file", i)
            c = s[i]
            if c == "{" or c == "[":
                if len(stack) >= self.max_depth:
                    raise self.error(f"nesting deeper than {self.max_depth} levels", i)
                frame = _JsonFrame(LMap(self.pos(i)) if c == "{" else LList(self.pos(i)))
                i = self.ws(i + 1)
                if i < n and s[i] == ("}" if frame.is_map else "]"):
                    value: Any = frame.container
                    i += 1
                else:
                    stack.append(frame)
                    i = self.item_start(frame, i)
                    continue
            else:
                value, i = self.scalar(i)
            # attach the finished value; close every container that ends right after it
            while True:
                if not stack:
                    i = self.ws(i)
                    if i != n:
                        raise self.error("extra data after the JSON value", i)
                    return value
                frame = stack[-1]
                self.attach(frame, value)
                i = self.ws(i)
                closer = "}" if frame.is_map else "]"
                if i < n and s[i] == ",":
                    i = self.item_start(frame, self.ws(i + 1))
                    break
                if i < n and s[i] == closer:
                    stack.pop()
                    value = frame.container
                    i += 1
                    continue
                raise self.error(f"expected ',' or '{closer}'", i)

    def item_start(self, frame: _JsonFrame, i: int) -> int:
        """Read up to where the next item's value starts (for a mapping: its key and ':')."""
        s = self.s
        if frame.is_map:
            if i >= len(s) or s[i] != '"':
                raise self.error("expected a string key", i)
            frame.key_idx = i
            frame.key, i = self.scalar(i)
            i = self.ws(i)
            if i >= len(s) or s[i] != ":":
                raise self.error("expected ':' after key", i)
            i = self.ws(i + 1)
        frame.val_idx = i
        return i

    def attach(self, frame: _JsonFrame, value: Any) -> None:
        if not frame.is_map:
            frame.container.append(value)
            frame.container.item_pos.append(self.pos(frame.val_idx))
            return
        m, key = frame.container, frame.key
        kp = self.pos(frame.key_idx)
        if key in m:
            self.duplicates = report_duplicate(
                self.diags, self.duplicates, key, m, Loc(self.path, kp)
            )
        m[key] = value
        m.key_pos[key] = kp
        m.value_pos[key] = self.pos(frame.val_idx)

    def scalar(self, i: int) -> tuple[Any, int]:
        s = self.s
        c = s[i]
        if c == '"':
            try:
                text, end = _scanstring(s, i + 1, True)
            except ValueError as exc:
                raise self.error(str(exc).split(":")[0], i) from None
            if not text.isascii() and _SURROGATE.search(text):
                # `"\ud800"` decodes to half a character, which no output can encode
                text = _SURROGATE.sub("\ufffd", text)
            return text, end
        if s.startswith("true", i):
            return True, i + 4
        if s.startswith("false", i):
            return False, i + 5
        if s.startswith("null", i):
            return None, i + 4
        m = _NUMBER.match(s, i)
        if m and m.end() > i:
            return _number(m), m.end()
        raise self.error(f"unexpected character {c!r}", i)


def _number(m: re.Match[str]) -> Any:
    text = m.group(0)
    if m.group(1) or m.group(2):
        return float(text)
    try:
        return int(text)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        return float(text)


def parse_json(
    text: str, path: Path, limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[Any, list[Diagnostic]]:
    """Parse a JSON document, nesting at most `limits.max_depth` levels, with the position of
    every key and value; duplicate keys are LL108 diagnostics. Raises LoadError."""
    parser = _JsonParser(text, path, limits)
    data = parser.parse()
    report_more_duplicates(parser.diags, parser.duplicates)
    return data, parser.diags
