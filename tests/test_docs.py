"""docs/: every page is linked from the index and its links resolve; the snippets name this
version and work as written (pre-commit configurations, the GitHub workflow and its inputs,
the GitLab CI job's commands and reports); the output formats page lists every format; the
text output shown is what lambdalint prints; the changelog has this version."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from lambdalint import __version__

DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.glob("*.md") if p.name != "README.md")
LAMBDALINT = Path(sys.executable).parent / "lambdalint"


def _blocks(page: Path, lang: str) -> list[str]:
    """The code blocks of `page` in `lang`, also those indented in a list item (dedented)."""
    text = page.read_text(encoding="utf-8")
    return [
        textwrap.dedent(m.group(3))
        for m in re.finditer(r"^( *)```(\w*)\n(.*?)^\1```", text, re.MULTILINE | re.DOTALL)
        if m.group(2) == lang
    ]


def test_the_index_links_every_page_and_every_relative_link_resolves() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([\w-]+\.md)\)", index))
    assert linked == {p.name for p in PAGES}
    for page in [DOCS / "README.md", *PAGES]:
        for target in re.findall(r"\]\(([^)#:\s]+)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page.name}: {target}"


def test_every_revision_named_is_this_version() -> None:
    for page in [ROOT / "README.md", *PAGES]:
        text = page.read_text(encoding="utf-8")
        for found in re.findall(r"(?:rev: |lambdalint@|lambdalint-)v?(\d+\.\d+\.\d+)", text):
            assert found == __version__, f"{page.name} names {found}"


def test_pre_commit_snippets_are_valid_and_name_real_hooks(tmp_path: Path) -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    snippets = [s for p in PAGES for s in _blocks(p, "yaml") if "lambdalint/lambdalint" in s]
    snippets = [s for s in snippets if "repo:" in s]
    assert len(snippets) >= 3
    for snippet in snippets:
        text = (
            snippet if snippet.startswith("repos:") else "repos:\n" + textwrap.indent(snippet, "  ")
        )
        config = yaml.safe_load(text)
        for repo in config["repos"]:
            assert repo["rev"] == f"v{__version__}"
            assert {h["id"] for h in repo["hooks"]} <= hooks
        (tmp_path / ".pre-commit-config.yaml").write_text(text)
        clientlib.load_config(str(tmp_path / ".pre-commit-config.yaml"))


def test_the_github_page_lists_every_input_of_the_action() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    page = (DOCS / "github-actions.md").read_text()
    table = set(re.findall(r"^\| `([a-z-]+)` \|", page, re.MULTILINE))
    assert table == set(action["inputs"])
    [workflow] = [
        yaml.safe_load(s) for s in _blocks(DOCS / "github-actions.md", "yaml") if "jobs:" in s
    ]
    [job] = workflow["jobs"].values()
    step = next(s for s in job["steps"] if s.get("uses", "").startswith("lambdalint/lambdalint@"))
    assert step["uses"] == f"lambdalint/lambdalint@v{__version__}"
    assert set(step["with"]) <= set(action["inputs"])


def test_the_output_formats_page_lists_every_format() -> None:
    page = (DOCS / "output-formats.md").read_text()
    listed = set(re.findall(r"^\| `([a-z]+)`", page, re.MULTILINE))
    shipped = {
        p.stem for p in (ROOT / "lambdalint" / "reporters").glob("*.py") if p.stem != "__init__"
    }
    assert listed == shipped


@pytest.fixture
def hello(tmp_path: Path) -> Path:
    dest = tmp_path / "hello-sam"
    shutil.copytree(ROOT / "examples" / "hello-sam", dest)
    return dest


def test_the_gitlab_job_writes_the_reports_it_declares(hello: Path) -> None:
    [job] = [yaml.safe_load(s) for s in _blocks(DOCS / "gitlab-ci.md", "yaml")]
    spec = job["lambdalint"]
    [command] = [c for c in spec["script"] if c.startswith("lambdalint check")]
    args = shlex.split(command)
    done = subprocess.run(
        [str(LAMBDALINT), *args[1:], "--no-cache"],
        cwd=hello,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # findings fail the job
    assert "template.yaml:15:16: LL102" in done.stdout  # the job log
    reports = spec["artifacts"]["reports"]
    quality = json.loads((hello / reports["codequality"]).read_text())
    assert {i["check_name"] for i in quality} == {"LL102", "LL105"}
    suites = ET.parse(hello / reports["junit"]).getroot()
    assert len(suites.findall(".//testcase")) == 2
    assert spec["artifacts"]["when"] == "always"


def test_the_text_output_shown_is_what_lambdalint_prints() -> None:
    done = subprocess.run(
        [str(LAMBDALINT), "check", "examples/hello-sam", "--no-cache", "--color", "never"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"COLUMNS": "400", "PATH": "/usr/bin:/bin"},
    )
    for page in (ROOT / "README.md", DOCS / "output-formats.md"):
        shown = [b for b in _blocks(page, "") if "^^^" in b]
        assert shown, page.name
        for block in shown:
            assert block in done.stdout, page.name


def test_the_changelog_has_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(
        rf"^## \[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M
    )


def test_the_readme_links_absolutely_as_the_package_description() -> None:
    """The README is the package's description on PyPI, where relative links lead nowhere."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    relative = [
        target
        for target in re.findall(r"\]\(([^)\s]+)\)", readme)
        if not target.startswith(("https://", "http://", "#", "mailto:"))
    ]
    assert relative == []
