"""Serverless Framework loader: functions with provider defaults, variables, IAM, logs, events."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lambdalint.loaders import load_file
from lambdalint.loaders import serverless
from lambdalint.model import UNKNOWN, Function


def _load(folder: Path, text: str, name: str = "serverless.yml") -> list[Function]:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    fns, diags = load_file(path, path.read_text(encoding="utf-8"))
    assert not diags, diags
    return fns


def _written(fn: Function) -> list:  # type: ignore[type-arg]
    """The role statements written in the file (not those the framework adds)."""
    assert fn.role is not None
    return [s for s in fn.role.statements if not s.source.startswith("Serverless Framework")]


def _line(text: str, needle: str, nth: int = 1) -> int:
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    return [i + 1 for i, line in enumerate(lines) if needle in line][nth - 1]


SERVICE = """
service: orders

custom:
  tableName: orders-table
  retention: 14
  apiKey: sk_live_not_a_real_key_1234567890

provider:
  name: aws
  runtime: python3.12
  stage: ${opt:stage, 'dev'}
  timeout: 20
  logRetentionInDays: ${self:custom.retention}
  environment:
    TABLE: ${self:custom.tableName}
    API_KEY: ${self:custom.apiKey}
    DB_PASSWORD: ${ssm:/orders/db-password}
    STAGE: ${opt:stage}
    QUEUE_URL: !Ref JobsQueue
    MISSING: ${self:custom.nothing}
  iam:
    role:
      statements:
        - Effect: Allow
          Action: "*"
          Resource: "*"
        - Effect: Allow
          Action:
            - dynamodb:GetItem
          Resource: !GetAtt OrdersTable.Arn
        - Effect: Allow
          Action: s3:PutObject
          Resource: "arn:aws:s3:::${opt:bucket}/*"
      managedPolicies:
        - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess

functions:
  create:
    handler: app.create
    timeout: 40
    logRetentionInDays: 3
    environment:
      MODE: fast
    events:
      - http:
          path: orders
          method: post
      - sqs:
          arn: !GetAtt JobsQueue.Arn
      - schedule: rate(1 hour)
    url: true
    destinations:
      onFailure: !GetAtt FailureQueue.Arn
  list:
    handler: app.list_orders
    name: list-orders
    events:
      - httpApi: GET /orders
      - sqs: arn:aws:sqs:eu-west-1:123456789012:external

resources:
  Resources:
    JobsQueue:
      Type: AWS::SQS::Queue
      Properties:
        VisibilityTimeout: 60
