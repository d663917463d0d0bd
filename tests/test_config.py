"""Configuration files: discovery by walking up, validation with a one-line error, CLI precedence."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from lambdalint.settings import files
from lambdalint.cli import main
from lambdalint.settings import ConfigError, Settings
from lambdalint.settings.selection import Selection

BAD = FIXTURES / "LL102-handler-function-missing" / "wrong-name"


def _project(tmp_path: Path) -> Path:
    shutil.copytree(BAD, tmp_path / "proj")
    return tmp_path / "proj"


def _check(cwd: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(
        main, ["check", "--no-cache", "--output-format", "concise", *args], catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def test_pyproject_table_found_walking_up_from_the_first_path(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.lambdalint]\nselect = ["LL1"]\nignore = ["LL107"]\n'
        'fail-on = "error"\napi-timeout = 20\n\n[tool.lambdalint.severity]\nLL104 = "warning"\n'
    )
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    config = files.load([deep], None)
    assert config.selection.select == ("LL1",) and config.selection.ignore == ("LL107",)
    assert config.fail_on == "error"
    assert config.severity == {"LL104": "warning"}
    assert config.options.integer("api-timeout") == 20
    assert config.options.integer("max-retention-days") is None  # declared, not set
    assert config.source == (tmp_path / "pyproject.toml").resolve()


def test_pyproject_without_table_is_skipped_and_search_goes_on(tmp_path: Path) -> None:
    (tmp_path / ".lambdalint.yaml").write_text("ignore: [LL105]\n")
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "pyproject.toml").write_text(
        '[project]\nname = "svc"\n[tool.ruff]\nline-length = 1\n'
    )
    config = files.load([tmp_path / "svc"], None)
    assert config.selection.ignore == ("LL105",)


def test_yaml_wins_over_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    (tmp_path / ".lambdalint.yaml").write_text("fail-on: info\n")
    (tmp_path / "pyproject.toml").write_text('[tool.lambdalint]\nfail-on = "error"\n')
    assert files.load([tmp_path], None).fail_on == "info"


def test_no_file_gives_defaults(tmp_path: Path) -> None:
    config = files.load([tmp_path], None)
    assert config.fail_on == "warning" and config.source is None and not config.selection.select


def test_extend_rules_and_per_file_ignores_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / ".lambdalint.yaml").write_text(
        "extend-rules: [policies]\nper-file-ignores:\n  'legacy/*.yaml': [LL1]\n"
    )
    config = files.load([tmp_path / "policies"], None)
    assert config.extend_rules == (tmp_path.resolve() / "policies",)
    assert config.per_file_ignores == {"legacy/*.yaml": ("LL1",)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("selec: [LL1]\n", "unknown key 'selec' (did you mean 'select'?)"),
        ("fail-on: fatal\n", "fail-on: 'fatal' is not one of"),
        ("select: LL1\n", "select: 'LL1' is not of type 'array'"),
        ("ignore: [ll1]\n", "ignore[0]: 'll1' is not a rule id or prefix"),
        ("severity: {LL101: fatal}\n", "severity.LL101: 'fatal' is not one of"),
        ("severity: {handler: error}\n", "severity: 'handler' is not a rule id"),
        ("api-timeout: thirty\n", "api-timeout: 'thirty' is not of type 'integer'"),
        ("per-file-ignores: {'a/*.py': LL1}\n", 'per-file-ignores."a/*.py"'),
        ("- select\n", "expected a mapping of settings"),
        ("select: [\n", "invalid YAML"),
    ],
)
def test_bad_key_or_value_is_a_one_line_error_naming_it(
    tmp_path: Path, text: str, expected: str
) -> None:
    (tmp_path / ".lambdalint.yaml").write_text(text)
    with pytest.raises(ConfigError) as exc:
        files.load([tmp_path], None)
    message = str(exc.value)
    assert message.startswith(f"{tmp_path.resolve() / '.lambdalint.yaml'}: ")
    assert expected in message
    assert "\n" not in message


def test_bad_toml_and_bad_table_are_errors(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.lambdalint\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        files.load([tmp_path], None)
    (tmp_path / "pyproject.toml").write_text('[tool]\nlambdalint = "on"\n')
    with pytest.raises(ConfigError, match=r"\[tool.lambdalint\] must be a table"):
        files.load([tmp_path], None)


def test_explicit_config_file(tmp_path: Path) -> None:
    custom = tmp_path / "ci-lambdalint.yaml"
    custom.write_text("fail-on: error\n")
    assert files.load([tmp_path], custom).fail_on == "error"
    toml = tmp_path / "lambdalint.toml"
    toml.write_text('ignore = ["LL108"]\n')
    assert files.load([tmp_path], toml).selection.ignore == ("LL108",)
    with pytest.raises(ConfigError, match="config file not found"):
        files.load([tmp_path], tmp_path / "missing.yaml")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    with pytest.raises(ConfigError, match=r"no \[tool.lambdalint\] table"):
        files.load([tmp_path], tmp_path / "pyproject.toml")


def test_cli_exits_2_naming_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    proj = _project(tmp_path)
    (proj / ".lambdalint.yaml").write_text("select: [LL102]\nfial-on: error\n")
    code, _, err = _check(proj, monkeypatch=monkeypatch)
    assert code == 2
    assert (
        err.strip()
        == "lambdalint: error: .lambdalint.yaml: unknown key 'fial-on' (did you mean 'fail-on'?)"
    )


def test_config_applies_and_cli_flags_override_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proj = _project(tmp_path)
    (proj / ".lambdalint.yaml").write_text("select: [LL102]\nseverity: {LL102: info}\n")
    code, out, _ = _check(proj, monkeypatch=monkeypatch)
    assert code == 0  # info is below the default fail-on (warning)
    assert "LL102 handler-function-missing [info]" in out
    code, _, _ = _check(proj, "--fail-on", "info", monkeypatch=monkeypatch)
    assert code == 1
    code, out, _ = _check(proj, "--select", "LL101", monkeypatch=monkeypatch)
    assert "LL102" not in out and code == 0


def test_jsonschema_not_imported_without_a_config_file(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = (
        "import sys; from pathlib import Path; from lambdalint.settings import files;"
        f"files.load([Path({str(tmp_path)!r})], None);"
        "print('jsonschema' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_rule_file_options_extend_the_schema(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A rule declares its options once (type, default, description): the configuration is
    validated against the declaration and the check reads the typed, defaulted value."""
    from lambdalint import rulepack, settings

    real = rulepack.builtin_rules()
    extra = rulepack.Rule(
        id="LL999",
        name="x",
        severity="info",
        summary="x",
        check="parse.parse_errors",
        options={
            "max-things": {"type": "integer", "minimum": 1, "default": 3, "description": "x"},
            "thing-names": {"type": "array", "items": {"type": "string"}, "description": "y"},
        },
    )
    monkeypatch.setattr(rulepack, "builtin_rules", lambda: (*real, extra))
    monkeypatch.setattr(settings, "builtin_rules", lambda: (*real, extra))
    files.schema.cache_clear()
    try:
        assert files.load([tmp_path], None).options.integer("max-things") == 3  # no file: the default
        (tmp_path / ".lambdalint.yaml").write_text("thing-names: [a, b]\n")
        options = files.load([tmp_path], None).options
        assert options.integer("max-things") == 3  # the declared default
        assert options.strings("thing-names") == ("a", "b")
        (tmp_path / ".lambdalint.yaml").write_text("max-things: 4\n")
        assert files.load([tmp_path], None).options.integer("max-things") == 4
        with pytest.raises(TypeError):
            files.load([tmp_path], None).options.strings("max-things")  # declared an integer
        (tmp_path / ".lambdalint.yaml").write_text("max-things: many\n")
        with pytest.raises(ConfigError, match="max-things: 'many' is not of type 'integer'"):
            files.load([tmp_path], None)
        (tmp_path / ".lambdalint.yaml").write_text("max-things: 0\n")
        with pytest.raises(ConfigError, match="max-things: 0 is less than the minimum of 1"):
            files.load([tmp_path], None)
    finally:
        files.schema.cache_clear()


