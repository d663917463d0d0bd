"""Node.js / TypeScript handler facts (tree-sitter): exports, env reads, SDK calls, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdalint.analysis.node import analyze
from lambdalint.analysis.facts import CALLABLE, HandlerSource, ObjectShape
from lambdalint.aws.secrets import literal_reason


def facts(code: str, name: str = "index.js") -> HandlerSource:
    return analyze(Path(name), code)


EXPORT_FORMS = [
    ("exports.handler = async (event) => ({});", "handler"),
    ("module.exports.handler = async function (event) {};", "handler"),
    ("async function handler() {}\nmodule.exports = { handler };", "handler"),
    ("module.exports = { handler: async () => {} };", "handler"),
    ("module.exports = { async handler(event) {} };", "handler"),
    ("module.exports = { 'handler': fn };", "handler"),
    ("export const handler = async (event) => {};", "handler"),
    ("export let handler = () => {};", "handler"),
    ("export function handler(event, context) {}", "handler"),
    ("export async function handler(event) {}", "handler"),
    ("export class handler {}", "handler"),
    ("const main = () => {};\nexport { main as handler };", "handler"),
    ("const handler = () => {};\nexport { handler };", "handler"),
    ("export { default as handler } from './app.mjs';", "handler"),
    ("export { handler } from './app.js';", "handler"),
    ("export * as handler from './ns.js';", "handler"),
    ("exports['handler'] = () => {};", "handler"),
    ("Object.defineProperty(exports, 'handler', { enumerable: true, get: () => h });", "handler"),
    ("const api = { handler: () => {} };\nmodule.exports = api;", "handler"),
    ("module.exports = exports = { handler() {} };", "handler"),
    ("export const { handler, other } = build();", "handler"),
    ("Object.assign(exports, { handler: () => {} });", "handler"),
]


@pytest.mark.parametrize(
    ("code", "name"), EXPORT_FORMS, ids=[c.splitlines()[-1][:40] for c, _ in EXPORT_FORMS]
)
def test_export_forms(code: str, name: str) -> None:
    src = facts(code, "index.mjs")
    assert src.parse_error is None
    assert not src.open_namespace
    assert name in src.top_level
    assert src.top_level[name].kind == "export"


def test_export_positions_and_local_names() -> None:
    src = facts("const main = async () => {};\n\nexports.handler = main;\n")
    exported = src.top_level["handler"]
    assert exported.pos.line == 3
    assert exported.target == "main"


@pytest.mark.parametrize(
    "code",
    [
        "module.exports = require('./dist/handler');",
        "export * from './handlers.js';",
        "module.exports = createHandlers();",
        "module.exports = { ...base, other: 1 };",
        "exports[name] = () => {};",
        "__exportStar(require('./x'), exports);",
        "Object.assign(module.exports, require('./more'));",
    ],
)
def test_open_namespace(code: str) -> None:
    assert facts(code).open_namespace


def test_seed_mistake_export_named_differently() -> None:
    src = facts(
        "exports.helloWorld = async (event, context) => {\n  return { statusCode: 200 };\n};\n"
    )
    assert not src.open_namespace and src.parse_error is None
    assert "main" not in src.top_level
    assert set(src.top_level) == {"helloWorld"}


def test_export_default_is_not_a_named_export() -> None:
    src = facts("export default async function (event) {}\n", "index.mjs")
    assert "handler" not in src.top_level
    assert "default" in src.top_level


def test_type_exports_are_not_values() -> None:
    src = facts(
        "export type Event = { id: string };\nexport interface Ctx { a: number }\n"
        "export const handler = async (e: Event): Promise<void> => {};\n",
        "app.ts",
    )
    assert src.parse_error is None
    assert set(src.top_level) == {"handler"}


def test_typescript_handler_with_types() -> None:
    code = (
        'import type { Handler } from "aws-lambda";\n'
        "export const lambdaHandler: Handler = async (event: unknown): Promise<{ statusCode: number }> => {\n"
        "  const table = process.env.TABLE_NAME!;\n"
        "  const region = process.env.REGION as string;\n"
        "  return { statusCode: 200 };\n"
        "};\n"
    )
    src = facts(code, "app.ts")
    assert src.parse_error is None
    assert "lambdaHandler" in src.top_level
    reads = {r.name: r for r in src.env_reads}
    assert not reads["TABLE_NAME"].has_default and reads["TABLE_NAME"].pos.line == 3
    assert not reads["REGION"].has_default


def test_env_reads_and_fallbacks() -> None:
    code = "\n".join(  # noqa: FLY002 - one numbered line each
        [
            "const a = process.env.A;",  # 1: no default
            "const b = process.env.B ?? 'x';",  # 2
            "const c = process.env['C'] || 'y';",  # 3
            "if (process.env.D) { console.log(1); }",  # 4: tested
            "const e = process.env.E === 'true';",  # 5: compared
            "const { F, G = 'g', H: h } = process.env;",  # 6
            "const env = process.env;",  # 7
            "const i = env.I;",  # 8
            "process.env.J = 'set';",  # 9: written
            "const j = process.env.J;",  # 10: set by the code
            "const k = Number(process.env.K ?? 5);",  # 11
            "const l = process.env.L ? 1 : 2;",  # 12
            "const m = `${process.env.M}`;",  # 13
            "if ('N' in process.env) { use(process.env.N); }",  # 14
        ]
    )
    src = facts(code)
    reads = {(r.name, r.pos.line): r.has_default for r in src.env_reads}
    assert reads[("A", 1)] is False
    assert reads[("B", 2)] is True
    assert reads[("C", 3)] is True
    assert reads[("D", 4)] is True
    assert reads[("E", 5)] is True
    assert reads[("F", 6)] is False
    assert reads[("G", 6)] is True
    assert reads[("H", 6)] is False
    assert reads[("I", 8)] is False
    assert ("J", 9) not in reads or reads[("J", 9)] is True
    assert reads[("J", 10)] is True
    assert reads[("K", 11)] is True
    assert reads[("L", 12)] is True
    assert reads[("M", 13)] is False
    assert reads[("N", 14)] is True


def test_sdk_v3_commands_and_clients() -> None:
    code = """import { S3Client, PutObjectCommand, ListObjectsV2Command, paginateListObjectsV2 } from "@aws-sdk/client-s3";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import * as sfn from "@aws-sdk/client-sfn";
