"""The release: one version (the package, `--version`, the changelog, the snippets), an MIT
LICENSE named by an SPDX expression, and an sdist that carries every file the tests read."""

from __future__ import annotations

import re
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from click.testing import CliRunner
from conftest import ROOT

from lambdalint import __version__
from lambdalint.cli import main

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_version_from_one_place() -> None:
    project = PYPROJECT["project"]
    assert "version" in project["dynamic"] and "version" not in project
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "lambdalint.__version__"
    }
    done = CliRunner().invoke(main, ["--version"])
    assert done.exit_code == 0 and done.stdout.strip().endswith(__version__)
    assert f"## [{__version__}]" in (ROOT / "CHANGELOG.md").read_text()


def test_license_is_an_spdx_expression_with_its_file() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"  # a string: the table form stops building in 2027
    assert project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    requires = PYPROJECT["build-system"]["requires"]
    assert any(re.fullmatch(r"setuptools>=(\d+)", r) and int(r[12:]) >= 77 for r in requires)


def _manifest_roots() -> set[str]:
    roots = set()
    for line in (ROOT / "MANIFEST.in").read_text().splitlines():
        words = line.split()
        if words and words[0] in ("graft", "include"):
            roots.update(w.split("/")[0] for w in words[1:])
    return roots


def test_the_sdist_carries_what_the_tests_read() -> None:
    """Every top-level file or folder a test opens through ROOT is in the sdist (MANIFEST.in),
    besides what setuptools adds by itself (the package, pyproject.toml, README)."""
    read = set()
    for test in (ROOT / "tests").glob("*.py"):
        read.update(re.findall(r'ROOT / "([\w.-]+)"', test.read_text()))
    read.add("rules")  # the package's rules are packaged from here (package-dir)
    read.add("tests")
    automatic = {"lambdalint", "pyproject.toml", "README.md", "MANIFEST.in"}
    missing = read - automatic - _manifest_roots()
    assert not missing, f"not in MANIFEST.in: {sorted(missing)}"
