"""Command line: `lambdalint check`, `baseline`, `rules`, `explain`, `show`.

Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage, configuration or internal error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from lambdalint import __version__
from lambdalint.settings import ConfigError, Settings
from lambdalint.reporters import DEFAULT, formats
from lambdalint.rulepack import SEVERITIES, RuleError

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def _fewer_collections() -> None:
    """A run allocates millions of small, mostly acyclic objects (positions, parse trees) that
    live until the end: with the default thresholds the cyclic GC rescans that growing heap
    again and again (a third of a warm run on a large tree). Cycles are still collected."""
    import gc

    gc.set_threshold(50_000, 50, 100)


def _fail(message: str) -> None:
    """Exit 2 with one line; the message may hold a key, a path or a value from a file."""
    from lambdalint.escape import clean

    click.echo(f"lambdalint: error: {clean(message)}", err=True)
    sys.exit(EXIT_ERROR)


def load_config(paths: list[Path], config_file: str | None) -> Settings:
    """The configuration file (explicit, or found walking up from the first path)."""
    try:
        from lambdalint.settings import files
    except ImportError:
        return Settings()
    return files.load(paths, Path(config_file) if config_file else None)


class _Group(click.Group):
    def main(self, *args: Any, **kwargs: Any) -> Any:
        # click exits 2 on usage errors already; make sure nothing else escapes as a traceback
        try:
            return super().main(*args, **kwargs)
        except (KeyboardInterrupt, BrokenPipeError):
            sys.exit(EXIT_ERROR)
        except Exception as exc:  # noqa: BLE001 - a lambdalint bug: one line and exit 2
            if os.environ.get("LAMBDALINT_DEBUG"):
                raise
            from lambdalint.escape import clean

            message = clean(f"{type(exc).__name__}: {exc}")[:300]
            click.echo(f"lambdalint: internal error: {message} (LAMBDALINT_DEBUG=1 shows where)", err=True)
            sys.exit(EXIT_ERROR)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lambdalint")
def main() -> None:
    """lambdalint: find what will break or leak in your AWS Lambda functions before deploying."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(formats()), default=DEFAULT, show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to FILE.")
