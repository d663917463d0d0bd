"""YAML with positions (see positions.py), read safely.

The document is built from libyaml's event stream (the C parser when present), iteratively, so
deep nesting cannot overflow a stack; aliases are shared rather than copied, with a bound on how
much they may expand; no tag ever constructs an object. CloudFormation short-form tags (`!Ref`,
`!GetAtt`, `!Sub` ...) become their long-form mappings.
"""

from __future__ import annotations

import bisect
import json
import re
from pathlib import Path
from typing import Any

import yaml

from lambdalint.model import Diagnostic, Loc, Pos
from lambdalint.reading import DEFAULT_LIMITS, ReadLimits
from lambdalint.reading.positions import (
    LList,
    LMap,
    LoadError,
    node_count,
    report_duplicate,
    report_more_duplicates,
)

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


def _mark_pos(mark: Any) -> Pos:
    return Pos(mark.line + 1, mark.column + 1)


class _Frame:
    __slots__ = ("anchor", "container", "is_map", "key", "key_pos", "merged", "pos", "size", "tag")

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


def parse_yaml(
    text: str, path: Path, limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[Any, list[Diagnostic]]:
    """Parse the first YAML document of `text`, within `limits` (nesting depth, values the
    document expands to). Raises LoadError on malformed input."""
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    diags: list[Diagnostic] = []
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[_Frame] = []
    root: Any = None
    have_root = False
    nodes = 0
    max_nodes, max_depth = limits.max_nodes, limits.max_depth
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
                        duplicates = report_duplicate(
                            diags, duplicates, key, m, Loc(path, top.key_pos)
                        )
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
    ev: Any  # PyYAML's events: each kind has its own attributes
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
    report_more_duplicates(diags, duplicates)
    return root, diags


def parse_settings_yaml(text: str, limits: ReadLimits = DEFAULT_LIMITS) -> Any:
    """A file that configures the run (configuration, rule file), read as PyYAML's safe loader
    reads it (the YAML 1.1 scalars users expect there), once its event stream is known to nest
    at most `max-depth` levels (PyYAML's composer recurses once per level); the value must not
    expand, aliases counted where they are used, to more than `max-nodes` values. Raises
    LoadError with a one-line message that quotes nothing of the file."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    opening = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    closing = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    max_depth, max_nodes = limits.max_depth, limits.max_nodes
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
    for text_line in lines[:-1]:
        starts.append(starts[-1] + len(text_line) + 1)

    def offset(mark: Any) -> int:
        row: int = min(max(mark.line, 0), len(starts) - 1)
        column: int = max(mark.column, 0)
        return min(starts[row] + column, len(text))

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
