"""The protocol side of `lambdalint server` (pygls): documents in, diagnostics, code actions and
hovers out.

- Diagnostics: opening, editing or saving a template, Terraform file, serverless.yml or
  handler source lints what it affects (state.py) from the unsaved buffers, and publishes the
  findings of every file whose findings may have changed: an edit of `app.py` updates the
  diagnostic on `template.yaml`. Rule id as `code`, the rule's reference as `codeDescription`.
- Code actions: each finding's fix as a quick fix, "fix all safe" for the file (also as
  `source.fixAll.lambdalint`), and an ignore comment with a reason to fill in.
- Hovers: a `Handler` value says where it resolves (file:line) or why it does not; a rule id in
  an ignore comment shows the rule's summary.
- The configuration file is read again when it is saved or changes on disk.

A handler that raises is a lambdalint bug: it is logged to the client (window/logMessage) with
its traceback and the server goes on.
"""

from __future__ import annotations

import os
import re
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from lambdalint import __version__
from lambdalint.engine.reference import help_uri
from lambdalint.filters.suppress import _markers
from lambdalint.findings import Edit, Finding, Fix
from lambdalint.fixing import _parses
from lambdalint.model import Function
from lambdalint.rulepack import RuleError
from lambdalint.server.state import CONFIG_NAMES, Update, Workspace, real
from lambdalint.settings import ConfigError

FIX_ALL = "source.fixAll.lambdalint"
WATCHED = "**/*.{yaml,yml,json,template,tf,py,js,mjs,cjs,ts,mts,cts}"
REASON_PLACEHOLDER = "TODO say why this is accepted"
_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_RULE_ID = re.compile(r"[A-Z][A-Z0-9]*[0-9]")


class LintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("lambdalint", __version__)
        self.overlay: dict[str, str] = {}
        self.lint: Workspace | None = None
        # what was last published, by real path (publish only what changes)
        self.published: dict[str, list[types.Diagnostic]] = {}

    # ---------------------------------------------------------------- logging

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    @contextmanager
    def guard(self, what: str) -> Iterator[None]:
        """Log an exception to the client instead of letting it end the request badly."""
        try:
            yield
        except Exception as exc:  # noqa: BLE001 - a lambdalint bug must not end the session
            detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            self.log(f"lambdalint: internal error in {what}: {detail}", types.MessageType.Error)

    # ---------------------------------------------------------------- positions

    def encoding(self) -> str:
        enc = self.workspace.position_encoding
        return str(enc.value if isinstance(enc, types.PositionEncodingKind) else enc or "utf-16")

    def text_of(self, path: Path) -> str:
        """A file's text as the run reads it (the open buffer, else the file)."""
        ws = self.lint
        overlaid = self.overlay.get(real(path))
        if overlaid is not None:
            return overlaid
        if ws is not None:
            text, _ = ws.reader.read_text(path)
            if text is not None:
                return text
        return ""

    # ---------------------------------------------------------------- publishing

    def publish(self, files: set[str], every: bool = False) -> None:
        ws = self.lint
        if ws is None:
            return
        if every:
            files = files | set(self.published)
        for path in sorted(files):
            lines: list[str] | None = None
            diagnostics = []
            for finding in ws.findings_for(path):
                if finding.suppressed is not None:
                    continue
                if lines is None:
                    lines = _LINE_BREAK.split(self.text_of(Path(path)))
                diagnostics.append(self.diagnostic(finding, lines, ws))
            if self.published.get(path, []) == diagnostics and path in self.published:
                continue
            self.published[path] = diagnostics
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=from_fs_path(path) or path, diagnostics=diagnostics
                )
            )

    def diagnostic(self, finding: Finding, lines: list[str], ws: Workspace) -> types.Diagnostic:
        rule = ws.rule(finding.rule_id)
        href = help_uri(rule) if rule is not None else None
        return types.Diagnostic(
            range=finding_range(finding, lines, self.encoding()),
            message=finding.message,
            severity=_SEVERITY.get(finding.severity, types.DiagnosticSeverity.Warning),
            code=finding.rule_id,
            code_description=types.CodeDescription(href=href) if href else None,
            source="lambdalint",
        )

    def report(self, update: Update, started: float, what: str, every: bool = False) -> None:
        """Log the internal errors of a lint pass and its time; publish what it changed."""
        for error in update.errors:
            self.log(f"lambdalint: internal error: {error}", types.MessageType.Error)
        self.publish(update.files, every)
        elapsed = (time.perf_counter() - started) * 1000
        self.log(f"lambdalint: {what}: {update.linted} functions linted in {elapsed:.0f} ms")

    # ---------------------------------------------------------------- changes

    def relint_all(self, why: str) -> None:
        ws = self.lint
        if ws is None:
            return
        started = time.perf_counter()
        try:
            ws.load_settings()
        except (ConfigError, RuleError) as exc:
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Error,
                    message=f"lambdalint: configuration not used: {exc}",
                )
            )
        update = ws.lint_all()
        self.report(update, started, why, every=True)
        ws.save_cache()

    def changed(self, path: Path, discover: bool = False) -> None:
        ws = self.lint
        if ws is None:
            return
        started = time.perf_counter()
        self.report(ws.changed(path, discover), started, f"{path.name} changed")


