"""`Fn::ForEach` loops (the AWS::LanguageExtensions transform), expanded before the template is
read, so that the functions, log groups and roles they define are checked like any other.

    Fn::ForEach::Name: [Identifier, Collection, {OutputKey: OutputValue}]

For each item of the collection the fragment is copied into the mapping that holds the loop,
with `${Identifier}` replaced by the item and `&{Identifier}` by the item without its
non-alphanumeric characters, in keys and values, and `Ref: Identifier` replaced by the item.
Loops nest. The collection must be known statically: a literal list, or a `Ref` to a parameter
whose `Default` is a list or a comma-delimited string (CommaDelimitedList members are trimmed).
A loop whose collection is unknown stays unexpanded and, when it defines functions, a one-line
notice says they are not checked.
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html
"""

from __future__ import annotations

import re
from typing import Any

from lambdalint.loaders.documents import Document
from lambdalint.model import Diagnostic, Loc, Pos
from lambdalint.reading.positions import LList, LMap

PREFIX = "Fn::ForEach::"
# sections where the transform allows loops (and everything inside them, properties included)
SECTIONS = ("Conditions", "Resources", "Outputs")
_FUNCTION_TYPES = ("AWS::Lambda::Function", "AWS::Serverless::Function")
_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")
# CloudFormation accepts 500 resources in a stack and templates of 1 MB (about 500,000
# values): loops that make twice as many resources, or 100,000 values (a fifth of such a
# template, all copies), are no template but an attack on the linter (loops making 100,000
# functions took 13 s and 460 MB, 490,000 environment variables 28 s)
MAX_RESOURCES = 1_000
VALUES_SHARE = 10  # loops make at most max-nodes / 10 values


class _TooLarge(Exception):
    pass


def expand(doc: Document) -> None:
    """Expand every `Fn::ForEach` of the template in `doc` in place (cheap when there is none)."""
    data = doc.data
    if PREFIX not in doc.text or not isinstance(data, LMap):
        return
    params = data.get("Parameters")
    expander = _Expander(doc, params if isinstance(params, dict) else {})
    sections = [(name, data[name]) for name in SECTIONS if isinstance(data.get(name), LMap)]
    # what the loops would make is counted before anything is copied: nested loops multiply
    # (five levels of 100 items are 10 billion copies), and the product is held to the bounds
    total = resources = 0
    for name, section in sections:
        for key, value in section.items():
            total += expander.made({key: value})
            if name == "Resources" and _is_loop(key):
                resources += expander.keys(key, value)
            if total > expander.budget or resources > MAX_RESOURCES:
                what = (
                    f"{MAX_RESOURCES:,} resources"
                    if resources > MAX_RESOURCES
                    else f"{expander.budget:,} values (max-nodes / {VALUES_SHARE})"
                )
                expander.too_large(key, section.key_pos.get(key, section.pos), what)
                return
    try:
        expanded = {name: expander.walk(section, {}) for name, section in sections}
    except _TooLarge:  # the count above is an upper bound: not expected
        expander.too_large(PREFIX.rstrip(":"), Pos(), f"{expander.budget:,} values")
        return
    data.update(expanded)
    doc.diagnostics.extend(expander.notices)


def _is_loop(key: Any) -> bool:
    return isinstance(key, str) and key.startswith(PREFIX)


