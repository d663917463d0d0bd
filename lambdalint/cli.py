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
        # the session decided on colour (--color, NO_COLOR, FORCE_COLOR): click must not strip it
        click.echo(outcome.report, nl=False, color=True)
    for line in outcome.messages:
        click.echo(line, err=True)
    sys.exit(outcome.exit_code)


def _config(value: str | None) -> Path | None:
    return Path(value) if value else None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lambdalint")
def main() -> None:
    """lambdalint: find what will break or leak in your AWS Lambda functions before deploying."""


def _color(choice: str, stream: Any) -> bool:
    """`--color auto|always|never`: auto colours a terminal unless NO_COLOR is set;
    FORCE_COLOR (non-empty) colours even a pipe; NO_COLOR wins over FORCE_COLOR in auto."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def _width(stream: Any) -> int | None:
    """The columns to wrap messages at: the terminal's, or COLUMNS when set; None (no
    wrapping) for a pipe or a file."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if getattr(stream, "isatty", lambda: False)():
        import shutil

        return shutil.get_terminal_size().columns
    return None


def _outputs(
    values: tuple[str, ...], output: Path | None
) -> tuple[str | None, list[tuple[str, Path]]]:
    """`--output-format FORMAT[:FILE]` (repeatable) → the format written to standard output
    (or `-o FILE`), None when every format has its own file, and the (format, file) pairs."""
    known = formats()
    main_format: str | None = None
    files: list[tuple[str, Path]] = []
    for value in values:
        name, sep, file = value.partition(":")
        name = name.strip()
        if name not in known:
            raise click.BadParameter(
                f"unknown format {name!r} (one of {', '.join(known)})", param_hint="--output-format"
            )
        if sep and not file:
            raise click.BadParameter(f"{value!r}: no file after ':'", param_hint="--output-format")
        if sep:
            files.append((name, Path(file)))
        elif main_format is not None:
            raise click.BadParameter(
                f"{main_format} and {name} both write to standard output; give one of them a "
                "file (FORMAT:FILE)",
                param_hint="--output-format",
            )
        else:
            main_format = name
    if not values:
        main_format = DEFAULT
    if output is not None and main_format is None:
        raise click.BadParameter(
            "-o names no format: every --output-format has its own file", param_hint="-o"
        )
    return main_format, files


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--output-format",
    "--format",
    "output_formats",
    multiple=True,
    metavar="FORMAT[:FILE]",
    help=f"Output format ({', '.join(formats())}); default {DEFAULT}. Repeatable: FORMAT:FILE "
    "writes that format to FILE, so one run writes several reports (--output-format "
    "sarif:lambdalint.sarif --output-format github). --format is the same option.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report of the format without its own file to FILE.",
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
@click.option(
    "--statistics",
    is_flag=True,
    help="Counts per rule instead of findings (json: a JSON list; formats made for tools: "
    "the report as usual and the table on standard error).",
)
@click.option(
    "--color",
    "color_choice",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text output (auto: on a terminal; also NO_COLOR, FORCE_COLOR).",
)
@click.option("--no-color", is_flag=True, help="Same as --color never.")
@click.option("--no-cache", is_flag=True, help="Do not read or write .lambdalint_cache/.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary or notices.")
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Apply exclude (and .gitignore) to files named on the command line too, as "
    "`check .` would: for pre-commit, which passes changed files one by one.",
)
@click.option(
    "--respect-gitignore/--no-respect-gitignore",
    default=None,
    help="Skip what .gitignore, .git/info/exclude and nested .gitignore files ignore "
    "(default: on; config: respect-gitignore).",
)
@click.option(
    "--git-deleted",
    is_flag=True,
    help="Also check the templates that used a file the git index deletes or renames away "
    "(pre-commit passes only files that exist); with no PATHS, only those.",
)
@click.option(
    "--stdin-filename",
    type=click.Path(path_type=Path),
    help="With PATH `-`: the path the text read from standard input stands at.",
)
@click.option("--show-files", is_flag=True, help="List the files that would be read, and as what.")
@click.option("--show-settings", is_flag=True, help="Print the resolved configuration.")
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
    output_formats: tuple[str, ...],
    output: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    exit_zero: bool,
    config_file: str | None,
    baseline: Path | None,
    statistics: bool,
    color_choice: str,
    no_color: bool,
    no_cache: bool,
    quiet: bool,
    force_exclude: bool,
    respect_gitignore: bool | None,
    git_deleted: bool,
    stdin_filename: Path | None,
    show_files: bool,
    show_settings: bool,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    exit_non_zero_on_fix: bool,
) -> None:
    """Lint the Lambda functions defined under PATHS (default: the current folder)."""
    from lambdalint import app

    fmt, files = _outputs(output_formats, output)
    stream = sys.stdout
    request = app.CheckRequest(
        paths=paths,
        fmt=fmt,
        output=output,
        outputs=tuple(files),
        select=_split(select) if select else None,
        ignore=_split(ignore),
        fail_on=cast("Severity | None", fail_on),  # one of SEVERITIES: click checked it
        exit_zero=exit_zero,
        config_file=_config(config_file),
        baseline=baseline,
        statistics=statistics,
        color=_color("never" if no_color else color_choice, stream),
        width=_width(stream),
        cache=not no_cache,
        quiet=quiet,
        force_exclude=force_exclude,
        respect_gitignore=respect_gitignore,
        git_deleted=git_deleted,
        stdin_filename=stdin_filename,
        progress=not quiet and _is_tty(sys.stderr),
        fix=fix,
        unsafe_fixes=unsafe_fixes,
        diff=diff,
        exit_non_zero_on_fix=exit_non_zero_on_fix,
    )
    if show_settings:
        _run(app.show_settings, request)
    if show_files:
        _run(app.show_files, request)
    _run(app.check, request)


def _is_tty(stream: Any) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


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

    _run(app.explain, rule_id, _color("auto", sys.stdout))


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
