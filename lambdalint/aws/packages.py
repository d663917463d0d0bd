"""What a Lambda runtime can import without the function shipping it, and which package ships
which module: the tables LL109 (import-not-packaged) judges imports with.

- `data/python_stdlib.json`: the standard library's top-level modules for each Python minor
  version Lambda runs, generated from each interpreter's `sys.stdlib_module_names` (3.10 and
  later) or from its standard library folders (older ones); a version no interpreter was at
  hand for is read from CPython's `Python/stdlib_module_names.h`. Regenerate with
  `python -m lambdalint.aws.packages stdlib OUT [python3.X ...] [--header VERSION=FILE]`.
- `data/python_distributions.json`: distribution names (as `pip` installs them) whose
  top-level modules are not their own name (`PyYAML` → `yaml`), read from the metadata
  (`top_level.txt`, else `RECORD`) of the distributions `data/python_distributions.in` names:
  `python -m lambdalint.aws.packages distributions OUT data/python_distributions.in
  --wheels=DIR ... --site=SITE_PACKAGES ...` reads their wheels in local folders (a wheel
  index, or what `pip download --no-deps -d DIR` fetched) and installed copies, and writes
  the table from scratch. A distribution the table does not know is matched by its name.
- the modules each runtime provides (the SDKs and their dependencies) and Node's built-in
  modules, below, with the AWS pages that say so.

Nothing here is imported or run from a project: the tables are data.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Final

DATA = Path(__file__).parent / "data"
STDLIB_FILE = DATA / "python_stdlib.json"
DISTRIBUTIONS_FILE = DATA / "python_distributions.json"

# What the Python runtimes put on sys.path besides the standard library: the AWS SDK for Python
# and its dependencies in /var/runtime, the runtime interface client, and the packaging tools
# of the interpreter's site-packages.
# https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html#python-sdk-included
# The modules a distribution and everything it depends on may install, over its versions and
# with its extras, for the few distributions whose dependencies are known here (the AWS SDK for
# Python: older botocore releases required docutils; requests). Any other distribution may
# bring any module.
# https://pypi.org/project/boto3/ https://pypi.org/project/botocore/
# https://pypi.org/project/urllib3/
# urllib3 with its extras (brotli, zstd, socks, h2, secure)
_URLLIB3_CLOSURE = frozenset(
    {
        "urllib3",
        "brotli",
        "_brotli",
        "brotlicffi",
        "zstandard",
        "socks",
        "sockshandler",
        "h2",
        "hpack",
        "hyperframe",
        "OpenSSL",
        "cryptography",
        "_cffi_backend",
        "cffi",
        "pycparser",
        "idna",
        "certifi",
    }
)
_SDK_CLOSURE = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "docutils", "awscrt"}
    | _URLLIB3_CLOSURE
)
PYTHON_DEPENDENCY_MODULES: Final[dict[str, frozenset[str]]] = {
    "boto3": _SDK_CLOSURE,
    "botocore": _SDK_CLOSURE - {"boto3", "s3transfer"},
    "s3transfer": _SDK_CLOSURE - {"boto3"},
    "jmespath": frozenset({"jmespath"}),
    "six": frozenset({"six"}),
    "urllib3": _URLLIB3_CLOSURE,
    "python-dateutil": frozenset({"dateutil", "six"}),
    # https://pypi.org/project/requests/ (with its extras socks and use_chardet_on_py3)
    "requests": _URLLIB3_CLOSURE | {"requests", "charset_normalizer", "chardet"},
    "certifi": frozenset({"certifi"}),
    "idna": frozenset({"idna"}),
    "charset-normalizer": frozenset({"charset_normalizer"}),
    "chardet": frozenset({"chardet"}),
}


def may_bring(distribution: str, module: str) -> bool:
    """Whether installing the distribution may put `module` in place, as one of its
    dependencies (or theirs): True unless the distribution's dependencies are known."""
    known = PYTHON_DEPENDENCY_MODULES.get(normalize(distribution))
    return known is None or module in known


PYTHON_RUNTIME_MODULES: Final = frozenset(
    {
        "boto3",
        "botocore",
        "s3transfer",
        "jmespath",
        "dateutil",
        "six",
        "urllib3",
        "awslambdaric",
        "pip",
        "setuptools",
        "pkg_resources",
        "_distutils_hack",
    }
)

