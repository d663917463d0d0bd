"""Resolve a function's `Handler` string to the source file and callable it names.

Lambda runs on Linux, so every path component is compared case-sensitively, whatever the
file system of the machine lambdalint runs on. Node.js handlers are resolved as the runtime
interface client does (aws-lambda-nodejs-runtime-interface-client, src/UserFunction.js); a
module not in the code may come from a layer of the function, which Lambda extracts into /opt.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import BinaryIO

from lambdalint.model import UNKNOWN, CodeLocation, Function, Layer, Loc
from lambdalint.reading import Reader, Unreadable, open_regular

PY_HANDLER = re.compile(r"^(?P<module>[A-Za-z0-9_\-./]+)\.(?P<func>[A-Za-z_][A-Za-z0-9_]*)$")
NODE_EXTENSIONS = (".js", ".mjs", ".cjs")
TS_EXTENSIONS = (".ts", ".mts", ".cts")
# Node.js 24 and later load TypeScript sources themselves (type stripping): the runtime
# interface client tries .ts, .mts and .cts after the JavaScript extensions
NODE_NATIVE_TS_MAJOR = 24
# build output folders of compiled or bundled projects: their absence before a build is normal
_BUILD_DIRS = {"build", "dist", "out", "target", ".build", "bin", "lib", "publish", "package"}


class TargetStatus(str, Enum):
    OK = "ok"  # the module is there (`file` is its source when lambdalint can read it)
    SKIP = "skip"  # not looked into: an image, S3 code, a build lambdalint cannot see ...
    MALFORMED = "malformed"  # the runtime cannot use the handler string (`malformed` says why)
    MISSING_DIR = "missing-dir"  # the code folder does not exist as spelled
    MISSING_FILE = "missing-file"  # the module is not in the code (`missing` says how)
    # the module is not in the code, and a layer lambdalint cannot open may hold it
    UNVERIFIED = "unverified"


class Malformed(str, Enum):
    """Why the runtime cannot use a handler string."""

    NOT_A_STRING = "not-a-string"
    NOT_MODULE_FUNCTION = "not-module-function"  # Python: not `module.function`
    OUTSIDE_CODE = "outside-code"  # Python: an absolute path, or `..`
    NODE_DOTS = "node-dots"  # Node: any `..`, which the runtime rejects
    NODE_NOT_FILE_EXPORT = "node-not-file-export"  # Node: not `file.export`
    NODE_NO_EXPORT = "node-no-export"  # Node: nothing after a dot


class Missing(str, Enum):
    """What is not where the handler needs it."""

    MODULE = "module"  # no module file under the code folder (`looked`, `case_hint`, `deeper`)
    SINGLE_FILE = "single-file"  # the code is a single file, and not the module
    INLINE_MODULE = "inline-module"  # inline code is deployed as index.py / index.js
    ARCHIVE = "archive"  # not at the root of the zipped code (`nested`: found in a folder)
    ENTRY_POINT = "entry-point"  # an esbuild entry point that does not exist
    BUNDLE = "bundle"  # the module is none of the files esbuild bundles (`bundle`)
    CODE_FOLDER = "code-folder"  # MISSING_DIR: the code folder (`case_hint`: as spelled on disk)


@dataclass
class HandlerTarget:
    """What the handler string points at, and what was found looking for it: facts, which the
    handler checks (checks/handler.py) judge and word.

    `module` is the module's path as written (`cjs/handler`); `function` the first property
    the runtime reads from it and `member_path` the rest (Node: `handler.ns.run` → function
    `ns`, member_path `("run",)`). Paths are as lambdalint found them; the checks word them
    relative to `declared_in`, the folder of the file that declares the code.
    """

    status: TargetStatus
    language: str = ""
    handler: str = ""
    module: str = ""
    function: str = ""
    member_path: tuple[str, ...] = ()
    file: Path | None = None
    inline_source: str | None = None
    inline_loc: Loc | None = None
    zip_path: Path | None = None
    malformed: Malformed | None = None
    missing: Missing | None = None
    declared_in: Path | None = None
    # where the module was looked for: the code folder, the archive, the single file, or the
    # missing code folder (CODE_FOLDER; `declared` is its spelling in the file)
    where: Path | None = None
    declared: str | None = None
    # the files the runtime would load for the module, in its order (Node: the path as
    # written, then with each extension)
    candidates: tuple[str, ...] = ()
    looked: list[Path] = field(default_factory=list)
    # a file or folder that differs only in letter case from what was looked for
    case_hint: str | None = None
    deeper: Path | None = None  # the module, found one folder deeper
    nested: str | None = None  # the module, found in a folder of the archive
    entry_point: str | None = None  # the esbuild entry point that does not exist
    bundle: tuple[str, ...] = ()  # the modules esbuild bundles the entry points into
    # the layers of the function the module was looked for in, by name
    looked_in_layers: list[str] = field(default_factory=list)
    # the layers that could not be opened (UNVERIFIED), by name ("" when given by an expression)
    unopened_layers: list[str] = field(default_factory=list)
    # a path lambdalint did not look into, and why (a notice): a link out of the tree, an
    # archive too large or damaged to list
    notice: tuple[Path, str] | None = None


OUT_OF_TREE = "not followed: symbolic link out of the tree"


def _out_of_tree(path: Path, reader: Reader) -> HandlerTarget:
    """Whether a handler exists there cannot be told without looking outside the tree."""
    linked = reader.inside_tree(path, follow_links=False)
    why = OUT_OF_TREE if linked else "not looked at: it lies outside the checked tree"
    return HandlerTarget(TargetStatus.SKIP, notice=(path, why))


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


def exact_path(base: Path, rel: str, reader: Reader = Reader()) -> tuple[Path | None, str | None]:
    """Walk `rel` under `base` component by component. Returns (path, None) when it exists
    exactly; (None, real_spelling) when it exists only with different letter case."""
    current = base
    real_parts: list[str] = []
    case_mismatch = False
    parts = [p for p in rel.split("/") if p and p != "."]
    for i, part in enumerate(parts):
        if part == "..":
            return None, None  # never look outside the code location
        if not reader.inside_tree(current):
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


def module_candidates(module: str) -> list[str]:
    """Python: the files an import of `module` reads, in order."""
    rel = module.replace(".", "/")
    return [rel + ".py", rel + "/__init__.py"]


def node_candidates(module_path: str, extensions: tuple[str, ...]) -> list[str]:
    """The paths the Node runtime tries for a module, in its order: the path as written (a
    file, or a folder: see `folder_entry`), then each extension."""
    if not module_path:
        return [""]  # `.handler`: the module root folder itself
    return [module_path] + [module_path + ext for ext in extensions]


def resolve(fn: Function, reader: Reader = Reader()) -> HandlerTarget:
    try:
        return _resolve(fn, reader)
    except (OSError, ValueError):
        # a name no file system can hold (a component over 255 bytes, a NUL byte): nothing
        # to find, and nothing to say that would not be a guess
        return HandlerTarget(TargetStatus.SKIP)


def split_node_handler(handler: str) -> tuple[str, str, tuple[str, ...]] | Malformed:
    """(module root, module name, property path) as the Node runtime splits a handler, or
    why it rejects it. `lib/handler.ns.run` → ("lib/", "handler", ("ns", "run"))."""
    if ".." in handler:
        return Malformed.NODE_DOTS
    if not handler or any(c.isspace() for c in handler):
        return Malformed.NODE_NOT_FILE_EXPORT
    # path.basename: the last component, trailing slashes ignored; the root is what precedes
    # its first occurrence
    basename = handler.rstrip("/").rsplit("/", 1)[-1]
    root = handler[: handler.find(basename)] if basename else handler
    module, dot, rest = basename.partition(".")
    if not dot:
        return Malformed.NODE_NOT_FILE_EXPORT
    path = tuple(rest.split("."))
    if any(not part for part in path):
        return Malformed.NODE_NO_EXPORT
    return root, module, path


def _resolve(fn: Function, reader: Reader) -> HandlerTarget:
    here = fn.loc.path.parent  # messages name paths as the declaring file would
    runtime = fn.runtime.value if fn.runtime else None
    language = language_of(runtime)
    code = fn.code
    if fn.package_type == "Image" or code is None or code.kind in ("image", "s3", "jar", "unknown"):
        return HandlerTarget(TargetStatus.SKIP)
    if not language:
        return _code_folder_only(code, reader)
    if fn.handler is None or fn.handler.value is UNKNOWN:
        return HandlerTarget(TargetStatus.SKIP)
    handler = fn.handler.value
    if not isinstance(handler, str):
        return HandlerTarget(
            TargetStatus.MALFORMED, language, str(handler), malformed=Malformed.NOT_A_STRING
        )
    if any(layer_is_web_adapter(layer) for layer in fn.layers):
        return HandlerTarget(TargetStatus.SKIP)
    if code.kind == "dir" and code.path is not None and handler and (code.path / handler).is_file():
        return HandlerTarget(TargetStatus.SKIP)  # an executable wrapper script (run.sh)
    if language == "node":
        parsed = split_node_handler(handler)
        if isinstance(parsed, Malformed):
            return HandlerTarget(TargetStatus.MALFORMED, language, handler, malformed=parsed)
        root, name, path = parsed
        module = root + name
        target = HandlerTarget(TargetStatus.OK, language, handler, module, path[0], path[1:])
        if root.startswith("/"):
            return HandlerTarget(TargetStatus.SKIP)  # an absolute path: a layer's /opt
    else:
        m = PY_HANDLER.match(handler)
        if not m:
            return HandlerTarget(
                TargetStatus.MALFORMED, language, handler, malformed=Malformed.NOT_MODULE_FUNCTION
            )
        module = m.group("module")
        target = HandlerTarget(TargetStatus.OK, language, handler, module, m.group("func"))
        if module.startswith("/") or ".." in module.split("/"):
            # the runtime imports a module name, which cannot climb; and a handler string must
            # not lead lambdalint out of the code location
            target.status = TargetStatus.MALFORMED
            target.malformed = Malformed.OUTSIDE_CODE
            return target
    target.declared_in = here
    # TypeScript sources stand in for the JavaScript a build produces from them
    typescript = code.build_method == "esbuild" or (
        language == "node" and not code.built and _compiles_typescript(code.path, reader)
    )
    if language == "node":
        extensions: tuple[str, ...] = NODE_EXTENSIONS
        if typescript or _node_major(runtime) >= NODE_NATIVE_TS_MAJOR:
            extensions += TS_EXTENSIONS
        candidates = node_candidates(module.rstrip("/"), extensions)
    else:
        candidates = module_candidates(module)
    target.candidates = tuple(candidates)
    if code.kind == "inline":
        target.inline_source = code.inline_source
        target.inline_loc = code.inline_loc
        if code.inline_source is None:
            target.status = TargetStatus.SKIP
        elif module != "index":
            target.status = TargetStatus.MISSING_FILE
            target.missing = Missing.INLINE_MODULE
        return target
    if code.built and not typescript:
        return HandlerTarget(TargetStatus.SKIP)
    if code.entry_points is not None and code.build_method == "esbuild":
        return _resolve_entry_points(target, code.path, code.entry_points, reader)
    if code.kind == "zip":
        return _resolve_in_zip(fn, target, code.path, candidates, reader)
    base = code.path
    if base is None:
        return HandlerTarget(TargetStatus.SKIP)
    target.where = base
    if code.kind == "file":
        # CodeUri names a single source file: it is deployed as the root of the package
        if any(base.name == c for c in candidates):
            target.file = base
        else:
            target.status = TargetStatus.MISSING_FILE
            target.missing = Missing.SINGLE_FILE
        return target
    if not reader.inside_tree(base):
        return _out_of_tree(base, reader)
    missing = _missing_code_folder(code, here, reader)
    if missing is not None:
        return missing
    if not base.is_dir():
        return HandlerTarget(TargetStatus.SKIP)  # produced by a build step
    if language == "node":
        found, case_hint = _node_module(base, candidates, target.looked, reader)
    else:
        found, case_hint = _python_module(base, candidates, target.looked, reader)
    if found is not None and not reader.inside_tree(found):
        return _out_of_tree(found, reader)
    if found is not None:
        target.file = found if found.is_file() else None
        return target
    if case_hint is None and language == "node":
        # the runtime's last resort: require.resolve(name) from the code folder and the
        # module's folder, through their node_modules
        package = _in_node_modules(base, module, reader)
        if package is not None:
            target.file = package if package.is_file() else None
            return target
    if case_hint is None:
        in_layer = _module_in_layers(fn, runtime, language, module, target, reader)
        if in_layer is not None:
            return in_layer
    target.status = TargetStatus.MISSING_FILE
    target.missing = Missing.MODULE
    target.case_hint = case_hint
    if case_hint is None:
        target.deeper = _one_level_deeper(base, candidates, reader)
    return target


def _code_folder_only(code: CodeLocation, reader: Reader) -> HandlerTarget:
    """Java, .NET, Go, Ruby and custom runtimes: their handlers are not resolved, but their
    code folder must exist as spelled (`sam build` and the deploy fail without it)."""
    if code.kind != "dir" or code.built or code.path is None:
        return HandlerTarget(TargetStatus.SKIP)
    missing = _missing_code_folder(code, code.loc.path.parent, reader)
    return missing if missing is not None else HandlerTarget(TargetStatus.SKIP)


def _missing_code_folder(code: CodeLocation, here: Path, reader: Reader) -> HandlerTarget | None:
    """A MISSING_DIR target when the code folder does not exist as spelled; None when it does,
    or when its absence is normal (the output of a build step)."""
    base = code.path
    if base is None:
        return None

    def missing(spelled: str | None = None) -> HandlerTarget:
        return HandlerTarget(
            TargetStatus.MISSING_DIR,
            missing=Missing.CODE_FOLDER,
            declared_in=here,
            where=base,
            declared=code.declared,
            case_hint=spelled,
        )

    parent = base.parent
    if base.name in ("", ".", ".."):
        return None if base.is_dir() else missing()
    # compared by listing the parent, so that a case-insensitive file system (macOS,
    # Windows) does not hide a spelling Lambda's Linux build would not find
    listable = reader.inside_tree(parent) and parent.is_dir()
    exact, other = _exact_child(parent, base.name) if listable else (False, None)
    if exact and base.is_dir():
        return None
    if other is not None and (parent / other).is_dir():
        return missing(other)
    if base.name.lower() in _BUILD_DIRS or any(p in _BUILD_DIRS for p in base.parts[-3:]):
        return None
    if base.is_dir():
        return None  # reached through a spelling the listing does not show (a link)
    return missing()


def _node_major(runtime: object) -> int:
    m = re.match(r"nodejs(\d+)", runtime) if isinstance(runtime, str) else None
    return int(m.group(1)) if m else 0


def _python_module(
    base: Path, candidates: list[str], looked: list[Path], reader: Reader
) -> tuple[Path | None, str | None]:
    case_hint = None
    for cand in candidates:
        found, other = exact_path(base, cand, reader)
        if found is not None and found.is_file():
            return found, None
        if other is not None and case_hint is None:
            case_hint = other
        looked.append(base / cand)
    return None, case_hint


def _node_module(
    base: Path, candidates: list[str], looked: list[Path], reader: Reader
) -> tuple[Path | None, str | None]:
    """The file the Node runtime loads for the module, by its order: the path as written (a
    file, or a folder with package.json `main` or index.js), then each extension. A folder
    whose entry point lambdalint cannot tell (package.json `exports`, a `main` a build makes)
    is returned itself: the module is there, its source is not analysed."""
    case_hint = None
    folder: Path | None = None
    for i, cand in enumerate(candidates):
        found, other = exact_path(base, cand, reader)
        if found is not None and found.is_file():
            return found, None
        if i == 0 and found is not None and found.is_dir():
            folder = found
        else:
            if other is not None and case_hint is None:
                case_hint = other
            if i > 0 or len(candidates) == 1:
                looked.append(base / cand)
        # require() tries the path as a file, with .js, and only then as a folder
        if folder is not None and (i == 1 or i == len(candidates) - 1):
            entry = folder_entry(folder, reader)
            if entry is not None:
                return entry, None
            looked.append(folder / "index.js")
            folder = None
    return None, case_hint


def folder_entry(folder: Path, reader: Reader = Reader()) -> Path | None:
    """What `require(folder)` loads: package.json `main` (as a file, with .js, or as a folder
    with index.js), else index.js. The folder itself when package.json says something
    lambdalint does not follow; None when there is nothing to load."""
    pkg = _package_json(folder, reader)
    if pkg is not None:
        main = pkg.get("main")
        if isinstance(main, str) and main.strip() and not main.startswith("/") and ".." not in main:
            rel = posixpath.normpath(main.strip().replace("\\", "/"))
            for cand in (rel, rel + ".js", rel + "/index.js"):
                found, _ = exact_path(folder, cand, reader)
                if found is not None and found.is_file():
                    return found
            if not _exists_file(folder / "index.js"):
                return folder  # a `main` a build step writes (dist/index.js)
        elif main is not None:
            return folder
    found, _ = exact_path(folder, "index.js", reader)
    return found if found is not None and found.is_file() else None


def _exists_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


MAX_PACKAGE_JSON_BYTES = 1_000_000


def _package_json(folder: Path, reader: Reader) -> dict[str, object] | None:
    path = folder / "package.json"
    if not _exists_file(path):
        return None
    text, _ = reader.read_text(path, MAX_PACKAGE_JSON_BYTES)  # inside the checked tree only
    if text is None:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _in_node_modules(base: Path, module: str, reader: Reader) -> Path | None:
    """Where `require.resolve(name, {paths: [code folder, module folder]})` finds the module
    in the code: a node_modules folder of the module's folder or one above it, up to the code
    folder. A dependency in the code folder's package.json that npm has not installed yet
    counts as found (`sam build` and the Serverless packagers install it)."""
    root, _, name = module.rpartition("/")
    if not name:
        return None
    parts = [p for p in root.split("/") if p and p != "."]
    for depth in range(len(parts), -1, -1):
        folder, _ = exact_path(base, "/".join([*parts[:depth], "node_modules"]), reader)
        if folder is None or not folder.is_dir():
            continue
        for cand in (name, name + ".js"):
            found, _ = exact_path(folder, cand, reader)
            if found is not None and found.is_file():
                return found
        found, _ = exact_path(folder, name, reader)
        if found is not None and found.is_dir():
            entry = folder_entry(found, reader)
            if entry is not None:
                return entry
    pkg = _package_json(base, reader)
    for key in ("dependencies", "optionalDependencies"):
        deps = pkg.get(key) if pkg is not None else None
        if isinstance(deps, dict) and name in deps:
            return base
    return None


def _module_in_layers(
    fn: Function, runtime: object, language: str, module: str, target: HandlerTarget, reader: Reader
) -> HandlerTarget | None:
    """Look for the module where Lambda puts a layer's content: /opt/python (and its
    site-packages) on sys.path, /opt/nodejs/node_modules (and nodejs/nodeNN/node_modules) on
    NODE_PATH. The target when it is found there, or an `unverified` target when a layer that
    cannot be opened (an ARN) may hold it; None when the function's layers do not have it."""
    if not fn.layers:
        return None
    if language == "python":
        rel = module.replace(".", "/")
        version = runtime[len("python") :] if isinstance(runtime, str) else ""
        sites = [f"python/lib/python{version}/site-packages"] if version else []
        paths = [
            f"{site}/{rel}{end}" for site in ["python", *sites] for end in (".py", "/__init__.py")
        ]
    else:
        if "/" in module:
            return None  # with a folder before it, the runtime reads the code folder only
        major = _node_major(runtime)
        folders = ([f"nodejs/node{major}/node_modules"] if major else []) + ["nodejs/node_modules"]
        paths = [f"{folder}/{module}{ext}" for folder in folders for ext in ("", ".js", "/")]
    unopened: list[Layer] = []
    for layer in fn.layers:
        opened, found = _in_layer(layer, paths, language == "node", reader)
        if not opened:
            unopened.append(layer)  # an archive that cannot be read (or lies outside the tree)
            continue
        target.looked_in_layers.append(layer.name)
        if found is not None:
            target.file = found if found.is_file() else None
            target.looked.clear()
            return target
        if layer.built:
            unopened.append(layer)  # the build adds dependencies lambdalint cannot see
    if not unopened:
        return None
    target.status = TargetStatus.UNVERIFIED
    target.unopened_layers = [layer.name for layer in unopened]
    return target


