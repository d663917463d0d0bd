"""LL109 import-not-packaged: a module the handler imports that nothing ships.

An import is shipped when it is in the standard library of the runtime's Python version, a
Node.js built-in, provided by the runtime (the AWS SDKs), a module of the code folder (or a
`node_modules` package in it), listed in a dependency manifest of the code folder or a folder
above it up to the file that declares the function, or in a layer of the function. Whatever
cannot be told keeps the rule silent: a module that may come as a dependency of a listed
package (unless a lock file names every installed package), a build lambdalint cannot see,
a manifest it cannot read, a layer it cannot open (a notice says so), `sys.path` changes,
`require(name)`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lambdalint.analysis import manifests
from lambdalint.analysis.facts import HandlerSource, ModuleImport
from lambdalint.analysis.target import TargetStatus, _zip_name_set
from lambdalint.aws import packages
from lambdalint.checks.code import _analysed
from lambdalint.engine.context import CheckContext, path_from
from lambdalint.findings import Finding
from lambdalint.model import Function, Layer

# modules CloudFormation adds to inline (`ZipFile`) code only
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-lambda-function-code-cfnresponsemodule.html
INLINE_PYTHON = frozenset({"cfnresponse"})
INLINE_NODE = frozenset({"cfn-response"})
# a distribution name around the module it installs (`python-jose` → jose, `opensearch-py`)
_AFFIXES = re.compile(r"^(python-|py-|django-)|(-python|-py|-sdk|-client|-binary|-headless|-lib)$")
_NODE_MAJOR = re.compile(r"nodejs(\d+)")
# first words of distribution names that many unrelated distributions share
_VENDOR_WORDS = frozenset(
    {"aws", "amazon", "azure", "google", "py", "python", "django", "flask", "types", "mypy"}
)


@dataclass
class _Shipped:
    """What a function's package is known to hold, beyond the runtime."""

    main: set[str] = field(default_factory=set)  # distributions / packages listed
    dev: set[str] = field(default_factory=set)
    manifests: list[Path] = field(default_factory=list)
    complete: bool = True


