"""The fast reader of plain HCL expressions (Terraform JSON `${...}`) gives exactly what the full
HCL grammar gives, and hands everything else to the grammar."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdalint.loaders.terraform import expressions, hcl
from lambdalint.reading.positions import LList, LMap
from lambdalint.loaders.terraform.model import Call, Key, Ref
from lambdalint.model import Pos

AT = Pos(7, 12)


def shape(value: Any) -> Any:
    """Everything that tells two results apart: types (Key vs str), order, every position."""
    if isinstance(value, LMap):
        return (
            "map",
            value.pos,
            [
                (type(k).__name__, k, shape(v), value.key_pos.get(k), value.value_pos.get(k))
                for k, v in value.items()
            ],
        )
    if isinstance(value, LList):
        return ("list", value.pos, [shape(v) for v in value], list(value.item_pos))
    if isinstance(value, Call):
        return ("call", value.name, tuple(shape(a) for a in value.args), value.pos)
    if isinstance(value, Ref):
        return ("ref", tuple((type(p).__name__, p) for p in value.parts), value.pos)
    return (type(value).__name__, value)


def both(text: str) -> tuple[Any, Any]:
    fast = expressions.parse(text, AT)
    return fast, hcl.parse_expression_with_grammar(text, AT)


PLAIN = [
    'jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", '
    'Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.b.arn}/*"}]})'.replace(
        '"${aws_s3_bucket.b.arn}/*"', "aws_s3_bucket.b.arn"
    ),
    '{a = 1, b = 2.5, c = 1e3, d = true, e = null, "f g" = "x\\ny\\"z\\u00e9"}',
    "{\n  a = 1\n  b = [1, 2,]\n}",
    "[]",
    "{}",
    'merge(local.tags, {Name = "x"})',
    'aws_s3_bucket.b["key"].arn',
    "var.list[0]",
    'format("%s-%s", var.a, var.b)',
    '"with $ dollar and % percent"',
    '"a\\\\b"',
    "{a = 1, for = 2}",
    '{a: 1, b: "c"}',
    '{"Key-With-Dash" = 1, key-dash = 2}',
    "{a = {b = {c = [1, [2, [3]]]}}}",
    '"\\u00e9\\U0001F600\\t"',
]

NOT_PLAIN = [
    '{a = "x" # a comment\n}',
    "-1",
    "jsonencode({a = [for x in var.l : x]})",
    'file("${path.module}/x.json")',
    'tolist(["a", "b"])[0]',
    "aws_lambda_function.x.*.arn",
    "var.a ? 1 : 2",
    "var.a + 1",
    "f(var.list...)",
    "provider::aws::arn_parse(var.a)",
    '"%{ if var.a }x%{ endif }"',
    "<<EOF\nx\nEOF\n",
    "{(local.key) = 1}",
    "{a = 1 b = 2}",
    "{true = 1}",  # the grammar keeps a literal word as key unevaluated
    "{for = 1}",  # `{for` starts a for expression (here a broken one)
]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_expressions_match_the_grammar(text: str) -> None:
    fast, grammar = both(text)
    assert fast is not expressions.NOT_PLAIN
    assert shape(fast) == shape(grammar)


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_other_expressions_go_to_the_grammar(text: str) -> None:
    assert expressions.parse(text, AT) is expressions.NOT_PLAIN


def test_keys_and_index_steps_keep_their_kind() -> None:
    value = expressions.parse('{k = x["a"][0].b}', AT)
    ref = value["k"]
    assert isinstance(ref, Ref) and ref.parts == ("x", Key("a"), 0, "b")
    assert isinstance(ref.parts[1], Key)


def test_deep_nesting_is_left_to_the_grammar() -> None:
    deep = "[" * 500 + "]" * 500
    assert expressions.parse(deep, AT) is expressions.NOT_PLAIN


# generated expressions: whenever the fast reader accepts one, the grammar must agree
_names = st.sampled_from(["a", "var", "local", "aws_iam_role", "x-y", "for", "true", "null"])
_strings = st.lists(
    st.sampled_from(list('ab $%{}\\"é') + ["\\n", "\\u00e9", "${", "%{"]), max_size=8
).map(lambda parts: '"' + "".join(parts) + '"')
_leaves = st.one_of(
    _strings,
    st.integers(0, 10**6).map(str),
    st.sampled_from(["1.5", "2e3", "0.25E-2", "true", "false", "null"]),
    st.lists(_names, min_size=1, max_size=3).map(".".join),
)
_blank = st.sampled_from(["", " ", "\n", "  \n "])


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    items = st.lists(st.tuples(inner, _blank), max_size=3)
    keys = st.one_of(_names, _strings)
    return st.one_of(
        items.map(lambda xs: "[" + ", ".join(x + b for x, b in xs) + "]"),
        st.lists(
            st.tuples(
                keys, st.sampled_from(["=", ":", " = "]), inner, st.sampled_from([",", "\n", ", "])
            ),
            max_size=3,
        ).map(lambda xs: "{" + "".join(f"{k}{op}{v}{sep}" for k, op, v, sep in xs) + "}"),
        st.tuples(st.sampled_from(["jsonencode", "merge", "f"]), items).map(
            lambda t: t[0] + "(" + ", ".join(x for x, _ in t[1]) + ")"
        ),
        st.tuples(
            st.lists(_names, min_size=1, max_size=2), st.sampled_from(['["k"]', "[0]", ".b", ""])
        ).map(lambda t: ".".join(t[0]) + t[1]),
    )


EXPRESSIONS = st.recursive(_leaves, _extend, max_leaves=12)


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(EXPRESSIONS)
def test_generated_expressions_match_the_grammar(text: str) -> None:
    fast, grammar = both(text)
    if fast is not expressions.NOT_PLAIN:
        assert shape(fast) == shape(grammar)
