"""JUnit XML for CI test reports (GitLab `artifacts: reports: junit:`, Jenkins, Azure
Pipelines): one test suite per file with findings, one test case per active finding. A finding
at or above `fail-on` is a `<failure>`; one below it is `<skipped>` (shown, not failing, as
the exit code does not fail on it). A run without findings is one passing test case, so the
report is never empty."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from lambdalint.engine import Result
from lambdalint.escape import clean
from lambdalint.findings import SEVERITIES, Finding
from lambdalint.reporters import display_path
from lambdalint.settings import Settings


def _case(suite: ET.Element, f: Finding, path: str, names: dict[str, str], fails: bool) -> None:
    pos = f.loc.pos
    name = names.get(f.rule_id, "")
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "name": clean(f"{f.rule_id} {name} at {path}:{pos.line}:{pos.column}"),
            "classname": clean(path),
            "file": clean(path),
            "line": str(max(pos.line, 1)),
        },
    )
    text = clean(f"{path}:{pos.line}:{pos.column}: {f.rule_id} [{f.severity}] {f.message}")
    if fails:
        failure = ET.SubElement(
            case, "failure", {"type": clean(f.rule_id), "message": clean(f.message)}
        )
        failure.text = text
    else:
        ET.SubElement(case, "skipped", {"message": clean(f"{f.severity}: {f.message}")})


def render(result: Result, settings: Settings, color: bool = False) -> str:
    names = {r.id: r.name for r in result.rules}
    threshold = SEVERITIES.index(settings.fail_on)
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        if f.suppressed is None:
            by_file[display_path(f.loc.path)].append(f)
    root = ET.Element("testsuites", {"name": "lambdalint"})
    total = failures = skipped = 0
    for path, findings in by_file.items():
        suite = ET.SubElement(root, "testsuite", {"name": clean(path)})
        fails = 0
        for f in findings:
            failing = f.severity in SEVERITIES and SEVERITIES.index(f.severity) >= threshold
            _case(suite, f, path, names, failing)
            fails += failing
        suite.set("tests", str(len(findings)))
        suite.set("failures", str(fails))
        suite.set("errors", "0")
        suite.set("skipped", str(len(findings) - fails))
        total += len(findings)
        failures += fails
        skipped += len(findings) - fails
    if not by_file:
        suite = ET.SubElement(
            root,
            "testsuite",
            {"name": "lambdalint", "tests": "1", "failures": "0", "errors": "0", "skipped": "0"},
        )
        functions = len(result.project.functions) if result.project else 0
        ET.SubElement(
            suite, "testcase", {"name": f"{functions} functions checked", "classname": "lambdalint"}
        )
        total = 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    root.set("skipped", str(skipped))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
