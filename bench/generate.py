"""Generate a seeded synthetic Lambda monorepo for the lambdalint benchmark.

    python bench/generate.py OUT --stacks 200 [--seed 7] [--mix mixed|sam-python]

writes `OUT/tree/stacks/sNNNN-<service>/` (SAM YAML, CloudFormation JSON in the CDK asset
layout, or Terraform JSON, each with ~4 Python or Node handlers) and `OUT/manifest.json`:
the planted mistakes as `{rule, file, line, format, language}` (file relative to `OUT/tree`).
Everything else in the tree is meant to be clean for every rule in the spec, so a finding
that is not planted is a false positive (or a generator bug).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import string
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

WORDS = (
    "orders billing invoices payments users accounts carts catalog inventory shipping "
    "notifications emails reports audit search media thumbnails uploads exports imports "
    "sessions profiles ratings reviews coupons loyalty pricing quotes tickets support "
    "metrics alerts webhooks ledger refunds subscriptions devices telemetry geo routing"
).split()
VERBS = "create get list update delete process sync export import notify resize validate".split()
FORMATS = ("sam", "cfn", "tf")
FN_KINDS = ("api", "api", "worker", "task", "api")  # per stack: 3-5 functions in this order


@dataclass(frozen=True)
class Call:
    """An AWS SDK call a generated handler makes, and the IAM action that allows it."""

    service: str  # boto3 client name
    method: str
    args: str
    action: str
    resource: str  # table | queue | bucket
    node_client: str
    node_command: str


CALLS = (
    Call("dynamodb", "put_item", 'TableName=TABLE_NAME, Item={"pk": {"S": item_id}}', "dynamodb:PutItem", "table", "DynamoDBClient", "PutItemCommand"),
    Call("dynamodb", "get_item", 'TableName=TABLE_NAME, Key={"pk": {"S": item_id}}', "dynamodb:GetItem", "table", "DynamoDBClient", "GetItemCommand"),
    Call("dynamodb", "query", 'TableName=TABLE_NAME, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": item_id}}', "dynamodb:Query", "table", "DynamoDBClient", "QueryCommand"),
    Call("sqs", "send_message", "QueueUrl=QUEUE_URL, MessageBody=json.dumps({\"id\": item_id})", "sqs:SendMessage", "queue", "SQSClient", "SendMessageCommand"),
    Call("s3", "put_object", 'Bucket=BUCKET_NAME, Key=f"items/{item_id}.json", Body=json.dumps(body)', "s3:PutObject", "bucket", "S3Client", "PutObjectCommand"),
    Call("s3", "get_object", 'Bucket=BUCKET_NAME, Key=f"items/{item_id}.json"', "s3:GetObject", "bucket", "S3Client", "GetObjectCommand"),
)
ENV_OF = {"table": "TABLE_NAME", "queue": "QUEUE_URL", "bucket": "BUCKET_NAME"}
NODE_PKG = {"dynamodb": "client-dynamodb", "sqs": "client-sqs", "s3": "client-s3"}


@dataclass(frozen=True)
class PlantKind:
    """A mistake the generator can plant, and where it fits."""

    rule: str
    formats: tuple[str, ...] = FORMATS
    languages: tuple[str, ...] = ("python", "node")
    kinds: tuple[str, ...] = ("api", "worker", "task")


PLANT_KINDS = (
    PlantKind("LL101", languages=("python",)),  # handler file missing
    PlantKind("LL102", languages=("python",)),  # handler function missing
    PlantKind("LL103"),  # handler malformed
    PlantKind("LL104", languages=("python",)),  # handler takes one parameter
    PlantKind("LL105", languages=("python",)),  # async def handler
    PlantKind("LL100", languages=("python",)),  # Python syntax error
    PlantKind("LL108", formats=("sam", "cfn")),  # duplicate key
    PlantKind("LL106", languages=("python",)),  # os.environ["X"] not set on the function
    PlantKind("LL107", languages=("python",)),  # boto3 client created in the handler
    PlantKind("LL201"),  # Action: "s3:*"
    PlantKind("LL301"),  # no log group
    PlantKind("LL401"),  # AWS access key id in an environment variable
    PlantKind("LL501", kinds=("task",)),  # Timeout 1200
    PlantKind("LL502", formats=("sam",), kinds=("api",)),  # API function, Timeout 60
    PlantKind("LL505"),  # MemorySize 64
    PlantKind("LL506", languages=("python",)),  # python3.7
)
KIND_BY_RULE = {k.rule: k for k in PLANT_KINDS}


@dataclass
class Plant:
    rule: str
    file: str
    line: int
    format: str
    language: str
    function: str


@dataclass
class FnSpec:
    logical: str  # CreateOrdersFunction
    slug: str  # create_orders
    kind: str  # api | worker | task
    language: str
    calls: list[Call]
    plant: str | None = None
    helpers: int = 3
    lines: dict[str, int] = field(default_factory=dict)  # marks in the handler source


@dataclass
class Manifest:
    seed: int
    stacks: int
    mix: str
    functions: int = 0
    python_handlers: int = 0
    node_handlers: int = 0
    templates: dict[str, int] = field(default_factory=dict)
    plants: list[Plant] = field(default_factory=list)


class Lines:
    """Text built line by line, so a planted mistake knows its line number."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, text: str = "", indent: int = 0) -> int:
        self.lines.append(" " * indent + text if text else "")
        return len(self.lines)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


