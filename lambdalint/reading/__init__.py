"""Safe YAML and JSON loading that keeps the 1-based position of every key and value.

YAML is read from libyaml's event stream (the C parser when present) and built iteratively,
so deep nesting cannot overflow a stack, aliases are shared rather than copied (with a bound on
how much they may expand), and no tag ever constructs an object. CloudFormation short-form
tags (`!Ref`, `!GetAtt`, `!Sub` ...) become their long-form mappings.
"""

from __future__ import annotations

import bisect
import json
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from lambdalint.model import Diagnostic, Loc, Pos

MAX_DEPTH = 512
# CloudFormation accepts templates of at most 1 MB (about 500,000 values): room to spare, and
# the worst 5 MB file stays near 4 seconds and 170 MB
MAX_NODES = 1_000_000
MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Resource bounds for reading and parsing one untrusted file.

    Configurable (`max-file-size`, `max-depth`, `max-nodes`); `LIMITS` holds the ones of the
    current run. Every bound is structural, so the same file gives the same result on a fast
    laptop and a loaded CI runner.
    """

    max_file_bytes: int = MAX_FILE_BYTES
    max_depth: int = MAX_DEPTH
    # values a document may expand to, aliases counted at their expanded size
    max_nodes: int = MAX_NODES
    # the trees being checked (real paths): no file outside them is read, whatever a template,
    # a symbolic link or a Terraform file() names. Empty: the working directory.
    roots: tuple[str, ...] = ()

    def with_roots(self, roots: tuple[str, ...]) -> Limits:
        return Limits(self.max_file_bytes, self.max_depth, self.max_nodes, roots)


LIMITS = Limits()

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_size(value: object) -> int | None:
    """Bytes from `5242880`, `"5MB"`, `"512 KiB"`; None when it is not a size."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    m = _SIZE.match(value) if isinstance(value, str) else None
    if not m:
        return None
    size = float(m.group(1)) * _UNITS[(m.group(2) or "")[:1].lower()]
    if not math.isfinite(size):  # 400 digits of megabytes
        return None
    return int(size) if size >= 1 else None


def limits_from_options(options: dict[str, Any]) -> Limits:
    """The limits named in the configuration's options; defaults for the rest.
    Raises ValueError naming the option when a value is not usable."""
    size = options.get("max-file-size", MAX_FILE_BYTES)
    max_bytes = parse_size(size)
    if max_bytes is None:
        raise ValueError(f"max-file-size: expected a size such as 5242880 or '5MB', got {size!r}")
    out = {"max_file_bytes": max_bytes}
    for key, attr in (("max-depth", "max_depth"), ("max-nodes", "max_nodes")):
        value = options.get(key, getattr(Limits, attr))
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{key}: expected a positive integer, got {value!r}")
        out[attr] = value
    return Limits(**out)


class LMap(dict):  # type: ignore[type-arg]
    """A mapping that remembers where it, each key and each value start."""

    __slots__ = ("pos", "key_pos", "value_pos")

    def __init__(self, pos: Pos = Pos()) -> None:
        super().__init__()
        self.pos = pos
        self.key_pos: dict[Any, Pos] = {}
        self.value_pos: dict[Any, Pos] = {}


class LList(list):  # type: ignore[type-arg]
    """A sequence that remembers where it and each item start."""

    __slots__ = ("pos", "item_pos")

    def __init__(self, pos: Pos = Pos()) -> None:
        super().__init__()
        self.pos = pos
        self.item_pos: list[Pos] = []


def pos_of(container: Any, key: Any, default: Pos | None = None) -> Pos:
    """The position of `container[key]` (falling back to the container's own position)."""
    if isinstance(container, LMap):
        p = container.value_pos.get(key)
        if p is not None:
            return p
        return default or container.pos
    if isinstance(container, LList):
        if isinstance(key, int) and 0 <= key < len(container.item_pos):
            return container.item_pos[key]
        return default or container.pos
    return default or Pos()


