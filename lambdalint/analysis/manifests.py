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