const s3 = new S3Client({});
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = async (event) => {
  const sm = new sfn.SFNClient({});
  await s3.send(new PutObjectCommand({ Bucket: "b", Key: "k", Body: "x" }));
  await ddb.send(new PutCommand({ TableName: "t", Item: {} }));
  const cmd = new ListObjectsV2Command({ Bucket: "b" });
  await s3.send(cmd);
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: "b" })) {}
  await sm.send(new sfn.StartExecutionCommand({ stateMachineArn: "arn" }));
  await ddb.send(new QueryCommand({ TableName: "t" }));
};
"""
    src = facts(code, "index.mjs")
    calls = sorted((c.pos.line, c.actions) for c in src.sdk_calls)
    assert calls == [
        (9, ("s3:PutObject",)),
        (10, ("dynamodb:PutItem",)),
        (11, ("s3:ListBucket",)),
        (13, ("s3:ListBucket",)),
        (14, ("states:StartExecution",)),
        (15, ("dynamodb:Query",)),
    ]
    clients = sorted((c.pos.line, c.service, c.in_function) for c in src.clients)
    assert clients == [(5, "s3", None), (6, "dynamodb", None), (8, "stepfunctions", "handler")]


def test_sdk_v2_clients() -> None:
    code = """const AWS = require("aws-sdk");