def build() -> LintServer:
    server = LintServer()

    def handler(method: str, options: Any = None) -> Callable[[Callable[..., Any]], Any]:
        """Register `fn` for `method`, guarded: an exception is logged, never raised."""

        def register(fn: Callable[..., Any]) -> Any:
            def guarded(ls: LintServer, params: Any) -> Any:
                with ls.guard(method):
                    return fn(ls, params)
                return None

            guarded.__name__ = fn.__name__
            if options is None:
                return server.feature(method)(guarded)
            return server.feature(method, options)(guarded)

        return register

    @handler(types.INITIALIZED)
    def initialized(ls: LintServer, params: types.InitializedParams) -> None:
        root = _root(ls)
        os.chdir(root)  # paths of messages and of the cache are as `check` run from there
        ls.lint = Workspace(root, ls.overlay)
        ls.relint_all("workspace")
        caps = ls.client_capabilities.workspace
        watched = caps.did_change_watched_files if caps is not None else None
        if watched is not None and watched.dynamic_registration:
            # the configuration, and the files a client that syncs only some languages does
            # not show the server: saved or created on disk, they are linted from there
            watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_NAMES]
            watchers.append(types.FileSystemWatcher(glob_pattern=WATCHED))
            ls.client_register_capability(
                types.RegistrationParams(
                    registrations=[
                        types.Registration(
                            id="lambdalint-config",
                            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=types.DidChangeWatchedFilesRegistrationOptions(
                                watchers=watchers
                            ),
                        )
                    ]
                )
            )

    @handler(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LintServer, params: types.DidOpenTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        if path is None:
            return
        before = ls.text_of(path)
        ls.overlay[real(path)] = params.text_document.text
        if params.text_document.text != before:
            ls.changed(path)

    @handler(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LintServer, params: types.DidChangeTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        if path is None:
            return
        document = ls.workspace.get_text_document(params.text_document.uri)
        ls.overlay[real(path)] = document.source
        ls.changed(path)

    @handler(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LintServer, params: types.DidSaveTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        if path is None:
            return
        if path.name in CONFIG_NAMES:
            ls.relint_all(f"{path.name} saved")
        else:
            ls.changed(path, discover=True)

    @handler(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LintServer, params: types.DidCloseTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        if path is None:
            return
        text = ls.overlay.pop(real(path), None)
        if text is not None and text != ls.text_of(path):
            ls.changed(path)  # the buffer was not saved: the file on disk counts again

    @handler(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls: LintServer, params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            path = _path(change.uri)
            if path is None:
                continue
            if path.name in CONFIG_NAMES:
                ls.relint_all(f"{path.name} changed on disk")
                return
            if real(path) not in ls.overlay:  # an open buffer counts, not the disk
                ls.changed(path, discover=change.type == types.FileChangeType.Created)

    @handler(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]
        ),
    )
    def code_action(
        ls: LintServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        path = _path(params.text_document.uri)
        ws = ls.lint
        if path is None or ws is None:
            return None
        return code_actions(ls, ws, path, params)

    @handler(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: LintServer, params: types.HoverParams) -> types.Hover | None:
        path = _path(params.text_document.uri)
        ws = ls.lint
        if path is None or ws is None:
            return None
        text = hover_text(ls, ws, path, params.position)
        if text is None:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))

    @handler(types.SHUTDOWN)
    def shutdown(ls: LintServer, params: None) -> None:
        if ls.lint is not None:
            ls.lint.save_cache()

    return server


def _root(ls: LintServer) -> Path:
    folders = ls.workspace.folders
    for folder in folders.values():
        path = _path(folder.uri)
        if path is not None:
            return path
    root = ls.workspace.root_path
    return Path(root) if root else Path.cwd()


def _path(uri: str) -> Path | None:
    if not uri.startswith("file:"):
        return None
    fs = to_fs_path(uri)
    return Path(fs) if fs else None


# -------------------------------------------------------------------- positions


def _units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _index(line: str, units: int, encoding: str) -> int:
    """The character index of the position `units` code units into `line`."""
    count = 0
    for i, char in enumerate(line):
        if count >= units:
            return i
        count += _units(char, encoding)
    return len(line)


def _position(lines: list[str], line: int, column: int, encoding: str) -> types.Position:
    """An LSP position from a 1-based line and character column."""
    line = max(line, 1)
    text = lines[line - 1] if line - 1 < len(lines) else ""
    return types.Position(line=line - 1, character=_units(text[: max(column, 1) - 1], encoding))


def finding_range(finding: Finding, lines: list[str], encoding: str) -> types.Range:
    """The finding's span; without one (no end, or an empty span), up to the end of its line."""
    pos = finding.loc.pos
    start = _position(lines, pos.line, pos.column, encoding)
    if pos.end_line is not None and pos.end_line >= pos.line:
        end_column = pos.end_column
        if end_column is None:
            end_text = lines[pos.end_line - 1] if pos.end_line - 1 < len(lines) else ""
            end_column = len(end_text) + 1
        end = _position(lines, pos.end_line, end_column, encoding)
        if (end.line, end.character) > (start.line, start.character):
            return types.Range(start=start, end=end)
    text = lines[start.line] if start.line < len(lines) else ""
    return types.Range(start=start, end=types.Position(start.line, _units(text, encoding)))


def offset_position(text: str, offset: int, encoding: str) -> types.Position:
    """The LSP position of a character offset of `text`."""
    before = text[:offset]
    breaks = list(_LINE_BREAK.finditer(before))
    line_start = breaks[-1].end() if breaks else 0
    # a "\r" at the very end may be the first half of "\r\n": still one break
    return types.Position(line=len(breaks), character=_units(before[line_start:], encoding))


# -------------------------------------------------------------------- code actions


def _overlaps(a: types.Range, b: types.Range) -> bool:
    a_start, a_end = (a.start.line, a.start.character), (a.end.line, a.end.character)
    b_start, b_end = (b.start.line, b.start.character), (b.end.line, b.end.character)
    return a_start <= b_end and b_start <= a_end


def code_actions(
    ls: LintServer, ws: Workspace, path: Path, params: types.CodeActionParams
) -> list[types.CodeAction]:
    only = params.context.only
    wants_fix_all = not only or any(
        kind in (types.CodeActionKind.SourceFixAll, types.CodeActionKind.Source, FIX_ALL)
        for kind in only
    )
    wants_quick = not only or types.CodeActionKind.QuickFix in only
    findings = [f for f in ws.findings_for(path) if f.suppressed is None]
    lines = _LINE_BREAK.split(ls.text_of(path))
    enc = ls.encoding()
    actions: list[types.CodeAction] = []
    if wants_quick:
        for finding in findings:
            where = finding_range(finding, lines, enc)
            if not _overlaps(where, params.range):
                continue
            diag = ls.diagnostic(finding, lines, ws)
            fix = finding.fix
            if fix is not None and fix.edits and fix.applicability in ("safe", "unsafe"):
                unsafe = " (unsafe fix)" if fix.applicability == "unsafe" else ""
                actions.append(
                    types.CodeAction(
                        title=f"{fix.title} ({finding.rule_id}){unsafe}",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diag],
                        is_preferred=fix.applicability == "safe",
                        edit=workspace_edit(ls, list(fix.edits)),
                    )
                )
            ignore = ignore_edit(ls, path, finding)
            if ignore is not None:
                actions.append(
                    types.CodeAction(
                        title=f"Ignore {finding.rule_id} on this line (lambdalint: ignore comment)",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diag],
                        edit=ignore,
                    )
                )
    if wants_fix_all:
        safe = _safe_fixes(findings)
        if safe:
            edits = [edit for fix in safe for edit in fix.edits]
            actions.append(
                types.CodeAction(
                    title=f"Fix all safe lambdalint findings in this file ({len(safe)})",
                    kind=FIX_ALL if only else types.CodeActionKind.QuickFix,
                    edit=workspace_edit(ls, edits),
                )
            )
    return actions