def import_not_packaged(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    src = _analysed(fn, ctx)
    if src is None or src.dynamic_imports:
        return
    target = ctx.handler_target(fn)
    code = fn.code
    runtime = fn.runtime.value if fn.runtime is not None else None
    if code is None or target.status is not TargetStatus.OK or not isinstance(runtime, str):
        return
    if src.language == "python":
        yield from _python(fn, ctx, src, runtime)
    elif src.language == "node":
        yield from _node(fn, ctx, src, runtime)


def _checked(src: HandlerSource) -> list[ModuleImport]:
    """The imports that must resolve when Lambda loads the module: absolute, not optional."""
    seen: set[str] = set()
    out = []
    for imported in src.imports:
        if imported.local or imported.optional or not imported.name:
            continue
        if imported.name in seen:
            continue
        seen.add(imported.name)
        out.append(imported)
    return out


def _folders(fn: Function, ctx: CheckContext, src: HandlerSource) -> tuple[Path, list[Path]]:
    """The code root, and the folders whose local modules and manifests count: the handler
    file's folder and every folder above it up to the one that holds both the code and the
    file that declares the function (a shared requirements.txt, a workspace root)."""
    code = fn.code
    assert code is not None
    if code.kind == "inline" or code.path is None:
        return fn.loc.path.parent, []
    root = Path(os.path.abspath(code.path if code.kind == "dir" else code.path.parent))
    top = Path(os.path.abspath(fn.loc.path.parent))
    try:
        stop = Path(os.path.commonpath([root, top]))
    except ValueError:
        stop = root
    folders: list[Path] = []
    here = Path(os.path.abspath(src.path.parent))
    for _ in range(64):
        if ctx.reader.inside_tree(here):
            folders.append(here)
        if here == stop or here.parent == here:
            break
        here = here.parent
    return root, folders


def _listing(ctx: CheckContext, folder: Path) -> frozenset[str]:
    def make() -> frozenset[str]:
        try:
            return frozenset(os.listdir(folder))
        except OSError:
            return frozenset()

    return ctx.cached("listing", folder, make)


# ---------------------------------------------------------------------------- Python


def _python(fn: Function, ctx: CheckContext, src: HandlerSource, runtime: str) -> Iterator[Finding]:
    version = runtime[len("python") :] if runtime.startswith("python") else ""
    stdlib = packages.python_stdlib(version)
    if stdlib is None:
        return  # a runtime lambdalint has no table for
    code = fn.code
    assert code is not None
    inline = code.kind == "inline"
    root, folders = _folders(fn, ctx, src)
    single_file = code.kind == "file"
    shipped: _Shipped | None = None
    for imported in _checked(src):
        top = imported.name.split(".", 1)[0]
        if top in stdlib or top == "__future__" or top in packages.PYTHON_RUNTIME_MODULES:
            continue
        if top == packages.PYTHON_DURABLE_SDK and _version(version) >= packages.PYTHON_DURABLE_FROM:
            continue
        if top == "distutils":
            continue  # setuptools' copy stands in for it where the standard library has none
        if inline and top in INLINE_PYTHON:
            continue
        local_folders = [] if inline or single_file else folders
        if any(_python_module_in(ctx, folder, top) for folder in local_folders):
            continue
        if shipped is None:
            shipped = _python_shipped(ctx, [] if inline else folders)
        if any(_provides(dist, top) for dist in shipped.main):
            continue
        layer = _python_layers(fn, ctx, top, version)
        if layer is not False:
            if layer is None:
                _cannot_verify(fn, ctx, imported.name)
            continue
        if not shipped.complete:
            continue
        dev = sorted(dist for dist in shipped.dev if _provides(dist, top))
        if dev and not code.production_dependencies_only:
            continue
        if not dev and not packages.in_any_stdlib(top) and _unaccounted(src, shipped.main):
            continue
        brings = any(packages.may_bring(dist, top) for dist in shipped.main)
        if brings and _python_dependency(ctx, folders, shipped, src, top, bool(dev)):
            continue
        yield Finding(
            _python_message(fn, ctx, imported.name, version, stdlib, shipped, dev, inline, root),
            ctx.source_loc(src, imported.pos),
        )


def _python_message(
    fn: Function,
    ctx: CheckContext,
    name: str,
    version: str,
    stdlib: frozenset[str],
    shipped: _Shipped,
    dev: list[str],
    inline: bool,
    root: Path,
) -> str:
    top = name.split(".", 1)[0]
    head = f"'{name}' is imported but nothing ships it: Lambda fails every invocation with "
    head += f"Runtime.ImportModuleError (No module named '{top}')"
    if packages.in_any_stdlib(top):
        newer = [v for v in packages.python_versions() if top in (packages.python_stdlib(v) or ())]
        when = "no longer" if _version(newer[-1]) < _version(version) else "not yet"
        return (
            f"{head}: '{top}' is {when} in the standard library of Python {version} (it is in "
            f"{newer[0]}–{newer[-1]}); install a replacement or change the runtime"
        )
    if inline:
        return f"{head}: inline code (ZipFile/InlineCode) ships no dependencies; use a code folder"
    if dev:
        listed = ", ".join(dev)
        return f"{head}: {listed} is listed for development only, which the build does not install"
    where = ", ".join(path_from(p, fn.loc.path.parent) for p in shipped.manifests[:3])
    if where:
        return f"{head}: no dependency in {where} provides it; add the package that does"
    folder = path_from(root, fn.loc.path.parent)
    return (
        f"{head}: there is no requirements.txt (or pyproject.toml, Pipfile) in {folder} and no "
        "layer provides it; list the package in requirements.txt"
    )


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".") if p.isdigit())


def _python_module_in(ctx: CheckContext, folder: Path, name: str) -> bool:
    entries = _listing(ctx, folder)
    if name in entries or f"{name}.py" in entries or f"{name}.pyc" in entries:
        return True
    return any(e.startswith(name + ".") and e.endswith((".so", ".pyd")) for e in entries)


def _python_shipped(ctx: CheckContext, folders: list[Path]) -> _Shipped:
    out = _Shipped()
    for folder in folders:
        found = _python_manifest(ctx, folder)
        out.main |= found.main
        out.dev |= found.dev
        out.manifests += found.files
        out.complete = out.complete and found.complete
    return out