class PlantScheduler:
    """Every kind once as early as it fits, then one more mistake every 25 functions."""

    def __init__(self) -> None:
        self.pending: deque[PlantKind] = deque(PLANT_KINDS)
        self.count = 0
        self.cycle = 0

    def next_for(self, fmt: str, language: str, kind: str) -> str | None:
        self.count += 1
        if self.count % 25 == 0:
            self.pending.append(PLANT_KINDS[self.cycle % len(PLANT_KINDS)])
            self.cycle += 1
        for i, pk in enumerate(self.pending):
            if fmt in pk.formats and language in pk.languages and kind in pk.kinds:
                del self.pending[i]
                return pk.rule
        return None


# ------------------------------------------------------------------ handler sources

HELPERS = (
    '''def _normalise_{w}(value, default=None):
    """Return a cleaned {w} value."""
    if value is None:
        return default
    if isinstance(value, str):
        value = value.strip()
    return value or default
''',
    '''def _chunks_{w}(items, size={n}):
    """Split {w} records into batches of at most {n}."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
''',
    '''class {W}Error(Exception):
    """Raised when a {w} record cannot be processed."""

    def __init__(self, message, code={n}):
        super().__init__(message)
        self.code = code
''',
    '''def _retry_{w}(func, attempts={n}):
    """Call func, retrying transient {w} failures."""
    last = None
    for attempt in range(attempts):
        try:
            return func()
        except Exception as exc:  # noqa: BLE001
            last = exc
            time.sleep(0.05 * (2 ** attempt))
    raise last
''',
    '''def _summary_{w}(records):
    """Counts per status for a batch of {w} records."""
    counts = {{}}
    for record in records:
        status = record.get("status", "unknown")
        counts[status] = counts.get(status, 0) + 1
    return dict(sorted(counts.items()))
''',
)


def python_source(rng: random.Random, spec: FnSpec, service: str) -> str:
    out = Lines()
    out.add(f'"""{service.title()}: {spec.slug.replace("_", " ")} (generated for the lambdalint benchmark)."""')
    out.add()
    out.add("from __future__ import annotations")
    out.add()
    for mod in ("json", "logging", "os", "time"):
        out.add(f"import {mod}")
    out.add()
    out.add("import boto3")
    out.add()
    out.add("logger = logging.getLogger(__name__)")
    out.add('logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))')
    out.add()
    for env in sorted({ENV_OF[c.resource] for c in spec.calls}):
        out.add(f'{env} = os.environ["{env}"]')
    if spec.plant == "LL106":
        spec.lines["LL106"] = out.add('FEATURE_FLAGS = os.environ["FEATURE_FLAGS"]')
    for service_name in sorted({c.service for c in spec.calls}):
        if spec.plant == "LL107" and service_name == spec.calls[0].service:
            continue  # created inside the handler instead
        out.add(f'{service_name} = boto3.client("{service_name}")')
    out.add()
    for i in range(spec.helpers):
        out.add()
        word = rng.choice(WORDS)
        body = HELPERS[(i + len(spec.slug)) % len(HELPERS)].format(
            w=word, W=word.title(), n=rng.randint(2, 50)
        )
        for line in body.rstrip("\n").split("\n"):
            out.add(line)
    out.add()
    out.add()
    out.add("def _parse_body(record):")
    out.add("body = record.get(\"body\") or \"{}\"", 4)
    out.add("try:", 4)
    out.add("return json.loads(body) if isinstance(body, str) else body", 8)
    out.add("except ValueError:", 4)
    out.add('logger.warning("ignoring a malformed body")', 8)
    out.add("return {}", 8)
    out.add()
    out.add()
    name = "process" if spec.plant == "LL102" else "handler"
    params = "event" if spec.plant == "LL104" else "event, context"
    prefix = "async def" if spec.plant == "LL105" else "def"
    colon = "" if spec.plant == "LL100" else ":"
    spec.lines["def"] = out.add(f"{prefix} {name}({params}){colon}")
    out.add("started = time.time()", 4)
    if spec.plant == "LL107":
        svc = spec.calls[0].service
        spec.lines["LL107"] = out.add(f'{svc} = boto3.client("{svc}")', 4)
    out.add('records = event.get("Records") or [event]', 4)
    out.add("results = []", 4)
    out.add("for record in records:", 4)
    out.add("body = _parse_body(record)", 8)
    request_id = "context.aws_request_id" if spec.plant != "LL104" else '"local"'
    out.add(f'item_id = str(body.get("id") or {request_id})', 8)
    for call in spec.calls:
        out.add(f"{call.service}.{call.method}({call.args})", 8)
    out.add("results.append(item_id)", 8)
    if spec.plant == "LL106":
        out.add('if "verbose" in FEATURE_FLAGS:', 4)
        out.add('logger.info("feature flags: %s", FEATURE_FLAGS)', 8)
    out.add('logger.info("processed %d records in %.3fs", len(results), time.time() - started)', 4)
    out.add('return {"statusCode": 200, "body": json.dumps({"ids": results})}', 4)
    return out.text()