def test_hostile_config_files_are_errors_not_hangs(tmp_path: Path) -> None:
    laughs = (
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
            for i in range(12)
        )
        + "fail-on: *m\n"
    )
    (tmp_path / ".lambdalint.yaml").write_text(laughs)
    with pytest.raises(ConfigError, match="aliases"):
        files.load([tmp_path], None)
    (tmp_path / ".lambdalint.yaml").write_text("select: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError):
        files.load([tmp_path], None)
    (tmp_path / ".lambdalint.yaml").unlink()
    (tmp_path / "pyproject.toml").write_text(
        "[tool.lambdalint]\nselect = " + "[" * 5000 + "]" * 5000 + "\n"
    )
    with pytest.raises(ConfigError):
        files.load([tmp_path], None)
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.lambdalint]\nselect = ['\xff']\n")
    with pytest.raises(ConfigError, match="cannot read"):
        files.load([tmp_path], None)


def test_input_limits_are_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".lambdalint.yaml").write_text('max-file-size: "1KB"\nmax-depth: 8\nmax-nodes: 100000\n')
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n" + "# padding\n" * 200
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--no-cache", "."])
    # the only template is skipped, so nothing is checked: said, and not a success
    assert result.exit_code == 2, result.output
    assert "above the 1 KB limit" in result.stderr
    assert "no Lambda functions found" in result.stderr
    (tmp_path / ".lambdalint.yaml").write_text("max-depth: 0\n")
    result = CliRunner().invoke(main, ["check", "--no-cache", "."])
    assert result.exit_code == 2
    assert "max-depth" in result.stderr


