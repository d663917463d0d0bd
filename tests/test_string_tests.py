"""The literal prefixes and suffixes the code tests strings for (HandlerSource.string_tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdalint.analysis import node, python
from lambdalint.analysis.facts import regex_tests


@pytest.mark.parametrize(
    ("pattern", "anchored", "expected"),
    [
        ("^out/", False, {("prefix", "out/")}),
        (r"^out/.*\.png$", False, {("prefix", "out/"), ("suffix", ".png")}),
        ("out/", False, set()),
        ("out/", True, {("prefix", "out/")}),
        ("^thumbs?/", False, {("prefix", "thumb")}),
        ("^a|^b", False, set()),
        (r"x\d$", False, set()),
    ],
)
def test_regex_tests(pattern: str, anchored: bool, expected: set[tuple[str, str]]) -> None:
    assert regex_tests(pattern, anchored) == expected


def test_python_and_node_string_tests() -> None:
    py = (
        "import re\n"
        "def handler(event, context):\n"
        "    key = event['key']\n"
        "    if key.startswith('out/') or key.endswith(('.png', '.jpg')) or '/x/' in key:\n"
        "        return\n"
        "    if re.match(r'thumbs/', key):\n"
        "        return\n"
    )
    js = (
        "export const handler = async (event) => {\n"
        "  const key = event.key;\n"
        "  if (key.startsWith('out/') || key.endsWith('.png') || key.endsWith('.jpg')) return;\n"
        "  if (key.includes('/x/') || /^thumbs\\//.test(key)) return;\n"
        "};\n"
    )
    expected = (
        ("contains", "/x/"),
        ("prefix", "out/"),
        ("prefix", "thumbs/"),
        ("suffix", ".jpg"),
        ("suffix", ".png"),
    )
    assert python.analyze(Path("app.py"), py).string_tests == expected
    assert node.analyze(Path("app.mjs"), js).string_tests == expected
