"""`check --fix`, `--unsafe-fixes` and `--diff`: apply the fixes the rules attached to their
findings, in rounds, then write the files (or print what would change).

A round lints the tree, takes the applicable fixes whose edits do not overlap one taken before
(the others wait for the next round, when they are computed again on the new text), applies
them to the text of each file, and keeps the result only if it still parses. Nothing is written
until the last round: the next round reads the new texts through the run's `Reader` (its
overlay). A file is fixed only when it is a regular file of the checked tree (no symbolic link),
UTF-8, and parsed before; it is written atomically, keeping its mode, and only if it still holds
what was read.
"""

from __future__ import annotations

import difflib
import os
import stat
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lambdalint.editing import apply
from lambdalint.engine import Result
from lambdalint.escape import clean
from lambdalint.findings import Edit, Finding, Fix
from lambdalint.reading import Reader, Unreadable, decode, read_bounded

# like ruff: overlapping fixes are applied over a few rounds, each on the text the last made
MAX_ROUNDS = 5
_UTF8_BOM = b"\xef\xbb\xbf"

Lint = Callable[[Mapping[str, str]], Result]


@dataclass
class Change:
    """A file `--fix` changes: what it held (bytes, and as text without a byte order mark) and
    its new text."""

    path: Path
    raw: bytes
    bom: bytes
    before: str
    after: str

    def data(self) -> bytes:
        return self.bom + self.after.encode("utf-8")


@dataclass
class FixRun:
    """What the rounds did: the findings left (`result`, linted on the fixed texts), the files
    changed, how many findings each rule's fixes removed, and notices about files left alone."""

    result: Result
    changes: list[Change] = field(default_factory=list)
    fixed: Counter[str] = field(default_factory=Counter)
    notices: list[str] = field(default_factory=list)


def run(lint: Lint, reader: Reader, unsafe: bool) -> FixRun:
    """Lint and fix in rounds (`lint` lints the tree with the given texts standing for files);
    nothing is written."""
    overlay: dict[str, str] = {}
    files: dict[str, Change | None] = {}
    refused: set[tuple[str, ...]] = set()
    notices: list[str] = []
    fixed: Counter[str] = Counter()
    result = lint(overlay)
    for _ in range(MAX_ROUNDS):
        pending = _choose(result.findings, unsafe, refused)
        if not pending:
            break
        for _, fix in pending:
            for path in fix.files():
                if _real(path) not in files:
                    files[_real(path)] = _original(path, reader, notices)
        refused_before = len(refused)
        while pending:
            texts, broken = _round_texts(pending, files, overlay)
            if not broken:
                overlay.update(texts)
                for finding, _ in pending:
                    fixed[finding.rule_id] += 1
                break
            # a file that cannot be fixed, or a fix that breaks it: that fix is refused (the
            # others of the file wait for the next round, on a text linted again)
            for finding, fix in pending:
                if not any(_real(p) in broken for p in fix.files()):
                    continue
                _, bad = _round_texts([(finding, fix)], files, overlay)
                if bad:
                    refused.add(_key(finding, fix))
                    if all(files.get(_real(p)) is not None for p in fix.files()):
                        notices.append(
                            f"{_display(finding.loc.path)}: the fix for {finding.rule_id} was "
                            "not applied: the file would no longer parse (a lambdalint bug: "
                            "please report it)"
                        )
            pending = [(f, x) for f, x in pending if not any(_real(p) in broken for p in x.files())]
        if not pending and len(refused) == refused_before:
            break
        result = lint(overlay)
    changes = []
    for real, change in files.items():
        if change is not None and overlay.get(real, change.before) != change.before:
            change.after = overlay[real]
            changes.append(change)
    return FixRun(result, changes, fixed, list(dict.fromkeys(notices)))


def _round_texts(
    fixes: list[tuple[Finding, Fix]], files: dict[str, Change | None], overlay: dict[str, str]
) -> tuple[dict[str, str], set[str]]:
    """The new text of each file the fixes edit, and the files that cannot take them (not
    fixable, or not parsing once edited)."""
    edits: dict[str, list[Edit]] = {}
    for _, fix in fixes:
        for edit in fix.edits:
            edits.setdefault(_real(edit.path), []).append(edit)
    texts: dict[str, str] = {}
    broken: set[str] = set()
    for real, file_edits in edits.items():
        change = files.get(real)
        if change is None:
            broken.add(real)
            continue
        new = apply(overlay.get(real, change.before), list(dict.fromkeys(file_edits)))
        if _parses(change.path, new, change.before):
            texts[real] = new
        else:
            broken.add(real)
    return texts, broken


def write(changes: list[Change]) -> list[str]:
    """Write the changed files; the notices of those that could not be written."""
    from lambdalint.writing import ChangedOnDisk, replace_file

    notices = []
    for change in changes:
        try:
            replace_file(change.path, change.data(), change.raw)
        except ChangedOnDisk:
            notices.append(f"{_display(change.path)}: not fixed: it changed since it was read")
        except OSError as exc:
            notices.append(f"{_display(change.path)}: not fixed: {exc.strerror or exc}")
    return notices


