"""The load stage: every discovered config file into one Project (functions + diagnostics).

Each file is read once and handed to the first loader that claims it. A loader is a module with
`claims(path, text) -> bool` (cheap: the name, a glance at the text) and
`load_file(path, text, session) -> (functions, diagnostics)`; LOADERS lists them in order.
"""

from __future__ import annotations

import importlib
import os
import re
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from lambdalint import parallel
from lambdalint.loaders.documents import LoadSession
from lambdalint.model import Diagnostic, Function, Loc, Project
from lambdalint.reading import Reader, Reads

# a loader that raises on some input is a lambdalint bug: the file is reported as an internal
# error (exit 2, one line, no traceback) and the rest of the tree is still linted
INTERNAL = "internal"

# Order matters: the first loader that claims a file loads it.
LOADERS = (
    "lambdalint.loaders.serverless",
    "lambdalint.loaders.serverless_code",
    "lambdalint.loaders.terraform.plan",
    "lambdalint.loaders.terraform.files",
    "lambdalint.loaders.cloudformation",
)

# below this many config files, loading stays in this process (see parallel.py)
PARALLEL_MIN_FILES = 48

Loaded = tuple[bool, list[Function], list[Diagnostic]]
# and the real paths the load read (read_and_load_recorded)
Recorded = tuple[bool, list[Function], list[Diagnostic], Reads]


@lru_cache(maxsize=1)
def _modules() -> tuple[ModuleType, ...]:
    # once per run: a loader module that is absent would otherwise be searched for per file
    mods = []
    for name in LOADERS:
        try:
            mods.append(importlib.import_module(name))
        except ImportError:
            continue
    return tuple(mods)


_COOKIECUTTER_VARIABLE = re.compile(r"\{\{-?\s*cookiecutter\.")
# a Jinja statement on a line of its own; a JSONata expression (`"{% $states.input %}"`) is a
# quoted value and starts with `$` or a name, never with one of these words
_JINJA_STATEMENT = re.compile(
    r"^[ \t]*\{%-?\s*(?:if|elif|else|endif|for|endfor|set|endset|macro|endmacro|raw|endraw|"
    r"include|import|from|block|endblock|extends|call|endcall|filter|endfilter|with|endwith)\b",
    re.MULTILINE,
)
_TEMPLATE_MARKERS = ("cookiecutter.json",)


def project_template(path: Path, text: str, reader: Reader = Reader()) -> str | None:
    """Why `path` is a cookiecutter/Jinja project template rather than a deployable file (its
    `{{ }}` are filled in when a project is generated from it); None when it is deployable.
    `{{resolve:...}}` dynamic references and Step Functions JSONata (`{% ... %}`) are no sign."""
    if any("{{" in part or "{%" in part for part in path.parts):
        return "a template name ({{ }} in its path)"
    if "{{" not in text and "{%" not in text:
        return None
    if _COOKIECUTTER_VARIABLE.search(text):
        return "it uses {{ cookiecutter.* }} variables"
    if _JINJA_STATEMENT.search(text):
        return "it holds Jinja {% %} statements"
    marker = _template_marker_above(path.parent, reader)
    if marker is not None:
        return f"{marker} is in a folder above"
    return None


def _template_marker_above(folder: Path, reader: Reader) -> str | None:
    """A cookiecutter.json in `folder` or a folder above it, inside the trees being checked
    (looked for only in files with `{{` or `{%`, so rarely)."""
    try:
        current = folder.resolve()
    except (OSError, RuntimeError):
        return None
    roots = reader.tree_roots()
    for _ in range(32):
        if not any(current == r or r in current.parents for r in roots):
            return None
        for name in _TEMPLATE_MARKERS:
            if (current / name).is_file():
                try:
                    return os.path.relpath(current / name)
                except ValueError:  # another drive
                    return str(current / name)
        if current.parent == current:
            return None
        current = current.parent
    return None


