"""The function model: one shape for every framework, each property with its source position.

Loaders (SAM, CloudFormation, Terraform, Serverless) build these objects; checks only read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Generic, Literal, TypeVar

T = TypeVar("T")

# where a function is declared
Framework = Literal["sam", "cloudformation", "terraform", "terraform-plan", "serverless"]
# where its code lives (see CodeLocation)
CodeKind = Literal["dir", "file", "zip", "jar", "s3", "inline", "image", "unknown"]
# what invokes it (see Event); WebSocket APIs are "api"
EventKind = Literal[
    "api",
    "http-api",
    "sqs",
    "s3",
    "sns",
    "eventbridge",
    "schedule",
    "kinesis",
    "dynamodb",
    "alb",
    "cognito",
    "iot",
    "mq",
    "msk",
    "cloudwatch-logs",
    "other",
]
# where an environment variable's value comes from (see EnvVar)
EnvSource = Literal["literal", "dynamic-reference", "parameter", "reference", "unknown"]


class _Unknown:
    """A value that cannot be resolved statically. Rules never report on it."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNKNOWN"


# the type of UNKNOWN, for annotations (`str | Unknown`)
Unknown = _Unknown
UNKNOWN: Final = _Unknown()


def is_known(value: object) -> bool:
    return value is not UNKNOWN


def as_flag(value: object) -> bool | Unknown | None:
    """A boolean setting as templates write it (`true`, `"true"`, `"False"`): True or False,
    None when absent, UNKNOWN for anything else."""
    if value is None or isinstance(value, bool) or value is UNKNOWN:
        return value
    text = str(value).strip().lower()
    return True if text == "true" else False if text == "false" else UNKNOWN


@dataclass(frozen=True, order=True)
class Pos:
    """A 1-based source position (line, column), optionally with an end."""

    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None


@dataclass(frozen=True)
class Loc:
    """Where something came from: a file and a position in it."""

    path: Path
    pos: Pos = Pos()


@dataclass(frozen=True)
class Prop(Generic[T]):
    """A property value (possibly UNKNOWN) and where it was set."""

    value: T
    loc: Loc


@dataclass(frozen=True)
class Diagnostic:
    """A problem found while loading a file (parse error, duplicate key, skipped file)."""

    rule_id: str
    message: str
    loc: Loc
    notice: bool = False  # a one-line notice (skipped file), not a finding


@dataclass
class EnvVar:
    name: str
    value: str | Unknown  # str when literal, UNKNOWN otherwise
    loc: Loc
    kind: EnvSource = "literal"
    parameter: str | None = None  # the template parameter that fills it, if any
    parameter_no_echo: bool = False
    # the resource of the project whose name, ARN or URL the value is (a CloudFormation logical
    # id, a Terraform address): `BUCKET: !Ref Uploads` → "Uploads"; None when it names none
    resource: str | None = None
    # the value as text in which references to resources and pseudo parameters are `${...}`
    # placeholders spelled as the template spells them (`${Uploads}`, `${Queue.Arn}`,
    # `${aws_s3_bucket.u.id}`, `arn:${AWS::Partition}:s3:::${Uploads}`); None when it cannot
    # be rendered (a parameter without a value, an expression lambdalint does not follow)
    text: str | None = None


@dataclass
class Statement:
    """One IAM policy statement granted to the function's role.

    `resources` may hold ARNs with `${...}` placeholders for parts that name a resource or a
    pseudo parameter (`arn:${AWS::Partition}:s3:::${Bucket}/*`): such a resource is specific,
    never a wildcard. Parts that could be anything (a parameter without a value) make the
    statement `resources_unknown` instead.
    """

    effect: str
    actions: list[str]
    resources: list[str]
    loc: Loc
    not_actions: list[str] = field(default_factory=list)
    not_resources: list[str] = field(default_factory=list)
    has_condition: bool = False
    # actions / resources that could not be resolved: rules must not assume them absent
    actions_unknown: bool = False
    resources_unknown: bool = False
    source: str = ""  # e.g. "inline", "AWS::IAM::Policy MyPolicy", "SAM S3CrudPolicy"
    # where Action/NotAction and Resource/NotResource are written, when the loader knows
    action_loc: Loc | None = None
    resource_loc: Loc | None = None