def _safe_fixes(findings: list[Finding]) -> list[Fix]:
    """The safe fixes of the file's findings that do not overlap one another (as one round of
    `check --fix`: a fix shared by several findings counts once)."""
    taken: list[Edit] = []
    chosen: list[Fix] = []
    for finding in findings:
        fix = finding.fix
        if fix is None or not fix.edits or fix.applicability != "safe" or fix in chosen:
            continue
        if any(edit.overlaps(other) for edit in fix.edits for other in taken):
            continue
        taken.extend(fix.edits)
        chosen.append(fix)
    return chosen


def workspace_edit(ls: LintServer, edits: list[Edit]) -> types.WorkspaceEdit:
    enc = ls.encoding()
    changes: dict[str, list[types.TextEdit]] = {}
    texts: dict[Path, str] = {}
    for edit in dict.fromkeys(edits):
        if edit.path not in texts:
            texts[edit.path] = ls.text_of(edit.path)
        text = texts[edit.path]
        uri = from_fs_path(str(edit.path.resolve())) or str(edit.path)
        changes.setdefault(uri, []).append(
            types.TextEdit(
                range=types.Range(
                    start=offset_position(text, edit.start, enc),
                    end=offset_position(text, edit.end, enc),
                ),
                new_text=edit.text,
            )
        )
    return types.WorkspaceEdit(changes=changes)