def load_file(
    path: Path, text: str, session: LoadSession | None = None
) -> tuple[list[Function], list[Diagnostic]]:
    """Load one config file; never raises for bad input. Without a session: the default limits,
    the working directory as the tree."""
    session = session if session is not None else LoadSession(Reader())
    why = project_template(path, text, session.reader)
    if why is not None:
        message = f"skipped: a project template, not a deployable file ({why})"
        return [], [Diagnostic("LL100", message, Loc(path), notice=True)]
    for mod in _modules():
        if mod.claims(path, text):
            try:
                loaded: tuple[list[Function], list[Diagnostic]] = mod.load_file(path, text, session)
            except RecursionError:
                return [], [Diagnostic("LL100", "structure nests too deeply", Loc(path))]
            except Exception as exc:  # noqa: BLE001 - see INTERNAL
                return [], [Diagnostic(INTERNAL, f"{type(exc).__name__}: {exc}"[:300], Loc(path))]
            return loaded
    return [], []


def read_and_load(path: Path, session: LoadSession) -> Loaded:
    """Read and load one file: (was it read, functions, diagnostics)."""
    read, functions, diags, _ = read_and_load_recorded(path, session)
    return read, functions, diags


def read_and_load_recorded(path: Path, session: LoadSession) -> Recorded:
    """`read_and_load`, and what the load read: the real paths of every file (and folder
    listed) it asked for (the file itself, its module folder's files, the modules it calls, the
    files a `${file()}` or an import names, the tsconfig, templates), and the files only part
    of which mattered (the language server loads the file again when one of them changes)."""
    with session.reader.log.recording() as reads:
        read, functions, diags = _read_and_load(path, session)
    reads.paths.add(os.path.realpath(path))
    return read, functions, diags, reads


def _read_and_load(path: Path, session: LoadSession) -> Loaded:
    text, diag = session.reader.read_text(path)
    diags = [diag] if diag is not None else []
    if text is None:
        return False, [], diags
    if not text.strip() and not path.name.lower().endswith(".tf"):
        # (empty .tf files are a common module scaffold; an empty template is worth a line)
        return (
            True,
            [],
            [*diags, Diagnostic("LL100", "skipped: empty file", Loc(path), notice=True)],
        )
    functions, more = load_file(path, text, session)
    return True, functions, diags + more


def load_project(root: Path, configs: list[Path], reader: Reader) -> Project:
    """Load every config file into one Project, reading within `reader`'s limits and trees."""
    session = LoadSession(reader, files=tuple(configs))
    files: list[Path] = []
    functions: list[Function] = []
    diagnostics: list[Diagnostic] = []
    for path, (read, loaded, diags) in zip(configs, _load_all(configs, session), strict=True):
        if read:
            files.append(path)
        functions.extend(loaded)
        diagnostics.extend(diags)
    return Project(root, tuple(functions), tuple(diagnostics), tuple(files))


def _load_all(configs: list[Path], session: LoadSession) -> list[Loaded]:
    return parallel.map_files(
        _load_one, configs, PARALLEL_MIN_FILES, kind=_file_kind, shared=session
    )


def load_all_recorded(configs: list[Path], session: LoadSession) -> list[Recorded]:
    """`read_and_load_recorded` of every file (in worker processes for many files)."""
    return parallel.map_files(
        _load_one_recorded, configs, PARALLEL_MIN_FILES, kind=_file_kind, shared=session
    )


def _load_one(session: LoadSession, path: Path) -> Loaded:
    """`read_and_load` with the session first (parallel.map_files's order)."""
    return read_and_load(path, session)


def _load_one_recorded(session: LoadSession, path: Path) -> Recorded:
    return read_and_load_recorded(path, session)


def _file_kind(path: Path) -> str:
    name = path.name.lower()
    return ".tf.json" if name.endswith(".tf.json") else path.suffix.lower()
