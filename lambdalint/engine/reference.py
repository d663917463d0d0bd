"""A rule's reference, made from its rule file: the summary, the description (what it does, why
it matters, a bad and a good example, how to fix), its options, the live data it checks against
(the runtime table, the exempt actions, the credential formats) and its references, as Markdown.

The same section is `lambdalint explain`'s output, SARIF's `help.markdown`, and one section of
docs/rules.md, which this module writes (a test fails when the file is stale):

    python -m lambdalint.engine.reference docs/rules.md

Each section is anchored on the rule's id and name (`#ll101-handler-file-missing`): SARIF's
`helpUri` of a built-in rule points there.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from lambdalint.rulepack import Rule, builtin_rules
from lambdalint.settings.options import declarations

# docs/rules.md as published: the `Documentation` URL of pyproject.toml (a test keeps them equal)
DOCS_URL = "https://github.com/lambdalint/lambdalint/blob/main/docs/rules.md"
GENERATED = (
    "<!-- generated from rules/*.yaml by `python -m lambdalint.engine.reference "
    "docs/rules.md`: edit the rule files, not this one -->"
)


def anchor(rule: Rule) -> str:
    """The rule's section anchor, as GitHub makes it from the heading."""
    return f"{rule.id}-{rule.name}".lower()


def help_uri(rule: Rule) -> str | None:
    """Where a rule is documented: a built-in rule's section of docs/rules.md, a custom rule's
    first reference (None without one)."""
    if rule.builtin:
        return f"{DOCS_URL}#{anchor(rule)}"
    return rule.references[0] if rule.references else None


def section(rule: Rule, options: Mapping[str, Any] | None = None, live: bool = False) -> str:
    """The rule's reference as one Markdown section. `live`: the live data as this run sees it
    (today's date, `options` such as `runtime-deprecations`); otherwise as of the data's own
    date, so that the document does not change from one day to the next."""
    parts = [f"## {rule.id} {rule.name}", rule.summary.strip()]
    about = f"Severity: {rule.severity}."
    if rule.category:
        about += f" Category: {rule.category}."
    if rule.fix is not None:
        flags = "--fix" if rule.fix == "safe" else "--fix --unsafe-fixes"
        about += f" Fix: {rule.fix} (`lambdalint check {flags}`)."
    parts.append(about)
    if rule.description.strip():
        parts.append(_nested(rule.description.strip()))
    own = [spec for spec in declarations([rule]).values() if spec.rule == rule.id]
    if own:
        rows = ["| option | type | default | description |", "|---|---|---|---|"]
        for spec in own:
            default = "(none)" if spec.default is None else f"`{_inline(spec.default)}`"
            rows.append(f"| `{spec.name}` | {spec.type} | {default} | {_cell(spec.description)} |")
        parts.append("### Options\n\n" + "\n".join(rows))
    extra = _LIVE.get(rule.id) if rule.builtin else None
    if extra is not None:
        title, make = extra
        parts.append(f"### {title}\n\n{make(options or {}, live)}")
    if rule.references:
        parts.append("### References\n\n" + "\n".join(f"- {ref}" for ref in rule.references))
    return "\n\n".join(parts) + "\n"


def document(rules: Iterable[Rule]) -> str:
    """docs/rules.md: an index of the rules, then a section each."""
    rules = list(rules)
    lines = [
        GENERATED,
        "",
        "# lambdalint rules",
        "",
        "Every rule of the built-in pack, from its file in `rules/`. "
        "`lambdalint explain RULE` prints the same text.",
        "",
        "| rule | name | severity | fix | summary |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| [{r.id}](#{anchor(r)}) | {r.name} | {r.severity} | {r.fix or ''} | {_cell(r.summary)} |"
        for r in rules
    ]
    return "\n".join(lines) + "\n\n" + "\n".join(section(r) for r in rules)


def _nested(markdown: str) -> str:
    """A rule's description under its section: its headings one level down (not in code)."""
    out = []
    fenced = False
    for line in markdown.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        out.append("#" + line if not fenced and re.match(r"#{1,5} ", line) else line)
    return "\n".join(out)


def _inline(value: object) -> str:
    return str(value).replace("`", "'")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


# ---------------------------------------------------------------- live data


def _runtime_table(options: Mapping[str, Any], live: bool) -> str:
    from lambdalint.aws import runtimes

    if live:
        table = runtimes.load(options.get("runtime-deprecations"))
        judged = f"judged as of {table.as_of} " + (
            "(pinned by runtime-deprecations.as-of)"
            if table.pinned
            else "(today; pin a date with runtime-deprecations.as-of)"
        )
    else:
        table = runtimes.load(today=runtimes.load().updated)
        judged = f"status as of {table.as_of} (`lambdalint explain LL506` judges as of today)"
    lines = [
        f"Runtime table dated {table.updated} (source: {table.source}), {judged}:",
        "",
        "```",
        f"{'runtime':<16} {'deprecated':<11} {'block create':<13} {'block update':<13} status",
    ]
    for row in sorted(
        table.rows.values(),
        key=lambda r: (runtimes.family(r.runtime), runtimes.version_key(r.runtime)),
    ):
        state = runtimes.status(table, row.runtime) or "supported"
        lines.append(
            f"{row.runtime:<16} {_date(row.deprecated):<11} {_date(row.block_create):<13} "
            f"{_date(row.block_update):<13} {state}"
        )
    lines.append("```")
    return "\n".join(lines)


def _date(value: object) -> str:
    return str(value) if value is not None else "-"


def _exempt_actions(options: Mapping[str, Any], live: bool) -> str:
    from lambdalint.aws.iam import UNSCOPED_ACTIONS, spelling

    return 'Actions never reported on "*": ' + ", ".join(
        spelling(a) for a in sorted(UNSCOPED_ACTIONS)
    )


def _credential_formats(options: Mapping[str, Any], live: bool) -> str:
    from lambdalint.aws.secrets import CREDENTIAL_FORMATS

    names = [f.name for f in CREDENTIAL_FORMATS] + ["a URL with an embedded password"]
    return "Credential formats recognised under any name:\n\n" + "\n".join(f"- {n}" for n in names)


_LIVE: dict[str, tuple[str, Callable[[Mapping[str, Any], bool], str]]] = {
    "LL506": ("Runtime table", _runtime_table),
    "LL202": ("Exempt actions", _exempt_actions),
    "LL401": ("Credential formats", _credential_formats),
}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m lambdalint.engine.reference OUT.md", file=sys.stderr)
        return 2
    Path(argv[0]).write_text(document(builtin_rules()), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
