"""AWS SAM and CloudFormation templates (YAML or JSON, CDK's cdk.out included) → Function[]."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from lambdalint.loaders.cloudformation import foreach, inventory, resources, roles
from lambdalint.loaders.cloudformation.properties import (
    SAM_FUNCTION,
    is_sam,
    merge_globals,
)
from lambdalint.loaders.cloudformation.template import (
    MAX_TEXT,
    NO_VALUE,
    Template,
    as_list,
    intrinsic_name,
)
from lambdalint.loaders.documents import Document, LoadSession, expansion_notice, load_document
from lambdalint.loaders.suppressions import METADATA_REASON
from lambdalint.model import (
    UNKNOWN,
    CodeKind,
    CodeLocation,
    Diagnostic,
    EnvVar,
    Framework,
    Function,
    Layer,
    Loc,
    Pos,
    Prop,
)
from lambdalint.reading.positions import LMap, key_pos_of, node_count, node_pos, pos_of

CFN_FUNCTION = "AWS::Lambda::Function"
SAM_LAYER = "AWS::Serverless::LayerVersion"
CFN_LAYER = "AWS::Lambda::LayerVersion"

_MARKERS = ("Resources", "AWSTemplateFormatVersion")
_DYNAMIC_REF = re.compile(r"\{\{resolve:(secretsmanager|ssm-secure|ssm):")


def looks_like_template(text: str) -> bool:
    """A cheap test before parsing: CloudFormation templates name `Resources`."""
    return any(m in text for m in _MARKERS)


# what the text of a JSON template holds for `is_template` to be true of it: the format version
# key, a Transform (SAM's), or a resource type of CloudFormation's namespaces
_JSON_TEMPLATE_SIGN = re.compile(
    r'"AWSTemplateFormatVersion"|"Transform"\s*:|"Type"\s*:\s*"(?:AWS|Custom|Alexa)::'
)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity, which json.loads accepts


def json_cannot_be_template(text: str) -> bool:
    """True when a JSON text is certainly no template, decided without building positions:
    many JSON files name `Resources` (a vendored SDK's service models, API descriptions), and
    a position-keeping parse costs ~30x json's C parser. It is no template when its text has
    none of the marks `is_template` needs and json's parser reads data that `is_template`
    rejects (a mark spelled with `\\u` escapes is seen there). A file json cannot read is
    parsed with positions, so its error is reported as before; `Fn::ForEach` (whose loops make
    resources) always is. (A file that is no template is not held to `max-depth`: json's
    parser has its own bound.)"""
    if _JSON_TEMPLATE_SIGN.search(text) or "Fn::ForEach" in text:
        return False
    try:
        data = json.loads(text, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        return False
    return not is_template(data)


def is_template(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    resources = data.get("Resources")
    if not isinstance(resources, dict):
        return False
    if "AWSTemplateFormatVersion" in data or is_sam(data):
        return True
    for res in resources.values():
        rtype = res.get("Type") if isinstance(res, dict) else None
        if isinstance(rtype, str) and rtype.startswith(("AWS::", "Custom::", "Alexa::")):
            return True
    return False


def load(path: Path, text: str, kind: str, session: LoadSession) -> tuple[Document, list[Function]]:
    doc = load_document(path, text, kind, session)
    if isinstance(doc.data, dict) and isinstance(doc.data.get("Resources"), dict):
        foreach.expand(doc)
    if doc.data is None or not is_template(doc.data):
        return doc, []
    return doc, build_functions(doc)


def build_functions(doc: Document) -> list[Function]:
    data = doc.data
    tpl = Template(data)
    sam = is_sam(data)
    framework: Framework = "sam" if sam else "cloudformation"
    globals_fn: dict[str, Any] = LMap()
    if sam:
        g = data.get("Globals")
        if isinstance(g, dict) and isinstance(g.get("Function"), dict):
            globals_fn = g["Function"]
    if globals_fn and _globals_too_large(doc, tpl, globals_fn):
        return []
    functions: list[Function] = []
    for logical_id, res in tpl.resources.items():
        if not isinstance(res, dict) or not isinstance(logical_id, str):
            continue
        rtype = res.get("Type")
        if rtype == SAM_FUNCTION and sam:
            props = merge_globals(globals_fn, res.get("Properties"))
            functions.append(_build(doc, tpl, logical_id, res, props, framework, sam=True))
        elif rtype == CFN_FUNCTION:
            given = res.get("Properties")
            props = (
                given
                if isinstance(given, LMap)
                else LMap(res.pos if isinstance(res, LMap) else Pos())
            )
            functions.append(_build(doc, tpl, logical_id, res, props, framework, sam=False))
    # the model's later stages: each fills in what it knows
    roles.enrich(doc, tpl, functions)
    resources.enrich(doc, tpl, functions)
    if functions:
        declared = inventory.inventory(doc.path, tpl)
        for fn in functions:
            fn.resources = declared
    if tpl.over_budget:
        doc.diagnostics.append(expansion_notice(doc.path, MAX_TEXT))
    return functions


def _globals_too_large(doc: Document, tpl: Template, globals_fn: dict[str, Any]) -> bool:
    """Globals are copied into every function: 20,000 functions under 1,000 global variables
    took minutes and gigabytes from a 2 MB file. The product is held to the node budget."""
    budget = doc.limits.max_nodes
    count = sum(
        1 for r in tpl.resources.values() if isinstance(r, dict) and r.get("Type") == SAM_FUNCTION
    )
    if count < 2:
        return False
    size = node_count(globals_fn, budget // count + 1)
    if size * count <= budget:
        return False
    doc.diagnostics.append(
        Diagnostic(
            "LL100",
            f"Globals.Function ({size:,}+ values) applied to {count:,} functions expands past "
            f"the {budget:,}-value limit (max-nodes): functions not checked",
            Loc(doc.path, node_pos(globals_fn, Pos())),
        )
    )
    return True


def _prop(path: Path, tpl: Template, props: dict[str, Any], key: str) -> Prop[Any] | None:
    if key not in props:
        return None
    value = tpl.resolve(props[key])
    if value is NO_VALUE or value is None:
        return None
    return Prop(value, Loc(path, pos_of(props, key)))


def _build(
    doc: Document,
    tpl: Template,
    logical_id: str,
    res: dict[str, Any],
    props: dict[str, Any],
    framework: Framework,
    sam: bool,
) -> Function:
    path = doc.path
    res_pos = key_pos_of(tpl.resources, logical_id)
    fn = Function(name=logical_id, framework=framework, loc=Loc(path, res_pos))
    if "FunctionName" in props:
        fn.function_name = tpl.resolve(props["FunctionName"])
        fn.function_name_loc = Loc(path, pos_of(props, "FunctionName"))
    fn.runtime = _prop(path, tpl, props, "Runtime")
    fn.handler = _prop(path, tpl, props, "Handler")
    fn.timeout = _prop(path, tpl, props, "Timeout")
    fn.memory = _prop(path, tpl, props, "MemorySize")
    if props.get("CapacityProviderConfig") is not None:
        capacity = tpl.decide(props["CapacityProviderConfig"])
        fn.managed_instances = UNKNOWN if capacity is UNKNOWN else capacity is not NO_VALUE
    fn.reserved_concurrency = _prop(path, tpl, props, "ReservedConcurrentExecutions")
    pkg = tpl.resolve(props.get("PackageType", "Zip"))
    fn.package_type = pkg if isinstance(pkg, str) else "Zip"
    tracing = props.get("Tracing")
    if sam and tracing is not None:
        fn.tracing = _prop(path, tpl, props, "Tracing")
    elif isinstance(props.get("TracingConfig"), dict):
        fn.tracing = _prop(path, tpl, props["TracingConfig"], "Mode")
    fn.code = _code_location(doc, tpl, res, props, sam)
    if fn.code.build_method == "esbuild":
        fn.code.entry_points = _entry_points(tpl, res)
    elif sam and fn.code.kind == "dir":
        fn.code.production_dependencies_only = True  # sam build: npm/pip, no dev dependencies
    fn.environment, fn.environment_complete = _environment(path, tpl, props)
    fn.layers = _layers(doc, tpl, props)
    arch = props.get("Architectures")
    fn.architectures = [tpl.resolve(x) for x in as_list(arch)]
    tags = props.get("Tags")
    if isinstance(tags, dict):
        fn.tags = {str(k): tpl.resolve(v) for k, v in tags.items()}
    elif isinstance(tags, list):
        for t in tags:
            if isinstance(t, dict) and isinstance(t.get("Key"), str):
                fn.tags[t["Key"]] = tpl.resolve(t.get("Value"))
    meta = res.get("Metadata")
    if isinstance(meta, dict):
        ll = meta.get("lambdalint")
        if isinstance(ll, dict):
            for rid in as_list(ll.get("ignore")):
                if isinstance(rid, str):
                    fn.suppressed[rid] = str(ll.get("reason", METADATA_REASON))
    return fn


def _code_location(
    doc: Document, tpl: Template, res: dict[str, Any], props: dict[str, Any], sam: bool
) -> CodeLocation:
    path = doc.path
    base = path.parent
    meta = res.get("Metadata") if isinstance(res.get("Metadata"), dict) else {}
    build_method = meta.get("BuildMethod") if isinstance(meta, dict) else None
    build_method = build_method if isinstance(build_method, str) else None
    built = build_method is not None and build_method.lower() in (
        "makefile",
        "esbuild",
        "rust-cargolambda",
        "go1.x",
        "dotnet7",
    )
    if (
        tpl.resolve(props.get("PackageType")) == "Image"
        or "ImageUri" in props
        or (isinstance(props.get("Code"), dict) and "ImageUri" in props["Code"])
    ):
        return CodeLocation("image", Loc(path, pos_of(props, "PackageType")))
    if sam:
        if "InlineCode" in props:
            src = tpl.resolve(props["InlineCode"])
            return CodeLocation(
                "inline",
                Loc(path, pos_of(props, "InlineCode")),
                inline_source=src if isinstance(src, str) else None,
                inline_loc=Loc(path, _inline_start(doc, pos_of(props, "InlineCode"))),
            )
        if "CodeUri" not in props:
            return CodeLocation(
                "dir",
                Loc(path, pos_of(props, "Handler")),
                path=base,
                built=built,
                build_method=build_method,
                declared=".",
            )
        uri = props["CodeUri"]
        loc = Loc(path, pos_of(props, "CodeUri"))
        if isinstance(uri, dict) and not intrinsic_name(uri):
            return CodeLocation("s3", loc)
        value = tpl.resolve(uri)
        return _local_code(value, base, loc, built, build_method)
    code = props.get("Code")
    loc = Loc(path, pos_of(props, "Code"))
    if isinstance(code, str):
        return _local_code(code, base, loc, built, build_method)
    if isinstance(code, dict) and not intrinsic_name(code):
        if "ZipFile" in code:
            src = tpl.resolve(code["ZipFile"])
            return CodeLocation(
                "inline",
                Loc(path, pos_of(code, "ZipFile")),
                inline_source=src if isinstance(src, str) else None,
                inline_loc=Loc(path, _inline_start(doc, pos_of(code, "ZipFile"))),
            )
        asset = meta.get("aws:asset:path") if isinstance(meta, dict) else None
        if isinstance(asset, str) and _exists(base / asset):
            # a CDK synthesized template: the asset folder sits next to it in cdk.out
            return _local_code(asset, base, loc, built, build_method)
        return CodeLocation("s3", loc)
    return CodeLocation("unknown", loc)


def _layers(doc: Document, tpl: Template, props: dict[str, Any]) -> list[Layer]:
    raw = props.get("Layers")
    if raw is None:
        return []
    if not isinstance(raw, list):  # !If, !Split, a list parameter: the layers are not known
        value = tpl.resolve(raw)
        if value is NO_VALUE:
            return []
        return [Layer(UNKNOWN, Loc(doc.path, pos_of(props, "Layers")), "given by an expression")]
    out: list[Layer] = []
    for i, item in enumerate(raw):
        loc = Loc(doc.path, pos_of(raw, i))
        target = tpl.ref_target(item)
        if target is not None and tpl.resource_type(target) in (SAM_LAYER, CFN_LAYER):
            out.append(_layer_resource(doc, tpl, target, loc))
            continue
        value = tpl.resolve(item)
        if value is NO_VALUE:
            continue
        optional = intrinsic_name(item) == "Fn::If" and tpl.decide(item) is UNKNOWN
        text = _layer_text(item)
        ref = value if isinstance(value, str) else UNKNOWN
        out.append(Layer(ref, loc, text, optional=optional))
    return out


def _layer_text(item: Any) -> str:
    """A layer reference as a reader would recognise it: the ARN, or the text of `!Sub`."""
    name = intrinsic_name(item)
    if name is None:
        return str(item)
    arg = item[name]
    if name == "Fn::Sub":
        arg = arg[0] if isinstance(arg, list) and arg else arg
    return arg if isinstance(arg, str) else str(item)


# SAM builds a layer with a runtime's BuildMethod into the folder that runtime reads
# (aws-sam-cli `get_layer_subfolder`): the ContentUri files and installed dependencies
_SAM_LAYER_PREFIX = {"python": "python", "nodejs": "nodejs", "ruby": "ruby/lib", "java": "java"}


def _layer_resource(doc: Document, tpl: Template, logical_id: str, loc: Loc) -> Layer:
    """A layer defined in the template: its content, when it is a local folder or zip."""
    res = tpl.resource(logical_id) or {}
    props = tpl.properties(logical_id)
    meta = res.get("Metadata")
    meta = meta if isinstance(meta, dict) else {}
    base = doc.path.parent
    value: Any = None
    if res.get("Type") == SAM_LAYER:
        value = tpl.resolve(props.get("ContentUri"))
    else:
        value = tpl.resolve(props.get("Content"))
        asset = meta.get("aws:asset:path")
        if isinstance(value, dict) and isinstance(asset, str):
            value = asset  # a CDK asset: the folder sits next to the template in cdk.out
    if not isinstance(value, str) or not value or value.startswith(("s3://", "https://")):
        return Layer(UNKNOWN, loc, logical_id)
    if "{{" in value or not _exists(base / value):
        return Layer(UNKNOWN, loc, logical_id)
    method = meta.get("BuildMethod")
    method = method.lower() if isinstance(method, str) else None
    if method == "makefile":
        return Layer(UNKNOWN, loc, logical_id)  # the Makefile decides what the layer holds
    prefix = ""
    if method is not None:
        prefix = next((p for rt, p in _SAM_LAYER_PREFIX.items() if method.startswith(rt)), "")
    return Layer(UNKNOWN, loc, logical_id, base / value, prefix, built=method is not None)


def _entry_points(tpl: Template, res: dict[str, Any]) -> list[str] | None:
    """SAM esbuild `Metadata.BuildProperties.EntryPoints`: None when absent, [] when present
    but not a list of plain strings."""
    meta = res.get("Metadata")
    props = meta.get("BuildProperties") if isinstance(meta, dict) else None
    if not isinstance(props, dict) or "EntryPoints" not in props:
        return None
    entries = [tpl.resolve(e) for e in as_list(props["EntryPoints"])]
    return entries if entries and all(isinstance(e, str) for e in entries) else []


def _inline_start(doc: Document, value_pos: Pos) -> Pos:
    """Inline source in a block scalar (`ZipFile: |`) starts on the line after the key."""
    line = doc.line(value_pos.line)
    if line:
        rest = line[value_pos.column - 1 :].strip()
        if rest[:1] in ("|", ">"):
            return Pos(value_pos.line + 1, 1)
        if rest.startswith(("!Sub", "!Join")) and rest.rstrip().endswith(("|", "|-", ">")):
            return Pos(value_pos.line + 1, 1)
    return value_pos


def _exists(path: Path, file: bool = False) -> bool:
    """`path.exists()`/`is_file()` for a path built from template text, which may be no
    possible file name at all (a NUL byte, 5,000 characters)."""
    try:
        return path.is_file() if file else path.exists()
    except (OSError, ValueError):
        return False


def _local_code(
    value: Any, base: Path, loc: Loc, built: bool, build_method: str | None
) -> CodeLocation:
    if not isinstance(value, str):
        return CodeLocation("unknown", loc, built=built, build_method=build_method)
    if value.startswith("s3://") or value.startswith("https://"):
        return CodeLocation("s3", loc)
    if "{{" in value:
        return CodeLocation("unknown", loc)
    target = base / value
    lower = value.lower()
    kind: CodeKind
    if lower.endswith(".zip"):
        kind = "zip"
    elif lower.endswith((".jar", ".war")):
        kind = "jar"
    elif _exists(target, file=True):
        kind = "file"
    else:
        kind = "dir"
    return CodeLocation(
        kind, loc, path=target, built=built, build_method=build_method, declared=value
    )


def _environment(
    path: Path, tpl: Template, props: dict[str, Any]
) -> tuple[dict[str, EnvVar], bool]:
    env = props.get("Environment")
    if env is None:
        return {}, True
    if not isinstance(env, dict) or intrinsic_name(env):
        return {}, False
    variables = env.get("Variables")
    if variables is None:
        return {}, True
    if not isinstance(variables, dict) or intrinsic_name(variables):
        return {}, False
    out: dict[str, EnvVar] = {}
    for name, raw in variables.items():
        if not isinstance(name, str):
            continue
        env = classify_env_value(name, raw, tpl, Loc(path, pos_of(variables, name)))
        if env.kind != "dynamic-reference":
            text = tpl.text(raw)
            env.text = text if isinstance(text, str) else None
        out[name] = env
    return out, True


def classify_env_value(name: str, raw: Any, tpl: Template, loc: Loc) -> EnvVar:
    """Literal, dynamic reference, template parameter, reference to a resource, or unknown."""
    fn_name = intrinsic_name(raw)
    if fn_name is None:
        if isinstance(raw, bool):
            return EnvVar(name, "true" if raw else "false", loc)
        if isinstance(raw, (str, int, float)):
            text = str(raw)
            if _DYNAMIC_REF.search(text):
                return EnvVar(name, text, loc, kind="dynamic-reference")
            return EnvVar(name, text, loc)
        if raw is None:
            return EnvVar(name, "", loc)
        return EnvVar(name, UNKNOWN, loc, kind="unknown")
    resource = tpl.ref_target(raw)
    if resource is not None:
        value = tpl.resolve(raw)
        return EnvVar(
            name, value if isinstance(value, str) else UNKNOWN, loc, "reference", resource=resource
        )
    if fn_name == "Ref":
        target = raw["Ref"]
        param = tpl.parameter(target) if isinstance(target, str) else None
        if param is not None:
            no_echo = param.get("NoEcho")
            return EnvVar(
                name,
                UNKNOWN,
                loc,
                kind="parameter",
                parameter=target,
                parameter_no_echo=no_echo is True or str(no_echo).lower() == "true",
            )
        return EnvVar(name, UNKNOWN, loc, kind="reference")
    if fn_name == "Fn::Sub":
        arg = raw["Fn::Sub"]
        text = arg[0] if isinstance(arg, list) and arg else arg
        if isinstance(text, str) and _DYNAMIC_REF.search(text):
            return EnvVar(name, text, loc, kind="dynamic-reference")
        whole = (
            re.fullmatch(r"\$\{([A-Za-z0-9]+)\}", text.strip()) if isinstance(text, str) else None
        )
        if whole and not isinstance(arg, list) and tpl.parameter(whole.group(1)) is not None:
            # !Sub "${Param}" is !Ref Param
            return classify_env_value(name, {"Ref": whole.group(1)}, tpl, loc)
    value = tpl.resolve(raw)
    if isinstance(value, str):
        if _DYNAMIC_REF.search(value):
            return EnvVar(name, value, loc, kind="dynamic-reference")
        return EnvVar(name, value, loc, kind="reference")
    return EnvVar(name, UNKNOWN, loc, kind="reference" if fn_name == "Fn::GetAtt" else "unknown")
