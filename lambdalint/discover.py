"""Find the deployment configuration files under the given paths.

Handler sources are not collected here: they are reached through the functions that name them.
A source file given directly (pre-commit passes only changed files) is mapped back to the
templates above it that may reference it.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lambdalint import gitignore
from lambdalint.reading import DEFAULT_LIMITS, MAX_FILE_BYTES, Reader, Unreadable, read_bounded

DEFAULT_EXCLUDES = (
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".aws-sam",
    ".terraform",
    ".serverless",
    ".tox",
    ".nox",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".lambdalint_cache",
    "cdk.out",
    "site-packages",
    ".idea",
    ".vscode",
)

OUT_OF_TREE = "not followed: symbolic link out of the tree"
# names virtualenvs usually get: a folder so named is skipped when it is one (any folder holding
# a pyvenv.cfg is skipped whatever its name), never for its name alone: `env/prod/` is a stage
VENV_NAMES = frozenset({".venv", "venv", ".env", "env"})

_TEMPLATE_FOLDER = "skipped: a project template folder ({{ }} in its name), not deployable"

CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".template", ".tf")
# Serverless Framework configurations written as code (read, never run), in the order the
# framework looks for a service's configuration after serverless.yml, .yaml and .json: the
# first one found is the service's
SERVERLESS_CODE_CONFIGS = ("serverless.js", "serverless.mjs", "serverless.cjs", "serverless.ts")
_SERVERLESS_CONFIGS = ("serverless.yml", "serverless.yaml", "serverless.json")
SOURCE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")


@dataclass
class Discovery:
    configs: list[Path] = field(default_factory=list)
    # source files named directly (pre-commit): used to find templates referencing them
    sources: list[Path] = field(default_factory=list)
    notices: list[tuple[Path, str]] = field(default_factory=list)
    # folders of CDK apps (cdk.json) with no synthesized templates to lint
    unsynthesized_cdk_apps: list[Path] = field(default_factory=list)
    # config files not read because git ignores them (and does not track them)
    gitignored: list[Path] = field(default_factory=list)


def is_config_name(name: str) -> bool:
    lower = name.lower()
    if lower.endswith(".tf.json") or lower in SERVERLESS_CODE_CONFIGS:
        return True
    if lower.endswith(CONFIG_SUFFIXES):
        # lock files, package manifests and editor settings are never templates
        return lower not in _NEVER_TEMPLATES and not lower.endswith(".lock.json")
    return False


_NEVER_TEMPLATES = {
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "jsconfig.json",
    "composer.json",
    "launch.json",
    "settings.json",
    ".eslintrc.json",
    "event.json",
    "events.json",
    "pyproject.toml",
    ".pre-commit-config.yaml",
    ".pre-commit-hooks.yaml",
    "docker-compose.yml",
    "docker-compose.yaml",
    "mkdocs.yml",
    "codecov.yml",
    ".lambdalint.yaml",
    ".lambdalint.yml",
    ".lambdalint-baseline.json",
    "samconfig.yaml",
    "samconfig.yml",
    "cdk.json",
    "cdk.context.json",
    "tree.json",
    "manifest.json",
}


def _excluded(rel: str, name: str, patterns: tuple[str, ...]) -> bool:
    for pat in patterns:
        if "/" not in pat and "*" not in pat and "?" not in pat:
            if name == pat:
                return True
            continue
        if fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(name, pat):
            return True
        if fnmatch.fnmatch(rel, pat.rstrip("/") + "/*"):
            return True
    return False


def excluded_path(
    path: Path,
    excludes: tuple[str, ...],
    respect_gitignore: bool = True,
    reader: Reader | None = None,
) -> bool:
    """Whether walking the working directory would skip `path`: it, or a folder above it,
    matches the default or configured excludes, or git ignores it. What `--force-exclude`
    applies to the paths named on the command line, so that pre-commit, which names the
    changed files one by one, and `check .` agree. Ignore files are read with `reader` (by
    default, one for `path`)."""
    # (cdk.out is skipped by the walk, yet a CDK app's templates in it are linted)
    patterns = tuple(p for p in DEFAULT_EXCLUDES if p != "cdk.out") + tuple(excludes)
    try:
        rel = os.path.relpath(os.path.abspath(path)).replace(os.sep, "/")
    except ValueError:
        rel = path.as_posix()
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if parts and parts[0] != "..":
        for i in range(len(parts)):
            if _excluded("/".join(parts[: i + 1]), parts[i], patterns):
                return True
    elif parts and _excluded(parts[-1], parts[-1], patterns):
        return True
    if not respect_gitignore:
        return False
    return gitignore.Ignores(reader or Reader.for_paths(DEFAULT_LIMITS, [path])).ignored_path(path)


def discover(
    paths: list[Path],
    excludes: tuple[str, ...] = (),
    include_cdk_out: bool = False,
    respect_gitignore: bool = False,
    force_exclude: bool = False,
    virtual: frozenset[Path] = frozenset(),
    reader: Reader | None = None,
) -> Discovery:
    """The config files under `paths` (and the handler sources named among them). Folders are
    walked skipping `excludes` (and what git ignores, with `respect_gitignore`); a path named
    directly is taken as given unless `force_exclude`. `virtual` files need not exist (the
    file read from standard input). Ignore files are read with `reader` (by default, the
    reader of a run over `paths`)."""
    patterns = tuple(p for p in DEFAULT_EXCLUDES if not (include_cdk_out and p == "cdk.out"))
    patterns += tuple(excludes)
    result = Discovery()
    seen: set[Path] = set()
    ignores = None
    if respect_gitignore:
        ignores = gitignore.Ignores(reader or Reader.for_paths(DEFAULT_LIMITS, paths))
    for given in paths:
        if force_exclude and (
            excluded_path(given, excludes, False)
            or (ignores is not None and ignores.ignored_path(given))
        ):
            continue
        if given in virtual:
            if is_config_name(given.name):
                result.configs.append(given)
            elif given.name.lower().endswith(SOURCE_SUFFIXES):
                result.sources.append(given)
            continue
        if not given.exists() and not given.is_symlink():
            result.notices.append((given, "path does not exist"))
            continue
        if not given.exists():
            result.notices.append((given, "broken symbolic link or symlink loop"))
            continue
        if not given.is_file() and not given.is_dir():
            result.notices.append((given, "skipped: not a regular file or folder"))
            continue
        if given.is_file():
            if _link_out_of(given, _boundary(given.absolute().parent)):
                result.notices.append((given, OUT_OF_TREE))
                continue
            real = given.resolve()
            if real in seen:
                continue
            seen.add(real)
            if is_config_name(given.name):
                result.configs.append(given)
            elif given.name.lower().endswith(SOURCE_SUFFIXES):
                result.sources.append(given)
            continue
        rules = ignores.rules_for(given) if ignores is not None else None
        _walk(given, patterns, result, seen, tuple(excludes), rules)
    if ignores is not None:
        result.notices.extend(dict.fromkeys(ignores.notices))
    result.notices.extend(_cdk_notices(result.unsynthesized_cdk_apps))
    result.notices.extend(_gitignored_notices(result.gitignored))
    return result


# config files skipped because git ignores them, named in the notice
_GITIGNORED_NAMED = 3


def _gitignored_notices(skipped: list[Path]) -> list[tuple[Path, str]]:
    """One line saying which config files were not read because git ignores them (a committed
    file is read: git ignores only what it does not track)."""
    how = "--no-respect-gitignore reads them"
    if not skipped:
        return []
    if len(skipped) == 1:
        return [(skipped[0], "not read: .gitignore ignores it (--no-respect-gitignore reads it)")]
    shown = ", ".join(_shown(p) for p in skipped[:_GITIGNORED_NAMED])
    more = " …" if len(skipped) > _GITIGNORED_NAMED else ""
    try:
        where = Path(os.path.commonpath([str(p.parent) for p in skipped]) or ".")
    except ValueError:  # different drives, or relative and absolute paths mixed
        where = Path(".")
    message = f"{len(skipped)} configuration files not read: .gitignore ignores them"
    return [(where, f"{message} ({shown}{more}); {how}")]


# a monorepo of examples can hold hundreds of CDK apps: beyond this many, one line for all
_CDK_NOTICES_ONE_BY_ONE = 3


def _cdk_notices(apps: list[Path]) -> list[tuple[Path, str]]:
    how = "run `cdk synth`, then lambdalint lints the templates it writes to cdk.out"
    if len(apps) <= _CDK_NOTICES_ONE_BY_ONE:
        return [
            (app / "cdk.json", f"a CDK app without synthesized templates: {how}") for app in apps
        ]
    shown = ", ".join(_shown(app) + "/" for app in apps[:3])
    try:
        where = Path(os.path.commonpath([str(a) for a in apps]) or ".")
    except ValueError:  # different drives, or relative and absolute paths mixed
        where = Path(".")
    return [(where, f"{len(apps)} CDK apps without synthesized templates ({shown} …): {how}")]


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path).replace(os.sep, "/")
    except ValueError:
        return str(path)


def _boundary(top: Path) -> Path:
    """The folder symbolic links met while walking `top` may lead into: the working directory
    (the repository, in CI) when `top` is inside it, else `top` itself. A link out of it (to
    `/`, to a home folder, to /etc/passwd) is not followed: in a pull request from a stranger
    the links are theirs."""
    real_top = top.resolve()
    cwd = Path.cwd().resolve()
    return cwd if real_top == cwd or cwd in real_top.parents else real_top


def _inside(real: Path, boundary: Path) -> bool:
    return real == boundary or boundary in real.parents


def _link_out_of(path: Path, boundary: Path) -> bool:
    """True when `path` is a symbolic link that resolves outside `boundary` (or nowhere)."""
    if not os.path.islink(path):
        return False
    try:
        return not _inside(path.resolve(), boundary)
    except (OSError, RuntimeError):
        return True


def _walk_dirs(top: str) -> Iterator[tuple[str, list[str], list[str]]]:
    """`os.walk(top, followlinks=True)`, top-down, without recursion: before Python 3.12
    os.walk recursed once per folder level, and a repository can nest 1,500 folders deep."""
    stack = [top]
    while stack:
        dirpath = stack.pop()
        try:
            with os.scandir(dirpath) as entries:
                dirnames: list[str] = []
                filenames: list[str] = []
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()  # follows symbolic links, as followlinks does
                    except OSError:
                        is_dir = False
                    (dirnames if is_dir else filenames).append(entry.name)
        except OSError:
            continue
        yield dirpath, dirnames, filenames  # the caller prunes dirnames in place
        stack.extend(os.path.join(dirpath, d) for d in reversed(dirnames))


def _walk(
    top: Path,
    patterns: tuple[str, ...],
    result: Discovery,
    seen: set[Path],
    user_patterns: tuple[str, ...] = (),
    ignores: gitignore.Rules | None = None,
) -> None:
    visited_dirs: set[tuple[int, int]] = set()
    boundary = _boundary(top)
    # the gitignore rules in force in each folder still to visit (the top's are `ignores`)
    folder_rules: dict[str, gitignore.Rules] = {}
    for dirpath, dirnames, filenames in _walk_dirs(str(top)):
        rules = folder_rules.pop(dirpath, ignores)
        try:
            st = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        key = (st.st_dev, st.st_ino)
        if key in visited_dirs:  # a symlink loop or a second link to the same folder
            result.notices.append(
                (Path(dirpath), "not followed: folder already visited (symbolic link loop?)")
            )
            dirnames[:] = []
            continue
        visited_dirs.add(key)
        if "pyvenv.cfg" in filenames and dirpath != str(top):
            dirnames[:] = []  # a virtualenv, whatever its name
            continue
        base = Path(dirpath)
        rel_dir = os.path.relpath(dirpath, top)
        vendored = installed_packages(dirpath, dirnames, boundary)
        kept = []
        for d in sorted(dirnames):
            rel = d if rel_dir == "." else f"{rel_dir}/{d}"
            if d in vendored or _excluded(rel.replace(os.sep, "/"), d, patterns):
                continue
            if d in VENV_NAMES and is_virtualenv(base / d):
                continue
            if "{{" in d or "{%" in d:
                result.notices.append((base / d, _TEMPLATE_FOLDER))
                continue
            if _link_out_of(base / d, boundary):
                result.notices.append((base / d, OUT_OF_TREE))
                continue
            if rules is not None:
                if not rules.ignored(base / d, True):
                    folder_rules[os.path.join(dirpath, d)] = rules.below(base / d)
                elif rules.tracked(base / d, True):  # (git add -f): walked for those files
                    folder_rules[os.path.join(dirpath, d)] = rules.inside_ignored()
                else:
                    continue
            kept.append(d)
        dirnames[:] = kept
        if "cdk.json" in filenames:
            _cdk_app(base, top, user_patterns, boundary, result, seen)
        for name in sorted(filenames):
            if not is_config_name(name) or _shadowed(name, filenames):
                continue
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if _excluded(rel.replace(os.sep, "/"), name, patterns):
                continue
            path = base / name
            if rules is not None and rules.ignored(path, False) and not rules.tracked(path, False):
                result.gitignored.append(path)
                continue
            try:
                real = path.resolve()
            except (OSError, RuntimeError):
                result.notices.append((path, "cannot resolve path (symlink loop?)"))
                continue
            # a dangling link names no file: each one is reported on its own path (by the
            # reader), not merged with other links to the same missing target
            dangling = os.path.islink(path) and not os.path.exists(path)
            if real in seen and not dangling:
                continue
            if _link_out_of(path, boundary):
                result.notices.append((path, OUT_OF_TREE))
                continue
            if not dangling:
                seen.add(real)
            result.configs.append(path)


# what `cdk synth` writes: one template per stack, and one folder per stage (CDK Pipelines)
_CDK_TEMPLATES = ("*.template.json", "assembly-*/*.template.json")


def _cdk_output(app: Path, boundary: Path) -> str:
    """The folder `cdk synth` writes to: cdk.json's `output`, else cdk.out."""
    settings = app / "cdk.json"
    try:
        if not _link_out_of(settings, boundary) and settings.stat().st_size <= 1_000_000:
            data = json.loads(settings.read_text(encoding="utf-8"))
            out = data.get("output") if isinstance(data, dict) else None
            if isinstance(out, str) and out and not os.path.isabs(out) and ".." not in out:
                return out
    except (OSError, ValueError):
        pass
    return "cdk.out"


