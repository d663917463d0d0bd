"""Static resolution of CloudFormation intrinsic functions: one resolver per intrinsic.

`Template.resolve` gives a value (`Ref` to a parameter with a default, `Fn::Sub`, `Fn::Join`,
`Fn::Select`, `Fn::If` when the condition can be decided, `Fn::FindInMap`); everything else is
UNKNOWN. `Template.text` renders the same expressions as text in which references to resources
and pseudo parameters stay `${...}` placeholders: `!Sub arn:${AWS::Partition}:s3:::${Bucket}/*`
is exactly that text, a resource-specific ARN that is certainly no wildcard. A parameter without
a value could be anything: UNKNOWN, or (`symbolic_parameters`, when only the identity of two
names matters) the placeholder `${Param}`.

The work is bounded per value and per template: a `Fn::Sub` variable is resolved once however
often the string uses it, and text longer than `MAX_TEXT` (or past the template's
`MAX_RESOLVED_TEXT`) is UNKNOWN, so nested substitutions cannot fan out exponentially.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lambdalint.model import UNKNOWN
from lambdalint.reading.positions import LList, LMap

NO_VALUE = object()  # AWS::NoValue: the property is treated as absent

MAX_DEPTH = 20  # intrinsics nested in intrinsics
# the longest text one value resolves to: an inline Lambda source (ZipFile, InlineCode) is the
# longest text a template legitimately builds with Fn::Sub
MAX_TEXT = 4 * 1024 * 1024
# all the text the values of one template may resolve to; past it, values are UNKNOWN
MAX_RESOLVED_TEXT = 64 * 1024 * 1024

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


# ---------------------------------------------------------------- Fn::Sub strings


def sub_string(arg: Any) -> str | None:
    """The string of a `Fn::Sub` argument (`String` or `[String, {variables}]`)."""
    text = arg[0] if isinstance(arg, list) and arg else arg
    return text if isinstance(text, str) else None


def sub_references(text: str) -> Iterator[str]:
    """The names a `Fn::Sub` string substitutes (`Name`, `Res.Attr`, `AWS::Region`), in order;
    `${!Literal}` is text, not a reference."""
    for m in _SUB_VAR.finditer(text):
        inner = m.group(1).strip()
        if not inner.startswith("!"):
            yield inner


def sub_whole_reference(text: str) -> str | None:
    """The name when a `Fn::Sub` string is one reference and nothing else (`${Bucket.Arn}`)."""
    m = _SUB_VAR.fullmatch(text.strip())
    inner = m.group(1).strip() if m else ""
    return inner if inner and not inner.startswith("!") else None


def _scalar_text(value: Any) -> Any:
    """A resolved scalar as the text CloudFormation substitutes (YAML `true` is "true")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return UNKNOWN


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
        self.text_left = MAX_RESOLVED_TEXT  # characters its values may still resolve to
        # some value was left UNKNOWN because it resolves to more text than the bounds allow
        self.over_budget = False

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

    def resolve(self, value: Any) -> Any:
        """A scalar-valued expression as a Python value (a plain value as it is), NO_VALUE for
        `AWS::NoValue`, or UNKNOWN."""
        return _Resolver(self, placeholders=False, symbolic_parameters=False).value(value, 0)

    def text(self, value: Any, symbolic_parameters: bool = False) -> Any:
        """A string in which resources, their attributes and pseudo parameters are `${...}`
        placeholders, NO_VALUE for `AWS::NoValue`, or UNKNOWN. `symbolic_parameters` keeps a
        parameter without a default as `${Name}` instead of UNKNOWN."""
        resolver = _Resolver(self, placeholders=True, symbolic_parameters=symbolic_parameters)
        out = resolver.value(value, 0)
        return out if out is NO_VALUE else _scalar_text(out)

    def decide(self, value: Any) -> Any:
        """The branch of an `Fn::If` whose condition can be decided (nested ones too), NO_VALUE
        for `AWS::NoValue`, UNKNOWN for an `Fn::If` that cannot be decided; anything else as
        it is."""
        for _ in range(MAX_DEPTH):
            name = intrinsic_name(value)
            if name == "Ref" and value["Ref"] == "AWS::NoValue":
                return NO_VALUE
            if name != "Fn::If":
                return value
            arg = value["Fn::If"]
            if not (isinstance(arg, list) and len(arg) == 3):
                return UNKNOWN
            cond = self.condition(arg[0])
            if cond is True:
                value = arg[1]
            elif cond is False:
                value = arg[2]
            else:
                return UNKNOWN
        return UNKNOWN

    def condition(self, name: Any, depth: int = 0) -> Any:
        """True/False when a named condition can be decided statically, else UNKNOWN."""
        if not isinstance(name, str):
            return UNKNOWN
        if name in self._cond_cache:
            return self._cond_cache[name]
        if depth > MAX_DEPTH:  # a chain of conditions naming conditions: not decided, not cached
            return UNKNOWN
        self._cond_cache[name] = UNKNOWN  # guards recursion
        result = self._eval_condition(self.conditions.get(name), depth)
        self._cond_cache[name] = result
        return result

    def _eval_condition(self, expr: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
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
            text = sub_string(value["Fn::Sub"])
            whole = sub_whole_reference(text) if text is not None else None
            if whole is not None:
                target = whole.split(".", 1)[0]
                if target in self.resources:
                    return target
        return None

    def referenced_ids(self, value: Any) -> set[str]:
        """Every logical id a value refers to, anywhere inside it (Ref, GetAtt, Sub)."""
        out: set[str] = set()
        stack: list[tuple[Any, int]] = [(value, 0)]
        while stack:
            node, depth = stack.pop()
            if depth > 50:
                continue
            name = intrinsic_name(node)
            if name == "Ref" or name == "Fn::GetAtt":
                target = self.ref_target(node)
                if target is not None:
                    out.add(target)
            elif name == "Fn::Sub":
                arg = node["Fn::Sub"]
                text = sub_string(arg)
                if text is not None:
                    for ref in sub_references(text):
                        head = ref.split(".", 1)[0]
                        if head in self.resources:
                            out.add(head)
                if isinstance(arg, list) and len(arg) == 2:
                    stack.append((arg[1], depth + 1))
            elif isinstance(node, dict):
                stack.extend((v, depth + 1) for v in node.values())
            elif isinstance(node, list):
                stack.extend((v, depth + 1) for v in node)
        return out


class _Resolver:
    """One resolution of one value: `placeholders` renders references to resources and pseudo
    parameters as `${...}` (Template.text), else they are UNKNOWN (Template.resolve)."""

    def __init__(self, tpl: Template, placeholders: bool, symbolic_parameters: bool) -> None:
        self.tpl = tpl
        self.placeholders = placeholders
        self.symbolic_parameters = symbolic_parameters

    def value(self, value: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            return UNKNOWN
        name = intrinsic_name(value)
        if name is None:
            return value
        arg = value[name]
        if name == "Ref":
            return self.ref(arg) if isinstance(arg, str) else UNKNOWN
        if name == "Fn::GetAtt":
            return self.get_att(arg)
        if name == "Fn::Sub":
            return self.sub(arg, depth)
        if name == "Fn::Join":
            return self.join(arg, depth)
        if name == "Fn::Select":
            return self.select(arg, depth)
        if name == "Fn::If":
            return self.if_(arg, depth)
        if name == "Fn::FindInMap":
            return self.find_in_map(arg, depth)
        return UNKNOWN

    def ref(self, name: str) -> Any:
        """What `!Ref name` and `${name}` stand for."""
        tpl = self.tpl
        if name == "AWS::NoValue":
            return NO_VALUE
        param = tpl.parameter(name)
        if param is not None:
            default = param.get("Default")
            if isinstance(default, (str, int, float, bool)):
                return default
            return "${" + name + "}" if self.symbolic_parameters else UNKNOWN
        if self.placeholders and (name.startswith("AWS::") or name in tpl.resources):
            return "${" + name + "}"
        return UNKNOWN

    def get_att(self, arg: Any) -> Any:
        if not self.placeholders:
            return UNKNOWN  # computed by CloudFormation
        parts = arg if isinstance(arg, list) else str(arg).split(".", 1)
        if parts and all(isinstance(p, str) for p in parts) and parts[0] in self.tpl.resources:
            return "${" + ".".join(parts) + "}"
        return UNKNOWN

    def sub(self, arg: Any, depth: int) -> Any:
        variables: dict[str, Any] | None = None
        if isinstance(arg, list):
            if len(arg) != 2 or not isinstance(arg[1], dict):
                return UNKNOWN
            text, variables = arg
        else:
            text = arg
        if not isinstance(text, str):
            return UNKNOWN
        resolved: dict[str, Any] = {}  # each variable once, however often the string uses it
        pieces: list[str] = []
        size = 0
        last = 0
        for m in _SUB_VAR.finditer(text):
            inner = m.group(1).strip()
            if inner.startswith("!"):
                piece = "${" + inner[1:] + "}"
            else:
                if inner not in resolved:
                    resolved[inner] = self.sub_variable(inner, variables, depth)
                piece = resolved[inner]
                if piece is UNKNOWN:
                    return UNKNOWN
            size += m.start() - last + len(piece)
            if size > MAX_TEXT or size > self.tpl.text_left:
                return self._over()
            pieces.append(text[last : m.start()])
            pieces.append(piece)
            last = m.end()
        pieces.append(text[last:])
        out = "".join(pieces)
        self.tpl.text_left -= len(out)
        return out

    def sub_variable(self, inner: str, variables: dict[str, Any] | None, depth: int) -> Any:
        if variables is not None and inner in variables:
            return _scalar_text(self.value(variables[inner], depth + 1))
        if "." in inner:
            head = inner.split(".", 1)[0]
            if self.placeholders and head in self.tpl.resources:
                return "${" + inner + "}"
            return UNKNOWN
        return _scalar_text(self.ref(inner))

    def join(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list)):
            return UNKNOWN
        delim = _scalar_text(self.value(arg[0], depth + 1))
        if delim is UNKNOWN:
            return UNKNOWN
        parts: list[str] = []
        size = 0
        for item in arg[1]:
            part = _scalar_text(self.value(item, depth + 1))
            if part is UNKNOWN:
                return UNKNOWN
            size += len(part) + len(delim)
            if size > MAX_TEXT or size > self.tpl.text_left:
                return self._over()
            parts.append(part)
        out = delim.join(parts)
        self.tpl.text_left -= len(out)
        return out

    def select(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            return UNKNOWN
        index = self.value(arg[0], depth + 1)
        seq = arg[1]
        if intrinsic_name(seq):
            seq = self.value(seq, depth + 1)
        if not isinstance(seq, list) or isinstance(index, bool):
            return UNKNOWN
        try:
            item = seq[int(index)]
        except (ValueError, TypeError, IndexError, OverflowError):
            return UNKNOWN
        return self.value(item, depth + 1)

    def if_(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) == 3):
            return UNKNOWN
        cond = self.tpl.condition(arg[0])
        if cond is True:
            return self.value(arg[1], depth + 1)
        if cond is False:
            return self.value(arg[2], depth + 1)
        a = self.value(arg[1], depth + 1)
        b = self.value(arg[2], depth + 1)
        return a if a is not UNKNOWN and a == b else UNKNOWN

    def find_in_map(self, arg: Any, depth: int) -> Any:
        if not (isinstance(arg, list) and len(arg) >= 3):
            return UNKNOWN
        keys = [_scalar_text(self.value(k, depth + 1)) for k in arg[:3]]
        if all(isinstance(k, str) for k in keys):
            top = self.tpl.mappings.get(keys[0])
            second = top.get(keys[1]) if isinstance(top, dict) else None
            if isinstance(second, dict) and keys[2] in second:
                found = second[keys[2]]
                # mapping values are literals: CloudFormation allows no intrinsic in Mappings
                return UNKNOWN if intrinsic_name(found) else found
        if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
            return self.value(arg[3]["DefaultValue"], depth + 1)
        return UNKNOWN

    def _over(self) -> Any:
        """Text past a bound is UNKNOWN; the template records that it happened."""
        self.tpl.over_budget = True
        return UNKNOWN


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


__all__ = ["NO_VALUE", "LList", "LMap", "Template", "as_list", "intrinsic_name"]