const SQS = require("aws-sdk/clients/sqs");
const { SecretsManager } = require("aws-sdk");
const s3 = new AWS.S3();
const docs = new AWS.DynamoDB.DocumentClient();
const sqs = new SQS();
exports.handler = async (event) => {
  await s3.putObject({ Bucket: "b", Key: "k" }).promise();
  await docs.batchWrite({ RequestItems: {} }).promise();
  await sqs.sendMessage({ QueueUrl: "q", MessageBody: "m" }).promise();
  const sm = new SecretsManager();
  await sm.getSecretValue({ SecretId: "s" }).promise();
  const url = s3.getSignedUrl("getObject", { Bucket: "b", Key: "k" });
  await new AWS.Lambda().invoke({ FunctionName: "f" }).promise();
  s3.upload({ Bucket: "b", Key: "k", Body: "x" });
};
"""
    src = facts(code)
    calls = sorted((c.pos.line, c.method, c.actions) for c in src.sdk_calls)
    assert calls == [
        (8, "putObject", ("s3:PutObject",)),
        (9, "batchWrite", ("dynamodb:BatchWriteItem",)),
        (10, "sendMessage", ("sqs:SendMessage",)),
        (12, "getSecretValue", ("secretsmanager:GetSecretValue",)),
        (13, "getSignedUrl", ("s3:GetObject",)),
        (14, "invoke", ("lambda:InvokeFunction",)),
        (15, "upload", ("s3:PutObject",)),
    ]
    in_handler = sorted((c.pos.line, c.service) for c in src.clients if c.in_function == "handler")
    assert in_handler == [(11, "secretsmanager"), (14, "lambda")]


def test_cached_client_is_not_per_invocation() -> None:
    code = """import { S3Client } from "@aws-sdk/client-s3";
let s3;
export const handler = async () => {
  s3 ??= new S3Client({});
  const other = cached || new S3Client({});
};
"""
    src = facts(code, "index.mjs")
    assert [c.in_function for c in src.clients] == [None, None]


def test_no_sdk_import_means_no_sdk_calls() -> None:
    src = facts("const s3 = makeClient();\nexports.handler = async () => s3.putObject({});\n")
    assert src.sdk_calls == [] and src.clients == []


def test_secrets_in_source() -> None:
    code = """const API_KEY = "sk_live_51Habcdefghijklmnopqrstuv";
const dbPassword = "Xk9#mP2$vL8qR4wN";
const config = { clientSecret: "q8Zr7Kp2Lm9Xv4Tn6Bw3" };
const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db";
const tokenHeader = "Authorization";
const password = process.env.DB_PASSWORD;
"""
    src = facts(code)
    found = sorted(
        (s.pos.line, s.name)
        for s in src.secret_candidates
        if literal_reason(s.name, s.credential) is not None
    )
    assert found == [(1, "API_KEY"), (2, "dbPassword"), (3, "clientSecret")]
    assert all("q8Zr7Kp2Lm9Xv4Tn6Bw3" not in s.value_preview for s in src.secret_candidates)


def test_parse_error_position() -> None:
    src = facts("exports.handler = async (event) => {\n  return {;\n};\n")
    assert src.parse_error is not None
    message, pos = src.parse_error
    assert "JavaScript syntax error" in message
    assert pos.line == 2


def test_columns_count_characters() -> None:
    src = facts("const é = 1; const x = process.env.X;\n")
    (read,) = src.env_reads
    assert read.pos.column == "const é = 1; const x = ".__len__() + 1


def test_commonjs_and_esm_extensions() -> None:
    assert "handler" in facts("exports.handler = () => {};", "index.cjs").top_level
    assert "handler" in facts("export const handler = () => {};", "index.mjs").top_level


def test_clients_with_their_own_credentials_are_not_the_role() -> None:
    code = """import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";