def key_pos_of(container: Any, key: Any) -> Pos:
    if isinstance(container, LMap):
        return container.key_pos.get(key, container.pos)
    return pos_of(container, key)


def node_pos(value: Any, default: Pos = Pos()) -> Pos:
    if isinstance(value, (LMap, LList)):
        return value.pos
    return default


def node_count(value: Any, limit: int) -> int:
    """How many values `value` holds, counting a shared (aliased) one at each place it is
    used; counting stops just past `limit`."""
    count = 0
    stack = [value]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def expansion_notice(path: Path, limit: int) -> Diagnostic:
    """Said once for a file whose nested substitutions were cut short: a value longer than
    `limit` characters, or more text than the file's budget, is unknown and so not checked."""
    return Diagnostic(
        "LL100",
        f"values built by nested substitutions expand past {limit:,} characters: "
        "left unresolved, not checked",
        Loc(path),
        notice=True,
    )


@dataclass
class Document:
    path: Path
    data: Any = None
    text: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # YAML comments are kept as text lines for suppressions; see suppress.py
    kind: str = ""  # yaml | json
    _lines: list[str] | None = field(default=None, repr=False, compare=False)

    def line(self, number: int) -> str:
        """The text of a 1-based line ("" past the end); the text is split once."""
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""


class LoadError(Exception):
    def __init__(self, message: str, pos: Pos) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


# ---------------------------------------------------------------- YAML

_SHORT_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
}

_INT_RE = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_HEX_RE = re.compile(r"^0x[0-9a-fA-F_]+$")
_OCT_RE = re.compile(r"^0o?[0-7_]+$")
_FLOAT_RE = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUES = {"true", "True", "TRUE"}
_FALSES = {"false", "False", "FALSE"}


def _plain_scalar(value: str) -> Any:
    if value in _NULLS:
        return None
    if value in _TRUES:
        return True
    if value in _FALSES:
        return False
    c = value[0]
    if c.isdigit() or c in "+-.":
        if _INT_RE.match(value):
            return _int(value.replace("_", ""), 10)
        if _HEX_RE.match(value):
            return _int(value[2:].replace("_", ""), 16)
        if _FLOAT_RE.match(value) and any(ch.isdigit() for ch in value):
            try:
                return float(value.replace("_", ""))
            except ValueError:
                return value
    if value in (".inf", ".Inf", ".INF", "+.inf"):
        return float("inf")
    return value


def _int(text: str, base: int) -> Any:
    """int(text), or for more digits than Python converts (sys.get_int_max_str_digits) or
    prints the float the JSON loader gives too (inf beyond 1e308); the text when it is no
    number."""
    try:
        number = int(text, base)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text
    if number.bit_length() <= 256:
        return number
    # hexadecimal has no digit limit, but printing a 20,000-bit number in decimal would fail
    try:
        return float(number)
    except OverflowError:
        return float("inf") if number > 0 else float("-inf")


def _resolve_scalar(ev: Any) -> Any:
    tag = ev.tag
    value = ev.value
    if tag is None or tag == "!":
        if ev.implicit[0] and not ev.style:
            return _plain_scalar(value)
        return value
    if tag.startswith("tag:yaml.org,2002:"):
        kind = tag[18:]
        if kind == "int":
            return _int(value.replace("_", ""), 0)
        if kind == "float":
            try:
                return float(value)
            except ValueError:
                return value
        if kind == "bool":
            return value.lower() in ("true", "yes", "on", "y")
        if kind == "null":
            return None
        return value
    return value


def _wrap_tag(tag: str | None, value: Any, pos: Pos) -> Any:
    """Turn a CloudFormation short-form tag into its long form."""
    if not tag or not tag.startswith("!") or tag == "!":
        return value
    if tag in _SHORT_TAGS:
        name = _SHORT_TAGS[tag]
    elif tag == "!GetAtt":
        name = "Fn::GetAtt"
        if isinstance(value, str):
            parts = value.split(".", 1)
            lst = LList(pos)
            for part in parts:
                lst.append(part)
                lst.item_pos.append(pos)
            value = lst
    else:
        name = "Fn::" + tag[1:]
    m = LMap(pos)
    m[name] = value
    m.key_pos[name] = pos
    m.value_pos[name] = pos
    return m


