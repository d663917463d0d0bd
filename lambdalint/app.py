"""The sessions of the command line: `check`, `baseline`, `show`, `policy`, `rules`, `explain`.

Each one sequences the stages (settings → discover → load → rules → filters → report), decides
the exit code, and returns what to print as an `Outcome`: cli.py only parses the options and
prints. A problem the user can fix (a missing path, a bad configuration or rule file) is a
`UsageError`, printed as one `lambdalint: error:` line with exit code 2.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lambdalint import discover as discovery
from lambdalint.engine import Result, selected_rules
from lambdalint.escape import clean, clean_lines
from lambdalint.findings import SEVERITIES, Finding, Severity
from lambdalint.model import Function, Project
from lambdalint.reading import Reader
from lambdalint.rulepack import Rule, RuleError, all_rules
from lambdalint.settings import ConfigError, Settings, check_selectors

if TYPE_CHECKING:
    from lambdalint.cache import SourceCache
    from lambdalint.engine.context import CheckContext
    from lambdalint.filters import suppress
    from lambdalint.fixing import FixRun
    from lambdalint.progress import Progress

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """Something the user can fix: exit 2 with one line (`lambdalint: error: <message>`)."""


@dataclass
class Outcome:
    """What a session prints and how it ends: `report` on standard output (None: nothing),
    `messages` on standard error, one line each, already escaped."""

    report: str | None = None
    messages: list[str] = field(default_factory=list)
    exit_code: int = EXIT_CLEAN


@dataclass(frozen=True)
class CheckRequest:
    paths: Sequence[Path] = ()
    # the report written to standard output (or to `output`); None: every report has a file
    fmt: str | None = "text"
    output: Path | None = None
    # more reports of the same run, each (format, file): `--output-format sarif:FILE`
    outputs: Sequence[tuple[str, Path]] = ()
    select: Sequence[str] | None = None  # None: no --select given
    ignore: Sequence[str] = ()
    fail_on: Severity | None = None
    exit_zero: bool = False
    config_file: Path | None = None
    baseline: Path | None = None
    statistics: bool = False
    # colour is wanted (--color, NO_COLOR, FORCE_COLOR, a terminal): decided by the command line
    color: bool = False
    width: int | None = None  # the terminal's columns: long messages wrap (None: never)
    cache: bool = True
    quiet: bool = False
    force_exclude: bool = False
    respect_gitignore: bool | None = None  # None: the configuration's (default: on)
    git_deleted: bool = False
    stdin_filename: Path | None = None  # with paths ("-",): where the text read stands
    progress: bool = False  # a progress line on standard error (a terminal)
    fix: bool = False  # apply the applicable fixes (`--fix`)
    unsafe_fixes: bool = False  # unsafe fixes are applicable too (`--unsafe-fixes`)
    diff: bool = False  # print what `--fix` would change, change nothing (`--diff`)
    # exit 1 when `--fix` changed a file, even if nothing is left (`--exit-non-zero-on-fix`)
    exit_non_zero_on_fix: bool = False


@dataclass(frozen=True)
class Scope:
    """How the paths of a run are taken, beyond the settings: `--force-exclude`, the files
    the git index deletes (`--git-deleted`), the text read from standard input."""

    force_exclude: bool = False
    deleted: tuple[Path, ...] = ()
    stdin: tuple[Path, str] | None = None


def load_settings(paths: Sequence[Path], config_file: Path | None) -> Settings:
    """The settings of the configuration file (explicit, or found walking up from the first
    path)."""
    from lambdalint.settings import files

    return files.load(list(paths), config_file)


# ---------------------------------------------------------------------------- check


STDIN = Path("-")


def _stdin(request: CheckRequest) -> tuple[Path, str] | None:
    """(`--stdin-filename`, the text read from standard input) when the path is `-`."""
    if STDIN not in request.paths:
        if request.stdin_filename is not None:
            raise UsageError("--stdin-filename is for reading standard input: give the path -")
        return None
    if len(request.paths) != 1:
        raise UsageError("- (standard input) cannot be combined with other paths")
    if request.stdin_filename is None:
        raise UsageError(
            "reading standard input needs --stdin-filename PATH (where the text stands)"
        )
    import sys

    from lambdalint.reading import MAX_FILE_BYTES, decode

    raw = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise UsageError(f"standard input is above the {MAX_FILE_BYTES // 1048576} MB limit")
    text, diag = decode(raw, request.stdin_filename)
    if text is None:
        raise UsageError(f"standard input: {diag.message if diag else 'not text'}")
    return request.stdin_filename, text


def check_settings(request: CheckRequest, targets: Sequence[Path]) -> Settings:
    """The settings of a check: the configuration file's, then the command line's."""
    try:
        settings = load_settings(targets or [Path(".")], request.config_file)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    try:
        _check_flag_selectors(
            settings, {"--select": request.select or (), "--ignore": request.ignore}
        )
    except RuleError as exc:
        raise UsageError(str(exc)) from None
    settings = settings.with_command_line(request.select, request.ignore, request.fail_on)
    if request.respect_gitignore is not None:
        settings = replace(settings, respect_gitignore=request.respect_gitignore)
    return settings


def _check_targets(request: CheckRequest, stdin: tuple[Path, str] | None) -> list[Path]:
    if stdin is not None:
        return [stdin[0]]
    if request.git_deleted and not request.paths:
        return []  # the pre-commit hook with no changed file: only what was deleted
    return _targets(request.paths)


def check(request: CheckRequest) -> Outcome:
    _fewer_collections()
    from lambdalint.progress import Progress
    from lambdalint.reporters import shows_edits

    stdin = _stdin(request)
    if stdin is not None and (request.fix or request.diff):
        raise UsageError("--fix and --diff change files: they do not read standard input")
    targets = _check_targets(request, stdin)
    settings = check_settings(request, targets)
    settings = replace(settings, unsafe_fixes=request.unsafe_fixes)
    scope = Scope(
        force_exclude=request.force_exclude,
        deleted=git_deleted_files() if request.git_deleted else (),
        stdin=stdin,
    )
    # a cache is keyed by files on disk; standard input is not one
    cache = _open_cache() if request.cache and stdin is None else None
    formats = [request.fmt, *(fmt for fmt, _ in request.outputs)]
    code_fixes = request.fix or request.diff or any(shows_edits(f) for f in formats if f)
    progress = Progress(request.progress)

    def lint_with(overlay: Mapping[str, str]) -> Result:
        try:
            result = lint(targets, settings, cache, scope, progress, overlay, code_fixes)
        except (RuleError, ConfigError) as exc:
            raise UsageError(str(exc)) from None
        except RecursionError:
            raise UsageError("internal error: input nests too deeply") from None
        if request.baseline is not None:
            from lambdalint.filters import baseline

            try:
                result.findings = baseline.filter_new(
                    result.findings, request.baseline, result.reader
                )
            except (OSError, ValueError) as exc:
                raise UsageError(f"cannot read baseline {request.baseline}: {exc}") from None
        return result

    fix_notices: list[str] = []
    changed = False
    try:
        if request.fix or request.diff:
            from lambdalint import fixing

            reader = Reader.for_paths(settings.limits, targets)
            done = fixing.run(lint_with, reader, request.unsafe_fixes)
            fix_notices = done.notices
            if request.diff:
                if cache is not None:
                    cache.save()
                return _diff_outcome(request, done)
            result = done.result
            not_written = fixing.write(done.changes)
            changed = len(not_written) < len(done.changes)
            if not_written:
                fix_notices += not_written
                result = lint_with({})  # what is on disk now
            result.fixed = dict(done.fixed)
        else:
            result = lint_with({})
    finally:
        progress.close()
    if cache is not None:
        cache.save()
    result.notices = list(dict.fromkeys(result.notices + fix_notices))
    outcome = Outcome()
    if request.fmt is not None:
        outcome.report = _report(request, result, settings, outcome.messages)
    files = list(request.outputs)
    if request.output is not None and request.fmt is not None:
        files.append((request.fmt, request.output))
    for fmt, path in files:
        text = (
            outcome.report
            if (fmt, path) == (request.fmt, request.output)
            else _render(fmt, result, settings)
        )
        _write(path, text or "")
    if request.output is not None:
        outcome.report = None
    if not request.quiet:
        outcome.messages += [f"lambdalint: {clean(notice)}" for notice in result.notices]
    outcome.messages += [
        f"lambdalint: internal error: {clean(err)[:500]}" for err in result.internal_errors
    ]
    outcome.exit_code = _exit_code(request, result, settings, targets, outcome.messages)
    if changed and request.exit_non_zero_on_fix and outcome.exit_code == EXIT_CLEAN:
        outcome.exit_code = EXIT_FINDINGS
    return outcome


def _write(path: Path, text: str) -> None:
    from lambdalint.writing import write_text

    try:
        if path.parent != Path(""):
            path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def _diff_outcome(request: CheckRequest, done: FixRun) -> Outcome:
    """`--diff`: the diff on standard output, how many findings it fixes on standard error;
    exit 1 when there is something to change."""
    from lambdalint import fixing

    count = sum(done.fixed.values())
    messages = [] if request.quiet else [f"lambdalint: {clean(n)}" for n in done.notices]
    if done.changes:
        plural = "s" if count != 1 else ""
        messages.append(f"lambdalint: would fix {count} finding{plural}")
    else:
        messages.append("lambdalint: nothing to fix")
    return Outcome(
        report=fixing.diff(done.changes),
        messages=messages,
        exit_code=EXIT_FINDINGS if done.changes else EXIT_CLEAN,
    )


def git_deleted_files() -> tuple[Path, ...]:
    """The files the git index deletes or renames away, relative to the working directory
    (`git diff --cached`): pre-commit passes only the files that still exist, yet a template
    may still name a deleted one. Git is asked only with `--git-deleted` (the pre-commit hook);
    without git, or outside a repository, nothing (the hook then checks the changed files
    only). Repository hooks cannot run: a diff of the index runs no filter and no fsmonitor."""
    import subprocess

    command = [
        "git",
        "-c",
        "core.fsmonitor=false",
        "diff",
        "--cached",
        "--name-only",
        "--relative",
        "--no-renames",
        "--diff-filter=D",
        "--no-ext-diff",
        "--no-textconv",
        "-z",
    ]
    try:
        done = subprocess.run(command, capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return ()
    if done.returncode != 0:
        return ()
    names = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    return tuple(Path(name) for name in names if name)


def lint(
    paths: Sequence[Path],
    settings: Settings,
    cache: SourceCache | None = None,
    scope: Scope = Scope(),
    progress: Progress | None = None,
    overlay: Mapping[str, str] | None = None,
    code_fixes: bool = True,
) -> Result:
    """Every stage but the report: the findings of the selected rules on the functions under
    `paths`, suppressions applied. `cache` (cache.SourceCache) keeps parsed files between runs;
    `overlay` gives texts that stand for files (by real path: `--fix` between rounds, an
    editor's unsaved buffers);
    `code_fixes`: compute the edits of fixes that rewrite handler code (else announce them)."""
    from lambdalint import engine
    from lambdalint.engine.context import CheckContext
    from lambdalint.filters import suppress
    from lambdalint.loaders import INTERNAL
    from lambdalint.progress import Progress

    progress = progress or Progress(False)
    check_selectors(settings, all_rules(settings.extend_rules, settings.limits))
    texts = dict(overlay or {})
    if scope.stdin is not None:
        where, text = scope.stdin
        texts[os.path.realpath(where)] = text
    reader = Reader.for_paths(settings.limits, list(paths) or [Path(".")], texts)
    project, notices = load(paths, settings, reader, cache, scope, progress)
    internal = [
        f"loading {_display(d.loc.path)}: {d.message}"
        for d in project.diagnostics
        if d.rule_id == INTERNAL
    ]
    ctx = CheckContext(project, settings, reader, cache, code_fixes)
    count = len(project.functions)
    with progress.stage(f"checking {count} function{'s' if count != 1 else ''}"):
        result = engine.run(project, selected_rules(settings), settings, ctx)
    used: suppress.Used = {}
    result.findings = suppress.apply(result.findings, project, settings, reader, used)
    whole = scope.stdin is None and not scope.deleted and all(p.is_dir() for p in paths)
    result.findings += _dead_suppressions(project, settings, ctx, result, used, whole)
    result.findings.sort(key=Finding.sort_key)
    result.internal_errors = internal + result.internal_errors
    # (a link out of the tree may be met by discovery and again by a handler's code location)
    result.notices = list(dict.fromkeys(notices + result.notices))
    return result


def _dead_suppressions(
    project: Project,
    settings: Settings,
    ctx: CheckContext,
    result: Result,
    used: suppress.Used,
    whole: bool,
) -> list[Finding]:
    """LL001 and LL002 on the suppression comments of every template and handler source read,
    once every other rule has run (`whole`: the paths were folders, nothing narrowed them)."""
    from lambdalint.filters import suppress

    if not (settings.rule_enabled(suppress.UNUSED) or settings.rule_enabled(suppress.NO_REASON)):
        return []
    files: list[Path] = list(project.files)
    broken: set[str] = set()
    for fn in project.functions:
        src = ctx.source(fn)
        if src is None:
            continue
        files.append(src.path)
        if src.parse_error is not None:
            broken.add(suppress.key(src.path))
    for diag in (*project.diagnostics, *ctx.diagnostics):
        if diag.rule_id == "LL100":
            broken.add(suppress.key(diag.loc.path))
    failed = {e.split(" ", 1)[0].rstrip(":") for e in result.internal_errors}
    judging = suppress.Judging(
        known=frozenset(r.id for r in all_rules(settings.extend_rules, settings.limits)),
        ran=frozenset(r.id for r in result.rules if r.id not in failed),
        whole=whole,
        broken=frozenset(broken),
    )
    found = suppress.judge(files, used, judging, settings, ctx.reader)
    for f in found:
        f.severity = settings.severity.get(f.rule_id) or _rule_severity(f.rule_id, settings)
    return found


def _rule_severity(rule_id: str, settings: Settings) -> Severity:
    for rule in all_rules(settings.extend_rules, settings.limits):
        if rule.id == rule_id:
            return rule.severity
    return "warning"


def load(
    paths: Sequence[Path],
    settings: Settings,
    reader: Reader,
    cache: SourceCache | None = None,
    scope: Scope = Scope(),
    progress: Progress | None = None,
) -> tuple[Project, list[str]]:
    """Discover and load the project under `paths`, with the notices met doing so. Given
    handler sources (pre-commit passes the changed files) or deleted files (`scope.deleted`),
    the templates near them are loaded too, keeping only their functions that use those
    files."""
    from lambdalint.loaders import load_project
    from lambdalint.progress import Progress

    progress = progress or Progress(False)
    with progress.stage("finding files"):
        found = discovery.discover(
            list(paths),
            settings.exclude,
            respect_gitignore=settings.respect_gitignore,
            force_exclude=scope.force_exclude,
            virtual=frozenset([scope.stdin[0]]) if scope.stdin is not None else frozenset(),
            reader=reader,
        )
    notices = [f"{_display(p)}: {msg}" for p, msg in found.notices]
    configs = list(found.configs)
    mapped: set[Path] = set()
    # what the templates near a changed or deleted file are searched for
    used = [*found.sources, *scope.deleted]
    if used:
        known = {c.resolve() for c in configs}
        stop = Path.cwd()
        noticed = {p for p, _ in found.notices}
        for src in used:
            near = discovery.templates_near(src, stop)
            for path, msg in near.notices:
                if path not in noticed:
                    noticed.add(path)
                    notices.append(f"{_display(path)}: {msg}")
            for tpl in near.configs:
                if tpl.resolve() in known or discovery.excluded_path(
                    tpl, settings.exclude, settings.respect_gitignore, reader
                ):
                    continue
                known.add(tpl.resolve())
                configs.append(tpl)
                mapped.add(tpl.resolve())
    count = len(configs)
    with progress.stage(f"loading {count} file{'s' if count != 1 else ''}"):
        project = load_project(Path.cwd(), configs, reader)
    project = replace(project, unsynthesized_cdk_apps=tuple(found.unsynthesized_cdk_apps))
    if mapped:
        sources = [s.resolve() for s in used]
        functions = tuple(
            fn
            for fn in project.functions
            if fn.loc.path.resolve() not in mapped or _uses_any(fn, sources)
        )
        project = replace(project, functions=functions)
    for diag in project.diagnostics:
        if diag.notice:
            notices.append(f"{_display(diag.loc.path)}: {diag.message}")
    return project, notices


def _uses_any(fn: Function, sources: list[Path]) -> bool:
    code = fn.code
    if code is None or code.path is None:
        return False
    try:
        base = code.path.resolve()
    except OSError:
        return False
    return any(base == s or base in s.parents for s in sources)


def _targets(paths: Sequence[Path]) -> list[Path]:
    targets = list(paths) or [Path(".")]
    missing = [str(p) for p in targets if not p.exists() and not p.is_symlink()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    return targets


def _check_flag_selectors(settings: Settings, flags: dict[str, Sequence[str]]) -> None:
    """A rule selector given on the command line that selects no rule is a usage error."""
    from lambdalint.settings.selection import unknown_selector

    if not any(flags.values()):
        return
    ids = [r.id for r in all_rules(settings.extend_rules, settings.limits)]
    for flag, values in flags.items():
        bad = unknown_selector(values, ids)
        if bad is not None:
            raise UsageError(
                f"invalid value '{bad}' for {flag}: unknown rule selector "
                "(no rule id starts with it; see 'lambdalint rules')"
            )


def _open_cache() -> SourceCache | None:
    try:
        from lambdalint import cache
    except ImportError:
        return None
    return cache.open_cache(Path.cwd())


def _render(
    fmt: str, result: Result, settings: Settings, request: CheckRequest | None = None
) -> str:
    """The report in `fmt`; colour and wrapping only for the report on standard output."""
    from lambdalint.reporters import render

    on_terminal = request is not None and request.output is None
    color = on_terminal and request is not None and request.color
    width = request.width if on_terminal and request is not None else None
    return render(fmt, result, settings, color=color, width=width)


def _report(request: CheckRequest, result: Result, settings: Settings, messages: list[str]) -> str:
    """The report of the format without a file of its own (`--statistics`: the counts per
    rule in that format; a format made for tools keeps its report and the table goes to
    standard error, in `messages`)."""
    from lambdalint.reporters import render_statistics, statistics_table

    assert request.fmt is not None
    if request.statistics:
        counts = render_statistics(request.fmt, result)
        if counts is not None:
            return counts
        messages.extend(statistics_table(result).rstrip("\n").split("\n"))
    text = _render(request.fmt, result, settings, request)
    if request.quiet and request.fmt in ("text", "concise"):
        # the findings only: not the summary and fix counts after the last blank line
        body = text.rstrip("\n").rpartition("\n\n")[0]
        return body + "\n" if body else ""
    return text


def _exit_code(
    request: CheckRequest,
    result: Result,
    settings: Settings,
    targets: list[Path],
    messages: list[str],
) -> int:
    """0 nothing at or above fail-on, 1 findings, 2 internal errors; a folder in which no
    function was found is no success either (`messages` gets the line saying so)."""
    if result.internal_errors:
        return EXIT_ERROR
    threshold = SEVERITIES.index(settings.fail_on)
    failing = [
        f
        for f in result.findings
        if f.suppressed is None and SEVERITIES.index(f.severity) >= threshold
    ]
    if result.project is not None and not result.project.functions:
        messages.append(_nothing_checked(targets, result.project))
        if any(p.is_dir() for p in targets):
            return EXIT_FINDINGS if failing and not request.exit_zero else EXIT_ERROR
    if request.exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _nothing_checked(targets: list[Path], project: Project) -> str:
    """Say plainly that no function was found: for folders an error (exit 2), for files given
    one by one (pre-commit passes the changed files) a line saying they concern no function."""
    folders = [p for p in targets if p.is_dir()]
    if not folders:
        return (
            "lambdalint: nothing checked: no Lambda function is defined in the given files, "
            "and none uses them"
        )
    where = ", ".join(clean(str(p)) for p in folders)
    message = f"no Lambda functions found under {where}"
    if project.unsynthesized_cdk_apps:
        message += (
            " (a CDK app: run `cdk synth` first, then lambdalint lints the templates in cdk.out)"
        )
    return f"lambdalint: error: {message}; nothing was checked"


def _fewer_collections() -> None:
    """A run allocates millions of small, mostly acyclic objects (positions, parse trees) that
    live until the end: with the default thresholds the cyclic GC rescans that growing heap
    again and again (a third of a warm run on a large tree). Cycles are still collected."""
    import gc

    gc.set_threshold(50_000, 50, 100)


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path).replace(os.sep, "/")
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------- show files, settings

_FRAMEWORKS = {
    "sam": "SAM template",
    "cloudformation": "CloudFormation template",
    "terraform": "Terraform configuration",
    "terraform-plan": "Terraform plan",
    "serverless": "Serverless Framework configuration",
}


def show_files(request: CheckRequest) -> Outcome:
    """`check --show-files`: every file a check would read, and as what (a template of which
    framework and how many functions it defines, the handler source of which functions)."""
    from lambdalint.engine.context import CheckContext

    stdin = _stdin(request)
    targets = _check_targets(request, stdin)
    settings = check_settings(request, targets)
    scope = Scope(
        force_exclude=request.force_exclude,
        deleted=git_deleted_files() if request.git_deleted else (),
        stdin=stdin,
    )
    reader = Reader.for_paths(settings.limits, list(targets) or [Path(".")])
    if stdin is not None:
        reader = replace(reader, overlay={os.path.realpath(stdin[0]): stdin[1]})
    project, notices = load(targets, settings, reader, None, scope)
    ctx = CheckContext(project, settings, reader)
    rows: dict[str, str] = {}
    defined: dict[Path, list[Function]] = {}
    for fn in project.functions:
        defined.setdefault(fn.loc.path, []).append(fn)
    unparsed = {d.loc.path for d in project.diagnostics if d.rule_id == "LL100" and not d.notice}
    for path in project.files:
        functions = defined.get(path, [])
        if functions:
            kinds = sorted({_FRAMEWORKS.get(fn.framework, fn.framework) for fn in functions})
            count = len(functions)
            what = f"{' + '.join(kinds)} ({count} function{'s' if count != 1 else ''})"
        elif path in unparsed:
            what = "cannot be parsed (LL100)"
        else:
            what = "read: no Lambda function defined"
        rows[_display(path)] = what
    sources: dict[Path, list[str]] = {}
    for fn in project.functions:
        target = ctx.handler_target(fn)
        if target.file is not None:
            sources.setdefault(target.file, []).append(fn.name)
    for path, names in sources.items():
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        rows.setdefault(_display(path), f"handler source of {shown}")
    width = max((len(clean(p)) for p in rows), default=0)
    lines = [f"{clean(p):<{width}}  {clean(rows[p])}" for p in sorted(rows)]
    count = len(rows)
    lines.append(f"{count} file{'s' if count != 1 else ''} would be read.")
    return Outcome(
        report="\n".join(lines) + "\n",
        messages=[] if request.quiet else [f"lambdalint: {clean(n)}" for n in notices],
    )


def show_settings(request: CheckRequest) -> Outcome:
    """`check --show-settings`: the configuration a check would run with, after the command
    line: where it came from, each setting, the rules selected and every rule option."""
    targets = _check_targets(request, None) if STDIN not in request.paths else []
    if request.stdin_filename is not None:
        targets = [request.stdin_filename]
    settings = check_settings(request, targets)
    pack = all_rules(settings.extend_rules, settings.limits)
    selected = [r.id for r in pack if settings.rule_enabled(r.id)]
    source = _display(settings.source) if settings.source is not None else None
    limits = settings.limits
    values: list[tuple[str, object]] = [
        ("config-file", source or "none (defaults)"),
        ("select", list(settings.selection.cli_select or settings.selection.select)),
        ("ignore", [*settings.selection.ignore, *settings.selection.cli_ignore]),
        ("fail-on", settings.fail_on),
        ("exclude", list(settings.exclude)),
        ("default-excludes", list(discovery.DEFAULT_EXCLUDES)),
        ("respect-gitignore", settings.respect_gitignore),
        ("force-exclude", request.force_exclude),
        ("severity", dict(settings.severity)),
        ("per-file-ignores", {k: list(v) for k, v in settings.per_file_ignores.items()}),
        ("extend-rules", [_display(p) for p in settings.extend_rules]),
        ("max-file-size", limits.max_file_bytes),
        ("max-depth", limits.max_depth),
        ("max-nodes", limits.max_nodes),
        ("rules", selected),
    ]
    lines = [f"# the settings of `lambdalint check` in {_display(Path.cwd())}"]
    lines += [f"{key} = {json.dumps(value, default=str)}" for key, value in values]
    given = settings.options.given
    specs = settings.options.specs
    if specs:
        lines += ["", "# rule options (the configuration's, else the rule file's default)"]
        for key in sorted(specs):
            value = given.get(key, specs[key].default)
            lines.append(f"{key} = {json.dumps(value, default=str)}")
    return Outcome(report="\n".join(clean(line) for line in lines) + "\n")


# ---------------------------------------------------------------------------- baseline


def baseline(paths: Sequence[Path], output: Path, config_file: Path | None) -> Outcome:
    """Record today's findings in `output`."""
    from lambdalint.filters import baseline as baselines

    targets = _targets(paths)
    try:
        result = lint(targets, load_settings(targets, config_file))
        count = baselines.write(result.findings, output, result.reader)
    except (RuleError, ConfigError) as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    plural = "s" if count != 1 else ""
    return Outcome(
        messages=[f"lambdalint: recorded {count} finding{plural} in {clean(str(output))}"]
    )


# ---------------------------------------------------------------------------- rules, explain


def rules(fmt: str, config_file: Path | None) -> Outcome:
    """Every rule: id, name, severity (with the configuration's overrides), summary."""
    settings, pack = _rule_pack(config_file)
    if fmt == "json":
        rows = [
            {
                "id": r.id,
                "name": r.name,
                "severity": settings.severity.get(r.id, r.severity),
                "category": r.category,
                "summary": r.summary,
                "fix": r.fix,
            }
            for r in pack
        ]
        return Outcome(report=json.dumps(rows, indent=2) + "\n")
    # custom rules' text comes with the repository
    lines = [
        f"{clean(r.id):<7} {clean(r.name):<34} "
        f"{clean(settings.severity.get(r.id, r.severity)):<8} {clean(r.summary)}"
        for r in pack
    ]
    return Outcome(report="".join(line + "\n" for line in lines))


def explain(rule_id: str, tty: bool = False) -> Outcome:
    """A rule's reference (engine/reference.py: why it matters, a bad and a good example, how to
    fix, its options and live data), as docs/rules.md has it: Markdown when piped, rendered
    for the terminal on one (markdown.py)."""
    from lambdalint.engine import reference

    settings, pack = _rule_pack(None)
    wanted = rule_id.strip()
    for r in pack:
        if r.id.lower() == wanted.lower() or r.name == wanted:
            text = reference.section(r, settings.options.given, live=True)
            # custom rules come with the repository: their text is escaped
            shown = clean_lines(text.rstrip("\n"))
            if tty:
                from lambdalint import markdown

                shown = markdown.render(shown)
            return Outcome(report=shown + "\n")
    raise UsageError(f"unknown rule '{rule_id}' (see 'lambdalint rules')")


def _rule_pack(config_file: Path | None) -> tuple[Settings, list[Rule]]:
    try:
        settings = load_settings([Path(".")], config_file)
        return settings, all_rules(settings.extend_rules, settings.limits)
    except (RuleError, ConfigError) as exc:
        raise UsageError(str(exc)) from None


# ---------------------------------------------------------------------------- show


def show(paths: Sequence[Path], fmt: str, config_file: Path | None) -> Outcome:
    """Inventory: every function with runtime, handler, timeout, memory, logs, role, events,
    and the AWS actions its handler's code calls."""
    from lambdalint.engine import view
    from lambdalint.engine.context import CheckContext

    targets = list(paths) or [Path(".")]
    try:
        settings = load_settings(targets, config_file)
        reader = Reader.for_paths(settings.limits, targets)
        project, notices = load(targets, settings, reader)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    ctx = CheckContext(project, settings, reader)  # for the AWS actions each handler's code calls
    views = [
        {
            **view.function_view(fn),
            "code_actions": _code_actions(fn, ctx),
            "permissions": _permission_counts(fn, ctx),
        }
        for fn in project.functions
    ]
    if fmt == "json":
        report = json.dumps(view.strict_json(views), indent=2, default=str) + "\n"
    else:
        report = view.table(project, views, with_actions=True)
    return Outcome(report=report, messages=[f"lambdalint: {clean(n)}" for n in notices])


def _permission_counts(fn: Function, ctx: CheckContext) -> dict[str, Any]:
    """How many actions the code needs, the role grants (wildcards expanded, Lambda's own use
    left out) and the role grants that the code never uses; None where it is not known."""
    from lambdalint.engine.privileges import privileges

    found = privileges(fn, ctx)
    granted = found.granted
    return {
        "needed": len(found.needed) if found.analysed else None,
        "granted": len(granted) if granted is not None else None,
        "unused": len(granted - found.needed)
        if granted is not None and found.facts_complete
        else None,
        "complete": found.complete,
    }


def _code_actions(fn: Function, ctx: CheckContext) -> list[dict[str, Any]] | None:
    """The IAM actions the handler's SDK calls need; None when the source is not analysed."""
    from lambdalint.checks.code import code_actions

    actions = code_actions(fn, ctx)
    if actions is None:
        return None
    out = []
    for item in actions:
        loc = ctx.source_loc(ctx.source(fn), item.call.pos)
        out.append(
            {
                "action": item.action,
                "status": item.status,
                "call": item.call.method or item.call.operation,
                "path": _display(loc.path),
                "line": loc.pos.line,
            }
        )
    return out


# ---------------------------------------------------------------------------- policy


@dataclass(frozen=True)
class PolicyRequest:
    paths: Sequence[Path] = ()
    function: str | None = None  # only this function (its name or its FunctionName)
    fmt: str | None = None  # json | sam | cloudformation | terraform | serverless; None: own
    config_file: Path | None = None


def policy(request: PolicyRequest) -> Outcome:
    """The least-privilege statements each function's code needs, next to what its role
    grants: missing, unused, calls that could not be resolved (SPEC section 7)."""
    from lambdalint.engine.context import CheckContext
    from lambdalint.engine.privileges import privileges
    from lambdalint.engine.statements import as_json

    targets = _targets(request.paths)
    try:
        settings = load_settings(targets, request.config_file)
        reader = Reader.for_paths(settings.limits, targets)
        project, notices = load(targets, settings, reader)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    messages = [f"lambdalint: {clean(n)}" for n in notices]
    functions = list(project.functions)
    if request.function is not None:
        functions = [
            fn
            for fn in functions
            if request.function in (fn.name, fn.function_name)
            or fn.name.endswith("." + request.function)
        ]
        if not functions:
            names = ", ".join(sorted(fn.name for fn in project.functions)[:20]) or "none"
            raise UsageError(f"no function named {request.function} (functions: {names})")
    if not functions:
        messages.append(_nothing_checked(targets, project))
        return Outcome(report=None, messages=messages, exit_code=EXIT_ERROR)
    ctx = CheckContext(project, settings, reader)
    found = [privileges(fn, ctx) for fn in functions]
    if request.fmt == "json":
        from lambdalint.escape import json_text

        report = json_text({"functions": [as_json(p, ctx) for p in found]}) + "\n"
    else:
        report = "\n".join(_policy_text(p, ctx, request.fmt) for p in found)
    return Outcome(report=report, messages=messages)


_STATUS_WORDS = {
    "missing": "missing from the role",
    "denied": "denied by the role",
    "elsewhere": "granted only on other resources",
}


def _policy_text(found: Any, ctx: CheckContext, fmt: str | None) -> str:
    """One function in a template dialect: a comment saying what is missing, unused and
    unresolved, then the statements to paste."""
    from lambdalint.engine.statements import display_path, needed_statements

    fn = found.fn
    role = f", role {fn.role.name}" if fn.role is not None and fn.role.name else ""
    lines = [f"# {fn.name} ({display_path(fn.loc.path)}:{fn.loc.pos.line}){role}"]
    if not found.analysed:
        why = [d for d in found.doubts if d != "its handler source is not analysed"]
        because = f": {'; '.join(why)}" if why else ""
        lines.append(f"#   its handler source is not analysed{because}")
    for need, status in zip(found.needs, found.statuses, strict=True):
        if need.arn is not None and status.status in ("missing", "denied", "elsewhere"):
            where = f"{display_path(need.loc.path)}:{need.loc.pos.line}"
            lines.append(
                f"#   {_STATUS_WORDS[status.status]}: {need.action} on {need.arn.label()} ({where})"
            )
    unused: dict[tuple[str, int], list[str]] = {}
    for grant in found.unused:
        if not grant.used:
            where = f"{display_path(grant.loc.path)}:{grant.loc.pos.line}"
            entries = unused.setdefault((where, grant.loc.pos.line), [])
            if grant.entry not in entries:
                entries.append(grant.entry)
    for (where, _), entries in unused.items():
        lines.append(f"#   granted, never used: {', '.join(entries)} ({where})")
    for grant in found.unused:
        if grant.used:
            where = f"{display_path(grant.loc.path)}:{grant.loc.pos.line}"
            lines.append(
                f"#   granted, used in part: {grant.entry} grants {grant.count} actions, "
                f"{len(grant.used)} of them used by the code or Lambda itself ({where})"
            )
    for need in found.needs:
        if need.arn is None:
            where = f"{display_path(need.loc.path)}:{need.loc.pos.line}"
            call = need.call.method or need.call.operation
            lines.append(f"#   not resolved: {need.action} for {call} at {where}: {need.why}")
    for call in found.unknown_calls:
        where = f"{display_path(call.loc.path)}:{call.loc.pos.line}"
        lines.append(
            f"#   not resolved: {call.call.method or call.call.operation} at {where}: {call.why}"
        )
    if found.analysed:
        for doubt in found.doubts:
            lines.append(f"#   may be incomplete: {doubt}")
    text = "\n".join(lines) + "\n" + needed_statements(fn, ctx, fmt, found)  # type: ignore[arg-type]
    return clean_lines(text.rstrip("\n")) + "\n"
