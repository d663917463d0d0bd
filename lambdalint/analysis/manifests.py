"""Dependency manifests of a code folder: what `requirements*.txt` (with `-r` includes),
`pyproject.toml` (`[project]` dependencies, Poetry), `Pipfile` and `package.json` list, as
facts for LL109. Files are read through the run's Reader (inside the checked tree, bounded);
a manifest that cannot be read or parsed makes the answer incomplete, never wrong."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambdalint.reading import Reader

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the tomli backport on 3.10
    import tomli as tomllib

MAX_MANIFEST_BYTES = 1_000_000
MAX_INCLUDES = 20
# `name`, `name[extra]`, `name==1.0`, `name @ url`, `-e git+https://...#egg=name`
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_REQUIREMENTS_FILE = re.compile(r"^requirements.*\.(txt|in)$", re.IGNORECASE)


@dataclass
class PythonManifest:
    """The distributions the manifests of a folder list, by kind: `main` are installed with
    the function; `dev` only for development (a Pipfile's `[dev-packages]`, Poetry's dev
    groups). `files` are the manifests read; `complete` is False when one could not be read
    or parsed (an include that is missing, a syntax error)."""

    main: set[str] = field(default_factory=set)
    dev: set[str] = field(default_factory=set)
    files: list[Path] = field(default_factory=list)
    complete: bool = True


@dataclass
class NodeManifest:
    """What `package.json` files list: `dependencies` (with optional and peer ones) and
    `devDependencies`."""

    main: set[str] = field(default_factory=set)
    dev: set[str] = field(default_factory=set)
    files: list[Path] = field(default_factory=list)
    complete: bool = True
    workspaces: bool = False  # a workspace root: its packages are linked into node_modules


def _read(path: Path, reader: Reader) -> str | None:
    try:
        if not path.is_file():
            return None
    except (OSError, ValueError):
        return None
    text, _ = reader.read_text(path, MAX_MANIFEST_BYTES)
    return text


def _json_object(path: Path, reader: Reader) -> dict[str, Any] | None:
    """The JSON object a file of the tree holds; None when it is missing, unreadable, not JSON
    or not an object."""
    text = _read(path, reader)
    if text is None:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def python_manifest(folder: Path, reader: Reader) -> PythonManifest:
    """The manifests directly in `folder`."""
    out = PythonManifest()
    try:
        names = sorted(p.name for p in folder.iterdir())
    except (OSError, ValueError):
        return out
    for name in names:
        if _REQUIREMENTS_FILE.match(name):
            _requirements(folder / name, reader, out, set())
        elif name == "pyproject.toml":
            _pyproject(folder / name, reader, out)
        elif name == "Pipfile":
            _pipfile(folder / name, reader, out)
    return out


def _requirements(path: Path, reader: Reader, out: PythonManifest, seen: set[Path]) -> None:
    if path in seen or len(seen) > MAX_INCLUDES:
        return
    seen.add(path)
    text = _read(path, reader)
    if text is None:
        out.complete = False
        return
    out.files.append(path)
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ", "-r", "--requirement=")):
            include = re.sub(r"^(-r|--requirement)[ =]?", "", line).strip()
            _requirements(path.parent / include, reader, out, seen)
            continue
        egg = _EGG.search(line)
        if egg is not None:
            out.main.add(egg.group(1))
            continue
        if line.startswith("-e") or line.startswith(("-", ".", "/")) or "://" in line:
            if not line.startswith(("-c", "--constraint", "-i", "--index-url", "--extra-index")):
                out.complete = False  # a path or URL: what it installs is not named
            continue
        match = _REQUIREMENT.match(line)
        if match is not None:
            out.main.add(match.group(1))


def _toml(path: Path, reader: Reader, out: PythonManifest | None) -> dict[str, Any] | None:
    text = _read(path, reader)
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        if out is not None:
            out.complete = False
        return None
    if out is not None:
        out.files.append(path)
    return data


def _names(items: Any) -> set[str]:
    """Distribution names from a list of PEP 508 strings or a mapping of name → spec."""
    if isinstance(items, dict):
        return {str(k) for k in items if str(k).lower() != "python"}
    out = set()
    if isinstance(items, list):
        for item in items:
            match = _REQUIREMENT.match(item) if isinstance(item, str) else None
            if match is not None:
                out.add(match.group(1))
    return out


def _pyproject(path: Path, reader: Reader, out: PythonManifest) -> None:
    data = _toml(path, reader, out)
    if data is None:
        return
    project = data.get("project")
    if isinstance(project, dict):
        out.main |= _names(project.get("dependencies"))
        extras = project.get("optional-dependencies")
        if isinstance(extras, dict):
            for items in extras.values():
                out.main |= _names(items)  # an extra may be what the build installs
        if "dependencies" in project.get("dynamic", ()):
            out.complete = False
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for items in groups.values():
            out.dev |= _names(items)
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if isinstance(poetry, dict):
        out.main |= _names(poetry.get("dependencies"))
        out.dev |= _names(poetry.get("dev-dependencies"))
        poetry_groups = poetry.get("group")
        if isinstance(poetry_groups, dict):
            for name, group in poetry_groups.items():
                deps = _names(group.get("dependencies")) if isinstance(group, dict) else set()
                (out.main if name == "main" else out.dev).update(deps)


def _pipfile(path: Path, reader: Reader, out: PythonManifest) -> None:
    data = _toml(path, reader, out)
    if data is None:
        return
    out.main |= _names(data.get("packages"))
    out.dev |= _names(data.get("dev-packages"))


def node_manifest(folder: Path, reader: Reader) -> NodeManifest | None:
    """What `folder/package.json` lists; None when there is none."""
    path = folder / "package.json"
    text = _read(path, reader)
    if text is None:
        return None
    out = NodeManifest(files=[path])
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        out.complete = False
        return out
    if not isinstance(data, dict):
        out.complete = False
        return out
    for key in ("dependencies", "optionalDependencies", "peerDependencies", "bundleDependencies"):
        out.main |= _names(data.get(key))
    out.dev |= _names(data.get("devDependencies"))
    out.workspaces = "workspaces" in data
    return out


# ---------------------------------------------------------------------------- lock files


@dataclass
class LockFile:
    """What the lock files of a folder name: `installed`, every package an install from them
    puts in place (dependencies of dependencies included); `production`, those a production
    install (`npm ci --omit=dev`, `pipenv install` without `--dev`) puts in place, or None when
    the files do not tell them apart. Python names are normalized (`packages.normalize`)."""

    files: list[Path] = field(default_factory=list)
    installed: set[str] = field(default_factory=set)
    production: set[str] | None = None


_PINNED = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*===?\s*[^\s;#\\]+")
_GENERATED = re.compile(r"autogenerated by (pip-compile|uv)", re.IGNORECASE)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def python_lock(folder: Path, reader: Reader) -> LockFile | None:
    """The lock files directly in `folder` (poetry.lock, uv.lock, Pipfile.lock, or a
    requirements file that names every package: pinned with `--hash`, which pip refuses
    unless every dependency is listed, or generated by pip-compile / uv pip compile); None
    when there is none that can be read."""
    out = LockFile(production=set())
    try:
        names = sorted(p.name for p in folder.iterdir())
    except (OSError, ValueError):
        return None
    for name in names:
        path = folder / name
        found: tuple[set[str], set[str] | None] | None = None
        if name in ("poetry.lock", "uv.lock"):
            found = _toml_lock(path, reader)
        elif name == "Pipfile.lock":
            found = _pipfile_lock(path, reader)
        elif _REQUIREMENTS_FILE.match(name) and name.endswith(".txt"):
            found = _requirements_lock(path, reader)
        if found is None:
            continue
        out.files.append(path)
        out.installed |= found[0]
        if out.production is not None and found[1] is not None:
            out.production |= found[1]
        else:
            out.production = None
    return out if out.files else None


def _toml_lock(path: Path, reader: Reader) -> tuple[set[str], set[str] | None] | None:
    data = _toml(path, reader, None)
    items = data.get("package") if data is not None else None
    if not isinstance(items, list):
        return None
    names: set[str] = set()
    main: set[str] = set()
    categories = True
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            return None
        names.add(_normal(item["name"]))
        category = item.get("category")
        if category == "main":
            main.add(_normal(item["name"]))
        elif category != "dev":
            categories = False  # Poetry 1.5+ and uv do not say which group needs a package
    return names, (main if categories else None)


def _pipfile_lock(path: Path, reader: Reader) -> tuple[set[str], set[str] | None] | None:
    data = _json_object(path, reader)
    if data is None or not isinstance(data.get("default"), dict):
        return None
    main = {_normal(str(k)) for k in data["default"]}
    develop = data.get("develop")
    dev = {_normal(str(k)) for k in develop} if isinstance(develop, dict) else set()
    return main | dev, main


def _requirements_lock(path: Path, reader: Reader) -> tuple[set[str], set[str] | None] | None:
    text = _read(path, reader)
    if text is None:
        return None
    generated = bool(_GENERATED.search(text[:2000]))
    names: set[str] = set()
    hashed = True
    lines = [raw.strip() for raw in text.replace("\\\n", " ").splitlines()]
    for line in lines:
        if not line or line.startswith("#"):
            continue
        if line.startswith(("--index-url", "--extra-index-url", "-i ", "--trusted-host")):
            continue
        if line.startswith("-"):
            return None  # an include, a constraint, an editable: not every package is named
        match = _PINNED.match(line)
        if match is None:
            return None
        names.add(_normal(match.group(1)))
        hashed = hashed and "--hash" in line
    if not names or not (generated or hashed):
        return None
    return names, names


def node_lock(folder: Path, reader: Reader) -> LockFile | None:
    """The lock file directly in `folder` (package-lock.json, npm-shrinkwrap.json, yarn.lock,
    pnpm-lock.yaml); None when there is none that can be read."""
    for name in ("npm-shrinkwrap.json", "package-lock.json"):
        found = _npm_lock(folder / name, reader)
        if found is not None:
            return found
    for name, parse in (("yarn.lock", _yarn_names), ("pnpm-lock.yaml", _pnpm_names)):
        text = _read(folder / name, reader)
        if text is None:
            continue
        installed = parse(text)
        if installed:
            return LockFile([folder / name], installed, None)
    return None


def _npm_lock(path: Path, reader: Reader) -> LockFile | None:
    data = _json_object(path, reader)
    if data is None:
        return None
    out = LockFile([path], set(), set())
    assert out.production is not None
    packages = data.get("packages")
    if isinstance(packages, dict):  # lockfileVersion 2 and 3
        for where, entry in packages.items():
            if not isinstance(where, str) or "node_modules/" not in where:
                continue
            name = where.rsplit("node_modules/", 1)[1]
            out.installed.add(name)
            if not (isinstance(entry, dict) and entry.get("dev") is True):
                out.production.add(name)
        return out
    dependencies = data.get("dependencies")
    if not isinstance(dependencies, dict):
        return None
    stack, seen = [dependencies], 0
    while stack and seen < 100_000:  # lockfileVersion 1: nested `dependencies`
        level = stack.pop()
        for name, entry in level.items():
            seen += 1
            out.installed.add(str(name))
            if not (isinstance(entry, dict) and entry.get("dev") is True):
                out.production.add(str(name))
            nested = entry.get("dependencies") if isinstance(entry, dict) else None
            if isinstance(nested, dict):
                stack.append(nested)
    return out


def _spec_name(spec: str) -> str | None:
    """`lodash@^4.17.0` → lodash, `@types/node@npm:^20` → @types/node."""
    spec = spec.strip().strip("\"'")
    at = spec.find("@", 1)
    name = spec[:at] if at > 0 else spec
    return name or None


def _yarn_names(text: str) -> set[str]:
    out: set[str] = set()
    for line in text.splitlines():
        if not line or line[0] in " #\t" or not line.rstrip().endswith(":"):
            continue
        for spec in line.rstrip()[:-1].split(","):
            name = _spec_name(spec)
            if name is not None and name != "__metadata":
                out.add(name)
    return out


def _pnpm_names(text: str) -> set[str]:
    """The keys of `packages:` (`/lodash@4.17.21:`, `/lodash/4.17.21:`, `'@a/b@1.0.0(x)':`)."""
    out: set[str] = set()
    inside = False
    for line in text.splitlines():
        if line and not line[0].isspace():
            inside = line.rstrip() == "packages:"
            continue
        if not inside or not line.startswith("  ") or line.startswith("   "):
            continue
        key = line.strip().rstrip(":").strip("\"'").lstrip("/")
        key = key.split("(", 1)[0]
        at = key.find("@", 1)
        if at > 0:
            out.add(key[:at])
        elif "/" in key:  # lockfile 5: name/version
            out.add(key.rsplit("/", 1)[0])
    return out