@dataclass
class ManagedPolicy:
    name: str  # policy name or ARN
    loc: Loc


@dataclass
class Role:
    """The execution role. `known` is False when it is external or unresolvable.

    `statements` are the statements written in the project (inline policies, policy resources
    attached to the role, SAM policy templates expanded). AWS managed policies are listed in
    `managed_policies` by name or ARN and not expanded here: the checks read what they grant
    from the data lambdalint ships (managed_policies.py), and one it does not know leaves
    what the role grants unknown, as `incomplete` does.
    """

    known: bool
    loc: Loc | None = None
    name: str | None = None
    statements: list[Statement] = field(default_factory=list)
    managed_policies: list[ManagedPolicy] = field(default_factory=list)
    # True when part of the role's policy could not be resolved (unknown managed policy,
    # policy from an unresolvable document): absence-based rules must stay silent
    incomplete: bool = False
    # something other than the project's Lambda functions assumes the role (a state machine,
    # a task, an instance profile names it), or the loader cannot tell
    other_users: bool = False
    # the framework makes the role from the function's own settings (SAM `Policies`,
    # Serverless `provider.iam.role.statements`): that is where its statements are written
    generated: bool = False


@dataclass(frozen=True)
class AwsResource:
    """An AWS resource declared in the project (a bucket, table, queue, topic ...), as far as
    IAM needs it: which resource a function's code acts on, and its ARN.

    `kind` is one of aws/resources.py's kinds (`s3-bucket`). `name` is the physical name when
    the template writes it literally. `placeholders` are the `${...}` spellings that stand for
    one of its identifiers in rendered values (EnvVar.text, Statement.resources), each with the
    form it gives ("name", "arn", "url", "other"): `${Uploads}` and `${Uploads.Arn}` in
    CloudFormation, `${aws_s3_bucket.u.id}` in Terraform. `expressions` are how the template
    writes each form in its own dialect, as JSON data (`{"Fn::GetAtt": ["Uploads", "Arn"]}`)
    or Terraform expression text (`aws_s3_bucket.u.arn`).
    """

    kind: str
    id: str  # logical id / resource address
    type: str  # the declared type: AWS::S3::Bucket, aws_s3_bucket
    loc: Loc
    name: str | None = None
    placeholders: tuple[tuple[str, str], ...] = ()
    expressions: tuple[tuple[str, object], ...] = ()
    # an SSM parameter's name starts with "/" (its ARN is `parameter/a/b`, not `parameter//a`);
    # None when not known
    name_slash: bool | None = None
    # the customer managed KMS key that encrypts it: a rendered value (a placeholder such as
    # `${Key.Arn}`, or an ARN); None when it has none; UNKNOWN when it cannot be told
    kms_key: object = None
    # a resource-based policy of the project applies to it (a bucket policy, a queue policy):
    # it may grant a role access that the role's own policies do not
    resource_policy: bool = False

    @property
    def key(self) -> str:
        """What identifies it in the project: its file and id."""
        return f"{self.loc.path}#{self.id}"

    def expression(self, form: str) -> object | None:
        return dict(self.expressions).get(form)


@dataclass
class LogGroup:
    """A log group the function writes to.

    retention_days: int days; 0 means never expire (Terraform spells it so); None means not
    set, which also means never expire; UNKNOWN when unresolvable (or the group is managed
    somewhere lambdalint cannot see), and then no rule may assume anything about it; any other
    value is what the template wrote where a number belongs (`"abc"`, `7.5`, a 5,000-digit
    number): see numeric.whole_number.
    """

    name: str | Unknown
    retention_days: object
    loc: Loc
    retention_loc: Loc | None = None


@dataclass
class Queue:
    """An SQS queue that feeds the function (defined in the project)."""

    name: str
    # int seconds; 30 when not set; UNKNOWN when unresolvable; else as written (no number)
    visibility_timeout: object
    loc: Loc
    visibility_loc: Loc | None = None
    # a FIFO queue (`FifoQueue: true`, a name or ARN ending `.fifo`); UNKNOWN when unresolvable
    fifo: bool | Unknown = False


