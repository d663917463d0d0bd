"""LL109 import-not-packaged beyond the fixtures: which distribution installs which module, the
manifests it reads, the runtimes that include the durable execution SDK, layers whose folder
lists what is installed into it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import lint

from lambdalint.analysis import manifests
from lambdalint.aws import packages
from lambdalint.checks.packaging import _provides
from lambdalint.reading import Reader


@pytest.mark.parametrize(
    ("distribution", "module"),
    [
        ("PyYAML", "yaml"),  # the table
        ("Pillow", "PIL"),
        ("requests", "requests"),
        ("python-jose", "jose"),  # affixes
        ("psycopg2-binary", "psycopg2"),
        ("google-cloud-storage", "google"),  # a namespace
        ("aurora-dsql-python-connector", "aurora_dsql_psycopg2"),  # the same leading words
        ("acme-widgets-client", "acme"),
    ],
)
def test_provides(distribution: str, module: str) -> None:
    assert _provides(distribution, module)


@pytest.mark.parametrize(
    ("distribution", "module"),
    [
        ("requests", "yaml"),
        ("PyYAML", "yml"),
        ("aws-lambda-powertools", "aws_xray_sdk"),  # a vendor's prefix is not enough
        ("python-jose", "python_dotenv"),
    ],
)
def test_does_not_provide(distribution: str, module: str) -> None:
    assert not _provides(distribution, module)


def test_stdlib_tables_differ_by_version() -> None:
    assert "tomllib" in (packages.python_stdlib("3.11") or ())
    assert "tomllib" not in (packages.python_stdlib("3.10") or ())
    assert "imp" in (packages.python_stdlib("3.11") or ())
    assert "imp" not in (packages.python_stdlib("3.12") or ())
    assert packages.python_stdlib("2.7") is None


def test_requirements_includes_comments_and_urls(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        "# pinned\nPyYAML==6.0 # config\n-r base.txt\n-e git+https://x/y.git#egg=thing\n",
        encoding="utf-8",
    )
    (tmp_path / "base.txt").write_text("requests[socks]>=2\n", encoding="utf-8")
    found = manifests.python_manifest(tmp_path, Reader(roots=(str(tmp_path.resolve()),)))
    assert found.main == {"PyYAML", "requests", "thing"}
    assert found.complete
    (tmp_path / "requirements.txt").write_text("./wheels/tool.whl\n", encoding="utf-8")
    assert not manifests.python_manifest(
        tmp_path, Reader(roots=(str(tmp_path.resolve()),))
    ).complete


def test_pyproject_and_pipfile(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.poetry.dependencies]\npython = "^3.12"\nhttpx = "*"\n'
        '[tool.poetry.group.dev.dependencies]\npytest = "*"\n',
        encoding="utf-8",
    )
    (tmp_path / "Pipfile").write_text(
        '[packages]\nstripe = "*"\n[dev-packages]\nmoto = "*"\n', encoding="utf-8"
    )
    found = manifests.python_manifest(tmp_path, Reader(roots=(str(tmp_path.resolve()),)))
    assert found.main == {"httpx", "stripe"}
    assert found.dev == {"pytest", "moto"}


def _sam(folder: Path, runtime: str, handler: str, extra: str = "") -> None:
    (folder / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n"
        f"      CodeUri: fn\n      Runtime: {runtime}\n      Handler: {handler}\n{extra}",
        encoding="utf-8",
    )


@pytest.mark.parametrize(("runtime", "fires"), [("python3.12", True), ("python3.13", False)])
def test_durable_sdk_from_python_313(tmp_path: Path, runtime: str, fires: bool) -> None:
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "requirements.txt").write_text("boto3\n", encoding="utf-8")
    (tmp_path / "fn" / "app.py").write_text(
        "import aws_durable_execution_sdk_python\n\n\ndef handler(event, context):\n"
        "    return aws_durable_execution_sdk_python\n",
        encoding="utf-8",
    )
    _sam(tmp_path, runtime, "app.handler")
    found = [f for f in lint(tmp_path, select=["LL109"]).findings]
    assert bool(found) is fires


@pytest.mark.parametrize(
    ("listed", "lock", "fires"),
    [("base64-js", "", False), ("uuid", "", False), ("uuid", "uuid", True)],
)
def test_layer_folder_manifest(tmp_path: Path, listed: str, lock: str, fires: bool) -> None:
    """A layer folder's package.json: the package it lists, or one of its dependencies
    (silent), unless a lock file names every installed package and not this one."""
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "index.js").write_text(
        'const b64 = require("base64-js");\nexports.handler = async () => b64;\n',
        encoding="utf-8",
    )
    (tmp_path / "deps" / "nodejs").mkdir(parents=True)
    (tmp_path / "deps" / "nodejs" / "package.json").write_text(
        '{"dependencies": {"%s": "1"}}' % listed, encoding="utf-8"
    )
    if lock:
        (tmp_path / "deps" / "nodejs" / "package-lock.json").write_text(
            '{"lockfileVersion": 3, "packages": {"node_modules/%s": {}}}' % lock, "utf-8"
        )
    layer = (
        "      Layers:\n        - !Ref Deps\n  Deps:\n    Type: AWS::Serverless::LayerVersion\n"
        "    Properties:\n      ContentUri: deps\n"
    )
    _sam(tmp_path, "nodejs22.x", "index.handler", layer)
    found = [f for f in lint(tmp_path, select=["LL109"]).findings]
    assert bool(found) is fires


def test_unknown_distribution_may_install_the_module(tmp_path: Path) -> None:
    """A listed distribution the table does not know, that installs none of the imported
    modules by its name, may be the one that installs the missing module: silent; without it
    the module is reported."""
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "app.py").write_text(
        "import requests\nimport pixelkit\n\n\ndef handler(event, context):\n"
        "    return requests, pixelkit\n",
        encoding="utf-8",
    )
    _sam(tmp_path, "python3.12", "app.handler")
    (tmp_path / "fn" / "requirements.txt").write_text("requests\n", encoding="utf-8")
    assert [f.message for f in lint(tmp_path, select=["LL109"]).findings]
    (tmp_path / "fn" / "requirements.txt").write_text("requests\nacme-imaging\n", "utf-8")
    assert not lint(tmp_path, select=["LL109"]).findings


def test_distribution_table_is_generated_from_the_listed_names(tmp_path: Path) -> None:
    """The shipped table holds only distributions its input list names, and the generator
    reads a wheel's metadata: top_level.txt, else the files RECORD lists."""
    import json
    import zipfile

    listed = (packages.DATA / "python_distributions.in").read_text(encoding="utf-8")
    names = {packages.normalize(n) for n in listed.splitlines() if n and not n.startswith("#")}
    table = json.loads(packages.DISTRIBUTIONS_FILE.read_text(encoding="utf-8"))["distributions"]
    assert table and {packages.normalize(n) for n in table} <= names

    wheel = tmp_path / "Acme_Thing-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("Acme_Thing-1.0.dist-info/METADATA", "Name: Acme-Thing\nVersion: 1.0\n")
        zf.writestr("Acme_Thing-1.0.dist-info/RECORD", "")
        zf.writestr("acme/__init__.py", "")
        zf.writestr("acme_helpers.py", "")
    assert packages.wheel_modules(wheel) == ("Acme-Thing", ["acme", "acme_helpers"])
    (tmp_path / "names.in").write_text("acme-thing\nmissing-one\n", encoding="utf-8")
    counts = packages.generate_distributions(
        tmp_path / "out.json", tmp_path / "names.in", [tmp_path], []
    )
    assert counts == {"listed": 2, "read": 1, "kept": 1}
    out = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert out["distributions"] == {"Acme-Thing": ["acme", "acme_helpers"]}


