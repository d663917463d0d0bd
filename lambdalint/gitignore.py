"""What git ignores: the patterns of `.gitignore` files (the repository's, nested ones) and of
`.git/info/exclude`, so discovery skips a `build/` or `vendor/` the repository ignores, as git
and ruff do. Only inside a git work tree (a `.git` folder or file at or above the path); the
user's global excludes file is not read.

The pattern language is git's (gitignore(5)): `#` comments, `!` re-includes, a trailing `/`
matches folders only, a `/` at the start or in the middle anchors the pattern to the folder of
its file, `*` and `?` do not cross `/`, `**` does, `[...]` is a class; the last matching
pattern wins, and a file in an ignored folder stays ignored.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from lambdalint.reading import Unreadable, read_settings

IGNORE_FILE = ".gitignore"


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern[str]
    negated: bool
    folders_only: bool


def _class(glob: str, i: int) -> tuple[str, int]:
    """The regex of the `[...]` class starting at glob[i], and the index after it."""
    j = i + 1
    if j < len(glob) and glob[j] in "!^":
        j += 1
    if j < len(glob) and glob[j] == "]":
        j += 1
    while j < len(glob) and glob[j] != "]":
        j += 1
    if j >= len(glob):
        return re.escape("["), i + 1
    body = glob[i + 1 : j]
    negate = body[:1] in ("!", "^")
    if negate:
        body = body[1:]
    body = body.replace("\\", "\\\\")
    return (f"[^/{body}]" if negate else f"[{body}]"), j + 1


def _translate(glob: str) -> str:
    """The regex of a gitignore glob (already without its `!`, anchoring `/` and trailing
    `/`), matching a whole `/`-separated relative path."""
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
                        out.append(".*")  # `a/**`: everything inside
                        i += 2
                    else:
                        out.append("(?:.*/)?")  # `**/` : zero or more folders
                        i += 3
                    continue
            out.append("[^/]*")
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
    return "".join(out)


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
    body = _translate(line)
    regex = f"^{body}$" if anchored else f"^(?:.*/)?{body}$"
    try:
        return Pattern(re.compile(regex, re.DOTALL), negated, folders_only)
    except re.error:
        return None


def parse(text: str) -> list[Pattern]:
    return [p for p in map(parse_line, text.splitlines()) if p is not None]


@dataclass
class Rules:
    """The patterns that apply below one folder: (folder, patterns) from the repository root
    down, each folder's patterns matched against paths relative to it."""

    layers: list[tuple[Path, list[Pattern]]] = field(default_factory=list)

    def ignored(self, path: Path, is_dir: bool) -> bool:
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
                if pattern.regex.match(rel):
                    verdict = not pattern.negated
        return verdict

    def below(self, folder: Path) -> Rules:
        """These rules and the `.gitignore` of `folder` (entered while walking)."""
        patterns = _read(folder / IGNORE_FILE)
        if not patterns:
            return self
        return Rules([*self.layers, (folder, patterns)])


def _read(path: Path) -> list[Pattern]:
    try:
        if not path.is_file():
            return []
        return parse(read_settings(path))
    except (OSError, Unreadable):
        return []


def _absolute(path: Path) -> Path:
    # not resolved: the walk's paths keep the spelling they were given, links included
    return Path(os.path.abspath(path))


def work_tree(path: Path) -> Path | None:
    """The root of the git work tree `path` is in (the nearest folder holding `.git`)."""
    current = _absolute(path)
    if not current.is_dir():
        current = current.parent
    for folder in (current, *current.parents):
        if (folder / ".git").exists():
            return folder
    return None


def rules_for(folder: Path) -> Rules | None:
    """The rules in force in `folder`: `.git/info/exclude` and every `.gitignore` from the
    work tree's root down to `folder` itself. None outside a work tree."""
    folder = _absolute(folder)
    root = work_tree(folder)
    if root is None:
        return None
    rules = Rules()
    exclude = _read(root / ".git" / "info" / "exclude")
    if exclude:
        rules.layers.append((root, exclude))
    chain = [folder, *folder.parents]
    for current in reversed(chain[: chain.index(root) + 1]):
        rules = rules.below(current)
    return rules


def ignored_path(path: Path) -> bool:
    """Whether git ignores `path` or one of the folders above it (inside its work tree)."""
    absolute = _absolute(path)
    root = work_tree(absolute)
    if root is None or absolute == root:
        return False
    rules = Rules()
    exclude = _read(root / ".git" / "info" / "exclude")
    if exclude:
        rules.layers.append((root, exclude))
    rules = rules.below(root)
    parts = absolute.relative_to(root).parts
    current = root
    for i, part in enumerate(parts):
        current = current / part
        is_dir = i < len(parts) - 1 or current.is_dir()
        if rules.ignored(current, is_dir):
            return True
        if is_dir:
            rules = rules.below(current)
    return False