def _provides(distribution: str, module: str) -> bool:
    """Whether a listed distribution may install `module`: what the table says of a known
    distribution, or its name, give or take `python-`, `-py`, `-sdk` ..., or a namespace it
    names (`google-cloud-storage` → google)."""
    known = packages.distribution_modules(distribution)
    if known is not None and module in known:
        return True  # else by name too: another version may install more (`mysqlx`)
    norm = packages.normalize(distribution)
    wanted = module.lower()
    flat = norm.replace("-", "_")
    if wanted in (flat, norm.replace("-", "")):
        return True
    bare = _AFFIXES.sub("", norm)
    if wanted in (bare.replace("-", "_"), bare.replace("-", "")):
        return True
    if norm.startswith(wanted + "-") or norm.startswith(wanted.replace("_", "-") + "-"):
        return True  # a namespace: google-cloud-storage, azure-identity, jaraco-text
    if len(wanted) >= 4 and (wanted in flat or flat in wanted):
        return True
    # the same leading words (`aurora-dsql-python-connector` → aurora_dsql_psycopg2,
    # `mysql-connector-python` → mysql): one word unless it is a vendor's prefix (`aws-`)
    words, module_words = norm.split("-"), wanted.split("_")
    shared = 0
    for a, b in zip(words, module_words, strict=False):
        if a != b:
            break
        shared += 1
    return shared >= 2 or (shared == 1 and len(words[0]) >= 3 and words[0] not in _VENDOR_WORDS)


def _unaccounted(src: HandlerSource, distributions: set[str]) -> bool:
    """Whether a listed distribution may install modules that cannot be told from its name:
    one the table does not know that provides none of the modules the file imports (it may
    be the one that installs a module under another name, as `Pillow` does `PIL`)."""
    tops = {i.name.split(".", 1)[0] for i in src.imports if i.name and not i.local}
    return any(
        packages.distribution_modules(dist) is None
        and packages.normalize(dist) not in packages.PYTHON_DEPENDENCY_MODULES
        and packages.normalize(dist).replace("-", "_") not in packages.PYTHON_RUNTIME_MODULES
        and not any(_provides(dist, t) for t in tops)
        for dist in distributions
    )


def _python_dependency(
    ctx: CheckContext,
    folders: list[Path],
    shipped: _Shipped,
    src: HandlerSource,
    top: str,
    dev: bool,
) -> bool:
    """Whether a dependency of a listed distribution may install the module: pip installs
    what each distribution depends on too (`pandas` brings numpy). Only a lock file that names
    every package the install puts in place (and every listed one: it is not stale) tells;
    for a module listed for development only, one that tells the production install apart."""
    lock = _lock(ctx, folders, "python")
    if lock is None or not all(packages.normalize(d) in lock.installed for d in shipped.main):
        return True
    names = lock.installed
    if dev:
        if lock.production is None:
            return True
        names = lock.production
    if any(_provides(dist, top) for dist in names):
        return True
    return not packages.in_any_stdlib(top) and _unaccounted(src, names)


def _lock(ctx: CheckContext, folders: list[Path], language: str) -> manifests.LockFile | None:
    """The lock file of the nearest folder that has one."""
    for folder in folders:

        def read(folder: Path = folder) -> manifests.LockFile | None:
            if language == "python":
                return manifests.python_lock(folder, ctx.reader)
            return manifests.node_lock(folder, ctx.reader)

        found: manifests.LockFile | None = ctx.cached(f"{language}-lock", folder, read)
        if found is not None:
            return found
    return None


def _python_layers(fn: Function, ctx: CheckContext, module: str, version: str) -> bool | None:
    """True when a layer of the function holds the module, None when one may (it cannot be
    opened, or a build adds to it), False when none does."""
    maybe = False
    for layer in fn.layers:
        if packages.public_layer_provides(layer.ref, module) or packages.public_layer_provides(
            layer.name, module
        ):
            return True
        rels = [
            f"python/{module}",
            f"python/{module}.py",
            f"python/lib/python{version}/site-packages/{module}",
            f"python/lib/python{version}/site-packages/{module}.py",
        ]
        held = _layer_holds(ctx, layer, rels)
        if held is True:
            return True
        listed = _layer_manifest(ctx, layer, "python")
        if listed and any(_provides(dist, module) for dist in listed):
            return True  # the layer's folder lists it: what its build or README installs there
        if listed and any(packages.may_bring(dist, module) for dist in listed):
            lock = _layer_lock(ctx, layer, "python")
            if lock is None or not all(packages.normalize(d) in lock.installed for d in listed):
                return True  # a dependency of what it lists may be the module
            if any(_provides(dist, module) for dist in lock.installed):
                return True
        if held is None and listed is None:
            maybe = True
    return None if maybe else False