def diff(changes: list[Change]) -> str:
    """A unified diff of the changes, paths relative to the working directory; the text of the
    files is printed escaped (a line of a stranger's file must not move the terminal)."""
    out: list[str] = []
    for change in sorted(changes, key=lambda c: _display(c.path)):
        name = clean(_display(change.path))
        lines = difflib.unified_diff(
            change.before.splitlines(keepends=True),
            change.after.splitlines(keepends=True),
            fromfile=name,
            tofile=name,
        )
        for line in lines:
            body = line.rstrip("\r\n")
            out.append(clean(body))
            if not line.endswith(("\n", "\r")) and line[:1] in (" ", "-", "+"):
                out.append("\\ No newline at end of file")
    return "".join(line + "\n" for line in out)


# ---------------------------------------------------------------- rounds


def _choose(
    findings: list[Finding], unsafe: bool, refused: set[tuple[str, ...]]
) -> list[tuple[Finding, Fix]]:
    """The fixes of this round: applicable, not refused before, none overlapping another (a
    fix identical to one taken, such as one edit of SAM Globals for several functions, counts
    for its finding too)."""
    taken: list[Edit] = []
    seen: set[tuple[Edit, ...]] = set()
    chosen: list[tuple[Finding, Fix]] = []
    for finding in findings:
        fix = finding.fix
        if finding.suppressed is not None or fix is None or not fix.applies(unsafe):
            continue
        if _key(finding, fix) in refused:
            continue
        if fix.edits in seen:
            chosen.append((finding, fix))
            continue
        if any(edit.overlaps(other) for edit in fix.edits for other in taken):
            continue
        seen.add(fix.edits)
        taken.extend(fix.edits)
        chosen.append((finding, fix))
    return chosen


def _key(finding: Finding, fix: Fix) -> tuple[str, ...]:
    return (finding.rule_id, str(finding.loc.path), fix.title, *(_real(p) for p in fix.files()))


def _real(path: Path) -> str:
    return os.path.realpath(path)


def _original(path: Path, reader: Reader, notices: list[str]) -> Change | None:
    """The file as it is on disk, if `--fix` may change it: a regular file (not a symbolic
    link) of the checked tree, UTF-8 text within the size limit."""
    shown = _display(path)
    try:
        st = os.lstat(path)
    except OSError as exc:
        notices.append(f"{shown}: not fixed: {exc.strerror or exc}")
        return None
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISREG(st.st_mode):
        notices.append(f"{shown}: not fixed: not a regular file (a symbolic link?)")
        return None
    if not reader.inside_tree(path):
        notices.append(f"{shown}: not fixed: it lies outside the checked tree")
        return None
    try:
        raw = read_bounded(path, reader.limits.max_file_bytes)
    except (OSError, Unreadable) as exc:
        why = exc.message if isinstance(exc, Unreadable) else exc.strerror or str(exc)
        notices.append(f"{shown}: not fixed: {why}")
        return None
    bom = _UTF8_BOM if raw.startswith(_UTF8_BOM) else b""
    text, _ = decode(raw, path)
    if (
        text is None
        or (not bom and raw[:2] in (b"\xff\xfe", b"\xfe\xff"))
        or raw[:4] == b"\x00\x00\xfe\xff"
    ):
        notices.append(f"{shown}: not fixed: not UTF-8 text")
        return None
    if not _parses(path, text, None):
        notices.append(f"{shown}: not fixed: it does not parse")
        return None
    return Change(path, raw, bom, text, text)


def _parses(path: Path, text: str, before: str | None) -> bool:
    """Whether `text` parses as the kind of file `path` is (and, given the text it replaces,
    has no more duplicate keys than it had). Kinds lambdalint does not edit never parse."""
    name = path.name.lower()
    try:
        if name.endswith((".py", ".pyw")):
            return _python_parses(text)
        if name.endswith(".tf"):
            from lambdalint.loaders.terraform.hcl import HclError, parse_tree

            try:
                parse_tree(text)
            except HclError:
                return False
            return True
        if name.endswith((".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")):
            return False
        return _template_parses(path, text, before)
    except (RecursionError, MemoryError, ValueError):
        return False


def _python_parses(text: str) -> bool:
    """CPython's parser decides, within the analysis bounds (analysis/python/preflight); libcst
    is asked only about a source CPython rejects as maybe newer syntax that passed the token
    scan bounding what libcst is given (its native parser crashes on deep nesting)."""
    from lambdalint.analysis.python import preflight

    parsed = preflight.parse(text)
    if parsed.tree is not None:
        return True
    if not parsed.newer_syntax:
        return False
    import libcst

    try:
        libcst.parse_module(text)
    except libcst.ParserSyntaxError:
        return False
    return True


def _template_parses(path: Path, text: str, before: str | None) -> bool:
    from lambdalint.reading.json_reader import parse_json
    from lambdalint.reading.positions import LoadError
    from lambdalint.reading.yaml_reader import parse_yaml

    is_json = path.name.lower().endswith(".json") or text.lstrip()[:1] in ("{", "[")
    parse = parse_json if is_json else parse_yaml
    try:
        _, diags = parse(text, path)
    except LoadError:
        return False
    if before is None:
        return True
    _, old = parse(before, path)
    return sum(d.rule_id == "LL108" for d in diags) <= sum(d.rule_id == "LL108" for d in old)


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path).replace(os.sep, "/")
    except ValueError:
        return str(path)
