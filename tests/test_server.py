"""`lambdalint server` driven over standard input and output by pygls' own LSP client: the
diagnostics of `check` on unsaved buffers, quick fixes, ignore comments, hovers, the
configuration file read again, and a server that outlives its errors."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Timeout: 10
      LoggingConfig:
        LogGroup: !Ref HelloLogs
  HelloLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 30
"""

HANDLER = """\
def lambda_handler(event, context):
    return {"statusCode": 200}
"""

TIMEOUT = 60.0


class Client:
    """A pygls client on a `lambdalint server` process, keeping what the server published."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.lsp = LanguageClient("lambdalint-tests", "1")
        self.diagnostics: dict[str, list[types.Diagnostic]] = {}
        self.logs: list[str] = []
        self.messages: list[str] = []
        self.changed = asyncio.Event()
        self.versions: dict[str, int] = {}

        @self.lsp.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.diagnostics[params.uri] = list(params.diagnostics)
            self.changed.set()

        @self.lsp.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            self.logs.append(params.message)
            self.changed.set()

        @self.lsp.feature(types.WINDOW_SHOW_MESSAGE)
        def shown(params: types.ShowMessageParams) -> None:
            self.messages.append(params.message)
            self.changed.set()

    def uri(self, name: str) -> str:
        return (self.root / name).resolve().as_uri()

    async def start(self) -> None:
        await self.lsp.start_io(sys.executable, "-m", "lambdalint", "server", cwd=str(self.root))
        result = await self.lsp.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(),
                root_uri=self.root.resolve().as_uri(),
                workspace_folders=[
                    types.WorkspaceFolder(uri=self.root.resolve().as_uri(), name="root")
                ],
            )
        )
        self.capabilities = result.capabilities
        self.lsp.initialized(types.InitializedParams())
        await self.until(lambda: any("workspace:" in line for line in self.logs))

    async def until(self, condition: Callable[[], bool]) -> None:
        async def wait() -> None:
            while not condition():
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(wait(), TIMEOUT)

    def codes(self, name: str) -> list[str]:
        return [str(d.code) for d in self.diagnostics.get(self.uri(name), [])]

    def open(self, name: str) -> None:
        self.versions[name] = 1
        self.lsp.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=self.uri(name),
                    language_id="yaml" if name.endswith(".yaml") else "python",
                    version=1,
                    text=(self.root / name).read_text(encoding="utf-8"),
                )
            )
        )

    def replace(self, name: str, text: str) -> None:
        """Send the whole new text of an open buffer (not saved)."""
        self.versions[name] += 1
        self.lsp.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=self.uri(name), version=self.versions[name]
                ),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    async def stop(self) -> None:
        await asyncio.wait_for(self.lsp.shutdown_async(None), TIMEOUT)
        self.lsp.exit(None)
        await asyncio.wait_for(self.lsp.stop(), TIMEOUT)


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP text edits (UTF-16 positions; ASCII here) to `text`."""
    lines = text.splitlines(keepends=True)

    def offset(pos: types.Position) -> int:
        return sum(len(line) for line in lines[: pos.line]) + pos.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / "src" / "app.py").write_text(HANDLER, encoding="utf-8")
    return tmp_path


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_mismatch_quick_fix_and_break_again_from_the_buffer(project: Path) -> None:
    async def scenario() -> None:
        c = Client(project)
        await c.start()
        template, handler = c.uri("template.yaml"), c.uri("src/app.py")
        caps = c.capabilities
        assert caps.hover_provider
        assert isinstance(caps.code_action_provider, types.CodeActionOptions)
        kinds = caps.code_action_provider.code_action_kinds or []
        assert {types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll} <= set(kinds)
        assert isinstance(caps.text_document_sync, types.TextDocumentSyncOptions)
        assert caps.text_document_sync.save and caps.text_document_sync.open_close
        await c.until(lambda: c.codes("template.yaml") == ["LL102"])
        diag = c.diagnostics[template][0]
        # the handler value `app.handler`, line 8 from column 16, as `check` reports it
        assert (diag.range.start.line, diag.range.start.character) == (7, 15)
        assert diag.severity == types.DiagnosticSeverity.Error
        assert diag.source == "lambdalint"
        assert diag.code_description is not None
        assert diag.code_description.href.endswith("#ll102-handler-function-missing")

        c.open("template.yaml")
        c.open("src/app.py")
        actions = await c.lsp.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=template),
                range=diag.range,
                context=types.CodeActionContext(diagnostics=[diag]),
            )
        )
        assert actions is not None
        fixes = [
            a
            for a in actions
            if isinstance(a, types.CodeAction) and "lambda_handler" in a.title and a.edit
        ]
        assert len(fixes) == 1
        edit = fixes[0].edit
        assert edit is not None and edit.changes is not None
        fixed = apply_edits(TEMPLATE, list(edit.changes[template]))
        assert "Handler: app.lambda_handler" in fixed
        c.replace("template.yaml", fixed)
        await c.until(lambda: c.codes("template.yaml") == [])
        assert c.diagnostics[template] == []

        # rename the function in the unsaved handler buffer: the template's diagnostic is back
        c.replace("src/app.py", HANDLER.replace("lambda_handler", "main"))
        await c.until(lambda: c.codes("template.yaml") == ["LL102"])
        assert (
            "defines no top-level callable 'lambda_handler'" in c.diagnostics[template][0].message
        )
        assert c.codes("src/app.py") == []
        assert (project / "src" / "app.py").read_text(encoding="utf-8") == HANDLER
        assert handler not in c.diagnostics or c.diagnostics[handler] == []
        await c.stop()

    run(scenario())


