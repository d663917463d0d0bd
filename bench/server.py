"""Latency of `lambdalint server` for one change: the time from a `didChange` of a handler
buffer (its function renamed, then back) to the diagnostics the server publishes for the
template that declares it, over stdio with pygls' client, as an editor sees it.

    python bench/server.py TREE [--edits 20] [--handler REL/PATH/app.py]

TREE is a generated tree (bench/generate.py OUT → OUT/tree). Prints the start-up time (the
first lint of the whole tree), then the median, 90th percentile and worst of the edits, and
the server's own lint time for them (its log line).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient


async def measure(tree: Path, edits: int, handler: Path | None) -> None:
    client = LanguageClient("bench", "1")
    published: dict[str, list[types.Diagnostic]] = {}
    publishes: dict[str, int] = {}
    logs: list[str] = []
    event = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        published[params.uri] = list(params.diagnostics)
        publishes[params.uri] = publishes.get(params.uri, 0) + 1
        event.set()

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def on_log(params: types.LogMessageParams) -> None:
        logs.append(params.message)
        event.set()

    async def until(condition: object) -> None:
        while not condition():  # type: ignore[operator]
            event.clear()
            await event.wait()

    started = time.perf_counter()
    await client.start_io(sys.executable, "-m", "lambdalint", "server", cwd=str(tree))
    await client.initialize_async(
        types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=tree.as_uri())
    )
    client.initialized(types.InitializedParams())
    await until(lambda: any("workspace:" in line for line in logs))
    print(f"start-up (first lint of the tree): {time.perf_counter() - started:.2f} s")
    print("  server:", [line for line in logs if "workspace:" in line][-1])

    if handler is None:
        handler = _clean_handler(tree)
    template = next(p / "template.yaml" for p in handler.parents if (p / "template.yaml").is_file())
    uri, template_uri = handler.resolve().as_uri(), template.resolve().as_uri()
    text = handler.read_text(encoding="utf-8")
    broken = text.replace("\ndef handler(", "\ndef handler_renamed(")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=text
            )
        )
    )
    times: list[float] = []
    server_ms: list[float] = []
    for i in range(edits):
        new = broken if i % 2 == 0 else text
        count = publishes.get(template_uri, 0)
        logged = len(logs)
        t0 = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=i + 2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=new)],
            )
        )
        await until(lambda n=count: publishes.get(template_uri, 0) > n)  # type: ignore[misc]
        times.append((time.perf_counter() - t0) * 1000)
        shown = any(
            "handler_renamed" in d.message or "'handler'" in d.message
            for d in published[template_uri]
        )
        assert shown == (i % 2 == 0), [d.message for d in published[template_uri]]
        await until(lambda n=logged: len(logs) > n)  # type: ignore[misc]
        m = re.search(r"linted in (\d+) ms", logs[-1])
        if m:
            server_ms.append(float(m.group(1)))
    times.sort()
    print(
        f"handler edited: {handler.relative_to(tree)} (diagnostic on {template.relative_to(tree)})"
    )
    print(
        f"one change → diagnostics published: median {statistics.median(times):.0f} ms, "
        f"p90 {times[int(len(times) * 0.9) - 1]:.0f} ms, worst {times[-1]:.0f} ms ({edits} edits)"
    )
    if server_ms:
        print(f"  server lint time: median {statistics.median(server_ms):.0f} ms")
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def _clean_handler(tree: Path) -> Path:
    """A SAM function's handler file `app.py` defining `handler(event, context)`, declared
    `CodeUri: <its folder>/` then `Handler: app.handler` (no planted mistake on it)."""
    for template in sorted(tree.rglob("template.yaml")):
        lines = template.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines[:-1]):
            m = re.match(r"\s+CodeUri: (\S+)/$", line)
            if not m or lines[i + 1].strip() != "Handler: app.handler":
                continue
            source = template.parent / m.group(1) / "app.py"
            if source.is_file() and "\ndef handler(event, context)" in source.read_text():
                return source
    raise SystemExit("no SAM function with a clean handler in the tree")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--handler", type=Path)
    args = parser.parse_args()
    tree = args.tree.resolve()
    handler = (tree / args.handler) if args.handler else None
    asyncio.run(measure(tree, args.edits, handler))


if __name__ == "__main__":
    main()
