"""`lambdalint server`: a Language Server Protocol server over standard input and output.

state.py keeps what the server knows of the workspace between edits and re-lints only what a
change affects; lsp.py speaks the protocol (pygls): diagnostics, code actions, hovers. The
server is a session like `check` (it sits after the sessions in the stage order): the same
settings, rules, suppressions and fixes, on the texts of the open buffers.
"""

from __future__ import annotations


def serve() -> None:
    """Run the server on standard input and output until the client says `exit`."""
    from lambdalint.server.lsp import build

    build().start_io()