def _layer_holds(ctx: CheckContext, layer: Layer, rels: list[str]) -> bool | None:
    """Whether the layer's content has one of `rels` (paths under /opt): True, False, or None
    when it cannot be told (not opened; a build adds files)."""
    content = layer.content
    if content is None:
        return None
    prefix = layer.prefix + "/" if layer.prefix else ""
    paths = [r[len(prefix) :] for r in rels if r.startswith(prefix)]
    if content.suffix.lower() == ".zip":
        names = ctx.cached("zip-names", content, lambda: _zip_name_set(content, ctx.reader))
        if names is None:
            return None
        found = any(p in names or any(n.startswith(p + "/") for n in names) for p in paths)
        return True if found else (None if layer.built else False)
    for rel in paths:
        if (content / rel).exists() and ctx.reader.inside_tree(content / rel):
            return True
    return None if layer.built else False


def _layer_manifest(ctx: CheckContext, layer: Layer, language: str) -> set[str] | None:
    """What a layer folder's own manifest lists (at its root, or in `python/` or `nodejs/`):
    the packages a build, or the step its README gives, installs into it; None when it has
    none that can be read."""
    content = layer.content
    if content is None or content.suffix.lower() == ".zip":
        return None
    if language == "python":
        for folder in (content, content / "python"):
            found = _python_manifest(ctx, folder)
            if found.files and found.complete:
                return set(found.main)
        return None
    for folder in (content, content / "nodejs"):
        node = _node_manifest(ctx, folder)
        if node is not None and node.complete:
            return set(node.main)
    return None


def _layer_lock(ctx: CheckContext, layer: Layer, language: str) -> manifests.LockFile | None:
    """The lock file of a layer folder, next to the manifest `_layer_manifest` reads."""
    content = layer.content
    if content is None or content.suffix.lower() == ".zip":
        return None
    sub = "python" if language == "python" else "nodejs"
    return _lock(ctx, [content, content / sub], language)


def _python_manifest(ctx: CheckContext, folder: Path) -> manifests.PythonManifest:
    def read() -> manifests.PythonManifest:
        return manifests.python_manifest(folder, ctx.reader)

    return ctx.cached("python-manifest", folder, read)


def _node_manifest(ctx: CheckContext, folder: Path) -> manifests.NodeManifest | None:
    def read() -> manifests.NodeManifest | None:
        return manifests.node_manifest(folder, ctx.reader)

    return ctx.cached("node-manifest", folder, read)


def _cannot_verify(fn: Function, ctx: CheckContext, name: str) -> None:
    layers = ", ".join(layer.name or "a layer" for layer in fn.layers if layer.content is None)
    ctx.notice(
        "LL109",
        fn.loc,
        f"cannot verify that '{name}' (imported by {fn.name}) is packaged: "
        f"a layer lambdalint cannot open may provide it ({layers or 'built layers'})",
    )


# ---------------------------------------------------------------------------- Node


def _package_name(spec: str) -> str | None:
    """The package a bare specifier names (`lodash/fp` → lodash, `@a/b/c` → @a/b); None for a
    relative path, a URL or a package import (`#x`)."""
    if spec.startswith((".", "/", "#")) or ":" in spec.split("/", 1)[0]:
        return None
    parts = spec.split("/")
    if spec.startswith("@"):
        return "/".join(parts[:2]) if len(parts) >= 2 else None
    return parts[0]