# event source settings an Event keeps the position of (Event.locs)
EventSetting = Literal[
    "batch_size",
    "batching_window",
    "response_types",
    "max_retry_attempts",
    "max_record_age",
    "bisect_on_error",
    "proxy_format",
    "filter",
]


@dataclass
class Event:
    """An event source or trigger of the function."""

    # is_async: the source invokes the function asynchronously (S3, SNS, EventBridge, schedules,
    # an API integration that sets X-Amz-Invocation-Type: Event)
    kind: EventKind
    loc: Loc
    name: str = ""
    queue: Queue | None = None
    is_async: bool = False
    # how long an API integration waits for the function, in seconds: None when the service's
    # default applies, UNKNOWN when it cannot be told (a streamed response, an intrinsic)
    integration_timeout: object = None
    # a polled source's MaximumBatchingWindowInSeconds: None when not set (0 s for SQS),
    # UNKNOWN when unresolvable
    batching_window: object = None
    # the resource of the project the events come from (the bucket, queue, topic or stream: a
    # CloudFormation logical id, a Terraform address); None when it is not in the project
    source: str | None = None
    # the source's name when it is written literally (a bucket named in a Serverless `s3` event)
    source_name: str | None = None
    # An event source mapping's settings (SQS, Kinesis, DynamoDB, MSK, MQ). Each is None when
    # not set (the service default applies), UNKNOWN when it cannot be resolved, else as written:
    # BatchSize; FunctionResponseTypes (a list of strings); MaximumRetryAttempts;
    # MaximumRecordAgeInSeconds; BisectBatchOnFunctionError (see as_flag)
    batch_size: object = None
    response_types: object = None
    max_retry_attempts: object = None
    max_record_age: object = None
    bisect_on_error: object = None
    # the source passes on only some events (an event source mapping's FilterCriteria, an SNS
    # subscription's FilterPolicy): True, False, or UNKNOWN
    filtered: bool | Unknown = False
    # S3 notifications: the object key prefix and suffix the notification is limited to (None:
    # no such rule; UNKNOWN: unresolvable) and the event types (`s3:ObjectCreated:*`; None when
    # not known)
    key_prefix: object = None
    key_suffix: object = None
    s3_events: list[str] | None = None
    # API Gateway Lambda proxy integrations: the payload format the function answers in, "1.0"
    # (REST API proxy integrations, HTTP API payload 1.0) or "2.0" (HTTP API); None for an
    # integration that is no Lambda proxy (REST `AWS`, WebSocket) or no API at all; UNKNOWN
    # when it cannot be told
    proxy_format: object = None
    # where each setting above is written, by name
    locs: dict[EventSetting, Loc] = field(default_factory=dict)
    # a polled source (a stream, Kafka) with an on-failure destination, which Lambda sends the
    # failed batches to with the function's role
    on_failure: bool = False


@dataclass
class Permission:
    """A resource-based policy statement on the function (who may invoke it).

    `loc` is where the principal is written. Optional fields are None when absent, UNKNOWN when
    set to something unresolvable.
    """

    principal: object
    loc: Loc
    source_arn: object = None
    source_account: object = None
    action: object = None
    function_url_auth_type: object = None
    principal_org_id: object = None
    # `InvokedViaFunctionUrl`: the statement applies only to invocations through the function
    # URL (since October 2025 a URL needs it beside lambda:InvokeFunctionUrl)
    invoked_via_function_url: object = None


@dataclass
class FunctionUrl:
    auth_type: object
    loc: Loc
    auth_type_loc: Loc | None = None
    # the framework writes the URL's invoke permissions itself (SAM `FunctionUrlConfig`,
    # Serverless `url`, a Terraform module): what they grant is not in `Function.permissions`
    framework_permissions: bool = False