async def _actions(
    c: Client, name: str, diag: types.Diagnostic, only: list[str] | None = None
) -> list[types.CodeAction]:
    actions = await c.lsp.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=c.uri(name)),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag], only=only),
        )
    )
    return [a for a in actions or [] if isinstance(a, types.CodeAction)]


async def _hover(c: Client, name: str, line: int, character: int) -> str:
    hover = await c.lsp.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=c.uri(name)),
            position=types.Position(line=line, character=character),
        )
    )
    if hover is None:
        return ""
    assert isinstance(hover.contents, types.MarkupContent)
    return hover.contents.value


def test_hover_ignore_comment_and_rule_hover(project: Path) -> None:
    async def scenario() -> None:
        c = Client(project)
        await c.start()
        await c.until(lambda: c.codes("template.yaml") == ["LL102"])
        c.open("template.yaml")
        # the Handler value: where it resolves, or why not
        text = await _hover(c, "template.yaml", 7, 18)
        assert "src/app.py" in text and "LL102" in text
        assert await _hover(c, "template.yaml", 2, 3) == ""  # `Resources:` is no handler

        diag = c.diagnostics[c.uri("template.yaml")][0]
        ignore = [
            a for a in await _actions(c, "template.yaml", diag) if a.title.startswith("Ignore")
        ]
        assert len(ignore) == 1 and ignore[0].edit is not None and ignore[0].edit.changes
        edited = apply_edits(TEMPLATE, list(ignore[0].edit.changes[c.uri("template.yaml")]))
        assert "      # lambdalint: ignore[LL102] " in edited.splitlines()[7]
        c.replace("template.yaml", edited)
        await c.until(lambda: c.codes("template.yaml") == [])
        # a rule id in the ignore comment: the rule's summary
        comment = edited.splitlines()[7]
        text = await _hover(c, "template.yaml", 7, comment.index("LL102") + 2)
        assert "LL102 handler-function-missing" in text

        # fixed by hand: the hover says where the handler is
        c.replace("template.yaml", TEMPLATE.replace("app.handler", "app.lambda_handler"))
        await c.until(lambda: c.codes("template.yaml") == [])
        assert "resolves to `src/app.py:1`" in await _hover(c, "template.yaml", 7, 18)
        await c.stop()

    run(scenario())


