"""What git ignores: the patterns of `.gitignore` files (the repository's, nested ones) and of
`.git/info/exclude`, so discovery skips a `build/` or `vendor/` the repository ignores, as git
and ruff do. Only inside a git work tree (a `.git` folder or file at or above the path); the
user's global excludes file is not read, nor any ignore file outside the checked tree (see
`Ignores`). A file git tracks (`git add -f`) is never ignored: the index says which.

The pattern language is git's (gitignore(5)): `#` comments, `!` re-includes, a trailing `/`
matches folders only, a `/` at the start or in the middle anchors the pattern to the folder of
its file, `*` and `?` do not cross `/`, `**` does, `[...]` is a class; the last matching
pattern wins, and a file in an ignored folder stays ignored.
"""

from __future__ import annotations

import bisect
import os
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

from lambdalint.reading import Reader, Unreadable, read_bounded

IGNORE_FILE = ".gitignore"


# the parts of a pattern's regex that match runs of characters: `*`, `**/` and a final `/**`
_STAR, _DIRS, _ALL = "[^/]*", "(?:.*/)?", ".*"
# more runs than this and a backtracking regex can take exponential time (`*a*a*a*a*a*b`
# against a long name, planted in a pull request): such a pattern is matched step by step
_REGEX_RUNS = 2


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern[str]
    negated: bool
    folders_only: bool
    # the pattern's parts, when matched step by step (runs as above, else one character each)
    steps: tuple[str | re.Pattern[str], ...] | None = None

    def matches(self, rel: str) -> bool:
        if self.steps is None:
            return self.regex.match(rel) is not None
        return _match_steps(self.steps, rel)


def _match_steps(steps: tuple[str | re.Pattern[str], ...], text: str) -> bool:
    """Whether `steps` match the whole of `text`, in time proportional to their product."""
    n = len(text)
    after = [False] * n + [True]  # whether the steps after this one match text[j:]
    for step in reversed(steps):
        here = [False] * (n + 1)
        if step == _STAR:
            for j in range(n, -1, -1):
                here[j] = after[j] or (j < n and text[j] != "/" and here[j + 1])
        elif step == _DIRS:
            folder = False  # text[j:] has a `/` the steps after this one match after
            for j in range(n, -1, -1):
                folder = folder or (j < n and text[j] == "/" and after[j + 1])
                here[j] = after[j] or folder
        elif step == _ALL:
            rest = False
            for j in range(n, -1, -1):
                rest = rest or after[j]
                here[j] = rest
        elif isinstance(step, re.Pattern):
            for j in range(n):
                here[j] = after[j + 1] and step.fullmatch(text[j]) is not None
        after = here
    return after[0]


# the POSIX classes git's wildmatch knows (ASCII, as in the C locale), as (first, last) ranges
_POSIX_CLASSES: dict[str, tuple[tuple[str, str], ...]] = {
    "alnum": (("a", "z"), ("A", "Z"), ("0", "9")),
    "alpha": (("a", "z"), ("A", "Z")),
    "blank": ((" ", " "), ("\t", "\t")),
    "cntrl": (("\x00", "\x1f"), ("\x7f", "\x7f")),
    "digit": (("0", "9"),),
    "graph": (("!", "~"),),
    "lower": (("a", "z"),),
    "print": ((" ", "~"),),
    "punct": (("!", "/"), (":", "@"), ("[", "`"), ("{", "~")),
    "space": ((" ", " "), ("\t", "\r")),
    "upper": (("A", "Z"),),
    "xdigit": (("0", "9"), ("A", "F"), ("a", "f")),
}

# what has a meaning inside a regex class (`&&`, `~~`, `||` and a nested `[` are reserved by
# Python's `re`, which warns about them): written escaped
_CLASS_SPECIAL = frozenset("\\]^-[&~|")


def _class_char(ch: str) -> str:
    return "\\" + ch if ch in _CLASS_SPECIAL else ch


class _Abort(Exception):
    """A pattern git's wildmatch never matches (an unclosed `[`, an unknown `[:class:]`)."""


