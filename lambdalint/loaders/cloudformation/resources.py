"""What else a SAM/CloudFormation template says about its functions: log groups, event sources
(with SQS queues), invoke permissions, function URLs and asynchronous failure handling.

Each function's own properties (SAM `Events`, `FunctionUrlConfig`, `LoggingConfig`,
`DeadLetterQueue`/`DeadLetterConfig`, `EventInvokeConfig`) are read first; then every other
resource that points at a function (`!Ref Fn`, `!GetAtt Fn.Arn`, an alias, its literal name)
adds to it. A resource whose target cannot be resolved and that could make a finding wrong
marks the affected property unknown rather than being ignored.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from lambdalint.loaders.cloudformation.properties import function_properties
from lambdalint.loaders.cloudformation.targets import FunctionIndex
from lambdalint.loaders.cloudformation.template import NO_VALUE, Template, as_list, intrinsic_name
from lambdalint.loaders.documents import Document
from lambdalint.model import (
    UNKNOWN,
    Event,
    EventKind,
    EventSetting,
    Function,
    FunctionUrl,
    Loc,
    LogGroup,
    Permission,
    Pos,
    Prop,
    Queue,
    Unknown,
    as_flag,
)
from lambdalint.numeric import setting
from lambdalint.reading.positions import LMap, key_pos_of, pos_of

LAMBDA_LOG_PREFIX = "/aws/lambda/"
_LOG_GROUP_TYPES = ("AWS::Logs::LogGroup", "Custom::LogRetention")  # the latter: CDK
# resources whose AccessLogSetting(s).DestinationArn names the group API access logs go to
_ACCESS_LOG_OWNERS = (
    "AWS::Serverless::Api",
    "AWS::Serverless::HttpApi",
    "AWS::ApiGateway::Stage",
    "AWS::ApiGatewayV2::Stage",
)
_SQS_VISIBILITY_DEFAULT = 30  # seconds, AWS::SQS::Queue VisibilityTimeout when not set

# SAM event type → (model kind, invoked asynchronously)
_SAM_EVENTS: dict[str, tuple[EventKind, bool]] = {
    "Api": ("api", False),
    "HttpApi": ("http-api", False),
    "SQS": ("sqs", False),
    "S3": ("s3", True),
    "SNS": ("sns", True),
    "EventBridgeRule": ("eventbridge", True),
    "CloudWatchEvent": ("eventbridge", True),
    "Schedule": ("schedule", True),
    "ScheduleV2": ("schedule", True),
    "Kinesis": ("kinesis", False),
    "DynamoDB": ("dynamodb", False),
    "CloudWatchLogs": ("cloudwatch-logs", False),
    "IoTRule": ("iot", False),
    "Cognito": ("cognito", False),
    "MQ": ("mq", False),
    "MSK": ("msk", False),
}
# event source mapping source resource type → kind
_MAPPING_SOURCES: dict[str, EventKind] = {
    "AWS::SQS::Queue": "sqs",
    "AWS::Kinesis::Stream": "kinesis",
    "AWS::DynamoDB::Table": "dynamodb",
    "AWS::MSK::Cluster": "msk",
    "AWS::AmazonMQ::Broker": "mq",
}
# where an integration keeps its uri, timeout, response transfer mode and request parameters
_CFN_KEYS = ("Uri", "TimeoutInMillis", "ResponseTransferMode", "RequestParameters")
_OPENAPI_KEYS = ("uri", "timeoutInMillis", "responseTransferMode", "requestParameters")
# polled sources: the event source mapping setting → the property that holds it (SAM events
# and AWS::Lambda::EventSourceMapping spell them alike)
_ESM_SETTINGS: tuple[tuple[EventSetting, str], ...] = (
    ("batch_size", "BatchSize"),
    ("batching_window", "MaximumBatchingWindowInSeconds"),
    ("max_retry_attempts", "MaximumRetryAttempts"),
    ("max_record_age", "MaximumRecordAgeInSeconds"),
)
_POLLED = ("SQS", "Kinesis", "DynamoDB", "MSK", "MQ", "SelfManagedKafka", "DocumentDB")
_SOURCE_KEYS = {"SQS": "Queue", "Kinesis": "Stream", "DynamoDB": "Stream", "S3": "Bucket"}
_ARN_SERVICES: dict[str, EventKind] = {
    "sqs": "sqs",
    "kinesis": "kinesis",
    "dynamodb": "dynamodb",
    "kafka": "msk",
    "mq": "mq",
}


def enrich(doc: Document, tpl: Template, functions: list[Function]) -> None:
    if not functions:
        return
    stage = _Resources(doc.path, tpl, functions)
    props_of = {fn.name: function_properties(tpl, fn.name) for fn in functions}
    for fn in functions:
        stage.own_properties(fn, props_of[fn.name])
    stage.log_groups(functions, props_of)
    stage.other_resources()


def _int(value: Any) -> Any:
    """An integer setting (CloudFormation accepts "30" too), UNKNOWN, or the value as written
    when it is no whole number (numeric.setting)."""
    return setting(value)


class _Resources:
    def __init__(self, path: Path, tpl: Template, functions: list[Function]) -> None:
        self.path = path
        self.tpl = tpl
        self.functions = functions
        self.index = FunctionIndex(tpl, functions)

    def loc(self, pos: Pos) -> Loc:
        return Loc(self.path, pos)

    def resource_loc(self, logical_id: str) -> Loc:
        return self.loc(key_pos_of(self.tpl.resources, logical_id))

    def mapping(self, value: Any) -> dict[str, Any] | None:
        value = self.tpl.decide(value)
        return value if isinstance(value, dict) and not intrinsic_name(value) else None

    def optional(self, props: dict[str, Any], key: str) -> Any:
        """None when absent (or AWS::NoValue), the rendered text, or UNKNOWN."""
        if props.get(key) is None:
            return None
        value = self.tpl.decide(props[key])
        if value is NO_VALUE:
            return None
        text = self.tpl.text(value)
        return None if text is NO_VALUE else text

    # ------------------------------------------------------------ the function's properties

    def own_properties(self, fn: Function, props: dict[str, Any]) -> None:
        events = self.mapping(props.get("Events"))
        if events is not None:
            for name, event in events.items():
                built = self.sam_event(str(name), event, key_pos_of(events, name))
                if built is not None:
                    fn.events.append(built)
        url = props.get("FunctionUrlConfig")
        if url is not None:
            cfg = self.mapping(url)
            auth = self.optional(cfg, "AuthType") if cfg is not None else UNKNOWN
            fn.url = FunctionUrl(
                auth_type=UNKNOWN if auth is None else auth,
                loc=self.loc(key_pos_of(props, "FunctionUrlConfig")),
                auth_type_loc=self.loc(pos_of(cfg, "AuthType"))
                if cfg and "AuthType" in cfg
                else None,
                framework_permissions=True,
            )
        for key, target in (("DeadLetterQueue", "TargetArn"), ("DeadLetterConfig", "TargetArn")):
            if props.get(key) is None:
                continue
            cfg = self.mapping(props[key])
            if cfg is None:
                if self.tpl.decide(props[key]) is not NO_VALUE:
                    fn.dead_letter = Prop(UNKNOWN, self.loc(pos_of(props, key)))
                continue
            arn = self.optional(cfg, target)
            if arn is not None:
                fn.dead_letter = Prop(arn, self.loc(pos_of(cfg, target)))
        if props.get("EventInvokeConfig") is not None:
            self.on_failure(fn, props["EventInvokeConfig"], sam=True)

    def on_failure(self, fn: Function, config: Any, sam: bool) -> None:
        cfg = self.mapping(config)
        if cfg is None:
            fn.on_failure = fn.on_failure or Prop(UNKNOWN, fn.loc)
            return
        dest = self.mapping(cfg.get("DestinationConfig"))
        if cfg.get("DestinationConfig") is not None and dest is None:
            fn.on_failure = fn.on_failure or Prop(UNKNOWN, fn.loc)
            return
        failure = self.mapping(dest.get("OnFailure")) if dest is not None else None
        if failure is None:
            if (
                dest is not None
                and dest.get("OnFailure") is not None
                and self.tpl.decide(dest["OnFailure"]) is not NO_VALUE
            ):
                fn.on_failure = Prop(UNKNOWN, fn.loc)
            return
        target = self.optional(failure, "Destination")
        loc = self.loc(pos_of(dest, "OnFailure"))
        if target is None and sam and failure.get("Type") is not None:
            target = UNKNOWN  # SAM creates the queue or topic when only the Type is given
        if target is not None:
            fn.on_failure = Prop(target, loc)

    def sam_event(self, name: str, event: Any, pos: Pos) -> Event | None:
        event = self.mapping(event)
        if event is None:
            return None
        etype = self.tpl.resolve(event.get("Type"))
        kind, is_async = (
            _SAM_EVENTS.get(etype, ("other", False))
            if isinstance(etype, str)
            else (
                "other",
                False,
            )
        )
        props = self.mapping(event.get("Properties")) or LMap()
        out = Event(kind, self.loc(pos), name=name, is_async=is_async)
        if etype in ("Api", "HttpApi") and props.get("TimeoutInMillis") is not None:
            out.integration_timeout = self.seconds(props["TimeoutInMillis"])
        if etype in _SOURCE_KEYS:
            out.source = self.tpl.ref_target(props.get(_SOURCE_KEYS[etype]))
        if etype in _POLLED:
            self.mapping_settings(out, props)
        if etype == "SQS":
            out.queue = self.queue(props.get("Queue"))
        elif etype == "Api":
            # SAM writes an aws_proxy integration for the event, unless the API's own OpenAPI
            # definition has one for the path and method
            out.proxy_format = self.sam_api_proxy_format(props)
        elif etype == "HttpApi":
            version = self.optional(props, "PayloadFormatVersion")
            out.proxy_format = "2.0" if version is None else self.payload_format(version)
            if version is not None:
                out.locs["proxy_format"] = self.loc(pos_of(props, "PayloadFormatVersion"))
        elif etype == "S3":
            self.s3_filter(out, props.get("Events"), props.get("Filter"))
            out.source_name = self.bucket_name(out.source)
        elif etype == "SNS":
            out.source = self.tpl.ref_target(props.get("Topic"))
            out.filtered = self.present(props, "FilterPolicy")
            if self.tpl.decide(props.get("SqsSubscription")) not in (
                None,
                False,
                "false",
                NO_VALUE,
            ):
                # SNS → an SQS queue → the function: polled, not invoked asynchronously
                out.kind, out.is_async = "sqs", False
        return out

    def mapping_settings(self, event: Event, props: dict[str, Any]) -> None:
        """An event source mapping's settings (SAM event properties or the resource's)."""
        for name, key in _ESM_SETTINGS:
            if props.get(key) is not None:
                setattr(event, name, self.optional_int(props, key))
                event.locs[name] = self.loc(pos_of(props, key))
        if props.get("BisectBatchOnFunctionError") is not None:
            event.bisect_on_error = as_flag(self.optional(props, "BisectBatchOnFunctionError"))
            event.locs["bisect_on_error"] = self.loc(pos_of(props, "BisectBatchOnFunctionError"))
        if props.get("FunctionResponseTypes") is not None:
            event.response_types = self.string_list(props["FunctionResponseTypes"])
            event.locs["response_types"] = self.loc(pos_of(props, "FunctionResponseTypes"))
        event.filtered = self.present(props, "FilterCriteria")
        if event.filtered is not False:
            event.locs["filter"] = self.loc(pos_of(props, "FilterCriteria"))
        # Lambda sends the failed batches of a stream or Kafka source there with the role
        event.on_failure = props.get("DestinationConfig") is not None

    def present(self, props: dict[str, Any], key: str) -> bool | Unknown:
        """Whether a property is set (an `Fn::If` that cannot be decided: UNKNOWN)."""
        if props.get(key) is None:
            return False
        value = self.tpl.decide(props[key])
        return UNKNOWN if value is UNKNOWN else value is not NO_VALUE

    def string_list(self, value: Any) -> Any:
        """A list of strings, or UNKNOWN when it (or an item of it) cannot be resolved."""
        value = self.tpl.decide(value)
        if value is NO_VALUE:
            return None
        if isinstance(value, str):
            value = [value]  # SAM and S3 accept one string for a list of one
        if not isinstance(value, list):
            return UNKNOWN
        out = []
        for item in value:
            text = self.tpl.resolve(item)
            if text is NO_VALUE:
                continue
            if not isinstance(text, str):
                return UNKNOWN
            out.append(text)
        return out

    @staticmethod
    def payload_format(value: Any) -> Any:
        """A PayloadFormatVersion as the model keeps it: "1.0", "2.0" or UNKNOWN."""
        text = str(value).strip() if isinstance(value, (str, int, float)) else ""
        return {"1.0": "1.0", "1": "1.0", "2.0": "2.0", "2": "2.0"}.get(text, UNKNOWN)

    def s3_filter(self, event: Event, events: Any, filter_: Any) -> None:
        """An S3 notification's event types and object key filter rules (`Filter.S3Key.Rules`,
        each `{Name: prefix|suffix, Value: ...}`)."""
        types = self.string_list(events) if events is not None else None
        event.s3_events = types if isinstance(types, list) else None
        if filter_ is None:
            return
        cfg = self.mapping(filter_)
        key = self.mapping(cfg.get("S3Key")) if cfg is not None else None
        rules = self.tpl.decide(key.get("Rules")) if key is not None else UNKNOWN
        if cfg is None or key is None or not isinstance(rules, list):
            if self.tpl.decide(filter_) is not NO_VALUE:
                event.key_prefix = UNKNOWN
            return
        for rule in rules:
            rule = self.mapping(rule)
            name = self.tpl.resolve(rule.get("Name")) if rule is not None else UNKNOWN
            value = self.tpl.resolve(rule.get("Value")) if rule is not None else UNKNOWN
            if not isinstance(name, str) or not isinstance(value, str):
                event.key_prefix = UNKNOWN
                continue
            if name.lower() == "prefix":
                event.key_prefix = value
            elif name.lower() == "suffix":
                event.key_suffix = value

    def bucket_name(self, logical_id: str | None) -> str | None:
        """The literal BucketName of a bucket of the template."""
        if logical_id is None or self.tpl.resource_type(logical_id) != "AWS::S3::Bucket":
            return None
        name = self.tpl.resolve(self.tpl.properties(logical_id).get("BucketName"))
        return name if isinstance(name, str) else None

    def queue(self, value: Any) -> Queue | None:
        target = self.tpl.ref_target(value)
        if target is None or self.tpl.resource_type(target) != "AWS::SQS::Queue":
            return None
        props = self.tpl.properties(target)
        fifo = self.fifo(props)
        if "VisibilityTimeout" not in props:
            return Queue(target, _SQS_VISIBILITY_DEFAULT, self.resource_loc(target), fifo=fifo)
        value = self.tpl.decide(props["VisibilityTimeout"])
        timeout = (
            _int(self.tpl.resolve(value)) if value is not NO_VALUE else _SQS_VISIBILITY_DEFAULT
        )
        return Queue(
            target,
            timeout,
            self.resource_loc(target),
            self.loc(pos_of(props, "VisibilityTimeout")),
            fifo=fifo,
        )

    def fifo(self, props: dict[str, Any]) -> bool | Unknown:
        """Whether a queue is FIFO: `FifoQueue: true` (a FIFO queue's name must end `.fifo`)."""
        if props.get("FifoQueue") is None:
            name = self.tpl.resolve(props.get("QueueName"))
            return isinstance(name, str) and name.endswith(".fifo")
        flag = as_flag(self.optional(props, "FifoQueue"))
        return UNKNOWN if flag is UNKNOWN else flag is True

    # ------------------------------------------------------------ log groups

    def log_groups(
        self, functions: list[Function], props_of: Mapping[str, Mapping[str, Any]]
    ) -> None:
        groups = _GroupIndex(self.tpl, self._access_log_groups())
        for fn in functions:
            props = props_of[fn.name]
            logging = self.mapping(props.get("LoggingConfig"))
            custom = self.tpl.decide(logging.get("LogGroup")) if logging is not None else None
            if props.get("LoggingConfig") is not None and logging is None:
                custom = UNKNOWN
            if custom is not None and custom is not NO_VALUE:
                self._custom_group(fn, logging, custom, groups)
                continue
            for logical_id, known in groups.of_function(self._name_keys(fn, props)):
                fn.log_groups.append(self._group(logical_id, known))

    def _access_log_groups(self) -> set[str]:
        """Log groups an API or stage writes its access logs to: never a function's group."""
        out: set[str] = set()
        for res in self.tpl.resources.values():
            if not isinstance(res, dict) or res.get("Type") not in _ACCESS_LOG_OWNERS:
                continue
            props = res.get("Properties")
            if not isinstance(props, dict):
                continue
            for key in ("AccessLogSetting", "AccessLogSettings"):
                setting = self.mapping(props.get(key))
                target = self.tpl.ref_target(setting.get("DestinationArn")) if setting else None
                if target is not None:
                    out.add(target)
        return out

    def _custom_group(
        self, fn: Function, logging: dict[str, Any] | None, custom: Any, groups: _GroupIndex
    ) -> None:
        """LoggingConfig.LogGroup: the function writes there and nowhere else."""
        loc = self.loc(pos_of(logging, "LogGroup")) if logging is not None else fn.loc
        name = self.tpl.text(custom, symbolic_parameters=True)
        fn.logging_config_group = Prop(name if isinstance(name, str) else UNKNOWN, loc)
        found = groups.named(self.tpl.ref_target(custom), name)
        if found is not None:
            fn.log_groups.append(self._group(found, known=True))
            return
        # a group created elsewhere: its retention is not ours to judge
        fn.log_groups.append(LogGroup(name if isinstance(name, str) else UNKNOWN, UNKNOWN, loc))

    def _name_keys(self, fn: Function, props: Mapping[str, Any]) -> set[str]:
        """The names `/aws/lambda/<name>` may be written with: `${Fn}` (what `!Ref Fn` gives)
        and the FunctionName as written."""
        keys = {"${" + fn.name + "}"}
        if props.get("FunctionName") is not None:
            name = self.tpl.text(props["FunctionName"], symbolic_parameters=True)
            if isinstance(name, str):
                keys.add(name)
        return {LAMBDA_LOG_PREFIX + k for k in keys}

    def _group(self, logical_id: str, known: bool) -> LogGroup:
        gprops = self.tpl.properties(logical_id)
        name = self.tpl.text(gprops.get("LogGroupName"), symbolic_parameters=True)
        loc = self.resource_loc(logical_id)
        if not known:
            return LogGroup(UNKNOWN, UNKNOWN, loc)
        if gprops.get("RetentionInDays") is None:
            return LogGroup(name if isinstance(name, str) else UNKNOWN, None, loc)
        value = self.tpl.decide(gprops["RetentionInDays"])
        retention = None if value is NO_VALUE else _int(self.tpl.resolve(value))
        return LogGroup(
            name if isinstance(name, str) else UNKNOWN,
            retention,
            loc,
            self.loc(pos_of(gprops, "RetentionInDays")),
        )

    # ------------------------------------------------------------ other resources

    def other_resources(self) -> None:
        handlers = {
            "AWS::Lambda::Permission": self._permission,
            "AWS::Lambda::Url": self._url,
            "AWS::Lambda::EventSourceMapping": self._mapping,
            "AWS::Lambda::EventInvokeConfig": self._invoke_config,
            "AWS::ApiGateway::Method": self._rest_method,
            "AWS::ApiGatewayV2::Integration": self._v2_integration,
            "AWS::ApiGatewayV2::Api": self._v2_api,
            "AWS::ApiGateway::RestApi": self._rest_api,
            "AWS::Serverless::Api": self._rest_api,
            "AWS::Serverless::HttpApi": self._v2_api,
            "AWS::S3::Bucket": self._bucket,
            "AWS::SNS::Subscription": self._sns_subscription,
            "AWS::SNS::Topic": self._sns_topic,
            "AWS::Events::Rule": self._rule,
            "AWS::Scheduler::Schedule": self._schedule,
            "AWS::Logs::SubscriptionFilter": self._log_subscription,
            "AWS::ElasticLoadBalancingV2::TargetGroup": self._target_group,
        }
        for logical_id, res in self.tpl.resources.items():
            if not isinstance(res, dict) or not isinstance(logical_id, str):
                continue
            rtype = res.get("Type")
            handler = handlers.get(rtype) if isinstance(rtype, str) else None
            props = res.get("Properties")
            if handler is not None and isinstance(props, dict):
                handler(logical_id, props)

    def _add_event(
        self, value: Any, kind: EventKind, logical_id: str, is_async: bool = False
    ) -> list[Event]:
        added = []
        for fn in self.index.referenced(value):
            event = Event(kind, self.resource_loc(logical_id), name=logical_id, is_async=is_async)
            fn.events.append(event)
            added.append(event)
        return added

    def optional_int(self, props: dict[str, Any], key: str) -> Any:
        """An integer setting: None when absent (or AWS::NoValue), else its value or UNKNOWN."""
        if props.get(key) is None:
            return None
        value = self.tpl.decide(props[key])
        return None if value is NO_VALUE else _int(self.tpl.resolve(value))

    def seconds(self, millis: Any) -> Any:
        value = _int(self.tpl.resolve(millis))
        return value / 1000 if isinstance(value, int) else UNKNOWN

    def _add_integration(
        self,
        integration: dict[str, Any],
        keys: tuple[str, ...],
        kind: EventKind,
        logical_id: str,
        proxy_format: Any = None,
    ) -> None:
        """An API Gateway integration (a Method's `Integration`, a V2 Integration, or an OpenAPI
        `x-amazon-apigateway-integration`); `keys` name its uri, timeout, transfer mode and
        request parameters; `proxy_format` is the payload format of a Lambda proxy integration
        (Event.proxy_format)."""
        uri_key, timeout_key, mode_key, params_key = keys
        uri = integration.get(uri_key)
        params = self.mapping(integration.get(params_key)) or {}
        invocation = self.tpl.resolve(
            params.get("integration.request.header.X-Amz-Invocation-Type")
        )
        is_async = isinstance(invocation, str) and invocation.strip("'\" ") == "Event"
        timeout: Any = None
        if integration.get(timeout_key) is not None:
            timeout = self.seconds(integration[timeout_key])
        uri_text = self.tpl.text(uri)
        streamed = self.tpl.resolve(integration.get(mode_key)) == "STREAM" or (
            isinstance(uri_text, str) and "response-streaming-invocations" in uri_text
        )
        if streamed and timeout is None:
            timeout = UNKNOWN  # streamed responses may run up to 15 minutes
        for fn in self.index.referenced(uri):
            fn.events.append(
                Event(
                    kind,
                    self.resource_loc(logical_id),
                    name=logical_id,
                    is_async=is_async,
                    integration_timeout=timeout,
                    proxy_format=proxy_format,
                )
            )

    def _permission(self, logical_id: str, props: dict[str, Any]) -> None:
        fn = self.index.target(props.get("FunctionName"))
        if fn is None:
            return
        principal = self.optional(props, "Principal")
        fn.permissions.append(
            Permission(
                principal=UNKNOWN if principal is None else principal,
                loc=self.loc(
                    pos_of(props, "Principal", key_pos_of(self.tpl.resources, logical_id))
                ),
                source_arn=self.optional(props, "SourceArn"),
                source_account=self.optional(props, "SourceAccount"),
                action=self.optional(props, "Action"),
                function_url_auth_type=self.optional(props, "FunctionUrlAuthType"),
                principal_org_id=self.optional(props, "PrincipalOrgID"),
                invoked_via_function_url=as_flag(self.optional(props, "InvokedViaFunctionUrl")),
            )
        )

    def _url(self, logical_id: str, props: dict[str, Any]) -> None:
        fn = self.index.target(props.get("TargetFunctionArn"))
        if fn is None:
            return
        auth = self.optional(props, "AuthType")
        fn.url = FunctionUrl(
            auth_type=UNKNOWN if auth is None else auth,
            loc=self.resource_loc(logical_id),
            auth_type_loc=self.loc(pos_of(props, "AuthType")) if "AuthType" in props else None,
        )

    def _invoke_config(self, logical_id: str, props: dict[str, Any]) -> None:
        name = props.get("FunctionName")
        fn = self.index.target(name)
        if fn is not None:
            self.on_failure(fn, props, sam=False)
            return
        if self.tpl.ref_target(name) is not None or isinstance(self.tpl.resolve(name), str):
            return  # another stack's function
        # a config for a function lambdalint cannot tell: it may be any of them
        for other in self.functions:
            other.on_failure = other.on_failure or Prop(UNKNOWN, self.resource_loc(logical_id))

    def _mapping(self, logical_id: str, props: dict[str, Any]) -> None:
        fn = self.index.target(props.get("FunctionName"))
        if fn is None:
            return
        source = props.get("EventSourceArn")
        target = self.tpl.ref_target(source)
        kind = _MAPPING_SOURCES.get(self.tpl.resource_type(target) or "", "other")
        if target is None:
            arn = self.tpl.resolve(source)
            parts = arn.split(":") if isinstance(arn, str) else []
            kind = (
                _ARN_SERVICES.get(parts[2], "other")
                if len(parts) > 2 and parts[0] == "arn"
                else "other"
            )
        event = Event(kind, self.resource_loc(logical_id), name=logical_id, source=target)
        if kind == "sqs":
            event.queue = self.queue(source)
            if event.queue is None:
                arn = self.tpl.resolve(source)
                if isinstance(arn, str):
                    event.queue = Queue(arn.rsplit(":", 1)[-1], UNKNOWN, event.loc)
                    event.queue.fifo = arn.endswith(".fifo")
        self.mapping_settings(event, props)
        fn.events.append(event)

    def _rest_method(self, logical_id: str, props: dict[str, Any]) -> None:
        integration = self.mapping(props.get("Integration"))
        if integration is not None:
            proxy = self.rest_proxy_format(integration.get("Type"))
            self._add_integration(integration, _CFN_KEYS, "api", logical_id, proxy)

    def sam_api_proxy_format(self, props: dict[str, Any]) -> Any:
        """The payload format of a SAM `Api` event: "1.0" where SAM adds the integration;
        what the API's inline definition says for the event's path and method; UNKNOWN for a
        definition that cannot be read (DefinitionUri, AWS::Include)."""
        api_id = self.tpl.ref_target(props.get("RestApiId"))
        api = self.tpl.resources.get(api_id) if api_id is not None else None
        api_props = api.get("Properties") if isinstance(api, dict) else None
        if not isinstance(api_props, dict):
            return "1.0"
        if api_props.get("DefinitionUri") is not None:
            return UNKNOWN
        if api_props.get("DefinitionBody") is None:
            return "1.0"
        body = self.mapping(api_props.get("DefinitionBody"))
        paths = self.mapping(body.get("paths")) if body is not None else None
        if paths is None:
            return UNKNOWN
        path, method = self.tpl.resolve(props.get("Path")), self.tpl.resolve(props.get("Method"))
        if not isinstance(path, str) or not isinstance(method, str):
            return UNKNOWN
        operations = self.mapping(paths.get(path)) or {}
        operation = self.mapping(
            operations.get(method.lower())
            or operations.get("x-amazon-apigateway-any-method" if method.lower() == "any" else "")
        )
        integration = (
            self.mapping(operation.get("x-amazon-apigateway-integration"))
            if operation is not None
            else None
        )
        if integration is None:
            return "1.0"
        return self.rest_proxy_format(integration.get("type"))

    def rest_proxy_format(self, integration_type: Any) -> Any:
        """A REST API integration's payload format: "1.0" for a Lambda proxy (`AWS_PROXY`),
        None for a custom (`AWS`) integration, UNKNOWN when it cannot be told."""
        value = self.tpl.resolve(integration_type)
        if not isinstance(value, str):
            return UNKNOWN
        return {"aws_proxy": "1.0", "aws": None}.get(value.lower(), UNKNOWN)

    def _v2_integration(self, logical_id: str, props: dict[str, Any]) -> None:
        keys = ("IntegrationUri", *_CFN_KEYS[1:])
        kind = self._v2_kind(props.get("ApiId"))
        proxy: Any = None
        if kind == "http-api":
            version = self.optional(props, "PayloadFormatVersion")
            proxy = UNKNOWN if version is None else self.payload_format(version)
        self._add_integration(props, keys, kind, logical_id, proxy)

    def _v2_kind(self, api_ref: Any) -> EventKind:
        api = self.tpl.ref_target(api_ref)
        protocol = self.tpl.resolve(self.tpl.properties(api).get("ProtocolType")) if api else None
        return "api" if protocol == "WEBSOCKET" else "http-api"

    def _v2_api(self, logical_id: str, props: dict[str, Any]) -> None:
        websocket = self.tpl.resolve(props.get("ProtocolType")) == "WEBSOCKET"
        kind: EventKind = "api" if websocket else "http-api"
        if props.get("Target") is not None:  # quick create: a payload 2.0 Lambda proxy
            for event in self._add_event(props["Target"], kind, logical_id):
                event.proxy_format = None if websocket else "2.0"
        for key in ("Body", "DefinitionBody"):
            for integration in _openapi_integrations(props.get(key)):
                proxy: Any = None
                if not websocket:
                    version = self.optional(integration, "payloadFormatVersion")
                    proxy = UNKNOWN if version is None else self.payload_format(version)
                self._add_integration(integration, _OPENAPI_KEYS, kind, logical_id, proxy)

    def _rest_api(self, logical_id: str, props: dict[str, Any]) -> None:
        for key in ("Body", "DefinitionBody"):
            for integration in _openapi_integrations(props.get(key)):
                proxy = self.rest_proxy_format(integration.get("type"))
                self._add_integration(integration, _OPENAPI_KEYS, "api", logical_id, proxy)

    def _bucket(self, logical_id: str, props: dict[str, Any]) -> None:
        notes = self.mapping(props.get("NotificationConfiguration"))
        if notes is None:
            return
        for cfg in as_list(self.tpl.decide(notes.get("LambdaConfigurations"))):
            cfg = self.mapping(cfg)
            if cfg is None:
                continue
            for event in self._add_event(cfg.get("Function"), "s3", logical_id, is_async=True):
                event.source = logical_id
                event.source_name = self.bucket_name(logical_id)
                self.s3_filter(event, cfg.get("Event"), cfg.get("Filter"))

    def _sns_subscription(self, logical_id: str, props: dict[str, Any]) -> None:
        if str(self.tpl.resolve(props.get("Protocol"))).lower() == "lambda":
            for event in self._add_event(props.get("Endpoint"), "sns", logical_id, is_async=True):
                event.source = self.tpl.ref_target(props.get("TopicArn"))
                event.filtered = self.present(props, "FilterPolicy")

    def _sns_topic(self, logical_id: str, props: dict[str, Any]) -> None:
        for sub in as_list(self.tpl.decide(props.get("Subscription"))):
            sub = self.mapping(sub)
            if sub is not None and str(self.tpl.resolve(sub.get("Protocol"))).lower() == "lambda":
                for event in self._add_event(sub.get("Endpoint"), "sns", logical_id, True):
                    event.source = logical_id

    def _rule(self, logical_id: str, props: dict[str, Any]) -> None:
        scheduled = props.get("ScheduleExpression") is not None
        kind: EventKind = "schedule" if scheduled else "eventbridge"
        for target in as_list(self.tpl.decide(props.get("Targets"))):
            target = self.mapping(target)
            if target is not None:
                self._add_event(target.get("Arn"), kind, logical_id, is_async=True)

    def _schedule(self, logical_id: str, props: dict[str, Any]) -> None:
        target = self.mapping(props.get("Target"))
        if target is not None:
            self._add_event(target.get("Arn"), "schedule", logical_id, is_async=True)

    def _log_subscription(self, logical_id: str, props: dict[str, Any]) -> None:
        self._add_event(props.get("DestinationArn"), "cloudwatch-logs", logical_id)

    def _target_group(self, logical_id: str, props: dict[str, Any]) -> None:
        if self.tpl.resolve(props.get("TargetType")) != "lambda":
            return
        for target in as_list(self.tpl.decide(props.get("Targets"))):
            target = self.mapping(target)
            if target is not None:
                self._add_event(target.get("Id"), "alb", logical_id)


class _GroupIndex:
    """The template's log groups by name, built once: which of them a function writes to."""

    def __init__(self, tpl: Template, access_logs: set[str]) -> None:
        self.order: dict[str, int] = {}
        self.by_name: dict[str, list[str]] = {}  # decided name → groups, in template order
        self.first_by_name: dict[Any, str] = {}  # name as written → its first group
        # the first group whose name is not knowable and could be any function's
        self.maybe: str | None = None
        for logical_id, res in tpl.resources.items():
            if not isinstance(res, dict) or res.get("Type") not in _LOG_GROUP_TYPES:
                continue
            self.order[logical_id] = len(self.order)
            gprops = tpl.properties(logical_id)
            written = tpl.text(gprops.get("LogGroupName"), symbolic_parameters=True)
            if isinstance(written, str):
                self.first_by_name.setdefault(written, logical_id)
            if gprops.get("LogGroupName") is None:
                continue  # a generated name is never /aws/lambda/...
            name = tpl.text(tpl.decide(gprops["LogGroupName"]), symbolic_parameters=True)
            if isinstance(name, str):
                self.by_name.setdefault(name, []).append(logical_id)
            if (
                self.maybe is None
                and name is not NO_VALUE
                and logical_id not in access_logs
                and (not isinstance(name, str) or _may_be_lambda_group(name, tpl))
            ):
                self.maybe = logical_id

    def of_function(self, keys: set[str]) -> list[tuple[str, bool]]:
        """(group, known) for the groups named as the function's (`keys`), and the first group
        whose name could be any function's (known False), in template order."""
        found = {g for key in keys for g in self.by_name.get(key, ())}
        out = [(g, True) for g in found]
        if self.maybe is not None and self.maybe not in found:
            out.append((self.maybe, False))
        return sorted(out, key=lambda item: self.order[item[0]])

    def named(self, target: str | None, name: Any) -> str | None:
        """The first group that is `target` or is named `name`."""
        candidates = [g for g in (target, self.first_by_name.get(name)) if g in self.order]
        return min(candidates, key=self.order.__getitem__) if candidates else None


def _may_be_lambda_group(name: str, tpl: Template) -> bool:
    """A name built from a template parameter that may turn out to be `/aws/lambda/...`."""
    head = name.split("${", 1)[0]
    has_parameter = any(part.split("}", 1)[0] in tpl.parameters for part in name.split("${")[1:])
    return has_parameter and (
        LAMBDA_LOG_PREFIX.startswith(head) or head.startswith(LAMBDA_LOG_PREFIX)
    )


def _openapi_integrations(body: Any) -> Iterator[dict[str, Any]]:
    """Every `x-amazon-apigateway-integration` of an inline OpenAPI body."""
    if not isinstance(body, dict) or intrinsic_name(body):
        return
    stack: list[tuple[Any, int]] = [(body, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > 64:
            continue
        if isinstance(node, dict):
            integration = node.get("x-amazon-apigateway-integration")
            if isinstance(integration, dict) and "uri" in integration:
                yield integration
            stack.extend(
                (v, depth + 1) for k, v in node.items() if k != "x-amazon-apigateway-integration"
            )
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