def _cdk_app(
    app: Path,
    top: Path,
    user_patterns: tuple[str, ...],
    boundary: Path,
    result: Discovery,
    seen: set[Path],
) -> None:
    """A CDK app: lint the templates `cdk synth` left in its output folder (which the walk
    itself skips: its asset folders are copies of the project), or say how to get them."""
    name = _cdk_output(app, boundary)
    out = app / name
    rel = os.path.relpath(out, top).replace(os.sep, "/")
    if _excluded(rel, out.name, user_patterns):
        return
    if not out.is_dir() or _link_out_of(out, boundary):
        result.unsynthesized_cdk_apps.append(app)
        return
    for pattern in _CDK_TEMPLATES:
        for template in sorted(out.glob(pattern)):
            try:
                real = template.resolve()
            except (OSError, RuntimeError):
                continue
            if real in seen or _link_out_of(template, boundary) or not template.is_file():
                continue
            seen.add(real)
            result.configs.append(template)


def _shadowed(name: str, filenames: list[str]) -> bool:
    """A serverless.js/.ts next to a configuration the framework looks for first: the
    framework never loads it, so it is not a service."""
    lower = name.lower()
    if lower not in SERVERLESS_CODE_CONFIGS:
        return False
    names = {n.lower() for n in filenames}
    before = _SERVERLESS_CONFIGS + SERVERLESS_CODE_CONFIGS[: SERVERLESS_CODE_CONFIGS.index(lower)]
    return any(other in names for other in before)