def _class(glob: str, i: int) -> tuple[str, int]:
    """The regex of the `[...]` class starting at glob[i], and the index after it, read as
    git's wildmatch reads it: `!` or `^` first negates, a `]` first is literal, `\\` escapes
    the next character, `a-z` is a range (none when reversed), `[:alpha:]` a POSIX class; a
    class never matches `/`. Raises _Abort for a pattern git never matches."""
    n = len(glob)
    j = i + 1
    negated = j < n and glob[j] in "!^"
    if negated:
        j += 1
    ranges: list[tuple[str, str]] = []
    previous = ""  # the last single character, which a following `-` makes a range start
    first = True
    while True:
        if j >= n:
            raise _Abort
        ch = glob[j]
        if ch == "]" and not first:
            break
        first = False
        if ch == "\\":
            j += 1
            if j >= n:
                raise _Abort
            ch = glob[j]
            ranges.append((ch, ch))
            previous = ch
        elif ch == "-" and previous and j + 1 < n and glob[j + 1] != "]":
            j += 1
            last = glob[j]
            if last == "\\":
                j += 1
                if j >= n:
                    raise _Abort
                last = glob[j]
            # (the start stays a character of its own, as in git: `[a--b]` holds `a`)
            if previous <= last:
                ranges.append((previous, last))
            previous = ""
        elif ch == "[" and glob.startswith(":", j + 1):
            close = glob.find(":]", j + 2)
            if close < 0:  # no `:]`: a literal `[`
                ranges.append((ch, ch))
                previous = ch
            else:
                name = glob[j + 2 : close]
                if name not in _POSIX_CLASSES:
                    raise _Abort
                ranges.extend(_POSIX_CLASSES[name])
                previous = ""
                j = close + 1
        else:
            ranges.append((ch, ch))
            previous = ch
        j += 1
    body = "".join(
        _class_char(lo) if lo == hi else f"{_class_char(lo)}-{_class_char(hi)}" for lo, hi in ranges
    )
    if negated:
        return f"[^/{body}]", j + 1
    return (f"(?!/)[{body}]" if body else "(?!)"), j + 1


def _translate(glob: str) -> list[str]:
    """The regex of a gitignore glob (already without its `!`, anchoring `/` and trailing
    `/`), matching a whole `/`-separated relative path, in parts: runs (`_STAR`, `_DIRS`,
    `_ALL`) and regexes of one character."""
    out: list[str] = []
    i = 0
    n = len(glob)
    while i < n:
        ch = glob[i]
        if ch == "*":
            if glob.startswith("**", i):
                at_start = i == 0 or glob[i - 1] == "/"
                at_end = i + 2 == n or glob[i + 2] == "/"
                if at_start and at_end:
                    if i + 2 == n:
                        out.append(_ALL)  # `a/**`: everything inside
                        i += 2
                    else:
                        out.append(_DIRS)  # `**/` : zero or more folders
                        i += 3
                    continue
            out.append(_STAR)
            while i < n and glob[i] == "*":
                i += 1
            continue
        if ch == "?":
            out.append("[^/]")
        elif ch == "[":
            regex, i = _class(glob, i)
            out.append(regex)
            continue
        elif ch == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(glob[i]))
        else:
            out.append(re.escape(ch))
        i += 1
    return out


def parse_line(line: str) -> Pattern | None:
    """One line of a gitignore file; None for a blank line or a comment."""
    line = line.rstrip("\n").rstrip("\r")
    # trailing spaces are dropped unless escaped with a backslash
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        stripped += " "
    line = stripped
    if not line or line.startswith("#"):
        return None
    negated = line.startswith("!")
    if negated or line.startswith(("\\!", "\\#")):  # `\!` and `\#` are a literal ! and #
        line = line[1:]
    folders_only = line.endswith("/")
    line = line.rstrip("/")
    if not line:
        return None
    anchored = "/" in line
    line = line.lstrip("/")
    try:
        parts = _translate(line) if anchored else [_DIRS, *_translate(line)]
        regex = re.compile(f"^{''.join(parts)}$", re.DOTALL)
        steps = None
        if sum(part in (_STAR, _DIRS, _ALL) for part in parts) > _REGEX_RUNS:
            steps = tuple(
                part if part in (_STAR, _DIRS, _ALL) else re.compile(part, re.DOTALL)
                for part in parts
            )
    except (_Abort, re.error):
        return None
    return Pattern(regex, negated, folders_only, steps)


def parse(text: str) -> list[Pattern]:
    return [p for p in map(parse_line, text.splitlines()) if p is not None]