def test_fix_all_safe_for_the_file(project: Path) -> None:
    two = TEMPLATE.replace("app.handler", "App.lambda_handler") + (
        "  OtherFunction:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      CodeUri: src/\n"
        "      Handler: APP.lambda_handler\n"
        "      Runtime: python3.12\n"
        "      Timeout: 10\n"
        "      LoggingConfig:\n"
        "        LogGroup: !Ref HelloLogs\n"
    )
    (project / "template.yaml").write_text(two, encoding="utf-8")

    async def scenario() -> None:
        c = Client(project)
        await c.start()
        await c.until(lambda: c.codes("template.yaml") == ["LL101", "LL101"])
        c.open("template.yaml")
        diag = c.diagnostics[c.uri("template.yaml")][0]
        actions = await _actions(c, "template.yaml", diag, only=[types.CodeActionKind.SourceFixAll])
        assert [a.kind for a in actions] == ["source.fixAll.lambdalint"]
        assert actions[0].edit is not None and actions[0].edit.changes is not None
        fixed = apply_edits(two, list(actions[0].edit.changes[c.uri("template.yaml")]))
        assert fixed.count("Handler: app.lambda_handler") == 2
        c.replace("template.yaml", fixed)
        await c.until(lambda: c.codes("template.yaml") == [])
        await c.stop()

    run(scenario())


def test_configuration_is_read_again_when_saved(project: Path) -> None:
    async def scenario() -> None:
        c = Client(project)
        await c.start()
        await c.until(lambda: c.codes("template.yaml") == ["LL102"])
        config = project / ".lambdalint.yaml"
        config.write_text("ignore: [LL102]\n", encoding="utf-8")
        c.lsp.text_document_did_save(
            types.DidSaveTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=c.uri(".lambdalint.yaml"))
            )
        )
        await c.until(lambda: c.codes("template.yaml") == [])
        # a configuration that is not valid: said once, the last good one kept
        config.write_text("select: 12\n", encoding="utf-8")
        c.lsp.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[
                    types.FileEvent(
                        uri=c.uri(".lambdalint.yaml"), type=types.FileChangeType.Changed
                    )
                ]
            )
        )
        await c.until(lambda: any("configuration not used" in m for m in c.messages))
        assert c.codes("template.yaml") == []
        await c.stop()

    run(scenario())


def test_bad_input_is_a_diagnostic_and_the_server_goes_on(project: Path) -> None:
    async def scenario() -> None:
        c = Client(project)
        await c.start()
        await c.until(lambda: c.codes("template.yaml") == ["LL102"])
        c.open("template.yaml")
        c.replace("template.yaml", TEMPLATE + "  Broken: [\n")
        await c.until(lambda: c.codes("template.yaml") == ["LL100"])
        c.open("src/app.py")
        c.replace("src/app.py", "def lambda_handler(event, context:\n")
        await c.until(lambda: c.codes("template.yaml") == ["LL100"])
        # requests about files the server does not know, or beyond their end
        assert await _hover(c, "nowhere.yaml", 0, 0) == ""
        assert await _hover(c, "template.yaml", 500, 0) == ""
        c.replace("template.yaml", TEMPLATE)
        await c.until(lambda: "LL100" in c.codes("src/app.py"))
        c.replace("src/app.py", HANDLER)
        await c.until(lambda: c.codes("template.yaml") == ["LL102"] and c.codes("src/app.py") == [])
        assert not [line for line in c.logs if "internal error" in line]
        await c.stop()

    run(scenario())