def _node(fn: Function, ctx: CheckContext, src: HandlerSource, runtime: str) -> Iterator[Finding]:
    match = _NODE_MAJOR.match(runtime)
    major = int(match.group(1)) if match else None
    code = fn.code
    assert code is not None
    inline = code.kind == "inline"
    bundled = code.build_method == "esbuild"
    typescript = src.path.suffix.lower() in (".ts", ".mts", ".cts", ".tsx")
    root, folders = _folders(fn, ctx, src)
    shipped: _Shipped | None = None
    for imported in _checked(src):
        spec = imported.name
        if spec.startswith("node:"):
            continue
        package = _package_name(spec)
        if package is None or package in packages.NODE_BUILTINS:
            continue
        v2 = package == packages.NODE_SDK_V2
        if major is None or major >= packages.NODE_SDK_V3_FROM_MAJOR:
            if package.startswith(packages.NODE_SDK_V3_SCOPES):
                continue
            if package in packages.NODE_SDK_V3_DEPENDENCIES:
                continue
            if (
                package == packages.NODE_DURABLE_SDK
                and (major or 0) >= packages.NODE_DURABLE_FROM_MAJOR
            ):
                continue
            if major is None and v2:
                continue
        elif v2 or package in packages.NODE_SDK_V2_DEPENDENCIES:
            continue
        if inline and package in INLINE_NODE:
            continue
        if not inline and any(package in _node_modules(ctx, folder) for folder in folders):
            continue
        if shipped is None:
            shipped = _node_shipped(ctx, [] if inline else folders)
        if package in shipped.main or (typescript and _types_only(package, shipped)):
            continue
        in_dev = package in shipped.dev
        if in_dev and (bundled or not code.production_dependencies_only):
            continue
        layer = _node_layers(fn, ctx, package, major)
        if layer is not False:
            if layer is None:
                _cannot_verify(fn, ctx, spec)
            continue
        if not shipped.complete or (not inline and _aliased(ctx, folders, spec)):
            continue
        if _node_dependency(ctx, folders, shipped, package, in_dev, v2):
            continue
        yield Finding(
            _node_message(fn, spec, package, runtime, v2, in_dev, inline, shipped, root),
            ctx.source_loc(src, imported.pos),
        )


_JSON_COMMENT = re.compile(r'("(?:[^"\\]|\\.)*")|//[^\n]*|/\*.*?\*/', re.DOTALL)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def _aliased(ctx: CheckContext, folders: list[Path], spec: str) -> bool:
    """Whether a `tsconfig.json` / `jsconfig.json` of the code's folders may map `spec` to
    the code's own files, as a bundler or the compiler resolves it: a `paths` pattern it
    matches, a file or folder under `baseUrl`; or a config that cannot be read in full (an
    `extends`, a syntax lambdalint does not parse)."""
    for folder in folders:
        for name in ("tsconfig.json", "jsconfig.json"):
            options = _compiler_options(ctx, folder / name)
            if options is None:
                continue
            if not isinstance(options, dict):
                return True  # cannot be read in full
            paths = options.get("paths")
            if isinstance(paths, dict):
                for pattern in paths:
                    if not isinstance(pattern, str):
                        continue
                    if pattern == spec or (pattern.endswith("*") and spec.startswith(pattern[:-1])):
                        return True
            base = options.get("baseUrl")
            if isinstance(base, str):
                first = spec.split("/", 1)[0]
                root = folder / base
                entries = _listing(ctx, root)
                if first in entries or any(e.split(".", 1)[0] == first for e in entries):
                    return True
    return False


def _compiler_options(ctx: CheckContext, path: Path) -> dict[str, object] | bool | None:
    """A config file's `compilerOptions` ({} when it has none), None when there is no such
    file, False when it cannot be read in full."""

    def read() -> dict[str, object] | bool | None:
        try:
            if not path.is_file():
                return None
        except (OSError, ValueError):
            return None
        text, _ = ctx.reader.read_text(path, manifests.MAX_MANIFEST_BYTES)
        if text is None:
            return False
        text = _JSON_COMMENT.sub(lambda m: m.group(1) or "", text)
        try:
            data = json.loads(_TRAILING_COMMA.sub(r"\1", text))
        except (ValueError, RecursionError):
            return False
        if not isinstance(data, dict) or "extends" in data:
            return False
        options = data.get("compilerOptions", {})
        return options if isinstance(options, dict) else False

    result: dict[str, object] | bool | None = ctx.cached("compiler-options", path, read)
    return result