_INSTALL_RECORDS = ((".dist-info", "RECORD"), (".egg-info", "installed-files.txt"))


def installed_packages(folder: str, dirnames: list[str], boundary: Path) -> set[str]:
    """The subfolders of `folder` that an installer put there (`pip install --target`, a
    layer's `python/` folder), with their `*.dist-info` / `*.egg-info` records: the folders the
    record of each installed distribution lists (pip's RECORD; a legacy egg's
    installed-files.txt). Vendored dependencies are not the project's to lint (botocore alone
    brings hundreds of JSON service models); the project's own folders beside them are walked,
    and handler modules in layers are still found (handler lookup does not use discovery). An
    `*.egg-info` without installed-files.txt is a project's own build metadata: nothing is
    skipped for it."""
    records = [
        (d, record)
        for d in dirnames
        for suffix, record in _INSTALL_RECORDS
        if d.lower().endswith(suffix)
    ]
    if not records:
        return set()
    present = set(dirnames)
    skipped: set[str] = set()
    for meta, record in records:
        listed = _record_folders(os.path.join(folder, meta, record), boundary, meta)
        if listed is None:
            continue
        skipped.add(meta)
        skipped.update(name for name in listed if name in present)
    return skipped


def _record_folders(path: str, boundary: Path, meta: str) -> set[str] | None:
    """The first path component of every file a RECORD / installed-files.txt lists (relative
    to the install folder); None when there is no readable record inside the tree."""
    if not os.path.isfile(path) or _link_out_of(Path(path), boundary):
        return None
    try:
        text = read_bounded(path, MAX_FILE_BYTES).decode("utf-8", "replace")
    except (OSError, Unreadable):
        return None
    names: set[str] = set()
    egg = meta.lower().endswith(".egg-info")
    try:
        for row in csv.reader(io.StringIO(text)):
            if not row:
                continue
            parts = [p for p in row[0].replace("\\", "/").split("/") if p and p != "."]
            if egg and parts[:1] == [".."]:
                parts = parts[1:]  # installed-files.txt: relative to the egg-info folder
            if len(parts) > 1 and parts[0] != "..":
                names.add(parts[0])
    except csv.Error:  # not a record after all
        return None
    return names


