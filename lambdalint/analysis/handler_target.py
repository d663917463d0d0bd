"""Resolve a function's `Handler` string to the source file and callable it names.

Lambda runs on Linux, so every path component is compared case-sensitively, whatever the
file system of the machine lambdalint runs on.
"""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

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
    for part in [p for p in rel.split("/") if p and p != "."]:
        if part == "..":
            return None, None  # never look outside the code location
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


def _rel(path: Path, here: Path) -> str:
    """`path` as the file that declares the function would write it: relative to that file's
    folder (`here`), `/`-separated. Never relative to the working directory, so a message (and
    a baseline fingerprint made from it) is the same wherever lambdalint runs from."""
    try:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(here))
    except ValueError:  # another drive
        return str(path)
    return rel.replace(os.sep, "/")


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
    here = fn.loc.path.parent
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
        return _resolve_entry_points(target, code.path, code.entry_points, here)
    if code.kind == "zip":
        return _resolve_in_zip(target, code.path, candidates, here)
    base = code.path
    if base is None:
        return HandlerTarget("skip")
    if code.kind == "file":
        # CodeUri names a single source file: it is deployed as the root of the package
        stem_ok = any(base.name == c for c in candidates)
        if stem_ok:
            target.file = base
        else:
            target.status = "missing-file"
            target.message = (
                f"handler '{handler}' needs {' or '.join(candidates[:2])}, but the code is the "
                f"single file {_rel(base, here)}"
            )
        return target
    if not base.is_dir():
        parent = base.parent
        real_dir, other = exact_path(parent, base.name) if parent.is_dir() else (None, None)
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
        target.message = f"code folder '{code.declared}' does not exist ({_rel(base, here)})"
        return target
    case_hint = None
    for cand in candidates:
        found, other = exact_path(base, cand)
        if found is not None and found.is_file():
            target.file = found
            return target
        if other is not None and case_hint is None:
            case_hint = other
        target.looked.append(_rel(base / cand, here))
    target.status = "missing-file"
    looked = ", ".join(target.looked[:4])
    msg = f"handler '{handler}': no {_describe(candidates)} under {_rel(base, here)}/ (looked for {looked})"
    if case_hint is not None:
        msg += f"; found '{case_hint}', which differs in letter case (Lambda is case-sensitive)"
    else:
        deeper = _one_level_deeper(base, candidates)
        if deeper is not None:
            msg += (
                f"; it exists one folder deeper, at {_rel(deeper, here)}: point the code location "
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
        for cand in candidates:
            found, _ = exact_path(sub, cand)
            if found is not None and found.is_file():
                return found
    return None


# Opening an archive reads its whole directory: a 20 MB zip of 200,000 empty entries took
# 130 MB. Lambda's own limits (250 MB unzipped) leave no room for more entries than this.
MAX_ZIP_ENTRIES = 100_000
MAX_ZIP_BYTES = 256 * 1024 * 1024


def _zip_within_bounds(path: Path) -> bool:
    """The entry count from the archive's end record, read before zipfile reads them all."""
    with open(path, "rb") as f:
        size = f.seek(0, os.SEEK_END)
        if size > MAX_ZIP_BYTES:
            return False
        start = max(0, size - 65_557)  # the end record and the longest archive comment
        f.seek(start)
        tail = f.read()
        end = tail.rfind(b"PK\x05\x06")
        if end < 0 or len(tail) - end < 22:
            return True  # not a zip archive: zipfile says so
        entries = int.from_bytes(tail[end + 10 : end + 12], "little")
        if entries == 0xFFFF and end >= 20 and tail[end - 20 : end - 16] == b"PK\x06\x07":
            # ZIP64: the locator before the end record gives where the real count is
            f.seek(int.from_bytes(tail[end - 12 : end - 4], "little"))
            record = f.read(56)
            if record[:4] == b"PK\x06\x06" and len(record) == 56:
                entries = int.from_bytes(record[32:40], "little")
    return entries <= MAX_ZIP_ENTRIES


def _resolve_in_zip(
    target: HandlerTarget, zip_path: Path | None, candidates: list[str], here: Path
) -> HandlerTarget:
    if zip_path is None or not zip_path.is_file():
        return HandlerTarget("skip")  # built by a packaging step lambdalint cannot see
    try:
        if not _zip_within_bounds(zip_path):
            return HandlerTarget("skip")
        with zipfile.ZipFile(zip_path) as zf:
            names = set(zf.namelist()[:MAX_ZIP_ENTRIES])
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return HandlerTarget("skip")
    target.zip_path = zip_path
    for cand in candidates:
        if cand in names:
            return target  # found; its source is not analysed further
    target.status = "missing-file"
    msg = f"handler '{target.handler}': {_rel(zip_path, here)} has no {' or '.join(candidates[:2])} at its root"
    for name in sorted(names):
        if any(name.endswith("/" + cand) and name.count("/") == cand.count("/") + 1 for cand in candidates):
            msg += f"; found {name}: the archive contains the folder, zip its contents instead"
            break
    target.message = msg
    return target


def _compiles_typescript(folder: Path | None) -> bool:
    """A tsconfig.json in the code folder or one of its two parents: the project compiles
    TypeScript before deploying."""
    if folder is None:
        return False
    for candidate in (folder, folder.parent, folder.parent.parent):
        try:
            if (candidate / "tsconfig.json").is_file():
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
    target: HandlerTarget, base: Path | None, entry_points: list[str], here: Path
) -> HandlerTarget:
    """esbuild bundles each entry point into `<outdir>/<module>.js`: the handler's module must
    be one of them, and its source is the entry point."""
    if base is None or not entry_points or not base.is_dir():
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
            if found is not None and found.is_file():
                target.file = found
                return target
        target.status = "missing-file"
        target.message = (
            f"handler '{target.handler}': esbuild entry point '{entry}' does not exist under "
            f"{_rel(base, here)}/"
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