def test_an_internal_error_is_logged_and_the_session_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lambdalint.server.lsp import build

    server = build()
    logged: list[types.LogMessageParams] = []
    monkeypatch.setattr(server, "window_log_message", logged.append)
    with server.guard("textDocument/hover"):
        raise ValueError("a lambdalint bug")
    assert len(logged) == 1 and logged[0].type == types.MessageType.Error
    assert "internal error in textDocument/hover" in logged[0].message
    assert "ValueError: a lambdalint bug" in logged[0].message


def test_a_file_changed_on_disk_is_linted_from_there(project: Path) -> None:
    async def scenario() -> None:
        c = Client(project)
        await c.start()
        await c.until(lambda: c.codes("template.yaml") == ["LL102"])
        # not open in the editor (a client that syncs other languages, a git checkout)
        (project / "src" / "app.py").write_text(HANDLER.replace("lambda_handler", "handler"))
        c.lsp.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[
                    types.FileEvent(uri=c.uri("src/app.py"), type=types.FileChangeType.Changed)
                ]
            )
        )
        await c.until(lambda: c.codes("template.yaml") == [])
        await c.stop()

    run(scenario())


def test_serverless_and_terraform_handlers(tmp_path: Path) -> None:
    (tmp_path / "handlers").mkdir()
    (tmp_path / "handlers" / "users.py").write_text(
        "def get(event, context):\n    return 1\n", encoding="utf-8"
    )
    (tmp_path / "serverless.yml").write_text(
        "service: users\nprovider:\n  name: aws\n  runtime: python3.12\n  logRetentionInDays: 14\n"
        "functions:\n  getUser:\n    handler: handlers/users.get\n"
        "  createUser:\n    handler: handlers/users.create\n",
        encoding="utf-8",
    )
    (tmp_path / "tf" / "src").mkdir(parents=True)
    (tmp_path / "tf" / "src" / "app.py").write_text("def main(event, context):\n    return 1\n")
    (tmp_path / "tf" / "main.tf").write_text(
        'data "archive_file" "zip" {\n'
        '  type        = "zip"\n'
        '  source_dir  = "${path.module}/src"\n'
        '  output_path = "${path.module}/app.zip"\n'
        "}\n\n"
        'resource "aws_lambda_function" "api" {\n'
        '  function_name    = "api"\n'
        '  role             = "arn:aws:iam::123456789012:role/api"\n'
        '  runtime          = "python3.12"\n'
        '  handler          = "app.handler"\n'
        "  filename         = data.archive_file.zip.output_path\n"
        "}\n",
        encoding="utf-8",
    )

    async def scenario() -> None:
        c = Client(tmp_path)
        await c.start()
        await c.until(lambda: "LL102" in c.codes("serverless.yml"))
        assert c.codes("serverless.yml").count("LL102") == 1
        text = await _hover(c, "serverless.yml", 7, 16)
        assert "resolves to `handlers/users.py:1`" in text
        text = await _hover(c, "serverless.yml", 9, 16)
        assert "LL102" in text and "'create'" in text
        c.open("handlers/users.py")
        c.replace(
            "handlers/users.py",
            "def get(event, context):\n    return 1\n\n\n"
            "def create(event, context):\n    return 2\n",
        )
        await c.until(lambda: "LL102" not in c.codes("serverless.yml"))
        # Terraform: the diagnostic on main.tf, the hover on its handler, an edit of the handler
        assert "LL102" in c.codes("tf/main.tf")
        diag = next(d for d in c.diagnostics[c.uri("tf/main.tf")] if d.code == "LL102")
        assert (diag.range.start.line, diag.range.start.character) == (10, 21)
        assert "src/app.py" in await _hover(c, "tf/main.tf", 10, 25)
        c.open("tf/src/app.py")
        c.replace("tf/src/app.py", "def handler(event, context):\n    return 1\n")
        await c.until(lambda: "LL102" not in c.codes("tf/main.tf"))
        assert "resolves to `src/app.py:1`" in await _hover(c, "tf/main.tf", 10, 25)
        await c.stop()

    run(scenario())