def node_source(rng: random.Random, spec: FnSpec, service: str) -> str:
    out = Lines()
    out.add(f"// {service}: {spec.slug.replace('_', ' ')} (generated for the lambdalint benchmark)")
    by_service: dict[str, list[Call]] = {}
    for call in spec.calls:
        by_service.setdefault(call.service, []).append(call)
    for svc, calls in sorted(by_service.items()):
        names = sorted({calls[0].node_client} | {c.node_command for c in calls})
        out.add(f'import {{ {", ".join(names)} }} from "@aws-sdk/{NODE_PKG[svc]}";')
    out.add()
    for svc, calls in sorted(by_service.items()):
        out.add(f"const {svc} = new {calls[0].node_client}({{}});")
    for env in sorted({ENV_OF[c.resource] for c in spec.calls}):
        out.add(f"const {env} = process.env.{env};")
    out.add('const LOG_LEVEL = process.env.LOG_LEVEL ?? "INFO";')
    out.add()
    for i in range(spec.helpers):
        word = rng.choice(WORDS).title()
        out.add(f"function normalise{word}{i}(value, fallback = null) {{")
        out.add("if (value === undefined || value === null) return fallback;", 2)
        out.add('return typeof value === "string" ? value.trim() || fallback : value;', 2)
        out.add("}")
        out.add()
    out.add("function parseBody(record) {")
    out.add("try {", 2)
    out.add('return typeof record.body === "string" ? JSON.parse(record.body) : record.body ?? {};', 4)
    out.add("} catch {", 2)
    out.add("return {};", 4)
    out.add("}", 2)
    out.add("}")
    out.add()
    spec.lines["def"] = out.add("export const handler = async (event, context) => {")
    out.add("const records = event.Records ?? [event];", 2)
    out.add("const ids = [];", 2)
    out.add("for (const record of records) {", 2)
    out.add("const body = parseBody(record);", 4)
    out.add("const id = String(body.id ?? context.awsRequestId);", 4)
    for call in spec.calls:
        arg = {"table": "TableName: TABLE_NAME, Item: { pk: { S: id } }", "queue": "QueueUrl: QUEUE_URL, MessageBody: JSON.stringify({ id })", "bucket": "Bucket: BUCKET_NAME, Key: `items/${id}.json`"}[call.resource]
        out.add(f"await {call.service}.send(new {call.node_command}({{ {arg} }}));", 4)
    out.add("ids.push(id);", 4)
    out.add("}", 2)
    out.add('if (LOG_LEVEL === "DEBUG") console.log(JSON.stringify({ ids }));', 2)
    out.add("return { statusCode: 200, body: JSON.stringify({ ids }) };", 2)
    out.add("};")
    return out.text()


def write_handler(rng: random.Random, folder: Path, spec: FnSpec, service: str) -> tuple[str, str]:
    """Write the handler file; returns (handler string, file name written)."""
    folder.mkdir(parents=True, exist_ok=True)
    if spec.language == "python":
        module = "app"
        text = python_source(rng, spec, service)
        # LL101: the file is there, but under another name than the handler says
        fname = "main.py" if spec.plant == "LL101" else f"{module}.py"
        (folder / "requirements.txt").write_text("boto3\n", encoding="utf-8")
    else:
        module = "index"
        text = node_source(rng, spec, service)
        fname = f"{module}.mjs"
    (folder / fname).write_text(text, encoding="utf-8")
    handler = module if spec.plant == "LL103" else f"{module}.handler"
    return handler, fname


def fake_access_key(rng: random.Random) -> str:
    return "AKIA" + "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))


def runtime_for(spec: FnSpec) -> str:
    if spec.plant == "LL506":
        return "python3.7"
    return "python3.12" if spec.language == "python" else "nodejs22.x"


def timeout_for(spec: FnSpec) -> int:
    if spec.plant == "LL501":
        return 1200
    if spec.plant == "LL502":
        return 60
    return {"api": 15, "worker": 20, "task": 120}[spec.kind]


def memory_for(spec: FnSpec) -> int:
    return 64 if spec.plant == "LL505" else 256


