"""The rules stage: run the selected rules over a loaded project and collect their findings.

Discovery and loading come before (app.py sequences the stages); suppressions and baselines
after (filters/). A rule that raises is a lambdalint bug: it becomes an internal error (one
line, exit 2) and the other rules still run.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from lambdalint.engine.context import CheckContext
from lambdalint.findings import Finding
from lambdalint.model import Function, Project
from lambdalint.reading import Reader
from lambdalint.rulepack import Rule, all_rules
from lambdalint.settings import Settings


@dataclass
class Result:
    """What a check run found: the findings (sorted), the notices to print, the rules that ran,
    the project they ran on and the internal errors (lambdalint bugs) met on the way."""

    findings: list[Finding] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    project: Project | None = None
    internal_errors: list[str] = field(default_factory=list)
    # how the run read files (the lines findings point at are read the same way)
    reader: Reader = field(default_factory=Reader)
    # `check --fix`: how many findings of each rule the fixes removed
    fixed: dict[str, int] = field(default_factory=dict)


def selected_rules(settings: Settings) -> list[Rule]:
    return [
        r for r in all_rules(settings.extend_rules, settings.limits) if settings.rule_enabled(r.id)
    ]


def run(
    project: Project,
    rules: Sequence[Rule],
    settings: Settings,
    ctx: CheckContext,
    word_instances: bool = True,
) -> Result:
    """The findings of `rules` on `project`, deduplicated and sorted, with the notices the
    rules and the handler analysis left (a handler file too large to analyse ...).
    `word_instances=False`: the module instances a finding is on stay in its `instances`, out
    of its message (for a caller that merges the findings of several runs, then words them)."""
    result = Result(rules=list(rules), project=project, reader=ctx.reader)
    findings: list[Finding] = []
    # function-scoped rules first: they parse the handler sources project rules report on
    ordered = sorted(rules, key=lambda r: r.scope == "project")
    for rule in ordered:
        for finding in _run_rule(rule, project, ctx, result):
            finding.rule_id = finding.rule_id or rule.id
            finding.severity = settings.severity.get(rule.id) or finding.severity or rule.severity
            if finding.fix is not None and not finding.fix.applicability:
                # the class the rule's YAML declares (a fix the rule does not declare counts as
                # unsafe; a test keeps declarations and checks in step)
                finding.fix = replace(finding.fix, applicability=rule.fix or "unsafe")
            findings.append(finding)
    merged = merge(findings)
    result.findings = sorted(word(merged) if word_instances else merged, key=Finding.sort_key)
    result.notices = _late_notices(ctx)
    return result


def _check_function(rule: Rule) -> Callable[..., Iterable[Finding]]:
    assert rule.check is not None
    module_name, func_name = rule.check.split(".", 1)
    module = importlib.import_module(f"lambdalint.checks.{module_name}")
    func: Callable[..., Iterable[Finding]] = getattr(module, func_name)
    return func


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path).replace(os.sep, "/")
    except ValueError:
        return str(path)


def _late_notices(ctx: CheckContext) -> list[str]:
    """Notices from reading and analysing handler sources while the rules ran (a handler file
    that is too large, binary or too deeply nested to analyse)."""
    out = [f"{_display(d.loc.path)}: {d.message}" for d in ctx.diagnostics if d.notice]
    out += [f"{_display(s.path)}: {s.notice}" for s in ctx.analysed_sources() if s.notice]
    return list(dict.fromkeys(out))


def _run_rule(rule: Rule, project: Project, ctx: CheckContext, result: Result) -> Iterator[Finding]:
    if rule.policy is not None:
        from lambdalint.engine import declarative

        for fn in project.functions:
            try:
                for finding in declarative.evaluate(rule, fn):
                    yield _of_instance(finding, fn)
            except Exception as exc:  # noqa: BLE001 - a bad policy must not stop the run
                result.internal_errors.append(f"{rule.id} ({fn.name}): {type(exc).__name__}: {exc}")
        return
    check = _check_function(rule)
    if rule.scope == "project":
        try:
            yield from check(project, ctx)
        except Exception as exc:  # noqa: BLE001
            result.internal_errors.append(f"{rule.id}: {type(exc).__name__}: {exc}")
        return
    for fn in project.functions:
        try:
            for finding in check(fn, ctx):
                finding = _of_instance(finding, fn)
                finding.function = finding.function or fn.name
                if rule.id in fn.suppressed and finding.suppressed is None:
                    finding.suppressed = fn.suppressed[rule.id]
                yield finding
        except Exception as exc:  # noqa: BLE001
            result.internal_errors.append(
                f"{rule.id} on {_display(fn.loc.path)}:{fn.name}: {type(exc).__name__}: {exc}"
            )


def _of_instance(finding: Finding, fn: Function) -> Finding:
    """A finding on a function a module instance declares names the instance and the call
    that makes it: the module's lines are shared by every call of it (in this configuration
    or another), and only one call may be wrong. Written into the message by `word`."""
    if not fn.module:
        return finding
    name = "" if fn.name in finding.message else fn.name
    call = fn.module_call
    where = f"{_display(call.path)}:{call.pos.line}" if call is not None else ""
    if name or where:
        finding.instances.append((name, where))
    return finding


def _instances(instances: list[tuple[str, str]]) -> str:
    """`in module.a.x, called at main.tf:3 and examples/b/main.tf:2; in module.b.x, ...`"""
    calls: dict[str, list[str]] = {}
    for name, where in instances:
        calls.setdefault(name, [])
        if where and where not in calls[name]:
            calls[name].append(where)
    parts = []
    for name, wheres in calls.items():
        said = [f"in {name}"] if name else []
        if wheres:
            said.append("called at " + " and ".join(wheres))
        parts.append(", ".join(said))
    return "; ".join(parts)


def merge(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per rule, place and message, the first met. The same finding on a module's
    lines from several instances is one finding that lists them all in `instances` (in the order
    met). The findings given are left unchanged (a language server keeps them per function and
    merges them again after each edit)."""
    kept: dict[tuple[str, str, int, int, str], Finding] = {}
    more: dict[tuple[str, str, int, int, str], list[tuple[str, str]]] = {}
    for f in findings:
        # a module's file is spelled as each configuration reached it (examples/a/../../m.tf,
        # examples/b/../../m.tf): one file, one finding
        path = os.path.normpath(f.loc.path)
        key = (f.rule_id, path, f.loc.pos.line, f.loc.pos.column, f.message)
        first = kept.get(key)
        if first is None:
            kept[key] = f
            continue
        listed = more.setdefault(key, list(first.instances))
        listed.extend(i for i in f.instances if i not in listed)
    return [replace(f, instances=more[key]) if key in more else f for key, f in kept.items()]


def word(findings: Iterable[Finding]) -> list[Finding]:
    """The findings of `merge` with the module instances they are on written into their
    messages (new findings where there are some)."""
    return [
        replace(f, message=f"{f.message} ({_instances(f.instances)})") if f.instances else f
        for f in findings
    ]
