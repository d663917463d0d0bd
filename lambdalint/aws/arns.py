"""ARNs with parts that are not known yet, and whether an IAM `Resource` covers one.

Values in the model are rendered text in which `${...}` placeholders stand for what is only
known at deploy time: a project resource's identifier (`${Uploads}`, `${Uploads.Arn}`,
`${aws_s3_bucket.u.arn}`), the partition, region or account (`${AWS::Region}`,
`${data.aws_region.current.name}`), or anything else. Here such text becomes a sequence of
tokens: single characters for literal text, and `Token`s for the rest. A project resource's
placeholder is expanded to the identifier it gives, built from the resource's name (its
literal name, or a token that stands for it), so `${Uploads.Arn}/*` and
`arn:${AWS::Partition}:s3:::${Uploads}/*` are the same tokens.

`covers(pattern, arn)` answers YES, NO or MAYBE: YES when the pattern matches whatever the
tokens turn out to be, NO only when it cannot (different literal text, or two different
resources of the project), MAYBE otherwise (a literal region against `${AWS::Region}`, a bucket
name against a bucket whose name is generated at deploy time).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from lambdalint.aws import resources
from lambdalint.model import AwsResource

# `$` and `{` are excluded inside so that unclosed `${` scan linearly
_PLACEHOLDER = re.compile(r"\$\{([^${}]*)\}")
MAX_TOKENS = 2048  # an IAM policy is at most 10,240 characters; a longer value is unknown


@dataclass(frozen=True)
class Token:
    """A part of a value that is not literal text.

    kind: resource (the name of a project resource, `key` its AwsResource.key) | pseudo (the
    region or account, `key` says which) | opaque (any other placeholder, `key` its text) |
    char (one character not known: a secret's random suffix) | any (any text: the objects of
    a bucket, a part the code builds at run time) | glob (`*` in a pattern) | one (`?` in a
    pattern)
    """

    kind: str
    key: str = ""


Tokens = tuple["str | Token", ...]
GLOB = Token("glob")
ONE = Token("one")
ANY = Token("any")
_CHAR = Token("char")


class Match(IntEnum):
    NO = 0
    MAYBE = 1
    YES = 2


class Resources:
    """The project resources a value may name, by placeholder."""

    def __init__(self, declared: Iterable[AwsResource]) -> None:
        self.all = tuple(declared)
        self.by_placeholder: dict[str, tuple[AwsResource, str]] = {}
        for res in self.all:
            for text, form in res.placeholders:
                self.by_placeholder.setdefault(text, (res, form))

    def of_kind(self, kind: str) -> list[AwsResource]:
        return [r for r in self.all if r.kind == kind]


def literal(text: str) -> Tokens:
    return tuple(text)


def name_tokens(res: AwsResource) -> Tokens:
    """The resource's name: its literal name, or a token standing for it."""
    if res.name is not None:
        name = res.name
        if res.kind == "ssm-parameter":
            name = name.lstrip("/")
        return tuple(name)
    return (Token("resource", res.key),)


def form_tokens(res: AwsResource, form: str) -> Tokens:
    """The tokens of one of the resource's identifiers: its name, ARN or URL."""
    kind = resources.kind(res.kind)
    if form == "name":
        if res.kind == "ssm-parameter" and res.name is None and res.name_slash:
            return (Token("resource", res.key),)
        return name_tokens(res)
    if kind is None or form not in ("arn", "url"):
        return (Token("opaque", f"{res.key}#{form}"),)
    fmt = kind.arn if form == "arn" else kind.url
    if fmt is None:
        return (Token("opaque", f"{res.key}#{form}"),)
    name = name_tokens(res)
    if res.kind == "ssm-parameter" and res.name is None and res.name_slash:
        fmt = fmt.replace("parameter/{name}", "parameter{name}")
    return format_tokens(fmt, name)


def format_tokens(fmt: str, name: Tokens) -> Tokens:
    """An ARN or URL format of aws/resources.py with `{name}` filled in."""
    out: list[str | Token] = []
    for piece in re.split(r"(\{[a-z]+\})", fmt):
        if piece == "{partition}":
            out.extend("aws")
        elif piece == "{region}":
            out.append(Token("pseudo", "region"))
        elif piece == "{account}":
            out.append(Token("pseudo", "account"))
        elif piece == "{name}":
            out.extend(name)
        elif piece == "{suffix}":
            out.extend([_CHAR] * 6)
        else:
            out.extend(piece)
    return tuple(out)


def tokens(text: str, declared: Resources, pattern: bool = False) -> Tokens:
    """Rendered text as tokens; `pattern`: `*` and `?` are IAM wildcards (a Resource entry)."""
    out: list[str | Token] = []
    last = 0
    for m in _PLACEHOLDER.finditer(text):
        out.extend(_chars(text[last : m.start()], pattern))
        out.extend(placeholder_tokens(m.group(0), declared))
        last = m.end()
    out.extend(_chars(text[last:], pattern))
    if len(out) > MAX_TOKENS:
        return (ANY,)
    return tuple(out)


