"""Rule files: one YAML file per rule, in the built-in `rules/` pack or in `extend-rules` folders.

Custom rule files are validated against `rules/schema.json` when loaded; the built-in pack
ships with the package and is validated by the test suite, which keeps jsonschema off the
start-up path of every run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from lambdalint.findings import Applicability, Severity
from lambdalint.reading import DEFAULT_LIMITS, ReadLimits, Unreadable, read_settings
from lambdalint.reading.positions import LoadError
from lambdalint.reading.yaml_reader import parse_settings_yaml


class RuleError(Exception):
    """A rule file is invalid; the message names the file and the problem."""


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: Severity
    summary: str
    category: str = ""
    description: str = ""
    references: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    security_severity: float | None = None
    scope: str = "function"
    check: str | None = None
    policy: dict[str, Any] | None = None
    message: str | None = None
    # the class of the fixes the rule's check attaches to its findings; None: it has none
    fix: Applicability | None = None
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    path: Path | None = None
    builtin: bool = field(default=False, compare=False)  # from lambdalint's own pack

    @cached_property
    def policy_validators(self) -> tuple[Any, Any]:
        """The compiled `when` and `require` of a declarative rule (see `compile_policy`)."""
        return compile_policy(self)


def builtin_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if (candidate / "schema.json").is_file():
            return candidate
    raise RuleError(f"the built-in rule pack is missing (looked in {here / 'rules'})")


def schema() -> dict[str, Any]:
    return json.loads((builtin_dir() / "schema.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _from_data(data: dict[str, Any], path: Path, builtin: bool = False) -> Rule:
    return Rule(
        id=data["id"],
        name=data["name"],
        severity=data["severity"],
        summary=data["summary"],
        category=data.get("category", ""),
        description=data.get("description", ""),
        references=tuple(data.get("references", ())),
        tags=tuple(data.get("tags", ())),
        security_severity=data.get("security-severity"),
        scope=data.get("scope", "function"),
        check=data.get("check"),
        policy=data.get("policy"),
        message=data.get("message"),
        fix=data.get("fix"),
        options=dict(data.get("options", {})),
        path=path,
        builtin=builtin,
    )


def _read(path: Path, limits: ReadLimits) -> Any:
    """A rule file, read with the limits of project files (a custom rule pack comes with the
    repository): a regular file of at most `max-file-size` bytes, nesting at most `max-depth`
    levels, expanding to at most `max-nodes` values."""
    try:
        return parse_settings_yaml(read_settings(path, limits), limits)
    except Unreadable as exc:
        raise RuleError(f"{path}: cannot read rule file: {exc.message}") from None
    except LoadError as exc:
        raise RuleError(f"{path}: invalid YAML: line {exc.pos.line}: {exc.message}") from None
    except ValueError:  # PyYAML's int() of a number of more than 4,300 digits
        raise RuleError(f"{path}: a number in the rule file is too long") from None
    except RecursionError:
        raise RuleError(f"{path}: the rule file nests too deeply") from None


def validate(data: Any, path: Path) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        raise RuleError(f"{path}: invalid rule file at {where}: {err.message}")


@lru_cache(maxsize=1)
def builtin_rules() -> tuple[Rule, ...]:
    rules = []
    for path in sorted(builtin_dir().glob("*.yaml")):
        data = _read(path, DEFAULT_LIMITS)
        rules.append(_from_data(data, path, builtin=True))
    return tuple(rules)


def load_rule_folder(folder: Path, limits: ReadLimits = DEFAULT_LIMITS) -> list[Rule]:
    if not folder.is_dir():
        raise RuleError(f"{folder}: extend-rules folder does not exist")
    rules = []
    real_folder = folder.resolve()
    for path in sorted(list(folder.glob("*.yaml")) + list(folder.glob("*.yml"))):
        real = path.resolve()
        if real.parent != real_folder and real_folder not in real.parents:
            # a rule file's text is printed (`rules`, `explain`, validation errors): a link to
            # a file elsewhere (credentials) would publish it
            raise RuleError(f"{path}: not read: symbolic link out of the extend-rules folder")
        data = _read(path, limits)
        validate(data, path)
        rule = _from_data(data, path)
        if rule.policy is not None:
            rule.policy_validators  # noqa: B018 - a policy that is no valid JSON Schema fails at load
        rules.append(rule)
    return rules


def all_rules(
    extend: list[Path] | tuple[Path, ...] = (), limits: ReadLimits = DEFAULT_LIMITS
) -> list[Rule]:
    """The built-in rules, then those of the `extend-rules` folders (read within `limits`)."""
    rules = list(builtin_rules())
    seen = {r.id: r for r in rules}
    for folder in extend:
        for rule in load_rule_folder(folder, limits):
            if rule.id in seen:
                raise RuleError(
                    f"{rule.path}: rule id {rule.id} is already defined by {seen[rule.id].path}"
                )
            seen[rule.id] = rule
            rules.append(rule)
    return rules


# ---------------------------------------------------------------- declarative rules


def compile_policy(rule: Rule) -> tuple[Any, Any]:
    """The validators of a declarative rule's `when` and `require` (None where absent).
    Raises RuleError when one is not a valid JSON Schema or refers outside the rule."""
    import jsonschema
    from jsonschema.validators import validator_for

    policy = rule.policy or {}
    compiled: list[Any] = []
    for part in ("when", "require"):
        schema = policy.get(part)
        if schema is None:
            compiled.append(None)
            continue
        cls = validator_for(schema, default=jsonschema.Draft202012Validator)
        try:
            cls.check_schema(schema)
        except jsonschema.SchemaError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "(top level)"
            raise RuleError(
                f"{rule.path or rule.id}: policy.{part} is not a valid JSON Schema at {where}: "
                f"{exc.message}"
            ) from None
        _refuse_outside_refs(rule, part, schema)
        compiled.append(cls(schema, registry=_local_only_registry()))
    return compiled[0], compiled[1]


# keywords whose value is data, not a schema: a "$ref" key in them is no reference
_DATA_KEYWORDS = frozenset({"const", "enum", "examples", "default"})
_REF_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")
# keywords whose value maps names to schemas (a property may be called "const" or "$ref")
_NAMED_SCHEMAS = frozenset(
    {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies"}
)


def _local_only_registry() -> Any:
    """A registry that retrieves nothing: a `$ref` resolves inside the rule's own schema (or to
    a JSON Schema meta-schema, which jsonschema ships), never to a file or a URL. Without it,
    jsonschema fetches unknown references with urllib (network, `file://`)."""
    from referencing import Registry

    return Registry()  # its retrieve function refuses every URI


def _refuse_outside_refs(rule: Rule, part: str, schema: Any) -> None:
    """Raise RuleError naming the first reference that points outside the schema."""
    from urllib.parse import urldefrag

    from jsonschema_specifications import REGISTRY as META_SCHEMAS

    ids: set[str] = set()
    refs: list[str] = []
    stack: list[tuple[Any, bool]] = [(schema, False)]  # (node, is it a map of names to schemas)
    while stack:
        node, named = stack.pop()
        if isinstance(node, list):
            stack.extend((item, False) for item in node)
        elif isinstance(node, dict) and named:
            stack.extend((value, False) for value in node.values())
        elif isinstance(node, dict):
            for key, value in node.items():
                if key in _REF_KEYWORDS and isinstance(value, str):
                    refs.append(value)
                elif key == "$id" and isinstance(value, str):
                    ids.add(urldefrag(value).url)
                elif key not in _DATA_KEYWORDS:
                    stack.append((value, key in _NAMED_SCHEMAS))
    for ref in refs:
        target = urldefrag(ref).url
        if not target or target in ids or target in META_SCHEMAS:
            continue
        shown = ref if len(ref) <= 80 else ref[:77] + "..."
        raise RuleError(
            f"{rule.path or rule.id}: policy.{part}: $ref {shown!r} points outside the rule: "
            "lambdalint resolves references only inside the rule's own schema ('#/...'), "
            "and never reads a file or a URL"
        )
