"""Suppressions: mark findings the user has accepted, always with an optional reason.

Sources, in the order they are applied:
- template metadata, read by the loaders into `Function.suppressed` (`{rule_id: reason}`):
  CloudFormation/SAM `Metadata: {lambdalint: {ignore: [LL301], reason: ...}}` on the function's
  resource; Terraform JSON a `"//"` key on the `aws_lambda_function` block, whose value a loader
  turns into that dict with `loaders.suppressions.json_comment_ignores` (a directive string such as
  `"lambdalint: ignore[LL301] logs go to Datadog"`, a list of them, or the Metadata-shaped
  `{"lambdalint": {"ignore": [...], "reason": ...}}`). The engine applies it to function-scoped
  rules; `apply` also applies it to project-scoped findings that name the function.
- inline comments `# lambdalint: ignore[LL401] reason` (YAML, Python, HCL) or
  `// lambdalint: ignore[LL106] reason` (JS/TS, HCL), trailing on the reported line or alone on
  the line above. Without `[...]` every rule is ignored on that line.
- `per-file-ignores` from the configuration: matching findings are dropped (the rule does not
  apply to that file), like `ignore` but per file.

Suppressed findings stay in the result (json and sarif show them, text counts them).
"""

from __future__ import annotations

import fnmatch
import io
import os
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lambdalint.findings import Finding
from lambdalint.loaders.suppressions import METADATA_REASON, parse_directive
from lambdalint.model import Function, Loc, Pos, Project
from lambdalint.reading import Reader
from lambdalint.settings import Settings

_HASH = ("#",)
_SLASH = ("//",)
# comment markers per file suffix; JSON has none (Terraform JSON uses the "//" key instead)
_MARKERS: dict[str, tuple[str, ...]] = {
    ".py": _HASH,
    ".pyi": _HASH,
    ".yaml": _HASH,
    ".yml": _HASH,
    ".template": _HASH,
    ".toml": _HASH,
    ".js": _SLASH,
    ".mjs": _SLASH,
    ".cjs": _SLASH,
    ".jsx": _SLASH,
    ".ts": _SLASH,
    ".mts": _SLASH,
    ".cts": _SLASH,
    ".tsx": _SLASH,
    ".tf": ("#", "//"),
    ".hcl": ("#", "//"),
    ".json": (),
}

INLINE_REASON = "inline comment"

# (file, line of the comment) → the rule ids a suppression comment was used for
Used = dict[tuple[str, int], set[str]]


def _markers(path: Path) -> tuple[str, ...]:
    name = path.name.lower()
    if name.endswith(".tf.json"):
        return ()
    return _MARKERS.get(Path(name).suffix, ("#", "//"))


def _comment(line: str, markers: tuple[str, ...]) -> str | None:
    """The text of the comment on `line` that mentions lambdalint, if any."""
    for marker in markers:
        start = 0
        while True:
            idx = line.find(marker, start)
            if idx < 0:
                break
            # a comment starts the line or follows whitespace (not `http://`, not `a#b`)
            if idx == 0 or line[idx - 1] in " \t":
                text = line[idx + len(marker) :]
                if "lambdalint" in text:
                    return text
            start = idx + len(marker)
    return None


def inline_reason(
    lines: list[str], line: int, rule_id: str, markers: tuple[str, ...] = ("#", "//")
) -> str | None:
    """The reason an inline comment gives for ignoring `rule_id` at `line`, or None."""
    match = _inline_match(lines, line, rule_id, markers)
    return None if match is None else match[0]


def _inline_match(
    lines: list[str], line: int, rule_id: str, markers: tuple[str, ...]
) -> tuple[str, int] | None:
    """The reason an inline comment gives for ignoring `rule_id` at `line`, and the line of
    that comment (`line`, or the line above when the comment stands alone there)."""
    candidates = []
    if 0 <= line - 1 < len(lines):
        candidates.append((lines[line - 1], line))
    above = line - 2
    if 0 <= above < len(lines) and lines[above].lstrip().startswith(markers):
        candidates.append((lines[above], line - 1))  # a comment line of its own just above
    for text, at in candidates:
        if "lambdalint" not in text:
            continue
        comment = _comment(text, markers)
        if comment is None:
            continue
        parsed = parse_directive(comment)
        if parsed is None:
            continue
        ids, reason = parsed
        if ids is None or rule_id in ids:
            return reason or INLINE_REASON, at
    return None