MAX_DUPLICATE_REPORTS = 100


def _duplicate(diags: list[Diagnostic], count: int, key: Any, m: LMap, loc: Loc) -> int:
    """Report a repeated key; a file gets the first 100 reported (400,000 of them were 12
    seconds and half a gigabyte of findings). Returns how many were seen so far."""
    if count < MAX_DUPLICATE_REPORTS:
        shown = str(key) if len(str(key)) <= 80 else str(key)[:77] + "..."
        diags.append(
            Diagnostic(
                "LL108",
                f"duplicate key '{shown}': only the last value counts "
                f"(first set on line {m.key_pos[key].line})",
                loc,
            )
        )
    return count + 1


def _more_duplicates(diags: list[Diagnostic], count: int) -> None:
    if count > MAX_DUPLICATE_REPORTS:
        last = next(d for d in reversed(diags) if d.rule_id == "LL108")
        diags.append(
            Diagnostic(
                "LL108",
                f"{count - MAX_DUPLICATE_REPORTS:,} more duplicate keys in this file "
                f"(only the first {MAX_DUPLICATE_REPORTS} are reported)",
                last.loc,
            )
        )


def _mark_pos(mark: Any) -> Pos:
    return Pos(mark.line + 1, mark.column + 1)


class _Frame:
    __slots__ = ("container", "tag", "anchor", "key", "key_pos", "pos", "size", "is_map", "merged")

    def __init__(self, container: Any, tag: str | None, anchor: str | None, pos: Pos) -> None:
        self.container = container
        self.tag = tag
        self.anchor = anchor
        self.key: Any = _NO_KEY
        self.key_pos: Pos = pos
        self.pos = pos
        self.size = 1
        self.is_map = isinstance(container, LMap)
        # keys that came from a merge key (`<<: *defaults`) and were not written here yet
        self.merged: set[Any] | None = None


_NO_KEY = object()


def _hashable(key: Any) -> Any:
    if isinstance(key, (dict, list)):
        try:
            return json.dumps(key, sort_keys=True, default=str)
        except TypeError:  # keys of mixed types cannot be sorted
            return json.dumps(key, default=str)
    return key


_PYTHON_TAG = "tag:yaml.org,2002:python/"
_MAX_TAG_DIAGNOSTICS = 20


def _refuse_tag(tag: str, loc: Loc, diags: list[Diagnostic], refused: int) -> int:
    """`!!python/...` asks an unsafe loader to import and call Python: report it, construct
    nothing (the value is read as the plain scalar, list or mapping it is written as).
    Returns how many were refused so far (only the first few are reported)."""
    if refused < _MAX_TAG_DIAGNOSTICS:
        diags.append(
            Diagnostic(
                "LL100",
                f"YAML tag !!{tag[18:80]} is not allowed in a template: it asks for a Python "
                "object to be constructed (nothing was constructed)",
                loc,
            )
        )
    return refused + 1