@click.option("--select", multiple=True, help="Only these rule ids or prefixes (comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these rule ids or prefixes (comma-separated).")
@click.option("--fail-on", type=click.Choice(list(SEVERITIES)), help="Lowest severity that fails (exit 1). Default: warning.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file to use.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path), help="Report only findings not in this baseline file.")
@click.option("--statistics", is_flag=True, help="Print counts per rule instead of findings.")
@click.option("--no-color", is_flag=True, help="No colour (also: NO_COLOR).")
@click.option("--no-cache", is_flag=True, help="Do not read or write .lambdalint_cache/.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary or notices.")
def check(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    exit_zero: bool,
    config_file: str | None,
    baseline: Path | None,
    statistics: bool,
    no_color: bool,
    no_cache: bool,
    quiet: bool,
) -> None:
    """Lint the Lambda functions defined under PATHS (default: the current folder)."""
    from lambdalint import engine
    from lambdalint.reporters import render

    _fewer_collections()
    targets = list(paths) or [Path(".")]
    missing = [str(p) for p in targets if not p.exists() and not p.is_symlink()]
    if missing:
        _fail(f"no such file or folder: {', '.join(missing)}")
        return
    try:
        config = load_config(targets, config_file)
    except ConfigError as exc:
        _fail(str(exc))
        return
    try:
        _check_flag_selectors(config, {"--select": _split(select), "--ignore": _split(ignore)})
    except RuleError as exc:
        _fail(str(exc))
        return
    config = config.with_command_line(_split(select), _split(ignore), fail_on)
    cache = None
    if not no_cache:
        try:
            from lambdalint import cache as cache_mod

            cache = cache_mod.open_cache(Path.cwd())
        except ImportError:
            cache = None
    try:
        result = engine.run(targets, config, source_cache=cache)
    except (RuleError, ConfigError) as exc:
        _fail(str(exc))
        return
    except RecursionError:
        _fail("internal error: input nests too deeply")
        return
    if cache is not None:
        cache.save()
    if baseline is not None:
        try:
            from lambdalint.filters import baseline as baseline_mod
        except ImportError:
            _fail("--baseline is not available in this build")
            return
        try:
            result.findings = baseline_mod.filter_new(result.findings, baseline)
        except (OSError, ValueError) as exc:
            _fail(f"cannot read baseline {baseline}: {exc}")
            return
    color = (
        fmt == "text"
        and output is None
        and not no_color
        and "NO_COLOR" not in os.environ
        and sys.stdout.isatty()
    )
    if statistics and fmt == "text":
        text = _statistics(result)
    else:
        text = render(fmt, result, config, color=color)
        if quiet and fmt == "text":
            text = "\n".join(line for line in text.splitlines()[:-1] if line) + "\n" if result.findings else ""
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot write {output}: {exc.strerror or exc}")
            return
    else:
        click.echo(text, nl=False)
    if not quiet:
        from lambdalint.escape import clean

        for notice in result.notices:
            click.echo(f"lambdalint: {clean(notice)}", err=True)
    from lambdalint.escape import clean as _clean

    for err in result.internal_errors:
        click.echo(f"lambdalint: internal error: {_clean(err)[:500]}", err=True)
    if result.internal_errors:
        sys.exit(EXIT_ERROR)
    threshold = SEVERITIES.index(config.fail_on)
    failing = [
        f for f in result.findings
        if f.suppressed is None and SEVERITIES.index(f.severity) >= threshold
    ]
    if result.project is not None and not result.project.functions:
        _nothing_checked(targets, result.project)
        if any(p.is_dir() for p in targets):
            # a folder with no function in it: nothing was checked, which is no success
            sys.exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_ERROR)
    if exit_zero:
        sys.exit(EXIT_CLEAN)
    sys.exit(EXIT_FINDINGS if failing else EXIT_CLEAN)


def _check_flag_selectors(config: Settings, flags: dict[str, list[str]]) -> None:
    """A rule selector given on the command line that selects no rule is a usage error."""
    from lambdalint.rulepack import all_rules
    from lambdalint.settings.selection import unknown_selector

    if not any(flags.values()):
        return
    rules = all_rules(config.extend_rules)
    for flag, values in flags.items():
        bad = unknown_selector(values, [r.id for r in rules])
        if bad is not None:
            _fail(
                f"invalid value '{bad}' for {flag}: unknown rule selector "
                "(no rule id starts with it; see 'lambdalint rules')"
            )


def _nothing_checked(targets: list[Path], project: Any) -> None:
    """Say plainly that no function was found: for folders an error (exit 2), for files given
    one by one (pre-commit passes the changed files) a line saying they concern no function."""
    from lambdalint.escape import clean

    folders = [p for p in targets if p.is_dir()]
    if not folders:
        click.echo(
            "lambdalint: nothing checked: no Lambda function is defined in the given files, "
            "and none uses them",
            err=True,
        )
        return
    where = ", ".join(clean(str(p)) for p in folders)
    message = f"no Lambda functions found under {where}"
    if project.unsynthesized_cdk_apps:
        message += " (a CDK app: run `cdk synth` first, then lambdalint lints the templates in cdk.out)"
    click.echo(f"lambdalint: error: {message}; nothing was checked", err=True)


def _statistics(result: Any) -> str:
    from collections import Counter

    from lambdalint.escape import clean

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


