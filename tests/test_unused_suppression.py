"""LL001 (a suppression comment that suppresses nothing or names an unknown rule) and LL002
(a suppression without a reason, with require-suppression-reason): judged only when the run
lets them be judged, never silenced by the comment they are about."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lambdalint.cli import main
from lambdalint.filters import suppress
from lambdalint.reading import Reader

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fetcher:
    Type: AWS::Serverless::Function
{metadata}    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Timeout: 10{timeout_comment}
"""

APP = """\
import asyncio


async def handler(event, context):{handler_comment}
    await asyncio.sleep(0)
"""


def _project(
    root: Path,
    timeout_comment: str = "",
    handler_comment: str = "",
    metadata: str = "",
    config: str = "",
) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "template.yaml").write_text(
        TEMPLATE.format(timeout_comment=timeout_comment, metadata=metadata)
    )
    (root / "src" / "app.py").write_text(APP.format(handler_comment=handler_comment))
    if config:
        (root / ".lambdalint.yaml").write_text(config)
    return root


def _findings(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[tuple[str, str]]:
    """(rule:file:line, message) of the LL00x findings of `check` with `args`."""
    monkeypatch.chdir(root)
    done = CliRunner().invoke(
        main, ["check", *(args or (".",)), "--no-cache", "--output-format", "concise"]
    )
    assert done.exit_code in (0, 1), done.output
    out = []
    for line in done.stdout.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1].startswith("LL00"):
            where = parts[0].rsplit(":", 2)[0]
            out.append((f"{parts[1]}:{where}", parts[2]))
    return out


def test_an_unused_and_an_unknown_rule_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path, timeout_comment="  # lambdalint: ignore[LL502, LL9999] was 60")
    [(where, message)] = _findings(root, monkeypatch)
    assert where == "LL001:template.yaml:9"
    assert "unknown rule LL9999" in message and "LL502 reports nothing" in message


def test_a_used_suppression_is_not_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path, handler_comment="  # lambdalint: ignore[LL105] wrapped")
    assert _findings(root, monkeypatch) == []


def test_a_rule_that_did_not_run_is_not_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path, timeout_comment="  # lambdalint: ignore[LL502] was 60")
    assert _findings(root, monkeypatch, ".", "--ignore", "LL502") == []
    # a bare ignore needs every rule to have run
    root2 = _project(tmp_path / "b", timeout_comment="  # lambdalint: ignore")
    assert _findings(root2, monkeypatch, ".", "--ignore", "LL502") == []
    assert [w for w, _ in _findings(root2, monkeypatch)] == ["LL001:template.yaml:9"]


def test_files_named_one_by_one_judge_only_unknown_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pre-commit passes changed files: functions outside them are not checked, so a known
    rule's silence proves nothing; an unknown id is wrong in every run."""
    root = _project(tmp_path, timeout_comment="  # lambdalint: ignore[LL502, LL9999] was 60")
    [(where, message)] = _findings(root, monkeypatch, "template.yaml")
    assert where == "LL001:template.yaml:9"
    assert "LL9999" in message and "LL502" not in message


def test_per_file_ignores_and_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the rule is off for the file: nothing to judge
    root = _project(
        tmp_path / "a",
        timeout_comment="  # lambdalint: ignore[LL502] was 60",
        config='per-file-ignores:\n  "template.yaml": [LL502]\n',
    )
    assert _findings(root, monkeypatch) == []
    # LL001 itself can be turned off for a file
    root = _project(
        tmp_path / "b",
        timeout_comment="  # lambdalint: ignore[LL502] was 60",
        config='per-file-ignores:\n  "template.yaml": [LL001]\n',
    )
    assert _findings(root, monkeypatch) == []
    # the comment and the resource's metadata both suppress LL105: the comment is still used
    root = _project(
        tmp_path / "c",
        handler_comment="  # lambdalint: ignore[LL105] wrapped",
        metadata="    Metadata:\n      lambdalint: {ignore: [LL105], reason: wrapped}\n",
    )
    assert _findings(root, monkeypatch) == []


def test_naming_ll001_keeps_a_suppression_on_purpose(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path, timeout_comment="  # lambdalint: ignore[LL502, LL001] flaky")
    assert _findings(root, monkeypatch) == []


def test_a_bare_ignore_does_not_silence_its_own_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(
        tmp_path,
        timeout_comment="  # lambdalint: ignore",
        config="require-suppression-reason: true\n",
    )
    assert sorted(w for w, _ in _findings(root, monkeypatch)) == [
        "LL001:template.yaml:9",
        "LL002:template.yaml:9",
    ]


def test_a_reason_is_required_only_with_the_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    comment = "  # lambdalint: ignore[LL105]"
    root = _project(tmp_path / "a", handler_comment=comment)
    assert _findings(root, monkeypatch) == []
    root = _project(
        tmp_path / "b", handler_comment=comment, config="require-suppression-reason: true\n"
    )
    assert [w for w, _ in _findings(root, monkeypatch)] == ["LL002:src/app.py:4"]
    root = _project(
        tmp_path / "c",
        handler_comment=comment + " wrapped by our runner",
        config="require-suppression-reason: true\n",
    )
    assert _findings(root, monkeypatch) == []


def test_a_python_string_that_looks_like_a_directive_is_no_directive(tmp_path: Path) -> None:
    src = tmp_path / "app.py"
    src.write_text(
        '"""# lambdalint: ignore[LL1] in a docstring"""\n'
        'X = "  # lambdalint: ignore[LL2]"\n'
        "y = 1  # lambdalint: ignore[LL3] why\n"
        "# lambdalint: ignore[LL4]\n"
    )
    found = suppress.directives(src, Reader.for_paths(Reader().limits, [tmp_path]))
    assert [(d.line, d.ids, d.reason, d.alone) for d in found] == [
        (3, ("LL3",), "why", False),
        (4, ("LL4",), "", True),
    ]