def _chars(text: str, pattern: bool) -> list[str | Token]:
    if not pattern:
        return list(text)
    return [GLOB if c == "*" else ONE if c == "?" else c for c in text]


def placeholder_tokens(placeholder: str, declared: Resources) -> Tokens:
    found = declared.by_placeholder.get(placeholder)
    if found is not None:
        return form_tokens(*found)
    inner = placeholder[2:-1]
    which = resources.pseudo(inner)
    if which == "partition":
        return tuple("aws")
    if which == "urlsuffix":
        return tuple("amazonaws.com")
    if which is not None:
        return (Token("pseudo", which),)
    return (Token("opaque", inner),)


def is_literal(value: Sequence[str | Token]) -> bool:
    """Only text and the partition/region/account: an identifier written in full."""
    return all(isinstance(t, str) or t.kind == "pseudo" for t in value)


def text_of(value: Sequence[str | Token]) -> str:
    """Tokens back as text (`{region}`, `{account}` for the pseudo parameters; `*` for what is
    not known)."""
    out: list[str] = []
    for t in value:
        if isinstance(t, str):
            out.append(t)
        elif t.kind == "pseudo":
            out.append("{" + t.key + "}")
        elif t.kind in ("glob", "any"):
            out.append("*")
        else:
            out.append("?" if t.kind in ("one", "char") else "*")
    return "".join(out)


# ---------------------------------------------------------------- matching


def _variable(t: str | Token) -> bool:
    """A token whose text is not known: it may stand for any run of characters."""
    return isinstance(t, Token) and t.kind in ("resource", "pseudo", "opaque", "any")


def _distinct(a: str | Token, b: str | Token) -> bool:
    """Two parts that certainly differ: different text, or two different project resources."""
    if isinstance(a, str) and isinstance(b, str):
        return a != b
    if isinstance(a, Token) and isinstance(b, Token):
        return a.kind == b.kind == "resource" and a.key != b.key
    return False


def covers(pattern: Sequence[str | Token], value: Sequence[str | Token]) -> Match:
    """Whether an IAM Resource pattern matches the value (see the module docstring)."""
    if len(pattern) == 1 and pattern[0] == GLOB:
        return Match.YES
    if all(isinstance(t, str) for t in value):
        # text against a pattern of text, `*` and `?`: a regular expression decides
        regex = _pattern_regex(tuple(pattern))
        if regex is not None:
            text = "".join(t for t in value if isinstance(t, str))
            return Match.YES if regex.fullmatch(text) else Match.NO
    pattern, value = tuple(pattern), tuple(value)
    if pattern == value and ANY not in pattern:
        return Match.YES  # the same text, resources and placeholders, part for part
    return _covers(pattern, value)


@functools.lru_cache(maxsize=4096)
def _pattern_regex(pattern: tuple[str | Token, ...]) -> re.Pattern[str] | None:
    """The regular expression of a pattern made of text, `*` and `?` (None for any other)."""
    parts = []
    for t in pattern:
        if isinstance(t, str):
            parts.append(re.escape(t))
        elif t == GLOB:
            parts.append(".*")
        elif t == ONE:
            parts.append(".")
        else:
            return None
    return re.compile("".join(parts), re.DOTALL)


@functools.lru_cache(maxsize=4096)
def _covers(pattern: tuple[str | Token, ...], value: tuple[str | Token, ...]) -> Match:
    n, m = len(pattern), len(value)
    if n * m > 400_000:
        return Match.MAYBE
    # best[i][j]: how well pattern[i:] matches value[j:]
    best = [[Match.NO] * (m + 1) for _ in range(n + 1)]
    best[n][m] = Match.YES
    for j in range(m - 1, -1, -1):
        # an unknown part of the value may stand for nothing the pattern still has to match
        best[n][j] = Match.MAYBE if all(_variable(t) for t in value[j:]) else Match.NO
    for i in range(n - 1, -1, -1):
        p = pattern[i]
        for j in range(m, -1, -1):
            if p == GLOB:
                result = best[i + 1][j]
                if j < m:
                    result = max(result, best[i][j + 1])
                best[i][j] = result
                continue
            if j == m:
                best[i][j] = Match.NO  # no part of a name or ARN is empty
                continue
            v = value[j]
            result = Match.NO
            if p == v and p != ANY:
                # the same text, resource, pseudo parameter or placeholder
                result = best[i + 1][j + 1]
            elif p == ONE and (isinstance(v, str) or v == _CHAR):
                result = best[i + 1][j + 1]
            elif (_variable(p) or _variable(v) or v == _CHAR) and not _distinct(p, v):
                # an unknown part may absorb any number of the other side's parts
                result = Match(
                    min(
                        Match.MAYBE,
                        max(best[i + 1][j + 1], best[i][j + 1], best[i + 1][j]),
                    )
                )
            best[i][j] = result
    return best[0][0]
