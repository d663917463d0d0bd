"""The settings of a run: what to check and how strictly. Built once at start from the
configuration file (`files.py`) and the command line, then passed down to every stage that needs
them; nothing reads them from a global."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from lambdalint.findings import SEVERITIES, Severity
from lambdalint.reading import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, ReadLimits
from lambdalint.rulepack import Rule, builtin_rules
from lambdalint.settings import options
from lambdalint.settings.options import RuleOptions
from lambdalint.settings.selection import Selection, unknown_selector


class ConfigError(Exception):
    """A configuration problem the user can fix; the message names the key."""


# the keys of the configuration that are neither rule options nor read limits
RUN_KEYS = frozenset(
    {
        "select",
        "ignore",
        "severity",
        "fail-on",
        "exclude",
        "respect-gitignore",
        "per-file-ignores",
        "extend-rules",
    }
)
LIMIT_KEYS = frozenset({"max-file-size", "max-depth", "max-nodes"})


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Settings:
    selection: Selection = Selection()
    # per-rule overrides
    severity: Mapping[str, Severity] = field(default_factory=lambda: _frozen({}))
    fail_on: Severity = "warning"
    exclude: tuple[str, ...] = ()
    # skip what .gitignore, .git/info/exclude and nested .gitignore files ignore
    respect_gitignore: bool = True
    # glob (relative to the configuration file) → rule ids or prefixes not reported there
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _frozen({}))
    extend_rules: tuple[Path, ...] = ()  # folders of custom rule files
    limits: ReadLimits = ReadLimits()  # how much of an untrusted file is read and parsed
    options: RuleOptions = field(default_factory=lambda: default_options())
    source: Path | None = None  # the configuration file these came from
    # unsafe fixes count as applicable (`--unsafe-fixes`): applied by `--fix`, marked in reports
    unsafe_fixes: bool = False

    def rule_enabled(self, rule_id: str) -> bool:
        return self.selection.enabled(rule_id)

    def with_command_line(
        self, select: Sequence[str] | None, ignore: Sequence[str], fail_on: Severity | None
    ) -> Settings:
        """These settings with the command line's `--select` (None: not given), `--ignore`
        and `--fail-on`."""
        selection = replace(
            self.selection,
            cli_select=tuple(select) if select is not None else self.selection.cli_select,
            cli_ignore=tuple(ignore) if ignore else self.selection.cli_ignore,
        )
        return replace(self, selection=selection, fail_on=fail_on or self.fail_on)


def build(data: Mapping[str, Any] | None = None, source: Path | None = None) -> Settings:
    """Settings from a configuration mapping (the configuration file's keys: `select`,
    `fail-on`, `api-timeout` ...), which `files.py` validated when it came from a file.
    ConfigError names the key whose value cannot be used. Paths are relative to `source`'s
    folder (the working directory without one)."""
    data = data or {}
    base = source.resolve().parent if source is not None else Path(".")
    try:
        fail_on = _severity(data.get("fail-on", "warning"), "fail-on")
        severity = {
            str(k): _severity(v, f"severity.{k}") for k, v in data.get("severity", {}).items()
        }
        limits = limits_from_options(data)
        rule_options = options.resolve(
            option_declarations(),
            {k: v for k, v in data.items() if k not in RUN_KEYS and k not in LIMIT_KEYS},
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return Settings(
        selection=Selection(
            select=tuple(data.get("select", ())), ignore=tuple(data.get("ignore", ()))
        ),
        severity=_frozen(severity),
        fail_on=fail_on,
        exclude=tuple(data.get("exclude", ())),
        respect_gitignore=data.get("respect-gitignore", True) is not False,
        per_file_ignores=_frozen(
            {str(k): tuple(v) for k, v in data.get("per-file-ignores", {}).items()}
        ),
        extend_rules=tuple(base / folder for folder in data.get("extend-rules", ())),
        limits=limits,
        options=rule_options,
        source=source.resolve() if source is not None else None,
    )


def _severity(value: object, key: str) -> Severity:
    for severity in SEVERITIES:
        if value == severity:
            return severity
    raise ValueError(f"{key}: expected one of {', '.join(SEVERITIES)}, got {value!r}")


def default_options() -> RuleOptions:
    """Every declared option at its default."""
    return options.resolve(option_declarations(), {})


def option_declarations() -> dict[str, options.OptionSpec]:
    """The options the built-in rules declare."""
    return options.declarations(builtin_rules())


def check_selectors(settings: Settings, rules: Iterable[Rule]) -> None:
    """Raise ConfigError naming the first rule selector of the configuration that selects no
    rule: a typo there would otherwise check nothing, or ignore nothing, in silence."""
    ids = [rule.id for rule in rules]
    where = ""
    if settings.source is not None:
        table = " [tool.lambdalint]" if settings.source.name == "pyproject.toml" else ""
        where = f"{_display(settings.source)}{table}: "
    hint = "no rule id starts with it; see 'lambdalint rules'"
    selection = settings.selection
    for key, values in (("select", selection.select), ("ignore", selection.ignore)):
        bad = unknown_selector(values, ids)
        if bad is not None:
            raise ConfigError(f"{where}{key}: unknown rule selector '{bad}' ({hint})")
    for rule_id in settings.severity:
        if rule_id not in ids:
            raise ConfigError(
                f"{where}severity: unknown rule '{rule_id}' (a rule id such as LL101; "
                "see 'lambdalint rules')"
            )
    for pattern, values in settings.per_file_ignores.items():
        bad = unknown_selector(values, ids)
        if bad is not None:
            raise ConfigError(
                f"{where}per-file-ignores.{pattern}: unknown rule selector '{bad}' ({hint})"
            )


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path).replace(os.sep, "/")
    except ValueError:
        return str(path)


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_size(value: object) -> int | None:
    """Bytes from `5242880`, `"5MB"`, `"512 KiB"`; None when it is not a size."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    m = _SIZE.match(value) if isinstance(value, str) else None
    if not m:
        return None
    size = float(m.group(1)) * _UNITS[(m.group(2) or "")[:1].lower()]
    if not math.isfinite(size):  # 400 digits of megabytes
        return None
    return int(size) if size >= 1 else None


def limits_from_options(options: Mapping[str, Any]) -> ReadLimits:
    """The limits named in the configuration's options; defaults for the rest.
    Raises ValueError naming the option when a value is not usable."""
    size = options.get("max-file-size", MAX_FILE_BYTES)
    max_bytes = parse_size(size)
    if max_bytes is None:
        raise ValueError(f"max-file-size: expected a size such as 5242880 or '5MB', got {size!r}")
    counts = []
    for key, default in (("max-depth", MAX_DEPTH), ("max-nodes", MAX_NODES)):
        value = options.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{key}: expected a positive integer, got {value!r}")
        counts.append(value)
    return ReadLimits(max_bytes, counts[0], counts[1])
