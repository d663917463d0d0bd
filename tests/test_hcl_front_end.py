"""The HCL front end (tree-sitter's grammar, lambdalint/loaders/terraform/hcl.py) gives what
the one before it gave (python-hcl2's Lark grammar, kept in tests/hcl_lark.py): the same
blocks, attributes, values, expression objects, texts and positions, on every .tf file of the
fixtures, on files written for it (tests/data/hcl: heredocs, `%{}` directives, for
expressions, splats, conditionals, escapes, comments, CRLF, long runs of blanks), and on every
.tf/.tfvars file under the folders named in LAMBDALINT_HCL_COMPARE (colon-separated: checked-out
public repositories; nothing of them belongs here).

Known differences, where the old grammar refused valid HCL (an LL100 before, a model now):
strip markers (`${~ x ~}`), non-ASCII identifiers, a newline inside a parenthesised object key
of a for expression. And where it accepted what Terraform refuses (now an LL100): escapes
HCL does not have (`"\\a"`), `{for = 1}`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("hcl2", reason="python-hcl2 (a test dependency) is needed")
import hcl_lark  # noqa: E402

from lambdalint.loaders.terraform import hcl  # noqa: E402
from lambdalint.loaders.terraform.model import (  # noqa: E402
    Call,
    Key,
    Opaque,
    Ref,
    SourceText,
    Template,
    TfFile,
)
from lambdalint.model import Pos  # noqa: E402
from lambdalint.reading import DEFAULT_LIMITS  # noqa: E402
from lambdalint.reading.positions import LList, LMap  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "hcl"


def shape(value: Any) -> Any:
    """Everything that tells two results apart: types, order, texts and every position."""
    if isinstance(value, LMap):
        return (
            "map",
            value.pos,
            [
                (shape(k), shape(v), value.key_pos.get(k), value.value_pos.get(k))
                for k, v in value.items()
            ],
        )
    if isinstance(value, LList):
        return ("list", value.pos, [shape(v) for v in value], list(value.item_pos))
    if isinstance(value, SourceText):
        return ("source", str(value), value.start, value.verbatim)
    if isinstance(value, Key):
        return ("key", str(value))
    if isinstance(value, Ref):
        return ("ref", tuple(shape(p) for p in value.parts), value.pos)
    if isinstance(value, Template):
        return ("template", tuple(shape(p) for p in value.parts), value.pos)
    if isinstance(value, Call):
        return ("call", value.name, tuple(shape(a) for a in value.args), value.pos)
    if isinstance(value, Opaque):
        return ("opaque", value.text, tuple(shape(r) for r in value.refs), value.pos)
    if isinstance(value, dict):
        return ("dict", [(shape(k), shape(v)) for k, v in value.items()])
    return (type(value).__name__, value)


def file_shape(tf: TfFile) -> Any:
    return (
        [(r.mode, r.type, r.name, shape(r.body), r.loc) for r in tf.resources],
        [(v.name, shape(v.default), v.sensitive, v.loc) for v in tf.variables],
        [(k, shape(v), loc) for k, (v, loc) in tf.locals.items()],
        [(m.type, m.name, shape(m.body), m.loc) for m in tf.module_calls],
    )


def compare(path: Path, refused_before: bool = False) -> str | None:
    """None when both front ends agree on the file (or both refuse it), else the difference.
    `refused_before`: a file the old grammar refused and the new one reads is no difference
    (valid HCL the old grammar did not know, see above)."""
    text = path.read_text(encoding="utf-8")
    if path.name.endswith(".tfvars"):
        old = shape(hcl_lark.parse_attributes(path, text, DEFAULT_LIMITS))
        new = shape(hcl.parse_attributes(path, text, DEFAULT_LIMITS))
        return None if old == new else f"{path}: values differ"
    try:
        old = file_shape(hcl_lark.parse_file(path, text))
    except hcl_lark.HclError:
        old = "syntax error"
    try:
        new = file_shape(hcl.parse_file(path, text))
    except hcl.HclError:
        new = "syntax error"
    if old == new or (refused_before and old == "syntax error"):
        return None
    return f"{path}: {str(old)[:300]} != {str(new)[:300]}"


def _files(*roots: Path) -> list[Path]:
    out: list[Path] = []
    for root in roots:
        for suffix in ("*.tf", "*.tfvars"):
            out += [p for p in root.rglob(suffix) if p.is_file() and not p.is_symlink()]
    return sorted(out)


def test_fixtures_and_written_cases_read_as_before() -> None:
    files = _files(ROOT / "fixtures", DATA)
    assert len(files) > 40
    differences = [d for d in map(compare, files) if d is not None]
    assert not differences, "\n".join(differences[:5])


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.tf")))
def test_windows_line_endings_read_as_before(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes((DATA / name).read_bytes().replace(b"\n", b"\r\n"))
    assert compare(path) is None


def test_folders_given_to_compare() -> None:
    given = [Path(p) for p in os.environ.get("LAMBDALINT_HCL_COMPARE", "").split(":") if p]
    if not given:
        pytest.skip("LAMBDALINT_HCL_COMPARE names no folder of Terraform to compare on")
    files = _files(*given)
    differences = [d for d in (compare(f, refused_before=True) for f in files) if d is not None]
    assert not differences, f"{len(differences)} of {len(files)} files:\n" + "\n".join(
        differences[:10]
    )


@pytest.mark.parametrize(
    "text",
    [
        "var.a ? 1 : 2",
        "var.a + var.b # comment",
        "[for x in var.l : x.id if x.ok]",
        "{for k, v in var.m : k => v...}",
        "var.l[*].id",
        "var.l.*.id[0]",
        'jsonencode({a = "${var.b}"})',
        "f(var.l...)",
        "provider::aws::arn_parse(var.a)",
        '"%{ if var.a }x%{ endif }"',
        "(local.a).b",
        "-1",
        "-1.5",
        "!var.x",
        'var.m[var.k].x["y"][0]',
    ],
)
def test_expressions_read_as_before(text: str) -> None:
    at = Pos(3, 9)
    assert shape(hcl.parse_expression_with_grammar(text, at)) == shape(
        hcl_lark.parse_expression_with_grammar(text, at)
    )