@pytest.mark.parametrize(
    ("layer", "silent"),
    [
        (
            "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7",
            True,
        ),
        (
            "!Sub arn:aws:lambda:${AWS::Region}:017000801446:layer:AWSLambdaPowertoolsPythonV2:32",
            True,
        ),
        ("arn:aws:lambda:eu-west-1:123456789012:layer:shared-utils:3", False),
    ],
)
def test_powertools_public_layer(tmp_path: Path, layer: str, silent: bool) -> None:
    """The Powertools layer AWS publishes provides aws_lambda_powertools: neither a finding nor
    a notice; another layer given by ARN may provide it: a notice, no finding."""
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "requirements.txt").write_text("requests\n", encoding="utf-8")
    (tmp_path / "fn" / "app.py").write_text(
        "import requests\nfrom aws_lambda_powertools import Logger\n\n\n"
        "def handler(event, context):\n    return requests, Logger\n",
        encoding="utf-8",
    )
    _sam(tmp_path, "python3.12", "app.handler", f"      Layers:\n        - {layer}\n")
    result = lint(tmp_path, select=["LL109"])
    assert not result.findings
    assert any("aws_lambda_powertools" in n for n in result.notices) is not silent


@pytest.mark.parametrize(
    ("tsconfig", "fires"),
    [
        ('{"compilerOptions": {"paths": {"@app/*": ["src/*"]}}}', True),  # another alias
        ('{"compilerOptions": {"paths": {"@libs/*": ["src/libs/*"]}}}', False),
        ('{"extends": "../tsconfig.base.json"}', False),  # cannot be read in full
        ("{ not json", False),
    ],
)
def test_typescript_path_aliases(tmp_path: Path, tsconfig: str, fires: bool) -> None:
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "package.json").write_text('{"dependencies": {}}', encoding="utf-8")
    (tmp_path / "fn" / "tsconfig.json").write_text(tsconfig, encoding="utf-8")
    (tmp_path / "fn" / "app.ts").write_text(
        'import { ok } from "@libs/http";\nexport const handler = async () => ok(1);\n',
        encoding="utf-8",
    )
    _sam(tmp_path, "nodejs22.x", "app.handler", "    Metadata:\n      BuildMethod: esbuild\n")
    assert bool(lint(tmp_path, select=["LL109"]).findings) is fires


