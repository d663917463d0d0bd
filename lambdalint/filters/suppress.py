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
import os
from pathlib import Path

from lambdalint.findings import Finding
from lambdalint.loaders.suppressions import METADATA_REASON, parse_directive
from lambdalint.model import Function, Project
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
    candidates = []
    if 0 <= line - 1 < len(lines):
        candidates.append(lines[line - 1])
    above = line - 2
    if 0 <= above < len(lines) and lines[above].lstrip().startswith(markers):
        candidates.append(lines[above])  # a comment line of its own just above
    for text in candidates:
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
            return reason or INLINE_REASON
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
    findings: list[Finding], project: Project, settings: Settings, reader: Reader | None = None
) -> list[Finding]:
    """Drop per-file-ignored findings and mark suppressed ones (with their reason)."""
    if settings.per_file_ignores:
        base = settings.source.parent if settings.source is not None else Path.cwd().resolve()
        memo: dict[Path, list[str]] = {}
        findings = [f for f in findings if not _per_file_ignored(f, settings, base, memo)]
    by_function = _function_index(project)
    cache: dict[Path, list[str]] = {}
    for f in findings:
        if f.suppressed is not None:
            continue
        if f.function and by_function:
            fn = _function_for(f, by_function)
            if fn is not None and f.rule_id in fn.suppressed:
                f.suppressed = fn.suppressed[f.rule_id] or METADATA_REASON
                continue
        markers = _markers(f.loc.path)
        if not markers:
            continue
        lines = _lines(f.loc.path, cache, reader or Reader())
        reason = inline_reason(lines, f.loc.pos.line, f.rule_id, markers)
        if reason is not None:
            f.suppressed = reason
    return findings


def _function_for(f: Finding, index: dict[tuple[str, str], Function]) -> Function | None:
    fn = index.get((f.function, str(f.loc.path)))
    if fn is not None:
        return fn
    # a finding in a handler source names its function but points at another file
    matches = [fn for (name, _), fn in index.items() if name == f.function]
    return matches[0] if len(matches) == 1 else None