# Node.js built-in modules (`fs`, `node:fs`, `fs/promises` ...)
# https://nodejs.org/api/modules.html#built-in-modules
NODE_BUILTINS: Final = frozenset(
    {
        "assert",
        "async_hooks",
        "buffer",
        "child_process",
        "cluster",
        "console",
        "constants",
        "crypto",
        "dgram",
        "diagnostics_channel",
        "dns",
        "domain",
        "events",
        "fs",
        "http",
        "http2",
        "https",
        "inspector",
        "module",
        "net",
        "os",
        "path",
        "perf_hooks",
        "process",
        "punycode",
        "querystring",
        "readline",
        "repl",
        "stream",
        "string_decoder",
        "sys",
        "timers",
        "tls",
        "trace_events",
        "tty",
        "url",
        "util",
        "v8",
        "vm",
        "wasi",
        "worker_threads",
        "zlib",
    }
)
# Node.js 18 and later runtimes include the AWS SDK for JavaScript v3 (every `@aws-sdk/*`
# package) in /var/runtime/node_modules, which is on NODE_PATH, with its dependencies; the
# ones code imports directly are listed so that importing them is not reported.
# https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html#nodejs-sdk-included
NODE_SDK_V3_SCOPES: Final = ("@aws-sdk/", "@smithy/", "@aws-crypto/")
NODE_SDK_V3_DEPENDENCIES: Final = frozenset({"tslib", "uuid", "fast-xml-parser", "bowser"})
# Node.js 16 and earlier included the AWS SDK for JavaScript v2 instead
NODE_SDK_V2: Final = "aws-sdk"
NODE_SDK_V2_DEPENDENCIES: Final = frozenset(
    {"uuid", "xml2js", "sax", "jmespath", "buffer", "events", "ieee754", "querystring", "url"}
)
NODE_SDK_V3_FROM_MAJOR: Final = 18

# Public layers that AWS publishes, by layer name: what they put on the import path.
# Powertools for AWS Lambda: https://docs.powertools.aws.dev/lambda/python/latest/#lambda-layer
# and https://docs.powertools.aws.dev/lambda/typescript/latest/#lambda-layer
PUBLIC_LAYERS: Final = (
    (re.compile(r":layer:AWSLambdaPowertoolsPython(V\d)?(-|:|$)"), "aws_lambda_powertools"),
    (re.compile(r":layer:AWSLambdaPowertoolsTypeScript(V\d)?(-|:|$)"), "@aws-lambda-powertools/"),
)


def public_layer_provides(ref: object, name: str) -> bool:
    """Whether a layer given by ARN is a public layer known to provide `name` (a Python
    module, or a Node package: `@aws-lambda-powertools/logger`)."""
    if not isinstance(ref, str):
        return False
    return any(
        pattern.search(ref)
        and (name == provided or (name.startswith(provided) and provided.endswith("/")))
        for pattern, provided in PUBLIC_LAYERS
    )


# The Python and Node.js runtimes that run durable functions include the durable execution SDK
# (python3.13 and later, nodejs22.x and later), which AWS recommends packaging all the same.
# https://docs.aws.amazon.com/lambda/latest/dg/durable-supported-runtimes.html
PYTHON_DURABLE_SDK: Final = "aws_durable_execution_sdk_python"
PYTHON_DURABLE_FROM: Final = (3, 13)
NODE_DURABLE_SDK: Final = "@aws/durable-execution-sdk-js"
NODE_DURABLE_FROM_MAJOR: Final = 22


@cache
def _stdlib() -> dict[str, frozenset[str]]:
    data = json.loads(STDLIB_FILE.read_text(encoding="utf-8"))
    return {version: frozenset(names) for version, names in data["versions"].items()}


def python_versions() -> list[str]:
    return sorted(_stdlib(), key=lambda v: tuple(int(p) for p in v.split(".")))


def python_stdlib(version: str) -> frozenset[str] | None:
    """The standard library's top-level modules of Python `version` ("3.12"), None when the
    table has no such version."""
    return _stdlib().get(version)


