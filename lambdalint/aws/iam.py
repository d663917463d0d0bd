"""IAM statement semantics for the IAM rules: which actions a statement grants (wildcards expanded
with the IAM action list), their access level, and whether a resource means "all".

The action list (`data/iam_actions.json`: every action by service and access level) is
generated from policyuniverse's data, whose 8 MB took 0.18 s to load, longer than the rest of
checking one changed handler: `python -m lambdalint.aws.iam [OUT]` regenerates it. It is read
only when a wildcard has to be expanded or an access level looked up, never at start-up.
"""

from __future__ import annotations

import fnmatch
import json
import re
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from lambdalint.model import Statement

# Granted on "*" by AWS's own Lambda execution policies and not scopable to a resource, so a
# wildcard resource on them is no finding (LL202):
# - logging: AWSLambdaBasicExecutionRole
#   https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
# - X-Ray: AWSXRayDaemonWriteAccess
#   https://docs.aws.amazon.com/xray/latest/devguide/security_iam_id-based-policy-examples.html
# - CloudWatch PutMetricData supports no resource types (only "*")
#   https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
# - the network interface actions of a function in a VPC (AWSLambdaVPCAccessExecutionRole)
#   https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
# - the S3 Object Lambda callback (AmazonS3ObjectLambdaExecutionRolePolicy)
#   https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonS3ObjectLambdaExecutionRolePolicy.html
UNSCOPED_ACTIONS = frozenset(
    {
        "logs:createloggroup",
        "logs:createlogstream",
        "logs:putlogevents",
        "xray:puttracesegments",
        "xray:puttelemetryrecords",
        "cloudwatch:putmetricdata",
        "ec2:createnetworkinterface",
        "ec2:describenetworkinterfaces",
        "ec2:deletenetworkinterface",
        "ec2:detachnetworkinterface",
        "ec2:assignprivateipaddresses",
        "ec2:unassignprivateipaddresses",
        "s3-object-lambda:writegetobjectresponse",
    }
)

# Actions that let the holder gain more permissions than it has (LL204), as IAM globs.
ESCALATION_PATTERNS = (
    "iam:passrole",
    "iam:create*",
    "iam:attach*",
    "iam:put*policy",
    "iam:updateassumerolepolicy",
    "iam:setdefaultpolicyversion",
    "sts:assumerole",
    "lambda:updatefunctioncode",
    "lambda:createfunction",
)

WRITE_LEVELS = frozenset({"Write", "Permissions"})

# arn:partition:service:region:account:resource, where the resource part is "*" or names every
# principal or function of the account: "role/*", "user/*", "policy/*", "function:*" ...
_ANY_ARN = re.compile(
    r"^arn:[^:]*:[^:]*:[^:]*:[^:]*:(\*|(role|user|group|policy|instance-profile|function)[/:]\*)$"
)
# ${AWS::AccountId} holds colons; `$` and `{` excluded inside so unclosed `${` scan linearly
_PLACEHOLDER = re.compile(r"\$\{[^${}]*\}")


def is_allow(stmt: Statement) -> bool:
    return stmt.effect == "Allow"


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def is_service_wildcard(action: str) -> bool:
    """`*`, `s3:*`, `*:*`, `*:Get*`: every action, or every action of a service."""
    if action.strip() == "*":
        return True
    service, _, name = action.partition(":")
    return name == "*" or has_wildcard(service)


def is_any_resource(resource: str) -> bool:
    """`*`, or an ARN that names every resource of its type (`arn:aws:iam::*:role/*`)."""
    resource = _PLACEHOLDER.sub("X", resource.strip())
    return resource == "*" or bool(_ANY_ARN.match(resource))


def on_every_resource(stmt: Statement) -> bool:
    """`Resource: "*"`, or NotResource (everything except the listed ones)."""
    return bool(stmt.not_resources) or any(r.strip() == "*" for r in stmt.resources)


def on_any_resource_of_a_type(stmt: Statement) -> bool:
    """Like on_every_resource, and also every resource of a type (`arn:aws:iam::*:role/*`)."""
    return bool(stmt.not_resources) or any(is_any_resource(r) for r in stmt.resources)


ACTIONS_FILE = Path(__file__).parent / "data" / "iam_actions.json"


@lru_cache(maxsize=1)
def _universe() -> tuple[frozenset[str], dict[str, str], dict[str, str]]:
    """(every action, lower-case; lower-case action → access level; lower-case → as AWS
    spells it)."""
    data = json.loads(ACTIONS_FILE.read_text(encoding="utf-8"))
    levels: dict[str, str] = {}
    spelled: dict[str, str] = {}
    for prefix, by_level in data["services"].items():
        for level, actions in by_level.items():
            for action in actions:
                name = f"{prefix}:{action}"
                levels[name.lower()] = level
                spelled[name.lower()] = name
    return frozenset(spelled), levels, spelled


def spelling(action: str) -> str:
    """`s3:putobject` → `s3:PutObject` (as written when the action list does not know it)."""
    return _universe()[2].get(action.lower(), action)