const s3 = new S3Client({});
export const handler = async (event) => {
  const client = new DynamoDBClient({ credentials: event.requestContext.authorizer.credentials });
  const docs = DynamoDBDocumentClient.from(client);
  await docs.send(new GetCommand({ TableName: "t", Key: {} }));
  await s3.send(new PutObjectCommand({ Bucket: "b", Key: "k" }));
};
"""
    src = facts(code, "index.mjs")
    assert [(c.pos.line, c.actions) for c in src.sdk_calls] == [(9, ("s3:PutObject",))]
    per_invocation = {c.pos.line: c.per_invocation_config for c in src.clients}
    assert per_invocation == {4: False, 6: True}


def test_clients_configured_from_the_event_are_per_invocation() -> None:
    code = """const { ApiGatewayManagementApiClient, PostToConnectionCommand } = require("@aws-sdk/client-apigatewaymanagementapi");
exports.handler = async (event) => {
  const { domainName, stage } = event.requestContext;
  const api = new ApiGatewayManagementApiClient({ endpoint: `https://${domainName}/${stage}` });
  await api.send(new PostToConnectionCommand({ ConnectionId: "c", Data: "x" }));
};
"""
    src = facts(code)
    assert [c.per_invocation_config for c in src.clients] == [True]
    assert [c.actions for c in src.sdk_calls] == [("execute-api:ManageConnections",)]


@pytest.mark.parametrize(
    "code",
    [
        'require("dotenv").config();\nexports.handler = async () => process.env.A;',
        'import "dotenv/config";\nexport const handler = async () => process.env.A;',
        "Object.assign(process.env, loadSecrets());\nexports.handler = async () => process.env.A;",
    ],
)
def test_environment_filled_at_run_time(code: str) -> None:
    assert facts(code, "index.mjs").dynamic_env


def _shape(code: str, name: str, file: str = "index.mjs") -> object:
    src = facts(code, file)
    assert src.parse_error is None and name in src.top_level
    return src.top_level[name].shape


def test_export_default_with_a_named_function_exports_default_only() -> None:
    src = facts("export default async function handler(event) {}\n", "index.mjs")
    assert set(src.top_level) == {"default"}
    assert src.top_level["default"].shape == CALLABLE


def test_export_as_default_is_the_default_export() -> None:
    src = facts("const h = async () => 1;\nexport { h as default };\n", "index.mjs")
    assert set(src.top_level) == {"default"}
    assert src.top_level["default"].shape == CALLABLE


def test_exported_object_literals_keep_their_property_names() -> None:
    shape = _shape("exports.ns = { async run() {}, list: () => [], 'x-y': 1 };", "ns", "a.js")
    assert isinstance(shape, ObjectShape)
    assert shape.names() == ["run", "list", "x-y"]
    assert shape.get("run") == (True, CALLABLE)
    assert shape.get("nope") == (False, None)


def test_nested_objects_through_names_and_declarations() -> None:
    code = (
        "function create() {}\nconst orders = { create, list: async () => [] };\n"
        "module.exports = { api: { orders } };\n"
    )
    api = _shape(code, "api", "a.js")
    assert isinstance(api, ObjectShape)
    found, orders = api.get("orders")
    assert found and isinstance(orders, ObjectShape)
    assert orders.names() == ["create", "list"]
    assert orders.get("create") == (True, CALLABLE)


@pytest.mark.parametrize(
    "code",
    [
        "exports.ns = {};\nexports.ns.run = () => 1;",
        "const ns = { a() {} };\nns.run = () => 1;\nexports.ns = ns;",
        "const ns = {};\nObject.assign(ns, extra);\nexport { ns };",
        "exports.ns = { ...base };",
        "exports.ns = { [key]: () => 1 };",
        "exports.ns = require('./ns');",
        "let ns = { a: 1 };\nns = other;\nexports.ns = ns;",
        "exports.ns = { a: 1 };\nexports.ns = { b: 1 };",
        "export const ns = { get run() { return f; } };",
    ],
)
def test_objects_that_may_hold_more_are_not_described(code: str) -> None:
    shape = _shape(code, "ns", "a.mjs")
    if shape is not None:  # a getter: the key is there, its value is not seen
        assert isinstance(shape, ObjectShape) and shape.get("run") == (True, None)
