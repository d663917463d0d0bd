"""The sessions of the command line: `check`, `baseline`, `show`, `policy`, `rules`, `explain`.

Each one sequences the stages (settings → discover → load → rules → filters → report), decides
the exit code, and returns what to print as an `Outcome`: cli.py only parses the options and
prints. A problem the user can fix (a missing path, a bad configuration or rule file) is a
`UsageError`, printed as one `lambdalint: error:` line with exit code 2.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lambdalint import discover as discovery
from lambdalint.engine import Result, selected_rules
from lambdalint.escape import clean, clean_lines
from lambdalint.findings import SEVERITIES, Severity
from lambdalint.model import Function, Project
from lambdalint.reading import Reader
from lambdalint.rulepack import Rule, RuleError, all_rules
from lambdalint.settings import ConfigError, Settings, check_selectors

if TYPE_CHECKING:
    from lambdalint.cache import SourceCache
    from lambdalint.engine.context import CheckContext
    from lambdalint.fixing import FixRun

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
    fmt: str = "text"
    output: Path | None = None
    select: Sequence[str] | None = None  # None: no --select given
    ignore: Sequence[str] = ()
    fail_on: Severity | None = None
    exit_zero: bool = False
    config_file: Path | None = None
    baseline: Path | None = None
    statistics: bool = False
    # colour is wanted (no --no-color, no NO_COLOR) and standard output is a terminal
    color: bool = False
    cache: bool = True
    quiet: bool = False
    fix: bool = False  # apply the applicable fixes (`--fix`)
    unsafe_fixes: bool = False  # unsafe fixes are applicable too (`--unsafe-fixes`)
    diff: bool = False  # print what `--fix` would change, change nothing (`--diff`)
    # exit 1 when `--fix` changed a file, even if nothing is left (`--exit-non-zero-on-fix`)
    exit_non_zero_on_fix: bool = False


def load_settings(paths: Sequence[Path], config_file: Path | None) -> Settings:
    """The settings of the configuration file (explicit, or found walking up from the first
    path)."""
    from lambdalint.settings import files

    return files.load(list(paths), config_file)


# ---------------------------------------------------------------------------- check


def check(request: CheckRequest) -> Outcome:
    _fewer_collections()
    targets = _targets(request.paths)
    try:
        settings = load_settings(targets, request.config_file)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    try:
        _check_flag_selectors(
            settings, {"--select": request.select or (), "--ignore": request.ignore}
        )
    except RuleError as exc:
        raise UsageError(str(exc)) from None
    settings = settings.with_command_line(request.select, request.ignore, request.fail_on)
    settings = replace(settings, unsafe_fixes=request.unsafe_fixes)
    cache = _open_cache() if request.cache else None

    from lambdalint.reporters import shows_edits

    code_fixes = request.fix or request.diff or shows_edits(request.fmt)

    def lint_with(overlay: Mapping[str, str]) -> Result:
        try:
            result = lint(targets, settings, cache, overlay, code_fixes)
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
    if cache is not None:
        cache.save()
    result.notices = list(dict.fromkeys(result.notices + fix_notices))
    outcome = Outcome(report=_report(request, result, settings))
    if request.output is not None:
        from lambdalint.writing import write_text

        try:
            write_text(request.output, outcome.report or "")
        except OSError as exc:
            raise UsageError(f"cannot write {request.output}: {exc.strerror or exc}") from None
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


def lint(
    paths: Sequence[Path],
    settings: Settings,
    cache: SourceCache | None = None,
    overlay: Mapping[str, str] | None = None,
    code_fixes: bool = True,
) -> Result:
    """Every stage but the report: the findings of the selected rules on the functions under
    `paths`, suppressions applied. `cache` (cache.SourceCache) keeps parsed files between runs;
    `overlay` gives texts that stand for files (by real path: `--fix` between rounds);
    `code_fixes`: compute the edits of fixes that rewrite handler code (else announce them)."""
    from lambdalint import engine
    from lambdalint.engine.context import CheckContext
    from lambdalint.filters import suppress
    from lambdalint.loaders import INTERNAL

    check_selectors(settings, all_rules(settings.extend_rules, settings.limits))
    reader = Reader.for_paths(settings.limits, list(paths), overlay)
    project, notices = load(paths, settings, reader, cache)
    internal = [
        f"loading {_display(d.loc.path)}: {d.message}"
        for d in project.diagnostics
        if d.rule_id == INTERNAL
    ]
    ctx = CheckContext(project, settings, reader, cache, code_fixes)
    result = engine.run(project, selected_rules(settings), settings, ctx)
    result.findings = suppress.apply(result.findings, project, settings, reader)
    result.internal_errors = internal + result.internal_errors
    # (a link out of the tree may be met by discovery and again by a handler's code location)
    result.notices = list(dict.fromkeys(notices + result.notices))
    return result


def load(
    paths: Sequence[Path], settings: Settings, reader: Reader, cache: SourceCache | None = None
) -> tuple[Project, list[str]]:
    """Discover and load the project under `paths`, with the notices met doing so. Given
    handler sources (pre-commit passes the changed files), the templates near them are loaded
    too, keeping only their functions that use those sources."""
    from lambdalint.loaders import load_project

    found = discovery.discover(list(paths), settings.exclude)
    notices = [f"{_display(p)}: {msg}" for p, msg in found.notices]
    configs = list(found.configs)
    mapped: set[Path] = set()
    if found.sources:
        known = {c.resolve() for c in configs}
        stop = Path.cwd()
        noticed = {p for p, _ in found.notices}
        for src in found.sources:
            near = discovery.templates_near(src, stop)
            for path, msg in near.notices:
                if path not in noticed:
                    noticed.add(path)
                    notices.append(f"{_display(path)}: {msg}")
            for tpl in near.configs:
                if tpl.resolve() not in known:
                    known.add(tpl.resolve())
                    configs.append(tpl)
                    mapped.add(tpl.resolve())
    project = load_project(Path.cwd(), configs, reader)
    project = replace(project, unsynthesized_cdk_apps=tuple(found.unsynthesized_cdk_apps))
    if mapped:
        sources = [s.resolve() for s in found.sources]
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


def _report(request: CheckRequest, result: Result, settings: Settings) -> str:
    if request.statistics and request.fmt == "text":
        return _statistics(result)
    from lambdalint.reporters import render

    color = request.color and request.fmt == "text" and request.output is None
    text = render(request.fmt, result, settings, color=color)
    if request.quiet and request.fmt == "text":
        # the findings only: no summary (the block after the last blank line)
        body = text.rstrip("\n").rpartition("\n\n")[0]
        lines = [line for line in body.splitlines() if line]
        return "\n".join(lines) + "\n" if lines else ""
    return text


def _statistics(result: Result) -> str:
    names = {r.id: r for r in result.rules}
    counts = Counter(f.rule_id for f in result.findings if f.suppressed is None)
    lines = []
    for rid, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = names.get(rid)
        name, severity = (clean(rule.name), clean(rule.severity)) if rule else ("", "")
        lines.append(f"{n:5d}  {clean(rid):<7} {name:<34} [{severity}]")
    if not lines:
        lines.append("No findings.")
    return "\n".join(lines) + "\n"


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
    fix, its options and live data), as docs/rules.md has it; headings in bold on a terminal."""
    from lambdalint.engine import reference

    settings, pack = _rule_pack(None)
    wanted = rule_id.strip()
    for r in pack:
        if r.id.lower() == wanted.lower() or r.name == wanted:
            text = reference.section(r, settings.options.given, live=True)
            # custom rules come with the repository: their text is escaped
            lines = clean_lines(text.rstrip("\n")).split("\n")
            if tty:
                lines = [
                    f"\x1b[1m{line}\x1b[0m" if line.startswith("#") else line for line in lines
                ]
            return Outcome(report="\n".join(lines) + "\n")
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
