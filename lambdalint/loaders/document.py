"""Safe YAML and JSON loading that keeps the 1-based position of every key and value.

YAML is read from libyaml's event stream (the C parser when present) and built iteratively,
so deep nesting cannot overflow a stack, aliases are shared rather than copied (with a bound on
how much they may expand), and no tag ever constructs an object. CloudFormation short-form
tags (`!Ref`, `!GetAtt`, `!Sub` ...) become their long-form mappings.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lambdalint.model import Diagnostic, Loc, Pos

MAX_DEPTH = 512
MAX_NODES = 2_000_000


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


@dataclass
class Document:
    path: Path
    data: Any = None
    text: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # YAML comments are kept as text lines for suppressions; see suppress.py
    kind: str = ""  # yaml | json


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
            return int(value.replace("_", ""))
        if _HEX_RE.match(value):
            return int(value[2:].replace("_", ""), 16)
        if _FLOAT_RE.match(value) and any(ch.isdigit() for ch in value):
            try:
                return float(value.replace("_", ""))
            except ValueError:
                return value
    if value in (".inf", ".Inf", ".INF", "+.inf"):
        return float("inf")
    return value


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
            try:
                return int(value.replace("_", ""), 0)
            except ValueError:
                return value
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


def _mark_pos(mark: Any) -> Pos:
    return Pos(mark.line + 1, mark.column + 1)


class _Frame:
    __slots__ = ("container", "tag", "anchor", "key", "key_pos", "pos", "size", "is_map")

    def __init__(self, container: Any, tag: str | None, anchor: str | None, pos: Pos) -> None:
        self.container = container
        self.tag = tag
        self.anchor = anchor
        self.key: Any = _NO_KEY
        self.key_pos: Pos = pos
        self.pos = pos
        self.size = 1
        self.is_map = isinstance(container, LMap)


_NO_KEY = object()


def _hashable(key: Any) -> Any:
    if isinstance(key, (dict, list)):
        return json.dumps(key, sort_keys=True, default=str)
    return key


def parse_yaml(text: str, path: Path) -> tuple[Any, list[Diagnostic]]:
    """Parse the first YAML document of `text`. Raises LoadError on malformed input."""
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    diags: list[Diagnostic] = []
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[_Frame] = []
    root: Any = None
    have_root = False
    nodes = 0

    def add(value: Any, pos: Pos, size: int) -> bool:
        """Attach a finished value to the enclosing container. True when the document ended."""
        nonlocal root, have_root, nodes
        nodes += size
        if nodes > MAX_NODES:
            raise LoadError(
                f"document expands to more than {MAX_NODES:,} nodes (YAML alias bomb?)", pos
            )
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
                for merged in value if isinstance(value, LList) else [value]:
                    if isinstance(merged, LMap):
                        for k, v in merged.items():
                            if k not in m:
                                m[k] = v
                                m.key_pos[k] = merged.key_pos.get(k, pos)
                                m.value_pos[k] = merged.value_pos.get(k, pos)
            else:
                if key in m:
                    diags.append(
                        Diagnostic(
                            "LL108",
                            f"duplicate key '{key}': only the last value counts "
                            f"(first set on line {m.key_pos[key].line})",
                            Loc(path, top.key_pos),
                        )
                    )
                m[key] = value
                m.key_pos[key] = top.key_pos
                m.value_pos[key] = pos
            top.key = _NO_KEY
        else:
            top.container.append(value)
            top.container.item_pos.append(pos)
        return False

    try:
        events = yaml.parse(text, Loader=loader_cls)
        for ev in events:
            cls = type(ev).__name__
            if cls == "ScalarEvent":
                pos = _mark_pos(ev.start_mark)
                value = _wrap_tag(ev.tag, _resolve_scalar(ev), pos)
                if ev.anchor:
                    anchors[ev.anchor] = (value, 1)
                if add(value, pos, 1):
                    break
            elif cls == "MappingStartEvent" or cls == "SequenceStartEvent":
                if len(stack) >= MAX_DEPTH:
                    raise LoadError(
                        f"nesting deeper than {MAX_DEPTH} levels", _mark_pos(ev.start_mark)
                    )
                pos = _mark_pos(ev.start_mark)
                container: Any = LMap(pos) if cls == "MappingStartEvent" else LList(pos)
                stack.append(_Frame(container, ev.tag, ev.anchor, pos))
            elif cls == "MappingEndEvent" or cls == "SequenceEndEvent":
                frame = stack.pop()
                value = _wrap_tag(frame.tag, frame.container, frame.pos)
                if frame.anchor:
                    anchors[frame.anchor] = (value, frame.size)
                nodes -= frame.size - 1  # children were counted already
                if add(value, frame.pos, frame.size):
                    break
            elif cls == "AliasEvent":
                pos = _mark_pos(ev.start_mark)
                if ev.anchor not in anchors:
                    raise LoadError(f"found undefined alias '{ev.anchor}'", pos)
                value, size = anchors[ev.anchor]
                if add(value, pos, size):
                    break
            elif cls == "DocumentEndEvent" and have_root:
                break
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _mark_pos(mark) if mark is not None else Pos()
        message = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise LoadError(message or "malformed YAML", pos) from None
    except yaml.YAMLError as exc:
        raise LoadError(str(exc).splitlines()[0] if str(exc) else "malformed YAML", Pos()) from None
    return root, diags


# ---------------------------------------------------------------- JSON

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_scanstring: Any = json.decoder.scanstring  # type: ignore[attr-defined]


class _JsonParser:
    """A small JSON parser that records positions; strings are decoded by json's C scanner."""

    def __init__(self, text: str, path: Path) -> None:
        self.s = text
        self.path = path
        self.lines = [i for i, ch in enumerate(text) if ch == "\n"] if "\n" in text else []
        self.diags: list[Diagnostic] = []

    def pos(self, idx: int) -> Pos:
        line = bisect.bisect_left(self.lines, idx)
        start = self.lines[line - 1] + 1 if line > 0 else 0
        return Pos(line + 1, idx - start + 1)

    def error(self, msg: str, idx: int) -> LoadError:
        return LoadError(msg, self.pos(min(idx, len(self.s))))

    def parse(self) -> Any:
        s = self.s
        i = _WS.match(s, 0).end()  # type: ignore[union-attr]
        value, i = self.value(i, 0)
        i = _WS.match(s, i).end()  # type: ignore[union-attr]
        if i != len(s):
            raise self.error("extra data after the JSON value", i)
        return value

    def value(self, i: int, depth: int) -> tuple[Any, int]:
        s = self.s
        if i >= len(s):
            raise self.error("unexpected end of file", i)
        c = s[i]
        if c == '"':
            try:
                return _scanstring(s, i + 1, True)  # type: ignore[no-any-return]
            except ValueError as exc:
                raise self.error(str(exc).split(":")[0], i) from None
        if c == "{" or c == "[":
            if depth >= MAX_DEPTH:
                raise self.error(f"nesting deeper than {MAX_DEPTH} levels", i)
            return self.obj(i, depth + 1) if c == "{" else self.arr(i, depth + 1)
        if s.startswith("true", i):
            return True, i + 4
        if s.startswith("false", i):
            return False, i + 5
        if s.startswith("null", i):
            return None, i + 4
        m = _NUMBER.match(s, i)
        if m and m.end() > i:
            text = m.group(0)
            return (float(text) if m.group(1) or m.group(2) else int(text)), m.end()
        raise self.error(f"unexpected character {c!r}", i)

    def obj(self, i: int, depth: int) -> tuple[Any, int]:
        s = self.s
        m = LMap(self.pos(i))
        i = _WS.match(s, i + 1).end()  # type: ignore[union-attr]
        if i < len(s) and s[i] == "}":
            return m, i + 1
        while True:
            if i >= len(s) or s[i] != '"':
                raise self.error("expected a string key", i)
            key_idx = i
            key, i = self.value(i, depth)
            i = _WS.match(s, i).end()  # type: ignore[union-attr]
            if i >= len(s) or s[i] != ":":
                raise self.error("expected ':' after key", i)
            i = _WS.match(s, i + 1).end()  # type: ignore[union-attr]
            val_idx = i
            val, i = self.value(i, depth)
            kp = self.pos(key_idx)
            if key in m:
                self.diags.append(
                    Diagnostic(
                        "LL108",
                        f"duplicate key '{key}': only the last value counts "
                        f"(first set on line {m.key_pos[key].line})",
                        Loc(self.path, kp),
                    )
                )
            m[key] = val
            m.key_pos[key] = kp
            m.value_pos[key] = self.pos(val_idx)
            i = _WS.match(s, i).end()  # type: ignore[union-attr]
            if i < len(s) and s[i] == ",":
                i = _WS.match(s, i + 1).end()  # type: ignore[union-attr]
                continue
            if i < len(s) and s[i] == "}":
                return m, i + 1
            raise self.error("expected ',' or '}'", i)

    def arr(self, i: int, depth: int) -> tuple[Any, int]:
        s = self.s
        lst = LList(self.pos(i))
        i = _WS.match(s, i + 1).end()  # type: ignore[union-attr]
        if i < len(s) and s[i] == "]":
            return lst, i + 1
        while True:
            val_idx = i
            val, i = self.value(i, depth)
            lst.append(val)
            lst.item_pos.append(self.pos(val_idx))
            i = _WS.match(s, i).end()  # type: ignore[union-attr]
            if i < len(s) and s[i] == ",":
                i = _WS.match(s, i + 1).end()  # type: ignore[union-attr]
                continue
            if i < len(s) and s[i] == "]":
                return lst, i + 1
            raise self.error("expected ',' or ']'", i)


