"""The execution role of SAM and CloudFormation functions → model Role with its Statements.

Sources of statements: SAM `Policies` (inline documents, managed policy names/ARNs, SAM policy
templates expanded from the data lambdalint ships, see sam_policy_templates.py),
`Role: !GetAtt X.Arn` to an `AWS::IAM::Role` (inline `Policies`, `ManagedPolicyArns`), and
`AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy` and `AWS::IAM::RolePolicy` resources attached to
that role. Anything that may add permissions but cannot be read marks the role `incomplete`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lambdalint.aws import sam_policy_templates
from lambdalint.loaders.cloudformation.properties import SAM_FUNCTION, function_properties
from lambdalint.loaders.cloudformation.template import NO_VALUE, Template, intrinsic_name
from lambdalint.loaders.documents import Document
from lambdalint.loaders.iam_policy import Strings, build_statement, grant
from lambdalint.model import UNKNOWN, Function, Loc, ManagedPolicy, Pos, Role, Statement
from lambdalint.reading.positions import LList, LMap, key_pos_of, pos_of

_AWS_MANAGED = re.compile(r"^arn:(?:\$\{AWS::Partition\}|[^:]*):iam::aws:policy/")
# the managed policies SAM attaches to the role it generates (samtranslator sam_resources.py,
# eventsources/pull.py): always the basic execution role, plus these when the feature is used
_SAM_EVENT_POLICIES = {
    "SQS": "AWSLambdaSQSQueueExecutionRole",
    "Kinesis": "AWSLambdaKinesisExecutionRole",
    "DynamoDB": "AWSLambdaDynamoDBExecutionRole",
}
_DLQ_ACTIONS = {"SQS": "sqs:SendMessage", "SNS": "sns:Publish"}
# resources that name a role without assuming it
_ROLE_NAMERS = frozenset(
    {
        "AWS::Lambda::Function",
        "AWS::Serverless::Function",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::RolePolicy",
    }
)


def enrich(doc: Document, tpl: Template, functions: list[Function]) -> None:
    builder = _RoleBuilder(doc.path, tpl)
    for fn in functions:
        props = function_properties(tpl, fn.name)
        sam = tpl.resource_type(fn.name) == SAM_FUNCTION
        fn.role = builder.role_of(fn, props, sam)


# ---------------------------------------------------------------- SAM policy templates


def _substitute(definition: Any, params: dict[str, Any], names: set[str]) -> Any:
    """The template's definition with `{"Ref": Param}` replaced by the value the user gave
    (UNKNOWN for a parameter the user left out)."""
    if isinstance(definition, dict):
        if len(definition) == 1 and "Ref" in definition and definition["Ref"] in names:
            return params.get(definition["Ref"], UNKNOWN)
        return {k: _substitute(v, params, names) for k, v in definition.items()}
    if isinstance(definition, list):
        return [_substitute(v, params, names) for v in definition]
    return definition


# ---------------------------------------------------------------- roles


class _RoleBuilder:
    def __init__(self, path: Path, tpl: Template) -> None:
        self.path = path
        self.tpl = tpl
        # built once, so that N functions, N roles and N policies cost N, not N × N
        self._roles: dict[str, Role] = {}  # AWS::IAM::Role logical id → its model
        self._attachments: _Attachments | None = None
        self._connector_sources: tuple[set[str], bool] | None = None
        self._referenced_by_others: set[str] | None = None

    def loc(self, pos: Pos) -> Loc:
        return Loc(self.path, pos)

    def role_of(self, fn: Function, props: dict[str, Any], sam: bool) -> Role | None:
        if "Role" in props and self.tpl.resolve(props["Role"]) is not NO_VALUE:
            raw = props["Role"]
            target = self.tpl.ref_target(raw)
            if target is not None and self.tpl.resource_type(target) == "AWS::IAM::Role":
                if target not in self._roles:
                    self._roles[target] = self.iam_role(target)
                role = self._roles[target]  # one model for every function that assumes it
            else:
                name = self.tpl.text(raw)
                role = Role(
                    known=False,
                    loc=self.loc(pos_of(props, "Role")),
                    name=name if isinstance(name, str) else None,
                )
        elif sam:
            role = self.sam_role(fn, props)
        else:
            return None
        if role.known and not role.incomplete and self._has_connectors(fn.name, props):
            # SAM connectors add policies lambdalint does not expand (to this function's role:
            # a role shared with other functions is copied, not changed)
            role = replace(role, incomplete=True)
        return role

    # ------------------------------------------------------------ AWS::IAM::Role

    def iam_role(self, logical_id: str) -> Role:
        role = Role(
            known=True, loc=self.loc(key_pos_of(self.tpl.resources, logical_id)), name=logical_id
        )
        props = self.tpl.properties(logical_id)
        if "Policies" in props:
            self._inline_policies(role, props["Policies"], logical_id)
        if "ManagedPolicyArns" in props:
            arns = props["ManagedPolicyArns"]
            items = self._items(arns)
            if items is None:
                role.incomplete = True
            else:
                for value, pos in items:
                    self._managed(role, value, pos)
        role_name = self.tpl.resolve(props.get("RoleName"))
        self._attached_policies(role, logical_id, role_name if isinstance(role_name, str) else None)
        role.other_users = logical_id in self._roles_used_elsewhere()
        return role

    def _roles_used_elsewhere(self) -> set[str]:
        """Logical ids named by something other than a function or a policy: a state machine
        or a task that assumes the role, an instance profile, an output another stack imports."""
        if self._referenced_by_others is None:
            found: set[str] = set()
            for res in self.tpl.resources.values():
                if isinstance(res, dict) and res.get("Type") not in _ROLE_NAMERS:
                    found.update(self.tpl.referenced_ids(res.get("Properties")))
            outputs = self.tpl.data.get("Outputs")
            if isinstance(outputs, dict):
                found.update(self.tpl.referenced_ids(outputs))
            self._referenced_by_others = found
        return self._referenced_by_others

    def _inline_policies(self, role: Role, policies: Any, owner: str) -> None:
        items = self._items(policies)
        if items is None:
            role.incomplete = True
            return
        for item, _pos in items:
            if not isinstance(item, dict) or intrinsic_name(item):
                role.incomplete = True
                continue
            name = self.tpl.resolve(item.get("PolicyName"))
            label = f"{owner} policy {name}" if isinstance(name, str) else f"{owner} inline policy"
            self._document(role, item.get("PolicyDocument"), label)

    def _attached_policies(self, role: Role, role_id: str, role_name: str | None) -> None:
        """AWS::IAM::Policy / ManagedPolicy (`Roles`) and AWS::IAM::RolePolicy (`RoleName`)."""
        if self._attachments is None:
            self._attachments = self._index_attachments()
        index = self._attachments
        attached = set(index.by_id.get(role_id, ()))
        if role_name is not None:
            attached.update(index.by_name.get(role_name, ()))
        if len(index.unknown) > len(index.unknown & attached):
            role.incomplete = True  # a policy whose roles are not known may attach to this one
        for i in sorted(attached):
            logical_id, rtype, document = index.policies[i]
            self._document(role, document, f"{rtype} {logical_id}")

    def _index_attachments(self) -> _Attachments:
        """Every policy resource with the roles it names, by logical id and by name."""
        index = _Attachments()
        for logical_id, res in self.tpl.resources.items():
            if not isinstance(res, dict):
                continue
            rtype = res.get("Type")
            props = res.get("Properties")
            if not isinstance(props, dict):
                continue
            if rtype in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
                refs = props.get("Roles")
            elif rtype == "AWS::IAM::RolePolicy":
                refs = [props.get("RoleName")]
            else:
                continue
            if refs is None:
                continue
            i = len(index.policies)
            index.policies.append((str(logical_id), str(rtype), props.get("PolicyDocument")))
            items = self._items(refs)
            if items is None:
                index.unknown.add(i)
                continue
            for value, _pos in items:
                target = self.tpl.ref_target(value)
                if target is not None:
                    index.by_id.setdefault(target, []).append(i)
                    continue
                text = self.tpl.resolve(value)
                if isinstance(text, str):
                    index.by_name.setdefault(text, []).append(i)
                else:
                    index.unknown.add(i)
        return index

    # ------------------------------------------------------------ managed policies

    def _managed(self, role: Role, value: Any, pos: Pos) -> None:
        """A managed policy by name/ARN: a policy resource of this template, an AWS managed
        policy (listed), or a customer managed policy defined elsewhere (unknown content)."""
        target = self.tpl.ref_target(value)
        if target is not None and self.tpl.resource_type(target) == "AWS::IAM::ManagedPolicy":
            props = self.tpl.properties(target)
            self._document(role, props.get("PolicyDocument"), f"AWS::IAM::ManagedPolicy {target}")
            return
        text = self.tpl.text(value)
        if not isinstance(text, str) or not text:
            role.incomplete = True
            return
        role.managed_policies.append(ManagedPolicy(text, self.loc(pos)))
        if text.startswith("arn:") and not _AWS_MANAGED.match(text):
            role.incomplete = True  # a customer managed policy defined elsewhere

    # ------------------------------------------------------------ SAM

    def sam_role(self, fn: Function, props: dict[str, Any]) -> Role:
        where = pos_of(props, "Policies") if "Policies" in props else fn.loc.pos
        role = Role(known=True, loc=self.loc(where), name=f"{fn.name}Role", generated=True)
        implicit = ["AWSLambdaBasicExecutionRole"]
        tracing = self.tpl.resolve(props.get("Tracing"))
        if props.get("Tracing") is not None and tracing != "Disabled":
            implicit.append("AWSXrayWriteOnlyAccess")
        if props.get("VpcConfig") is not None:
            implicit.append("AWSLambdaVPCAccessExecutionRole")
        events = props.get("Events")
        if isinstance(events, dict):
            for event in events.values():
                etype = event.get("Type") if isinstance(event, dict) else None
                if isinstance(etype, str) and etype in _SAM_EVENT_POLICIES:
                    implicit.append(_SAM_EVENT_POLICIES[etype])
        for name in dict.fromkeys(implicit):
            role.managed_policies.append(ManagedPolicy(name, fn.loc))
        if "Policies" in props:
            self._sam_policies(role, props["Policies"], pos_of(props, "Policies"))
        self._sam_dead_letter(role, props)
        return role

    def _sam_policies(self, role: Role, policies: Any, pos: Pos) -> None:
        if isinstance(policies, dict) and not intrinsic_name(policies):
            if "Statement" in policies:
                self._document(role, policies, "SAM Policies", pos)
                return
            policies = [policies]  # one policy template written as a mapping
        items = self._items(policies, pos)
        if items is None:
            role.incomplete = True
            return
        for item, item_pos in items:
            if isinstance(item, str) or intrinsic_name(item):
                self._managed(role, item, item_pos)
            elif isinstance(item, dict) and "Statement" in item:
                self._document(role, item, "SAM Policies", item_pos)
            elif isinstance(item, dict) and len(item) == 1:
                name, params = next(iter(item.items()))
                self._sam_template(role, str(name), params, item_pos)
            else:
                role.incomplete = True

    def _sam_template(self, role: Role, name: str, params: Any, pos: Pos) -> None:
        template = sam_policy_templates.template(name)
        if template is None:
            role.incomplete = True  # a template SAM does not have (or newer than our data)
            return
        given = params if isinstance(params, dict) and not intrinsic_name(params) else {}
        expanded = _substitute(template.definition, dict(given), set(template.parameters))
        self._document(role, expanded, f"SAM policy template {name}", pos, positions=False)

    def _sam_dead_letter(self, role: Role, props: dict[str, Any]) -> None:
        dlq = props.get("DeadLetterQueue")
        if not isinstance(dlq, dict) or intrinsic_name(dlq):
            return
        action = _DLQ_ACTIONS.get(str(self.tpl.resolve(dlq.get("Type"))))
        if action is None:
            return
        target = self.tpl.text(dlq.get("TargetArn"))
        resources = Strings([target]) if isinstance(target, str) else Strings(unknown=True)
        loc = self.loc(pos_of(props, "DeadLetterQueue"))
        role.statements.append(grant([action], resources, loc, "SAM DeadLetterQueue"))

    def _has_connectors(self, fn_id: str, props: dict[str, Any]) -> bool:
        res = self.tpl.resources.get(fn_id)
        # embedded connectors sit on the resource, next to Properties
        if props.get("Connectors") is not None or (
            isinstance(res, dict) and res.get("Connectors") is not None
        ):
            return True
        if self._connector_sources is None:
            sources: set[str] = set()
            any_source = False  # a connector whose source is not given by logical id
            for res in self.tpl.resources.values():
                if not isinstance(res, dict) or res.get("Type") != "AWS::Serverless::Connector":
                    continue
                cprops = res.get("Properties")
                source = cprops.get("Source") if isinstance(cprops, dict) else None
                if not isinstance(source, dict) or "Id" not in source:
                    any_source = True
                elif isinstance(source["Id"], str):
                    sources.add(source["Id"])
            self._connector_sources = (sources, any_source)
        sources, any_source = self._connector_sources
        return any_source or fn_id in sources

    # ------------------------------------------------------------ policy documents

    def _document(
        self, role: Role, document: Any, source: str, pos: Pos | None = None, positions: bool = True
    ) -> None:
        """Add a policy document's statements. `positions` False: the document is not written
        in the file (an expanded SAM template), so every statement points at `pos`."""
        document = self.tpl.decide(document)
        if document is NO_VALUE or document is None:
            return
        if not isinstance(document, dict) or intrinsic_name(document):
            role.incomplete = True
            return
        raw = self.tpl.decide(document.get("Statement"))
        if raw is None or raw is NO_VALUE:
            return
        base = pos or (document.pos if isinstance(document, LMap) else Pos())
        items = self._items(raw if isinstance(raw, list) else [raw], base)
        if items is None:
            role.incomplete = True
            return
        for item, item_pos in items:
            if not isinstance(item, dict) or intrinsic_name(item):
                role.incomplete = True
                continue
            where = item_pos if positions else (pos or base)
            if positions and isinstance(item, LMap) and not isinstance(raw, list):
                where = item.pos
            role.statements.append(self._statement(item, where, source, positions))

    def _statement(self, item: dict[str, Any], pos: Pos, source: str, positions: bool) -> Statement:
        action_key = "Action" if "Action" in item else "NotAction"
        resource_key = "Resource" if "Resource" in item else "NotResource"
        return build_statement(
            effect=self.tpl.resolve(item.get("Effect", "Allow")),
            actions=self._strings(item.get("Action")),
            not_actions=self._strings(item.get("NotAction")),
            resources=self._strings(item.get("Resource")),
            not_resources=self._strings(item.get("NotResource")),
            has_condition=bool(item.get("Condition")),
            loc=self.loc(pos),
            source=source,
            action_loc=self.loc(pos_of(item, action_key))
            if positions and action_key in item
            else None,
            resource_loc=self.loc(pos_of(item, resource_key))
            if positions and resource_key in item
            else None,
        )

    def _strings(self, value: Any) -> Strings:
        """An IAM string-or-list field: its strings, and whether some part is unresolvable
        (Fn::If decided, AWS::NoValue dropped, nested lists flattened)."""
        value = self.tpl.decide(value)
        if value is None or value is NO_VALUE:
            return Strings()
        out: list[str] = []
        unknown = False
        for item in value if isinstance(value, list) else [value]:
            item = self.tpl.decide(item)
            if item is NO_VALUE:
                continue
            if isinstance(item, list):
                more = self._strings(item)
                out.extend(more.values)
                unknown = unknown or more.unknown
                continue
            text = self.tpl.text(item)
            if isinstance(text, str):
                out.append(text)
            elif text is not NO_VALUE:
                unknown = True
        return Strings(out, unknown)

    # ------------------------------------------------------------ structure

    def _items(self, value: Any, default: Pos | None = None) -> list[tuple[Any, Pos]] | None:
        """The items of a list with their positions (Fn::If decided, NoValue dropped, an
        undecidable item UNKNOWN); a scalar is a one-item list; None when the list itself
        cannot be resolved."""
        value = self.tpl.decide(value)
        if value is NO_VALUE or value is None:
            return []
        fallback = default or Pos()
        if not isinstance(value, list):
            if value is UNKNOWN:
                return None
            return [(value, value.pos if isinstance(value, LMap) else fallback)]
        out: list[tuple[Any, Pos]] = []
        for i, item in enumerate(value):
            pos = pos_of(value, i, fallback) if isinstance(value, LList) else fallback
            item = self.tpl.decide(item)
            if item is not NO_VALUE:
                out.append((item, pos))
        return out


@dataclass
class _Attachments:
    """Policy resources (logical id, type, document) and the roles they attach to."""

    policies: list[tuple[str, str, Any]] = field(default_factory=list)
    by_id: dict[str, list[int]] = field(default_factory=dict)  # role logical id → policies
    by_name: dict[str, list[int]] = field(default_factory=dict)  # RoleName → policies
    unknown: set[int] = field(default_factory=set)  # policies naming a role not resolvable