def parse_yaml(text: str, path: Path) -> tuple[Any, list[Diagnostic]]:
    """Parse the first YAML document of `text`. Raises LoadError on malformed input."""
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    diags: list[Diagnostic] = []
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[_Frame] = []
    root: Any = None
    have_root = False
    nodes = 0
    max_nodes, max_depth = LIMITS.max_nodes, LIMITS.max_depth
    refused = 0
    duplicates = 0

    def add(value: Any, pos: Pos, size: int) -> bool:
        """Attach a finished value to the enclosing container. True when the document ended."""
        nonlocal root, have_root, nodes, duplicates
        nodes += size
        if nodes > max_nodes:
            why = "YAML alias bomb?" if anchors else "the max-nodes limit"
            raise LoadError(f"document expands to more than {max_nodes:,} nodes ({why})", pos)
        if not stack:
            root = value
            have_root = True
            return True
        top = stack[-1]
        top.size += size
        if top.is_map:
            if top.key is _NO_KEY:
                top.key = _hashable(value)
                top.key_pos = pos
                return False
            key = top.key
            m = top.container
            if key == "<<" and isinstance(value, (LMap, LList)):
                # a key written in the mapping itself wins over a merged one, before or after
                # the merge key; of several merged mappings the first that has a key wins
                if top.merged is None:
                    top.merged = set()
                for merged in value if isinstance(value, LList) else [value]:
                    if isinstance(merged, LMap):
                        for k, v in merged.items():
                            if k not in m:
                                m[k] = v
                                m.key_pos[k] = merged.key_pos.get(k, pos)
                                m.value_pos[k] = merged.value_pos.get(k, pos)
                                top.merged.add(k)
            else:
                if key in m:
                    if top.merged is not None and key in top.merged:
                        top.merged.discard(key)  # overrides the merged value: no duplicate
                    else:
                        duplicates = _duplicate(diags, duplicates, key, m, Loc(path, top.key_pos))
                m[key] = value
                m.key_pos[key] = top.key_pos
                m.value_pos[key] = pos
            top.key = _NO_KEY
        else:
            top.container.append(value)
            top.container.item_pos.append(pos)
        return False

    scalar_event, mapping_start, sequence_start = (
        yaml.ScalarEvent,
        yaml.MappingStartEvent,
        yaml.SequenceStartEvent,
    )
    collection_end = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    last_mark: Any = None
    try:
        events = yaml.parse(text, Loader=loader_cls)
        for ev in events:
            last_mark = ev.end_mark
            cls = type(ev)
            if cls is scalar_event:
                pos = _mark_pos(ev.start_mark)
                tag = ev.tag
                if tag is None and not ev.style and ev.implicit[0]:
                    value = _plain_scalar(ev.value)  # most values: untagged and plain
                else:
                    if tag and tag.startswith(_PYTHON_TAG):
                        refused = _refuse_tag(tag, Loc(path, pos), diags, refused)
                    value = _wrap_tag(tag, _resolve_scalar(ev), pos)
                if ev.anchor:
                    anchors[ev.anchor] = (value, 1)
                if add(value, pos, 1):
                    break
            elif cls is mapping_start or cls is sequence_start:
                if len(stack) >= max_depth:
                    raise LoadError(
                        f"nesting deeper than {max_depth} levels", _mark_pos(ev.start_mark)
                    )
                pos = _mark_pos(ev.start_mark)
                if ev.tag and ev.tag.startswith(_PYTHON_TAG):
                    refused = _refuse_tag(ev.tag, Loc(path, pos), diags, refused)
                container: Any = LMap(pos) if cls is mapping_start else LList(pos)
                stack.append(_Frame(container, ev.tag, ev.anchor, pos))
            elif cls in collection_end:
                frame = stack.pop()
                value = _wrap_tag(frame.tag, frame.container, frame.pos)
                if frame.anchor:
                    anchors[frame.anchor] = (value, frame.size)
                nodes -= frame.size - 1  # children were counted already
                if add(value, frame.pos, frame.size):
                    break
            elif cls is yaml.AliasEvent:
                pos = _mark_pos(ev.start_mark)
                if ev.anchor not in anchors:
                    raise LoadError(f"found undefined alias '{ev.anchor}'", pos)
                value, size = anchors[ev.anchor]
                if add(value, pos, size):
                    break
            elif cls is yaml.DocumentEndEvent and have_root:
                break
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _mark_pos(mark) if mark is not None else Pos()
        if mark is not None:
            # Some libyaml releases stop deep flow nesting in their scanner, which reads ahead
            # of the events: our own bound decides, with our own words, whatever the release.
            deep = _flow_depth_exceeded(text, last_mark, mark, len(stack), max_depth)
            if deep is not None:
                raise LoadError(f"nesting deeper than {max_depth} levels", deep) from None
        message = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise LoadError(message or "malformed YAML", pos) from None
    except yaml.YAMLError as exc:
        # a ReaderError (a control character, invalid text) has an offset instead of a mark
        offset = getattr(exc, "position", None)
        pos = _offset_pos(text, offset) if isinstance(offset, int) else Pos()
        raise LoadError(str(exc).splitlines()[0] if str(exc) else "malformed YAML", pos) from None
    _more_duplicates(diags, duplicates)
    return root, diags