@dataclass
class CodeLocation:
    """Where the function's code lives."""

    kind: CodeKind
    loc: Loc
    path: Path | None = None
    inline_source: str | None = None
    inline_loc: Loc | None = None  # where the inline source starts (line of its first line)
    # the code is produced by a build lambdalint cannot see (esbuild, makefile, plugins)
    built: bool = False
    build_method: str | None = None
    # a spelling of the configured path as written (for messages)
    declared: str | None = None
    # esbuild entry points relative to the code folder (SAM `BuildProperties.EntryPoints`):
    # None when not given, [] when given but not readable
    entry_points: list[str] | None = None
    # the zip is uploaded with the API call that creates the function (Terraform `filename`),
    # not through S3: the 50 MB limit of a direct upload applies
    direct_upload: bool = False
    # the build installs the manifest's production dependencies only (`sam build`, `serverless
    # package`): what is listed only for development is not shipped
    production_dependencies_only: bool = False


@dataclass(frozen=True)
class Layer:
    """A layer of the function, as far as lambdalint can open it.

    `ref` is the layer as written (an ARN, a `${...}` placeholder, or UNKNOWN); `name` says it
    in messages. `content` is the local folder or .zip whose files Lambda extracts into /opt,
    under `prefix` when a build step moves them into a subfolder (SAM's `BuildMethod: python3.12`
    puts the ContentUri folder under `python/`); None when the layer cannot be opened (an ARN,
    an S3 object, a value that cannot be resolved). `built`: a build lambdalint cannot see adds
    files to the layer (installed dependencies), so a module not found in it may still be there.
    """

    ref: object
    loc: Loc
    name: str = ""
    content: Path | None = None
    prefix: str = ""
    built: bool = False
    # the layer is there only under a condition that cannot be decided (`!If`)
    optional: bool = False


@dataclass
class Function:
    """One deployable Lambda function, from any framework."""

    name: str  # logical id / resource name / serverless function key
    framework: Framework
    loc: Loc  # the function's resource/block
    function_name: str | Unknown | None = None  # the physical FunctionName, if set
    function_name_loc: Loc | None = None  # where it is set (or the name Serverless derives)
    runtime: Prop[object] | None = None
    handler: Prop[object] | None = None
    code: CodeLocation | None = None
    package_type: str = "Zip"
    # timeout (seconds) and memory (MB): None when set nowhere, so Lambda's defaults apply
    # (3 s, 128 MB); a Prop whose value is UNKNOWN when set to something unresolvable
    timeout: Prop[object] | None = None
    memory: Prop[object] | None = None
    # runs on Lambda Managed Instances (a capacity provider): True, False, or UNKNOWN when the
    # setting is conditional
    managed_instances: bool | Unknown = False
    environment: dict[str, EnvVar] = field(default_factory=dict)
    # False when environment variables may come from somewhere lambdalint cannot read
    environment_complete: bool = True
    role: Role | None = None
    log_groups: list[LogGroup] = field(default_factory=list)
    logging_config_group: Prop[object] | None = None
    events: list[Event] = field(default_factory=list)
    url: FunctionUrl | None = None
    permissions: list[Permission] = field(default_factory=list)
    reserved_concurrency: Prop[object] | None = None
    tracing: Prop[object] | None = None
    # asynchronous-invocation failure handling: the DLQ / OnFailure destination target (an ARN,
    # possibly with ${...} placeholders, or UNKNOWN); None when not configured
    dead_letter: Prop[object] | None = None
    on_failure: Prop[object] | None = None
    tags: dict[str, object] = field(default_factory=dict)
    layers: list[Layer] = field(default_factory=list)
    architectures: list[object] = field(default_factory=list)
    # rule ids suppressed for this function by template metadata
    suppressed: dict[str, str] = field(default_factory=dict)
    # loader-specific extras that the JSON view exposes to policies
    extra: dict[str, object] = field(default_factory=dict)
    # the AWS resources declared where the function is (its template, Terraform module or
    # Serverless service), shared by the functions declared there
    resources: tuple[AwsResource, ...] = ()


@dataclass(frozen=True)
class Project:
    """Everything loaded from the given paths. Frozen once loaded: what the later stages meet
    (a handler source that cannot be read) they keep themselves (engine/context.py)."""

    root: Path
    functions: tuple[Function, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    files: tuple[Path, ...] = ()  # config files that were loaded
    # folders of CDK apps found with no synthesized templates (`cdk synth` not run)
    unsynthesized_cdk_apps: tuple[Path, ...] = ()