_POETRY_LOCK = """
[[package]]
name = "requests"
version = "2.32.3"
category = "main"

[[package]]
name = "Charset_Normalizer"
version = "3.3.2"
category = "main"

[[package]]
name = "pytest"
version = "8.3.2"
category = "dev"
"""


@pytest.mark.parametrize(
    ("name", "text", "installed", "production"),
    [
        (
            "poetry.lock",
            _POETRY_LOCK,
            {"requests", "charset-normalizer", "pytest"},
            {"requests", "charset-normalizer"},
        ),
        ("uv.lock", '[[package]]\nname = "idna"\nversion = "3.7"\n', {"idna"}, None),
        (
            "Pipfile.lock",
            '{"default": {"idna": {}}, "develop": {"pytest": {}}}',
            {"idna", "pytest"},
            {"idna"},
        ),
        (
            "requirements.txt",
            "idna==3.7 \\\n    --hash=sha256:aa\ncertifi==2024.7.4 --hash=sha256:bb\n",
            {"idna", "certifi"},
            {"idna", "certifi"},
        ),
        (
            "requirements.txt",
            "# This file is autogenerated by pip-compile\nidna==3.7\n    # via requests\n",
            {"idna"},
            {"idna"},
        ),
    ],
)
def test_python_lock_files(
    tmp_path: Path, name: str, text: str, installed: set[str], production: set[str] | None
) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    lock = manifests.python_lock(tmp_path, Reader(roots=(str(tmp_path),)))
    assert lock is not None
    assert lock.installed == installed
    assert lock.production == production


@pytest.mark.parametrize(
    "text",
    [
        "requests==2.32.3\n",  # pinned by hand: its dependencies are not named
        "requests==2.32.3 --hash=sha256:aa\n-r other.txt\n",
        "requests>=2 --hash=sha256:aa\n",
    ],
)
def test_requirements_that_are_not_lock_files(tmp_path: Path, text: str) -> None:
    (tmp_path / "requirements.txt").write_text(text, encoding="utf-8")
    assert manifests.python_lock(tmp_path, Reader(roots=(str(tmp_path),))) is None


_PNPM = """lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      axios:
        specifier: ^1.7.0
packages:
  axios@1.7.2:
    resolution: {integrity: sha512-x}
  '@smithy/types@3.3.0':
    resolution: {integrity: sha512-y}
  follow-redirects@1.15.6(debug@4.3.6):
    resolution: {integrity: sha512-z}
"""
_PNPM5 = "lockfileVersion: 5.4\npackages:\n  /axios/1.7.2:\n    dev: false\n"
_YARN = """# yarn lockfile v1


axios@^1.7.0, axios@^1.7.2:
  version "1.7.2"

"@smithy/types@^3.3.0":
  version "3.3.0"
"""
_BERRY = '__metadata:\n  version: 8\n\n"axios@npm:^1.7.0":\n  version: 1.7.2\n'


@pytest.mark.parametrize(
    ("name", "text", "installed", "production"),
    [
        (
            "package-lock.json",
            '{"lockfileVersion": 3, "packages": {"": {}, "node_modules/axios": {},'
            ' "node_modules/@smithy/types": {"dev": true},'
            ' "node_modules/axios/node_modules/ms": {}}}',
            {"axios", "@smithy/types", "ms"},
            {"axios", "ms"},
        ),
        (
            "package-lock.json",
            '{"lockfileVersion": 1, "dependencies": {"axios": {"dependencies":'
            ' {"ms": {"dev": true}}}}}',
            {"axios", "ms"},
            {"axios"},
        ),
        ("yarn.lock", _YARN, {"axios", "@smithy/types"}, None),
        ("yarn.lock", _BERRY, {"axios"}, None),
        ("pnpm-lock.yaml", _PNPM, {"axios", "@smithy/types", "follow-redirects"}, None),
        ("pnpm-lock.yaml", _PNPM5, {"axios"}, None),
    ],
)
def test_node_lock_files(
    tmp_path: Path, name: str, text: str, installed: set[str], production: set[str] | None
) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    lock = manifests.node_lock(tmp_path, Reader(roots=(str(tmp_path),)))
    assert lock is not None
    assert lock.installed == installed
    assert lock.production == production