def _types_only(package: str, shipped: _Shipped) -> bool:
    """A TypeScript import of a package that only has types (`aws-lambda` with
    `@types/aws-lambda`): the compiler drops it."""
    types = "@types/" + package.lstrip("@").replace("/", "__")
    return package == "aws-lambda" or types in shipped.main or types in shipped.dev


def _node_message(
    fn: Function,
    spec: str,
    package: str,
    runtime: str,
    v2: bool,
    in_dev: bool,
    inline: bool,
    shipped: _Shipped,
    root: Path,
) -> str:
    head = f"'{spec}' is imported but nothing ships it: Lambda fails every invocation with "
    head += f"Runtime.ImportModuleError (Cannot find module '{package}')"
    if v2:
        return (
            f"{head}: {runtime} includes the AWS SDK for JavaScript v3 only, not v2's aws-sdk; "
            "use the v3 clients (@aws-sdk/client-*), or list aws-sdk in dependencies"
        )
    if inline:
        return f"{head}: inline code (ZipFile/InlineCode) ships no packages; use a code folder"
    if in_dev:
        return (
            f"{head}: it is listed in devDependencies only, which the build does not install; "
            "move it to dependencies"
        )
    where = ", ".join(path_from(p, fn.loc.path.parent) for p in shipped.manifests[:3])
    if where:
        return f"{head}: it is not a dependency in {where}; add it to dependencies"
    folder = path_from(root, fn.loc.path.parent)
    return f"{head}: there is no package.json in {folder} and no layer provides it"


def _node_modules(ctx: CheckContext, folder: Path) -> frozenset[str]:
    """The packages installed in `folder/node_modules` (scoped ones as `@scope/name`)."""

    def make() -> frozenset[str]:
        base = folder / "node_modules"
        names: set[str] = set()
        try:
            for entry in os.listdir(base):
                if entry.startswith("@"):
                    try:
                        names.update(f"{entry}/{sub}" for sub in os.listdir(base / entry))
                    except OSError:
                        continue
                else:
                    names.add(entry)
        except OSError:
            pass
        return frozenset(names)

    return ctx.cached("node-modules", folder, make)


def _node_shipped(ctx: CheckContext, folders: list[Path]) -> _Shipped:
    out = _Shipped()
    for folder in folders:
        found = _node_manifest(ctx, folder)
        if found is None:
            continue
        out.main |= found.main
        out.dev |= found.dev
        out.manifests += found.files
        out.complete = out.complete and found.complete
    return out


def _node_dependency(
    ctx: CheckContext, folders: list[Path], shipped: _Shipped, package: str, dev: bool, v2: bool
) -> bool:
    """Whether a dependency of a listed package may install `package`: npm installs what each
    package depends on into node_modules, where Node.js and bundlers find it. Only a lock file
    that names every installed package tells (for a package in devDependencies, one that
    tells the production install apart). The v2 SDK, which the Node.js 18+ runtimes no longer
    provide, is reported unless a lock file names it."""
    if not shipped.main and not (v2 and not dev):
        return False  # nothing is installed for production
    lock = _lock(ctx, folders, "node")
    if lock is None:
        return dev or not v2
    if not all(p in lock.installed for p in shipped.main):
        return True  # a stale lock
    if dev:
        return lock.production is None or package in lock.production
    return package in lock.installed


def _node_layers(fn: Function, ctx: CheckContext, package: str, major: int | None) -> bool | None:
    maybe = False
    for layer in fn.layers:
        if packages.public_layer_provides(layer.ref, package) or packages.public_layer_provides(
            layer.name, package
        ):
            return True
        folders = ([f"nodejs/node{major}/node_modules"] if major else []) + ["nodejs/node_modules"]
        held = _layer_holds(ctx, layer, [f"{f}/{package}" for f in folders])
        if held is True:
            return True
        listed = _layer_manifest(ctx, layer, "node")
        if listed is not None and package in listed:
            return True
        if listed:
            lock = _layer_lock(ctx, layer, "node")
            if lock is None or not all(p in lock.installed for p in listed):
                return True  # a dependency of what it lists may be the package
            if package in lock.installed:
                return True
        if held is None and listed is None:
            maybe = True
    return None if maybe else False