def parse_settings_yaml(text: str) -> Any:
    """A file that configures the run (configuration, rule file), read as PyYAML's safe loader
    reads it (the YAML 1.1 scalars users expect there), once its event stream is known to nest
    at most `max-depth` levels (PyYAML's composer recurses once per level); the value must not
    expand, aliases counted where they are used, to more than `max-nodes` values. Raises
    LoadError with a one-line message that quotes nothing of the file."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    opening = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    closing = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    max_depth, max_nodes = LIMITS.max_depth, LIMITS.max_nodes
    try:
        depth = 0
        for ev in yaml.parse(text, Loader=loader):
            if isinstance(ev, opening):
                depth += 1
                if depth > max_depth:
                    raise LoadError(
                        f"nesting deeper than {max_depth} levels", _mark_pos(ev.start_mark)
                    )
            elif isinstance(ev, closing):
                depth -= 1
        data = yaml.load(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(x) for x in (exc.context, exc.problem) if x) or "malformed YAML"
        raise LoadError(message, _mark_pos(mark) if mark is not None else Pos()) from None
    except yaml.YAMLError as exc:
        raise LoadError(type(exc).__name__, Pos()) from None
    except RecursionError:
        raise LoadError("nesting too deep", Pos()) from None
    if node_count(data, max_nodes) > max_nodes:
        raise LoadError(f"expands to more than {max_nodes:,} values (YAML alias bomb?)", Pos())
    return data


_FLOW_TOKENS = re.compile(r"""[\[\]{}'"#]""")


def _flow_depth_exceeded(
    text: str, start_mark: Any, end_mark: Any, depth: int, max_depth: int
) -> Pos | None:
    """Where the flow nesting opened between two parser marks first passes `max_depth`, given
    `depth` open collections at `start_mark`; None when it never does. Quoted scalars and
    comments are skipped; only called after the parser has given up, so speed hardly matters."""
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def offset(mark: Any) -> int:
        line = min(max(mark.line, 0), len(starts) - 1)
        return min(starts[line] + max(mark.column, 0), len(text))

    i = offset(start_mark) if start_mark is not None else 0
    end = offset(end_mark)
    while i < end:
        m = _FLOW_TOKENS.search(text, i, end + 1)
        if m is None:
            return None
        ch, i = m.group(), m.end()
        if ch in "[{":
            depth += 1
            if depth > max_depth:
                at = i - 1
                line = bisect.bisect_right(starts, at) - 1
                return Pos(line + 1, at - starts[line] + 1)
        elif ch in "]}":
            depth -= 1
        elif ch == "#" and (m.start() == 0 or text[m.start() - 1] in " \t\n"):
            newline = text.find("\n", i)
            i = end if newline < 0 else newline
        elif ch == "'":
            close = text.find("'", i)
            while close >= 0 and text.startswith("''", close):
                close = text.find("'", close + 2)
            i = end if close < 0 else close + 1
        elif ch == '"':
            while True:
                close = text.find('"', i)
                if close < 0:
                    i = end
                    break
                backslashes = len(text[i:close]) - len(text[i:close].rstrip("\\"))
                i = close + 1
                if backslashes % 2 == 0:
                    break
    return None


def _offset_pos(text: str, offset: int) -> Pos:
    offset = max(0, min(offset, len(text)))
    line_start = text.rfind("\n", 0, offset) + 1
    return Pos(text.count("\n", 0, offset) + 1, offset - line_start + 1)


# ---------------------------------------------------------------- JSON

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

    def __init__(self, text: str, path: Path) -> None:
        self.s = text
        self.path = path
        self.lines = [m.start() for m in _NEWLINE.finditer(text)]  # offsets of every "\n"
        self.diags: list[Diagnostic] = []
        self.duplicates = 0
        self.max_depth = LIMITS.max_depth

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
            self.duplicates = _duplicate(self.diags, self.duplicates, key, m, Loc(self.path, kp))
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


def parse_json(text: str, path: Path) -> tuple[Any, list[Diagnostic]]:
    parser = _JsonParser(text, path)
    data = parser.parse()
    _more_duplicates(parser.diags, parser.duplicates)
    return data, parser.diags


# ---------------------------------------------------------------- files


def _size(n: int) -> str:
    if n >= 1048576:
        return f"{n / 1048576:.1f} MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"


def _skipped(path: Path, why: str) -> tuple[None, Diagnostic]:
    return None, Diagnostic("LL100", f"skipped: {why}", Loc(path), notice=True)


def tree_roots(paths: list[Path]) -> tuple[str, ...]:
    """The trees a run may read: for each path given, the working directory when the path lies
    inside it (a handler's CodeUri may climb to a shared folder of the repository), else the
    path itself (a file's folder). A file is placed by the folder its name is in, not by where
    it links to: a link given by name (a changed file) does not widen the tree."""
    cwd = os.path.realpath(os.getcwd())
    roots: list[str] = []
    for given in paths:
        real = os.path.realpath(given)
        if os.path.isfile(real):
            real = os.path.realpath(os.path.dirname(os.path.abspath(given)))
        root = cwd if _within(real, cwd) else real
        if root not in roots:
            roots.append(root)
    return tuple(roots)


def _within(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def inside_tree(path: Path | str, follow_links: bool = True) -> bool:
    """Whether `path`, all symbolic links followed, lies inside a tree this run checks (with
    `follow_links=False`: whether its name does)."""
    try:
        real = os.path.realpath(path) if follow_links else os.path.abspath(path)
    except (OSError, ValueError):
        return False
    roots = LIMITS.roots or (os.path.realpath(os.getcwd()),)
    return any(_within(real, root) for root in roots)


class Unreadable(Exception):
    """Why a file was not read (one line); `notice` when that is a choice, not a failure."""

    def __init__(self, message: str, notice: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.notice = notice


def open_regular(path: Path | str) -> BinaryIO:
    """Open a regular file for binary reading. A FIFO would block the run and a device such
    as /dev/zero never ends (both can sit in a repository behind a symlink): anything but a
    regular file raises Unreadable, without blocking."""
    try:
        st = os.stat(path)
    except ValueError:  # a NUL byte in the name
        raise OSError("invalid file name") from None
    if not stat.S_ISREG(st.st_mode):
        raise Unreadable("not a regular file (FIFO, device or socket)")
    # O_NONBLOCK: had the file been swapped for a FIFO since the stat, opening returns at once
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Unreadable("not a regular file (FIFO, device or socket)")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path: Path | str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; Unreadable (or OSError) if not.
    At most `limit` plus one byte is read, whatever `stat` said."""
    with open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        if size > limit:
            raise Unreadable(f"file is {_size(size)}, above the {_size(limit)} limit")
        raw = f.read(limit + 1)
    if len(raw) > limit:
        raise Unreadable(f"file is above the {_size(limit)} limit")
    return raw


def read_text(path: Path, max_bytes: int | None = None) -> tuple[str | None, Diagnostic | None]:
    """Read a text file of the checked tree, or explain why not (outside the tree, size,
    binary, encoding, permissions, not a regular file)."""
    limit = LIMITS.max_file_bytes if max_bytes is None else max_bytes
    if not inside_tree(path):
        return _skipped(path, "not read: it lies outside the checked tree (symbolic link?)")
    try:
        raw = read_bounded(path, limit)
    except Unreadable as exc:
        return _skipped(path, exc.message)
    except FileNotFoundError as exc:
        if os.path.islink(path):
            return None, Diagnostic(
                "LL100", "broken symbolic link: the file it points to does not exist", Loc(path)
            )
        return None, Diagnostic("LL100", f"cannot read file: {exc.strerror or exc}", Loc(path))
    except OSError as exc:
        return None, Diagnostic("LL100", f"cannot read file: {exc.strerror or exc}", Loc(path))
    return decode(raw, path)


def read_lines(path: Path) -> list[str]:
    """The lines of a file of the checked tree (for suppression comments and baseline
    fingerprints); [] when it cannot be read as text. Same limits as `read_text`."""
    if not inside_tree(path):
        return []
    try:
        raw = read_bounded(path, LIMITS.max_file_bytes)
    except (OSError, Unreadable):
        return []
    text, _ = decode(raw, path)
    return (text if text is not None else raw.decode("utf-8", "replace")).splitlines()


def read_settings(path: Path) -> str:
    """The text of a file that configures the run (configuration, rule or baseline file),
    read with the limits of project files: a regular file of at most `max-file-size` bytes,
    as text. It may lie outside the checked tree (a configuration is found by walking up).
    Raises Unreadable with a one-line reason ("Permission denied", "not a regular file ...")."""
    try:
        raw = read_bounded(path, LIMITS.max_file_bytes)
    except OSError as exc:
        raise Unreadable(str(exc.strerror or exc), notice=False) from None
    text, diag = decode(raw, path)
    if text is None:
        raise Unreadable(diag.message if diag is not None else "not text", notice=False)
    return text


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def decode(raw: bytes, path: Path) -> tuple[str | None, Diagnostic | None]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    else:
        # a byte order mark says how the text is encoded (UTF-32's starts like UTF-16's)
        for bom, encoding in _BOMS:
            if raw.startswith(bom):
                try:
                    return raw.decode(encoding), None
                except UnicodeDecodeError:
                    return None, Diagnostic("LL100", f"invalid {encoding.upper()} text", Loc(path))
    if b"\x00" in raw[:8192]:
        return None, Diagnostic("LL100", "skipped: binary file (NUL bytes)", Loc(path), notice=True)
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, Diagnostic(
            "LL100", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", Loc(path, Pos(line, col))
        )


# Where parsed templates are kept between runs (cache.SourceCache), when the run has a cache:
# `get_document(kind, path, text, limits)` and `put_document(kind, path, text, limits, tree)`.
DOCUMENTS: Any = None


def parse_file_text(text: str, path: Path, kind: str) -> tuple[Any, list[Diagnostic]]:
    """`parse_json` or `parse_yaml` for a whole file, through the document cache: a file
    parsed before (same path, text and limits) is rebuilt from the cache in about half the
    time. Only trees without diagnostics are kept; errors are parsed (and reported) again."""
    store = DOCUMENTS
    if store is not None:
        tree = store.get_document(kind, path, text, LIMITS.with_roots(()))
        if tree is not None:
            return tree, []
    data, diags = parse_json(text, path) if kind == "json" else parse_yaml(text, path)
    if store is not None and not diags:
        store.put_document(kind, path, text, LIMITS.with_roots(()), data)
    return data, diags


def load_document(path: Path, text: str, kind: str) -> Document:
    """Parse `text` as `kind` (yaml | json); parse errors become LL100 diagnostics."""
    doc = Document(path=path, text=text, kind=kind)
    try:
        doc.data, doc.diagnostics = parse_file_text(text, path, kind)
    except LoadError as exc:
        doc.diagnostics.append(Diagnostic("LL100", exc.message, Loc(path, exc.pos)))
        doc.data = None
    return doc
