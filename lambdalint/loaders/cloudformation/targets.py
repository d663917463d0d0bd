"""Find the functions that other resources of a template point at: `!Ref Fn`, `!GetAtt Fn.Arn`,
`${Fn.Arn}` in a `!Sub`, an alias or version of the function, or its literal name or ARN.
"""

from __future__ import annotations

from typing import Any

from lambdalint.loaders.cloudformation.template import Template, intrinsic_name
from lambdalint.model import Function


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
        for logical_id in sorted(self.tpl.referenced_ids(value)):
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
