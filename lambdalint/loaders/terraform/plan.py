"""Terraform plan JSON (`terraform show -json plan.out`) → Function[].

Values come from `planned_values` (root and child modules) and, for data sources read during
planning, from `prior_state`. What Terraform only knows after apply (`after_unknown`) is
UNKNOWN. Links between resources come from the `configuration` section's references, since a
planned ARN that is not known yet cannot be matched by value. Positions point at the `.tf`
source when the module's folder is found (the plan's folder for the root module, the module
call's local `source` for child modules) and holds the resource block; otherwise at the plan.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lambdalint.loaders.documents import LoadSession, expansion_notice, parse_file_text
from lambdalint.loaders.terraform import build
from lambdalint.loaders.terraform.files import ModuleFolders, module_folders
from lambdalint.loaders.terraform.functions import build_functions
from lambdalint.loaders.terraform.hcl import parse_expression
from lambdalint.loaders.terraform.model import (
    MAX_TEXT,
    Call,
    Opaque,
    Ref,
    Resolved,
    Resource,
    Scope,
    Template,
    TfFile,
    Variable,
    refs_in,
)
from lambdalint.model import CodeLocation, Diagnostic, Framework, Function, Loc, Pos
from lambdalint.reading.positions import LList, LMap, LoadError

FRAMEWORK: Framework = "terraform-plan"
_MODULE_STEP = re.compile(r"^module\.([A-Za-z0-9_-]+)(\[[^\]]*\])?\.?")
_INSTANCE = re.compile(r"^(?P<base>.*?)(\[(?P<key>[^\]]*)\])?$")
_UNKNOWN_VALUE = Opaque("(known after apply)")


def claims(path: Path, text: str) -> bool:
    name = path.name.lower()
    if not name.endswith(".json") or name.endswith(".tf.json"):
        return False
    head = text[:4096]
    return '"format_version"' in head and '"planned_values"' in text


def load_file(
    path: Path, text: str, session: LoadSession
) -> tuple[list[Function], list[Diagnostic]]:
    try:
        doc, diags = parse_file_text(text, path, "json", session)
    except LoadError as exc:
        return [], [Diagnostic("LL100", exc.message, Loc(path, exc.pos))]
    if not isinstance(doc, LMap) or not isinstance(doc.get("planned_values"), LMap):
        return [], diags
    plan = _Plan(path, doc, module_folders(session))
    functions: list[Function] = []
    for address, resources in plan.modules().items():
        if not any(r.get("type") == build.LAMBDA for r in resources):
            continue
        scope = plan.scope(address, resources)
        built = build_functions(scope, FRAMEWORK)
        if scope.over_budget:
            diags.append(expansion_notice(path, MAX_TEXT))
        for fn in built:
            code = fn.code
            if (
                code is not None
                and code.kind in ("dir", "file")
                and code.path is not None
                and not code.path.exists()
            ):
                # a path on the machine that planned: nothing to compare with here
                fn.code = CodeLocation("unknown", code.loc)
            functions.append(fn)
    return functions, diags


def _module_path(address: str) -> list[str]:
    """`module.a[0].module.b` → ["a", "b"] (instance keys dropped)."""
    out = []
    rest = address
    while rest:
        m = _MODULE_STEP.match(rest)
        if not m:
            break
        out.append(m.group(1))
        rest = rest[m.end() :]
    return out


class _Plan:
    def __init__(self, path: Path, doc: LMap, folders: ModuleFolders) -> None:
        self.path = path
        self.doc = doc
        self.folders = folders
        # where Terraform ran: the plan's folder, or the one above for a plan saved in a
        # subfolder (plans/, out/) next to no configuration of its own
        self.root_folder = path.parent
        if not folders.files(path.parent) and folders.files(path.parent.parent):
            self.root_folder = path.parent.parent
        config = doc.get("configuration")
        root = config.get("root_module") if isinstance(config, LMap) else None
        self.config_root: LMap = root if isinstance(root, LMap) else LMap()
        self.unknown: dict[str, Any] = {}
        for change in _list(doc.get("resource_changes")):
            if isinstance(change, LMap) and isinstance(change.get("address"), str):
                after = change.get("change")
                if isinstance(after, LMap):
                    self.unknown[change["address"]] = after.get("after_unknown")

    # ------------------------------------------------------------ resources

    def modules(self) -> dict[str, list[LMap]]:
        """Module address → the resource objects (with their values) planned or read."""
        out: dict[str, dict[str, LMap]] = {}
        prior = self.doc.get("prior_state")
        prior_values = prior.get("values") if isinstance(prior, LMap) else None
        if isinstance(prior_values, LMap):
            # data sources read while planning live only in the prior state
            self._collect(prior_values.get("root_module"), "", out, data_only=True)
        self._collect(self.doc["planned_values"].get("root_module"), "", out, data_only=False)
        return {addr: list(res.values()) for addr, res in out.items()}

    def _collect(
        self,
        module: Any,
        address: str,
        out: dict[str, dict[str, LMap]],
        data_only: bool,
        depth: int = 0,
    ) -> None:
        if not isinstance(module, LMap) or depth > 50:
            return
        own = module.get("address")
        addr = own if isinstance(own, str) else address
        bucket = out.setdefault(addr, {})
        for res in _list(module.get("resources")):
            if not isinstance(res, LMap) or not isinstance(res.get("address"), str):
                continue
            if data_only and res.get("mode") != "data":
                continue
            bucket[res["address"]] = res
        for child in _list(module.get("child_modules")):
            self._collect(child, addr, out, data_only, depth + 1)

    # ------------------------------------------------------------ configuration

    def config_module(self, address: str) -> tuple[LMap, Path | None]:
        """The configuration block of a module and its folder (None when not local)."""
        module = self.config_root
        folder: Path | None = self.root_folder
        for name in _module_path(address):
            calls = module.get("module_calls")
            call = calls.get(name) if isinstance(calls, LMap) else None
            if not isinstance(call, LMap):
                return LMap(), None
            source = call.get("source")
            if folder is not None and isinstance(source, str) and source.startswith(("./", "../")):
                folder = folder / source
            else:
                folder = None
            inner = call.get("module")
            module = inner if isinstance(inner, LMap) else LMap()
        return module, folder

    def scope(self, address: str, objects: list[Any]) -> Scope:
        config, folder = self.config_module(address)
        expressions: dict[str, LMap] = {}
        for res in _list(config.get("resources")):
            if (
                isinstance(res, LMap)
                and isinstance(res.get("address"), str)
                and isinstance(res.get("expressions"), LMap)
            ):
                expressions[res["address"]] = res["expressions"]
        source = _SourceIndex(folder, self.folders)
        tf = TfFile(self.path)
        for obj in objects:
            resource = self._resource(obj, address, expressions, source)
            if resource is not None:
                tf.resources.append(resource)
        tf.variables.extend(source.variables())
        # plan paths are relative to where Terraform ran: the root module's folder
        return Scope(self.root_folder, [tf], reader=self.folders.reader)

    def _resource(
        self, obj: LMap, module_address: str, expressions: dict[str, LMap], source: _SourceIndex
    ) -> Resource | None:
        mode = obj.get("mode")
        rtype, name = obj.get("type"), obj.get("name")
        if not isinstance(rtype, str) or not isinstance(name, str):
            return None
        mode = "data" if mode == "data" else "managed"
        values = obj.get("values")
        body = values if isinstance(values, LMap) else LMap(obj.pos)
        full_address = obj["address"]
        _mark_unknown(body, self.unknown.get(full_address), 0)
        local_address = full_address[len(module_address) + 1 :] if module_address else full_address
        config_address = _INSTANCE.match(local_address).group("base")  # type: ignore[union-attr]
        index = obj.get("index")
        tf_res = source.find(mode, rtype, name)
        loc = Loc(self.path, obj.key_pos.get("address", obj.pos))
        if tf_res is not None:
            _link_from_source(body, tf_res.body, 0)
            _move_positions(body, tf_res.body, tf_res.body.pos, 0)
            loc = tf_res.loc
            path = tf_res.path
        else:
            exprs = expressions.get(config_address)
            if exprs is not None:
                _link_from_config(body, exprs, 0)
            path = self.path
        resource = Resource(
            mode,
            rtype,
            name,
            body,
            Loc(path, loc.pos),
            index if isinstance(index, (int, str)) else None,
        )
        if tf_res is not None:
            resource.suppressed = dict(tf_res.suppressed)
        return resource


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


class _SourceIndex:
    """The .tf / .tf.json files of a module folder, to map planned resources to their blocks."""

    def __init__(self, folder: Path | None, folders: ModuleFolders) -> None:
        self.files: list[TfFile] = []
        if folder is None or not folder.is_dir():
            return
        for path in folders.files(folder):
            tf = folders.parse_sibling(path)
            if tf is not None:
                self.files.append(tf)

    def find(self, mode: str, rtype: str, name: str) -> Resource | None:
        for tf in self.files:
            for res in tf.resources:
                if res.mode == mode and res.type == rtype and res.name == name:
                    return res
        return None

    def variables(self) -> list[Variable]:
        return [v for tf in self.files for v in tf.variables]


# ---------------------------------------------------------------- overlays


def _mark_unknown(body: Any, unknown: Any, depth: int) -> None:
    """Attributes known only after apply are absent from planned values: mark them unknown."""
    if depth > 50 or not isinstance(body, LMap) or not isinstance(unknown, dict):
        return
    for key, flag in unknown.items():
        if flag is True:
            if body.get(key) is None:
                body[key] = _UNKNOWN_VALUE
                body.value_pos.setdefault(key, body.pos)
                body.key_pos.setdefault(key, body.pos)
        elif isinstance(flag, dict) and isinstance(body.get(key), LMap):
            _mark_unknown(body[key], flag, depth + 1)
        elif isinstance(flag, list) and isinstance(body.get(key), list):
            for item, item_flag in zip(body[key], flag, strict=False):
                _mark_unknown(item, item_flag, depth + 1)
        elif isinstance(flag, dict) and body.get(key) is None:
            # a map whose listed entries are unknown and others absent: partly unknown
            body[key] = _UNKNOWN_VALUE


def _is_literal(expr: Any) -> bool:
    if isinstance(expr, (str, int, float, bool)) or expr is None:
        return True
    return not isinstance(expr, (Ref, Template, Opaque, Resolved, Call)) and not list(refs_in(expr))


def _link_from_source(body: LMap, source: LMap, depth: int) -> None:
    """Planned scalar values that the .tf source wrote as expressions keep that expression's
    references, so links (role → aws_iam_role) and env-var origins survive evaluation."""
    if depth > 50:
        return
    for key, expr in source.items():
        if (
            key not in body
            and isinstance(key, str)
            and not _is_literal(expr)
            and not isinstance(expr, (LMap, LList))
        ):
            # not planned yet (known after apply) but written as a reference
            body[key] = Opaque("(known after apply)", tuple(refs_in(expr)))
            body.value_pos[key] = body.key_pos[key] = body.pos
    for key in list(body.keys()):
        if key not in source:
            continue
        value, expr = body[key], source[key]
        if isinstance(value, LMap) and isinstance(expr, LMap):
            _link_from_source(value, expr, depth + 1)
        elif isinstance(value, LList) and isinstance(expr, LList):
            for v, e in zip(value, expr, strict=False):
                if isinstance(v, LMap) and isinstance(e, LMap):
                    _link_from_source(v, e, depth + 1)
        elif isinstance(value, (LMap, LList)):
            continue
        elif value is _UNKNOWN_VALUE or isinstance(value, Opaque):
            body[key] = Opaque("(known after apply)", tuple(refs_in(expr)))
        elif not _is_literal(expr):
            body[key] = Resolved(value, tuple(refs_in(expr)))


def _link_from_config(body: LMap, expressions: LMap, depth: int) -> None:
    """Without the .tf source: the configuration's per-attribute references."""
    if depth > 50:
        return
    for key, expr in expressions.items():
        if isinstance(expr, LList):
            value = body.get(key)
            if isinstance(value, LList):
                for v, e in zip(value, expr, strict=False):
                    if isinstance(v, LMap) and isinstance(e, LMap):
                        _link_from_config(v, e, depth + 1)
            continue
        if not isinstance(expr, LMap):
            continue
        refs = expr.get("references")
        if not isinstance(refs, list):
            continue
        parsed = tuple(
            r
            for r in (parse_expression(x, Pos()) for x in refs if isinstance(x, str))
            if isinstance(r, Ref)
        )
        value = body.get(key)
        if isinstance(value, LMap):
            # a map built from expressions: which entries are references is not recorded
            body[key] = _references_map(value, parsed)
        elif value is None or value is _UNKNOWN_VALUE or isinstance(value, Opaque):
            body[key] = Opaque("(known after apply)", parsed)
            body.value_pos.setdefault(key, body.pos)
        elif not isinstance(value, LList):
            body[key] = Resolved(value, parsed)