class _Expander:
    def __init__(self, doc: Document, parameters: dict[str, Any]) -> None:
        self.doc = doc
        self.parameters = parameters
        self.budget = max(1, doc.limits.max_nodes // VALUES_SHARE)
        self.produced = 0
        # outside loops: what each mapping or list became (kept with it: ids are not reused)
        self.outside: dict[int, tuple[Any, Any]] = {}
        self.notices: list[Diagnostic] = []

    def too_large(self, key: str, pos: Pos, what: str) -> None:
        self.doc.diagnostics.append(
            Diagnostic(
                "LL100",
                f"{key}: Fn::ForEach loops expand to more than {what}: not expanded, and the "
                "functions inside them are not checked",
                Loc(self.doc.path, pos),
            )
        )

    def made(self, node: Any) -> int:
        """How many values the loops in `node` make (an upper bound)."""
        if isinstance(node, list):
            return sum(self.made(item) for item in node)
        if not isinstance(node, dict):
            return 0
        total = 0
        for key, value in node.items():
            if _is_loop(key) and isinstance(value, list) and len(value) == 3:
                items = self.collection(value[1])
                total += len(items) * self.size(value[2]) if items is not None else 0
            else:
                total += self.made(value)
            if total > self.budget:
                return total  # no need to count further
        return total

    def size(self, node: Any) -> int:
        """How many values `node` holds once its loops are expanded (an upper bound)."""
        if isinstance(node, list):
            return 1 + sum(self.size(item) for item in node)
        if not isinstance(node, dict):
            return 1
        total = 1
        for key, value in node.items():
            if _is_loop(key) and isinstance(value, list) and len(value) == 3:
                items = self.collection(value[1])
                total += len(items) * self.size(value[2]) if items is not None else 1
            else:
                total += self.size(value)
            if total > self.budget:
                return total  # no need to count further
        return total

    def keys(self, key: Any, value: Any) -> int:
        """How many keys the entry `key: value` of a mapping makes once its loops are expanded."""
        if not (_is_loop(key) and isinstance(value, list) and len(value) == 3):
            return 1
        items = self.collection(value[1])
        fragment = value[2]
        if items is None or not isinstance(fragment, dict):
            return 1
        per_item = 0
        for k, v in fragment.items():
            per_item += self.keys(k, v)
            if per_item > MAX_RESOURCES:
                break
        return len(items) * per_item

    def count(self) -> None:
        self.produced += 1
        if self.produced > self.budget:
            raise _TooLarge

    def walk(self, node: Any, bindings: dict[str, str]) -> Any:
        """`node` with the identifiers of `bindings` filled in and its loops expanded: a copy
        where something changed, `node` itself elsewhere. Outside loops a value shared through
        YAML aliases is walked once and stays shared."""
        if bindings:  # inside a loop: what it makes
            self.count()
            return self._walk(node, bindings)
        if not isinstance(node, (LMap, LList)):
            return node
        done = self.outside.get(id(node))
        if done is None:
            done = self.outside[id(node)] = (node, self._walk(node, bindings))
        return done[1]

    def _walk(self, node: Any, bindings: dict[str, str]) -> Any:
        if isinstance(node, str):
            return _fill(node, bindings) if bindings else node
        if isinstance(node, LList):
            out_list = LList(node.pos)
            changed = bool(bindings)
            for i, item in enumerate(node):
                new_item = self.walk(item, bindings)
                changed = changed or new_item is not item
                out_list.append(new_item)
                out_list.item_pos.append(node.item_pos[i] if i < len(node.item_pos) else node.pos)
            return out_list if changed else node
        if not isinstance(node, LMap):
            return node
        if bindings and len(node) == 1:
            ref = node.get("Ref")
            if isinstance(ref, str) and ref in bindings:
                return bindings[ref]
        out = LMap(node.pos)
        changed = bool(bindings)
        for key, value in node.items():
            if _is_loop(key):
                self.loop(node, key, value, bindings, out)
                changed = True
                continue
            new_key = _fill(key, bindings) if bindings and isinstance(key, str) else key
            new_value = self.walk(value, bindings)
            if bindings and key in ("Ref", "Fn::GetAtt"):
                new_value = _resolved_name(key, new_value)
            changed = changed or new_value is not value
            out[new_key] = new_value
            out.key_pos[new_key] = node.key_pos.get(key, node.pos)
            out.value_pos[new_key] = node.value_pos.get(key, node.pos)
        return out if changed else node

    def loop(self, parent: LMap, key: str, spec: Any, bindings: dict[str, str], out: LMap) -> None:
        """Expand the loop `key: spec` of `parent` into `out`."""
        pos = parent.key_pos.get(key, parent.pos)
        fragment = spec[2] if isinstance(spec, list) and len(spec) == 3 else None
        if not isinstance(fragment, LMap) or not isinstance(spec[0], str) or not spec[0]:
            self.unexpanded(key, pos, spec, "it is not [identifier, collection, fragment]", out)
            return
        identifier = spec[0]
        produced = self.produced
        items = self.collection(self.walk(spec[1], bindings))
        self.produced = produced  # the collection is not part of what the loop makes
        if items is None:
            why = "its collection is not a literal list nor a parameter with a default"
            self.unexpanded(key, pos, spec, why, out)
            return
        for item in items:
            copy = self.walk(fragment, {**bindings, identifier: item})
            for k, v in copy.items():
                out[k] = v
                out.key_pos[k] = copy.key_pos.get(k, pos)
                out.value_pos[k] = copy.value_pos.get(k, pos)

    def collection(self, value: Any) -> list[str] | None:
        """The items of a loop's collection, or None when they are not known statically."""
        if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Ref"), str):
            param = self.parameters.get(value["Ref"])
            default = param.get("Default") if isinstance(param, dict) else None
            if isinstance(default, str):
                return [part.strip() for part in default.split(",")]
            value = default
        if not isinstance(value, list):
            return None
        items = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, (str, int)):
                return None
            items.append(str(item))
        return items

    def unexpanded(self, key: str, pos: Pos, spec: Any, why: str, out: LMap) -> None:
        out[key] = spec  # as written: no resource is made of it
        out.key_pos[key] = pos
        if _defines_function(spec):
            message = f"{key}: the functions inside could not be expanded ({why}): not checked"
            self.notices.append(Diagnostic("LL100", message, Loc(self.doc.path, pos), notice=True))


def _fill(text: str, bindings: dict[str, str]) -> str:
    if "{" not in text:
        return text
    for name, item in bindings.items():
        if name in text:
            text = text.replace("${" + name + "}", item)
            text = text.replace("&{" + name + "}", _NOT_ALPHANUMERIC.sub("", item))
    return text


def _resolved_name(key: str, value: Any) -> Any:
    """`Ref: !Sub 'Queue${Id}'` names a resource once the loop filled it in: the transform
    resolves it to `Ref: QueueA` (likewise the logical id of `Fn::GetAtt`)."""

    def plain(v: Any) -> Any:
        if isinstance(v, dict) and len(v) == 1:
            sub = v.get("Fn::Sub")
            if isinstance(sub, str) and "${" not in sub:
                return sub
        return v

    if key == "Ref":
        return plain(value)
    if isinstance(value, LList) and value:
        value[0] = plain(value[0])
    return value


def _defines_function(spec: Any) -> bool:
    stack = [spec]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("Type") in _FUNCTION_TYPES:
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False