def in_any_stdlib(module: str) -> bool:
    return any(module in names for names in _stdlib().values())


@cache
def _distributions() -> dict[str, tuple[str, ...]]:
    data = json.loads(DISTRIBUTIONS_FILE.read_text(encoding="utf-8"))
    return {normalize(name): tuple(mods) for name, mods in data["distributions"].items()}


def normalize(distribution: str) -> str:
    """A distribution name as pip compares them (PEP 503): lower case, runs of `-`, `_`, `.`
    as one `-`."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def distribution_modules(distribution: str) -> tuple[str, ...] | None:
    """The top-level modules a distribution installs, when the table knows them."""
    return _distributions().get(normalize(distribution))


# ---------------------------------------------------------------- regeneration


_PROBE = """
import json, sys
names = getattr(sys, "stdlib_module_names", None)
if names is None:
    import os, pkgutil, sysconfig
    paths = {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]}
    dynload = os.path.join(sysconfig.get_paths()["stdlib"], "lib-dynload")
    names = set(sys.builtin_module_names)
    for info in pkgutil.iter_modules(sorted(paths) + [dynload]):
        names.add(info.name.split(".")[0])
    names.discard("site-packages")
    names.discard("__pycache__")
print(json.dumps({"version": "%d.%d" % sys.version_info[:2], "names": sorted(names)}))
"""


def stdlib_of_interpreter(python: str) -> tuple[str, list[str]]:  # pragma: no cover - by hand
    """(version, modules) of an interpreter, by running it on the probe above."""
    out = subprocess.run([python, "-c", _PROBE], check=True, capture_output=True, text=True)
    found = json.loads(out.stdout)
    return found["version"], found["names"]


def stdlib_of_header(path: Path) -> list[str]:  # pragma: no cover - by hand
    """The modules listed in CPython's `Python/stdlib_module_names.h`."""
    return sorted(set(re.findall(r'^"([A-Za-z0-9_]+)",$', path.read_text(), re.MULTILINE)))


def generate_stdlib(
    out: Path, interpreters: list[str], headers: dict[str, Path], extra: dict[str, list[str]]
) -> dict[str, int]:
    versions: dict[str, list[str]] = {}
    sources: dict[str, str] = {}
    for python in interpreters:
        version, names = stdlib_of_interpreter(python)
        versions[version] = names
        modern = tuple(int(p) for p in version.split(".")) >= (3, 10)
        how = (
            "sys.stdlib_module_names"
            if modern
            else "its standard library folders and built-in modules"
        )
        sources[version] = f"CPython {version}: {how}"
    for version, header in headers.items():
        versions[version] = sorted(set(stdlib_of_header(header)) | set(extra.get(version, ())))
        sources[version] = f"CPython Python/stdlib_module_names.h ({header.name})" + (
            f" and What's New: {', '.join(extra[version])}" if extra.get(version) else ""
        )

    def order(item: tuple[str, object]) -> tuple[int, ...]:
        return tuple(int(p) for p in item[0].split("."))

    data = {
        "sources": dict(sorted(sources.items(), key=order)),
        "versions": dict(sorted(versions.items(), key=order)),
    }
    out.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    return {v: len(n) for v, n in versions.items()}


def _record_modules(names: list[str]) -> list[str]:
    """Top-level modules from the file names a distribution installs (its RECORD)."""
    tops = set()
    for name in names:
        first = name.split("/", 1)[0]
        if "/" not in name and not name.endswith((".py", ".so", ".pyd")):
            continue
        if first.endswith((".dist-info", ".data", ".pth")) or first in ("__pycache__", "..", "bin"):
            continue
        tops.add(first.split(".", 1)[0] if "/" not in name else first)
    return sorted(tops)


def wheel_modules(wheel: Path) -> tuple[str, list[str]] | None:
    """(distribution name, top-level modules) of a wheel, read from its `.dist-info`
    (`top_level.txt`, else the files RECORD lists); nothing in it is run."""
    import zipfile

    with zipfile.ZipFile(wheel) as zf:
        infos = [n for n in zf.namelist() if n.count("/") == 1 and ".dist-info/" in n]
        metadata = next((n for n in infos if n.endswith("/METADATA")), None)
        if metadata is None:
            return None
        text = zf.read(metadata).decode("utf-8", "replace")
        found = re.search(r"^Name:\s*(\S+)", text, re.MULTILINE)
        if found is None:
            return None
        top = next((n for n in infos if n.endswith("/top_level.txt")), None)
        if top is not None:
            lines = zf.read(top).decode("utf-8", "replace").splitlines()
            modules = sorted({m.strip().split("/", 1)[0] for m in lines if m.strip()})
        else:
            modules = _record_modules(zf.namelist())
    return found.group(1), modules


