"""Parse a Python source with CPython's own parser, within bounds.

`ast.parse` only parses: nothing is compiled or run. CPython refuses the deepest inputs with an
error; the tree of the rest is measured, and only a tree within the bounds below is walked by
the fact collectors (their walk recurses once per level, and its cost grows with the nodes).
A source this interpreter rejects may be newer Python than it knows: the caller then tries
libcst (see python.py), and a token scan first bounds what libcst is given, because libcst's
native parser overflows the C stack on deep nesting (a crash, not an exception).
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
import warnings
from dataclasses import dataclass

from lambdalint.model import Pos

# real handler code nests expressions 10–40 levels deep; the walk needs ~3 frames a level
MAX_AST_DEPTH = 150
# about 15,000 lines of code: a fraction of a second to walk
MAX_AST_NODES = 60_000
# the densest code makes about 2 nodes a character (`~~~~x`); ordinary code 0.3
NODES_PER_CHARACTER = 3
# CPython's tree costs memory too: 1 MB of `x=1` lines is 750,000 nodes and 600 MB. Above
# this size a streaming token count comes first, and a source beyond it is not parsed at all.
SMALL_SOURCE = 64 * 1024
MAX_TOKENS = 200_000
# when CPython rejects the source (an error, or syntax newer than this Python that libcst may
# still read), a token scan bounds what libcst is given instead
MAX_BRACKET_DEPTH = 200  # CPython's own limit
MAX_STATEMENT_TOKENS = 2_000

# CPython's messages for sources nested beyond what it compiles: the runtime fails the same way
_NESTING = re.compile(
    r"too many nested|too many (statically nested|levels of indentation)|too complex"
)


@dataclass(frozen=True)
class Parsed:
    """The outcome of parsing one source.

    `tree`: CPython's tree, within the bounds (facts can be collected from it);
    `parse_error`: the source cannot be parsed (an LL100 finding, with CPython's message);
    `too_complex`: valid Python beyond the analysis bounds (a one-line notice, no findings);
    `newer_syntax`: CPython rejected it with `parse_error`, but it is small and shallow enough
    to give to libcst, which may read syntax newer than this interpreter.
    """

    tree: ast.Module | None = None
    parse_error: tuple[str, Pos] | None = None
    too_complex: str | None = None
    newer_syntax: bool = False


def parse(text: str) -> Parsed:
    """CPython's tree of `text` within the bounds, or why there is none. (The caller keeps the
    cyclic collector off while the tree is built and used: python.analyze.)"""
    if len(text) > SMALL_SOURCE and not _tokens_within_bounds(text, per_statement=False):
        return Parsed(too_complex=f"not analysed: more than {MAX_TOKENS:,} tokens")
    try:
        with warnings.catch_warnings():
            # `'\d'` in a regex is a SyntaxWarning on Python 3.12+: the user's, not ours to print
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except SyntaxError as exc:
        error = (f"Python syntax error: {exc.msg}", Pos(exc.lineno or 1, exc.offset or 1))
        if (
            _NESTING.search(exc.msg or "")
            or not _maybe_newer_syntax(text, exc)
            or not _tokens_within_bounds(text, per_statement=True)
        ):
            return Parsed(parse_error=error)
        return Parsed(parse_error=error, newer_syntax=True)
    except (RecursionError, MemoryError):
        return Parsed(parse_error=("Python source nests too deeply to compile", Pos()))
    except ValueError as exc:  # NUL bytes
        return Parsed(parse_error=(f"Python source cannot be parsed: {exc}", Pos()))
    if len(text) * NODES_PER_CHARACTER <= MAX_AST_NODES:
        # too small to hold more nodes than the bound; a walk nested deeper than Python's
        # recursion limit stops with RecursionError, which the caller turns into a notice
        return Parsed(tree=tree)
    depth, nodes = measure(tree)
    if depth > MAX_AST_DEPTH:
        return Parsed(
            too_complex=f"not analysed: an expression nests more than {MAX_AST_DEPTH} levels deep"
        )
    if nodes > MAX_AST_NODES:
        return Parsed(too_complex=f"not analysed: more than {MAX_AST_NODES:,} syntax nodes")
    return Parsed(tree=tree)


# syntax newer than some Python lambdalint runs on: `except*` (3.11); PEP 701 f-strings (3.12;
# CPython before it names them in its message) and PEP 695 type parameters (3.12); t-strings
# and unparenthesised `except A, B:` (3.14)
_F_STRING_ERROR = re.compile(r"^f-string")
_NEWER_LINE = re.compile(
    r"^\s*(?:type\s+\w+|(?:async\s+)?def\s+\w+\s*\[|class\s+\w+\s*\[|except\s*\*"
    r"|except\s+[^:(]+,)"
    r"|(?<![\w.'\"])(?:[tT][rR]?|[rR][tT])['\"]"
)


def _maybe_newer_syntax(text: str, exc: SyntaxError) -> bool:
    """Whether a source CPython rejected may be valid in a newer Python (then libcst is asked);
    any other error is reported with CPython's message straight away."""
    if sys.version_info >= (3, 14):
        return False  # nothing newer that libcst reads
    if _F_STRING_ERROR.match(exc.msg or "") and sys.version_info < (3, 12):
        return True
    line = exc.text
    if line is None and exc.lineno:
        lines = text.splitlines()
        line = lines[exc.lineno - 1] if 0 < exc.lineno <= len(lines) else ""
    return bool(_NEWER_LINE.search(line or ""))


def measure(tree: ast.AST) -> tuple[int, int]:
    """(deepest nesting, node count) of `tree`, iteratively; stops early past the bounds."""
    deepest, count = 0, 0
    stack = [(tree, 1)]
    children = ast.iter_child_nodes
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > deepest:
            deepest = depth
            if deepest > MAX_AST_DEPTH:
                break
        if count > MAX_AST_NODES:
            break
        stack.extend((child, depth + 1) for child in children(node))
    return deepest, count


def _tokens_within_bounds(text: str, per_statement: bool) -> bool:
    """A token scan (no parse, little memory): at most MAX_TOKENS tokens, and with
    `per_statement` also bracket depth and tokens per logical line within the bounds."""
    depth = 0
    in_statement = 0
    total = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            total += 1
            if total > MAX_TOKENS:
                return False
            if not per_statement:
                continue
            if tok.type == tokenize.NEWLINE:
                in_statement = 0
                continue
            in_statement += 1
            if in_statement > MAX_STATEMENT_TOKENS:
                return False
            if tok.type == tokenize.OP:
                if tok.string in "([{":
                    depth += 1
                    if depth > MAX_BRACKET_DEPTH:
                        return False
                elif tok.string in ")]}":
                    depth = max(0, depth - 1)
    except (tokenize.TokenError, SyntaxError, ValueError):
        # not even tokenisable: with per_statement, CPython's message is the one to report;
        # otherwise the count so far decides, and CPython's parser reports the error
        return not per_statement
    return True
