"""Cache of per-file facts in `.lambdalint_cache/`, keyed by content hash.

One kind of entry: the `HandlerSource` that analysing a handler (language, path, text)
produced (`sources-*.json`), so an unchanged handler is never parsed again. Templates are not
cached: a Function also depends on other files (whether CodeUri is a file or a folder, CDK
asset folders, the other `.tf` files of a module), so the model is built again on every run;
and a parsed template's tree (kept here before) rebuilt from JSON in about half the time of
parsing it, which cost a first run more than later runs got back. The cache is:
- versioned: the lambdalint version, the cache format and a fingerprint of the analysis and
  parsing code (so an edited analyser in a development checkout does not reuse stale facts);
- safe to delete, and tolerant of corruption: anything unreadable is ignored and rebuilt;
- data only: JSON, decoded into an allow-list of lambdalint dataclasses or into a template
  tree whose every value is checked, never pickle (a cache folder that came with a repository
  must not be able to run code).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambdalint import __version__
from lambdalint.analysis.facts import HandlerSource
from lambdalint.model import UNKNOWN
from lambdalint.writing import create, write_text

FORMAT = 1
DIRNAME = ".lambdalint_cache"
SHARD_PREFIX = "sources-"
MAX_ENTRIES = 50_000  # beyond this, entries not used by the latest run are dropped
# where the dataclasses an entry may contain are defined
_DATA_MODULES = ("lambdalint.model", "lambdalint.analysis.")
# the code whose changes invalidate the cache: analysers and the fact and position classes
# the fact collectors also use the SDK action catalogue and the secret classification
_CODE_FILES = (
    "analysis/**/*.py",
    "model.py",
    "aws/sdk.py",
    "aws/data/sdk_operations.json",
    "aws/secrets.py",
)


class _Unencodable(Exception):
    pass


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_SCALARS = (type(None), bool, int, float, str)


def _encode(value: Any) -> Any:
    """JSON for facts: dataclasses as {"!": class name, "v": [field values in order]}."""
    cls = type(value)
    if cls in _SCALARS:
        return value
    if cls is list:
        return [_encode(v) for v in value]
    names = _FIELD_NAMES.get(cls)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        if not cls.__module__.startswith(_DATA_MODULES):
            raise _Unencodable(cls.__module__)
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        return {"!": cls.__qualname__, "v": [_encode(getattr(value, n)) for n in names]}
    if isinstance(value, (bool, int, float, str)):  # subclasses: their plain value
        return value
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, tuple):
        return {"!": "()", "v": [_encode(v) for v in value]}
    if value is UNKNOWN:
        return {"!": "?"}
    if isinstance(value, (set, frozenset)):
        kind = "set" if isinstance(value, set) else "frozenset"
        return {"!": kind, "v": [_encode(v) for v in sorted(value, key=repr)]}
    if isinstance(value, Path):
        return {"!": "path", "v": str(value)}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and "!" not in value:
            return {k: _encode(v) for k, v in value.items()}
        return {"!": "{}", "v": [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise _Unencodable(type(value).__name__)


def encode_entry(source: Any) -> str | None:
    """The cache entry for `source` (a worker process can make it), or None if it cannot be
    represented (then it is simply recomputed next time)."""
    try:
        return json.dumps(_encode(source), separators=(",", ":"), ensure_ascii=False)
    except (_Unencodable, ValueError, RecursionError):
        return None


@dataclass(frozen=True)
class _Layout:
    cls: type
    fields: tuple[dataclasses.Field[Any], ...]
    positional: bool  # every field can be passed positionally, in order


def _dataclass_index() -> dict[str, _Layout]:
    """The dataclasses an entry may name, by name: those of already imported lambdalint data
    modules (a cache file never causes an import). A name defined twice is left out."""
    index: dict[str, _Layout] = {}
    twice: set[str] = set()
    for name, module in list(sys.modules.items()):
        if module is None or not (
            name == "lambdalint.model" or name.startswith("lambdalint.analysis.")
        ):
            continue
        for obj in list(vars(module).values()):
            if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == name:
                key = obj.__qualname__
                if key in index and index[key].cls is not obj:
                    twice.add(key)
                fields = dataclasses.fields(obj)
                index[key] = _Layout(obj, fields, all(f.init and not f.kw_only for f in fields))
    for key in twice:
        del index[key]
    return index


class _Decoder:
    """json object_hook turning the encoding above back into objects. Field layouts are not
    checked by name: the cache fingerprint changes whenever the code that defines them does."""

    def __init__(self) -> None:
        self.classes = _dataclass_index()

    def hook(self, obj: dict[str, Any]) -> Any:
        kind = obj.get("!")
        if kind is None:
            return obj
        layout = self.classes.get(kind)
        if layout is not None:
            values = obj["v"]
            if len(values) != len(layout.fields):
                raise ValueError("fields changed")
            if layout.positional:
                return layout.cls(*values)
            inst = layout.cls(
                **{f.name: v for f, v in zip(layout.fields, values, strict=True) if f.init}
            )
            for f, v in zip(layout.fields, values, strict=True):
                if not f.init:
                    object.__setattr__(inst, f.name, v)
            return inst
        if kind == "()":
            return tuple(obj["v"])
        if kind == "path":
            return Path(obj["v"])
        if kind == "?":
            return UNKNOWN
        if kind == "set":
            return set(obj["v"])
        if kind == "frozenset":
            return frozenset(obj["v"])
        if kind == "{}":
            return {k: v for k, v in obj["v"]}
        raise KeyError(kind)  # an unknown class: the entry is a miss


def code_fingerprint() -> str:
    """Size and modification time of the analysis code: changes with every edit or install."""
    here = Path(__file__).resolve().parent
    parts = [__version__, str(FORMAT)]
    for pattern in _CODE_FILES:
        for path in sorted(here.glob(pattern)):
            try:
                st = path.stat()
            except OSError:
                continue
            parts.append(f"{path.relative_to(here)}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=12).hexdigest()


def _digest(header: str, text: str) -> str:
    """An entry's key: a hash of what it was made from (`header` names the rest)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(header.encode("utf-8", "surrogatepass"))
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


