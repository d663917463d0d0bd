"""How lambdalint reads a file it did not write: only inside the trees being checked (symbolic
links followed to see where they lead), bounded in size, never blocking on a FIFO or a device,
decoded as text or explained in one line. Every file a run reads goes through its `Reader` (or
`read_settings` for the files that configure the run).

The position-keeping parsers are positions.py, yaml_reader.py and json_reader.py.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lambdalint.model import Diagnostic, Loc, Pos

MAX_DEPTH = 512
# CloudFormation accepts templates of at most 1 MB (about 500,000 values): room to spare, and
# the worst 5 MB file stays near 4 seconds and 170 MB
MAX_NODES = 1_000_000
MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """Resource bounds for reading and parsing one untrusted file (`max-file-size`,
    `max-depth`, `max-nodes`). Every bound is structural, so the same file gives the same
    result on a fast laptop and a loaded CI runner."""

    max_file_bytes: int = MAX_FILE_BYTES
    max_depth: int = MAX_DEPTH
    # values a document may expand to, aliases counted at their expanded size
    max_nodes: int = MAX_NODES


DEFAULT_LIMITS = ReadLimits()


# what a load took from a file when not all of it matters: a function of the file's text (None
# when it cannot be read), at module level (a load in a worker process sends it back)
Digest = Callable[[str | None], Hashable]


@dataclass
class Reads:
    """The real paths of the files read (and folders listed) while a recording was open, and
    the files only part of which mattered: (real path, digest) → the digest of the text read."""

    paths: set[str] = field(default_factory=set)
    parts: dict[tuple[str, Digest], Hashable] = field(default_factory=dict)

    def add(self, other: Reads) -> None:
        self.paths |= other.paths
        self.parts.update(other.parts)


def listed(path: str, paths: set[str] | frozenset[str]) -> bool:
    """Whether the file `path` (a real path) is one a listing noted in `paths` took in."""
    folder, name = os.path.split(path)
    name = name.lower()
    return any(f"{folder}{os.sep}*{name[i:]}" in paths for i, c in enumerate(name) if c == ".")


class ReadLog:
    """The files a piece of work asked a `Reader` for, kept while a recording is open (the
    language server's loads: a config file is loaded again when a file its load read changes).
    Reads are noted by real path, whether or not the file could be read; a folder listed for
    the files of some suffixes as `folder/*suffix` (see `listed`). Recordings nest: a read is
    noted in every open one, up to a `hidden` block's start (what is read there is noted by the
    recordings opened inside it only)."""

    def __init__(self) -> None:
        self._open: list[Reads | None] = []  # None: where a hidden block starts

    @contextmanager
    def recording(self) -> Iterator[Reads]:
        """What is noted until the block ends."""
        noted = Reads()
        self._open.append(noted)
        try:
            yield noted
        finally:
            # by identity (two recordings noting the same paths are equal)
            self._open = [r for r in self._open if r is not noted]

    @contextmanager
    def hidden(self) -> Iterator[None]:
        """Reads the recordings open now do not note (a caller notes a part of them instead)."""
        self._open.append(None)
        try:
            yield
        finally:
            at = len(self._open) - 1 - self._open[::-1].index(None)
            del self._open[at]

    def _recordings(self) -> Iterator[Reads]:
        for noted in reversed(self._open):
            if noted is None:
                return
            yield noted

    def note(self, *paths: Path | str) -> None:
        if not self._open:
            return
        for path in paths:
            try:
                real = os.path.realpath(path)
            except (OSError, ValueError):
                continue
            for noted in self._recordings():
                noted.paths.add(real)

    def note_listing(self, folder: Path | str, suffixes: tuple[str, ...]) -> None:
        """The files of `folder` whose names end with one of `suffixes` were listed (a file
        added there would have been read)."""
        if not self._open:
            return
        base = os.path.realpath(folder)
        for noted in self._recordings():
            noted.paths.update(f"{base}{os.sep}*{suffix}" for suffix in suffixes)

    def note_part(self, path: Path | str, digest: Digest, value: Hashable) -> None:
        """Only `value`, the digest of the file's text, mattered: a change that keeps it the
        same changes nothing."""
        if not self._open:
            return
        key = (os.path.realpath(path), digest)
        for noted in self._recordings():
            noted.parts[key] = value

    def note_all(self, reads: Reads) -> None:
        """Note again what was noted before (what a kept result was found from)."""
        for noted in self._recordings():
            noted.add(reads)


@dataclass(frozen=True)
class Reader:
    """How a run reads files: within `limits`, and only inside `roots`, the trees being checked
    (real paths): no file outside them is read, whatever a template, a symbolic link or a
    Terraform file() names. No roots: the working directory."""

    limits: ReadLimits = DEFAULT_LIMITS
    roots: tuple[str, ...] = ()
    # texts that stand for files (by real path), read instead of the disk: what `--fix` made of
    # them in an earlier round, the text read from standard input (`--stdin-filename`), an
    # editor's unsaved buffers. They come from lambdalint's caller, not from the tree.
    overlay: Mapping[str, str] | None = field(default=None, compare=False, hash=False)
    # what was read while a recording is open (see ReadLog)
    log: ReadLog = field(default_factory=ReadLog, compare=False, hash=False, repr=False)

    @classmethod
    def for_paths(
        cls, limits: ReadLimits, paths: list[Path], overlay: Mapping[str, str] | None = None
    ) -> Reader:
        """The reader of a run over `paths` (see `tree_roots`)."""
        return cls(limits, tree_roots(paths), overlay or None)

    def _overlaid(self, path: Path | str) -> str | None:
        if not self.overlay:
            return None
        try:
            return self.overlay.get(os.path.realpath(path))
        except (OSError, ValueError):
            return None

    def tree_roots(self) -> list[Path]:
        return [Path(r) for r in self.roots] or [Path.cwd().resolve()]

    def inside_tree(self, path: Path | str, follow_links: bool = True) -> bool:
        """Whether `path`, all symbolic links followed, lies inside a tree this run checks
        (with `follow_links=False`: whether its name does)."""
        try:
            real = os.path.realpath(path) if follow_links else os.path.abspath(path)
        except (OSError, ValueError):
            return False
        roots = self.roots or (os.path.realpath(os.getcwd()),)
        return any(_within(real, root) for root in roots)

    def read_text(
        self, path: Path, max_bytes: int | None = None
    ) -> tuple[str | None, Diagnostic | None]:
        """Read a text file of the checked tree, or explain why not (outside the tree, size,
        binary, encoding, permissions, not a regular file)."""
        limit = self.limits.max_file_bytes if max_bytes is None else max_bytes
        self.log.note(path)
        overlaid = self._overlaid(path)
        if overlaid is not None:
            return overlaid, None
        if not self.inside_tree(path):
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

    def read_lines(self, path: Path) -> list[str]:
        """The lines of a file of the checked tree (for suppression comments and baseline
        fingerprints); [] when it cannot be read as text. Same limits as `read_text`."""
        self.log.note(path)
        overlaid = self._overlaid(path)
        if overlaid is not None:
            return overlaid.splitlines()
        if not self.inside_tree(path):
            return []
        try:
            raw = read_bounded(path, self.limits.max_file_bytes)
        except (OSError, Unreadable):
            return []
        text, _ = decode(raw, path)
        return (text if text is not None else raw.decode("utf-8", "replace")).splitlines()


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


def read_settings(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    """The text of a file that configures the run (configuration, rule or baseline file),
    read with the limits of project files: a regular file of at most `max-file-size` bytes,
    as text. It may lie outside the checked tree (a configuration is found by walking up).
    Raises Unreadable with a one-line reason ("Permission denied", "not a regular file ...")."""
    try:
        raw = read_bounded(path, limits.max_file_bytes)
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