def statements(spec: FnSpec) -> list[tuple[str, list[str]]]:
    """(resource kind, actions) the function's role needs, one statement per resource; the
    LL201 mistake is a statement of its own (`s3:*` on the bucket)."""
    by_res: dict[str, list[str]] = {}
    for call in spec.calls:
        by_res.setdefault(call.resource, [])
        if call.action not in by_res[call.resource]:
            by_res[call.resource].append(call.action)
    out = sorted(by_res.items(), key=lambda kv: kv[0])
    if spec.plant == "LL201":
        out.append(("bucket", ["s3:*"]))
    return out


# ------------------------------------------------------------------ SAM (YAML)

def sam_stack(rng: random.Random, root: Path, rel: str, service: str, specs: list[FnSpec], m: Manifest) -> None:
    folder = root / rel
    language = specs[0].language
    t = Lines()
    t.add('AWSTemplateFormatVersion: "2010-09-09"')
    t.add("Transform: AWS::Serverless-2016-10-31")
    t.add(f"Description: {service} service (generated for the lambdalint benchmark)")
    t.add()
    t.add("Parameters:")
    t.add("Stage:", 2)
    t.add("Type: String", 4)
    t.add("Default: dev", 4)
    t.add("AllowedValues: [dev, staging, prod]", 4)
    t.add()
    t.add("Globals:")
    t.add("Function:", 2)
    t.add(f"Runtime: {'python3.12' if language == 'python' else 'nodejs22.x'}", 4)
    t.add("MemorySize: 256", 4)
    t.add("Tracing: Active", 4)
    t.add("Architectures: [arm64]", 4)
    t.add("Environment:", 4)
    t.add("Variables:", 6)
    t.add("STAGE: !Ref Stage", 8)
    t.add(f"POWERTOOLS_SERVICE_NAME: {service}", 8)
    t.add("LOG_LEVEL: INFO", 8)
    t.add()
    t.add("Resources:")
    t.add("Table:", 2)
    t.add("Type: AWS::DynamoDB::Table", 4)
    t.add("Properties:", 4)
    t.add("BillingMode: PAY_PER_REQUEST", 6)
    t.add("AttributeDefinitions:", 6)
    t.add("- AttributeName: pk", 8)
    t.add("AttributeType: S", 10)
    t.add("KeySchema:", 6)
    t.add("- AttributeName: pk", 8)
    t.add("KeyType: HASH", 10)
    t.add()
    t.add("Bucket:", 2)
    t.add("Type: AWS::S3::Bucket", 4)
    t.add("Properties:", 4)
    t.add("BucketEncryption:", 6)
    t.add("ServerSideEncryptionConfiguration:", 8)
    t.add("- ServerSideEncryptionByDefault:", 10)
    t.add("SSEAlgorithm: AES256", 14)
    t.add()
    t.add("WorkQueue:", 2)
    t.add("Type: AWS::SQS::Queue", 4)
    t.add("Properties:", 4)
    t.add("VisibilityTimeout: 180", 6)
    t.add("RedrivePolicy:", 6)
    t.add("deadLetterTargetArn: !GetAtt WorkDeadLetterQueue.Arn", 8)
    t.add("maxReceiveCount: 5", 8)
    t.add()
    t.add("WorkDeadLetterQueue:", 2)
    t.add("Type: AWS::SQS::Queue", 4)
    t.add("Properties:", 4)
    t.add("MessageRetentionPeriod: 1209600", 6)
    for spec in specs:
        code_rel = f"src/{spec.slug}"
        handler, _ = write_handler(rng, folder / code_rel, spec, service)
        src_file = f"{rel}/{code_rel}/{'main.py' if spec.plant == 'LL101' else ('app.py' if spec.language == 'python' else 'index.mjs')}"
        t.add()
        res_line = t.add(f"{spec.logical}:", 2)
        t.add("Type: AWS::Serverless::Function", 4)
        t.add("Properties:", 4)
        t.add(f"CodeUri: {code_rel}/", 6)
        handler_line = t.add(f"Handler: {handler}", 6)
        t.add(f"Description: {spec.slug.replace('_', ' ')}", 6)
        runtime_line = t.add(f"Runtime: {runtime_for(spec)}", 6) if spec.plant == "LL506" else 0
        timeout_line = t.add(f"Timeout: {timeout_for(spec)}", 6)
        memory_line = 0
        if spec.plant == "LL108":
            t.add("MemorySize: 512", 6)
            memory_line = t.add("MemorySize: 1024", 6)
        elif spec.plant == "LL505":
            memory_line = t.add(f"MemorySize: {memory_for(spec)}", 6)
        t.add("Environment:", 6)
        t.add("Variables:", 8)
        for env in sorted({ENV_OF[c.resource] for c in spec.calls}):
            value = {"TABLE_NAME": "!Ref Table", "QUEUE_URL": "!Ref WorkQueue", "BUCKET_NAME": "!Ref Bucket"}[env]
            t.add(f"{env}: {value}", 10)
        secret_line = t.add(f"API_KEY: {fake_access_key(rng)}", 10) if spec.plant == "LL401" else 0
        t.add("Policies:", 6)
        t.add("- Statement:", 8)
        action_line = 0
        for res, actions in statements(spec):
            arn = {"table": "!GetAtt Table.Arn", "queue": "!GetAtt WorkQueue.Arn", "bucket": '!Sub "${Bucket.Arn}/*"'}[res]
            t.add("- Effect: Allow", 12)
            if len(actions) == 1:
                line = t.add(f"Action: {actions[0]}", 14)
                if actions[0] == "s3:*":
                    action_line = line
            else:
                t.add("Action:", 14)
                for action in actions:
                    t.add(f"- {action}", 16)
            t.add(f"Resource: {arn}", 14)
        if spec.kind in ("api", "worker"):
            t.add("Events:", 6)
            if spec.kind == "api":
                t.add("Api:", 8)
                t.add("Type: Api", 10)
                t.add("Properties:", 10)
                t.add(f"Path: /{spec.slug.replace('_', '-')}", 12)
                t.add(f"Method: {rng.choice(['get', 'post', 'put'])}", 12)
            else:
                t.add("Work:", 8)
                t.add("Type: SQS", 10)
                t.add("Properties:", 10)
                t.add("Queue: !GetAtt WorkQueue.Arn", 12)
                t.add("BatchSize: 10", 12)
        if spec.plant != "LL301":
            t.add()
            t.add(f"{spec.logical}Logs:", 2)
            t.add("Type: AWS::Logs::LogGroup", 4)
            t.add("Properties:", 4)
            t.add(f"LogGroupName: !Sub /aws/lambda/${{{spec.logical}}}", 6)
            t.add("RetentionInDays: 30", 6)
        record_plant(m, spec, "sam", f"{rel}/template.yaml", src_file, {
            "handler": handler_line, "resource": res_line, "runtime": runtime_line,
            "timeout": timeout_line, "memory": memory_line, "secret": secret_line,
            "action": action_line,
        })
    t.add()
    t.add("Outputs:")
    t.add("TableName:", 2)
    t.add("Value: !Ref Table", 4)
    (folder / "template.yaml").write_text(t.text(), encoding="utf-8")
    m.templates["sam"] = m.templates.get("sam", 0) + 1


