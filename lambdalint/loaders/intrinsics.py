"""Static resolution of CloudFormation intrinsic functions.

Resolves `Ref` to parameters with defaults, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::If`
(when the condition can be decided), `Fn::FindInMap`; everything else is UNKNOWN.
"""

from __future__ import annotations

import re
from typing import Any

from lambdalint.loaders.document import LList, LMap
from lambdalint.model import UNKNOWN

NO_VALUE = object()  # AWS::NoValue: the property is treated as absent

# `$` and `{` are excluded inside the braces so that a run of unclosed `${` costs linear
# time (with `[^}]*`, 200,000 of them took minutes: every start scanned to the end)
_SUB_VAR = re.compile(r"\$\{([^${}]*)\}")


def intrinsic_name(value: Any) -> str | None:
    """The intrinsic function name if `value` is a one-key `Ref`/`Fn::*`/`Condition` mapping."""
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if isinstance(key, str) and (key == "Ref" or key.startswith("Fn::") or key == "Condition"):
            return key
    return None


class Template:
    """A loaded CloudFormation/SAM template with what intrinsic resolution needs."""

    def __init__(self, data: LMap) -> None:
        self.data = data
        params = data.get("Parameters")
        self.parameters: dict[str, Any] = params if isinstance(params, dict) else {}
        res = data.get("Resources")
        self.resources: dict[str, Any] = res if isinstance(res, dict) else {}
        mappings = data.get("Mappings")
        self.mappings: dict[str, Any] = mappings if isinstance(mappings, dict) else {}
        conditions = data.get("Conditions")
        self.conditions: dict[str, Any] = conditions if isinstance(conditions, dict) else {}
        self._cond_cache: dict[str, Any] = {}

    def resource(self, name: Any) -> dict[str, Any] | None:
        if not isinstance(name, str):
            return None
        res = self.resources.get(name)
        return res if isinstance(res, dict) else None

    def resource_type(self, name: Any) -> str | None:
        res = self.resource(name)
        t = res.get("Type") if res else None
        return t if isinstance(t, str) else None

    def properties(self, name: Any) -> dict[str, Any]:
        res = self.resource(name)
        props = res.get("Properties") if res else None
        return props if isinstance(props, dict) else LMap()

    def parameter(self, name: str) -> dict[str, Any] | None:
        p = self.parameters.get(name)
        return p if isinstance(p, dict) else None

    # ------------------------------------------------------------ resolution

    def resolve(self, value: Any, depth: int = 0) -> Any:
        """Resolve a scalar-valued expression to a Python value, or UNKNOWN."""
        if depth > 20:
            return UNKNOWN
        name = intrinsic_name(value)
        if name is None:
            return value
        arg = value[name]
        if name == "Ref":
            return self._ref(arg)
        if name == "Fn::Sub":
            return self._sub(arg, depth)
        if name == "Fn::Join":
            if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
                delim = self.resolve(arg[0], depth + 1)
                parts = [self.resolve(p, depth + 1) for p in arg[1]]
                if isinstance(delim, str) and all(isinstance(p, (str, int)) for p in parts):
                    return delim.join(str(p) for p in parts)
            return UNKNOWN
        if name == "Fn::Select":
            if isinstance(arg, list) and len(arg) == 2:
                idx = self.resolve(arg[0], depth + 1)
                seq = arg[1]
                if intrinsic_name(seq):
                    seq = self.resolve(seq, depth + 1)
                try:
                    if isinstance(seq, list):
                        return self.resolve(seq[int(idx)], depth + 1)
                except (ValueError, TypeError, IndexError, OverflowError):
                    return UNKNOWN
            return UNKNOWN
        if name == "Fn::If":
            if isinstance(arg, list) and len(arg) == 3:
                cond = self.condition(arg[0])
                if cond is True:
                    return self.resolve(arg[1], depth + 1)
                if cond is False:
                    return self.resolve(arg[2], depth + 1)
                a = self.resolve(arg[1], depth + 1)
                b = self.resolve(arg[2], depth + 1)
                if a is not UNKNOWN and a == b:
                    return a
            return UNKNOWN
        if name == "Fn::FindInMap":
            if isinstance(arg, list) and len(arg) >= 3:
                keys = [self.resolve(k, depth + 1) for k in arg[:3]]
                if all(isinstance(k, (str, int)) for k in keys):
                    m = self.mappings.get(str(keys[0]))
                    if isinstance(m, dict):
                        inner = m.get(str(keys[1]))
                        if isinstance(inner, dict) and str(keys[2]) in inner:
                            return self.resolve(inner[str(keys[2])], depth + 1)
                if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
                    return self.resolve(arg[3]["DefaultValue"], depth + 1)
            return UNKNOWN
        return UNKNOWN

    def _ref(self, arg: Any) -> Any:
        if not isinstance(arg, str):
            return UNKNOWN
        if arg == "AWS::NoValue":
            return NO_VALUE
        param = self.parameter(arg)
        if param is not None:
            if "Default" in param:
                default = param["Default"]
                return default if isinstance(default, (str, int, float, bool)) else UNKNOWN
            return UNKNOWN
        return UNKNOWN

    def _sub(self, arg: Any, depth: int) -> Any:
        variables: dict[str, Any] = {}
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            text = arg[0]
            variables = dict(arg[1])
        else:
            text = arg
        if not isinstance(text, str):
            return UNKNOWN
        unknown = False

        def repl(m: re.Match[str]) -> str:
            nonlocal unknown
            inner = m.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"
            if inner in variables:
                v = self.resolve(variables[inner], depth + 1)
            elif "." in inner:
                v = UNKNOWN
            else:
                v = self._ref(inner)
            if not isinstance(v, (str, int, float)) or isinstance(v, bool):
                unknown = True
                return ""
            return str(v)

        out = _SUB_VAR.sub(repl, text)
        return UNKNOWN if unknown else out

    def condition(self, name: Any, depth: int = 0) -> Any:
        """True/False when a named condition can be decided statically, else UNKNOWN."""
        if not isinstance(name, str):
            return UNKNOWN
        if name in self._cond_cache:
            return self._cond_cache[name]
        if depth > 20:  # a chain of conditions naming conditions: not decided, not cached
            return UNKNOWN
        self._cond_cache[name] = UNKNOWN  # guards recursion
        result = self._eval_condition(self.conditions.get(name), depth)
        self._cond_cache[name] = result
        return result

    def _eval_condition(self, expr: Any, depth: int) -> Any:
        if depth > 20:
            return UNKNOWN
        name = intrinsic_name(expr)
        if name is None:
            return expr if isinstance(expr, bool) else UNKNOWN
        arg = expr[name]
        if name == "Condition":
            return self.condition(arg, depth + 1)
        if name == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            a, b = self.resolve(arg[0]), self.resolve(arg[1])
            if a is UNKNOWN or b is UNKNOWN:
                return UNKNOWN
            return str(a) == str(b)
        if name == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
            v = self._eval_condition(arg[0], depth + 1)
            return UNKNOWN if v is UNKNOWN else not v
        if name in ("Fn::And", "Fn::Or") and isinstance(arg, list):
            vals = [self._eval_condition(a, depth + 1) for a in arg]
            if name == "Fn::And":
                if any(v is False for v in vals):
                    return False
                return True if all(v is True for v in vals) else UNKNOWN
            if any(v is True for v in vals):
                return True
            return False if all(v is False for v in vals) else UNKNOWN
        return UNKNOWN

    def ref_target(self, value: Any) -> str | None:
        """The logical id a `Ref`/`Fn::GetAtt`/`${X}`/`${X.Arn}` expression points at, if any."""
        name = intrinsic_name(value)
        if name == "Ref" and isinstance(value["Ref"], str) and value["Ref"] in self.resources:
            return str(value["Ref"])
        if name == "Fn::GetAtt":
            arg = value["Fn::GetAtt"]
            target = arg[0] if isinstance(arg, list) and arg else arg
            if isinstance(target, str):
                target = target.split(".", 1)[0]
                if target in self.resources:
                    return target
        if name == "Fn::Sub":
            arg = value["Fn::Sub"]
            text = arg[0] if isinstance(arg, list) and arg else arg
            if isinstance(text, str):
                m = _SUB_VAR.fullmatch(text.strip())
                if m:
                    target = m.group(1).split(".", 1)[0]
                    if target in self.resources:
                        return target
        return None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


__all__ = ["NO_VALUE", "Template", "as_list", "intrinsic_name", "LList", "LMap"]
