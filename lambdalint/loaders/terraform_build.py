"""Terraform resources → Function[]: shared by the HCL, JSON and plan front ends.

A function is an `aws_lambda_function`; the resources around it are found by following the
references between them (`role = aws_iam_role.fn.arn`, a log group named
`/aws/lambda/${aws_lambda_function.fn.function_name}`, an event source mapping whose
`function_name` points back at the function ...). Links are made only through references or
equal names, never by guessing from proximity.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from lambdalint.loaders import policy_document
from lambdalint.loaders.document import LList, LMap, inside_tree, read_text
from lambdalint.loaders.terraform_model import (
    Call,
    FileText,
    Opaque,
    Resolved,
    Resource,
    Scope,
    SourceText,
    TfFile,
    blocks,
    first_block,
    refs_in,
)
from lambdalint.model import (
    UNKNOWN,
    CodeLocation,
    Diagnostic,
    EnvVar,
    Event,
    Function,
    FunctionUrl,
    Layer,
    Loc,
    LogGroup,
    ManagedPolicy,
    Permission,
    Pos,
    Prop,
    Queue,
    Role,
    Statement,
)
from lambdalint.numeric import setting

LAMBDA = "aws_lambda_function"
MAX_FOLDER_FILES = 500
_CACHE_LIMIT = 4000
_cache: dict[tuple[str, int, int], tuple[TfFile | None, list[Diagnostic]]] = {}
_mentions: dict[tuple[str, tuple[tuple[str, int, int], ...]], bool] = {}

# AWS managed policy ARNs start like this; any other ARN is a policy lambdalint cannot read
AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"


# ---------------------------------------------------------------- files and folders


def _is_override(name: str) -> bool:
    stem = name.lower().removesuffix(".json").removesuffix(".tf")
    return stem == "override" or stem.endswith("_override")


def parse_source(path: Path, text: str) -> tuple[TfFile, list[Diagnostic]]:
    """Parse a .tf or .tf.json file; raises the front end's error on bad syntax."""
    from lambdalint.loaders import terraform_hcl, terraform_json

    if path.name.lower().endswith(".tf.json"):
        return terraform_json.parse_file(path, text)
    return terraform_hcl.parse_file(path, text), []


def _parse_cached(path: Path, text: str) -> tuple[TfFile | None, list[Diagnostic]]:
    """Parse once per process however many files of the folder ask for it.

    Returns (None, [LL100]) for bad syntax."""
    from lambdalint.loaders.terraform_hcl import HclError
    from lambdalint.loaders.terraform_json import TfJsonError

    try:
        key = (str(path.resolve()), len(text), hash(text))
    except (OSError, RuntimeError):
        key = (str(path), len(text), hash(text))
    if key in _cache:
        return _cache[key]
    result: tuple[TfFile | None, list[Diagnostic]]
    try:
        result = parse_source(path, text)
    except (HclError, TfJsonError) as exc:
        result = None, [Diagnostic("LL100", exc.message, Loc(path, exc.pos))]
    if len(_cache) > _CACHE_LIMIT:
        _cache.clear()
    _cache[key] = result
    return result


def parse_sibling(path: Path) -> TfFile | None:
    """Another file of the module folder (its own errors are reported when it is loaded)."""
    text, _ = read_text(path)
    if text is None:
        return None
    return _parse_cached(path, text)[0]


def _mentions_lambda(text: str) -> bool:
    return LAMBDA in text or "lambda/aws" in text or "terraform-aws-lambda" in text


def _is_lambda_module(source: str) -> bool:
    from lambdalint.loaders.terraform_modules import is_lambda_module

    return is_lambda_module(source)


def _folder_mentions_lambda(folder: Path) -> bool:
    """Whether any .tf/.tf.json file of the folder names a Lambda function (cheap: no parse)."""
    files = folder_files(folder)
    stamp: list[tuple[str, int, int]] = []
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        stamp.append((path.name, st.st_mtime_ns, st.st_size))
    key = (str(folder), tuple(stamp))
    if key not in _mentions:
        found = False
        for path in files:
            text, _ = read_text(path)
            if text is not None and _mentions_lambda(text):
                found = True
                break
        if len(_mentions) > _CACHE_LIMIT:
            _mentions.clear()
        _mentions[key] = found
    return _mentions[key]


