"""Files lambdalint writes: a report (`check -o`), a baseline, the cache's shards, and the
project files `check --fix` changes (`replace_file`).

Each is written whole or not at all: to a new temporary file in the same folder, then renamed
over the target, so a reader sees the old file or the new one, never half of one. The folder may
come from a stranger's pull request, so a symbolic link at the target is replaced by the file,
never written through (a link planted as `report.sarif -> ~/.bashrc` must not redirect the
write), and the temporary file is created only where nothing is yet (`O_EXCL`, `O_NOFOLLOW`). An
existing file keeps its permissions. A stream named as the target (the terminal, a pipe,
/dev/null, /dev/stdout) is written to directly: there is no file to replace.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path

_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def write_text(path: Path, text: str, mode: int = 0o666, streams: bool = True) -> None:
    """Write `text` (UTF-8) to `path` atomically. `mode` is for a new file (the umask applies);
    an existing file keeps its own. With `streams`, a stream at `path` is written to (see
    `_write_stream`); without, it is replaced like a file. Raises OSError when the folder
    cannot take the file."""
    if streams and _is_stream(path):
        _write_stream(path, text)
        return
    try:
        kept = os.lstat(path)
    except OSError:
        kept = None
    if kept is not None and stat.S_ISREG(kept.st_mode):
        mode = stat.S_IMODE(kept.st_mode)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    create(tmp, text, mode)
    try:
        if kept is not None and stat.S_ISREG(kept.st_mode):
            os.chmod(tmp, mode)  # the umask narrowed it at creation
        os.replace(tmp, path)  # replaces a link at `path` itself, never what it points to
    except BaseException:
        _remove(tmp)
        raise


def create(path: Path, text: str | bytes, mode: int = 0o644) -> None:
    """Create `path` and write `text` (UTF-8, or bytes as they are), failing if anything, a
    link included, is there already; a file created but not filled (a full disk) is removed
    again."""
    fd = os.open(path, _NEW, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8") if isinstance(text, str) else text)
    except BaseException:
        _remove(path)
        raise


class ChangedOnDisk(Exception):
    """The file no longer holds what lambdalint read from it (edited meanwhile)."""


def replace_file(path: Path, data: bytes, expected: bytes) -> None:
    """Replace the content of an existing regular file with `data`, atomically (a temporary file
    in the same folder, renamed over it), keeping its permissions. A symbolic link, or anything
    but a regular file, is refused (OSError), never written through; a file that no longer
    holds `expected` is left alone (ChangedOnDisk)."""
    kept = os.lstat(path)
    if not stat.S_ISREG(kept.st_mode):
        raise OSError(f"not a regular file: {path}")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise OSError(f"not a regular file: {path}")
        current = f.read(len(expected) + 1)
    if current != expected:
        raise ChangedOnDisk(str(path))
    mode = stat.S_IMODE(kept.st_mode)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    create(tmp, data, mode)
    try:
        os.chmod(tmp, mode)  # the umask narrowed it at creation
        os.replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise


def _write_stream(path: Path, text: str) -> None:
    """Write to a terminal, a device or a pipe. A pipe is opened without waiting: one with no
    reader (a FIFO planted in a repository) is an error, not a run that hangs. A regular file
    here is this process's own standard output or error, as a shell redirected it."""
    if stat.S_ISREG(os.stat(path).st_mode):
        with open(path, "w", encoding="utf-8") as regular:
            regular.write(text)
        return
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on POSIX
            pass
        else:
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        f = os.fdopen(fd, "w", encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise
    with f:
        f.write(text)


def _is_stream(path: Path) -> bool:
    """Whether `path` (links followed) is a terminal, a pipe, a character device, or this
    process's own standard output or error: something written to, not replaced."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return False
    if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        return True
    for stream in (sys.stdout, sys.stderr):
        try:
            own = os.fstat(stream.fileno())
        except (OSError, ValueError, AttributeError):
            continue
        if (own.st_dev, own.st_ino) == (st.st_dev, st.st_ino) and stat.S_ISREG(st.st_mode):
            return True
    return False


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
