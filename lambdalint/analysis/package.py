"""How large a function's deployment package is, as far as the files in the tree tell: a
committed zip (its entries' uncompressed sizes, read from the central directory, never
extracted), a code folder or file, and the layers lambdalint can open.

What a build adds (installed dependencies, bundles) is not seen, so the sizes are lower bounds
(`complete` says whether anything was left out). Folders that packaging tools rebuild or leave
out (`node_modules`, virtualenvs, `.git`, build caches) are not counted: what is counted is
what the repository itself ships.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lambdalint.analysis.target import ZipTooLarge, zip_entries
from lambdalint.model import Function
from lambdalint.reading import Reader, Unreadable

# folders not counted in a code folder: installed or rebuilt by the packaging step, or never
# packaged
SKIPPED_FOLDERS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        ".tox",
        "__pycache__",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".aws-sam",
        ".serverless",
        ".terraform",
        "cdk.out",
    }
)
# a walk of a folder stops after this many entries: its size is then a lower bound
MAX_ENTRIES = 200_000


@dataclass(frozen=True)
class PackageSize:
    """Bytes of the function's code and of its layers once extracted; `zipped` is the size of
    the code's archive when it is a committed zip. `complete` is False when something that
    adds to the package could not be measured (a layer that cannot be opened, a walk cut
    short)."""

    code: int
    layers: int
    complete: bool
    zipped: int | None = None

    @property
    def unzipped(self) -> int:
        return self.code + self.layers


def measure(
    fn: Function,
    reader: Reader,
    stop_at: int | None = None,
    sizes: Callable[[Path, Callable[[], Measured | None]], Measured | None] | None = None,
) -> PackageSize | None:
    """The size of the function's package, or None when its code cannot be measured (not in
    the tree, not there, a damaged archive). `stop_at`: stop counting a folder once past that
    many bytes (its size is then a lower bound). `sizes(path, measure)` may keep what a path
    measured for the next function that shares it."""
    code = fn.code
    if code is None or code.path is None or code.kind not in ("zip", "file", "dir"):
        return None
    kind, path = code.kind, code.path

    def of_code() -> Measured | None:
        return _measure(path, kind, reader, stop_at)

    measured = sizes(path, of_code) if sizes is not None else of_code()
    if measured is None:
        return None
    complete = measured.complete
    layers = 0
    for layer in fn.layers:
        content = layer.content
        if content is None or layer.built:
            complete = False
            continue
        layer_kind = "zip" if content.suffix.lower() == ".zip" else "dir"

        def of_layer(path: Path = content, how: str = layer_kind) -> Measured | None:
            return _measure(path, how, reader, stop_at)

        size = sizes(content, of_layer) if sizes is not None else of_layer()
        if size is None:
            complete = False
            continue
        layers += size.unzipped
        complete = complete and size.complete
    return PackageSize(measured.unzipped, layers, complete, measured.zipped)


@dataclass(frozen=True)
class Measured:
    """What one zip, file or folder holds once extracted (`zipped`: a zip's own size)."""

    unzipped: int
    complete: bool
    zipped: int | None = None


def _measure(path: Path, kind: str, reader: Reader, stop_at: int | None) -> Measured | None:
    if not reader.inside_tree(path):
        return None
    if kind == "zip":
        unzipped = _zip_size(path, reader)
        return None if unzipped is None else Measured(unzipped, True, _file_size(path))
    if kind == "file":
        size = _file_size(path)
        return None if size is None else Measured(size, True)
    walked = _folder_size(path, reader, stop_at)
    return None if walked is None else Measured(walked[0], walked[1])


def _file_size(path: Path) -> int | None:
    try:
        return path.stat().st_size if path.is_file() else None
    except (OSError, ValueError):
        return None


def _zip_size(path: Path, reader: Reader) -> int | None:
    if not reader.inside_tree(path) or _file_size(path) is None:
        return None
    try:
        return sum(size for _, size in zip_entries(path))
    except (ZipTooLarge, ValueError, OSError, Unreadable):
        return None


def _folder_size(path: Path, reader: Reader, stop_at: int | None) -> tuple[int, bool] | None:
    """The bytes of the regular files under a folder (links inside the tree followed once,
    SKIPPED_FOLDERS left out), and whether every entry was counted."""
    try:
        if not path.is_dir():
            return None
    except (OSError, ValueError):
        return None
    total = 0
    seen = 0
    stack = [str(path)]
    visited: set[tuple[int, int]] = set()
    while stack:
        folder = stack.pop()
        try:
            st = os.stat(folder)
            if (st.st_dev, st.st_ino) in visited:
                continue  # a link back into the walk
            visited.add((st.st_dev, st.st_ino))
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > MAX_ENTRIES or (stop_at is not None and total > stop_at):
                return total, False
            try:
                if entry.is_dir():
                    if entry.name not in SKIPPED_FOLDERS and reader.inside_tree(entry.path):
                        stack.append(entry.path)
                elif entry.is_file() and reader.inside_tree(entry.path):
                    total += entry.stat().st_size
            except OSError:
                continue
    return total, True
