"""What the language server knows of a workspace, kept between edits: each config file's
functions and diagnostics as loaded, and each function's findings; a change re-loads only the
config files it touches and re-lints only the functions it affects.

The findings are those of `lambdalint check` on the same tree: the same rules, settings,
suppressions and fixes, on the texts of the open buffers (the `overlay`, by real path) instead of
the files on disk. A function is linted with the functions of its config file and those sharing
its code around it (a fix to SAM Globals or to a handler file shared with another function
depends on them); a file's problems found loading it (LL100, LL108) belong to that file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lambdalint import discover as discovery
from lambdalint.analysis.target import HandlerTarget, resolve
from lambdalint.cache import SourceCache, open_cache
from lambdalint.engine import merge as merge_findings
from lambdalint.engine import run as run_rules
from lambdalint.engine import selected_rules
from lambdalint.engine import word as word_instances
from lambdalint.engine.context import CheckContext
from lambdalint.findings import Finding
from lambdalint.loaders import INTERNAL, load_all_recorded, read_and_load_recorded
from lambdalint.loaders.documents import LoadSession
from lambdalint.model import Diagnostic, Function, Project
from lambdalint.reading import Digest, Reader, Reads, listed, tree_roots
from lambdalint.rulepack import Rule, all_rules
from lambdalint.settings import ConfigError, Settings

# the files that configure a run (settings/files.py looks for them walking up)
CONFIG_NAMES = (".lambdalint.yaml", ".lambdalint.yml", "pyproject.toml")


@dataclass
class Unit:
    """One config file as loaded: its functions and what loading it met."""

    path: Path
    functions: tuple[Function, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    read: bool = False
    # the real paths its load read (itself, the files of its Terraform module folder and of
    # the modules it calls, `${file()}` targets, imported files, tsconfig.json, templates) and
    # the folders it listed: a change to one loads it again
    reads: frozenset[str] = frozenset()
    # the files only part of which mattered: real path → [(digest, the digest of the text read)]
    parts: dict[str, list[tuple[Digest, Hashable]]] = field(default_factory=dict)

    @classmethod
    def loaded(
        cls,
        path: Path,
        functions: list[Function],
        diagnostics: list[Diagnostic],
        read: bool,
        reads: Reads,
    ) -> Unit:
        parts: dict[str, list[tuple[Digest, Hashable]]] = {}
        for (where, digest), value in reads.parts.items():
            if where not in reads.paths:
                parts.setdefault(where, []).append((digest, value))
        return cls(path, tuple(functions), tuple(diagnostics), read, frozenset(reads.paths), parts)

    def depends_on(self, changed: str, now: Callable[[Digest], Hashable]) -> bool:
        """Whether a change of the file `changed` may change this unit's load (`now`: a
        digest of the file's text as it is now)."""
        if changed in self.reads:
            return True
        if changed in self.parts:
            return any(now(digest) != value for digest, value in self.parts[changed])
        return listed(changed, self.reads)  # a file a listing would take in now


@dataclass
class Update:
    """What a lint pass changed: the files whose findings may differ (to publish again), the
    internal errors met (lambdalint bugs, to log) and the functions linted."""

    files: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    linted: int = 0


def real(path: Path | str) -> str:
    return os.path.realpath(path)