def _in_layer(
    layer: Layer, paths: list[str], node: bool, reader: Reader
) -> tuple[bool, Path | None]:
    """(opened, found): whether the layer's content could be opened, and the first of `paths`
    (as deployed under /opt) in it; for a folder path ("x/"), its entry point. A zip's entries
    are not analysed: the archive itself is what is found."""
    content = layer.content
    if content is None:
        return False, None
    prefix = layer.prefix + "/" if layer.prefix else ""
    rels = [p[len(prefix) :] for p in paths if p.startswith(prefix)]
    if content.suffix.lower() == ".zip":
        names = _zip_name_set(content, reader)
        if names is None:
            return False, None
        for rel in rels:
            if rel.endswith("/"):
                if rel + "index.js" in names or rel + "package.json" in names:
                    return True, content
            elif rel in names:
                return True, content
        return True, None
    if not content.is_dir():
        return False, None
    for rel in rels:
        found, _ = exact_path(content, rel.rstrip("/"), reader)
        if found is None:
            continue
        if rel.endswith("/"):
            if found.is_dir() and node:
                entry = folder_entry(found, reader)
                if entry is not None:
                    return True, entry
        elif found.is_file():
            return True, found
    return True, None


def _one_level_deeper(base: Path, candidates: list[str], reader: Reader) -> Path | None:
    try:
        subdirs = sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return None
    for sub in subdirs[:200]:
        if not reader.inside_tree(sub):
            continue
        for cand in candidates:
            found, _ = exact_path(sub, cand, reader)
            if found is not None and reader.inside_tree(found) and found.is_file():
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