class Ignores:
    """What git ignores, as one run sees it: every ignore file is read through the run's
    `Reader` (inside the checked trees only, links out of them refused, within its limits), and
    only at or below the trees' roots: a `.gitignore` above them, or the `.git/info/exclude` of
    a repository whose `.git` folder lies outside them, is not read. Git ignores only what it
    does not track: the paths listed in the repository's index (`.git/index`, parsed, read
    only when something is ignored) are kept. `notices` gets the ignore files not read."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.notices: list[tuple[Path, str]] = []
        self._patterns: dict[Path, list[Pattern]] = {}
        self._indexes: dict[Path, Index | None] = {}

    def patterns(self, path: Path) -> list[Pattern]:
        """The patterns of the ignore file `path` ([] when absent or not read)."""
        known = self._patterns.get(path)
        if known is not None:
            return known
        found: list[Pattern] = []
        if os.path.lexists(path) and self.reader.inside_tree(path, follow_links=False):
            text, diag = self.reader.read_text(path)
            if text is not None:
                found = parse(text)
            elif diag is not None:
                self.notices.append((path, diag.message))
        self._patterns[path] = found
        return found

    def index(self, root: Path) -> Index | None:
        """The paths git tracks in the work tree at `root` (None: no index read)."""
        if root not in self._indexes:
            self._indexes[root] = self._read_index(root / ".git" / "index")
        return self._indexes[root]

    def _read_index(self, path: Path) -> Index | None:
        if not os.path.isfile(path) or not self.reader.inside_tree(path):
            return None
        try:
            raw = read_bounded(path, self.reader.limits.max_file_bytes)
        except (OSError, Unreadable):
            return None
        paths = parse_index(raw)
        return Index(paths) if paths is not None else None

    def rules_for(self, folder: Path) -> Rules | None:
        """The rules in force in `folder`: `.git/info/exclude` and every `.gitignore` from the
        work tree's root (or the checked tree's, below it) down to `folder` itself. None
        outside a work tree."""
        folder = _absolute(folder)
        root = work_tree(folder)
        if root is None:
            return None
        rules = Rules(self, root)
        exclude = root / ".git" / "info" / "exclude"
        if os.path.isdir(root / ".git") and self.reader.inside_tree(root / ".git"):
            patterns = self.patterns(exclude)
            if patterns:
                rules.layers.append((root, patterns))
        chain = [folder, *folder.parents]
        for current in reversed(chain[: chain.index(root) + 1]):
            if self.reader.inside_tree(current):
                rules = rules.below(current)
        return rules

    def ignored_path(self, path: Path) -> bool:
        """Whether git ignores `path` or one of the folders above it (inside its work tree),
        and does not track it."""
        absolute = _absolute(path)
        root = work_tree(absolute)
        if root is None or absolute == root:
            return False
        rules = self.rules_for(root) or Rules(self, root)
        parts = absolute.relative_to(root).parts
        current = root
        for i, part in enumerate(parts):
            current = current / part
            is_dir = i < len(parts) - 1 or current.is_dir()
            if rules.ignored(current, is_dir):
                return not rules.tracked(absolute, absolute.is_dir())
            if is_dir and self.reader.inside_tree(current):
                rules = rules.below(current)
        return False


@dataclass
class Rules:
    """The patterns that apply below one folder: (folder, patterns) from the repository root
    down, each folder's patterns matched against paths relative to it."""

    ignores: Ignores
    root: Path  # the work tree's
    layers: list[tuple[Path, list[Pattern]]] = field(default_factory=list)
    # inside a folder git ignores: only what git tracks is kept
    only_tracked: bool = False

    def ignored(self, path: Path, is_dir: bool) -> bool:
        if self.only_tracked:
            return True
        verdict = False
        for base, patterns in self.layers:
            try:
                rel = os.path.relpath(path, base)
            except ValueError:
                continue
            if rel.startswith(".."):
                continue
            rel = rel.replace(os.sep, "/")
            for pattern in patterns:
                if pattern.folders_only and not is_dir:
                    continue
                if pattern.matches(rel):
                    verdict = not pattern.negated
        return verdict

    def tracked(self, path: Path, is_dir: bool) -> bool:
        """Whether git tracks the file `path` (a folder: a file below it)."""
        index = self.ignores.index(self.root)
        if index is None:
            return False
        try:
            rel = os.path.relpath(path, self.root).replace(os.sep, "/")
        except ValueError:
            return False
        if rel.startswith(".."):
            return False
        return index.holds(rel) if is_dir else index.tracks(rel)

    def below(self, folder: Path) -> Rules:
        """These rules and the `.gitignore` of `folder` (entered while walking)."""
        if self.only_tracked:
            return self
        patterns = self.ignores.patterns(folder / IGNORE_FILE)
        if not patterns:
            return self
        return Rules(self.ignores, self.root, [*self.layers, (folder, patterns)])

    def inside_ignored(self) -> Rules:
        """The rules inside a folder git ignores but holds tracked files in."""
        return Rules(self.ignores, self.root, self.layers, only_tracked=True)


