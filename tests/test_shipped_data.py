"""The IAM data lambdalint ships (SAM policy templates, AWS managed policies): what a plain
install reads, how it is regenerated, and that it agrees with its sources."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, read_expect

from lambdalint import sam_policy_templates

# ---------------------------------------------------------------- SAM policy templates


def test_sam_templates_are_shipped() -> None:
    names = sam_policy_templates.names()
    assert len(names) >= 75
    s3 = sam_policy_templates.template("S3ReadPolicy")
    assert s3 is not None and s3.parameters == {"BucketName"}
    assert "s3:GetObject" in json.dumps(s3.definition)
    assert sam_policy_templates.template("NoSuchPolicy") is None


def test_sam_templates_agree_with_the_translator_when_installed() -> None:
    pytest.importorskip("samtranslator")
    version, theirs = sam_policy_templates.translator_templates()
    ours = sam_policy_templates.names()
    assert set(ours) <= set(theirs), "templates the translator no longer has"
    for name in ours:  # a newer translator may add templates
        shipped = sam_policy_templates.template(name)
        assert shipped is not None
        assert shipped.definition == theirs[name]["definition"], (
            f"{name} differs from aws-sam-translator {version}: "
            "run `python -m lambdalint.sam_policy_templates`"
        )
        assert sorted(shipped.parameters) == theirs[name]["parameters"]


# the fixture cases whose roles use SAM policy templates
SAM_TEMPLATE_CASES = [
    "LL201-iam-wildcard-action/sam-service-wildcard",
    "LL201-iam-wildcard-action/good-scoped",
    "LL203-iam-admin-policy/good-narrow-policies",
    "LL205-missing-permission/python-bad",
    "LL205-missing-permission/node-bad",
    "LL205-missing-permission/good",
]

_PLAIN_INSTALL = """
import importlib.abc, json, os, sys
from pathlib import Path

class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("samtranslator", "boto3", "botocore"):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked)")
        return None

sys.meta_path.insert(0, Blocked())
from lambdalint.config import Config
from lambdalint.engine import run

out = {}
for case, rule in json.loads(sys.argv[1]):
    os.chdir(case)
    result = run([Path(".")], Config(select=[rule]))
    out[case] = sorted(
        [f.rule_id, os.path.normpath(f.loc.path).replace(os.sep, "/"), f.loc.pos.line]
        for f in result.findings if f.suppressed is None
    )
assert not any(m.split(".")[0] == "samtranslator" for m in sys.modules)
print(json.dumps(out))
"""


def test_a_plain_install_expands_sam_templates_without_the_translator() -> None:
    cases = [(str(FIXTURES / c), c.split("-", 1)[0]) for c in SAM_TEMPLATE_CASES]
    done = subprocess.run(
        [sys.executable, "-c", _PLAIN_INSTALL, json.dumps(cases)],
        capture_output=True,
        check=False,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    for case, _rule in cases:
        want = sorted(
            [e["rule"], e["file"], e["line"]] for e in read_expect(Path(case)).get("findings") or []
        )
        assert got[case] == want, case