class ZipTooLarge(Exception):
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
    """The entry names of an archive, as zipfile would give them (see `zip_entries`)."""
    for name, _ in zip_entries(path):
        yield name


def zip_entries(path: Path) -> Iterator[tuple[str, int]]:
    """The entries of an archive: each name, as zipfile would give it, and its uncompressed
    size as the central directory records it. Raises ValueError for a damaged archive (one
    whose directory does not hold the entries its end record counts, mod 2**16 as some tools
    write it), ZipTooLarge past MAX_ZIP_ENTRIES entries or MAX_ZIP_DIRECTORY_BYTES."""
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
            extra_len = int.from_bytes(header[30:32], "little")
            comment_len = int.from_bytes(header[32:34], "little")
            read += 46 + name_len + extra_len
            if entries > MAX_ZIP_ENTRIES or read > MAX_ZIP_DIRECTORY_BYTES:
                raise ZipTooLarge
            raw = f.read(name_len)
            extra = f.read(extra_len)
            if len(raw) < name_len or len(extra) < extra_len:
                raise ValueError("truncated central directory")
            f.seek(comment_len, os.SEEK_CUR)
            done += 46 + name_len + extra_len + comment_len
            flags = int.from_bytes(header[8:10], "little")
            name = raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")
            name = name.split("\x00", 1)[0]  # as zipfile: a name ends at a NUL byte
            if os.sep != "/":
                name = name.replace(os.sep, "/")
            yield name, _uncompressed_size(header, extra)
        if entries % modulus != declared % modulus:
            raise ValueError("entry count differs from the end record's")