def ignore_edit(ls: LintServer, path: Path, finding: Finding) -> types.WorkspaceEdit | None:
    """A comment line above the finding's line: `# lambdalint: ignore[LLxxx] <reason>` (a
    trailing comment when a line of its own would not parse); None for files without comments
    (JSON: use the template's Metadata) or when neither parses."""
    markers = _markers(path)
    if not markers:
        return None
    text = ls.text_of(path)
    lines = _LINE_BREAK.split(text)
    number = finding.loc.pos.line
    if not 1 <= number <= len(lines):
        return None
    line = lines[number - 1]
    directive = f"{markers[0]} lambdalint: ignore[{finding.rule_id}] {REASON_PLACEHOLDER}"
    newline = m.group(0) if (m := _LINE_BREAK.search(text)) else "\n"
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    above = f"{indent}{directive}{newline}"
    enc = ls.encoding()
    uri = from_fs_path(str(path.resolve())) or str(path)
    start = types.Position(line=number - 1, character=0)
    end_of_line = types.Position(line=number - 1, character=_units(line, enc))
    candidates = [
        (types.TextEdit(range=types.Range(start=start, end=start), new_text=above), above, 0),
        (
            types.TextEdit(
                range=types.Range(start=end_of_line, end=end_of_line), new_text=f"  {directive}"
            ),
            f"  {directive}",
            len(line),
        ),
    ]
    offset = [0, *(m.end() for m in _LINE_BREAK.finditer(text))][number - 1]
    checkable = path.name.lower().endswith((".py", ".pyw", ".tf", ".yaml", ".yml", ".template"))
    for edit, inserted, at in candidates:
        new = text[: offset + at] + inserted + text[offset + at :]
        if not checkable or _parses(path, new, text):
            return types.WorkspaceEdit(changes={uri: [edit]})
    return None