class SourceCache:
    """Handler source facts by (language, path, content). Never raises.

    Entries are spread over 16 shard files by key, so a run that needs a few files (the
    pre-commit case in a large repository) reads a sixteenth of the cache; each entry stays a
    JSON string until it is asked for.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fingerprint = code_fingerprint()
        self._shards: dict[str, dict[str, str]] = {}  # shard → key → JSON of the facts
        self._dirty: set[str] = set()
        self._used: set[str] = set()
        self._decoder: _Decoder | None = None

    @staticmethod
    def key(language: str, path: Path, text: str) -> str:
        return _digest(f"{language}\0{path}\0", text)

    @staticmethod
    def _shard_name(key: str) -> str:
        return f"{SHARD_PREFIX}{key[0]}"

    def _shard(self, key: str) -> dict[str, str]:
        name = self._shard_name(key)
        shard = self._shards.get(name)
        if shard is None:
            shard = self._shards[name] = {}
            try:
                data = json.loads(_read_own(self.folder / f"{name}.json"))
                if (
                    isinstance(data, dict)
                    and data.get("format") == FORMAT
                    and data.get("fingerprint") == self.fingerprint
                    and isinstance(data.get("entries"), dict)
                ):
                    shard.update(
                        (k, v)
                        for k, v in data["entries"].items()
                        if isinstance(k, str) and isinstance(v, str)
                    )
            except (OSError, ValueError, UnicodeDecodeError, RecursionError):
                pass  # missing or corrupt: start empty, rebuilt on save
        return shard

    def get(self, language: str, path: Path, text: str) -> HandlerSource | None:
        key = self.key(language, path, text)
        shard = self._shard(key)
        raw = shard.get(key)
        if raw is None:
            return None
        try:
            if self._decoder is None:
                self._decoder = _Decoder()
            value = json.loads(raw, object_hook=self._decoder.hook)
        except Exception:  # noqa: BLE001 - any bad entry is a miss, never an error
            value = None
        if not isinstance(value, HandlerSource) or value.path != path:
            del shard[key]
            self._dirty.add(self._shard_name(key))
            return None
        self._used.add(key)
        return value

    def put(
        self, language: str, path: Path, text: str, source: Any, entry: str | None = None
    ) -> None:
        """Keep `source`'s facts; `entry` is `encode_entry(source)` when already made."""
        raw = entry if entry is not None else encode_entry(source)
        if raw is None:
            return
        self._put_raw(self.key(language, path, text), raw)

    def _put_raw(self, key: str, raw: str) -> None:
        shard = self._shard(key)
        if shard.get(key) != raw:
            shard[key] = raw
            self._dirty.add(self._shard_name(key))
        self._used.add(key)

    def save(self) -> None:
        """Write the shards that changed (atomically: a reader sees an old or a new file)."""
        if not self._dirty:
            return
        try:
            if os.path.islink(self.folder):
                raise OSError("the cache folder is a symbolic link")
            self.folder.mkdir(exist_ok=True)
            _mark_folder(self.folder)
            for name in sorted(self._dirty):
                entries = self._shards[name]
                if len(entries) > MAX_ENTRIES // 16:
                    entries = {k: v for k, v in entries.items() if k in self._used}
                data = {
                    "format": FORMAT,
                    "version": __version__,
                    "fingerprint": self.fingerprint,
                    "entries": entries,
                }
                text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
                if len(text) > MAX_SHARD_BYTES // 4 and len(text.encode()) > MAX_SHARD_BYTES:
                    continue  # would not be read back
                try:
                    write_text(self.folder / f"{name}.json", text, mode=0o644, streams=False)
                except OSError:
                    continue  # a folder or something unwritable has this shard's name
        except (OSError, ValueError, RecursionError):
            pass  # a read-only tree just runs uncached
        self._dirty.clear()


# The cache folder sits in the tree being checked, which may come from a stranger's pull
# request: its files are only read when they are regular files (not links to /dev/zero or
# elsewhere), and only ever written as new files (writing.py), so a planted symbolic link never
# redirects a write outside the tree.
MAX_SHARD_BYTES = 64 * 1024 * 1024


def _read_own(path: Path) -> str:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_SHARD_BYTES:
            raise OSError("not a cache file")
        return f.read(MAX_SHARD_BYTES).decode("utf-8")


def _mark_folder(folder: Path) -> None:
    """Keep the cache out of version control and backups, as other tools' caches do."""
    for name, text in (
        (".gitignore", "# created by lambdalint; safe to delete\n*\n"),
        (
            "CACHEDIR.TAG",
            (
                "Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by lambdalint.\n"
            ),
        ),
    ):
        with contextlib.suppress(FileExistsError):
            create(folder / name, text)


def open_cache(root: Path) -> SourceCache | None:
    """The cache for a run from `root` (the working directory). Nothing is read until used."""
    try:
        return SourceCache(root / DIRNAME)
    except Exception:  # noqa: BLE001 - a cache problem must never stop a run
        return None