def _absolute(path: Path) -> Path:
    # not resolved: the walk's paths keep the spelling they were given, links included
    return Path(os.path.abspath(path))


def work_tree(path: Path) -> Path | None:
    """The root of the git work tree `path` is in (the nearest folder holding `.git`). Only
    looked at, never read, above the checked tree."""
    current = _absolute(path)
    if not current.is_dir():
        current = current.parent
    for folder in (current, *current.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return None


# ---------------------------------------------------------------------------- the git index


class Index:
    """The paths of a git index (`/`-separated, relative to the work tree), sorted: a sparse
    index lists a folder it does not expand as `folder/`, everything below it tracked."""

    def __init__(self, paths: list[str]) -> None:
        self.paths = sorted(set(paths))
        self._files = frozenset(self.paths)

    def tracks(self, rel: str) -> bool:
        return rel in self._files or self._sparse_above(rel)

    def holds(self, rel: str) -> bool:
        """Whether a tracked path lies below the folder `rel`."""
        prefix = rel.rstrip("/") + "/"
        at = bisect.bisect_left(self.paths, prefix)
        return (at < len(self.paths) and self.paths[at].startswith(prefix)) or self._sparse_above(
            rel
        )

    def _sparse_above(self, rel: str) -> bool:
        parts = rel.split("/")
        return any("/".join(parts[:i]) + "/" in self._files for i in range(1, len(parts)))


_ENTRY_FIXED = 40  # ctime, mtime (seconds, nanoseconds), dev, ino, mode, uid, gid, size
_EXTENDED = 0x4000
_NAME_MASK = 0xFFF


def parse_index(data: bytes) -> list[str] | None:
    """The paths of a git index file (versions 2 to 4, SHA-1 or SHA-256 object names), or
    None when `data` is not one. Only parsed: git is never run."""
    if len(data) < 12 or data[:4] != b"DIRC":
        return None
    version, count = struct.unpack_from(">II", data, 4)
    if version not in (2, 3, 4) or count > len(data) // (_ENTRY_FIXED + 22):
        return None
    for hash_size in (20, 32):
        paths = _index_entries(data, version, count, hash_size)
        if paths is not None:
            return paths
    return None


def _index_entries(data: bytes, version: int, count: int, hash_size: int) -> list[str] | None:
    n = len(data)
    pos = 12
    previous = b""
    paths: list[str] = []
    for _ in range(count):
        start = pos
        flags_at = pos + _ENTRY_FIXED + hash_size
        if flags_at + 2 > n:
            return None
        (flags,) = struct.unpack_from(">H", data, flags_at)
        pos = flags_at + 2
        if flags & _EXTENDED:
            if version < 3:
                return None
            pos += 2
        if version == 4:
            strip, pos = _varint(data, pos)
            if strip < 0 or strip > len(previous):
                return None
            end = data.find(b"\0", pos)
            if end < 0:
                return None
            name = previous[: len(previous) - strip] + data[pos:end]
            pos = end + 1
        else:
            end = data.find(b"\0", pos)
            if end < 0:
                return None
            name = data[pos:end]
            pos = start + ((end - start + 8) & ~7)  # 1 to 8 NULs pad the entry to 8 bytes
            if pos > n:
                return None
        length = flags & _NAME_MASK
        if (length != _NAME_MASK and length != len(name)) or not name:
            return None
        previous = name
        paths.append(os.fsdecode(name))
    return paths


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """Git's offset encoding (index version 4); -1 when it runs off the end."""
    if pos >= len(data):
        return -1, pos
    byte = data[pos]
    pos += 1
    value = byte & 0x7F
    while byte & 0x80:
        if pos >= len(data) or value > 1 << 32:
            return -1, pos
        byte = data[pos]
        pos += 1
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, pos