def installed_modules(site: Path) -> dict[str, list[str]]:  # pragma: no cover - by hand
    """Distribution name → top-level modules of the distributions installed in `site`."""
    from importlib import metadata

    out: dict[str, list[str]] = {}
    for dist in metadata.distributions(path=[str(site)]):
        name = dist.metadata["Name"]
        if not name:
            continue
        text = dist.read_text("top_level.txt")
        if text:
            out[name] = sorted({m.strip().split("/", 1)[0] for m in text.splitlines() if m.strip()})
        else:
            out[name] = _record_modules([str(f) for f in dist.files or ()])
    return out


def generate_distributions(
    out: Path, names_file: Path, wheel_dirs: list[Path], sites: list[Path]
) -> dict[str, int]:
    """The table, from scratch: for each distribution `names_file` names, its top-level
    modules as its newest wheel in `wheel_dirs` (a local wheel folder or index) or its copy
    installed in one of `sites` says; kept when they are not just the distribution's own
    name. Names found nowhere are counted, not guessed."""
    wanted = {
        normalize(line.split("#", 1)[0].strip()): line.split("#", 1)[0].strip()
        for line in names_file.read_text(encoding="utf-8").splitlines()
        if line.split("#", 1)[0].strip()
    }
    found: dict[str, tuple[str, list[str]]] = {}
    for site in sites:
        for name, modules in installed_modules(site).items():
            if normalize(name) in wanted and modules:
                found.setdefault(normalize(name), (name, modules))
    wheels: dict[str, list[Path]] = {}
    for folder in wheel_dirs:
        for wheel in folder.rglob("*.whl"):
            key = normalize(wheel.name.split("-", 1)[0])
            if key in wanted:
                wheels.setdefault(key, []).append(wheel)
    for key, paths in wheels.items():
        for wheel in sorted(paths, key=lambda p: p.name, reverse=True):
            read = wheel_modules(wheel)
            if read is not None and read[1]:
                found[key] = read  # a wheel's own metadata over an installed copy
                break
    table = {}
    for key, (name, modules) in sorted(found.items()):
        importable = [m for m in modules if m.isidentifier()]  # not `scipy.libs`, `x-stubs`
        if importable and importable != [key.replace("-", "_")]:
            table[name] = importable
    data = {
        "source": (
            "generated by `python -m lambdalint.aws.packages distributions` from each listed "
            "distribution's wheel metadata (top_level.txt, else RECORD) or installed copy; "
            "only distributions whose modules are not their own name"
        ),
        "distributions": table,
    }
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return {"listed": len(wanted), "read": len(found), "kept": len(table)}


def main(argv: list[str]) -> int:  # pragma: no cover - run by hand
    if argv[:1] == ["stdlib"] and len(argv) >= 2:
        headers: dict[str, Path] = {}
        extra: dict[str, list[str]] = {}
        interpreters = []
        for arg in argv[2:]:
            if arg.startswith("--header="):
                version, _, file = arg[len("--header=") :].partition("=")
                headers[version] = Path(file)
            elif arg.startswith("--add="):
                version, _, names = arg[len("--add=") :].partition("=")
                extra[version] = names.split(",")
            else:
                interpreters.append(arg)
        print(generate_stdlib(Path(argv[1]), interpreters, headers, extra))
        return 0
    if argv[:1] == ["distributions"] and len(argv) >= 3:
        wheel_dirs = [Path(a[len("--wheels=") :]) for a in argv[3:] if a.startswith("--wheels=")]
        sites = [Path(a[len("--site=") :]) for a in argv[3:] if a.startswith("--site=")]
        print(generate_distributions(Path(argv[1]), Path(argv[2]), wheel_dirs, sites))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