class Workspace:
    """The lint state of one workspace folder. `overlay` maps real paths to the texts of open
    buffers (the server keeps it up to date); every read of the run goes through it."""

    def __init__(self, root: Path, overlay: dict[str, str] | None = None) -> None:
        self.root = root.resolve()
        self.overlay: dict[str, str] = overlay if overlay is not None else {}
        self.settings = Settings()
        self.reader = Reader()
        self.rules: list[Rule] = []
        self.units: dict[str, Unit] = {}
        self.fn_findings: dict[int, list[Finding]] = {}
        # the handler file each function's handler resolved to (it may lie in a layer; "" for
        # none)
        self.fn_handler_file: dict[int, str] = {}
        self.unit_findings: dict[str, list[Finding]] = {}
        self._cache: SourceCache | None = None
        self._cache_opened = False

    # ------------------------------------------------------------------ settings

    def load_settings(self) -> None:
        """Read the configuration file (raises ConfigError or RuleError: the caller keeps the
        settings it had and says why)."""
        from lambdalint.settings import files

        settings = files.load([self.root], None)
        rules = selected_rules(settings)
        from lambdalint.settings import check_selectors

        check_selectors(settings, all_rules(settings.extend_rules, settings.limits))
        self.settings, self.rules = settings, rules
        # an empty overlay must stay the same dict: the server fills it as buffers open
        self.reader = Reader(settings.limits, tree_roots([self.root]), overlay=self.overlay)

    def _source_cache(self) -> SourceCache | None:
        """The persistent cache `check` uses (parsed templates, handler facts), opened once."""
        if not self._cache_opened:
            self._cache_opened = True
            self._cache = open_cache(self.root)
        return self._cache

    def save_cache(self) -> None:
        if self._cache is not None:
            self._cache.save()

    # ------------------------------------------------------------------ lint passes

    def lint_all(self) -> Update:
        """Discover and lint the whole workspace (at start, and when the settings change)."""
        if not self.rules:
            self.load_settings()
        before = self._files_with_findings()
        found = discovery.discover([self.root], self.settings.exclude)
        configs = list(found.configs)
        session = LoadSession(self.reader, files=tuple(configs))
        for fn in self._all_functions():
            _forget(fn)
        self.units = {}
        for path, (read, functions, diags, reads) in zip(
            configs, load_all_recorded(configs, session), strict=True
        ):
            self.units[real(path)] = Unit.loaded(path, functions, diags, read, reads)
        self.fn_findings, self.unit_findings, self.fn_handler_file = {}, {}, {}
        update = Update()
        self._lint(list(self.units), self._all_functions(), update)
        update.files = before | self._files_with_findings()
        return update

    def changed(self, path: Path, discover: bool = False) -> Update:
        """Lint again what a change of `path` (an edit in a buffer, a save, a file changed on
        disk) affects: the config files it is, and the functions it feeds. `discover`: a file
        saved or created on disk that is no config file yet may be a new one (look again)."""
        changed = real(path)
        reload = self._units_of(changed)
        if not reload and discover and self._may_be_new_config(path):
            return self.lint_all()  # a new template, a new Terraform file: discover again
        old = [fn for key in reload for fn in self.units[key].functions]
        # every config file of the workspace, as `check` gives them to the loaders (Terraform:
        # whether a module folder is called from another folder)
        session = LoadSession(self.reader, files=tuple(u.path for u in self.units.values()))
        for key in reload:
            unit = self.units[key]
            read, functions, diags, reads = read_and_load_recorded(unit.path, session)
            self.units[key] = Unit.loaded(unit.path, functions, diags, read, reads)
        affected = [fn for key in reload for fn in self.units[key].functions]
        affected += [
            fn
            for fn in self._all_functions()
            if (_feeds(fn, changed) or self.fn_handler_file.get(id(fn)) == changed)
            and fn not in affected
        ]
        affected = self._with_shared_code(affected, old)
        update = Update()
        before = self._files_of(old, affected, reload)
        for fn in old:
            self.fn_findings.pop(id(fn), None)
            self.fn_handler_file.pop(id(fn), None)
            _forget(fn)
        self._lint(reload, affected, update)
        update.files = before | self._files_of([], affected, reload)
        return update

    def _may_be_new_config(self, path: Path) -> bool:
        """Whether a file saved or created is a config file discovery would load: its name, a
        loader claims its text, and no excluded folder (node_modules, .git ...) holds it."""
        from lambdalint.loaders import _modules

        if not _is_config_name(path.name) or not path.is_file():
            return False
        try:
            parts = path.resolve().relative_to(self.root).parts[:-1]
        except ValueError:
            return False  # outside the workspace
        patterns = (*discovery.DEFAULT_EXCLUDES, *self.settings.exclude)
        if any(part in patterns for part in parts):
            return False
        text, _ = self.reader.read_text(path)
        return text is not None and any(mod.claims(path, text) for mod in _modules())

    def _lint(self, unit_keys: list[str], functions: list[Function], update: Update) -> None:
        """Run the rules on `functions` (each alone, among its neighbours) and on the load
        problems of the units `unit_keys`."""
        settings, reader = self.settings, self.reader
        function_rules = [r for r in self.rules if r.scope != "project"]
        project_rules = [r for r in self.rules if r.scope == "project"]
        for key in unit_keys:
            unit = self.units[key]
            update.errors += [
                f"loading {unit.path}: {d.message}"
                for d in unit.diagnostics
                if d.rule_id == INTERNAL
            ]
            alone = Project(self.root, (), unit.diagnostics, (unit.path,))
            ctx = CheckContext(alone, settings, reader, None, True)
            result = run_rules(alone, project_rules, settings, ctx, word_instances=False)
            update.errors += result.internal_errors
            self.unit_findings[key] = self._suppressed(result.findings, alone)
        if not functions:
            return
        around = self._neighbours(functions)
        ctx = CheckContext(
            Project(self.root, tuple(around)), settings, reader, self._source_cache(), True
        )
        for fn in functions:
            one = Project(self.root, (fn,))
            result = run_rules(
                one, function_rules + project_rules, settings, ctx, word_instances=False
            )
            update.errors += result.internal_errors
            own = _own_files(fn, ctx.handler_target(fn))
            self.fn_handler_file[id(fn)] = next(iter(own), "")  # "": none
            kept = [
                f
                for f in result.findings
                if f.function or f.rule_id not in _PROJECT_IDS or real(f.loc.path) in own
            ]
            self.fn_findings[id(fn)] = self._suppressed(kept, one)
            update.linted += 1

    def _suppressed(self, findings: list[Finding], project: Project) -> list[Finding]:
        from lambdalint.filters import suppress

        return suppress.apply(findings, project, self.settings, self.reader)

    # ------------------------------------------------------------------ what feeds what

    def _all_functions(self) -> list[Function]:
        return [fn for unit in self.units.values() for fn in unit.functions]

    def _units_of(self, changed: str) -> list[str]:
        """The units to load again when `changed` changes: itself, and those whose load read it
        (or listed its folder: a Terraform file added to a module), or the part of it they
        used has changed."""
        digests: dict[Digest, Hashable] = {}

        def now(digest: Digest) -> Hashable:
            if digest not in digests:
                text, _ = self.reader.read_text(Path(changed))
                digests[digest] = digest(text)
            return digests[digest]

        return [
            key
            for key, unit in self.units.items()
            if key == changed or unit.depends_on(changed, now)
        ]

    def _handler_file(self, fn: Function) -> str | None:
        """The file `fn`'s handler resolves to (as its last lint found, else resolved now)."""
        known = self.fn_handler_file.get(id(fn))
        if known is None:
            target = resolve(fn, self.reader)
            known = self.fn_handler_file[id(fn)] = real(target.file) if target.file else ""
        return known or None

    def _with_shared_code(self, affected: list[Function], old: list[Function]) -> list[Function]:
        """`affected` and the functions using a code folder or a handler file one of them uses
        (or used): which handlers of a file other functions use decides what is reported."""
        codes = {_code_path(fn) for fn in (*affected, *old)} - {None}
        handlers = {self._handler_file(fn) for fn in (*affected, *old)} - {None}
        out = list(affected)
        seen = {id(fn) for fn in out}
        for fn in self._all_functions():
            if id(fn) in seen:
                continue
            if _code_path(fn) in codes or (handlers and self._handler_file(fn) in handlers):
                out.append(fn)
                seen.add(id(fn))
        return out

    def _neighbours(self, functions: list[Function]) -> list[Function]:
        """The functions a check of `functions` may look at: theirs, those of the same config
        files, and those sharing their code or handler file."""
        declaring = {_places(fn).declared for fn in functions}
        out = list(functions)
        seen = {id(fn) for fn in out}
        codes = {_code_path(fn) for fn in functions} - {None}
        handlers = {self._handler_file(fn) for fn in functions} - {None}
        for unit in self.units.values():
            for fn in unit.functions:
                if id(fn) in seen:
                    continue
                if (
                    _places(fn).declared in declaring
                    or _code_path(fn) in codes
                    or (handlers and self._handler_file(fn) in handlers)
                ):
                    out.append(fn)
                    seen.add(id(fn))
        return out

    # ------------------------------------------------------------------ findings by file

    def _files_of(
        self, old: list[Function], functions: list[Function], unit_keys: list[str]
    ) -> set[str]:
        files = set(unit_keys)
        for fn in (*old, *functions):
            files.update(real(f.loc.path) for f in self.fn_findings.get(id(fn), ()))
        for key in unit_keys:
            files.update(real(f.loc.path) for f in self.unit_findings.get(key, ()))
        return files

    def _files_with_findings(self) -> set[str]:
        return {real(f.loc.path) for f in self.all_findings()}

    def all_findings(self) -> Iterator[Finding]:
        """Every finding, as `check` reports them: those of a module's lines from several
        instances (linted one by one) merged into one finding that lists every instance."""
        found = [f for fn in self._all_functions() for f in self.fn_findings.get(id(fn), ())]
        for findings in self.unit_findings.values():
            found += findings
        yield from word_instances(merge_findings(found))

    def function_findings(self, fn: Function) -> list[Finding]:
        """The findings of `fn` alone (the instance it is, when a module makes it, said)."""
        return word_instances(self.fn_findings.get(id(fn), []))

    def findings_for(self, path: Path | str) -> list[Finding]:
        """The findings located in `path`, deduplicated and sorted as `check` reports them."""
        wanted = real(path)
        seen: set[tuple[str, int, int, str]] = set()
        out = []
        for f in self.all_findings():
            if real(f.loc.path) != wanted:
                continue
            key = (f.rule_id, f.loc.pos.line, f.loc.pos.column, f.message)
            if key in seen:
                continue
            seen.add(key)
            out.append(f)
        return sorted(out, key=Finding.sort_key)

    def functions_declared_in(self, path: Path | str) -> list[Function]:
        wanted = real(path)
        return [
            fn for fn in self._all_functions() if fn.handler and real(fn.handler.loc.path) == wanted
        ]

    def context(self, functions: Iterable[Function]) -> CheckContext:
        """A check context over `functions` and their neighbours (for hovers)."""
        around = self._neighbours(list(functions))
        return CheckContext(Project(self.root, tuple(around)), self.settings, self.reader)

    def rule(self, rule_id: str) -> Rule | None:
        for r in all_rules(self.settings.extend_rules, self.settings.limits):
            if r.id == rule_id:
                return r
        return None


