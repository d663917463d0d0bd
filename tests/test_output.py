"""What `check` prints: the text format (the line of each finding with a caret under its
span), the concise one-liners, colour (`--color`, NO_COLOR, FORCE_COLOR), wrapping at the
terminal's width, several reports from one run (`--output-format FORMAT[:FILE]`), statistics in
every format, the junit and gitlab formats, `explain` on a terminal and the progress line."""

from __future__ import annotations

import io
import json
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT

from lambdalint import app
from lambdalint.cli import main
from lambdalint.progress import Progress
from lambdalint.reporters import formats, render
from lambdalint.settings import build

EXAMPLE = ROOT / "examples" / "hello-sam"
BAD = FIXTURES / "LL102-handler-function-missing" / "wrong-name"


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "hello-sam")
    monkeypatch.chdir(tmp_path / "hello-sam")
    for name in ("NO_COLOR", "FORCE_COLOR", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "hello-sam"


def check(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    done = CliRunner().invoke(main, ["check", "--no-cache", *args], env=env)
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    return done.exit_code, done.stdout, done.stderr


TEXT = """\
hello_world/worker.py:4:11: LL105 handler 'handler' is 'async def': the Python runtime calls it \
without awaiting, so the body never runs. Make it a plain def and run the coroutine with \
asyncio.run()
  |
4 | async def handler(event, context):
  |           ^^^^^^^ error: python-async-handler
  |

template.yaml:15:16: LL102 handler 'app.handler': hello_world/app.py defines no top-level \
callable 'handler' (it defines: lambda_handler)
   |
15 |       Handler: app.handler          # app.py defines lambda_handler
   |                ^^^^^^^^^^^ error: handler-function-missing
   |

Found 2 findings (2 errors, 0 warnings, 0 info) in 2 functions.
1 fixable with --fix --unsafe-fixes.
"""


def test_text_shows_the_line_with_a_caret_under_the_span(example: Path) -> None:
    code, out, _ = check()
    assert code == 1
    assert out == TEXT


def test_concise_keeps_one_line_per_finding_and_format_is_an_alias(example: Path) -> None:
    _, concise, _ = check("--output-format", "concise")
    _, alias, _ = check("--format", "concise")
    assert concise == alias
    assert concise.splitlines()[0].startswith(
        "hello_world/worker.py:4:11: LL105 python-async-handler [error] handler 'handler'"
    )
    assert "|" not in concise and "^" not in concise


def test_colour_follows_the_flag_and_the_environment(example: Path) -> None:
    assert "\x1b[" not in check()[1]  # not a terminal
    assert "\x1b[31m\x1b[1mLL102\x1b[0m" in check("--color", "always")[1]
    assert "\x1b[" in check(env={"FORCE_COLOR": "1"})[1]
    assert "\x1b[" not in check(env={"FORCE_COLOR": "1", "NO_COLOR": "1"})[1]
    assert "\x1b[" not in check("--color", "never", env={"FORCE_COLOR": "1"})[1]
    assert "\x1b[" not in check("--no-color", env={"FORCE_COLOR": "1"})[1]
    assert "\x1b[" in check("--color", "always", env={"NO_COLOR": "1"})[1]  # asked for


def test_long_messages_wrap_at_the_terminal_width(example: Path) -> None:
    _, out, _ = check(env={"COLUMNS": "60"})
    header = out.split("\n  |")[0].splitlines()
    assert header[0].startswith("hello_world/worker.py:4:11: LL105 handler")
    assert len(header) > 2 and all(len(line) <= 60 for line in header)
    assert all(line.startswith("    ") for line in header[1:])
    assert " ".join(part.strip() for part in header) == TEXT.splitlines()[0]


def test_several_reports_from_one_run(example: Path) -> None:
    code, out, _ = check(
        "--output-format", "sarif:out/report.sarif", "--output-format", "github",
        "--output-format", "junit:junit.xml",
    )
    assert code == 1
    assert out.count("::error file=") == 2  # github on standard output
    sarif = json.loads((example / "out" / "report.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == 2
    assert ET.parse(example / "junit.xml").getroot().get("failures") == "2"
    # only files: nothing on standard output
    code, out, _ = check("--output-format", "json:report.json")
    assert code == 1 and out == ""
    assert json.loads((example / "report.json").read_text())["summary"]["total"] == 2
    # -o takes the format without a file of its own
    code, out, _ = check("--output-format", "json", "-o", "main.json", "--output-format", "gitlab:gl.json")
    assert out == "" and json.loads((example / "main.json").read_text())["summary"]["total"] == 2
    assert len(json.loads((example / "gl.json").read_text())) == 2


@pytest.mark.parametrize(
    "args",
    [
        ("--output-format", "text", "--output-format", "json"),  # two on standard output
        ("--output-format", "nope"),
        ("--output-format", "sarif:"),
        ("--output-format", "sarif:a.sarif", "-o", "b.txt"),  # -o names no format
    ],
)
def test_output_usage_errors(example: Path, args: tuple[str, ...]) -> None:
    assert check(*args)[0] == 2


def test_statistics_in_every_format(example: Path) -> None:
    _, text, _ = check("--statistics")
    assert text.split()[:3] == ["1", "LL102", "handler-function-missing"]
    _, concise, _ = check("--statistics", "--output-format", "concise")
    assert concise == text
    code, out, err = check("--statistics", "--output-format", "json")
    assert out, (code, err)
    rows = json.loads(out)
    assert {(r["rule_id"], r["count"]) for r in rows} == {("LL102", 1), ("LL105", 1)}
    assert set(rows[0]) == {"rule_id", "rule", "severity", "count"}
    for fmt in ("sarif", "github", "junit", "gitlab", "markdown"):
        code, out, err = check("--statistics", "--output-format", fmt)
        assert code == 1 and out  # the report as usual ...
        assert "LL102" in err and "handler-function-missing" in err, fmt  # ... the table too


def test_junit_report(example: Path) -> None:
    _, out, _ = check("--output-format", "junit", "--select", "LL102,LL105")
    root = ET.fromstring(out)
    assert root.tag == "testsuites" and root.get("tests") == "2" and root.get("failures") == "2"
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"hello_world/worker.py", "template.yaml"}
    [case] = suites["template.yaml"].iter("testcase")
    assert case.get("line") == "15" and case.get("file") == "template.yaml"
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "LL102"
    assert "defines no top-level callable 'handler'" in (failure.get("message") or "")
    # below fail-on: shown as skipped, not failing
    _, out, _ = check("--output-format", "junit", "--fail-on", "error")
    _, clean, _ = check("--output-format", "junit", "--select", "LL301")
    root = ET.fromstring(clean)
    assert root.get("tests") == "1" and root.get("failures") == "0"


def test_junit_skips_findings_below_fail_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)
    settings = build({"select": ["LL102"], "severity": {"LL102": "info"}})
    root = ET.fromstring(render("junit", app.lint([Path(".")], settings), settings))
    assert root.get("failures") == "0" and root.get("skipped") == "3"


def test_gitlab_code_quality_report(example: Path) -> None:
    _, out, _ = check("--output-format", "gitlab")
    issues = json.loads(out)
    assert len(issues) == 2
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert not issue["location"]["path"].startswith(("/", "./"))
    by_rule = {i["check_name"]: i for i in issues}
    assert by_rule["LL102"]["location"] == {"path": "template.yaml", "lines": {"begin": 15}}
    assert by_rule["LL102"]["severity"] == "major"
    assert len({i["fingerprint"] for i in issues}) == 2
    # the fingerprint does not move with the line
    template = example / "template.yaml"
    template.write_text("# a new first line\n" + template.read_text())
    moved = {i["check_name"]: i for i in json.loads(check("--output-format", "gitlab")[1])}
    assert moved["LL102"]["location"]["lines"]["begin"] == 16
    assert moved["LL102"]["fingerprint"] == by_rule["LL102"]["fingerprint"]


def test_gitlab_tells_identical_findings_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        + "".join(
            f"  F{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            "      InlineCode: 'def handler(e, c): pass'\n      Handler: index.handler\n"
            "      Runtime: python3.12\n      Timeout: 1000\n"
            for i in range(2)
        )
    )
    issues = json.loads(check("--output-format", "gitlab", "--select", "LL501")[1])
    assert len(issues) == 2 and len({i["fingerprint"] for i in issues}) == 2


def test_markdown_cells_cannot_add_markup() -> None:
    from lambdalint.reporters.markdown import cell

    assert cell("a | b") == "a \\| b"
    assert cell("<img src=x>") == "&lt;img src=x&gt;"
    assert cell("[x](http://e)") == "\\[x\\](http:\u200d//e)"
    assert "\n" not in cell("line\nbreak")
    # no mention or bare link when the report is posted as a comment
    for text in ("ping @octocat", "see https://evil.example", "www.evil.example"):
        shown = cell(text)
        assert "@octocat" not in shown and "https://" not in shown and "www." not in shown


def test_every_format_renders_an_empty_result() -> None:
    from lambdalint.engine import Result

    for fmt in formats():
        text = render(fmt, Result(), build())
        assert text == "" or text.endswith("\n"), fmt


def test_explain_renders_markdown_on_a_terminal_and_stays_plain_when_piped() -> None:
    piped = CliRunner().invoke(main, ["explain", "LL102"], env={"FORCE_COLOR": ""}).stdout
    assert piped.startswith("## LL102 handler-function-missing\n")
    assert "```yaml" in piped and "\x1b" not in piped
    shown = CliRunner().invoke(main, ["explain", "LL102"], env={"FORCE_COLOR": "1"}).stdout
    assert shown.startswith("\x1b[1mLL102 handler-function-missing\x1b[0m\n")
    assert "```" not in shown and "##" not in shown
    assert "    \x1b[36mHandler: app.lambda_handler\x1b[0m" in shown  # a code block, indented
    assert "\x1b[36mHandler\x1b[0m" in shown  # inline code
    assert "• https://docs.aws.amazon.com/" in shown


def test_progress_line_appears_only_for_a_long_run() -> None:
    quick = io.StringIO()
    progress = Progress(True, quick, delay=0.5)
    with progress.stage("loading 1 file"):
        pass
    progress.close()
    assert quick.getvalue() == ""
    slow = io.StringIO()
    progress = Progress(True, slow, delay=0.05)
    with progress.stage("checking 3 functions"):
        time.sleep(0.4)
    progress.close()
    written = slow.getvalue()
    assert "lambdalint: checking 3 functions" in written
    assert written.endswith("\r\x1b[K")  # erased before the report is printed
    silent = io.StringIO()
    progress = Progress(False, silent, delay=0)
    with progress.stage("x"):
        time.sleep(0.2)
    progress.close()
    assert silent.getvalue() == ""
