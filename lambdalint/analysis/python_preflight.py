"""Measure a Python source with CPython's own parser before libcst sees it.

libcst's native parser recurses once per level of an expression, so a deep one (`x = ----…1`,
5,000 brackets, a long `lambda: lambda: …`) overflows the C stack: the process crashes, no
exception to catch. An operator chain (`1+1+…`, `a.b.c…`) also costs it time quadratic in the
chain's length. CPython's parser refuses the deepest inputs with an error and parses the rest
quickly (`ast.parse` only parses: nothing is compiled or run), so its tree is measured first
and only sources within the bounds below reach libcst.
"""

from __future__ import annotations

import ast
import gc
import io
import re
import tokenize
import warnings
from dataclasses import dataclass

from lambdalint.model import Pos

# real handler code nests expressions 10–40 levels deep; libcst stays fast well beyond this
MAX_AST_DEPTH = 150
# about 15,000 lines of code; libcst needs ~60 µs a node, so this bounds a file to seconds
MAX_AST_NODES = 60_000
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
class Verdict:
    """Why libcst must not be given a source.

    `parse_error`: CPython cannot parse it either (an LL100 finding, with CPython's message);
    `too_complex`: valid Python beyond the analysis bounds (a one-line notice, no findings).
    """

    parse_error: tuple[str, Pos] | None = None
    too_complex: str | None = None


def preflight(text: str) -> Verdict | None:
    """None when libcst may parse `text`; else why not."""
    if len(text) > SMALL_SOURCE and not _tokens_within_bounds(text, per_statement=False):
        return Verdict(too_complex=f"not analysed: more than {MAX_TOKENS:,} tokens")
    collecting = gc.isenabled()
    gc.disable()  # the collector would walk the growing tree again and again: twice the time
    try:
        return _measured(text)
    finally:
        if collecting:
            gc.enable()


def _measured(text: str) -> Verdict | None:
    try:
        with warnings.catch_warnings():
            # `'\d'` in a regex is a SyntaxWarning on Python 3.12+: the user's, not ours to print
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except SyntaxError as exc:
        error = (f"Python syntax error: {exc.msg}", Pos(exc.lineno or 1, exc.offset or 1))
        if _NESTING.search(exc.msg or "") or not _tokens_within_bounds(text, per_statement=True):
            return Verdict(parse_error=error)
        return None  # libcst reports the error itself, or reads syntax newer than this Python
    except (RecursionError, MemoryError):
        return Verdict(parse_error=("Python source nests too deeply to compile", Pos()))
    except ValueError as exc:  # NUL bytes
        return Verdict(parse_error=(f"Python source cannot be parsed: {exc}", Pos()))
    depth, nodes = measure(tree)
    if depth > MAX_AST_DEPTH:
        return Verdict(
            too_complex=f"not analysed: an expression nests more than {MAX_AST_DEPTH} levels deep"
        )
    if nodes > MAX_AST_NODES:
        return Verdict(too_complex=f"not analysed: more than {MAX_AST_NODES:,} syntax nodes")
    return None


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