@pytest.mark.parametrize(
    "file, cli, enabled, disabled",
    [
        # the more specific selector wins; an ignore wins a tie
        ({"select": ["LL4"], "ignore": ["LL401"]}, {}, ["LL402"], ["LL401", "LL101"]),
        ({"select": ["LL401"], "ignore": ["LL4"]}, {}, ["LL401"], ["LL402"]),
        ({"select": ["LL4"], "ignore": ["LL4"]}, {}, [], ["LL401"]),
        ({"ignore": ["LL4"]}, {}, ["LL101"], ["LL401"]),
        # --select on the command line sets the file's selection aside
        ({"ignore": ["LL4"]}, {"cli_select": ["LL401"]}, ["LL401"], ["LL402", "LL101"]),
        ({"select": ["LL1"]}, {"cli_select": ["LL4"]}, ["LL401"], ["LL101"]),
        ({}, {"cli_select": ["LL4"], "cli_ignore": ["LL402"]}, ["LL401"], ["LL402"]),
        # --ignore on the command line drops rules whatever the file selects
        ({"select": ["LL401"]}, {"cli_ignore": ["LL4"]}, [], ["LL401"]),
        ({}, {"cli_ignore": ["LL401"]}, ["LL402"], ["LL401"]),
    ],
)
def test_selection_more_specific_wins_and_the_command_line_beats_the_file(
    file: dict[str, list[str]], cli: dict[str, list[str]], enabled: list[str], disabled: list[str]
) -> None:
    selection = Selection(**file, **cli)
    assert [r for r in enabled + disabled if selection.enabled(r)] == enabled


def test_cli_select_of_a_rule_the_file_ignores_reports_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proj = _project(tmp_path)
    (proj / ".lambdalint.yaml").write_text("ignore: [LL1]\n")
    code, out, _ = _check(proj, monkeypatch=monkeypatch)
    assert "LL102" not in out
    code, out, _ = _check(proj, "--select", "LL102", monkeypatch=monkeypatch)
    assert code == 1 and "LL102 handler-function-missing" in out
    assert "All checks passed" not in out