def _references_map(value: LMap, refs: tuple[Ref, ...]) -> LMap:
    out = LMap(value.pos)
    for k, v in value.items():
        out[k] = v if isinstance(v, (LMap, LList)) else Resolved(v, refs)
        out.key_pos[k] = value.key_pos.get(k, value.pos)
        out.value_pos[k] = value.value_pos.get(k, value.pos)
    return out


def _move_positions(body: LMap, source: LMap, fallback: Pos, depth: int) -> None:
    """Give planned values the positions of the .tf attributes they came from; values the
    source does not spell out (defaults, computed) point at the enclosing block."""
    if depth > 50:
        return
    for key in list(body.keys()):
        if key in source:
            body.key_pos[key] = source.key_pos.get(key, fallback)
            body.value_pos[key] = source.value_pos.get(key, fallback)
        else:
            body.key_pos[key] = fallback
            body.value_pos[key] = fallback
        value = body[key]
        expr = source.get(key)
        inner_fallback = body.value_pos[key]
        if isinstance(value, LMap):
            _move_positions(
                value,
                expr if isinstance(expr, LMap) else LMap(inner_fallback),
                inner_fallback,
                depth + 1,
            )
            value.pos = expr.pos if isinstance(expr, LMap) else inner_fallback
        elif isinstance(value, LList):
            items = expr if isinstance(expr, LList) else LList(inner_fallback)
            value.pos = items.pos if isinstance(expr, LList) else inner_fallback
            for i, item in enumerate(value):
                src_item = items[i] if i < len(items) else None
                item_pos = items.item_pos[i] if i < len(items.item_pos) else inner_fallback
                if i < len(value.item_pos):
                    value.item_pos[i] = item_pos
                if isinstance(item, LMap):
                    _move_positions(
                        item,
                        src_item if isinstance(src_item, LMap) else LMap(item_pos),
                        item_pos,
                        depth + 1,
                    )
                    item.pos = src_item.pos if isinstance(src_item, LMap) else item_pos
    body.pos = source.pos
