"""The built-in rule pack is valid and complete."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from lambdalint.rulepack import RuleError, builtin_dir, builtin_rules, load_rule_folder, schema


def test_every_builtin_rule_file_validates() -> None:
    validator = jsonschema.Draft202012Validator(schema())
    for path in sorted(builtin_dir().glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        errors = list(validator.iter_errors(data))
        assert not errors, f"{path.name}: {errors[0].message}"
        assert path.stem == data["id"], f"{path.name} must be named after its id"


def test_rule_ids_and_names_are_unique() -> None:
    rules = builtin_rules()
    assert len({r.id for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)


def test_every_check_resolves_to_a_function() -> None:
    import importlib

    for rule in builtin_rules():
        if rule.check:
            mod, fn = rule.check.split(".")
            module = importlib.import_module(f"lambdalint.checks.{mod}")
            assert callable(getattr(module, fn)), rule.id


def test_descriptions_have_bad_and_good_examples() -> None:
    for rule in builtin_rules():
        assert "## Example" in rule.description, rule.id
        assert "## Use instead" in rule.description, rule.id
        assert rule.references, rule.id


def test_invalid_custom_rule_names_file_and_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "bad.yaml").write_text("id: ORG001\nname: Bad Name\nseverity: fatal\nsummary: x\ncheck: a.b\n")
    with pytest.raises(RuleError) as exc:
        load_rule_folder(tmp_path)
    assert "bad.yaml" in str(exc.value)