@pytest.mark.parametrize(
    ("lock", "fires"),
    [
        ("", False),  # pandas may depend on it
        ('[[package]]\nname = "pandas"\n\n[[package]]\nname = "numpy"\n', True),
        ('[[package]]\nname = "numpy"\n', False),  # stale: pandas is not in it
        # a distribution the table does not know may install it under another name
        (
            '[[package]]\nname = "pandas"\n\n[[package]]\nname = "numpy"\n\n'
            '[[package]]\nname = "acme-imaging"\n',
            False,
        ),
    ],
)
def test_python_dependency_of_a_listed_package(tmp_path: Path, lock: str, fires: bool) -> None:
    """A module no manifest lists may be a dependency of a listed distribution; only a lock
    file that names every installed package tells that it is not."""
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "app.py").write_text(
        "import numpy\nimport pandas\nimport pixelkit\n\n\ndef handler(event, context):\n"
        "    return numpy, pandas, pixelkit\n",
        encoding="utf-8",
    )
    (tmp_path / "fn" / "requirements.txt").write_text("pandas\n", encoding="utf-8")
    if lock:
        (tmp_path / "fn" / "poetry.lock").write_text(lock, encoding="utf-8")
    _sam(tmp_path, "python3.12", "app.handler")
    assert bool(lint(tmp_path, select=["LL109"]).findings) is fires


@pytest.mark.parametrize(
    ("package_json", "lock", "fires"),
    [
        ('{"dependencies": {"axios": "1"}}', "", False),
        ('{"dependencies": {"axios": "1"}}', '"node_modules/axios": {}', True),
        ('{"dependencies": {"axios": "1"}}', '"node_modules/dayjs": {}', False),  # stale
        ('{"devDependencies": {"dayjs": "1"}}', "", True),  # nothing installed for production
        ('{"dependencies": {"axios": "1"}, "devDependencies": {"dayjs": "1"}}', "", False),
        (
            '{"dependencies": {"axios": "1"}, "devDependencies": {"dayjs": "1"}}',
            '"node_modules/axios": {}, "node_modules/dayjs": {"dev": true}',
            True,
        ),
    ],
)
def test_node_dependency_of_a_listed_package(
    tmp_path: Path, package_json: str, lock: str, fires: bool
) -> None:
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "index.js").write_text(
        'const dayjs = require("dayjs");\nexports.handler = async () => dayjs();\n',
        encoding="utf-8",
    )
    (tmp_path / "fn" / "package.json").write_text(package_json, encoding="utf-8")
    if lock:
        (tmp_path / "fn" / "package-lock.json").write_text(
            '{"lockfileVersion": 3, "packages": {%s}}' % lock, encoding="utf-8"
        )
    _sam(tmp_path, "nodejs22.x", "index.handler")
    assert bool(lint(tmp_path, select=["LL109"]).findings) is fires


@pytest.mark.parametrize(
    ("package_json", "lock", "fires"),
    [
        ('{"dependencies": {"uuid": "1"}}', "", True),  # the runtime no longer provides it
        ('{"dependencies": {"uuid": "1"}}', '"node_modules/uuid": {}', True),
        (
            '{"dependencies": {"uuid": "1"}}',
            '"node_modules/uuid": {}, "node_modules/aws-sdk": {}',
            False,
        ),
        ('{"devDependencies": {"aws-sdk": "2"}}', "", True),
        ('{"dependencies": {"uuid": "1"}, "devDependencies": {"aws-sdk": "2"}}', "", False),
    ],
)
def test_node_sdk_v2(tmp_path: Path, package_json: str, lock: str, fires: bool) -> None:
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "index.js").write_text(
        'const AWS = require("aws-sdk");\nexports.handler = async () => new AWS.S3();\n',
        encoding="utf-8",
    )
    (tmp_path / "fn" / "package.json").write_text(package_json, encoding="utf-8")
    if lock:
        (tmp_path / "fn" / "package-lock.json").write_text(
            '{"lockfileVersion": 3, "packages": {%s}}' % lock, encoding="utf-8"
        )
    _sam(tmp_path, "nodejs22.x", "index.handler")
    assert bool(lint(tmp_path, select=["LL109"]).findings) is fires
