"""Rule options, declared once: in the `options:` block of the rule file that uses them, each
with its `type`, `default` and `description` (and any other JSON Schema keyword that bounds it).

The configuration file is validated against those declarations (`files.schema`), and the values
are resolved at start into `RuleOptions`, whose typed accessors hand a check its value with the
default already applied: no check carries a default of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from lambdalint.rulepack import Rule

TYPES = ("integer", "number", "string", "boolean", "array", "object")


@dataclass(frozen=True)
class OptionSpec:
    """One option as its rule file declares it."""

    name: str
    rule: str  # the id of the rule whose file declares it
    type: str
    description: str
    default: Any = None
    # the declaration as a JSON Schema: how the configuration file's value is validated
    schema: Mapping[str, Any] = field(default_factory=dict)


def declarations(rules: Iterable[Rule]) -> dict[str, OptionSpec]:
    """Every option the rules declare, by name (the first rule to declare a name owns it)."""
    out: dict[str, OptionSpec] = {}
    for rule in rules:
        for name, spec in rule.options.items():
            if name in out or not isinstance(spec, Mapping):
                continue
            out[name] = OptionSpec(
                name=name,
                rule=rule.id,
                type=str(spec.get("type", "")),
                description=str(spec.get("description", "")),
                default=spec.get("default"),
                schema=dict(spec),
            )
    return out


_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class RuleOptions:
    """The rule options of a run: the declarations and the values the configuration gives."""

    specs: Mapping[str, OptionSpec] = field(default_factory=lambda: _EMPTY)
    given: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    def _value(self, name: str, kind: str) -> Any:
        spec = self.specs.get(name)
        if spec is None:
            raise KeyError(f"no rule file declares the option {name!r}")
        if spec.type != kind:
            raise TypeError(f"option {name!r} is declared as {spec.type}, not {kind}")
        return self.given.get(name, spec.default)

    def integer(self, name: str) -> int | None:
        value = self._value(name, "integer")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def boolean(self, name: str) -> bool:
        return self._value(name, "boolean") is True

    def strings(self, name: str) -> tuple[str, ...]:
        value = self._value(name, "array")
        return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()

    def mapping(self, name: str) -> Mapping[str, Any] | None:
        value = self._value(name, "object")
        return value if isinstance(value, Mapping) else None


def resolve(specs: Mapping[str, OptionSpec], given: Mapping[str, Any]) -> RuleOptions:
    """The options of a run from the configuration's values (only declared names; ValueError
    naming the option when a value does not have its declared type)."""
    values: dict[str, Any] = {}
    for name, value in given.items():
        spec = specs.get(name)
        if spec is None:
            raise ValueError(f"unknown option '{name}'")
        if value is not None and not _has_type(value, spec.type):
            raise ValueError(f"{name}: expected {_TYPE_NAMES.get(spec.type, spec.type)}")
        values[name] = value
    return RuleOptions(MappingProxyType(dict(specs)), MappingProxyType(values))


_TYPE_NAMES = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
}


def _has_type(value: object, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, Mapping)
    return True