def _uncompressed_size(header: bytes, extra: bytes) -> int:
    """An entry's uncompressed size: the header's, or the ZIP64 extra field's (tag 1, whose
    first eight bytes hold it) when the header says 0xFFFFFFFF."""
    size = int.from_bytes(header[24:28], "little")
    if size != 0xFFFFFFFF:
        return size
    at = 0
    while at + 4 <= len(extra):
        tag = int.from_bytes(extra[at : at + 2], "little")
        length = int.from_bytes(extra[at + 2 : at + 4], "little")
        if tag == 1 and length >= 8:
            return int.from_bytes(extra[at + 4 : at + 12], "little")
        at += 4 + length
    return size


def _zip_name_set(path: Path, reader: Reader) -> set[str] | None:
    """Every entry name of an archive inside the tree (a layer's), or None when it is not
    listed (outside the tree, damaged, beyond the bounds)."""
    if not reader.inside_tree(path):
        return None
    try:
        return set(_zip_names(path))
    except (ZipTooLarge, ValueError, OSError, Unreadable):
        return None


def _resolve_in_zip(
    fn: Function,
    target: HandlerTarget,
    zip_path: Path | None,
    candidates: list[str],
    reader: Reader,
) -> HandlerTarget:
    if zip_path is None:
        return HandlerTarget(TargetStatus.SKIP)
    if not reader.inside_tree(zip_path):
        return _out_of_tree(zip_path, reader)
    if not zip_path.is_file():
        return HandlerTarget(TargetStatus.SKIP)  # built by a packaging step lambdalint cannot see
    node = target.language == "node"
    folder = candidates[0].rstrip("/") + "/" if node and candidates[0] else ""
    # the names are read one at a time and only the candidates' are kept: memory stays small
    wanted = set(candidates)
    if folder:
        wanted |= {folder + "index.js", folder + "package.json"}
    nested: str | None = None  # the first, in name order, of `<folder>/<candidate>`
    try:
        for name in _zip_names(zip_path):
            if name in wanted:
                target.zip_path = zip_path
                return target  # found; its source is not analysed further
            if (nested is None or name < nested) and any(
                name.endswith("/" + cand) and name.count("/") == cand.count("/") + 1
                for cand in candidates
                if cand
            ):
                nested = name
    except ZipTooLarge:
        limit = f"{MAX_ZIP_ENTRIES:,} entries or {MAX_ZIP_DIRECTORY_BYTES >> 20} MB of names"
        return HandlerTarget(
            TargetStatus.SKIP, notice=(zip_path, f"archive not listed: more than {limit}")
        )
    except (ValueError, OSError, Unreadable):
        return HandlerTarget(
            TargetStatus.SKIP, notice=(zip_path, "archive not listed: not a readable zip")
        )
    target.zip_path = zip_path
    runtime = fn.runtime.value if fn.runtime else None
    in_layer = _module_in_layers(fn, runtime, target.language, target.module, target, reader)
    if in_layer is not None:
        return in_layer
    target.status = TargetStatus.MISSING_FILE
    target.missing = Missing.ARCHIVE
    target.where = zip_path
    target.nested = nested
    return target


