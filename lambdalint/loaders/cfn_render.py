"""Render CloudFormation values to text with `${...}` placeholders, and find the functions that
other resources point at (`!Ref Fn`, `!GetAtt Fn.Arn`, an alias, a literal function name).

Placeholders keep what a value *is* without guessing what it resolves to:
`!Sub arn:${AWS::Partition}:s3:::${Bucket}/*` renders as exactly that text, a resource-specific
ARN that is certainly no wildcard. A template parameter without a value could be anything: it
renders as UNKNOWN for IAM (where it might be "*"), and as the placeholder `${Param}` when only
the identity of two names matters (a log group name built the same way as a function name).
"""

from __future__ import annotations

import re
from typing import Any

from lambdalint.loaders.intrinsics import NO_VALUE, Template, intrinsic_name
from lambdalint.model import UNKNOWN, Function

_SUB_VAR = re.compile(r"\$\{([^}]*)\}")


class Renderer:
    """Turns template values into strings; `symbolic_parameters` keeps unset parameters as
    `${Name}` placeholders instead of UNKNOWN."""

    def __init__(self, tpl: Template, symbolic_parameters: bool = False) -> None:
        self.tpl = tpl
        self.symbolic_parameters = symbolic_parameters

    def text(self, value: Any, depth: int = 0) -> Any:
        """A string (placeholders for resource references and pseudo parameters), NO_VALUE for
        `AWS::NoValue`, or UNKNOWN."""
        if depth > 20:
            return UNKNOWN
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (str, int, float)):
            return str(value)
        name = intrinsic_name(value)
        if name is None:
            return UNKNOWN
        arg = value[name]
        if name == "Ref":
            return self._name(arg) if isinstance(arg, str) else UNKNOWN
        if name == "Fn::GetAtt":
            parts = arg if isinstance(arg, list) else str(arg).split(".", 1)
            if all(isinstance(p, str) for p in parts) and parts and parts[0] in self.tpl.resources:
                return "${" + ".".join(parts) + "}"
            return UNKNOWN
        if name == "Fn::Sub":
            return self._sub(arg, depth)
        if name == "Fn::Join":
            if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
                delim = self.text(arg[0], depth + 1)
                parts = [self.text(p, depth + 1) for p in arg[1]]
                if isinstance(delim, str) and all(isinstance(p, str) for p in parts):
                    return delim.join(parts)
            return UNKNOWN
        if name == "Fn::If":
            if isinstance(arg, list) and len(arg) == 3:
                cond = self.tpl.condition(arg[0])
                if cond is True:
                    return self.text(arg[1], depth + 1)
                if cond is False:
                    return self.text(arg[2], depth + 1)
                a, b = self.text(arg[1], depth + 1), self.text(arg[2], depth + 1)
                if isinstance(a, str) and a == b:
                    return a
            return UNKNOWN
        resolved = self.tpl.resolve(value)
        if resolved is NO_VALUE:
            return NO_VALUE
        if isinstance(resolved, (str, int, float)) and not isinstance(resolved, bool):
            return str(resolved)
        return UNKNOWN

    def _name(self, name: str) -> Any:
        """What `${name}` / `!Ref name` stands for."""
        if name == "AWS::NoValue":
            return NO_VALUE
        if name.startswith("AWS::"):
            return "${" + name + "}"
        if name in self.tpl.resources:
            return "${" + name + "}"
        param = self.tpl.parameter(name)
        if param is not None:
            default = param.get("Default")
            if isinstance(default, (str, int, float)) and not isinstance(default, bool):
                return str(default)
            return "${" + name + "}" if self.symbolic_parameters else UNKNOWN
        return UNKNOWN

    def _sub(self, arg: Any, depth: int) -> Any:
        variables: dict[str, Any] = {}
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            template, variables = arg[0], dict(arg[1])
        else:
            template = arg
        if not isinstance(template, str):
            return UNKNOWN
        unknown = False

        def repl(m: re.Match[str]) -> str:
            nonlocal unknown
            inner = m.group(1).strip()
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"
            if inner in variables:
                value = self.text(variables[inner], depth + 1)
            elif "." in inner:
                head = inner.split(".", 1)[0]
                value = "${" + inner + "}" if head in self.tpl.resources else UNKNOWN
            else:
                value = self._name(inner)
            if not isinstance(value, str):
                unknown = True
                return ""
            return value

        out = _SUB_VAR.sub(repl, template)
        return UNKNOWN if unknown else out