def _lines(path: Path, cache: dict[Path, list[str]], reader: Reader) -> list[str]:
    if path not in cache:
        cache[path] = reader.read_lines(path)
    return cache[path]


def _relative(path: Path, base: Path) -> str | None:
    try:
        rel = os.path.relpath(path.resolve(), base)
    except (ValueError, OSError):
        return None
    rel = rel.replace(os.sep, "/")
    return None if rel.startswith("../") else rel


def _per_file_ignored(
    f: Finding, settings: Settings, base: Path, memo: dict[Path, list[str]]
) -> bool:
    if f.loc.path not in memo:
        rel = _relative(f.loc.path, base)
        ids: list[str] = []
        if rel is not None:
            for pattern, rule_ids in settings.per_file_ignores.items():
                pat = pattern.replace(os.sep, "/").removeprefix("./")
                if fnmatch.fnmatch(rel, pat) or (
                    "/" not in pat and fnmatch.fnmatch(rel.rsplit("/", 1)[-1], pat)
                ):
                    ids.extend(rule_ids)
        memo[f.loc.path] = ids
    return any(f.rule_id.startswith(i) for i in memo[f.loc.path])


def _function_index(project: Project) -> dict[tuple[str, str], Function]:
    index: dict[tuple[str, str], Function] = {}
    for fn in project.functions:
        if fn.suppressed:
            index[(fn.name, str(fn.loc.path))] = fn
    return index


def apply(
    findings: list[Finding],
    project: Project,
    settings: Settings,
    reader: Reader | None = None,
    used: Used | None = None,
) -> list[Finding]:
    """Drop per-file-ignored findings and mark suppressed ones (with their reason). `used`
    collects, per comment (file, line), the rule ids its suppression was used for."""
    if settings.per_file_ignores:
        base = settings.source.parent if settings.source is not None else Path.cwd().resolve()
        memo: dict[Path, list[str]] = {}
        findings = [f for f in findings if not _per_file_ignored(f, settings, base, memo)]
    by_function = _function_index(project)
    cache: dict[Path, list[str]] = {}
    for f in findings:
        if f.suppressed is None and f.function and by_function:
            fn = _function_for(f, by_function)
            if fn is not None and f.rule_id in fn.suppressed:
                f.suppressed = fn.suppressed[f.rule_id] or METADATA_REASON
        markers = _markers(f.loc.path)
        if not markers or (f.suppressed is not None and used is None):
            continue
        lines = _lines(f.loc.path, cache, reader or Reader())
        match = _inline_match(lines, f.loc.pos.line, f.rule_id, markers)
        if match is None:
            continue
        reason, at = match
        if used is not None:
            # also when the template's metadata suppressed it first: the comment is not dead
            used.setdefault((key(f.loc.path), at), set()).add(f.rule_id)
        if f.suppressed is None:
            f.suppressed = reason
    return findings


def _function_for(f: Finding, index: dict[tuple[str, str], Function]) -> Function | None:
    fn = index.get((f.function, str(f.loc.path)))
    if fn is not None:
        return fn
    # a finding in a handler source names its function but points at another file
    matches = [fn for (name, _), fn in index.items() if name == f.function]
    return matches[0] if len(matches) == 1 else None


# ------------------------------------------------------------ dead suppressions (LL001, LL002)

UNUSED = "LL001"
NO_REASON = "LL002"


def key(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path)


@dataclass(frozen=True)
class Directive:
    """One `lambdalint: ignore[...]` comment: where it is, the ids it names (None: every rule)
    and its reason ("" when it gives none)."""

    path: Path
    line: int
    column: int
    ids: tuple[str, ...] | None
    reason: str
    alone: bool  # a comment line of its own (it covers the line below)


def _python_comment_lines(text: str) -> set[int] | None:
    """The lines of a Python source that hold a comment (not a string that looks like one);
    None when the source does not tokenize."""
    lines: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                lines.add(tok.start[0])
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    return lines


