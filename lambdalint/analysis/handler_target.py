"""Resolve a function's `Handler` string to the source file and callable it names.

Lambda runs on Linux, so every path component is compared case-sensitively, whatever the
file system of the machine lambdalint runs on.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lambdalint.loaders.document import Unreadable, inside_tree, open_regular
from lambdalint.model import UNKNOWN, Function, Loc

PY_HANDLER = re.compile(r"^(?P<module>[A-Za-z0-9_\-./]+)\.(?P<func>[A-Za-z_][A-Za-z0-9_]*)$")
NODE_HANDLER = re.compile(r"^(?P<module>[A-Za-z0-9_\-./@]+)\.(?P<func>[A-Za-z_$][A-Za-z0-9_$]*)$")
NODE_EXTENSIONS = (".js", ".mjs", ".cjs")
TS_EXTENSIONS = (".ts", ".mts", ".cts")
# build output folders of compiled or bundled projects: their absence before a build is normal
_BUILD_DIRS = {"build", "dist", "out", "target", ".build", "bin", "lib", "publish", "package"}


@dataclass
class HandlerTarget:
    """What the handler string points at.

    status: ok | skip | malformed | missing-dir | missing-file
    """

    status: str
    language: str = ""
    handler: str = ""
    module: str = ""
    function: str = ""
    file: Path | None = None
    inline_source: str | None = None
    inline_loc: Loc | None = None
    zip_path: Path | None = None
    message: str = ""
    looked: list[str] = field(default_factory=list)
    # a path lambdalint did not look into, and why (a notice): a link out of the tree, an
    # archive too large or damaged to list
    notice: tuple[Path, str] | None = None


OUT_OF_TREE = "not followed: symbolic link out of the tree"


def _out_of_tree(path: Path) -> HandlerTarget:
    """Whether a handler exists there cannot be told without looking outside the tree."""
    linked = inside_tree(path, follow_links=False)
    why = OUT_OF_TREE if linked else "not looked at: it lies outside the checked tree"
    return HandlerTarget("skip", notice=(path, why))


def language_of(runtime: object) -> str:
    if not isinstance(runtime, str):
        return ""
    if runtime.startswith("python"):
        return "python"
    if runtime.startswith("nodejs"):
        return "node"
    return ""


def _exact_child(folder: Path, name: str) -> tuple[bool, str | None]:
    """Whether `folder/name` exists with exactly that spelling; else a case-insensitive match."""
    try:
        entries = os.listdir(folder)
    except OSError:
        return False, None
    if name in entries:
        return True, None
    lower = name.lower()
    for entry in entries:
        if entry.lower() == lower:
            return False, entry
    return False, None


def exact_path(base: Path, rel: str) -> tuple[Path | None, str | None]:
    """Walk `rel` under `base` component by component. Returns (path, None) when it exists
    exactly; (None, real_spelling) when it exists only with different letter case."""
    current = base
    real_parts: list[str] = []
    case_mismatch = False
    parts = [p for p in rel.split("/") if p and p != "."]
    for i, part in enumerate(parts):
        if part == "..":
            return None, None  # never look outside the code location
        if not inside_tree(current):
            # a folder linked out of the tree is not listed: the rest of the path is returned
            # unchecked, and the caller sees it lies outside the tree
            return current.joinpath(*parts[i:]), None
        ok, other = _exact_child(current, part)
        if ok:
            real_parts.append(part)
            current = current / part
        elif other is not None:
            case_mismatch = True
            real_parts.append(other)
            current = current / other
        else:
            return None, None
    if case_mismatch:
        return None, "/".join(real_parts)
    return current, None


def module_candidates(language: str, module: str, typescript: bool) -> list[str]:
    if language == "python":
        rel = module.replace(".", "/")
        return [rel + ".py", rel + "/__init__.py"]
    exts = NODE_EXTENSIONS + (TS_EXTENSIONS if typescript else ())
    return [module + ext for ext in exts]


def _rel(path: Path) -> str:
    try:
        return os.path.relpath(path).replace(os.sep, "/")
    except ValueError:
        return str(path)


def resolve(fn: Function) -> HandlerTarget:
    try:
        return _resolve(fn)
    except (OSError, ValueError):
        # a name no file system can hold (a component over 255 bytes, a NUL byte): nothing
        # to find, and nothing to say that would not be a guess
        return HandlerTarget("skip")


def _resolve(fn: Function) -> HandlerTarget:
    runtime = fn.runtime.value if fn.runtime else None
    language = language_of(runtime)
    code = fn.code
    if fn.package_type == "Image" or code is None or code.kind in ("image", "s3", "jar", "unknown"):
        return HandlerTarget("skip")
    if not language or fn.handler is None or fn.handler.value is UNKNOWN:
        return HandlerTarget("skip")
    handler = fn.handler.value
    if not isinstance(handler, str):
        return HandlerTarget("malformed", language, str(handler), message="handler is not a string")
    if any(layer_is_web_adapter(layer) for layer in fn.layers):
        return HandlerTarget("skip")
    pattern = PY_HANDLER if language == "python" else NODE_HANDLER
    if code.kind == "dir" and code.path is not None and handler and (code.path / handler).is_file():
        return HandlerTarget("skip")  # an executable wrapper script (run.sh)
    m = pattern.match(handler)
    if not m:
        expected = "module.function" if language == "python" else "file.export"
        return HandlerTarget(
            "malformed", language, handler, message=f"handler '{handler}' is not '{expected}'"
        )
    module, func = m.group("module"), m.group("func")
    target = HandlerTarget("ok", language, handler, module, func)
    if module.startswith("/") or ".." in module.split("/"):
        # never looked up: a handler string must not lead lambdalint out of the code location
        if language == "python":  # the runtime imports a module name, which cannot climb
            target.status = "malformed"
            target.message = f"handler '{handler}' points outside the code location"
        else:
            target.status = "skip"
        return target
    # TypeScript sources stand in for the JavaScript a build produces from them
    typescript = code.build_method == "esbuild" or (
        language == "node" and not code.built and _compiles_typescript(code.path)
    )
    candidates = module_candidates(language, module, typescript)
    if code.kind == "inline":
        target.inline_source = code.inline_source
        target.inline_loc = code.inline_loc
        if code.inline_source is None:
            target.status = "skip"
        elif module != "index":
            ext = "py" if language == "python" else "js"
            target.status = "missing-file"
            target.message = (
                f"handler '{handler}' names module '{module}', but inline code is deployed "
                f"as index.{ext}: use 'index.{func}'"
            )
        return target
    if code.built and not typescript:
        return HandlerTarget("skip")
    if code.entry_points is not None and code.build_method == "esbuild":
        return _resolve_entry_points(target, code.path, code.entry_points)
    if code.kind == "zip":
        return _resolve_in_zip(target, code.path, candidates)
    base = code.path
    if base is None:
        return HandlerTarget("skip")
    if not inside_tree(base):
        return _out_of_tree(base)
    if code.kind == "file":
        # CodeUri names a single source file: it is deployed as the root of the package
        stem_ok = any(base.name == c for c in candidates)
        if stem_ok:
            target.file = base
        else:
            target.status = "missing-file"
            target.message = (
                f"handler '{handler}' needs {' or '.join(candidates[:2])}, but the code is the "
                f"single file {_rel(base)}"
            )
        return target
    if not base.is_dir():
        parent = base.parent
        listable = inside_tree(parent) and parent.is_dir()
        real_dir, other = exact_path(parent, base.name) if listable else (None, None)
        if other is not None:
            target.status = "missing-dir"
            target.message = (
                f"code folder '{code.declared}' does not exist; the folder is spelled "
                f"'{other}' (Lambda runs on Linux, where paths are case-sensitive)"
            )
            return target
        if base.name.lower() in _BUILD_DIRS or any(p in _BUILD_DIRS for p in base.parts[-3:]):
            return HandlerTarget("skip")  # produced by a build step
        target.status = "missing-dir"
        target.message = f"code folder '{code.declared}' does not exist ({_rel(base)})"
        return target
    case_hint = None
    for cand in candidates:
        found, other = exact_path(base, cand)
        if found is not None and not inside_tree(found):
            return _out_of_tree(found)
        if found is not None and found.is_file():
            target.file = found
            return target
        if other is not None and case_hint is None:
            case_hint = other
        target.looked.append(_rel(base / cand))
    target.status = "missing-file"
    looked = ", ".join(target.looked[:4])
    msg = f"handler '{handler}': no {_describe(candidates)} under {_rel(base)}/ (looked for {looked})"
    if case_hint is not None:
        msg += f"; found '{case_hint}', which differs in letter case (Lambda is case-sensitive)"
    else:
        deeper = _one_level_deeper(base, candidates)
        if deeper is not None:
            msg += (
                f"; it exists one folder deeper, at {_rel(deeper)}: point the code location "
                f"at that folder (or zip its contents, not the folder)"
            )
    target.message = msg
    return target


def _describe(candidates: list[str]) -> str:
    return "file " + " or ".join(candidates[:2]) if len(candidates) <= 2 else "file " + candidates[0].rsplit(".", 1)[0] + ".{" + ",".join(c.rsplit(".", 1)[1] for c in candidates) + "}"


def _one_level_deeper(base: Path, candidates: list[str]) -> Path | None:
    try:
        subdirs = sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return None
    for sub in subdirs[:200]:
        if not inside_tree(sub):
            continue
        for cand in candidates:
            found, _ = exact_path(sub, cand)
            if found is not None and inside_tree(found) and found.is_file():
                return found
    return None


# An archive's central directory is read entry by entry, never whole: its end record's
# count and size are the archive's own claims (one entry declared, 500,000 present, took 7.7 s
# and 254 MB through zipfile). Lambda's limit of 250 MB unzipped leaves no room for more
# entries than this; past either bound, whether the handler is there is not told.
MAX_ZIP_ENTRIES = 100_000
MAX_ZIP_DIRECTORY_BYTES = 32 * 1024 * 1024
_END = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_END = b"PK\x06\x06"
_ENTRY = b"PK\x01\x02"


class _ZipTooLarge(Exception):
    pass


def _central_directory(f: BinaryIO) -> tuple[int, int, int, int]:
    """Where the central directory starts, its size, the entry count it declares and the
    modulus of that count, from the end record (ZIP64 too).
    It ends where the end record (or the ZIP64 one) starts, so data prepended to the archive
    (a self-extracting stub) is allowed for, as zipfile does. ValueError if not a zip."""
    size = f.seek(0, os.SEEK_END)
    start = max(0, size - 65_557)  # the end record and the longest archive comment
    f.seek(start)
    tail = f.read()
    end = tail.rfind(_END)
    if end < 0 or len(tail) - end < 22:
        raise ValueError("no end record")
    directory_size = int.from_bytes(tail[end + 12 : end + 16], "little")
    declared, modulus = int.from_bytes(tail[end + 10 : end + 12], "little"), 1 << 16
    directory_end = start + end
    if end >= 20 and tail[end - 20 : end - 16] == _ZIP64_LOCATOR:
        record_at = int.from_bytes(tail[end - 12 : end - 4], "little")
        f.seek(record_at)
        record = f.read(56)
        if len(record) == 56 and record[:4] == _ZIP64_END:
            directory_size = int.from_bytes(record[40:48], "little")
            declared, modulus = int.from_bytes(record[32:40], "little"), 1 << 64
            directory_end = record_at
    begin = directory_end - directory_size
    if begin < 0 or directory_size < 0:
        raise ValueError("bad central directory")
    return begin, directory_size, declared, modulus


def _zip_names(path: Path) -> Iterator[str]:
    """The entry names of an archive, as zipfile would give them. Raises ValueError for a
    damaged archive (one whose directory does not hold the entries its end record counts,
    mod 2**16 as some tools write it), _ZipTooLarge past MAX_ZIP_ENTRIES entries or
    MAX_ZIP_DIRECTORY_BYTES."""
    with open_regular(path) as f:
        begin, size, declared, modulus = _central_directory(f)
        f.seek(begin)
        done = read = entries = 0
        while done < size:
            header = f.read(46)
            if len(header) < 46 or header[:4] != _ENTRY:
                raise ValueError("bad central directory entry")
            entries += 1
            name_len = int.from_bytes(header[28:30], "little")
            rest = name_len + int.from_bytes(header[30:32], "little")
            rest += int.from_bytes(header[32:34], "little")
            read += 46 + name_len
            if entries > MAX_ZIP_ENTRIES or read > MAX_ZIP_DIRECTORY_BYTES:
                raise _ZipTooLarge
            raw = f.read(name_len)
            if len(raw) < name_len:
                raise ValueError("truncated central directory")
            f.seek(rest - name_len, os.SEEK_CUR)
            done += 46 + rest
            flags = int.from_bytes(header[8:10], "little")
            name = raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")
            name = name.split("\x00", 1)[0]  # as zipfile: a name ends at a NUL byte
            if os.sep != "/":
                name = name.replace(os.sep, "/")
            yield name
        if entries % modulus != declared % modulus:
            raise ValueError("entry count differs from the end record's")


def _resolve_in_zip(
    target: HandlerTarget, zip_path: Path | None, candidates: list[str]
) -> HandlerTarget:
    if zip_path is None:
        return HandlerTarget("skip")
    if not inside_tree(zip_path):
        return _out_of_tree(zip_path)
    if not zip_path.is_file():
        return HandlerTarget("skip")  # built by a packaging step lambdalint cannot see
    # the names are read one at a time and only the candidates' are kept: memory stays small
    wanted = set(candidates)
    nested: str | None = None  # the first, in name order, of `<folder>/<candidate>`
    try:
        for name in _zip_names(zip_path):
            if name in wanted:
                target.zip_path = zip_path
                return target  # found; its source is not analysed further
            if (nested is None or name < nested) and any(
                name.endswith("/" + cand) and name.count("/") == cand.count("/") + 1
                for cand in candidates
            ):
                nested = name
    except _ZipTooLarge:
        limit = f"{MAX_ZIP_ENTRIES:,} entries or {MAX_ZIP_DIRECTORY_BYTES >> 20} MB of names"
        return HandlerTarget("skip", notice=(zip_path, f"archive not listed: more than {limit}"))
    except (ValueError, OSError, Unreadable):
        return HandlerTarget("skip", notice=(zip_path, "archive not listed: not a readable zip"))
    target.zip_path = zip_path
    target.status = "missing-file"
    wanted_names = " or ".join(candidates[:2])
    msg = f"handler '{target.handler}': {_rel(zip_path)} has no {wanted_names} at its root"
    if nested is not None:
        msg += f"; found {nested}: the archive contains the folder, zip its contents instead"
    target.message = msg
    return target


def _compiles_typescript(folder: Path | None) -> bool:
    """A tsconfig.json in the code folder or one of its two parents: the project compiles
    TypeScript before deploying."""
    if folder is None:
        return False
    for candidate in (folder, folder.parent, folder.parent.parent):
        try:
            if inside_tree(candidate / "tsconfig.json") and (candidate / "tsconfig.json").is_file():
                return True
        except OSError:
            return False
    return False


_ENTRY_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")


def esbuild_outputs(entry_points: list[str]) -> dict[str, str]:
    """The module each entry point becomes in the bundle (its path without extension, relative
    to esbuild's `--outdir`). SAM passes no `--outbase`, so esbuild uses the lowest common
    folder of all entry points: one entry `src/handlers/app.ts` becomes `app`."""
    stems: dict[str, str] = {}
    for entry in entry_points:
        norm = posixpath.normpath(entry.replace("\\", "/"))
        stem, ext = posixpath.splitext(norm)
        stems[entry] = stem if ext in _ENTRY_EXTENSIONS else norm
    base = posixpath.commonpath([posixpath.dirname(s) for s in stems.values()])
    return {e: posixpath.relpath(s, base) if base else s for e, s in stems.items()}


def _resolve_entry_points(
    target: HandlerTarget, base: Path | None, entry_points: list[str]
) -> HandlerTarget:
    """esbuild bundles each entry point into `<outdir>/<module>.js`: the handler's module must
    be one of them, and its source is the entry point."""
    if base is None or not entry_points:
        return HandlerTarget("skip")
    if not inside_tree(base):
        return _out_of_tree(base)
    if not base.is_dir():
        return HandlerTarget("skip")
    if any(e.startswith("/") or ".." in e.replace("\\", "/").split("/") for e in entry_points):
        return HandlerTarget("skip")
    outputs = esbuild_outputs(entry_points)
    for entry, module in outputs.items():
        if module != target.module:
            continue
        has_ext = posixpath.splitext(entry)[1] in _ENTRY_EXTENSIONS
        for cand in [entry] if has_ext else [entry + ".ts", entry + ".js"]:
            found, _ = exact_path(base, cand)
            if found is not None and not inside_tree(found):
                return _out_of_tree(found)
            if found is not None and found.is_file():
                target.file = found
                return target
        target.status = "missing-file"
        target.message = (
            f"handler '{target.handler}': esbuild entry point '{entry}' does not exist under "
            f"{_rel(base)}/"
        )
        return target
    built = ", ".join(f"{m}.js" for m in outputs.values())
    first = next(iter(outputs.values()))
    target.status = "missing-file"
    target.message = (
        f"handler '{target.handler}' names module '{target.module}', but esbuild bundles the "
        f"EntryPoints into {built}: use '{first}.{target.function}'"
    )
    return target


def layer_is_web_adapter(layer: object) -> bool:
    return "LambdaAdapterLayer" in str(layer)
