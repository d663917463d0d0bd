"""How each framework writes what a fix changes: a function's timeout, a log group with a
retention, a queue's visibility timeout, an IAM statement, or any literal value the model
points at. Framework knowledge stays with the loaders; the checks decide what to change and
call these, which return the text edits (editing/) or None when the change cannot be made
without guessing (a value given by a parameter or a variable, a layout not recognised).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lambdalint.editing import SourceText, Texts
from lambdalint.editing import json as json_edit
from lambdalint.editing import yaml as yaml_edit
from lambdalint.editing.yaml import Tagged
from lambdalint.findings import Edit
from lambdalint.loaders.terraform import hcl_edits
from lambdalint.model import Function, Loc, LogGroup, Pos, Queue

Tree = yaml_edit.YamlTree | json_edit.JsonTree
Node = yaml_edit.YNode | json_edit.JNode

LOG_GROUP = "AWS::Logs::LogGroup"


def syntax(path: Path, source: SourceText | None = None) -> str:
    """yaml | json | hcl: how a config file is written (a `.template` may hold either)."""
    name = path.name.lower()
    if name.endswith(".tf"):
        return "hcl"
    if name.endswith(".json"):
        return "json"
    if source is not None and source.text.lstrip()[:1] in ("{", "["):
        return "json"
    return "yaml"


def tree(texts: Texts, path: Path) -> Tree | None:
    """The YAML or JSON tree of a config file."""
    source = texts.get(path)
    if source is None:
        return None
    if syntax(path, source) == "json":
        return texts.parsed(path, "json", json_edit.parse)
    if syntax(path, source) == "yaml":
        return texts.parsed(path, "yaml", yaml_edit.parse)
    return None


def hcl(texts: Texts, path: Path) -> hcl_edits.HclTree | None:
    if syntax(path) != "hcl":
        return None
    return texts.parsed(path, "hcl", hcl_edits.parse)


# ---------------------------------------------------------------- any literal


def literal_at(texts: Texts, loc: Loc) -> bool:
    """Whether a literal value (no intrinsic, variable or expression) is written at `loc`."""
    found = hcl(texts, loc.path)
    if found is not None:
        attribute = found.value_at(loc.pos)
        return attribute is not None and attribute.literal
    doc = tree(texts, loc.path)
    node = doc.value_at(loc.pos) if doc is not None else None
    if isinstance(node, yaml_edit.YNode):
        return node.plain_scalar
    return node is not None and node.kind == "scalar"


_CDK_METADATA = ("aws:cdk:path", "aws:asset:path")


def generated(texts: Texts, fn: Function) -> bool:
    """Whether the function's config is the output of a tool (a Terraform plan, a template CDK
    synthesized): fixed there, the change would be lost the next time the tool runs."""
    if fn.framework == "terraform-plan" or "cdk.out" in fn.loc.path.parts:
        return True
    if fn.framework not in ("sam", "cloudformation"):
        return False
    doc = tree(texts, fn.loc.path)
    metadata = doc.path("Resources", fn.name, "Metadata") if doc is not None else None
    return metadata is not None and any(metadata.get(key) for key in _CDK_METADATA)


def replace_value(texts: Texts, fn: Function, loc: Loc, value: Any) -> Edit | None:
    """Write `value` in place of the literal the model read at `loc` (a property value of
    `fn`'s config)."""
    if generated(texts, fn) or (loc.path != fn.loc.path and "cdk.out" in loc.path.parts):
        return None
    return _replace(texts, loc, value)


def _replace(texts: Texts, loc: Loc, value: Any) -> Edit | None:
    found = hcl(texts, loc.path)
    if found is not None:
        return found.replace_literal(found.value_at(loc.pos), value)
    doc = tree(texts, loc.path)
    if isinstance(doc, yaml_edit.YamlTree):
        return doc.replace_scalar(doc.value_at(loc.pos), value)
    if isinstance(doc, json_edit.JsonTree):
        return doc.replace_scalar(doc.value_at(loc.pos), value)
    return None


# ---------------------------------------------------------------- the function's own settings

_TIMEOUT_KEY = {
    "sam": "Timeout",
    "cloudformation": "Timeout",
    "serverless": "timeout",
    "terraform": "timeout",
}


def set_timeout(texts: Texts, fn: Function, seconds: int) -> list[Edit] | None:
    """Set the function's own timeout: the literal where it is set for this function, or a new
    setting in the function's own properties when it is not set, or set for all functions
    (Globals, the provider): the other functions keep theirs."""
    key = _TIMEOUT_KEY.get(fn.framework)
    if key is None or generated(texts, fn):
        return None
    if fn.timeout is not None and _own(texts, fn, fn.timeout.loc):
        edit = _replace(texts, fn.timeout.loc, seconds)
        return [edit] if edit is not None else None
    if fn.timeout is None and maybe_at_edge(texts, fn):
        return None  # Lambda@Edge: 5 s at most for viewer events, 30 s for origin events
    return _own_setting(texts, fn, key, seconds)


# how a template, a Terraform module or a Serverless service puts a function at CloudFront's
# edge (the distribution's association, the Serverless event)
_EDGE_MARKERS = ("lambda_function_association", "LambdaFunctionAssociations", "cloudFront:")


def maybe_at_edge(texts: Texts, fn: Function) -> bool:
    """Whether the function may run as Lambda@Edge: its template or service, or a file of its
    Terraform module, associates a function with a CloudFront distribution. Such a function
    takes shorter timeouts, and logs to a group in each region it runs in: a new timeout or a
    new log group for it would be a guess."""
    paths = [fn.loc.path]
    if fn.framework == "terraform":
        try:
            paths = sorted(
                p
                for p in fn.loc.path.parent.iterdir()
                if p.name.lower().endswith((".tf", ".tf.json"))
            )
        except OSError:
            return True
    for path in paths:
        source = texts.get(path)
        if source is None:
            return True
        if any(marker in source.text for marker in _EDGE_MARKERS):
            return True
    return False


def _own(texts: Texts, fn: Function, loc: Loc) -> bool:
    """Whether `loc` lies in the function's own properties (not Globals, not the provider)."""
    if loc.path != fn.loc.path:
        return False
    block = _hcl_block(texts, fn)
    if block is not None:
        found = hcl(texts, fn.loc.path)
        offset = found.source.offset(loc.pos) if found is not None else -1
        return block.start <= offset < block.end
    doc, node = _function_node(texts, fn)
    if isinstance(doc, yaml_edit.YamlTree) and isinstance(node, yaml_edit.YNode):
        return doc.contains(node, loc.pos)
    if isinstance(doc, json_edit.JsonTree) and isinstance(node, json_edit.JNode):
        return doc.contains(node, loc.pos)
    return False


def _own_setting(texts: Texts, fn: Function, key: str, value: Any) -> list[Edit] | None:
    block = _hcl_block(texts, fn)
    found = hcl(texts, fn.loc.path)
    if block is not None and found is not None:
        edit = found.insert_attribute(block, key, value)
        return [edit] if edit is not None else None
    doc, node = _function_node(texts, fn)
    if doc is None or node is None:
        return None
    if fn.framework in ("sam", "cloudformation"):
        edit = _set_in(doc, node, ["Properties", key], value)
    else:
        edit = _set_in(doc, node, [key], value)
    return [edit] if edit is not None else None


def _function_node(texts: Texts, fn: Function) -> tuple[Tree | None, Node | None]:
    """The mapping of the function's own settings: the resource (SAM, CloudFormation), the
    function's entry under `functions:` (Serverless), the resource body (Terraform JSON)."""
    doc = tree(texts, fn.loc.path)
    if doc is None:
        return None, None
    node: Node | None = None
    if fn.framework in ("sam", "cloudformation"):
        node = doc.path("Resources", fn.name)
    elif fn.framework == "serverless" and isinstance(doc, yaml_edit.YamlTree):
        entry = doc.entry_with_key_at(fn.loc.pos)
        node = entry[2] if entry is not None and entry[1].value == fn.name else None
    elif fn.framework == "terraform":
        parts = fn.name.split(".")
        node = doc.path("resource", *parts) if len(parts) == 2 else None
    if node is None or node.kind != "map":
        return doc, None
    return doc, node


def _hcl_block(texts: Texts, fn: Function) -> hcl_edits.HBlock | None:
    if fn.framework != "terraform":
        return None
    found = hcl(texts, fn.loc.path)
    return found.block_at(fn.loc.pos) if found is not None else None


def _set_in(doc: Tree, node: Node, keys: list[str], value: Any) -> Edit | None:
    if isinstance(doc, yaml_edit.YamlTree) and isinstance(node, yaml_edit.YNode):
        return doc.set_in(node, keys, value)
    if isinstance(doc, json_edit.JsonTree) and isinstance(node, json_edit.JNode):
        return doc.set_in(node, keys, value)
    return None


def _insert(doc: Tree, node: Node, key: str, value: Any, after: str | None = None) -> Edit | None:
    if isinstance(doc, yaml_edit.YamlTree) and isinstance(node, yaml_edit.YNode):
        anchor = node.key_node(after) if after is not None else None
        return doc.insert_entry(node, key, value, after=anchor)
    if isinstance(doc, json_edit.JsonTree) and isinstance(node, json_edit.JNode):
        return doc.insert_entry(node, key, value, after=after)
    return None


def _append(doc: Tree, node: Node, value: Any) -> Edit | None:
    if isinstance(doc, yaml_edit.YamlTree) and isinstance(node, yaml_edit.YNode):
        return doc.append_item(node, value)
    if isinstance(doc, json_edit.JsonTree) and isinstance(node, json_edit.JNode):
        return doc.append_item(node, value)
    return None


def _entry_at(doc: Tree, pos: Pos) -> Node | None:
    """The value of the entry whose key is at `pos` (a resource declared at `pos`)."""
    entry = doc.entry_with_key_at(pos)
    return entry[2] if entry is not None else None


# ---------------------------------------------------------------- log groups


def set_retention(texts: Texts, fn: Function, group: LogGroup, days: int) -> list[Edit] | None:
    """Write `days` where the group's retention is set."""
    if group.retention_loc is None:
        return None
    edit = replace_value(texts, fn, group.retention_loc, days)
    return [edit] if edit is not None else None


def add_retention(texts: Texts, fn: Function, group: LogGroup, days: int) -> list[Edit] | None:
    """Give a log group that has none a retention: on the group's resource (CloudFormation,
    Terraform), or for every function of the service (Serverless `provider.logRetentionInDays`,
    the one place the framework takes it for all)."""
    if generated(texts, fn):
        return None
    if fn.framework == "serverless":
        doc = tree(texts, fn.loc.path)
        provider = doc.path("provider") if doc is not None else None
        if doc is None or provider is None or provider.kind != "map":
            return None
        edit = _insert(doc, provider, "logRetentionInDays", days)
        return [edit] if edit is not None else None
    # the community Lambda module (`module "x" { source = "terraform-aws-modules/lambda/aws" }`)
    # makes the group itself and takes its retention under another name
    key = "cloudwatch_logs_retention_in_days" if _module_call(fn) else "retention_in_days"
    found = hcl(texts, group.loc.path)
    if found is not None:
        block = found.block_at(group.loc.pos)
        edit = found.insert_attribute(block, key, days) if block else None
        return [edit] if edit is not None else None
    doc = tree(texts, group.loc.path)
    resource = _entry_at(doc, group.loc.pos) if doc is not None else None
    if doc is None or resource is None or resource.kind != "map":
        return None
    if fn.framework == "terraform":
        edit = _insert(doc, resource, key, days)
    else:
        edit = _set_in(doc, resource, ["Properties", "RetentionInDays"], days)
    return [edit] if edit is not None else None


def add_log_group(texts: Texts, fn: Function, days: int) -> list[Edit] | None:
    """Define a log group with a retention for a function that has none, the framework's way:
    SAM and CloudFormation a new `AWS::Logs::LogGroup` the function logs to through
    `LoggingConfig.LogGroup` (named by CloudFormation, so it cannot clash with the group Lambda
    created on a first run); Terraform an `aws_cloudwatch_log_group` named after the function."""
    if generated(texts, fn) or maybe_at_edge(texts, fn):
        return None
    if fn.framework in ("sam", "cloudformation"):
        return _cfn_log_group(texts, fn, days)
    if fn.framework == "terraform":
        return _terraform_log_group(texts, fn, days)
    return None


def _cfn_log_group(texts: Texts, fn: Function, days: int) -> list[Edit] | None:
    doc = tree(texts, fn.loc.path)
    resources = doc.path("Resources") if doc is not None else None
    resource = doc.path("Resources", fn.name) if doc is not None else None
    if doc is None or resources is None or resource is None or resource.kind != "map":
        return None
    taken = {str(k.value) for k, _ in resources.pairs}
    name = _unique(f"{fn.name}LogGroup", taken)
    link = _set_in(doc, resource, ["Properties", "LoggingConfig", "LogGroup"], Tagged("Ref", name))
    group = {"Type": LOG_GROUP, "Properties": {"RetentionInDays": days}}
    new = _insert(doc, resources, name, group, after=fn.name)
    if link is None or new is None:
        return None
    return [link, new]


def _terraform_log_group(texts: Texts, fn: Function, days: int) -> list[Edit] | None:
    parts = fn.name.split(".")
    if len(parts) != 2 or _module_call(fn):
        # a resource of a module instance (written once for every instance), or a call of the
        # community module (told to use a group it does not make: the group is elsewhere)
        return None
    rtype, name = parts
    taken = _terraform_names(texts, fn.loc.path, "aws_cloudwatch_log_group")
    if taken is None:
        return None
    group = _unique(name, taken)
    expression = f'"/aws/lambda/${{{rtype}.{name}.function_name}}"'
    found = hcl(texts, fn.loc.path)
    if found is not None:
        block = found.block_at(fn.loc.pos)
        provider = block.attribute("provider") if block is not None else None
        # the group is made where the function is: the same provider (region, account)
        alias = ""
        if provider is not None:
            written = found.source.text[provider.value_start : provider.value_end]
            alias = f"  provider          = {written}\n"
        text = (
            f'resource "aws_cloudwatch_log_group" "{group}" {{\n'
            f"{alias}"
            f"  name              = {expression}\n"
            f"  retention_in_days = {days}\n"
            "}\n"
        )
        return [found.append_block(text)]
    doc = tree(texts, fn.loc.path)
    resources = doc.path("resource") if doc is not None else None
    if doc is None or resources is None or resources.kind != "map":
        return None
    body: dict[str, Any] = {"name": expression[1:-1], "retention_in_days": days}
    chosen = doc.path("resource", rtype, name, "provider")
    if chosen is not None:
        if chosen.kind != "scalar" or not isinstance(chosen.value, str):
            return None
        body = {"provider": chosen.value, **body}
    groups = resources.get("aws_cloudwatch_log_group")
    if groups is None:
        edit = _insert(doc, resources, "aws_cloudwatch_log_group", {group: body})
    elif groups.kind == "map":
        edit = _insert(doc, groups, group, body)
    else:
        return None
    return [edit] if edit is not None else None


def _module_call(fn: Function) -> bool:
    """Whether the function is made by a call of the community Lambda module (`module.<name>`)."""
    return fn.framework == "terraform" and fn.name.startswith("module.") and fn.name.count(".") == 1


def _terraform_names(texts: Texts, path: Path, rtype: str) -> set[str] | None:
    """The names of the `rtype` resources of the module (the folder's .tf and .tf.json files);
    None when one of them cannot be read."""
    names: set[str] = set()
    try:
        files = sorted(
            p for p in path.parent.iterdir() if p.name.lower().endswith((".tf", ".tf.json"))
        )
    except OSError:
        return None
    for file in files:
        found = hcl(texts, file)
        if found is not None:
            names.update(
                b.labels[1]
                for b in found.blocks
                if b.kind == "resource" and len(b.labels) == 2 and b.labels[0] == rtype
            )
            continue
        doc = tree(texts, file)
        if doc is None:
            return None
        typed = doc.path("resource", rtype)
        if typed is not None and typed.kind == "map":
            names.update(str(k.value) for k, _ in typed.pairs)
    return names


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    n = 2
    while f"{name}{n}" in taken:
        n += 1
    return f"{name}{n}"


# ---------------------------------------------------------------- queues


def set_visibility_timeout(
    texts: Texts, fn: Function, queue: Queue, seconds: int
) -> list[Edit] | None:
    """Set the visibility timeout of a queue of `fn`: the literal where it is set, or a new
    setting on the queue's resource when it is not (SQS's default of 30 s applies then)."""
    if generated(texts, fn):
        return None
    if queue.visibility_loc is not None:
        edit = replace_value(texts, fn, queue.visibility_loc, seconds)
        return [edit] if edit is not None else None
    found = hcl(texts, queue.loc.path)
    if found is not None:
        block = found.block_at(queue.loc.pos)
        edit = (
            found.insert_attribute(block, "visibility_timeout_seconds", seconds) if block else None
        )
        return [edit] if edit is not None else None
    doc = tree(texts, queue.loc.path)
    resource = _entry_at(doc, queue.loc.pos) if doc is not None else None
    if doc is None or resource is None or resource.kind != "map":
        return None
    if resource.get("Type") is None:  # a Terraform JSON body
        edit = _insert(doc, resource, "visibility_timeout_seconds", seconds)
    else:
        edit = _set_in(doc, resource, ["Properties", "VisibilityTimeout"], seconds)
    return [edit] if edit is not None else None


# ---------------------------------------------------------------- IAM


def add_statement(
    texts: Texts, fn: Function, actions: Sequence[str], resources: Sequence[Any] = ("*",)
) -> list[Edit] | None:
    """Allow `actions` on `resources` (values as the template writes them: strings, `Tagged`
    intrinsics) to the function's role, in the policy written for it: SAM `Policies`, the
    inline policy of the role resource the function names (CloudFormation), or the service's
    `provider.iam.role.statements` (Serverless)."""
    resource: Any = resources[0] if len(resources) == 1 else list(resources)
    statement = {"Effect": "Allow", "Action": list(actions), "Resource": resource}
    doc = tree(texts, fn.loc.path)
    if doc is None or generated(texts, fn):
        return None
    edit: Edit | None = None
    if fn.framework == "serverless":
        edit = _serverless_statement(doc, statement)
    elif fn.framework in ("sam", "cloudformation"):
        resource = doc.path("Resources", fn.name)
        if resource is None or resource.kind != "map":
            return None
        props = resource.get("Properties")
        role = props.get("Role") if props is not None and props.kind == "map" else None
        if role is not None:
            target = _getatt_target(role)
            role_props = doc.path("Resources", target, "Properties") if target else None
            if target is None or role_props is None or role_props.kind != "map":
                return None
            edit = _role_statement(doc, role_props, fn.name, statement)
        elif fn.framework == "sam":
            policies = props.get("Policies") if props is not None and props.kind == "map" else None
            document = {"Statement": [statement]}
            if policies is None:
                edit = _set_in(doc, resource, ["Properties", "Policies"], [document])
            elif policies.kind == "seq":
                edit = _append(doc, policies, document)
    return [edit] if edit is not None else None


def _serverless_statement(doc: Tree, statement: dict[str, Any]) -> Edit | None:
    provider = doc.path("provider")
    if provider is None or provider.kind != "map":
        return None
    for keys in (("iam", "role", "statements"), ("iamRoleStatements",)):
        existing = doc.path("provider", *keys)
        if existing is not None:
            return _append(doc, existing, statement) if existing.kind == "seq" else None
    iam = provider.get("iam")
    role = iam.get("role") if iam is not None and iam.kind == "map" else None
    if iam is not None and (iam.kind != "map" or (role is not None and role.kind != "map")):
        return None  # a role given by name or ARN
    return _set_in(doc, provider, ["iam", "role", "statements"], [statement])


def _role_statement(doc: Tree, role: Node, function: str, statement: dict[str, Any]) -> Edit | None:
    policies = role.get("Policies")
    if policies is None:
        policy = {
            "PolicyName": f"{function}Code",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        }
        return _set_in(doc, role, ["Policies"], [policy])
    if policies.kind != "seq" or not policies.items:
        return None
    first = policies.items[0]
    document = first.get("PolicyDocument") if first.kind == "map" else None
    statements = (
        document.get("Statement") if document is not None and document.kind == "map" else None
    )
    if statements is None or statements.kind != "seq":
        return None
    return _append(doc, statements, statement)


def _getatt_target(node: Node) -> str | None:
    """X of `!GetAtt X.Arn` / `{"Fn::GetAtt": ["X", "Arn"]}`."""
    if isinstance(node, yaml_edit.YNode) and node.tag == "!GetAtt":
        if node.kind == "scalar" and node.value and node.value.endswith(".Arn"):
            return node.value[: -len(".Arn")]
        if node.kind == "seq" and len(node.items) == 2:
            return _attribute_pair(node.items[0], node.items[1])
        return None
    if node.kind != "map" or len(node.pairs) != 1:
        return None
    key, value = node.pairs[0]
    if key.value != "Fn::GetAtt":
        return None
    if value.kind == "scalar" and isinstance(value.value, str) and value.value.endswith(".Arn"):
        return value.value[: -len(".Arn")]
    if value.kind == "seq" and len(value.items) == 2:
        return _attribute_pair(value.items[0], value.items[1])
    return None


def _attribute_pair(first: Node, second: Node) -> str | None:
    if first.kind == "scalar" and second.kind == "scalar" and second.value == "Arn":
        return str(first.value)
    return None


def replace_statement(
    texts: Texts, fn: Function, loc: Loc, statements: Sequence[dict[str, Any]]
) -> list[Edit] | None:
    """Write `statements` in place of the statement at `loc`, when it is a statement written
    for the function's role alone in its template: in its SAM `Policies`, or in an inline
    policy of the `AWS::IAM::Role` the function names. None elsewhere (a policy resource, a
    policy template, a flow list, a generated template)."""
    if fn.framework not in ("sam", "cloudformation") or loc.path != fn.loc.path:
        return None
    doc = tree(texts, fn.loc.path)
    if doc is None or generated(texts, fn):
        return None
    resource = doc.path("Resources", fn.name)
    props = resource.get("Properties") if resource is not None and resource.kind == "map" else None
    if props is None or props.kind != "map":
        return None
    lists: list[Node] = []
    role = props.get("Role")
    if role is not None:
        target = _getatt_target(role)
        policies = doc.path("Resources", target, "Properties", "Policies") if target else None
        for policy in policies.items if policies is not None and policies.kind == "seq" else []:
            document = policy.get("PolicyDocument") if policy.kind == "map" else None
            found = document.get("Statement") if document is not None else None
            if document is not None and document.kind == "map" and found is not None:
                lists.append(found)
    elif fn.framework == "sam":
        policies = props.get("Policies")
        items = [policies] if policies is not None and policies.kind == "map" else []
        if policies is not None and policies.kind == "seq":
            items = list(policies.items)
        for policy in items:
            found = policy.get("Statement") if policy.kind == "map" else None
            if found is not None:
                lists.append(found)
    offset = doc.source.offset(loc.pos)
    for seq in lists:
        for item in seq.items if seq.kind == "seq" else []:
            if not item.start <= offset < item.end:
                continue
            if item.kind != "map" or item.start != offset:
                return None
            if not statements and len(seq.items) == 1:
                return None  # a policy without statements is no policy
            edit = _replace_item(doc, seq, item, list(statements))
            return [edit] if edit is not None else None
    return None


def _replace_item(doc: Tree, seq: Node, item: Node, values: list[Any]) -> Edit | None:
    if isinstance(doc, yaml_edit.YamlTree):
        if isinstance(seq, yaml_edit.YNode) and isinstance(item, yaml_edit.YNode):
            return doc.replace_item(seq, item, values)
        return None
    if isinstance(seq, json_edit.JNode) and isinstance(item, json_edit.JNode):
        return doc.replace_item(seq, item, values)
    return None


def in_vpc(texts: Texts, fn: Function) -> bool | None:
    """Whether the function's template puts it in a VPC (Lambda then manages its network
    interfaces with the role); None when that cannot be read."""
    if fn.framework not in ("sam", "cloudformation"):
        return None
    doc = tree(texts, fn.loc.path)
    if doc is None:
        return None
    for keys in (("Resources", fn.name, "Properties"), ("Globals", "Function")):
        props = doc.path(*keys)
        if props is not None and props.kind == "map" and props.get("VpcConfig") is not None:
            return True
    return False