_PROJECT_IDS = {"LL100", "LL108"}


@dataclass(frozen=True)
class _Places:
    """Where a function's inputs live, as real paths: its declaring file, its code (a folder,
    an archive or a file) and its layers' contents (computed once: resolving paths costs)."""

    declared: str
    code: str | None
    layers: tuple[str, ...]


_PLACES: dict[int, tuple[Function, _Places]] = {}


def _places(fn: Function) -> _Places:
    known = _PLACES.get(id(fn))
    if known is not None and known[0] is fn:
        return known[1]
    code = fn.code
    places = _Places(
        real(fn.loc.path),
        real(code.path) if code is not None and code.path is not None else None,
        tuple(real(layer.content) for layer in fn.layers if layer.content is not None),
    )
    _PLACES[id(fn)] = (fn, places)
    return places


def _forget(fn: Function) -> None:
    _PLACES.pop(id(fn), None)


def _code_path(fn: Function) -> str | None:
    return _places(fn).code


def _feeds(fn: Function, changed: str) -> bool:
    """Whether the file `changed` may feed `fn`: a file of its code or of one of its layers
    (a folder, or the archive or file it is), not counting the config file that declares it."""
    places = _places(fn)
    return any(
        home is not None and (changed == home or changed.startswith(home.rstrip(os.sep) + os.sep))
        for home in (places.code, *places.layers)
    )


def _own_files(fn: Function, target: HandlerTarget) -> set[str]:
    """The files whose reading problems a run of `fn` alone reports: its handler's file."""
    return {real(target.file)} if target.file is not None else set()


def _is_config_name(name: str) -> bool:
    return discovery.is_config_name(name)


__all__ = ["CONFIG_NAMES", "ConfigError", "Unit", "Update", "Workspace", "real"]
