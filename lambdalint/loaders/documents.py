"""What every loader is given (`LoadSession`), and a config file parsed whole into a `Document`,
parse errors as LL100 diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambdalint.model import Diagnostic, Loc
from lambdalint.reading import DEFAULT_LIMITS, Reader, ReadLimits
from lambdalint.reading.json_reader import parse_json
from lambdalint.reading.positions import LoadError
from lambdalint.reading.yaml_reader import parse_yaml


@dataclass
class LoadSession:
    """What the loaders of one load share: how files are read (`reader`: the limits and the
    trees being checked), and what a loader keeps for the rest of the load (`state`:
    Terraform's parsed module folders). Made for each load, and copied into each worker
    process: never shared between runs."""

    reader: Reader
    state: dict[str, Any] = field(default_factory=dict)


def expansion_notice(path: Path, limit: int) -> Diagnostic:
    """Said once for a file whose nested substitutions were cut short: a value longer than
    `limit` characters, or more text than the file's budget, is unknown and so not checked."""
    return Diagnostic(
        "LL100",
        f"values built by nested substitutions expand past {limit:,} characters: "
        "left unresolved, not checked",
        Loc(path),
        notice=True,
    )


@dataclass
class Document:
    path: Path
    data: Any = None
    text: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # YAML comments are kept as text lines for suppressions; see suppress.py
    kind: str = ""  # yaml | json
    # the limits it was read with: what is built from it is held to them too (max-nodes)
    limits: ReadLimits = DEFAULT_LIMITS
    _lines: list[str] | None = field(default=None, repr=False, compare=False)

    def line(self, number: int) -> str:
        """The text of a 1-based line ("" past the end); the text is split once."""
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""


def parse_file_text(
    text: str, path: Path, kind: str, session: LoadSession
) -> tuple[Any, list[Diagnostic]]:
    """`parse_json` or `parse_yaml` for a whole file, within the session's limits."""
    parse = parse_json if kind == "json" else parse_yaml
    return parse(text, path, session.reader.limits)


def load_document(path: Path, text: str, kind: str, session: LoadSession) -> Document:
    """Parse `text` as `kind` (yaml | json); parse errors become LL100 diagnostics."""
    doc = Document(path=path, text=text, kind=kind, limits=session.reader.limits)
    try:
        doc.data, doc.diagnostics = parse_file_text(text, path, kind, session)
    except LoadError as exc:
        doc.diagnostics.append(Diagnostic("LL100", exc.message, Loc(path, exc.pos)))
        doc.data = None
    return doc