def is_virtualenv(folder: Path) -> bool:
    """A Python virtual environment (venv, virtualenv, conda): its pyvenv.cfg, its activate
    script, or its site-packages."""
    try:
        if (folder / "pyvenv.cfg").is_file() or (folder / "conda-meta").is_dir():
            return True
        if (folder / "bin" / "activate").is_file() or (folder / "Scripts" / "activate").is_file():
            return True
        if (folder / "Lib" / "site-packages").is_dir():
            return True
        return any((lib / "site-packages").is_dir() for lib in (folder / "lib").glob("python*"))
    except OSError:
        return False


def templates_near(source: Path, stop: Path) -> Discovery:
    """Config files in the folders from `source`'s folder up to `stop` (at most 8 levels):
    the templates that may reference a handler file given on its own. A link among them that
    leads out of the tree is not offered (a notice says so)."""
    found = Discovery()
    try:
        current = source.resolve().parent
        stop = stop.resolve()
    except (OSError, RuntimeError):
        return found
    boundary = _boundary(current)
    for _ in range(8):
        try:
            entries = sorted(current.iterdir())
        except OSError:
            entries = []
        for entry in entries:
            if not is_config_name(entry.name):
                continue
            if _link_out_of(entry, boundary):
                found.notices.append((entry, OUT_OF_TREE))
            elif entry.is_file():
                found.configs.append(entry)
        if current == stop or stop not in current.parents:
            break
        current = current.parent
    return found