def record_plant(m: Manifest, spec: FnSpec, fmt: str, config: str, src: str, lines: dict[str, int]) -> None:
    if spec.plant is None:
        return
    in_source = {"LL104": "def", "LL105": "def", "LL100": "def", "LL106": "LL106", "LL107": "LL107"}
    in_config = {
        "LL101": "handler", "LL102": "handler", "LL103": "handler", "LL108": "memory",
        "LL201": "action", "LL301": "resource", "LL401": "secret", "LL501": "timeout",
        "LL502": "timeout", "LL505": "memory", "LL506": "runtime",
    }
    if spec.plant in in_source:
        plant = Plant(spec.plant, src, spec.lines[in_source[spec.plant]], fmt, spec.language, spec.logical)
    else:
        plant = Plant(spec.plant, config, lines[in_config[spec.plant]], fmt, spec.language, spec.logical)
    m.plants.append(plant)


# ------------------------------------------------------------------ CloudFormation (JSON, CDK layout)

def line_after(text: str, anchor: str, needle: str, nth: int = 0) -> int:
    """1-based line of the (nth+1)-th line containing `needle` after the line with `anchor`."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if anchor in line)
    seen = 0
    for i in range(start, len(lines)):
        if needle in lines[i]:
            if seen == nth:
                return i + 1
            seen += 1
    raise ValueError(f"{needle!r} not found after {anchor!r}")


def cfn_stack(rng: random.Random, root: Path, rel: str, service: str, specs: list[FnSpec], m: Manifest) -> None:
    folder = root / rel
    resources: dict[str, object] = {
        "Table": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            },
            "UpdateReplacePolicy": "Retain",
            "DeletionPolicy": "Retain",
        },
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}}},
        "WorkQueue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 180}},
        "HttpApi": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": f"{service}-api", "ProtocolType": "HTTP"}},
    }
    asset_of: dict[str, str] = {}
    for spec in specs:
        digest = hashlib.sha256(f"{rel}/{spec.slug}".encode()).hexdigest()
        asset = f"asset.{digest}"
        asset_of[spec.logical] = asset
        spec_handler, _ = write_handler(rng, folder / asset, spec, service)
        env = {env: {"Ref": {"TABLE_NAME": "Table", "QUEUE_URL": "WorkQueue", "BUCKET_NAME": "Bucket"}[env]} for env in sorted({ENV_OF[c.resource] for c in spec.calls})}
        env["LOG_LEVEL"] = "INFO"
        if spec.plant == "LL401":
            env["API_KEY"] = fake_access_key(rng)
        role = f"{spec.logical}Role"
        resources[role] = {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "ManagedPolicyArns": [{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]]}],
                "Policies": [{
                    "PolicyName": "access",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                        {"Effect": "Allow", "Action": actions if len(actions) > 1 else actions[0], "Resource": {"table": {"Fn::GetAtt": ["Table", "Arn"]}, "queue": {"Fn::GetAtt": ["WorkQueue", "Arn"]}, "bucket": {"Fn::Sub": "${Bucket.Arn}/*"}}[res]}
                        for res, actions in statements(spec)
                    ]},
                }],
            },
        }
        resources[spec.logical] = {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Handler": spec_handler,
                "Runtime": runtime_for(spec),
                "MemorySize": memory_for(spec),
                "Timeout": timeout_for(spec),
                "Code": {"S3Bucket": {"Fn::Sub": "cdk-assets-${AWS::AccountId}-${AWS::Region}"}, "S3Key": f"{asset[6:]}.zip"},
                "Role": {"Fn::GetAtt": [role, "Arn"]},
                "Environment": {"Variables": env},
                "TracingConfig": {"Mode": "Active"},
                "Architectures": ["arm64"],
            },
            "Metadata": {"aws:cdk:path": f"{service}/{spec.logical}/Resource", "aws:asset:path": asset, "aws:asset:is-bundled": False, "aws:asset:property": "Code"},
        }
        if spec.kind == "api":
            resources[f"{spec.logical}Permission"] = {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "Action": "lambda:InvokeFunction",
                    "FunctionName": {"Fn::GetAtt": [spec.logical, "Arn"]},
                    "Principal": "apigateway.amazonaws.com",
                    "SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*/*"},
                },
            }
        elif spec.kind == "worker":
            resources[f"{spec.logical}Events"] = {
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {"EventSourceArn": {"Fn::GetAtt": ["WorkQueue", "Arn"]}, "FunctionName": {"Ref": spec.logical}, "BatchSize": 10},
            }
        if spec.plant != "LL301":
            resources[f"{spec.logical}Logs"] = {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"LogGroupName": {"Fn::Sub": f"/aws/lambda/${{{spec.logical}}}"}, "RetentionInDays": 30},
                "UpdateReplacePolicy": "Delete",
                "DeletionPolicy": "Delete",
            }
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"{service} service (generated for the lambdalint benchmark, CDK layout)",
        "Resources": resources,
        "Outputs": {"TableName": {"Value": {"Ref": "Table"}}},
    }
    text = json.dumps(doc, indent=1) + "\n"
    for spec in specs:
        if spec.plant == "LL108":
            # a duplicate MemorySize before the real one: the later (reported) key is the real one
            lines = text.split("\n")
            idx = line_after(text, f'"{spec.logical}": {{', '"MemorySize":') - 1
            indent = lines[idx][: len(lines[idx]) - len(lines[idx].lstrip())]
            lines.insert(idx, f'{indent}"MemorySize": 512,')
            text = "\n".join(lines)
    (folder / "template.json").write_text(text, encoding="utf-8")
    for spec in specs:
        anchor = f'"{spec.logical}": {{'
        src = f"{rel}/{asset_of[spec.logical]}/" + ("main.py" if spec.plant == "LL101" else ("app.py" if spec.language == "python" else "index.mjs"))
        lines_of = {
            "handler": line_after(text, anchor, '"Handler":'),
            "resource": line_after(text, anchor, anchor),
            "runtime": line_after(text, anchor, '"Runtime":'),
            "timeout": line_after(text, anchor, '"Timeout":'),
            "memory": line_after(text, anchor, '"MemorySize":', 1 if spec.plant == "LL108" else 0),
            "secret": line_after(text, anchor, '"API_KEY":') if spec.plant == "LL401" else 0,
            "action": line_after(text, f'"{spec.logical}Role": {{', '"s3:*"') if spec.plant == "LL201" else 0,
        }
        record_plant(m, spec, "cfn", f"{rel}/template.json", src, lines_of)
    m.templates["cfn"] = m.templates.get("cfn", 0) + 1


# ------------------------------------------------------------------ Terraform (JSON)

def tf_stack(rng: random.Random, root: Path, rel: str, service: str, specs: list[FnSpec], m: Manifest) -> None:
    folder = root / rel
    archives: dict[str, object] = {}
    documents: dict[str, object] = {}
    functions: dict[str, object] = {}
    roles: dict[str, object] = {}
    role_policies: dict[str, object] = {}
    attachments: dict[str, object] = {}
    log_groups: dict[str, object] = {}
    permissions: dict[str, object] = {}
    mappings: dict[str, object] = {}
    arn_of = {"table": "${aws_dynamodb_table.table.arn}", "queue": "${aws_sqs_queue.work.arn}", "bucket": "${aws_s3_bucket.data.arn}/*"}
    for spec in specs:
        name = spec.slug
        handler, _ = write_handler(rng, folder / "src" / name, spec, service)
        archives[name] = {"type": "zip", "source_dir": f"${{path.module}}/src/{name}", "output_path": f"${{path.module}}/build/{name}.zip"}
        documents[name] = {"statement": [{"effect": "Allow", "actions": actions, "resources": [arn_of[res]]} for res, actions in statements(spec)]}
        env = {env: {"TABLE_NAME": "${aws_dynamodb_table.table.name}", "QUEUE_URL": "${aws_sqs_queue.work.url}", "BUCKET_NAME": "${aws_s3_bucket.data.bucket}"}[env] for env in sorted({ENV_OF[c.resource] for c in spec.calls})}
        env["LOG_LEVEL"] = "INFO"
        if spec.plant == "LL401":
            env["API_KEY"] = fake_access_key(rng)
        functions[name] = {
            "function_name": f"{service}-{name.replace('_', '-')}",
            "filename": f"${{data.archive_file.{name}.output_path}}",
            "source_code_hash": f"${{data.archive_file.{name}.output_base64sha256}}",
            "handler": handler,
            "runtime": runtime_for(spec),
            "memory_size": memory_for(spec),
            "timeout": timeout_for(spec),
            "role": f"${{aws_iam_role.{name}.arn}}",
            "architectures": ["arm64"],
            "environment": {"variables": env},
            "tracing_config": {"mode": "Active"},
        }
        roles[name] = {
            "name": f"{service}-{name.replace('_', '-')}",
            "assume_role_policy": '${jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Action = "sts:AssumeRole", Principal = {Service = "lambda.amazonaws.com"}}]})}',
        }
        role_policies[name] = {"role": f"${{aws_iam_role.{name}.id}}", "policy": f"${{data.aws_iam_policy_document.{name}.json}}"}
        attachments[name] = {"role": f"${{aws_iam_role.{name}.name}}", "policy_arn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}
        if spec.plant != "LL301":
            log_groups[name] = {"name": f"/aws/lambda/${{aws_lambda_function.{name}.function_name}}", "retention_in_days": 30}
        if spec.kind == "api":
            permissions[name] = {"statement_id": "AllowApiGateway", "action": "lambda:InvokeFunction", "function_name": f"${{aws_lambda_function.{name}.function_name}}", "principal": "apigateway.amazonaws.com", "source_arn": "${aws_apigatewayv2_api.api.execution_arn}/*/*"}
        elif spec.kind == "worker":
            mappings[name] = {"event_source_arn": "${aws_sqs_queue.work.arn}", "function_name": f"${{aws_lambda_function.{name}.arn}}", "batch_size": 10}
    doc = {
        "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "~> 5.0"}}},
        "data": {"archive_file": archives, "aws_iam_policy_document": documents},
        "resource": {
            "aws_dynamodb_table": {"table": {"name": f"{service}-table", "billing_mode": "PAY_PER_REQUEST", "hash_key": "pk", "attribute": [{"name": "pk", "type": "S"}]}},
            "aws_s3_bucket": {"data": {"bucket_prefix": f"{service}-data-"}},
            "aws_sqs_queue": {"work": {"name": f"{service}-work", "visibility_timeout_seconds": 180}},
            "aws_apigatewayv2_api": {"api": {"name": f"{service}-api", "protocol_type": "HTTP"}},
            "aws_lambda_function": functions,
            "aws_iam_role": roles,
            "aws_iam_role_policy": role_policies,
            "aws_iam_role_policy_attachment": attachments,
            "aws_cloudwatch_log_group": log_groups,
            **({"aws_lambda_permission": permissions} if permissions else {}),
            **({"aws_lambda_event_source_mapping": mappings} if mappings else {}),
        },
    }
    text = json.dumps(doc, indent=2) + "\n"
    (folder / "main.tf.json").write_text(text, encoding="utf-8")
    for spec in specs:
        name = spec.slug
        anchor = f'"function_name": "{service}-{name.replace("_", "-")}"'
        src = f"{rel}/src/{name}/" + ("main.py" if spec.plant == "LL101" else ("app.py" if spec.language == "python" else "index.mjs"))
        lines_of = {
            "handler": line_after(text, anchor, '"handler":'),
            "resource": line_after(text, '"aws_lambda_function": {', f'"{name}": {{'),
            "runtime": line_after(text, anchor, '"runtime":'),
            "timeout": line_after(text, anchor, '"timeout":'),
            "memory": line_after(text, anchor, '"memory_size":'),
            "secret": line_after(text, anchor, '"API_KEY":') if spec.plant == "LL401" else 0,
            # the finding points at the statement's actions list, which opens a line above
            "action": tf_wildcard_line(text, name) if spec.plant == "LL201" else 0,
        }
        record_plant(m, spec, "tf", f"{rel}/main.tf.json", src, lines_of)
    m.templates["tf"] = m.templates.get("tf", 0) + 1


def tf_wildcard_line(text: str, name: str) -> int:
    """The `"actions": [` line of the `s3:*` statement in `name`'s policy document (a finding
    points at the statement's actions list, which opens a line above the wildcard)."""
    lines = text.split("\n")
    start = line_after(text, '"aws_iam_policy_document": {', f'"{name}": {{')
    wildcard = next(i for i in range(start, len(lines)) if '"s3:*"' in lines[i])
    return wildcard  # 0-based index of the wildcard == 1-based number of the line above