@main.command("baseline")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=".lambdalint-baseline.json", show_default=True, help="The baseline file to write.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file to use.")
def baseline_cmd(paths: tuple[Path, ...], output: Path, config_file: str | None) -> None:
    """Record today's findings; `check --baseline FILE` then reports only new ones."""
    from lambdalint.filters import baseline
    from lambdalint import engine

    targets = list(paths) or [Path(".")]
    missing = [str(p) for p in targets if not p.exists() and not p.is_symlink()]
    if missing:
        _fail(f"no such file or folder: {', '.join(missing)}")
        return
    try:
        result = engine.run(targets, load_config(targets, config_file))
        count = baseline.write(result.findings, output)
    except (RuleError, ConfigError) as exc:
        _fail(str(exc))
        return
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}")
        return
    from lambdalint.escape import clean

    plural = "s" if count != 1 else ""
    click.echo(f"lambdalint: recorded {count} finding{plural} in {clean(str(output))}", err=True)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
def rules_cmd(fmt: str, config_file: str | None) -> None:
    """List every rule: id, name, severity, summary."""
    from lambdalint.rulepack import all_rules

    try:
        config = load_config([Path(".")], config_file)
        rules = all_rules(config.extend_rules)
    except (RuleError, ConfigError) as exc:
        _fail(str(exc))
        return
    if fmt == "json":
        import json

        click.echo(json.dumps([
            {"id": r.id, "name": r.name, "severity": config.severity.get(r.id, r.severity), "category": r.category, "summary": r.summary}
            for r in rules
        ], indent=2))
        return
    from lambdalint.escape import clean  # custom rules' text comes with the repository

    for r in rules:
        sev = config.severity.get(r.id, r.severity)
        click.echo(f"{clean(r.id):<7} {clean(r.name):<34} {clean(sev):<8} {clean(r.summary)}")


@main.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Print a rule's full description: why it matters, a bad and a good example, how to fix."""
    from lambdalint.rulepack import all_rules

    try:
        config = load_config([Path(".")], None)
        rules = all_rules(config.extend_rules)
    except (RuleError, ConfigError) as exc:
        _fail(str(exc))
        return
    from lambdalint.escape import clean, clean_lines  # custom rules come with the repository

    wanted = rule_id.strip()
    for r in rules:
        if r.id.lower() == wanted.lower() or r.name == wanted:
            click.echo(f"{clean(r.id)} {clean(r.name)} ({clean(r.severity)})\n")
            click.echo(clean_lines(r.summary) + "\n")
            if r.description:
                click.echo(clean_lines(r.description.rstrip()) + "\n")
            extra = _explain_extra(r.id)
            if extra:
                click.echo(extra.rstrip() + "\n")
            if r.references:
                click.echo("References:")
                for ref in r.references:
                    click.echo(f"  - {clean(ref)}")
            return
    _fail(f"unknown rule '{rule_id}' (see 'lambdalint rules')")


def _explain_extra(rule_id: str) -> str:
    """Rule-specific live data for `explain` (e.g. the dated runtime table)."""
    try:
        from lambdalint.engine import reference
    except ImportError:
        return ""
    return reference.text_for(rule_id)  # type: ignore[no-any-return]


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
def show(paths: tuple[Path, ...], fmt: str, config_file: str | None) -> None:
    """Inventory: every function with runtime, handler, timeout, memory, logs, role, events."""
    from lambdalint import engine
    from lambdalint.engine import view

    targets = list(paths) or [Path(".")]
    try:
        config = load_config(targets, config_file)
    except ConfigError as exc:
        _fail(str(exc))
        return
    try:
        project, notices = engine.build_project(targets, config)
    except ConfigError as exc:
        _fail(str(exc))
        return
    from lambdalint.engine.context import CheckContext

    ctx = CheckContext(project, config)  # for the AWS actions each handler's code calls
    if fmt == "json":
        import json

        views = [view.function_view(fn, project, ctx) for fn in project.functions]
        click.echo(json.dumps(view.strict_json(views), indent=2, default=str))
    else:
        click.echo(view.table(project, ctx), nl=False)
    from lambdalint.escape import clean

    for notice in notices:
        click.echo(f"lambdalint: {clean(notice)}", err=True)


if __name__ == "__main__":
    main()