# -------------------------------------------------------------------- hovers


def hover_text(ls: LintServer, ws: Workspace, path: Path, position: types.Position) -> str | None:
    lines = _LINE_BREAK.split(ls.text_of(path))
    if position.line >= len(lines):
        return None
    line = lines[position.line]
    index = _index(line, position.character, ls.encoding())
    if "lambdalint" in line:
        for m in _RULE_ID.finditer(line):
            if m.start() <= index <= m.end():
                return _rule_hover(ws, m.group(0))
    for fn in ws.functions_declared_in(path):
        assert fn.handler is not None
        pos = fn.handler.loc.pos
        if pos.line != position.line + 1:
            continue
        spans = pos.end_line == pos.line and pos.end_column is not None
        if spans and not pos.column - 1 <= index <= (pos.end_column or 0) - 1:
            continue
        return _handler_hover(ws, fn)
    return None


def _rule_hover(ws: Workspace, rule_id: str) -> str | None:
    rule = ws.rule(rule_id)
    if rule is None:
        return f"`{rule_id}`: no such lambdalint rule"
    severity = ws.settings.severity.get(rule.id, rule.severity)
    text = f"**{rule.id} {rule.name}** ({severity})\n\n{rule.summary.strip()}"
    href = help_uri(rule)
    if href:
        text += f"\n\n[Rule reference]({href})"
    return text


def _handler_hover(ws: Workspace, fn: Function) -> str:
    from lambdalint.analysis.target import TargetStatus

    ctx = ws.context([fn])
    target = ctx.handler_target(fn)
    declared = fn.handler.value if fn.handler is not None else ""
    name = f"`{target.handler or declared}`"
    problems = [
        f"{f.rule_id}: {f.message}"
        for f in ws.function_findings(fn)
        if f.rule_id in ("LL101", "LL102", "LL103", "LL104", "LL105", "LL106")
        and f.suppressed is None
    ]
    if target.status is TargetStatus.OK:
        if target.inline_loc is not None:
            where = f"the inline code at line {target.inline_loc.pos.line}"
            src = ctx.source(fn)
        elif target.file is not None:
            where = os.path.relpath(target.file, fn.loc.path.parent).replace(os.sep, "/")
            src = ctx.source(fn)
        else:
            return f"Handler {name}: the module is there (not analysed)"
        entry = src.top_level.get(target.function) if src is not None else None
        if entry is not None:
            line = entry.pos.line + (src.line_offset if src is not None else 0)
            text = f"Handler {name} resolves to `{where}:{line}` ({entry.kind} `{entry.name}`)"
        else:
            text = f"Handler {name}: module `{where}`"
    elif target.status is TargetStatus.SKIP:
        text = f"Handler {name}: not looked into (no code lambdalint can see)"
    else:
        text = f"Handler {name} does not resolve ({target.status.value})"
    if problems:
        text += "\n\n" + "\n\n".join(problems)
    return text