def _compiles_typescript(folder: Path | None, reader: Reader) -> bool:
    """A tsconfig.json in the code folder or one of its two parents: the project compiles
    TypeScript before deploying."""
    if folder is None:
        return False
    for candidate in (folder, folder.parent, folder.parent.parent):
        try:
            if (
                reader.inside_tree(candidate / "tsconfig.json")
                and (candidate / "tsconfig.json").is_file()
            ):
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
    target: HandlerTarget, base: Path | None, entry_points: list[str], reader: Reader
) -> HandlerTarget:
    """esbuild bundles each entry point into `<outdir>/<module>.js`: the handler's module must
    be one of them, and its source is the entry point."""
    if base is None or not entry_points:
        return HandlerTarget(TargetStatus.SKIP)
    if not reader.inside_tree(base):
        return _out_of_tree(base, reader)
    if not base.is_dir():
        return HandlerTarget(TargetStatus.SKIP)
    if any(e.startswith("/") or ".." in e.replace("\\", "/").split("/") for e in entry_points):
        return HandlerTarget(TargetStatus.SKIP)
    outputs = esbuild_outputs(entry_points)
    target.where = base
    for entry, module in outputs.items():
        if module != target.module:
            continue
        has_ext = posixpath.splitext(entry)[1] in _ENTRY_EXTENSIONS
        for cand in [entry] if has_ext else [entry + ".ts", entry + ".js"]:
            found, _ = exact_path(base, cand, reader)
            if found is not None and not reader.inside_tree(found):
                return _out_of_tree(found, reader)
            if found is not None and found.is_file():
                target.file = found
                return target
        target.status = TargetStatus.MISSING_FILE
        target.missing = Missing.ENTRY_POINT
        target.entry_point = entry
        return target
    target.status = TargetStatus.MISSING_FILE
    target.missing = Missing.BUNDLE
    target.bundle = tuple(outputs.values())
    return target


def layer_is_web_adapter(layer: Layer) -> bool:
    """The Lambda Web Adapter layer runs a web app behind its own bootstrap: the handler is a
    start script, not a module."""
    return "LambdaAdapterLayer" in f"{layer.ref} {layer.name}"