def folder_files(folder: Path) -> list[Path]:
    """The .tf and .tf.json files of a module folder of the checked tree (a folder out of it,
    or a file linked out of it, is not looked at: its files would not be read)."""
    if not inside_tree(folder):
        return []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    out = []
    for name in names:
        lower = name.lower()
        if lower.endswith((".tf", ".tf.json")) and not _is_override(name):
            p = folder / name
            if inside_tree(p) and p.is_file():
                out.append(p)
    return out[:MAX_FOLDER_FILES]


def tfvars(folder: Path) -> dict[str, Any]:
    """Values Terraform loads automatically: terraform.tfvars(.json), *.auto.tfvars(.json)."""
    from lambdalint.loaders import terraform_hcl

    out: dict[str, Any] = {}
    if not inside_tree(folder):
        return out
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return out
    auto = [n for n in names if n in ("terraform.tfvars", "terraform.tfvars.json")]
    auto += [n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json"))]
    for name in auto:
        text, _ = read_text(folder / name)
        if text is None:
            continue
        out.update(terraform_hcl.parse_attributes(folder / name, text))
    return out


def folder_scope(path: Path, own: TfFile) -> Scope:
    """The module `path` belongs to: every .tf/.tf.json file of its folder."""
    folder = path.parent
    files = [own]
    for other in folder_files(folder):
        if other.name == path.name:
            continue
        tf = parse_sibling(other)
        if tf is not None:
            files.append(tf)
    return Scope(folder, files, tfvars(folder))


def load_source_file(path: Path, text: str) -> tuple[list[Function], list[Diagnostic]]:
    """The loader entry point of the HCL and JSON front ends.

    A module folder without any Lambda function is not parsed at all: most Terraform in a
    repository is other infrastructure, and parsing it would only cost time."""
    if not _mentions_lambda(text) and not _folder_mentions_lambda(path.parent):
        return [], []
    tf, diags = _parse_cached(path, text)
    diags = list(diags)
    if tf is None:
        return [], diags
    if _is_override(path.name) or not (
        any(r.type == LAMBDA for r in tf.resources) or any(_is_lambda_module(m.type) for m in tf.module_calls)
    ):
        return [], diags
    scope = folder_scope(path, tf)
    return build_functions(scope, "terraform", only_path=path), diags


# ---------------------------------------------------------------- functions


def build_functions(scope: Scope, framework: str, only_path: Path | None = None) -> list[Function]:
    # the module support builds on this module's functions: imported here
    from lambdalint.loaders import terraform_modules

    terraform_modules.register(scope)
    out = []
    for res in scope.all(LAMBDA):
        if only_path is not None and res.path != only_path:
            continue
        out.append(build_function(scope, res, framework))
    out.extend(terraform_modules.functions(scope, framework, only_path))
    return out


def build_function(scope: Scope, res: Resource, framework: str) -> Function:
    body = res.body
    fn = Function(name=res.address, framework=framework, loc=res.loc)
    if body.get("function_name") is not None:
        fn.function_name = _string_or_unknown(scope.evaluate(body["function_name"]))
    fn.runtime = _prop(scope, res, body, "runtime")
    fn.handler = _prop(scope, res, body, "handler")
    fn.timeout = _prop(scope, res, body, "timeout")
    fn.memory = _prop(scope, res, body, "memory_size")
    concurrency = _prop(scope, res, body, "reserved_concurrent_executions")
    fn.reserved_concurrency = None if concurrency is not None and concurrency.value == -1 else concurrency
    package = scope.evaluate(body.get("package_type"))
    fn.package_type = "Image" if package == "Image" else "Zip"
    tracing = first_block(body, "tracing_config")
    if tracing is not None:
        fn.tracing = _prop(scope, res, tracing, "mode")
    dlq = first_block(body, "dead_letter_config")
    if dlq is not None and dlq.get("target_arn") is not None:
        fn.dead_letter = Prop(link_value(scope, dlq["target_arn"]), res.loc_of(dlq, "target_arn"))
    logging = first_block(body, "logging_config")
    if logging is not None and logging.get("log_group") is not None:
        fn.logging_config_group = Prop(link_value(scope, logging["log_group"]), res.loc_of(logging, "log_group"))
    fn.layers = layers(scope, res)
    fn.architectures = _list_values(scope, body.get("architectures"))
    tags = scope.evaluate(body.get("tags"))
    if isinstance(tags, dict):
        fn.tags = {str(k): _plain(v) for k, v in tags.items() if isinstance(k, str)}
    fn.code = code_location(scope, res)
    fn.environment, fn.environment_complete = environment(scope, res)
    fn.role = role(scope, res)
    fn.log_groups = log_groups(scope, res)
    fn.events = events(scope, res)
    fn.permissions = permissions(scope, res)
    fn.url = function_url(scope, res)
    fn.on_failure = on_failure(scope, res)
    fn.suppressed = dict(res.suppressed)
    return fn


def _string_or_unknown(value: Any) -> Any:
    return str(value) if isinstance(value, str) else UNKNOWN


def _plain(value: Any) -> Any:
    """Model values are plain: a SourceText (str with a position) becomes a str."""
    return str(value) if isinstance(value, str) else value


def _prop(scope: Scope, res: Resource, body: LMap, key: str) -> Prop[Any] | None:
    if key not in body or body[key] is None:
        return None
    value = scope.evaluate(body[key])
    if value is None:
        return None
    return Prop(_plain(value), res.loc_of(body, key))


def link_value(scope: Scope, expr: Any) -> Any:
    """A value whose presence matters more than its text (a DLQ ARN, a log group name):
    the evaluated string, else its symbolic form (`${aws_sqs_queue.dlq.arn}`)."""
    value = scope.evaluate(expr)
    if isinstance(value, str):
        return str(value)
    rendered = scope.render(expr)
    return rendered if rendered else UNKNOWN


def _list_values(scope: Scope, expr: Any) -> list[Any]:
    value = scope.evaluate(expr)
    if isinstance(value, list):
        return [str(v) if isinstance(v, str) else UNKNOWN for v in value]
    return []


def points_at(scope: Scope, expr: Any, target: Resource) -> bool:
    """Whether an expression refers to `target` (by traversal)."""
    for ref in refs_in(expr):
        res, _ = scope.target(ref)
        if res is target:
            return True
    return False


def names_function(scope: Scope, expr: Any, fn_res: Resource) -> bool:
    """A `function_name`/ARN attribute that designates this function: by reference, or by the
    same literal (or same symbolic) function name."""
    if expr is None:
        return False
    if points_at(scope, expr, fn_res):
        return True
    mine = scope.render(fn_res.body.get("function_name"))
    theirs = scope.render(expr)
    if not mine or not theirs:
        return False
    if theirs == mine:
        return True
    # a literal ARN ending in :function:<name>
    return theirs.endswith(":function:" + mine)


# ---------------------------------------------------------------- layers


def layers(scope: Scope, res: Resource) -> list[Layer]:
    body = res.body
    raw = body.get("layers")
    if raw is None:
        return []
    if not isinstance(raw, LList):
        value = scope.evaluate(raw)  # concat(...), a variable: the list may still be known
        if isinstance(value, list):
            return [_layer_value(scope, v, res.loc_of(body, "layers")) for v in value]
        return [Layer(UNKNOWN, res.loc_of(body, "layers"), "given by an expression")]
    out = []
    for i, item in enumerate(raw):
        loc = Loc(res.path, raw.item_pos[i] if i < len(raw.item_pos) else raw.pos)
        layer, _ = scope.first_target(item, ("aws_lambda_layer_version",))
        if layer is not None:
            out.append(_layer_resource(scope, layer, loc))
        else:
            out.append(_layer_value(scope, item, loc))
    return out


def _layer_value(scope: Scope, expr: Any, loc: Loc) -> Layer:
    value = scope.evaluate(expr)
    if isinstance(value, str):
        return Layer(str(value), loc, str(value))
    return Layer(UNKNOWN, loc, scope.render(expr) or "given by an expression")


def _layer_resource(scope: Scope, layer: Resource, loc: Loc) -> Layer:
    """An `aws_lambda_layer_version` of the module: its content when `filename` is a local zip
    or an `archive_file` of a local folder or file."""
    code = _filename_code(scope, layer, layer.body)
    content = code.path if code.kind in ("dir", "zip") and code.path is not None else None
    try:
        if content is not None and not content.exists():
            content = None  # produced by a build step, or not there at all: cannot be opened
    except (OSError, ValueError):
        content = None
    return Layer(UNKNOWN, loc, layer.address, content)


# ---------------------------------------------------------------- code location


def code_location(scope: Scope, res: Resource) -> CodeLocation:
    body = res.body
    if scope.evaluate(body.get("package_type")) == "Image" or body.get("image_uri") is not None:
        return CodeLocation("image", res.loc_of(body, "image_uri"))
    if body.get("s3_bucket") is not None:
        return CodeLocation("s3", res.loc_of(body, "s3_bucket"))
    return _filename_code(scope, res, body)


def _filename_code(scope: Scope, res: Resource, body: LMap) -> CodeLocation:
    """The code named by `filename`: a local zip, or the source of an `archive_file`."""
    raw = body.get("filename")
    if raw is None:
        return CodeLocation("unknown", res.loc)
    loc = res.loc_of(body, "filename")
    archive, rest = scope.first_target(raw, ("archive_file",), mode="data")
    if archive is None:
        archive, rest = scope.first_target(raw, ("archive_file",))
    if archive is not None:
        if rest and rest[0] not in ("output_path",):
            return CodeLocation("unknown", loc)
        return _archive_code(scope, archive, loc)
    value = scope.evaluate(raw)
    if not isinstance(value, str) or not value:
        return CodeLocation("unknown", loc)
    path = scope.resolve_path(str(value))
    lower = value.lower()
    kind = "jar" if lower.endswith((".jar", ".war")) else "zip"
    return CodeLocation(kind, loc, path=path, declared=str(value))


def _archive_code(scope: Scope, archive: Resource, fallback: Loc) -> CodeLocation:
    body = archive.body
    for key, kind in (("source_dir", "dir"), ("source_file", "file")):
        if body.get(key) is None:
            continue
        loc = archive.loc_of(body, key)
        value = scope.evaluate(body[key])
        if not isinstance(value, str) or not value:
            return CodeLocation("unknown", loc)
        return CodeLocation(kind, loc, path=scope.resolve_path(str(value)), declared=str(value))
    return CodeLocation("unknown", fallback)  # `source { content = ... }` blocks


# ---------------------------------------------------------------- environment


def environment(scope: Scope, res: Resource) -> tuple[dict[str, Any], bool]:
    body = res.body
    if "dynamic:environment" in body:
        return {}, False
    env = first_block(body, "environment")
    if env is None:
        return {}, True
    if "variables" not in env or env["variables"] is None:
        return {}, True
    raw = env["variables"]
    complete = True
    if not isinstance(raw, LMap):
        raw = scope.evaluate(raw)  # merge({...}, {...}) of known maps
        if not isinstance(raw, LMap):
            return {}, False
    out: dict[str, EnvVar] = {}
    for name, expr in raw.items():
        if not isinstance(name, str):
            complete = False
            continue
        loc = Loc(res.path, raw.value_pos.get(name, raw.pos))
        out[name] = classify_env(scope, name, expr, loc)
    return out, complete


def classify_env(scope: Scope, name: str, expr: Any, loc: Loc) -> EnvVar:
    """literal (written in the configuration), parameter (from an input variable), reference
    (from another resource or data source), or unknown."""
    if isinstance(expr, Opaque):
        return EnvVar(name, UNKNOWN, loc, kind="unknown")
    text = _env_text(scope.evaluate(expr))
    refs = list(refs_in(expr))
    if not refs and not isinstance(expr, Call):
        return EnvVar(name, text, loc) if text is not UNKNOWN else EnvVar(name, UNKNOWN, loc, kind="unknown")
    heads = {r.parts[0] for r in refs if r.parts}
    if heads <= {"local", "path"} and text is not UNKNOWN:
        return EnvVar(name, text, loc)
    variables = [str(r.parts[1]) for r in refs if len(r.parts) > 1 and r.parts[0] == "var"]
    if variables and heads <= {"var", "local", "path"}:
        sensitive = any(v in scope.variables and scope.variables[v].sensitive for v in variables)
        return EnvVar(name, text, loc, kind="parameter", parameter=variables[0], parameter_no_echo=sensitive)
    if refs:
        if isinstance(expr, Resolved):
            # a planned value read from another resource or data source (a secret's
            # secret_string, a generated password): not something written in the configuration
            text = UNKNOWN
        return EnvVar(name, text, loc, kind="reference")
    return EnvVar(name, UNKNOWN, loc, kind="unknown")


def _env_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if value is None:
        return ""
    return UNKNOWN


# ---------------------------------------------------------------- IAM


def role(scope: Scope, res: Resource) -> Role | None:
    raw = res.body.get("role")
    if raw is None:
        return None
    loc = res.loc_of(res.body, "role")
    role_res, _ = scope.first_target(raw, ("aws_iam_role",))
    if role_res is None:
        rendered = scope.render(raw)
        return Role(known=False, loc=loc, name=rendered)
    out = Role(known=True, loc=role_res.loc, name=role_res.address)
    body = role_res.body
    if "dynamic:inline_policy" in body:
        out.incomplete = True
    for block in blocks(body, "inline_policy"):
        if block.get("policy") not in (None, ""):
            _add_policy(scope, out, block["policy"], role_res, block, "policy", f"{role_res.address} inline_policy")
    if body.get("managed_policy_arns") is not None:
        attach_policy_list(scope, out, body["managed_policy_arns"], role_res, body, "managed_policy_arns")
    for rp in scope.all("aws_iam_role_policy"):
        if _names_role(scope, rp.body.get("role"), role_res):
            if rp.body.get("policy") is None:
                out.incomplete = True
                continue
            _add_policy(scope, out, rp.body["policy"], rp, rp.body, "policy", rp.address)
    for att in scope.all("aws_iam_role_policy_attachment"):
        if _names_role(scope, att.body.get("role"), role_res):
            attach_policy(scope, out, att.body.get("policy_arn"), att, att.body, "policy_arn")
    for att in scope.all("aws_iam_policy_attachment"):
        roles = att.body.get("roles")
        if roles is not None and _names_role(scope, roles, role_res):
            attach_policy(scope, out, att.body.get("policy_arn"), att, att.body, "policy_arn")
    for att in scope.all("aws_iam_role_policy_attachments_exclusive"):
        if _names_role(scope, att.body.get("role_name"), role_res):
            attach_policy_list(scope, out, att.body.get("policy_arns"), att, att.body, "policy_arns")
    return out


def _names_role(scope: Scope, expr: Any, role_res: Resource) -> bool:
    if expr is None:
        return False
    if points_at(scope, expr, role_res):
        return True
    name = scope.evaluate(role_res.body.get("name"))
    value = scope.evaluate(expr)
    if isinstance(name, str) and name:
        if value == name:
            return True
        if isinstance(value, list) and name in value:
            return True
    return False


def attach_policy_list(scope: Scope, out: Role, expr: Any, owner: Resource, body: LMap, key: str) -> None:
    if isinstance(expr, LList):
        for i, item in enumerate(expr):
            pos = expr.item_pos[i] if i < len(expr.item_pos) else expr.pos
            attach_policy(scope, out, item, owner, body, key, Loc(owner.path, pos))
        return
    value = scope.evaluate(expr)
    if isinstance(value, list):
        for item in value:
            attach_policy(scope, out, item, owner, body, key)
    elif expr is not None:
        out.incomplete = True


def attach_policy(scope: Scope, out: Role, expr: Any, owner: Resource, body: LMap, key: str, loc: Loc | None = None) -> None:
    """A policy attached by ARN: an aws_iam_policy in the configuration, or a managed policy."""
    loc = loc or owner.loc_of(body, key)
    if expr is None:
        out.incomplete = True
        return
    policy_res, _ = scope.first_target(expr, ("aws_iam_policy",))
    if policy_res is not None:
        if policy_res.body.get("policy") is None:
            out.incomplete = True
            return
        _add_policy(scope, out, policy_res.body["policy"], policy_res, policy_res.body, "policy", policy_res.address)
        return
    data_policy, _ = scope.first_target(expr, ("aws_iam_policy",), mode="data")
    if data_policy is not None:
        expr = data_policy.body.get("arn") or data_policy.body.get("name")
    value = scope.evaluate(expr)
    if not isinstance(value, str) or not value:
        out.incomplete = True
        return
    out.managed_policies.append(ManagedPolicy(str(value), loc))
    if not str(value).startswith(AWS_MANAGED_PREFIX):
        out.incomplete = True  # a customer managed policy defined elsewhere


def _add_policy(scope: Scope, out: Role, expr: Any, owner: Resource, body: LMap, key: str, source: str) -> None:
    stmts, complete = policy_statements(scope, expr, owner, body, key, source)
    out.statements.extend(stmts)
    if not complete:
        out.incomplete = True


def policy_statements(
    scope: Scope, expr: Any, owner: Resource, body: LMap, key: str, source: str, depth: int = 0
) -> tuple[list[Statement], bool]:
    """The statements of a `policy` attribute: jsonencode({...}), a JSON string or heredoc,
    file("policy.json"), or data.aws_iam_policy_document.x.json."""
    fallback = owner.loc_of(body, key)
    if depth > 8:
        return [], False
    doc_res, rest = scope.first_target(expr, ("aws_iam_policy_document",), mode="data")
    if doc_res is not None and (not rest or rest[0] in ("json", "minified_json")):
        return document_statements(scope, doc_res, depth + 1)
    if isinstance(expr, Call) and expr.name == "jsonencode" and len(expr.args) == 1:
        doc = scope.evaluate_named(expr.args[0])
        if isinstance(doc, LMap) and fallback.path == owner.path:
            return policy_document.statements(doc, owner.path, fallback.pos, source)
        return policy_document.statements(doc, owner.path, fallback.pos, source, pos_map=lambda _: fallback.pos)
    value = scope.evaluate(expr)
    if isinstance(value, FileText):  # file("policy.json"), directly or through a local
        data, shift = policy_document.parse_text(value.text, value.path, Pos(1, 1))
        return policy_document.statements(data, value.path, Pos(1, 1), source, pos_map=shift)
    if not isinstance(value, str):
        return [], False
    start = value.start if isinstance(value, SourceText) and value.verbatim else None
    data, shift = policy_document.parse_text(str(value), owner.path, start)
    if start is None:
        shift = lambda _: fallback.pos
    return policy_document.statements(data, owner.path, fallback.pos, source, pos_map=shift)


def document_statements(scope: Scope, doc_res: Resource, depth: int = 0) -> tuple[list[Statement], bool]:
    """An aws_iam_policy_document data source: its statement blocks, plus the documents it
    merges (source_policy_documents / override_policy_documents)."""
    body = doc_res.body
    source = doc_res.address
    complete = "dynamic:statement" not in body
    out: list[Statement] = []
    for key in ("source_policy_documents", "override_policy_documents"):
        items = body.get(key)
        if items is None:
            continue
        if not isinstance(items, LList):
            complete = False
            continue
        for item in items:
            stmts, ok = policy_statements(scope, item, doc_res, body, key, source, depth + 1)
            out.extend(stmts)
            complete = complete and ok
    for key in ("source_json", "override_json"):
        if body.get(key) is not None:
            stmts, ok = policy_statements(scope, body[key], doc_res, body, key, source, depth + 1)
            out.extend(stmts)
            complete = complete and ok
    for block in blocks(body, "statement"):
        effect = scope.evaluate(block.get("effect", "Allow"))
        actions, a_unknown = policy_document.strings(scope.evaluate(block.get("actions")))
        not_actions, na_unknown = policy_document.strings(scope.evaluate(block.get("not_actions")))
        resources, r_unknown = policy_document.strings(scope.evaluate_named(block.get("resources")))
        not_resources, nr_unknown = policy_document.strings(scope.evaluate_named(block.get("not_resources")))
        dynamic = any(str(k).startswith("dynamic:") for k in block)
        out.append(
            Statement(
                effect=str(effect) if isinstance(effect, str) else "Allow",
                actions=actions,
                resources=resources,
                loc=Loc(doc_res.path, block.pos),
                not_actions=not_actions,
                not_resources=not_resources,
                has_condition=bool(blocks(block, "condition")) or "dynamic:condition" in block,
                actions_unknown=a_unknown or na_unknown or not isinstance(effect, str) or dynamic,
                resources_unknown=r_unknown or nr_unknown,
                source=source,
                action_loc=_block_loc(doc_res, block, ("actions", "not_actions")),
                resource_loc=_block_loc(doc_res, block, ("resources", "not_resources")),
            )
        )
    return out, complete


def _block_loc(res: Resource, block: LMap, keys: tuple[str, ...]) -> Loc | None:
    for key in keys:
        if block.get(key) is not None:
            return res.loc_of(block, key)
    return None


# ---------------------------------------------------------------- logs


def log_groups(scope: Scope, res: Resource) -> list[LogGroup]:
    """Log groups that receive this function's logs: `/aws/lambda/<function_name>` (literal or
    built from the function's own name) or the group named by logging_config.log_group."""
    name = scope.render(res.body.get("function_name"))
    expected = "/aws/lambda/" + name if name else None
    logging = first_block(res.body, "logging_config")
    custom = logging.get("log_group") if logging is not None else None
    custom_name = scope.render(custom) if custom is not None else None
    out = []
    for lg in scope.all("aws_cloudwatch_log_group"):
        lg_name = scope.render(lg.body.get("name"))
        matches = lg_name is not None and lg_name in (expected, custom_name)
        if custom is not None and points_at(scope, custom, lg):
            matches = True
        retention: Any = None
        retention_loc = None
        if lg.body.get("retention_in_days") is not None:
            retention = setting(scope.evaluate(lg.body["retention_in_days"]))
            retention_loc = lg.loc_of(lg.body, "retention_in_days")
        if not matches:
            if lg_name is not None and retention is not None and any(
                name and scope.may_equal(lg_name, name) for name in (expected, custom_name)
            ):
                # a group whose name is only partly known and may be this function's, with a
                # retention: it may well be the one, so nothing can be said
                out.append(LogGroup(UNKNOWN, UNKNOWN, lg.loc, retention_loc))
            continue
        group_name = scope.evaluate(lg.body.get("name"))
        out.append(LogGroup(_string_or_unknown(group_name), retention, lg.loc, retention_loc))
    return out


# ---------------------------------------------------------------- events and access

_STREAM_KINDS = {
    "aws_sqs_queue": "sqs",
    "aws_kinesis_stream": "kinesis",
    "aws_dynamodb_table": "dynamodb",
    "aws_msk_cluster": "msk",
    "aws_mq_broker": "mq",
}
_ARN_KINDS = {"sqs": "sqs", "kinesis": "kinesis", "dynamodb": "dynamodb", "kafka": "msk", "mq": "mq"}


def events(scope: Scope, fn_res: Resource) -> list[Event]:
    out: list[Event] = []
    for esm in scope.all("aws_lambda_event_source_mapping"):
        if names_function(scope, esm.body.get("function_name"), fn_res):
            out.append(mapping_event(scope, esm))
    for integ in scope.all("aws_apigatewayv2_integration"):
        if points_at(scope, integ.body.get("integration_uri"), fn_res):
            api, _ = scope.first_target(integ.body.get("api_id"), ("aws_apigatewayv2_api",))
            protocol = scope.evaluate(api.body.get("protocol_type")) if api is not None else "HTTP"
            kind = "api" if protocol == "WEBSOCKET" else "http-api"
            out.append(Event(kind, integ.loc, name=integ.address))
    for integ in scope.all("aws_api_gateway_integration"):
        if points_at(scope, integ.body.get("uri"), fn_res):
            out.append(Event("api", integ.loc, name=integ.address))
    for note in scope.all("aws_s3_bucket_notification"):
        for block in blocks(note.body, "lambda_function"):
            if points_at(scope, block.get("lambda_function_arn"), fn_res):
                out.append(Event("s3", Loc(note.path, block.pos), name=note.address, is_async=True))
    for sub in scope.all("aws_sns_topic_subscription"):
        if points_at(scope, sub.body.get("endpoint"), fn_res):
            out.append(Event("sns", sub.loc, name=sub.address, is_async=True))
    for target in scope.all("aws_cloudwatch_event_target"):
        if points_at(scope, target.body.get("arn"), fn_res):
            rule, _ = scope.first_target(target.body.get("rule"), ("aws_cloudwatch_event_rule",))
            scheduled = rule is not None and rule.body.get("schedule_expression") is not None
            out.append(Event("schedule" if scheduled else "eventbridge", target.loc, name=target.address, is_async=True))
    for sched in scope.all("aws_scheduler_schedule"):
        for block in blocks(sched.body, "target"):
            if points_at(scope, block.get("arn"), fn_res):
                out.append(Event("schedule", sched.loc, name=sched.address, is_async=True))
    for sub in scope.all("aws_cloudwatch_log_subscription_filter"):
        if points_at(scope, sub.body.get("destination_arn"), fn_res):
            out.append(Event("cloudwatch-logs", sub.loc, name=sub.address))
    for att in scope.all("aws_lb_target_group_attachment"):
        if points_at(scope, att.body.get("target_id"), fn_res):
            out.append(Event("alb", att.loc, name=att.address))
    return out


def mapping_event(scope: Scope, esm: Resource) -> Event:
    arn = esm.body.get("event_source_arn")
    for rtype, kind in _STREAM_KINDS.items():
        source, _ = scope.first_target(arn, (rtype,))
        if source is None:
            continue
        if kind != "sqs":
            return Event(kind, esm.loc, name=esm.address)
        visibility: Any = 30
        visibility_loc = None
        if source.body.get("visibility_timeout_seconds") is not None:
            visibility = setting(scope.evaluate(source.body["visibility_timeout_seconds"]))
            visibility_loc = source.loc_of(source.body, "visibility_timeout_seconds")
        queue = Queue(source.address, visibility, source.loc, visibility_loc)
        return Event("sqs", esm.loc, name=esm.address, queue=queue)
    value = scope.evaluate(arn)
    text = value if isinstance(value, str) else ""
    if not text:
        data_queue, _ = scope.first_target(arn, ("aws_sqs_queue",), mode="data")
        if data_queue is not None:
            text = "arn:aws:sqs:"
    parts = text.split(":")
    kind = _ARN_KINDS.get(parts[2], "other") if len(parts) > 2 and parts[0] == "arn" else "other"
    if kind == "sqs":
        queue = Queue(parts[5] if len(parts) > 5 else text, UNKNOWN, esm.loc_of(esm.body, "event_source_arn"))
        return Event("sqs", esm.loc, name=esm.address, queue=queue)
    return Event(kind, esm.loc, name=esm.address)


def permissions(scope: Scope, fn_res: Resource) -> list[Permission]:
    out = []
    for perm in scope.all("aws_lambda_permission"):
        body = perm.body
        if not names_function(scope, body.get("function_name"), fn_res):
            continue
        out.append(
            Permission(
                principal=optional(scope, body, "principal") if body.get("principal") is not None else UNKNOWN,
                loc=perm.loc_of(body, "principal"),
                source_arn=optional(scope, body, "source_arn"),
                source_account=optional(scope, body, "source_account"),
                action=optional(scope, body, "action"),
                function_url_auth_type=optional(scope, body, "function_url_auth_type"),
                principal_org_id=optional(scope, body, "principal_org_id"),
            )
        )
    return out


def optional(scope: Scope, body: LMap, key: str) -> Any:
    """None when the attribute is absent, its value (or UNKNOWN) when set."""
    if body.get(key) is None:
        return None
    value = scope.evaluate(body[key])
    return UNKNOWN if value is None else _plain(value)


def function_url(scope: Scope, fn_res: Resource) -> FunctionUrl | None:
    for url in scope.all("aws_lambda_function_url"):
        if names_function(scope, url.body.get("function_name"), fn_res):
            auth = optional(scope, url.body, "authorization_type")
            return FunctionUrl(
                auth_type=UNKNOWN if auth is None else auth,
                loc=url.loc,
                auth_type_loc=url.loc_of(url.body, "authorization_type"),
            )
    return None


def on_failure(scope: Scope, fn_res: Resource) -> Prop[Any] | None:
    for cfg in scope.all("aws_lambda_function_event_invoke_config"):
        if not names_function(scope, cfg.body.get("function_name"), fn_res):
            continue
        dest = first_block(cfg.body, "destination_config")
        failure = first_block(dest, "on_failure") if dest is not None else None
        if failure is not None and failure.get("destination") is not None:
            return Prop(link_value(scope, failure["destination"]), cfg.loc_of(failure, "destination"))
    return None
