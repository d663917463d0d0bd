"""Declarative policies (SPEC section 6): JSON Schemas `when` / `require` over the JSON view of a
function (`lambdalint show --format json` prints it).

Each validation error of `require` is one finding, placed at the model position of the property
the error's path names (`timeout` → the Timeout line, `environment/X` → the line of X, an absent
property → the function's resource). The message is the rule's `message` with `{function}`,
`{value}` (the offending value, or the missing property's name) and `{property}` (the path,
dotted) filled in. An error about a value lambdalint could not resolve is dropped: rules never
report on unknowns.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from lambdalint.engine.view import function_view
from lambdalint.findings import Finding
from lambdalint.model import UNKNOWN, Function, Loc, Prop
from lambdalint.rulepack import Rule, RuleError

# validators that complain about something missing: unsafe when the model knows it is incomplete
_ABSENCE = frozenset(
    {"required", "contains", "minItems", "minContains", "minProperties", "dependentRequired"}
)
_SIMPLE_PROPS = (
    "runtime",
    "handler",
    "timeout",
    "memory",
    "reserved_concurrency",
    "tracing",
    "dead_letter",
    "on_failure",
)


def evaluate(rule: Rule, fn: Function) -> Iterator[Finding]:
    """The findings of policy `rule` for function `fn`."""
    from referencing.exceptions import Unresolvable

    when, require = rule.policy_validators
    if require is None:
        return
    view = function_view(fn)
    try:
        if when is not None and not when.is_valid(view):
            return
        errors = sorted(require.iter_errors(view), key=lambda e: [str(p) for p in e.absolute_path])
    except Unresolvable:
        raise RuleError(
            f"{rule.path or rule.id}: a $ref of the policy does not resolve inside the rule "
            "(lambdalint never reads a file or a URL for it)"
        ) from None
    for error in errors:
        path = list(error.absolute_path)
        missing = _missing_property(error)
        if _about_unknown(fn, path, error.validator, missing):
            continue
        loc = location(fn, path + ([missing] if missing else []))
        yield Finding(_message(rule, fn, error, path, missing), loc, function=fn.name)


def _missing_property(error: Any) -> str | None:
    if error.validator != "required" or not isinstance(error.instance, dict):
        return None
    for name in error.validator_value:
        if name not in error.instance and repr(name) in error.message:
            return str(name)
    return None


def _message(rule: Rule, fn: Function, error: Any, path: list[Any], missing: str | None) -> str:
    prop = ".".join(str(p) for p in [*path, *([missing] if missing else [])]) or "(function)"
    value = missing if missing is not None else _show(error.instance)
    text = rule.message or f"{rule.summary}: {prop}: {error.message}"
    # plain replacement: a brace in a user's message or value must never be interpreted
    return text.replace("{function}", fn.name).replace("{property}", prop).replace("{value}", value)


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _prop_loc(fn: Function, prop: Prop[Any] | None) -> Loc:
    return prop.loc if prop is not None else fn.loc


def location(fn: Function, path: list[Any]) -> Loc:
    """The model position of the view property at `path` (the function's own when unknown)."""
    if not path:
        return fn.loc
    head, rest = str(path[0]), path[1:]
    if head in _SIMPLE_PROPS:
        prop: Prop[Any] | None = getattr(fn, head)
        return _prop_loc(fn, prop)
    if head in ("environment", "environment_sources") and rest:
        var = fn.environment.get(str(rest[0]))
        return var.loc if var is not None else fn.loc
    if head == "code" and fn.code is not None:
        return fn.code.loc
    if head == "role" and fn.role is not None:
        return _role_loc(fn, rest)
    if head == "log_retention_days":
        for group in fn.log_groups:
            if isinstance(group.retention_days, int):
                return group.retention_loc or group.loc
        return fn.logging_config_group.loc if fn.logging_config_group is not None else fn.loc
    if head == "log_groups" and rest and (i := _index(rest[0], fn.log_groups)) is not None:
        group = fn.log_groups[i]
        if len(rest) > 1 and rest[1] == "retention_days":
            return group.retention_loc or group.loc
        return group.loc
    if head == "events" and rest and (i := _index(rest[0], fn.events)) is not None:
        return fn.events[i].loc
    if head == "url" and fn.url is not None:
        return fn.url.auth_type_loc or fn.url.loc
    return fn.loc


def _role_loc(fn: Function, rest: list[Any]) -> Loc:
    role = fn.role
    assert role is not None
    if (
        len(rest) >= 2
        and rest[0] == "statements"
        and (i := _index(rest[1], role.statements)) is not None
    ):
        return role.statements[i].loc
    if (
        len(rest) >= 2
        and rest[0] == "managed_policies"
        and (i := _index(rest[1], role.managed_policies)) is not None
    ):
        return role.managed_policies[i].loc
    return role.loc or fn.loc


def _index(value: Any, items: list[Any]) -> int | None:
    """`value` as an index into `items`, or None when it is not one."""
    return value if isinstance(value, int) and 0 <= value < len(items) else None


def _about_unknown(fn: Function, path: list[Any], validator: str, missing: str | None) -> bool:
    """True when the error concerns a value the model holds as UNKNOWN (or an incomplete set)."""
    if not path:
        return False
    head, rest = str(path[0]), path[1:]
    if head in _SIMPLE_PROPS:
        value_prop: Prop[Any] | None = getattr(fn, head)
        return value_prop is not None and value_prop.value is UNKNOWN
    if head == "function_name":
        return fn.function_name is UNKNOWN
    if head in ("environment", "environment_sources"):
        if not rest:
            return validator in _ABSENCE and not fn.environment_complete
        var = fn.environment.get(str(rest[0]))
        return var is not None and var.value is UNKNOWN and head == "environment"
    if head == "tags":
        if not rest:
            return any(v is UNKNOWN for v in fn.tags.values()) and validator in _ABSENCE
        return fn.tags.get(str(rest[0])) is UNKNOWN
    if head in ("layers", "architectures"):
        items = getattr(fn, head)
        if rest and (i := _index(rest[0], items)) is not None:
            return not isinstance(items[i], str)
        return any(not isinstance(x, str) for x in items)
    if head == "role" and fn.role is not None:
        return _role_unknown(fn, rest, validator)
    if head in ("log_retention_days", "log_groups"):
        return any(g.retention_days is UNKNOWN or g.name is UNKNOWN for g in fn.log_groups)
    if head == "url" and fn.url is not None:
        return fn.url.auth_type is UNKNOWN
    return False


def _role_unknown(fn: Function, rest: list[Any], validator: str) -> bool:
    role = fn.role
    assert role is not None
    if not role.known:
        return True
    if (
        len(rest) >= 2
        and rest[0] == "statements"
        and (i := _index(rest[1], role.statements)) is not None
    ):
        st = role.statements[i]
        return st.actions_unknown or st.resources_unknown
    return role.incomplete and validator in _ABSENCE
