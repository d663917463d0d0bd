"""Command line: `lambdalint check`, `baseline`, `rules`, `explain`, `show`, `policy`, `server`.

Only click: each command parses its options into a request, calls its session in app.py,
prints the outcome and exits with its code. Exit codes: 0 nothing at or above --fail-on,
1 findings, 2 usage, configuration or internal error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn, cast

import click

from lambdalint import __version__
from lambdalint.findings import SEVERITIES, Severity
from lambdalint.reporters import DEFAULT, formats

EXIT_ERROR = 2


class _Group(click.Group):
    def main(self, *args: Any, **kwargs: Any) -> Any:
        # click exits 2 on usage errors already; make sure nothing else escapes as a traceback
        try:
            return super().main(*args, **kwargs)
        except (KeyboardInterrupt, BrokenPipeError):
            sys.exit(EXIT_ERROR)
        except Exception as exc:
            if os.environ.get("LAMBDALINT_DEBUG"):
                raise
            from lambdalint.escape import clean

            message = clean(f"{type(exc).__name__}: {exc}")[:300]
            click.echo(
                f"lambdalint: internal error: {message} (LAMBDALINT_DEBUG=1 shows where)",
                err=True,
            )
            sys.exit(EXIT_ERROR)


def _split(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def _run(session: Any, *args: Any) -> NoReturn:
    """Call an app.py session, print its outcome, exit with its code."""
    from lambdalint.app import UsageError
    from lambdalint.escape import clean

    try:
        outcome = session(*args)
    except UsageError as exc:
        # the message may hold a key, a path or a value from a file
        click.echo(f"lambdalint: error: {clean(str(exc))}", err=True)
        sys.exit(EXIT_ERROR)
    if outcome.report is not None:
        click.echo(outcome.report, nl=False)
    for line in outcome.messages:
        click.echo(line, err=True)
    sys.exit(outcome.exit_code)


def _config(value: str | None) -> Path | None:
    return Path(value) if value else None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lambdalint")
def main() -> None:
    """lambdalint: find what will break or leak in your AWS Lambda functions before deploying."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(formats()), default=DEFAULT, show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE.",
)
@click.option("--select", multiple=True, help="Only these rule ids or prefixes (comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these rule ids or prefixes (comma-separated).")
@click.option(
    "--fail-on",
    type=click.Choice(list(SEVERITIES)),
    help="Lowest severity that fails (exit 1). Default: warning.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file to use."
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Report only findings not in this baseline file.",
)
@click.option("--statistics", is_flag=True, help="Print counts per rule instead of findings.")
@click.option("--no-color", is_flag=True, help="No colour (also: NO_COLOR).")
@click.option("--no-cache", is_flag=True, help="Do not read or write .lambdalint_cache/.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary or notices.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes, then report what is left.")
@click.option(
    "--unsafe-fixes", is_flag=True, help="With --fix or --diff: apply the unsafe fixes too."
)
@click.option(
    "--diff",
    is_flag=True,
    help="Print a diff of what --fix would change, change nothing (exit 1 when there is one).",
)
@click.option(
    "--exit-non-zero-on-fix",
    is_flag=True,
    help="With --fix: exit 1 when a file was changed, even if nothing is left to report.",
)
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
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    exit_non_zero_on_fix: bool,
) -> None:
    """Lint the Lambda functions defined under PATHS (default: the current folder)."""
    from lambdalint import app

    request = app.CheckRequest(
        paths=paths,
        fmt=fmt,
        output=output,
        select=_split(select) if select else None,
        ignore=_split(ignore),
        fail_on=cast("Severity | None", fail_on),  # one of SEVERITIES: click checked it
        exit_zero=exit_zero,
        config_file=_config(config_file),
        baseline=baseline,
        statistics=statistics,
        color=not no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty(),
        cache=not no_cache,
        quiet=quiet,
        fix=fix,
        unsafe_fixes=unsafe_fixes,
        diff=diff,
        exit_non_zero_on_fix=exit_non_zero_on_fix,
    )
    _run(app.check, request)


@main.command("baseline")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=".lambdalint-baseline.json",
    show_default=True,
    help="The baseline file to write.",
)
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file to use."
)
def baseline_cmd(paths: tuple[Path, ...], output: Path, config_file: str | None) -> None:
    """Record today's findings; `check --baseline FILE` then reports only new ones."""
    from lambdalint import app

    _run(app.baseline, paths, output, _config(config_file))


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
def rules_cmd(fmt: str, config_file: str | None) -> None:
    """List every rule: id, name, severity, summary."""
    from lambdalint import app

    _run(app.rules, fmt, _config(config_file))


@main.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Print a rule's full description: why it matters, a bad and a good example, how to fix."""
    from lambdalint import app

    _run(app.explain, rule_id, sys.stdout.isatty() and "NO_COLOR" not in os.environ)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
def show(paths: tuple[Path, ...], fmt: str, config_file: str | None) -> None:
    """Inventory: every function with runtime, handler, timeout, memory, logs, role, events."""
    from lambdalint import app

    _run(app.show, paths, fmt, _config(config_file))


@main.command("policy")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--function", "function", help="Only the function of this name.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "sam", "cloudformation", "terraform", "serverless"]),
    help="Output format (default: each function in the dialect of its template).",
)
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
def policy_cmd(
    paths: tuple[Path, ...], function: str | None, fmt: str | None, config_file: str | None
) -> None:
    """The least-privilege IAM statements each function's code needs, next to its role."""
    from lambdalint import app

    request = app.PolicyRequest(
        paths=paths, function=function, fmt=fmt, config_file=_config(config_file)
    )
    _run(app.policy, request)


@main.command()
@click.option("--stdio", is_flag=True, help="Talk over standard input and output (the default).")
def server(stdio: bool) -> None:
    """Run the language server (LSP over standard input and output) for editors."""
    from lambdalint.server import serve

    serve()


if __name__ == "__main__":
    main()