@lru_cache(maxsize=4096)
def expand(pattern: str) -> frozenset[str]:
    """The lower-case actions an Action entry grants (`s3:Get*` → every S3 Get action). An
    action the action list does not know is kept as written (lower-cased)."""
    pattern = pattern.strip().lower()
    if not has_wildcard(pattern):
        return frozenset({pattern})
    service, colon, _ = pattern.partition(":")
    if colon and not any(c in service for c in "*?["):
        # `s3:Get*` can only match S3's actions: filter those, not all of them
        permissions: Iterable[str] = _by_service().get(service, ())
    else:
        permissions = _universe()[0]
    matched = frozenset(fnmatch.filter(permissions, pattern))
    return matched or frozenset({pattern})


@lru_cache(maxsize=1)
def _by_service() -> dict[str, list[str]]:
    """Every action (lower-case) by its service prefix."""
    out: dict[str, list[str]] = {}
    for action in _universe()[0]:
        out.setdefault(action.partition(":")[0], []).append(action)
    return out


def access_level(action: str) -> str | None:
    """List | Read | Write | Permissions | Tagging, or None when unknown."""
    return _universe()[1].get(action.lower())


def matches(pattern: str, action: str) -> bool:
    """Does the IAM glob `pattern` (case-insensitive) cover `action`?"""
    return fnmatch.fnmatchcase(action.lower(), pattern.strip().lower())


def granted(stmt: Statement) -> list[tuple[str, frozenset[str]]]:
    """Each Action entry of the statement with the concrete actions it grants."""
    return [(a, expand(a)) for a in stmt.actions]


def write_actions(entries: Iterable[str]) -> dict[str, list[str]]:
    """For each Action entry, the write/permissions-management actions it grants that can be
    scoped to a resource (UNSCOPED_ACTIONS left out). Entries without any are omitted."""
    out: dict[str, list[str]] = {}
    for entry in entries:
        lowered = entry.strip().lower()
        if lowered in UNSCOPED_ACTIONS:
            continue  # no need to load the action list for the logging statement
        found = sorted(
            a
            for a in expand(entry)
            if a not in UNSCOPED_ACTIONS and access_level(a) in WRITE_LEVELS
        )
        if found:
            out[entry] = found
    return out


def escalation_actions(entries: Iterable[str]) -> dict[str, list[str]]:
    """For each Action entry, the privilege-escalation actions it grants."""
    out: dict[str, list[str]] = {}
    for entry in entries:
        if has_wildcard(entry):
            found = sorted(
                a for a in expand(entry) if any(matches(p, a) for p in ESCALATION_PATTERNS)
            )
        else:
            found = [entry.strip()] if any(matches(p, entry) for p in ESCALATION_PATTERNS) else []
        if found:
            out[entry] = found
    return out


def describe(entry: str, actions: list[str], limit: int = 3) -> str:
    """`s3:PutObject`, or `s3:* (including s3:deleteobject, s3:putobject, … 98 more)`."""
    if len(actions) == 1 and actions[0].lower() == entry.strip().lower():
        return entry.strip()
    shown = ", ".join(spelling(a) for a in actions[:limit])
    more = f", … {len(actions) - limit} more" if len(actions) > limit else ""
    return f"{entry.strip()} (including {shown}{more})"


def is_aws_managed_name(name: Any) -> bool:
    """An AWS managed policy: a bare name (SAM resolves it) or `arn:…:iam::aws:policy/…`."""
    if not isinstance(name, str):
        return False
    return not name.startswith("arn:") or ":iam::aws:policy/" in name


def policy_name(name: str) -> str:
    """`arn:aws:iam::aws:policy/service-role/AWSLambdaRole` → `AWSLambdaRole`."""
    return name.rsplit("/", 1)[-1]


# --- generating the action list (development only: needs policyuniverse) -------------------


def policyuniverse_actions() -> dict[str, dict[str, list[str]]]:
    """The action list as policyuniverse has it: service prefix → access level → actions."""
    from policyuniverse import _action_categories, service_data

    out: dict[str, dict[str, list[str]]] = {}
    for body in service_data.values():
        prefix = body["prefix"]
        for action in body.get("actions", {}):
            level = _action_categories[f"{prefix}:{action}".lower()]
            out.setdefault(prefix, {}).setdefault(level, []).append(action)
    return {
        prefix: {level: sorted(set(names)) for level, names in sorted(levels.items())}
        for prefix, levels in sorted(out.items())
    }


def generate(out: Path) -> int:  # pragma: no cover - run by hand
    from importlib.metadata import version

    services = policyuniverse_actions()
    data = {
        "generated by": f"lambdalint.aws.iam from policyuniverse {version('policyuniverse')}",
        "services": services,
    }
    out.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    return sum(len(names) for levels in services.values() for names in levels.values())


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ACTIONS_FILE
    print(f"{generate(target)} actions written to {target}")
