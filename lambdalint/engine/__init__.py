"""Run the pipeline: discover → load → model → rules → suppressions → findings."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambdalint import discover as discovery
from lambdalint.settings import Settings, check_selectors
from lambdalint.engine.context import CheckContext
from lambdalint.findings import Finding
from lambdalint.loaders import INTERNAL, load_project, set_limits
from lambdalint.model import Function, Project
from lambdalint.rulepack import Rule, all_rules


@dataclass
class Result:
    findings: list[Finding] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    project: Project | None = None
    internal_errors: list[str] = field(default_factory=list)


def selected_rules(settings: Settings) -> list[Rule]:
    return [r for r in all_rules(settings.extend_rules) if settings.rule_enabled(r.id)]


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


# parsed templates come from the cache (cache.SourceCache) when a run loads at least this many:
# reading a cache shard costs more than parsing a few templates (the pre-commit case)
DOCUMENT_CACHE_MIN_FILES = 48


def build_project(
    paths: list[Path], settings: Settings, source_cache: Any = None
) -> tuple[Project, list[str]]:
    set_limits(settings.limits, paths)
    found = discovery.discover(paths, settings.exclude)
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
    from lambdalint import reading

    if len(configs) >= DOCUMENT_CACHE_MIN_FILES and hasattr(source_cache, "get_document"):
        reading.DOCUMENTS = source_cache
    try:
        project = load_project(Path.cwd(), configs)
    finally:
        reading.DOCUMENTS = None
    project.unsynthesized_cdk_apps = list(found.unsynthesized_cdk_apps)
    if mapped:
        sources = [s.resolve() for s in found.sources]
        project.functions = [
            fn
            for fn in project.functions
            if fn.loc.path.resolve() not in mapped or _uses_any(fn, sources)
        ]
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


def run(paths: list[Path], settings: Settings, source_cache: Any = None) -> Result:
    check_selectors(settings, all_rules(settings.extend_rules))
    project, notices = build_project(paths, settings, source_cache)
    result = Result(notices=notices, project=project)
    loaded_diagnostics = len(project.diagnostics)
    result.internal_errors.extend(
        f"loading {_display(d.loc.path)}: {d.message}"
        for d in project.diagnostics
        if d.rule_id == INTERNAL
    )
    rules = selected_rules(settings)
    result.rules = rules
    ctx = CheckContext(project, settings, source_cache)
    findings: list[Finding] = []
    # function-scoped rules first: they parse the handler sources project rules report on
    ordered = sorted(rules, key=lambda r: r.scope == "project")
    for rule in ordered:
        for finding in _run_rule(rule, project, ctx, result):
            finding.rule_id = finding.rule_id or rule.id
            finding.severity = settings.severity.get(rule.id) or finding.severity or rule.severity
            findings.append(finding)
    from lambdalint.filters import suppress

    findings = suppress.apply(_dedupe(findings), project, settings)
    findings.sort(key=Finding.sort_key)
    result.findings = findings
    # (a link out of the tree may be met by discovery and again by a handler's code location)
    result.notices = list(dict.fromkeys(notices + _late_notices(project, ctx, loaded_diagnostics)))
    return result


def _late_notices(project: Project, ctx: CheckContext, start: int) -> list[str]:
    """Notices from reading and analysing handler sources while the rules ran (a handler file
    that is too large, binary or too deeply nested to analyse)."""
    out = [f"{_display(d.loc.path)}: {d.message}" for d in project.diagnostics[start:] if d.notice]
    out += [f"{_display(s.path)}: {s.notice}" for s in ctx.analysed_sources() if s.notice]
    return list(dict.fromkeys(out))


def _run_rule(rule: Rule, project: Project, ctx: CheckContext, result: Result) -> Iterator[Finding]:
    if rule.policy is not None:
        from lambdalint.engine import declarative

        for fn in project.functions:
            try:
                yield from declarative.evaluate(rule, fn)
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
                finding.function = finding.function or fn.name
                if rule.id in fn.suppressed and finding.suppressed is None:
                    finding.suppressed = fn.suppressed[rule.id]
                yield finding
        except Exception as exc:  # noqa: BLE001
            result.internal_errors.append(
                f"{rule.id} on {_display(fn.loc.path)}:{fn.name}: {type(exc).__name__}: {exc}"
            )


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, int, int, str]] = set()
    out = []
    for f in findings:
        key = (f.rule_id, str(f.loc.path), f.loc.pos.line, f.loc.pos.column, f.message)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out
