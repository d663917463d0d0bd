"""Text edits for fixes: where things are in a file's original text, as character offsets.

A fix never rewrites a file from a parsed tree: it replaces spans of the text the linter read,
so comments, quoting, key order, indentation and line endings outside the spans stay as they
were. `SourceText` turns the (line, column) positions the loaders keep into offsets; the
modules of this package find spans in YAML (yaml.py), JSON (json.py) and Python (python.py)
text; Terraform HCL is edited beside its parser (loaders/terraform/hcl_edits.py).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from lambdalint.findings import Edit
from lambdalint.model import Pos
from lambdalint.reading import Reader

T = TypeVar("T")


class Node(Protocol):
    """A node of the YAML or JSON tree the editors build: a `map`, a `seq` or a scalar, with
    its span in the text."""

    @property
    def kind(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def pairs(self) -> Sequence[tuple[Any, Any]]: ...
    @property
    def items(self) -> Sequence[Any]: ...
    @property
    def shared(self) -> bool: ...
    def get(self, key: str) -> Any: ...


N = TypeVar("N", bound=Node)


def node_at_path(root: N, keys: Sequence[str | int]) -> N | None:
    """The node reached from `root` through mapping keys and list indexes (negative from the
    end), or None when the path leaves the tree."""
    node: N | None = root
    for key in keys:
        if node is None:
            return None
        if isinstance(key, int):
            ok = node.kind == "seq" and -len(node.items) <= key < len(node.items)
            node = node.items[key] if ok else None
        else:
            node = node.get(key) if node.kind == "map" else None
    return node


def set_in(
    mapping: N,
    keys: Sequence[str],
    value: Any,
    insert: Callable[[N, str, Any], Edit | None],
    replace: Callable[[N, Any], Edit | None],
) -> Edit | None:
    """Set `keys` (a path from `mapping`) to `value`: the scalar at the end of the path is
    replaced (`replace`), the missing part of the path is added (`insert`, nested mappings).
    None when the path leads through something else than a mapping, or a node a fix must leave
    alone (`shared`)."""
    node = mapping
    for i, key in enumerate(keys):
        if node.kind != "map" or node.shared:
            return None
        child = node.get(key)
        if child is None:
            nested: Any = value
            for inner in reversed(keys[i + 1 :]):
                nested = {inner: nested}
            return insert(node, key, nested)
        if i == len(keys) - 1:
            return replace(child, value)
        node = child
    return None


def entry_with_key_at(root: N, offset: int) -> tuple[N, N, N] | None:
    """(mapping, key, value) of the entry whose key starts at `offset`."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.start > offset or node.end < offset:
            continue
        if node.kind == "map":
            for k, v in node.pairs:
                if k.start == offset:
                    return node, k, v
                stack.append(v)
        elif node.kind == "seq":
            stack.extend(node.items)
    return None


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class SourceText:
    """A file's text with its line starts: positions to offsets and back, and the file's own
    conventions (its line ending) for the text an edit adds."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
        crlf = text.count("\r\n")
        self.newline = "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"

    def offset(self, pos: Pos) -> int:
        """The offset of a 1-based (line, column) position (columns count characters)."""
        line = min(max(pos.line, 1), len(self.starts)) - 1
        return min(self.starts[line] + max(pos.column, 1) - 1, len(self.text))

    def pos(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def line_start(self, offset: int) -> int:
        return self.starts[bisect.bisect_right(self.starts, offset) - 1]

    def line_end(self, offset: int) -> int:
        """The offset of the line break ending the line `offset` is on (or the text's end)."""
        m = _LINE_BREAK.search(self.text, offset)
        return m.start() if m else len(self.text)

    def indent_at(self, offset: int) -> str:
        """The blanks that start the line `offset` is on."""
        start = self.line_start(offset)
        end = start
        while end < len(self.text) and self.text[end] in " \t":
            end += 1
        return self.text[start:end]

    def edit(self, start: int, end: int, text: str) -> Edit:
        """An edit of this text, with the (line, column) span reports show; `text` written
        with "\\n" gets the file's own line ending."""
        if self.newline != "\n":
            text = text.replace("\r\n", "\n").replace("\n", self.newline)
        line, column = self.pos(start)
        end_line, end_column = self.pos(end)
        return Edit(self.path, start, end, text, Pos(line, column, end_line, end_column))

    def rewrite(self, new: str) -> Edit | None:
        """The edit that turns this text into `new` (what a tool such as libcst rewrote): one
        span of whole lines, from the first line that differs to the last. One span, not one per
        hunk: two rewrites of the same code then overlap, and the second waits for the next
        round instead of being merged with the first line by line. None when nothing differs."""
        if new == self.text:
            return None
        old_lines = self.text.splitlines(keepends=True)
        new_lines = new.splitlines(keepends=True)
        prefix = 0
        for a, b in zip(old_lines, new_lines, strict=False):
            if a != b:
                break
            prefix += 1
        suffix = 0
        limit = min(len(old_lines), len(new_lines)) - prefix
        while suffix < limit and old_lines[-1 - suffix] == new_lines[-1 - suffix]:
            suffix += 1
        start = sum(len(line) for line in old_lines[:prefix])
        end = len(self.text) - sum(len(line) for line in old_lines[len(old_lines) - suffix :])
        text = "".join(new_lines[prefix : len(new_lines) - suffix])
        line, column = self.pos(start)
        end_line, end_column = self.pos(end)
        return Edit(self.path, start, end, text, Pos(line, column, end_line, end_column))


def apply(text: str, edits: Iterable[Edit]) -> str:
    """`text` with `edits` (none overlapping) applied; insertions at one point keep their
    order."""
    ordered = sorted(enumerate(edits), key=lambda item: (item[1].start, item[1].end, item[0]))
    out: list[str] = []
    at = 0
    for _, edit in ordered:
        out.append(text[at : edit.start])
        out.append(edit.text)
        at = max(at, edit.end)
    out.append(text[at:])
    return "".join(out)


class Texts:
    """The texts a run's fixes edit, read once each the way the run read them (the `Reader`:
    inside the checked trees, within the limits), with what was parsed from them for editing."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self._texts: dict[Path, SourceText | None] = {}
        self._parsed: dict[tuple[Path, str], Any] = {}

    def get(self, path: Path) -> SourceText | None:
        if path not in self._texts:
            text, _ = self.reader.read_text(path)
            self._texts[path] = SourceText(path, text) if text is not None else None
        return self._texts[path]

    def parsed(self, path: Path, kind: str, parse: Callable[[SourceText], T | None]) -> T | None:
        """What `parse` makes of the file's text (once per file and kind); None when the file
        cannot be read or parsed."""
        key = (path, kind)
        if key not in self._parsed:
            source = self.get(path)
            try:
                self._parsed[key] = parse(source) if source is not None else None
            except RecursionError:
                self._parsed[key] = None
        result: T | None = self._parsed[key]
        return result