def directives(path: Path, reader: Reader) -> list[Directive]:
    """The suppression comments of a file lambdalint read (none in JSON, which has no comments)."""
    markers = _markers(path)
    if not markers:
        return []
    lines = reader.read_lines(path)
    out: list[Directive] = []
    for number, text in enumerate(lines, start=1):
        if "lambdalint" not in text:
            continue
        comment = _comment(text, markers)
        if comment is None:
            continue
        parsed = parse_directive(comment)
        if parsed is None:
            continue
        ids, reason = parsed
        column = text.find("lambdalint", len(text) - len(comment)) + 1
        alone = text.lstrip().startswith(markers)
        named = None if ids is None else tuple(sorted(ids))
        out.append(Directive(path, number, max(column, 1), named, reason, alone))
    if out and path.suffix.lower() in (".py", ".pyi"):
        # a directive inside a string (a docstring showing one) is no comment
        comment_lines = _python_comment_lines("\n".join(lines) + "\n")
        if comment_lines is None:
            return []
        out = [d for d in out if d.line in comment_lines]
    return out


@dataclass(frozen=True)
class Judging:
    """What a run lets LL001 judge: the rule ids that exist, those that ran to the end, whether
    the whole project was checked, and the files that did not parse."""

    known: frozenset[str]
    ran: frozenset[str]
    whole: bool
    broken: frozenset[str]


def judge(
    files: Iterable[Path],
    used: Used,
    judging: Judging,
    settings: Settings,
    reader: Reader,
) -> list[Finding]:
    """LL001 and LL002 findings (those of the two that are selected) on the suppression
    comments of `files`, once every other rule has run and `apply` has filled `used`."""
    report_unused = settings.rule_enabled(UNUSED)
    report_reason = settings.rule_enabled(NO_REASON) and settings.options.boolean(
        "require-suppression-reason"
    )
    if not (report_unused or report_reason):
        return []
    base = settings.source.parent if settings.source is not None else Path.cwd().resolve()
    memo: dict[Path, list[str]] = {}
    seen: set[str] = set()
    out: list[Finding] = []
    for path in files:
        where = key(path)
        if where in seen:
            continue
        seen.add(where)
        for d in directives(path, reader):
            loc = Loc(path, Pos(d.line, d.column))
            if report_reason and not d.reason and (d.ids is None or NO_REASON not in d.ids):
                out.append(
                    Finding(
                        "suppression without a reason: say why after the rule ids "
                        "(require-suppression-reason)",
                        loc,
                        NO_REASON,
                    )
                )
            if report_unused and (d.ids is None or UNUSED not in d.ids):
                message = _unused_message(d, where, used, judging, settings, base, memo)
                if message is not None:
                    out.append(Finding(message, loc, UNUSED))
    # a comment does not silence what is said about it (a bare `ignore` would silence itself);
    # LL001 in its own ids keeps it quiet, and per-file-ignores apply as to any rule
    if settings.per_file_ignores:
        out = [f for f in out if not _per_file_ignored(f, settings, base, memo)]
    return out


def _unused_message(
    d: Directive,
    key: str,
    used: Used,
    judging: Judging,
    settings: Settings,
    base: Path,
    memo: dict[Path, list[str]],
) -> str | None:
    where = "the line below" if d.alone else "this line"
    got = used.get((key, d.line), set())
    judged = judging.whole and key not in judging.broken
    if d.ids is None:
        if got or not judged or not judging.known <= judging.ran:
            return None
        return f"unused suppression: no rule reports anything on {where}"
    unknown = [i for i in d.ids if i not in judging.known]
    dead: list[str] = []
    if judged:
        for rule_id in d.ids:
            if rule_id in got or rule_id not in judging.ran:
                continue
            probe = Finding("", Loc(d.path, Pos(d.line)), rule_id)
            if settings.per_file_ignores and _per_file_ignored(probe, settings, base, memo):
                continue
            dead.append(rule_id)
    parts = []
    if unknown:
        s = "s" if len(unknown) > 1 else ""
        parts.append(f"unknown rule{s} {', '.join(unknown)} (see `lambdalint rules`)")
    if dead:
        parts.append(f"{', '.join(dead)} reports nothing on {where}")
    if not parts:
        return None
    return "unused suppression: " + "; ".join(parts)