def parse_json(text: str, path: Path) -> tuple[Any, list[Diagnostic]]:
    parser = _JsonParser(text, path)
    try:
        data = parser.parse()
    except RecursionError:
        raise LoadError("nesting too deep", Pos()) from None
    return data, parser.diags


# ---------------------------------------------------------------- files

MAX_FILE_BYTES = 5 * 1024 * 1024


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> tuple[str | None, Diagnostic | None]:
    """Read a text file, or explain why not (size, binary, encoding, permissions)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, Diagnostic(
                "LL100",
                f"skipped: file is {size / 1048576:.1f} MB, above the {max_bytes / 1048576:.0f} MB limit",
                Loc(path),
                notice=True,
            )
        raw = path.read_bytes()
    except OSError as exc:
        return None, Diagnostic("LL100", f"cannot read file: {exc.strerror or exc}", Loc(path))
    return decode(raw, path)


def decode(raw: bytes, path: Path) -> tuple[str | None, Diagnostic | None]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), None
        except UnicodeDecodeError:
            return None, Diagnostic("LL100", "invalid UTF-16 text", Loc(path))
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


def load_document(path: Path, text: str, kind: str) -> Document:
    """Parse `text` as `kind` (yaml | json); parse errors become LL100 diagnostics."""
    doc = Document(path=path, text=text, kind=kind)
    try:
        if kind == "json":
            doc.data, doc.diagnostics = parse_json(text, path)
        else:
            doc.data, doc.diagnostics = parse_yaml(text, path)
    except LoadError as exc:
        doc.diagnostics.append(Diagnostic("LL100", exc.message, Loc(path, exc.pos)))
        doc.data = None
    return doc