"""


def test_provider_defaults_and_function_overrides(tmp_path: Path) -> None:
    create, listing = _load(tmp_path, SERVICE)
    assert (create.name, create.framework) == ("create", "serverless")
    assert create.loc.pos.line == _line(SERVICE, "  create:")
    assert create.runtime is not None and create.runtime.value == "python3.12"
    assert create.timeout is not None and create.timeout.value == 40
    assert create.timeout.loc.pos.line == _line(SERVICE, "timeout: 40")
    assert listing.timeout is not None and listing.timeout.value == 20
    assert listing.timeout.loc.pos.line == _line(SERVICE, "timeout: 20")
    assert listing.function_name == "list-orders"
    # `stage: ${opt:stage, 'dev'}`: a deploy without --stage is the dev stage
    assert create.function_name == "orders-dev-create"
    assert create.code is not None and create.code.kind == "dir" and create.code.path == tmp_path


def test_defaults_the_framework_deploys(tmp_path: Path) -> None:
    (fn,) = _load(
        tmp_path,
        """
    service: s
    provider:
      name: aws
      runtime: python3.12
    functions:
      f:
        handler: app.handler
    """,
    )
    assert fn.timeout is not None and fn.timeout.value == serverless.DEFAULT_TIMEOUT
    assert fn.memory is not None and fn.memory.value == serverless.DEFAULT_MEMORY
    assert fn.timeout.loc == fn.loc
    (group,) = fn.log_groups
    assert group.retention_days is None  # never expires


def test_environment_variables(tmp_path: Path) -> None:
    create, _ = _load(tmp_path, SERVICE)
    env = create.environment
    assert (env["TABLE"].kind, env["TABLE"].value) == ("literal", "orders-table")
    assert env["API_KEY"].value == "sk_live_not_a_real_key_1234567890"
    assert env["API_KEY"].loc.pos.line == _line(SERVICE, "API_KEY:")
    assert env["DB_PASSWORD"].kind == "parameter" and env["DB_PASSWORD"].value is UNKNOWN
    assert env["DB_PASSWORD"].parameter == "ssm:/orders/db-password"
    assert env["STAGE"].kind == "parameter"
    assert env["QUEUE_URL"].kind == "reference"
    assert env["MISSING"].kind == "unknown"
    assert env["MODE"].value == "fast"
    assert create.environment_complete


def test_environment_from_a_file_is_incomplete(tmp_path: Path) -> None:
    (fn,) = _load(
        tmp_path,
        """
    service: s
    provider:
      name: aws
      environment: ${file(./env.yml)}
    functions:
      f:
        handler: app.handler
    """,
    )
    assert not fn.environment_complete


def test_role_statements_and_placeholders(tmp_path: Path) -> None:
    create, _ = _load(tmp_path, SERVICE)
    role = create.role
    assert role is not None and role.known
    wildcard, table, bucket = _written(create)
    assert wildcard.actions == ["*"] and wildcard.resources == ["*"]
    assert wildcard.loc.pos.line == _line(SERVICE, "- Effect: Allow")
    assert wildcard.action_loc is not None and wildcard.action_loc.pos.line == _line(
        SERVICE, 'Action: "*"'
    )
    assert table.resources == ["${OrdersTable.Arn}"] and not table.resources_unknown
    # a bucket named on the command line could be anything
    assert bucket.resources == [] and bucket.resources_unknown
    assert [m.name for m in role.managed_policies] == [
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    ]
    assert not role.incomplete


def test_framework_permissions_of_the_generated_role(tmp_path: Path) -> None:
    create, _ = _load(tmp_path, SERVICE)
    added = [s for s in create.role.statements if s not in _written(create)]  # type: ignore[union-attr]
    actions = {a for s in added for a in s.actions}
    assert {"logs:PutLogEvents", "sqs:ReceiveMessage", "sqs:DeleteMessage"} <= actions
    assert all(r != "*" for s in added for r in s.resources)


def test_external_role_and_legacy_statements(tmp_path: Path) -> None:
    fns = _load(
        tmp_path,
        """
    service: s
    provider:
      name: aws
      iamRoleStatements:
        - Effect: Allow
          Action: ["sqs:*"]
          Resource: "*"
    functions:
      own:
        handler: app.handler
      external:
        handler: app.handler
        role: arn:aws:iam::123456789012:role/shared
    """,
    )
    own, external = fns
    assert own.role is not None and [s.actions for s in _written(own)] == [["sqs:*"]]
    assert external.role is not None and not external.role.known


def test_log_retention(tmp_path: Path) -> None:
    create, listing = _load(tmp_path, SERVICE)
    (group,) = create.log_groups
    assert group.retention_days == 3 and group.retention_loc is not None
    assert group.retention_loc.pos.line == _line(SERVICE, "logRetentionInDays: 3")
    (provider_group,) = listing.log_groups
    assert provider_group.retention_days == 14  # ${self:custom.retention}
    assert provider_group.name == "/aws/lambda/list-orders"


def test_events_url_and_destinations(tmp_path: Path) -> None:
    create, listing = _load(tmp_path, SERVICE)
    assert [e.kind for e in create.events] == ["api", "sqs", "schedule"]
    assert create.events[0].loc.pos.line == _line(SERVICE, "- http:")
    queue = create.events[1].queue
    assert queue is not None and queue.visibility_timeout == 60 and queue.visibility_loc is not None
    assert create.events[2].is_async
    assert [e.kind for e in listing.events] == ["http-api", "sqs"]
    assert (
        listing.events[1].queue is not None
        and listing.events[1].queue.visibility_timeout is UNKNOWN
    )
    assert create.url is not None and create.url.auth_type == "NONE"
    assert create.on_failure is not None and create.on_failure.value == "${FailureQueue.Arn}"


def test_non_aws_provider_is_skipped(tmp_path: Path) -> None:
    assert (
        _load(
            tmp_path,
            """
    service: gcf
    provider:
      name: google
    functions:
      f:
        handler: main
    """,
        )
        == []
    )


def test_claims_only_the_names_the_framework_loads() -> None:
    service = "service: a\nprovider:\n  name: aws\nfunctions: {}\n"
    for name in ("serverless.yml", "serverless.yaml", "serverless.json"):
        assert serverless.claims(Path(name), service)
    # copies a deploy script moves into place, and look-alikes, are not services here
    for name in (
        "serverless..yml",
        "serverless-fragment.yml",
        "resolved-serverless.yml",
        "serverless.prod.yaml",
        "api.yml",
    ):
        assert not serverless.claims(Path(name), service), name
    assert not serverless.claims(Path("template.yaml"), "Resources: {}\n")


def test_build_plugins_and_wsgi(tmp_path: Path) -> None:
    (wsgi,) = _load(
        tmp_path,
        """
    service: s
    plugins: [serverless-wsgi]
    provider: {name: aws, runtime: python3.12}
    functions:
      api: {handler: wsgi_handler.handler}
    """,
    )
    assert wsgi.code is not None and wsgi.code.built
    (ts,) = _load(
        tmp_path,
        """
    service: s
    frameworkVersion: "3"
    plugins: [serverless-plugin-typescript]
    provider: {name: aws, runtime: nodejs20.x}
    functions:
      api: {handler: src/app.main}
    """,
    )
    assert ts.code is not None and ts.code.build_method == "esbuild"


def test_bad_yaml_is_ll100(tmp_path: Path) -> None:
    path = tmp_path / "serverless.yml"
    path.write_text("service: s\nprovider: [\n", encoding="utf-8")
    fns, diags = load_file(path, path.read_text())
    assert fns == [] and [d.rule_id for d in diags] == ["LL100"]


def test_variables() -> None:
    from lambdalint.reading.positions import LMap

    data = LMap()
    data["custom"] = {"a": "x", "b": "${self:custom.a}-y", "loop": "${self:custom.loop}"}
    v = serverless.Variables(data)
    assert v.resolve("${self:custom.b}") == "x-y"
    assert v.resolve("${self:custom.missing, 'fallback'}") == "fallback"
    # a deploy input with a fallback: what a deploy that does not give it gets
    assert v.resolve("${opt:stage, 'dev'}") == "dev"
    assert v.resolve("${env:REGION, self:custom.a}") == "x"
    assert v.resolve("${opt:stage}") is UNKNOWN
    assert serverless.Variables(data, defaults=False).resolve("${opt:stage, 'dev'}") is UNKNOWN
    assert v.resolve("${self:custom.loop}") is UNKNOWN
    assert v.origin("${ssm:/a/b}") == "ssm:"


def test_default_runtime_by_framework_version() -> None:
    default = serverless.default_runtime
    unknown = serverless.NODE_UNKNOWN_VERSION
    # every version that defaults to one runtime gives it; ranges across defaults do not
    assert default("4") == default("^4.2.0") == default(">=4") == default(4) == "nodejs20.x"
    assert default("3.40.0") == default("~3.39.1") == default("2.72.4") == "nodejs16.x"
    assert default("3.38.0") == default(">=3.0.0 <3.39.0") == "nodejs14.x"
    assert default("1.30.0") == "nodejs4.3" and default("1.60.0") == "nodejs12.x"
    for spread in (None, "3", "^3.38.0", "2", ">=2.0.0", "*", "latest", "1 || 2"):
        assert default(spread) == unknown
    assert unknown.startswith("nodejs") and unknown != "nodejs"  # Node.js, no runtime name


def test_function_without_runtime_runs_on_the_framework_default(tmp_path: Path) -> None:
    text = """
    service: s
    frameworkVersion: '{version}'
    provider:
      name: aws
    functions:
      a:
        handler: a.handler
      b:
        handler: b.handler
        runtime: python3.12
      c:
        image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/c:latest
    """
    a, b, c = _load(tmp_path, text.replace("{version}", "4"))
    assert a.runtime is not None and a.runtime.value == "nodejs20.x"
    assert a.runtime.loc.pos.line == _line(text, "  a:")
    assert b.runtime is not None and b.runtime.value == "python3.12"
    assert c.runtime is None  # a container image brings its own
    a, _, _ = _load(tmp_path, text.replace("{version}", "3"))
    assert a.runtime is not None and a.runtime.value == serverless.NODE_UNKNOWN_VERSION


def test_file_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "common.yml").write_text(
        "provider:\n  runtime: python3.12\n  stage: ${opt:stage, 'qa'}\ncustom:\n  size: 512\n",
        encoding="utf-8",
    )
    (tmp_path / "limits.json").write_text('{"timeout": 29}', encoding="utf-8")
    (tmp_path / "config.js").write_text("module.exports = { t: 1 }", encoding="utf-8")
    service = tmp_path / "svc"
    service.mkdir()
    (fn,) = _load(
        service,
        """
        service: s
        custom: ${file(../common.yml):custom}
        provider:
          name: aws
          runtime: ${file(../common.yml):provider.runtime}
          stage: ${file(../common.yml):provider.stage}
          timeout: ${file(../limits.json):timeout}
          memorySize: ${self:custom.size}
        functions:
          a:
            handler: a.handler
            reservedConcurrency: ${file(../missing.yml):x, 3}
            tags:
              js: ${file(../config.js):t}
        """,
    )
    assert fn.runtime is not None and fn.runtime.value == "python3.12"
    assert fn.timeout is not None and fn.timeout.value == 29
    assert fn.memory is not None and fn.memory.value == 512
    assert fn.function_name == "s-qa-a"  # the stage: the shared file's fallback
    assert fn.reserved_concurrency is not None and fn.reserved_concurrency.value == 3
    assert fn.tags["js"] is UNKNOWN  # a JavaScript file would have to run


def test_file_variable_outside_the_tree_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "secret.yml").write_text("runtime: python3.12\n", encoding="utf-8")
    service = tmp_path / "svc"
    service.mkdir()
    monkeypatch.chdir(service)
    (fn,) = _load(
        service,
        """
        service: s
        provider:
          name: aws
          runtime: ${file(../secret.yml):runtime}
        functions:
          a:
            handler: a.handler
        """,
    )
    assert fn.runtime is not None and fn.runtime.value is UNKNOWN


def test_environment_with_a_deploy_input_fallback_is_a_deploy_input(tmp_path: Path) -> None:
    (fn,) = _load(
        tmp_path,
        """
        service: s
        provider:
          name: aws
          runtime: python3.12
          environment:
            DB_PASSWORD: ${env:DB_PASSWORD, 'changeme'}
        functions:
          a:
            handler: a.handler
        """,
    )
    env = fn.environment["DB_PASSWORD"]
    assert env.kind == "parameter" and env.value is UNKNOWN