def referenced_ids(value: Any, tpl: Template, depth: int = 0) -> set[str]:
    """Every logical id a value refers to, anywhere inside it (Ref, GetAtt, Sub variables)."""
    out: set[str] = set()
    if depth > 50:
        return out
    name = intrinsic_name(value)
    if name == "Ref" and isinstance(value["Ref"], str) and value["Ref"] in tpl.resources:
        out.add(value["Ref"])
    elif name == "Fn::GetAtt":
        arg = value["Fn::GetAtt"]
        head = arg[0] if isinstance(arg, list) and arg else arg
        if isinstance(head, str):
            head = head.split(".", 1)[0]
            if head in tpl.resources:
                out.add(head)
    elif name == "Fn::Sub":
        arg = value["Fn::Sub"]
        text = arg[0] if isinstance(arg, list) and arg else arg
        if isinstance(text, str):
            for m in _SUB_VAR.finditer(text):
                head = m.group(1).strip().split(".", 1)[0]
                if head in tpl.resources:
                    out.add(head)
        if isinstance(arg, list) and len(arg) == 2:
            out |= referenced_ids(arg[1], tpl, depth + 1)
    elif isinstance(value, dict):
        for v in value.values():
            out |= referenced_ids(v, tpl, depth + 1)
    elif isinstance(value, list):
        for v in value:
            out |= referenced_ids(v, tpl, depth + 1)
    return out


class FunctionIndex:
    """Finds the function a `FunctionName` / `TargetFunctionArn` / integration URI points at."""

    def __init__(self, tpl: Template, functions: list[Function]) -> None:
        self.tpl = tpl
        self.by_id = {fn.name: fn for fn in functions}
        self.by_name: dict[str, Function] = {}
        for fn in functions:
            if isinstance(fn.function_name, str) and fn.function_name:
                self.by_name[fn.function_name] = fn
        # aliases and versions: explicit resources and SAM's AutoPublishAlias (<Fn>Alias<name>)
        self.aliases: dict[str, Function] = {}
        for logical_id, res in tpl.resources.items():
            if not isinstance(res, dict) or not isinstance(logical_id, str):
                continue
            rtype = res.get("Type")
            raw = res.get("Properties")
            props: dict[str, Any] = raw if isinstance(raw, dict) else {}
            if rtype in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                target = tpl.ref_target(props.get("FunctionName"))
                if target in self.by_id:
                    self.aliases[logical_id] = self.by_id[target]
            elif rtype == "AWS::Serverless::Function" and logical_id in self.by_id:
                alias = tpl.resolve(props.get("AutoPublishAlias"))
                if isinstance(alias, str):
                    # SAM generates the alias resource (and its logical id) at deploy time
                    self.aliases[f"{logical_id}Alias{alias}"] = self.by_id[logical_id]

    def target(self, value: Any) -> Function | None:
        """The function `value` names, or None (not a function of this template, or unknown)."""
        ref = self.tpl.ref_target(value) or _generated_ref(value)
        if ref is not None:
            return self.by_id.get(ref) or self.aliases.get(ref)
        text = self.tpl.resolve(value)
        if not isinstance(text, str) or not text:
            return None
        if text.startswith("arn:"):
            parts = text.split(":")
            # arn:partition:lambda:region:account:function:name[:qualifier]
            if len(parts) >= 7 and parts[5] == "function":
                return self.by_name.get(parts[6])
            return None
        return self.by_name.get(text.split(":", 1)[0])

    def referenced(self, value: Any) -> list[Function]:
        """Functions referred to anywhere inside `value` (an integration URI, a target list)."""
        out: list[Function] = []
        for logical_id in sorted(referenced_ids(value, self.tpl)):
            fn = self.by_id.get(logical_id) or self.aliases.get(logical_id)
            if fn is not None and fn not in out:
                out.append(fn)
        return out


def _generated_ref(value: Any) -> str | None:
    """The logical id of `!Ref X` / `!GetAtt X.Arn` when X is not written in the template (a
    resource SAM generates, such as an AutoPublishAlias alias)."""
    name = intrinsic_name(value)
    if name == "Ref" and isinstance(value["Ref"], str):
        return str(value["Ref"])
    if name == "Fn::GetAtt":
        arg = value["Fn::GetAtt"]
        head = arg[0] if isinstance(arg, list) and arg else arg
        return head.split(".", 1)[0] if isinstance(head, str) else None
    return None