# ------------------------------------------------------------------ the tree

def broken_template(folder: Path, rel: str, m: Manifest) -> None:
    """One malformed YAML template (LL100 at the position libyaml reports)."""
    text = (
        'AWSTemplateFormatVersion: "2010-09-09"\n'
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Broken:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Handler: app.handler\n"
        "      Runtime: [python3.12\n"
        "      CodeUri: src/\n"
    )
    (folder / "broken.yaml").write_text(text, encoding="utf-8")
    try:
        yaml.safe_load(text)
        line = 0
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
    m.plants.append(Plant("LL100", f"{rel}/broken.yaml", line, "sam", "", ""))
    m.templates["broken"] = m.templates.get("broken", 0) + 1


def stack_format(rng: random.Random, index: int, mix: str) -> tuple[str, str]:
    if mix == "sam-python":
        return "sam", "python"
    # the first stacks cover every format, so even a tiny tree holds every kind of plant
    fixed = (("sam", "python"), ("cfn", "python"), ("tf", "python"), ("sam", "node"), ("sam", "python"))
    if index < len(fixed):
        return fixed[index]
    fmt = rng.choices(FORMATS, weights=(60, 25, 15))[0]
    return fmt, ("node" if rng.random() < 0.15 else "python")


def generate(out: Path, stacks: int, seed: int = 7, mix: str = "mixed") -> Manifest:
    rng = random.Random(seed)
    tree = out / "tree"
    if tree.exists():
        shutil.rmtree(tree)
    tree.mkdir(parents=True)
    m = Manifest(seed=seed, stacks=stacks, mix=mix)
    scheduler = PlantScheduler()
    used: set[str] = set()
    for i in range(stacks):
        fmt, language = stack_format(rng, i, mix)
        service = rng.choice(WORDS)
        rel = f"stacks/s{i:04d}-{service}"
        (tree / rel).mkdir(parents=True)
        count = rng.choice((3, 4, 4, 4, 5))
        specs = []
        for kind in FN_KINDS[:count]:
            verb = rng.choice(VERBS)
            slug = f"{verb}_{service}"
            n = 2
            while slug in used:
                slug = f"{verb}_{service}_{n}"
                n += 1
            used.add(slug)
            logical = "".join(part.title() for part in slug.split("_")) + "Function"
            calls = rng.sample(CALLS, rng.randint(1, 3))
            if kind == "worker":
                # a worker sending to the queue that invokes it would loop (LL703): it writes
                # elsewhere
                calls = [c for c in calls if c.resource != "queue"] or [CALLS[0]]
            spec = FnSpec(logical, slug, kind, language, calls, helpers=rng.randint(1, 6))
            spec.plant = scheduler.next_for(fmt, language, kind)
            specs.append(spec)
        used_in_stack = {s.slug for s in specs}
        assert len(used_in_stack) == len(specs)
        {"sam": sam_stack, "cfn": cfn_stack, "tf": tf_stack}[fmt](rng, tree, rel, service, specs, m)
        if i == 1 or (i % 250 == 249):
            broken_template(tree / rel, rel, m)
        m.functions += len(specs)
        if language == "python":
            m.python_handlers += len(specs)
        else:
            m.node_handlers += len(specs)
    m.plants.sort(key=lambda p: (p.file, p.line, p.rule))
    (out / "manifest.json").write_text(json.dumps(asdict(m), indent=1) + "\n", encoding="utf-8")
    return m


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="output folder (its tree/ is replaced)")
    parser.add_argument("--stacks", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mix", choices=("mixed", "sam-python"), default="mixed")
    args = parser.parse_args()
    m = generate(args.out, args.stacks, args.seed, args.mix)
    print(
        f"{args.out / 'tree'}: {m.stacks} stacks ({', '.join(f'{k} {v}' for k, v in sorted(m.templates.items()))}), "
        f"{m.functions} functions ({m.python_handlers} Python, {m.node_handlers} Node), {len(m.plants)} planted mistakes"
    )


if __name__ == "__main__":
    main()
