"""AWS managed policies (`AWSLambdaBasicExecutionRole`, `AmazonS3ReadOnlyAccess`, …): what each
one grants, by name.

The data (`data/aws_managed_policies.json`) is generated from a local copy of AWS's managed
policy documents and keeps only what the IAM checks read: for each policy its statements'
effect, actions (or NotAction), whether they apply to every resource (`"*"`) or to everything
but some (`NotResource`), and whether they carry a condition. Resource ARNs and condition
contents are left out. Statements that agree on all of that are merged, and action lists are
written `service:A,B` to keep the file small. Service-linked role policies
(`/aws-service-role/`) are left out: IAM attaches them to service-linked roles only.

Regenerate with either source, then commit the file:

    python -m lambdalint.aws.managed_policies SOURCE [OUT]

SOURCE is a checkout of github.com/zoph-io/MAMIP (its `policies/` folder holds one AWS policy
version per file, `policies-list.json` their paths), or the JSON written by
`aws iam get-account-authorization-details --filter AWSManagedPolicy`. At run time only the
shipped file is read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).parent / "data" / "aws_managed_policies.json"


@dataclass(frozen=True)
class ManagedStatement:
    """One statement of an AWS managed policy, as far as the checks read it."""

    effect: str  # Allow | Deny
    actions: tuple[str, ...]
    not_actions: tuple[str, ...] = ()
    every_resource: bool = False  # Resource "*"
    not_resource: bool = False  # NotResource: every resource except some
    has_condition: bool = False


@dataclass(frozen=True)
class AwsManagedPolicy:
    name: str
    statements: tuple[ManagedStatement, ...]


@lru_cache(maxsize=1)
def _policies() -> dict[str, Any]:
    try:
        data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    policies = data.get("policies") if isinstance(data, dict) else None
    return policies if isinstance(policies, dict) else {}


def _ungroup(text: Any) -> tuple[str, ...]:
    """`logs:CreateLogGroup,PutLogEvents *` → (`logs:CreateLogGroup`, `logs:PutLogEvents`, `*`)."""
    if not isinstance(text, str):
        return ()
    out: list[str] = []
    for token in text.split():
        prefix, colon, names = token.partition(":")
        if not colon:
            out.append(token)
            continue
        out.extend(f"{prefix}:{name}" for name in names.split(",") if name)
    return tuple(out)


@cache
def policy(name: str) -> AwsManagedPolicy | None:
    """The AWS managed policy of that name (`AWSLambdaRole`, not its ARN), or None when
    lambdalint does not know it."""
    raw = _policies().get(name)
    if not isinstance(raw, list):
        return None
    statements = []
    for item in raw:
        if not isinstance(item, dict):
            return None
        statements.append(
            ManagedStatement(
                effect="Deny" if item.get("Effect") == "Deny" else "Allow",
                actions=_ungroup(item.get("Action")),
                not_actions=_ungroup(item.get("NotAction")),
                every_resource=item.get("Resource") == "*",
                not_resource=item.get("NotResource") is True,
                has_condition=item.get("Condition") is True,
            )
        )
    return AwsManagedPolicy(name, tuple(statements))


def names() -> list[str]:
    return sorted(_policies())


# --- generating the data (development only: needs a copy of the AWS policy documents) --------

SERVICE_LINKED_PATH = "/aws-service-role/"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _group(actions: list[str]) -> str:
    """The inverse of `_ungroup`: actions of one service share their prefix."""
    by_prefix: dict[str, dict[str, None]] = {}
    plain: dict[str, None] = {}
    for action in actions:
        action = "".join(action.split())
        prefix, colon, name = action.partition(":")
        if not colon or not name or "," in action:
            plain[action] = None
        else:
            by_prefix.setdefault(prefix, {})[name] = None
    parts = list(plain) + [f"{p}:{','.join(n)}" for p, n in sorted(by_prefix.items())]
    return " ".join(parts)


def compact(document: dict[str, Any]) -> list[dict[str, Any]]:
    """A policy document → the shipped statements (see the module docstring)."""
    merged: dict[tuple[bool, bool, bool, bool], list[str]] = {}
    out: list[dict[str, Any]] = []
    for stmt in _as_list(document.get("Statement")):
        if not isinstance(stmt, dict):
            continue
        deny = stmt.get("Effect") == "Deny"
        every = "*" in _as_list(stmt.get("Resource"))
        not_resource = "NotResource" in stmt
        condition = bool(stmt.get("Condition"))
        entry: dict[str, Any] = {"Effect": "Deny"} if deny else {}
        if "NotAction" in stmt:  # kept on its own: NotAction lists do not merge
            entry["NotAction"] = _group([str(a) for a in _as_list(stmt["NotAction"])])
        else:
            key = (deny, every, not_resource, condition)
            if key in merged:
                merged[key].extend(str(a) for a in _as_list(stmt.get("Action")))
                continue
            merged[key] = [str(a) for a in _as_list(stmt.get("Action"))]
            entry["Action"] = merged[key]
        if every:
            entry["Resource"] = "*"
        if not_resource:
            entry["NotResource"] = True
        if condition:
            entry["Condition"] = True
        out.append(entry)
    for entry in out:
        if isinstance(entry.get("Action"), list):
            entry["Action"] = _group(entry["Action"])
    return out


def _document(raw: Any) -> dict[str, Any] | None:
    """A policy document as AWS returns it: a mapping, or URL-encoded JSON text (the IAM API)."""
    if isinstance(raw, str):
        from urllib.parse import unquote

        try:
            raw = json.loads(unquote(raw))
        except ValueError:
            return None
    return raw if isinstance(raw, dict) else None


def read_mamip(folder: Path) -> tuple[dict[str, dict[str, Any]], str]:
    """(name → document, snapshot date) from a MAMIP checkout (or its `policies/` folder)."""
    policies_dir = folder / "policies" if (folder / "policies").is_dir() else folder
    paths: dict[str, str] = {}
    newest = ""
    listing = policies_dir.parent / "policies-list.json"
    if listing.is_file():
        for item in json.loads(listing.read_text(encoding="utf-8")).get("Policies", []):
            paths[item["PolicyName"]] = item.get("Path", "/")
            newest = max(newest, str(item.get("UpdateDate", "")))
    documents: dict[str, dict[str, Any]] = {}
    for file in sorted(policies_dir.iterdir()):
        if not file.is_file() or paths.get(file.name) == SERVICE_LINKED_PATH:
            continue
        if file.suffix == ".json" and (policies_dir / file.stem).is_file():
            continue  # a stray copy of another policy's file
        try:
            version = json.loads(file.read_text(encoding="utf-8"))["PolicyVersion"]
        except (ValueError, KeyError, TypeError):
            continue  # an empty file: a policy whose document the snapshot lost
        document = _document(version.get("Document"))
        if document is not None:
            documents[file.name] = document
    return documents, newest[:10]


def read_authorization_details(file: Path) -> tuple[dict[str, dict[str, Any]], str]:
    """(name → document, snapshot date) from `aws iam get-account-authorization-details`."""
    data = json.loads(file.read_text(encoding="utf-8"))
    documents: dict[str, dict[str, Any]] = {}
    newest = ""
    for item in data.get("Policies", []):
        arn = str(item.get("Arn", ""))
        if ":iam::aws:policy/" not in arn or item.get("Path") == SERVICE_LINKED_PATH:
            continue
        versions = item.get("PolicyVersionList", [])
        default = next((v for v in versions if v.get("IsDefaultVersion")), None)
        document = _document(default.get("Document")) if default else None
        if document is not None:
            documents[item["PolicyName"]] = document
            newest = max(newest, str(item.get("UpdateDate", "")))
    return documents, newest[:10]


def generate(source: Path, out: Path) -> int:  # pragma: no cover - run by hand
    if source.is_dir():
        documents, date = read_mamip(source)
        origin = "a MAMIP snapshot (github.com/zoph-io/MAMIP)"
    else:
        documents, date = read_authorization_details(source)
        origin = "aws iam get-account-authorization-details"
    about = (
        f"generated by lambdalint.aws.managed_policies from {origin}: {len(documents)} AWS managed "
        f"policies, newest version {date or 'unknown'}"
    )
    items = [
        f"{json.dumps(name)}: {json.dumps(compact(doc), separators=(',', ':'))}"
        for name, doc in sorted(documents.items())
    ]
    text = "{\n" + f'"about": {json.dumps(about)},\n"policies": {{\n' + ",\n".join(items) + "\n}}\n"
    out.write_text(text, encoding="utf-8")
    return len(documents)


if __name__ == "__main__":  # pragma: no cover
    import sys

    if len(sys.argv) < 2:
        sys.exit("usage: python -m lambdalint.aws.managed_policies SOURCE [OUT]")
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else DATA_FILE
    print(generate(Path(sys.argv[1]), target), "policies")
