"""Find, read and validate the configuration file: `[tool.lambdalint]` in pyproject.toml or
`.lambdalint.yaml`, found by walking up from the first path (SPEC section 5).

The file is validated against `schema.json` (the keys of the run), extended with the options
that rule files declare (`options:`, see options.py), so a rule that adds an option does not
have to edit the schema. jsonschema is imported only when a file exists.
"""

from __future__ import annotations

import difflib
import json
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from lambdalint.reading import Unreadable, read_settings
from lambdalint.reading.positions import LoadError
from lambdalint.reading.yaml_reader import parse_settings_yaml
from lambdalint.settings import ConfigError, Settings, build, option_declarations

YAML_NAMES = (".lambdalint.yaml", ".lambdalint.yml")
PYPROJECT = "pyproject.toml"
_SELECTOR_PATTERN = "^[A-Z][A-Z0-9]*$"  # the schema's rule-selector pattern


def load(paths: list[Path], explicit_path: Path | None = None) -> Settings:
    """The settings of `explicit_path`, or of the nearest config file above the first path."""
    found: tuple[Path, dict[str, Any], str] | None
    if explicit_path is not None:
        if not explicit_path.exists():
            raise ConfigError(f"config file not found: {explicit_path}")
        found = _read_explicit(explicit_path)
    else:
        found = find(paths[0] if paths else Path("."))
    if found is None:
        return Settings()
    path, data, label = found
    validate(data, label)
    return build(data, path)


def find(start: Path) -> tuple[Path, dict[str, Any], str] | None:
    """The nearest `.lambdalint.yaml` or pyproject.toml with a `[tool.lambdalint]` table."""
    try:
        folder = start.resolve()
    except (OSError, RuntimeError):
        return None
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        for name in YAML_NAMES:
            path = candidate / name
            if path.is_file():
                return path, _read_yaml(path), _label(path)
        path = candidate / PYPROJECT
        if path.is_file():
            table = _pyproject_table(path)
            if table is not None:
                return path, table, f"{_label(path)} [tool.lambdalint]"
    return None


def _read_explicit(path: Path) -> tuple[Path, dict[str, Any], str]:
    if path.suffix.lower() != ".toml":
        return path, _read_yaml(path), _label(path)
    table = _pyproject_table(path)
    if table is not None:
        return path, table, f"{_label(path)} [tool.lambdalint]"
    if path.name == PYPROJECT:
        raise ConfigError(f"{_label(path)}: no [tool.lambdalint] table")
    # a standalone lambdalint.toml holds the keys at its top level
    return path, _read_toml(path), _label(path)


def _label(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path.resolve()) if rel.startswith("..") else rel.replace(os.sep, "/")


def _read_text(path: Path) -> str:
    """The file's text, read with the limits of project files (it may come with a pull
    request: a FIFO, a link to /dev/zero, a huge file)."""
    try:
        return read_settings(path)
    except Unreadable as exc:
        raise ConfigError(f"{_label(path)}: cannot read: {exc.message}") from None


def _read_yaml(path: Path) -> dict[str, Any]:
    text = _read_text(path)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        # aliases could make validation and error messages expand a shared value exponentially
        if "*" in text and any(
            isinstance(ev, yaml.AliasEvent) for ev in yaml.parse(text, Loader=loader)
        ):
            raise ConfigError(
                f"{_label(path)}: YAML aliases (*name) are not supported in the configuration"
            )
        data = parse_settings_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        what = " ".join(str(x) for x in (getattr(exc, "problem", None),) if x) or "malformed"
        raise ConfigError(f"{_label(path)}: invalid YAML: {where}{what}") from None
    except LoadError as exc:
        raise ConfigError(
            f"{_label(path)}: invalid YAML: line {exc.pos.line}: {exc.message}"
        ) from None
    except RecursionError:
        raise ConfigError(f"{_label(path)}: the configuration nests too deeply") from None
    except ValueError:  # PyYAML's int() of a number of more than 4,300 digits
        raise ConfigError(f"{_label(path)}: a number in the configuration is too long") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{_label(path)}: expected a mapping of settings, got {type(data).__name__}"
        )
    return data


def _toml_loads(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib.loads(text)


def _read_toml(path: Path) -> dict[str, Any]:
    return _parse_toml(_read_text(path), path)


def _parse_toml(text: str, path: Path) -> dict[str, Any]:
    try:
        return _toml_loads(text)
    except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
        raise ConfigError(f"{_label(path)}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{_label(path)}: the configuration nests too deeply") from None


def _pyproject_table(path: Path) -> dict[str, Any] | None:
    text = _read_text(path)
    if "lambdalint" not in text:  # most pyproject files: no need to parse them
        return None
    data = _parse_toml(text, path)
    tool = data.get("tool")
    table = tool.get("lambdalint") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{_label(path)}: [tool.lambdalint] must be a table")
    return table


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The config schema, with every option declared by a built-in rule file added."""
    base: dict[str, Any] = json.loads(
        (Path(__file__).resolve().parent / "schema.json").read_text(encoding="utf-8")
    )
    props = base["properties"]
    for name, spec in option_declarations().items():
        if name not in props:
            props[name] = dict(spec.schema)
    return base


def validate(data: dict[str, Any], label: str) -> None:
    """Raise ConfigError with a one-line message naming the first bad key."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema())
    try:
        errors = sorted(
            validator.iter_errors(data),
            key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))),
        )
    except RecursionError:
        raise ConfigError(f"{label}: the configuration nests too deeply") from None
    if errors:
        raise ConfigError(f"{label}: {_describe(errors[0])}")


def _describe(error: Any) -> str:
    where = _key_path(list(error.absolute_path))
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        unknown = [k for k in error.instance if k not in allowed]
        if unknown:
            key = str(unknown[0])
            full = f"{where}.{key}" if where else key
            hint = difflib.get_close_matches(key, sorted(allowed), n=1)
            suffix = (
                f" (did you mean '{hint[0]}'?)"
                if hint
                else f" (known keys: {', '.join(sorted(allowed))})"
            )
            return f"unknown key '{full}'{suffix}"
    if "propertyNames" in error.relative_schema_path:
        return f"{where}: {error.instance!r} is not a rule id (like LL101)"
    if error.validator == "pattern" and error.schema.get("pattern") == _SELECTOR_PATTERN:
        return f"{where}: {error.instance!r} is not a rule id or prefix (like LL101 or LL1)"
    message = _one_line(error.message)
    return f"{where}: {message}" if where else message


def _key_path(parts: list[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = str(part)
            out += ("." if out else "") + (
                text if text.replace("-", "").replace("_", "").isalnum() else json.dumps(text)
            )
    return out


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 200 else line[:197] + "..."
