"""Node.js / TypeScript handler facts with tree-sitter: exports, environment reads, AWS SDK
(v2 and v3) clients and calls, secrets assigned in source.

The file is parsed, never run. tree-sitter (with its JavaScript and TypeScript grammars) is
imported only when a Node handler is analysed. Every form of export that could bind a name the
parser cannot see (`module.exports = require(...)`, `export * from`, `Object.assign(exports, x)`)
makes the namespace open, and then no export is reported missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from lambdalint.analysis.facts import (
    CALLABLE,
    Argument,
    ClientCreation,
    EnvRead,
    HandlerSource,
    ModuleImport,
    ObjectShape,
    ReturnedObject,
    SdkCall,
    SdkDoubt,
    SecretCandidate,
    TopLevelName,
    ValueKind,
    ValuePart,
    merge_parts,
    regex_tests,
)
from lambdalint.aws import resources, sdk, secrets
from lambdalint.model import Pos

TS_SUFFIXES = (".ts", ".mts", ".cts")
_FUNCTIONS = {
    "function_declaration",
    "generator_function_declaration",
    "function_expression",
    "function",
    "generator_function",
    "arrow_function",
    "method_definition",
}
# wrappers that do not change the value of the expression inside (TypeScript casts included)
_TRANSPARENT = {
    "parenthesized_expression",
    "non_null_expression",
    "as_expression",
    "satisfies_expression",
    "type_assertion",
    "await_expression",
}
_COMPARISONS = {"===", "!==", "==", "!=", "??", "||", "&&"}
_CLASSES = {"class", "class_declaration", "abstract_class_declaration"}
# how deep an exported value is followed through names and nested object literals
_MAX_SHAPE_DEPTH = 8
# beyond this many syntax nodes (about 120,000 lines, 2-3 s) a file is not analysed
_MAX_NODES = 2_000_000
_MAX_BINDINGS = 16
# packages that fill process.env from files shipped with the code
_ENV_LOADERS = {"dotenv", "dotenv-flow", "@dotenvx"}
_CREDENTIAL_KEYS = {"credentials", "accessKeyId", "secretAccessKey", "sessionToken"}
# Powertools' batch helper returns { batchItemFailures: [...] }
_PARTIAL_RESPONSE = {"processPartialResponse", "processPartialResponseSync"}
_POWERTOOLS_PARAMETERS = "@aws-lambda-powertools/parameters"
# members of the v2 `AWS` namespace that are constructed but are not service clients
_V2_NOT_CLIENTS = frozenset(
    {
        "Config",
        "Endpoint",
        "Credentials",
        "CredentialProviderChain",
        "SharedIniFileCredentials",
        "EnvironmentCredentials",
        "FileSystemCredentials",
        "TemporaryCredentials",
        "ChainableTemporaryCredentials",
        "CognitoIdentityCredentials",
        "ECSCredentials",
        "RemoteCredentials",
        "EC2MetadataCredentials",
        "ProcessCredentials",
        "TokenFileWebIdentityCredentials",
        "WebIdentityCredentials",
        "SAMLCredentials",
        "SSOCredentials",
        "MetadataService",
        "HttpRequest",
        "HttpResponse",
        "NodeHttpClient",
        "Request",
        "Response",
        "Service",
        "SequentialExecutor",
        "ParamValidator",
        "Signers",
    }
)
_MAX_VALUE_DEPTH = 12
_UNKNOWN_PART = ValuePart("unknown")


@lru_cache(maxsize=3)
def _parser(kind: str) -> Any:
    import tree_sitter

    if kind == "typescript":
        import tree_sitter_typescript

        language = tree_sitter.Language(tree_sitter_typescript.language_typescript())
    elif kind == "tsx":
        import tree_sitter_typescript

        language = tree_sitter.Language(tree_sitter_typescript.language_tsx())
    else:
        import tree_sitter_javascript

        language = tree_sitter.Language(tree_sitter_javascript.language())
    return tree_sitter.Parser(language)


def _grammar(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in TS_SUFFIXES:
        return "typescript"
    if suffix == ".tsx":
        return "tsx"
    return "javascript"


def analyze(path: Path, text: str) -> HandlerSource:
    src = HandlerSource(path=path, language="node")
    grammar = _grammar(path)
    try:
        parser = _parser(grammar)
    except ImportError:
        src.open_namespace = True  # no parser installed: nothing known, nothing reported
        return src
    data = text.encode("utf-8", "surrogatepass")
    tree = parser.parse(data)
    walker = _Walker(src, text, data)
    root = tree.root_node
    if root.has_error:
        src.parse_error = walker.first_error(
            root, "TypeScript" if grammar != "javascript" else "JavaScript"
        )
    if walker.walk(root):
        walker.finish()
    return src


@dataclass(frozen=True)
class _Ref:
    """What an expression is, as far as SDK objects go.

    kind: aws (the v2 `AWS` namespace) | v2-class | v3-module (`import * as x`) | v3-class |
    v3-aggregate | command | doc-class | doc-command | paginate | upload | client
    style (clients): v2 | v3 | aggregate | doc-v2 | doc-v3 | doc-aggregate
    """

    kind: str
    service: str = ""
    name: str = ""
    style: str = ""
    # a client made with credentials of its own: its calls do not use the function's role
    foreign: bool = False


@dataclass
class _Import:
    package: str
    name: str  # the imported name, "*" for a namespace / whole module, "default"


@dataclass
class _Walker:
    src: HandlerSource
    text: str
    data: bytes
    imports: dict[str, _Import] = field(default_factory=dict)
    bindings: dict[str, list[Any]] = field(default_factory=dict)  # name → value nodes
    env_aliases: set[str] = field(default_factory=set)
    env_set: set[str] = field(default_factory=set)
    env_reads: list[tuple[str, Any, bool, str | None]] = field(default_factory=list)
    # (node, top-level function name, kept once, top-level function node)
    news: list[tuple[Any, str | None, bool, Any]] = field(default_factory=list)
    calls: list[tuple[Any, str | None]] = field(default_factory=list)
    v2_foreign: bool = False  # AWS.config carries credentials of its own
    any_foreign: bool = False
    locals_cache: dict[int, set[str]] = field(default_factory=dict)
    # export name → the value nodes written to it (None: a value that cannot be seen)
    export_values: dict[str, list[Any]] = field(default_factory=dict)
    # names declared by a function or class declaration anywhere in the file
    declared_callables: set[str] = field(default_factory=set)
    # names whose object gains properties after it is made (`ns.run = fn`, Object.assign(ns,…))
    mutated: set[str] = field(default_factory=set)
    mutated_exports: set[str] = field(default_factory=set)
    # (line, redacted value) of the secret candidates kept: a literal is met as a named value
    # and again as a string
    secrets_seen: set[tuple[int, str]] = field(default_factory=set)
    # names bound to an environment variable (`const { BUCKET } = process.env`)
    env_bindings: dict[str, str] = field(default_factory=dict)
    # (method, its node) of method calls on values that could not be resolved
    unresolved_methods: list[tuple[str, Any]] = field(default_factory=list)
    # objects returned by top-level functions: (value node, function name, wrapped)
    returned: list[tuple[Any, str, bool]] = field(default_factory=list)
    _lines: list[str] | None = None

    # ------------------------------------------------------------------ positions

    def pos(self, node: Any) -> Pos:
        (r1, c1), (r2, c2) = node.start_point, node.end_point
        return Pos(r1 + 1, self._column(r1, c1) + 1, r2 + 1, self._column(r2, c2) + 1)

    def _column(self, row: int, byte_col: int) -> int:
        """tree-sitter columns count bytes; a finding's column counts characters."""
        if self._lines is None:
            self._lines = self.text.split("\n")
        if row >= len(self._lines):
            return byte_col
        line = self._lines[row]
        if line.isascii():
            return byte_col
        return len(line.encode("utf-8", "surrogatepass")[:byte_col].decode("utf-8", "ignore"))

    def node_text(self, node: Any) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def first_error(self, root: Any, language: str) -> tuple[str, Pos]:
        stack = [root]
        while stack:
            node = stack.pop()
            if node.type == "ERROR" or node.is_missing:
                if node.is_missing:
                    return (f"{language} syntax error: missing '{node.type}'", self.pos(node))
                snippet = self.node_text(node).strip().splitlines()
                near = f" near '{snippet[0][:30]}'" if snippet else ""
                return (f"{language} syntax error: unexpected input{near}", self.pos(node))
            if node.has_error:
                stack.extend(reversed(node.children))
        return (f"{language} syntax error", Pos())

    # ------------------------------------------------------------------ the walk

    def walk(self, root: Any) -> bool:
        """Visit every node; False when the file is too large to analyse (no facts then)."""
        # (node, enclosing top-level function name, its node (None at module level))
        stack: list[tuple[Any, str | None, Any]] = [(root, None, None)]
        seen = 0
        while stack:
            node, function, top = stack.pop()
            seen += 1
            if seen > _MAX_NODES:
                self.src.open_namespace = True  # exports unknown: nothing reported
                self.src.notice = f"not analysed: more than {_MAX_NODES:,} syntax nodes"
                self.src.top_level.clear()
                self.src.secret_candidates.clear()
                return False
            kind = node.type
            if kind in _FUNCTIONS and top is None:
                function = self._function_name(node)
                top = node
                if kind == "arrow_function" and function is not None:
                    body = _unwrap(node.child_by_field_name("body"))
                    if body is not None and body.type == "object":
                        self.returned.append((body, function, self._wrapped(node)))
            if kind == "new_expression":
                self.news.append(
                    (node, function if top is not None else None, self._kept(node), top)
                )
            handler = _VISIT.get(kind)
            if handler is not None:
                handler(self, node, function if top is not None else None)
            for child in reversed(node.children):
                stack.append((child, function, top))
        return True

    def _function_name(self, node: Any) -> str | None:
        """The name a top-level function is bound to: its own, or that of the variable,
        export or property it is assigned to (through wrappers such as `middy(fn)`)."""
        name = node.child_by_field_name("name")
        if name is not None and node.type != "function_expression":
            return self.node_text(name)
        current = node
        for _ in range(6):
            parent = current.parent
            if parent is None:
                return None
            if parent.type == "variable_declarator":
                target = parent.child_by_field_name("name")
                return (
                    self.node_text(target)
                    if target is not None and target.type == "identifier"
                    else None
                )
            if parent.type == "assignment_expression":
                left = parent.child_by_field_name("left")
                return self._member_name(left) if left is not None else None
            if parent.type == "pair":
                key = parent.child_by_field_name("key")
                return _key_text(self, key) if key is not None else None
            if parent.type not in ("arguments", "call_expression", *_TRANSPARENT):
                return None
            current = parent
        return None

    def _member_name(self, node: Any) -> str | None:
        if node.type == "identifier":
            return self.node_text(node)
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            return self.node_text(prop) if prop is not None else None
        return None

    # ------------------------------------------------------------------ exports

    def export(self, name: str, node: Any, local: str | None = None, value: Any = None) -> None:
        """Record an export; `value` is the node of its value (a declaration, an expression,
        an identifier), None when it cannot be seen."""
        self.src.top_level.setdefault(
            name, TopLevelName(name, "export", self.pos(node), target=local or name)
        )
        self.export_values.setdefault(name, []).append(value)

    def visit_export_statement(self, node: Any, function: str | None) -> None:
        declaration = node.child_by_field_name("declaration")
        if any(c.type == "default" for c in node.children):
            # `export default function handler() {}` exports "default", not "handler"
            value = declaration if declaration is not None else node.child_by_field_name("value")
            self.export("default", node, value=value)
            return
        if declaration is not None:
            for name_node, value in _declared_values(self, declaration):
                self.export(self.node_text(name_node), name_node, value=value)
            return
        source = node.child_by_field_name("source")
        clause = next((c for c in node.named_children if c.type == "export_clause"), None)
        if clause is not None:
            for spec in clause.named_children:
                if spec.type != "export_specifier":
                    continue
                name = spec.child_by_field_name("name")
                alias = spec.child_by_field_name("alias")
                if name is None:
                    continue
                exported = alias if alias is not None else name
                local = None if source is not None else _key_text(self, name)
                value = name if source is None and name.type == "identifier" else None
                self.export(_key_text(self, exported) or "?", exported, local, value)
            return
        namespace = next((c for c in node.named_children if c.type == "namespace_export"), None)
        if namespace is not None:
            ident = namespace.named_children[-1] if namespace.named_children else None
            if ident is not None:
                self.export(_key_text(self, ident) or "?", ident)
            return
        # `export * from "x"` and TypeScript's `export = value`
        self.src.open_namespace = True

    def _exports_target(self, node: Any) -> str | None:
        """`exports` / `module.exports` → "exports"; `exports.x` / `module.exports.x` /
        `exports["x"]` → "x"; a computed key → "?"; anything else None."""
        if node.type == "identifier" and self.node_text(node) == "exports":
            return "exports"
        if node.type == "member_expression":
            obj = node.child_by_field_name("object")
            prop = node.child_by_field_name("property")
            if obj is None or prop is None:
                return None
            if (
                obj.type == "identifier"
                and self.node_text(obj) == "module"
                and self.node_text(prop) == "exports"
            ):
                return "exports"
            if self._exports_target(obj) == "exports":
                return self.node_text(prop)
            return None
        if node.type == "subscript_expression":
            obj = node.child_by_field_name("object")
            index = node.child_by_field_name("index")
            if obj is not None and self._exports_target(obj) == "exports":
                key = _string_value(self, index) if index is not None else None
                return key if key is not None else "?"
        return None

    def _export_value(self, value: Any, depth: int = 0) -> None:
        """`module.exports = value`: an object literal names the exports; anything else
        (a require, a function, a variable) may export anything."""
        value = _unwrap(value)
        if value.type == "assignment_expression" and depth < 4:
            right = value.child_by_field_name("right")
            if right is not None:
                self._export_value(right, depth + 1)
                return
        if value.type == "identifier" and depth < 4:
            bound = self.bindings.get(self.node_text(value), [])
            if len(bound) == 1:
                self._export_value(bound[0], depth + 1)
                return
        if value.type != "object":
            self.src.open_namespace = True
            return
        for member in value.named_children:
            if member.type == "pair":
                key = member.child_by_field_name("key")
                val = member.child_by_field_name("value")
                name = _key_text(self, key) if key is not None else None
                if name is None:
                    self.src.open_namespace = True
                    continue
                local = (
                    self.node_text(val) if val is not None and val.type == "identifier" else None
                )
                self.export(name, key, local, val)
            elif member.type == "shorthand_property_identifier":
                self.export(self.node_text(member), member, value=member)
            elif member.type == "method_definition":
                name_node = member.child_by_field_name("name")
                if name_node is not None:
                    self.export(_key_text(self, name_node) or "?", name_node, value=member)
            elif member.type != "comment":
                self.src.open_namespace = True  # spread, computed keys

    # ------------------------------------------------------------------ assignments

    def visit_assignment_expression(self, node: Any, function: str | None) -> None:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None:
            return
        target = self._exports_target(left)
        if target == "exports":
            if left.type != "identifier":  # `exports = x` rebinds a local only
                self._export_value(right)
        elif target == "?":
            self.src.open_namespace = True
        elif target is not None:
            local = self.node_text(right) if right.type == "identifier" else None
            prop = left.child_by_field_name("property") or left.child_by_field_name("index") or left
            self.export(target, prop, local, right)
        else:
            self._written_member(left)
        if self.node_text(left).endswith("config.credentials"):
            self.v2_foreign = True  # AWS.config.credentials = new AWS.TemporaryCredentials(…)
        env_name = self._env_member(left)
        if env_name is not None:
            self.env_set.add(env_name)  # process.env.X = ... : the code sets it
        key = _binding_key(self, left)
        if key is not None:
            self.bindings.setdefault(key, []).append(right)
        name = self._member_name(left)
        if name is not None:
            self._secret(name, right)

    def visit_variable_declarator(self, node: Any, function: str | None) -> None:
        name = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        if name is None or value is None:
            return
        inner = _unwrap(value)
        if name.type == "identifier":
            ident = self.node_text(name)
            self.bindings.setdefault(ident, []).append(value)
            if self._is_process_env(inner):
                self.env_aliases.add(ident)
            self._require(ident, inner, "*")
            self._secret(ident, value)
        elif name.type == "object_pattern":
            self._destructure(name, inner, function)

    def _destructure(self, pattern: Any, value: Any, function: str | None) -> None:
        """`const { A, B = "x" } = process.env`, `const { S3Client } = require("…")`,
        `const { env } = process`."""
        from_env = self._is_process_env(value)
        from_process = value.type == "identifier" and self.node_text(value) == "process"
        for member in pattern.named_children:
            key_node: Any = None
            local_node: Any = None
            has_default = False
            if member.type == "shorthand_property_identifier_pattern":
                key_node = local_node = member
            elif member.type == "object_assignment_pattern":
                left = member.child_by_field_name("left")
                key_node = local_node = left
                has_default = True
            elif member.type == "pair_pattern":
                key_node = member.child_by_field_name("key")
                local_node = member.child_by_field_name("value")
                if local_node is not None and local_node.type == "assignment_pattern":
                    has_default = True
                    local_node = local_node.child_by_field_name("left")
            elif member.type == "rest_pattern" and from_env:
                self.src.dynamic_env = True
                continue
            if key_node is None:
                continue
            key = _key_text(self, key_node)
            if key is None:
                continue
            if from_env:
                self.env_reads.append((key, key_node, has_default, function))
                if local_node is not None and local_node.type in (
                    "identifier",
                    "shorthand_property_identifier_pattern",
                ):
                    self.env_bindings[self.node_text(local_node)] = key
            elif (
                from_process
                and key == "env"
                and local_node is not None
                and local_node.type == "identifier"
            ):
                self.env_aliases.add(self.node_text(local_node))
            elif local_node is not None and local_node.type in (
                "identifier",
                "shorthand_property_identifier_pattern",
            ):
                self._require(self.node_text(local_node), value, key)

    # ------------------------------------------------------------------ imports

    def _imported(
        self, package: str, node: Any, function: str | None, type_only: bool = False
    ) -> None:
        optional = type_only  # `import type`: erased, never loaded
        parent = node.parent
        while parent is not None and not optional:
            if parent.type == "try_statement":
                optional = True
                break
            parent = parent.parent
        self.src.imports.append(
            ModuleImport(
                package,
                self.pos(node),
                local=package.startswith((".", "/")),
                optional=optional,
                in_function=function,
            )
        )

    def visit_import_statement(self, node: Any, function: str | None) -> None:
        source = node.child_by_field_name("source")
        package = _string_value(self, source) if source is not None else None
        if package is None:
            return
        self._imported(package, node, function, any(c.type == "type" for c in node.children))
        if package.split("/", 1)[0] in _ENV_LOADERS:
            self.src.dynamic_env = True  # `import "dotenv/config"`: variables from a file
        clause = next((c for c in node.named_children if c.type == "import_clause"), None)
        if clause is None:
            return
        for part in clause.named_children:
            if part.type == "identifier":
                self.imports[self.node_text(part)] = _Import(package, "default")
            elif part.type == "namespace_import":
                ident = part.named_children[-1] if part.named_children else None
                if ident is not None:
                    self.imports[self.node_text(ident)] = _Import(package, "*")
            elif part.type == "named_imports":
                for spec in part.named_children:
                    name = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias")
                    if name is None:
                        continue
                    local = alias if alias is not None else name
                    self.imports[self.node_text(local)] = _Import(
                        package, _key_text(self, name) or ""
                    )

    def _require(self, local: str, value: Any, name: str) -> None:
        """`const x = require("pkg")` / `const { x } = require("pkg")` / `require("pkg").x`."""
        member = None
        if value.type == "member_expression":
            prop = value.child_by_field_name("property")
            member = self.node_text(prop) if prop is not None else None
            value = _unwrap(value.child_by_field_name("object"))
        if value is None or value.type != "call_expression":
            return
        func = value.child_by_field_name("function")
        if func is None or self.node_text(func) != "require":
            return
        args = value.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        package = _string_value(self, first) if first is not None else None
        if package is None:
            return
        if member is not None:
            self.imports[local] = _Import(package, member if name == "*" else name)
        else:
            self.imports[local] = _Import(package, name)

    # ------------------------------------------------------------------ environment

    def _is_process_env(self, node: Any) -> bool:
        node = _unwrap(node)
        if node.type == "identifier":
            return self.node_text(node) in self.env_aliases
        if node.type != "member_expression":
            return False
        obj = node.child_by_field_name("object")
        prop = node.child_by_field_name("property")
        return (
            obj is not None
            and prop is not None
            and obj.type == "identifier"
            and self.node_text(obj) == "process"
            and self.node_text(prop) == "env"
        )

    def _env_member(self, node: Any) -> str | None:
        """`process.env.X` / `process.env["X"]` / `env.X` (an alias) → X."""
        if node.type == "member_expression":
            obj = node.child_by_field_name("object")
            prop = node.child_by_field_name("property")
            if obj is not None and prop is not None and self._is_process_env(obj):
                return self.node_text(prop)
        elif node.type == "subscript_expression":
            obj = node.child_by_field_name("object")
            index = node.child_by_field_name("index")
            if obj is not None and index is not None and self._is_process_env(obj):
                return _string_value(self, index)
        return None

    def visit_member_expression(self, node: Any, function: str | None) -> None:
        self._env_read(node, function)

    def visit_subscript_expression(self, node: Any, function: str | None) -> None:
        self._env_read(node, function)

    def _env_read(self, node: Any, function: str | None) -> None:
        name = self._env_member(node)
        if name is None:
            return
        guarded, tested = self._guarded(node)
        if tested:
            self.env_set.add(name)  # the code knows it may be unset: every read of it is fine
        self.env_reads.append((name, node, guarded, function))

    def _guarded(self, node: Any) -> tuple[bool, bool]:
        """(has a fallback or is written, is tested): `?? d`, `|| d`; `if (process.env.X)`,
        `process.env.X === "1"`, `!process.env.X`, `typeof`, a ternary's condition."""
        child = node
        parent = node.parent
        while parent is not None and parent.type in _TRANSPARENT:
            child, parent = parent, parent.parent
        if parent is None:
            return False, False
        kind = parent.type
        if kind == "binary_expression":
            op = parent.child_by_field_name("operator")
            text = self.node_text(op) if op is not None else ""
            return text in _COMPARISONS, text in _COMPARISONS and text not in ("??", "||")
        if kind == "unary_expression":
            return True, True  # !x, typeof x, delete x, void x
        if kind in ("if_statement", "while_statement", "do_statement"):
            return True, True
        if kind == "ternary_expression":
            tested = parent.child_by_field_name("condition") == child
            return tested, tested
        if kind in ("assignment_expression", "augmented_assignment_expression"):
            return parent.child_by_field_name("left") == child, False
        return False, False  # a value: process.env.X.split(",") is a TypeError when unset

    def visit_binary_expression(self, node: Any, function: str | None) -> None:
        # "X" in process.env: the code tests before it reads
        op = node.child_by_field_name("operator")
        if op is None or self.node_text(op) != "in":
            return
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        key = _string_value(self, left) if left is not None else None
        if key is not None and right is not None and self._is_process_env(right):
            self.env_set.add(key)

    # ------------------------------------------------------------------ SDK

    def visit_call_expression(self, node: Any, function: str | None) -> None:
        self.calls.append((node, function))
        func = node.child_by_field_name("function")
        if func is None:
            return
        text = self.node_text(func)
        if text == "require" or func.type == "import":
            args = node.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            package = _string_value(self, first) if first is not None else None
            if package is None:
                self.src.dynamic_imports = True  # require(name): any module
            else:
                self._imported(package, node, function)
            if package is not None and package.split("/", 1)[0] in _ENV_LOADERS:
                self.src.dynamic_env = True  # require("dotenv").config()
        elif func.type == "identifier" and function is not None:
            # callback(null, response): what a callback-style handler answers with
            args = node.child_by_field_name("arguments")
            items = [a for a in args.named_children if a.type != "comment"] if args else []
            if (
                len(items) == 2
                and items[0].type == "null"
                and _unwrap(items[1]).type == "object"
                and self._in_top_function(node)
            ):
                self.returned.append((_unwrap(items[1]), function, False))
        elif text == "Object.assign":
            args = node.child_by_field_name("arguments")
            if (
                args is not None
                and args.named_children
                and self._is_process_env(args.named_children[0])
            ):
                self.src.dynamic_env = True  # Object.assign(process.env, …)
        if text.endswith("config.update") and self._has_credentials(node):
            self.v2_foreign = True  # AWS.config.update({ accessKeyId, … })
        if text in (
            "Object.assign",
            "Object.defineProperty",
            "Object.defineProperties",
        ) or text.endswith(("__exportStar", "__export", "__reExport")):
            self._export_call(node, text)

    def _export_call(self, node: Any, func: str) -> None:
        args = node.child_by_field_name("arguments")
        items = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        if items and func.startswith("Object."):
            self._written_member(items[0], itself=True)  # Object.assign(ns, …) adds to ns
        if not items or self._exports_target(items[0]) != "exports":
            if func.endswith(("__exportStar", "__reExport")) and any(
                self._exports_target(a) == "exports" for a in items
            ):
                self.src.open_namespace = True
            return
        if func == "Object.defineProperty" and len(items) >= 2:
            key = _string_value(self, items[1])
            if key is None:
                self.src.open_namespace = True
            elif key != "__esModule":
                self.export(key, items[1])
        elif func == "Object.assign":
            for extra in items[1:]:
                self._export_value(extra)
        else:
            self.src.open_namespace = True

    def _kept(self, node: Any) -> bool:
        """The object is created once and kept (`client ??= new X()`, `x = x || new X()`,
        assigned to an outer variable or `this.x`) rather than made on every call."""
        parent = node.parent
        while parent is not None and parent.type in _TRANSPARENT:
            parent = parent.parent
        if parent is None:
            return False
        if parent.type in ("augmented_assignment_expression", "assignment_expression"):
            return True
        if parent.type == "binary_expression":
            op = parent.child_by_field_name("operator")
            return op is not None and self.node_text(op) in ("??", "||")
        return False

    def _eval(self, node: Any, depth: int = 0) -> _Ref | None:
        if node is None or depth > 12:
            return None
        node = _unwrap(node)
        kind = node.type
        if kind == "identifier":
            name = self.node_text(node)
            imported = self.imports.get(name)
            if imported is not None:
                return _imported_ref(imported)
            values = self.bindings.get(name, [])
            if len(values) > _MAX_BINDINGS:
                return None  # rebound over and over: nothing to follow
            refs = {self._eval(v, depth + 1) for v in values if not _is_nullish(self, v)}
            return refs.pop() if len(refs) == 1 else None
        if kind == "member_expression":
            key = _binding_key(self, node)
            if key is not None and key in self.bindings:
                if len(self.bindings[key]) > _MAX_BINDINGS:
                    return None
                refs = {
                    self._eval(v, depth + 1) for v in self.bindings[key] if not _is_nullish(self, v)
                }
                return refs.pop() if len(refs) == 1 else None
            base = self._eval(node.child_by_field_name("object"), depth + 1)
            prop = node.child_by_field_name("property")
            if base is None or prop is None:
                return None
            return _member_ref(base, self.node_text(prop))
        if kind == "new_expression":
            cls = self._eval(node.child_by_field_name("constructor"), depth + 1)
            instance = _instance(cls) if cls is not None else None
            if instance is None:
                return None
            foreign = self._has_credentials(node) or (
                self.v2_foreign and instance.style in ("v2", "doc-v2")
            )
            return replace(instance, foreign=foreign)
        if kind == "call_expression":
            func = node.child_by_field_name("function")
            if func is not None and func.type == "member_expression":
                prop = func.child_by_field_name("property")
                base = self._eval(func.child_by_field_name("object"), depth + 1)
                if (
                    base is not None
                    and base.kind == "doc-class"
                    and prop is not None
                    and self.node_text(prop) == "from"
                ):
                    args = node.child_by_field_name("arguments")
                    inner = (
                        args.named_children[0] if args is not None and args.named_children else None
                    )
                    wrapped = self._eval(inner, depth + 1) if inner is not None else None
                    style = "doc-aggregate" if base.name == "DynamoDBDocument" else "doc-v3"
                    return _Ref(
                        "client",
                        "dynamodb",
                        style=style,
                        foreign=wrapped is not None and wrapped.foreign,
                    )
            if func is not None and self.node_text(func) == "require":
                args = node.child_by_field_name("arguments")
                first = args.named_children[0] if args is not None and args.named_children else None
                package = _string_value(self, first) if first is not None else None
                return _imported_ref(_Import(package, "*")) if package else None
        return None

    # ------------------------------------------------------------------ export shapes

    def visit_return_statement(self, node: Any, function: str | None) -> None:
        if function is None or not self._in_top_function(node):
            return
        value = next((c for c in node.named_children if c.type != "comment"), None)
        if value is None:
            return
        top = node.parent
        while top is not None and top.type not in _FUNCTIONS:
            top = top.parent
        self.returned.append((_unwrap(value), function, top is not None and self._wrapped(top)))

    def _in_top_function(self, node: Any) -> bool:
        """The nearest function around `node` is a top-level one (not a callback in it)."""
        functions = 0
        parent = node.parent
        while parent is not None:
            if parent.type in _FUNCTIONS:
                functions += 1
                if functions > 1:
                    return False
            elif parent.type in _CLASSES:
                return False
            parent = parent.parent
        return functions == 1

    @staticmethod
    def _wrapped(function_node: Any) -> bool:
        """The function is passed to a call (`middy(async (event) => ...)`): what the caller
        receives is whatever the wrapper makes of its result."""
        parent = function_node.parent
        while parent is not None and parent.type in _TRANSPARENT:
            parent = parent.parent
        return parent is not None and parent.type == "arguments"

    def _returned_object(self, value: Any, function: str, wrapped: bool) -> ReturnedObject | None:
        where = self.pos(value)
        if value.type == "identifier":
            bound = self.bindings.get(self.node_text(value), [])
            if len(bound) != 1 or self.node_text(value) in self.mutated:
                return None
            value = _unwrap(bound[0])
        if value.type == "object":
            keys: list[tuple[str, ValueKind]] = []
            complete = True
            for member in value.named_children:
                if member.type == "pair":
                    key = _key_text(self, member.child_by_field_name("key"))
                    if key is None:
                        complete = False
                        continue
                    keys.append((key, self._kind(member.child_by_field_name("value"), 0)))
                elif member.type == "shorthand_property_identifier":
                    keys.append((self.node_text(member), self._kind(member, 0)))
                elif member.type == "method_definition":
                    key = _key_text(self, member.child_by_field_name("name"))
                    if key is not None:
                        keys.append((key, "other"))
                elif member.type != "comment":
                    complete = False  # a spread
            return ReturnedObject(where, function, tuple(keys), complete, wrapped=wrapped)
        if value.type == "call_expression":
            func = value.child_by_field_name("function")
            name = self.node_text(func).rsplit(".", 1)[-1] if func is not None else ""
            if name in _PARTIAL_RESPONSE:
                return ReturnedObject(
                    where, function, (("batchItemFailures", "array"),), False, name, wrapped
                )
        return None

    def _kind(self, node: Any, depth: int) -> ValueKind:
        node = _unwrap(node)
        if node is None:
            return "other"
        kind = node.type
        if kind in ("string", "template_string"):
            return "string"
        if kind == "object":
            return "object"
        if kind == "array":
            return "array"
        if kind == "number":
            return "number"
        if kind in ("true", "false"):
            return "boolean"
        if kind in ("null", "undefined"):
            return "null"
        if kind == "call_expression":
            func = node.child_by_field_name("function")
            text = self.node_text(func) if func is not None else ""
            if text in ("JSON.stringify", "String") or text.endswith(".toString"):
                return "string"
            return "other"
        if kind == "binary_expression":
            op = node.child_by_field_name("operator")
            if op is not None and self.node_text(op) == "+":
                sides = (node.child_by_field_name("left"), node.child_by_field_name("right"))
                if any(
                    s is not None and _unwrap(s).type in ("string", "template_string")
                    for s in sides
                ):
                    return "string"
            return "other"
        if kind in ("identifier", "shorthand_property_identifier") and depth < _MAX_VALUE_DEPTH:
            name = self.node_text(node)
            bound = self.bindings.get(name, [])
            if len(bound) == 1 and name not in self.mutated:
                return self._kind(bound[0], depth + 1)
        return "other"

    def visit_declaration(self, node: Any, function: str | None) -> None:
        name = node.child_by_field_name("name")
        if name is not None:
            self.declared_callables.add(self.node_text(name))

    def _written_member(self, target: Any, itself: bool = False) -> None:
        """`ns.run = fn` / `exports.ns.run = fn`: the object named at the root of the member
        chain (or `target` itself when `itself`) gains properties after it is made."""
        node = _unwrap(target)
        if not itself and node.type not in ("member_expression", "subscript_expression"):
            return
        steps = 0
        while node is not None and steps < 64:
            exported = self._exports_target(node)
            if exported not in (None, "exports", "?") and (itself or node is not _unwrap(target)):
                self.mutated_exports.add(exported)
                return
            if node.type == "identifier":
                self.mutated.add(self.node_text(node))
                return
            if node.type not in ("member_expression", "subscript_expression"):
                return
            node = _unwrap(node.child_by_field_name("object"))
            steps += 1

    def _shape(self, node: Any, depth: int = 0) -> ObjectShape | str | None:
        """What a value is, as far as the handler path goes: see TopLevelName.shape."""
        node = _unwrap(node)
        if node is None or depth > _MAX_SHAPE_DEPTH:
            return None
        kind = node.type
        if kind == "method_definition":
            # a getter's value is whatever it returns
            return None if any(c.type in ("get", "set") for c in node.children) else CALLABLE
        if kind in _FUNCTIONS or kind in _CLASSES:
            return CALLABLE
        if kind in ("identifier", "shorthand_property_identifier"):
            name = self.node_text(node)
            if name in self.mutated:
                return None
            bound = self.bindings.get(name, [])
            if not bound and name in self.declared_callables:
                return CALLABLE
            return self._shape(bound[0], depth + 1) if len(bound) == 1 else None
        if kind != "object":
            return None
        properties: list[tuple[str, ObjectShape | str | None]] = []
        for member in node.named_children:
            if member.type == "pair":
                key = _key_text(self, member.child_by_field_name("key"))
                if key is None:
                    return None  # a computed key: any name
                value = member.child_by_field_name("value")
                properties.append((key, self._shape(value, depth + 1)))
            elif member.type == "shorthand_property_identifier":
                properties.append((self.node_text(member), self._shape(member, depth + 1)))
            elif member.type == "method_definition":
                key = _key_text(self, member.child_by_field_name("name"))
                if key is None:
                    return None
                properties.append((key, self._shape(member, depth + 1)))
            elif member.type != "comment":
                return None  # a spread: any name
        return ObjectShape(tuple(properties))

    def _export_shapes(self) -> None:
        for name, values in self.export_values.items():
            entry = self.src.top_level.get(name)
            if entry is None or entry.kind != "export" or name in self.mutated_exports:
                continue
            if len(values) != 1 or values[0] is None:
                continue  # written twice: which value holds depends on the order of execution
            shape = self._shape(values[0])
            if shape is not None:
                self.src.top_level[name] = replace(entry, shape=shape)

    def _string_tests(self) -> set[tuple[str, str]]:
        """`s.startsWith("a/")`, `s.endsWith(".png")`, `s.includes("/x/")`, `/^a\\//.test(s)`,
        `s.match(/^a\\//)` (see HandlerSource.string_tests)."""
        out: set[tuple[str, str]] = set()
        kinds = {"startsWith": "prefix", "endsWith": "suffix", "includes": "contains"}
        kinds["indexOf"] = "contains"
        for call, _ in self.calls:
            func = call.child_by_field_name("function")
            if func is None or func.type != "member_expression":
                continue
            prop = func.child_by_field_name("property")
            method = self.node_text(prop) if prop is not None else ""
            args = call.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            if method in kinds:
                text = _string_value(self, first)
                if text:
                    out.add((kinds[method], text))
            elif method == "test":
                out |= _regex_literal_tests(self, func.child_by_field_name("object"))
            elif method in ("match", "search"):
                out |= _regex_literal_tests(self, first)
        return out

    def finish(self) -> None:
        self._export_shapes()
        for name, node, guarded, function in self.env_reads:
            self.src.env_reads.append(
                EnvRead(name, self.pos(node), guarded or name in self.env_set, function)
            )
        for value, function, wrapped in self.returned:
            returned = self._returned_object(value, function, wrapped)
            if returned is not None:
                self.src.returns.append(returned)
        methods: set[str] = set()
        for call, _ in self.calls:
            func = call.child_by_field_name("function")
            prop = func.child_by_field_name("property") if func is not None else None
            if func is not None and func.type == "member_expression" and prop is not None:
                methods.add(self.node_text(prop))
        self.src.method_names = tuple(sorted(methods))
        self.src.string_tests = tuple(sorted(self._string_tests()))
        powertools = any(
            i.package.startswith(_POWERTOOLS_PARAMETERS) for i in self.imports.values()
        )
        for imported in self.imports.values():
            if imported.package.startswith(_POWERTOOLS_PARAMETERS) and (
                imported.name.endswith("Provider") or imported.name in ("*", "default")
            ):
                # a provider class: its calls are not followed
                self.src.sdk_doubts.append(
                    SdkDoubt(Pos(), f"Powertools parameters {imported.name} is not followed")
                )
        if not any(_is_sdk_package(i.package) for i in self.imports.values()):
            if powertools:
                for node, function in self.calls:
                    func = node.child_by_field_name("function")
                    if func is not None and func.type == "identifier":
                        self._powertools_call(node, func, function)
            return
        # calls whose client is not known cannot be attributed to the role once any client
        # of the file has credentials of its own
        self.any_foreign = self.v2_foreign or any(
            (ref := self._eval(node)) is not None and ref.foreign for node, _, _, _ in self.news
        )
        for node, function, kept, top in self.news:
            self._resolve_new(node, function, kept, top)
        for node, function in self.calls:
            self._resolve_call(node, function)
        self._unresolved_doubts()

    def _unknown_v2_class(self, node: Any, constructor: Any) -> None:
        """`new AWS.Something()` of a service class lambdalint does not know: its calls would
        not be seen."""
        if constructor is None or constructor.type != "member_expression":
            return
        base = self._eval(constructor.child_by_field_name("object"))
        prop = constructor.child_by_field_name("property")
        if base is None or base.kind != "aws" or prop is None:
            return
        name = self.node_text(prop)
        if name[:1].isupper() and name not in _V2_NOT_CLIENTS:
            self.src.sdk_doubts.append(
                SdkDoubt(
                    self.pos(node), f"a client of AWS.{name}, a class lambdalint does not know"
                )
            )

    def _has_credentials(self, node: Any) -> bool:
        """`new S3Client({ credentials })`, `new AWS.S3({ accessKeyId, … })`."""
        args = node.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        if first is None or _unwrap(first).type != "object":
            return False
        for member in _unwrap(first).named_children:
            key = member.child_by_field_name("key") if member.type == "pair" else member
            if _key_text(self, key) in _CREDENTIAL_KEYS:
                return True
        return False

    def _sender(self, command: Any) -> _Ref | bool | None:
        """The client a command is sent with: its ref, None when unknown, False when the
        command is not passed straight to `send`."""
        parent = command.parent
        while parent is not None and parent.type in _TRANSPARENT:
            parent = parent.parent
        if parent is None or parent.type != "arguments":
            return False
        call = parent.parent
        func = call.child_by_field_name("function") if call is not None else None
        if func is None or func.type != "member_expression":
            return False
        prop = func.child_by_field_name("property")
        if prop is None or self.node_text(prop) != "send":
            return False
        return self._eval(func.child_by_field_name("object"))

    def _local_names(self, top: Any) -> set[str]:
        """Parameters and variables declared inside a top-level function."""
        cached = self.locals_cache.get(top.id)
        if cached is not None:
            return cached
        names: set[str] = set()
        self.locals_cache[top.id] = names
        stack = [top]
        while stack:
            node = stack.pop()
            if node.type == "formal_parameters" or (
                node.type == "arrow_function" and node.child_by_field_name("parameter") is not None
            ):
                params = (
                    node
                    if node.type == "formal_parameters"
                    else node.child_by_field_name("parameter")
                )
                names.update(self.node_text(n) for n in _pattern_identifiers(params))
            elif node.type == "variable_declarator":
                target = node.child_by_field_name("name")
                if target is not None:
                    names.update(self.node_text(n) for n in _pattern_identifiers(target))
            stack.extend(node.named_children)
        return names

    def _mentions(self, node: Any, names: set[str]) -> bool:
        stack = [node]
        while stack:
            current = stack.pop()
            if (
                current.type in ("identifier", "shorthand_property_identifier")
                and self.node_text(current) in names
            ):
                return True
            stack.extend(current.named_children)
        return False

    def _resolve_new(self, node: Any, function: str | None, kept: bool, top: Any) -> None:
        constructor = node.child_by_field_name("constructor")
        cls = self._eval(constructor)
        if cls is None:
            self._unknown_v2_class(node, constructor)
            return
        if cls.kind in ("command", "doc-command", "upload"):
            sender = self._sender(node)
            if (sender is None or sender is False) and self.any_foreign:
                return
            if isinstance(sender, _Ref) and sender.foreign:
                return
            if cls.kind == "command":
                mapped = sdk.js_operation(cls.service, cls.name)
            elif cls.kind == "doc-command":
                mapped = sdk.js_document_operation(cls.name)
            else:
                mapped = sdk.js_operation("s3", "PutObjectCommand")
            inputs = self._first_argument(node)
            if cls.kind == "upload" and inputs is not None:  # new Upload({ client, params })
                inputs = self._object_field(inputs, "params")
            self._record(mapped, node, cls.name, function, inputs)
        elif cls.kind in ("v2-class", "v3-class", "v3-aggregate", "doc-class"):
            instance = self._eval(node)
            args = node.child_by_field_name("arguments")
            per_invocation = (instance is not None and instance.foreign) or (
                top is not None
                and args is not None
                and self._mentions(args, self._local_names(top))
            )
            self.src.clients.append(
                ClientCreation(
                    cls.service,
                    self.pos(node),
                    None if kept else function,
                    per_invocation_config=per_invocation,
                )
            )

    def _resolve_call(self, node: Any, function: str | None) -> None:
        func = node.child_by_field_name("function")
        if func is None:
            return
        if func.type == "identifier":
            ref = self._eval(func)
            if ref is not None and ref.kind == "paginate" and not self.any_foreign:
                mapped = sdk.js_operation(ref.service, ref.name[len("paginate") :])
                args = node.child_by_field_name("arguments")
                inputs = (
                    args.named_children[1]
                    if args is not None and len(args.named_children) > 1
                    else None
                )
                self._record(mapped, node, ref.name, function, inputs)
            elif self._powertools_call(node, func, function):
                pass
            return
        if func.type != "member_expression":
            return
        prop = func.child_by_field_name("property")
        receiver = self._eval(func.child_by_field_name("object"))
        if prop is not None and receiver is None:
            self.unresolved_methods.append((self.node_text(prop), prop))
        if prop is None or receiver is None or receiver.kind != "client" or receiver.foreign:
            return
        method = self.node_text(prop)
        if receiver.style in ("doc-v2", "doc-aggregate"):
            mapped = sdk.js_document_operation(method)
        elif receiver.style in ("v2", "aggregate"):
            if method in ("getSignedUrl", "getSignedUrlPromise") and receiver.style == "v2":
                args = node.child_by_field_name("arguments")
                first = args.named_children[0] if args is not None and args.named_children else None
                named = _string_value(self, first) if first is not None else None
                mapped = sdk.js_operation(receiver.service, named) if named else None
            else:
                mapped = sdk.js_operation(receiver.service, method)
        else:
            return  # a v3 client's `send`: the command's `new` is the call
        inputs = self._first_argument(node)
        if method in ("getSignedUrl", "getSignedUrlPromise"):
            args = node.child_by_field_name("arguments")
            given = args.named_children if args is not None else []
            inputs = given[1] if len(given) > 1 else None
        self._record(mapped, prop, method, function, inputs)

    def _record(
        self,
        mapped: sdk.Mapped | None,
        node: Any,
        method: str,
        function: str | None,
        inputs: Any = None,
    ) -> None:
        if mapped is None:
            return
        arguments, spread = self._inputs(inputs, mapped.service)
        self.src.sdk_calls.append(
            SdkCall(
                mapped.service,
                mapped.operation,
                self.pos(node),
                method=method,
                actions=mapped.actions or (),
                actions_known=mapped.actions is not None,
                in_function=function,
                arguments=arguments,
                spread=spread,
            )
        )

    # ------------------------------------------------------------------ arguments

    def _first_argument(self, call: Any) -> Any:
        args = call.child_by_field_name("arguments")
        named = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        return named[0] if named else None

    def _object(self, node: Any, depth: int = 0) -> Any:
        """The object literal a value is (through a name bound once), else None."""
        node = _unwrap(node)
        if node is None or depth > _MAX_VALUE_DEPTH:
            return None
        if node.type == "object":
            return node
        if node.type == "identifier":
            bound = self.bindings.get(self.node_text(node), [])
            if len(bound) == 1:
                return self._object(bound[0], depth + 1)
        return None

    def _pairs(self, node: Any) -> tuple[list[tuple[str, Any]], bool] | None:
        """(key, value node) of an object literal and whether it spreads another object;
        None when the value is not an object literal."""
        obj = self._object(node)
        if obj is None:
            return None
        out: list[tuple[str, Any]] = []
        spread = False
        for member in obj.named_children:
            if member.type == "pair":
                key = _key_text(self, member.child_by_field_name("key"))
                value = member.child_by_field_name("value")
                if key is None:
                    spread = True  # a computed key
                elif value is not None:
                    out.append((key, value))
            elif member.type == "shorthand_property_identifier":
                out.append((self.node_text(member), member))
            elif member.type == "spread_element":
                spread = True
        return out, spread

    def _object_field(self, node: Any, name: str) -> Any:
        found = self._pairs(node)
        return dict(found[0]).get(name) if found is not None else None

    def _inputs(self, node: Any, service: str) -> tuple[tuple[Argument, ...], bool]:
        """The arguments of a call's input object that name its resource."""
        if node is None:
            return (), False
        found = self._pairs(node)
        if found is None:
            return (), True  # the input is built somewhere lambdalint does not follow
        pairs, spread = found
        names = resources.argument_names(service)
        out: list[Argument] = []
        for key, value in pairs:
            if key in names:
                out.append(self._argument(key, value))
            else:  # another parameter (`MessageBody`): when something of its value is known
                other = self._argument(key, value)
                if other.parts != (_UNKNOWN_PART,):
                    out.append(other)
            if f"{key}[]" in names:
                items = self._array(value)
                if items is None:
                    out.append(Argument(f"{key}[]", (_UNKNOWN_PART,), self.pos(value)))
                else:
                    out.extend(self._argument(f"{key}[]", item) for item in items)
            if f"{key}{{}}" in names:
                keyed = self._pairs(value)
                if keyed is None or keyed[1]:
                    out.append(Argument(f"{key}{{}}", (_UNKNOWN_PART,), self.pos(value)))
                else:
                    out.extend(
                        Argument(f"{key}{{}}", (ValuePart("text", k),), self.pos(v))
                        for k, v in keyed[0]
                    )
            for path in names:
                if path.startswith(f"{key}."):
                    inner = self._object_field(value, path.split(".", 1)[1])
                    if inner is not None:
                        out.append(self._argument(path, inner))
                elif path.startswith(f"{key}[]."):
                    field_name = path.split("].", 1)[1]
                    items = self._array(value)
                    if items is None:
                        out.append(Argument(path, (_UNKNOWN_PART,), self.pos(value)))
                        continue
                    for item in items:
                        entry = self._pairs(item)
                        if entry is None:
                            out.append(Argument(path, (_UNKNOWN_PART,), self.pos(item)))
                            continue
                        given = dict(entry[0]).get(field_name)
                        out.append(
                            self._argument(path, given)
                            if given is not None
                            else Argument(path, (), self.pos(item))
                        )
        return tuple(out), spread

    def _array(self, node: Any, depth: int = 0) -> list[Any] | None:
        node = _unwrap(node)
        if node is None or depth > _MAX_VALUE_DEPTH:
            return None
        if node.type == "array":
            items = [c for c in node.named_children if c.type != "comment"]
            return None if any(c.type == "spread_element" for c in items) else items
        if node.type == "identifier":
            bound = self.bindings.get(self.node_text(node), [])
            if len(bound) == 1:
                return self._array(bound[0], depth + 1)
        return None

    def _argument(self, path: str, value: Any) -> Argument:
        return Argument(path, self._value(value, 0), self.pos(value))

    def _value(self, node: Any, depth: int) -> tuple[ValuePart, ...]:
        """What a string expression is made of: text, environment variables, the unknown."""
        node = _unwrap(node)
        if node is None or depth > _MAX_VALUE_DEPTH:
            return (_UNKNOWN_PART,)
        kind = node.type
        if kind == "string":
            text = _string_value(self, node)
            return (ValuePart("text", text),) if text is not None else (_UNKNOWN_PART,)
        if kind == "number":
            return (ValuePart("text", self.node_text(node)),)
        if kind == "template_string":
            parts: list[ValuePart] = []
            raw = self.data[node.start_byte + 1 : node.end_byte - 1].decode("utf-8", "replace")
            at = node.start_byte + 1
            for child in node.named_children:
                if child.type == "template_substitution":
                    literal = self.data[at : child.start_byte].decode("utf-8", "replace")
                    if "\\" in literal:
                        return (_UNKNOWN_PART,)
                    parts.append(ValuePart("text", literal))
                    inner = child.named_children[0] if child.named_children else None
                    parts.extend(self._value(inner, depth + 1))
                    at = child.end_byte
            tail = self.data[at : node.end_byte - 1].decode("utf-8", "replace")
            if "\\" in tail or (not node.named_children and "\\" in raw):
                return (_UNKNOWN_PART,)
            parts.append(ValuePart("text", tail))
            return merge_parts(parts)
        env = self._env_member(node)
        if env is not None:
            return (ValuePart("env", env),)
        if kind == "binary_expression":
            op = node.child_by_field_name("operator")
            text = self.node_text(op) if op is not None else ""
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            if text == "+":
                return merge_parts([*self._value(left, depth + 1), *self._value(right, depth + 1)])
            if text in ("??", "||"):
                first = self._value(left, depth + 1)
                if len(first) == 1 and first[0].kind == "env":
                    return first  # process.env.X ?? "fallback"
            return (_UNKNOWN_PART,)
        if kind in ("identifier", "shorthand_property_identifier"):
            name = self.node_text(node)
            if name in self.env_bindings:
                return (ValuePart("env", self.env_bindings[name]),)
            bound = [v for v in self.bindings.get(name, []) if not _is_nullish(self, v)]
            if not bound or len(bound) > _MAX_BINDINGS:
                return (_UNKNOWN_PART,)
            found = {self._value(v, depth + 1) for v in bound}
            return found.pop() if len(found) == 1 else (_UNKNOWN_PART,)
        if kind == "member_expression":
            key = _binding_key(self, node)
            bound = self.bindings.get(key, []) if key is not None else []
            if len(bound) == 1:
                return self._value(bound[0], depth + 1)
        return (_UNKNOWN_PART,)

    # ------------------------------------------------------------------ Powertools

    def _powertools_call(self, node: Any, func: Any, function: str | None) -> bool:
        """`getParameter("/app/x")` from `@aws-lambda-powertools/parameters/ssm`: recorded as
        the SDK call it makes."""
        name = self.node_text(func)
        imported = self.imports.get(name)
        if imported is None or not imported.package.startswith(_POWERTOOLS_PARAMETERS):
            return False
        entry = resources.POWERTOOLS_FUNCTIONS.get(imported.name)
        if entry is None:
            return False
        service, operation, param = entry
        first = self._first_argument(node)
        args: list[Argument] = []
        if param.endswith("[]") and first is not None:
            keyed = self._pairs(first)
            if keyed is None or keyed[1]:
                args.append(Argument(param, (_UNKNOWN_PART,), self.pos(first)))
            else:
                args.extend(
                    Argument(param, (ValuePart("text", k),), self.pos(v)) for k, v in keyed[0]
                )
        elif param and first is not None:
            args.append(self._argument(param, first))
        elif not param and first is not None:  # getAppConfig(name, { environment, application })
            args.append(self._argument("AppConfig.name", first))
            args_node = node.child_by_field_name("arguments")
            options = (
                args_node.named_children[1]
                if args_node is not None and len(args_node.named_children) > 1
                else None
            )
            for key in ("environment", "application"):
                given = self._object_field(options, key) if options is not None else None
                if given is not None:
                    args.append(self._argument(f"AppConfig.{key}", given))
        self.src.sdk_calls.append(
            SdkCall(
                service,
                operation,
                self.pos(func),
                method=imported.name,
                actions=resources.POWERTOOLS_ACTIONS[(service, operation)],
                in_function=function,
                arguments=tuple(args),
            )
        )
        return True

    def _unresolved_doubts(self) -> None:
        """Method calls on values that could not be resolved whose names are operations of a
        service the file makes clients of (`db.putItem(…)` on a parameter)."""
        services = {c.service for c in self.src.clients}
        if not services or not self.unresolved_methods:
            return
        names: set[str] = set()
        for service in services:
            svc = sdk.service(service)
            if svc is not None:
                names.update(svc.operations)
        for method, node in self.unresolved_methods:
            low = method.lower()
            if low in names and low not in sdk.COMMON_METHODS:
                self.src.sdk_doubts.append(
                    SdkDoubt(
                        self.pos(node),
                        f"{method} may be an SDK call on a value that is not followed",
                    )
                )

    # ------------------------------------------------------------------ secrets

    def visit_pair(self, node: Any, function: str | None) -> None:
        key = node.child_by_field_name("key")
        value = node.child_by_field_name("value")
        if key is not None and value is not None:
            name = _key_text(self, key)
            if name is not None:
                self._secret(name, value)

    def visit_string(self, node: Any, function: str | None) -> None:
        value = _string_value(self, node)
        if value is not None and len(value) >= 16 and secrets.credential_format(value):
            self._secret(None, node)

    def _secret(self, name: str | None, value: Any) -> None:
        text = _string_value(self, _unwrap(value))
        if text is None:
            return
        credential, keep = secrets.candidate(name, text)
        if not keep:
            return
        p = self.pos(value)
        preview = secrets.redact(text)
        if (p.line, preview) in self.secrets_seen:
            return
        self.secrets_seen.add((p.line, preview))
        self.src.secret_candidates.append(SecretCandidate(name, preview, p, credential))


_VISIT = {
    "return_statement": _Walker.visit_return_statement,
    "export_statement": _Walker.visit_export_statement,
    "assignment_expression": _Walker.visit_assignment_expression,
    "variable_declarator": _Walker.visit_variable_declarator,
    "import_statement": _Walker.visit_import_statement,
    "member_expression": _Walker.visit_member_expression,
    "subscript_expression": _Walker.visit_subscript_expression,
    "binary_expression": _Walker.visit_binary_expression,
    "call_expression": _Walker.visit_call_expression,
    "pair": _Walker.visit_pair,
    "string": _Walker.visit_string,
    "function_declaration": _Walker.visit_declaration,
    "generator_function_declaration": _Walker.visit_declaration,
    "class_declaration": _Walker.visit_declaration,
    "abstract_class_declaration": _Walker.visit_declaration,
}


def _unwrap(node: Any) -> Any:
    while node is not None and node.type in _TRANSPARENT:
        inner = node.named_children[0] if node.named_children else None
        if inner is None:
            break
        node = inner
    return node


def _regex_literal_tests(walker: _Walker, node: Any) -> set[tuple[str, str]]:
    """What a regular expression literal (`/^out\\//`) tests for (see regex_tests)."""
    if node is None or node.type != "regex":
        return set()
    pattern = node.child_by_field_name("pattern")
    return regex_tests(walker.node_text(pattern)) if pattern is not None else set()


def _string_value(walker: _Walker, node: Any) -> str | None:
    """The value of a string literal or a template literal without substitutions."""
    if node is None:
        return None
    if node.type == "string":
        raw = walker.node_text(node)[1:-1]
    elif node.type == "template_string":
        if any(c.type == "template_substitution" for c in node.named_children):
            return None
        raw = walker.node_text(node)[1:-1]
    else:
        return None
    if "\\" in raw:
        try:
            raw = raw.encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
        except (UnicodeDecodeError, UnicodeEncodeError):
            return None
    return raw


def _key_text(walker: _Walker, node: Any) -> str | None:
    """A property key, export name or import name: an identifier or a string."""
    if node is None:
        return None
    if node.type in ("string", "template_string"):
        return _string_value(walker, node)
    if node.type in (
        "identifier",
        "property_identifier",
        "shorthand_property_identifier",
        "shorthand_property_identifier_pattern",
        "private_property_identifier",
    ):
        return walker.node_text(node)
    if node.type in ("number", "default"):
        return walker.node_text(node)
    return None


def _binding_key(walker: _Walker, node: Any) -> str | None:
    """`x` → "x", `this.x` → "this.x" (a field), else None."""
    if node.type == "identifier":
        return walker.node_text(node)
    if node.type == "member_expression":
        obj = node.child_by_field_name("object")
        prop = node.child_by_field_name("property")
        if obj is not None and prop is not None and obj.type == "this":
            return "this." + walker.node_text(prop)
    return None


def _is_nullish(walker: _Walker, node: Any) -> bool:
    return node.type in ("null", "undefined") or walker.node_text(node) in ("null", "undefined")


def _declared_values(walker: _Walker, declaration: Any) -> list[tuple[Any, Any]]:
    """(name node, value node) for each name an exported declaration binds; the value is the
    declaration itself for a function or class, the initialiser for a variable, else None."""
    if declaration.type in ("lexical_declaration", "variable_declaration"):
        out: list[tuple[Any, Any]] = []
        for declarator in declaration.named_children:
            if declarator.type != "variable_declarator":
                continue
            name = declarator.child_by_field_name("name")
            if name is not None and name.type == "identifier":
                out.append((name, declarator.child_by_field_name("value")))
            elif name is not None:
                out.extend((n, None) for n in _pattern_identifiers(name))
        return out
    return [(name, declaration) for name in _declared_names(walker, declaration)]


def _declared_names(walker: _Walker, declaration: Any) -> list[Any]:
    """The value names an exported declaration binds (types and interfaces bind none)."""
    kind = declaration.type
    if kind in (
        "function_declaration",
        "generator_function_declaration",
        "class_declaration",
        "abstract_class_declaration",
        "enum_declaration",
        "function_signature",
    ):
        name = declaration.child_by_field_name("name")
        return [name] if name is not None else []
    if kind in ("lexical_declaration", "variable_declaration"):
        out: list[Any] = []
        for declarator in declaration.named_children:
            if declarator.type != "variable_declarator":
                continue
            name = declarator.child_by_field_name("name")
            if name is None:
                continue
            if name.type == "identifier":
                out.append(name)
            else:
                out.extend(_pattern_identifiers(name))
        return out
    return []


def _pattern_identifiers(pattern: Any) -> list[Any]:
    out = []
    stack = [pattern]
    while stack:
        node = stack.pop()
        if node.type in ("identifier", "shorthand_property_identifier_pattern"):
            out.append(node)
            continue
        for child in node.named_children:
            if node.type == "pair_pattern" and child == node.child_by_field_name("key"):
                continue
            if node.type in (
                "assignment_pattern",
                "object_assignment_pattern",
            ) and child == node.child_by_field_name("right"):
                continue
            stack.append(child)
    return out


def _is_sdk_package(package: str) -> bool:
    return package == "aws-sdk" or package.startswith(("aws-sdk/", "@aws-sdk/"))


def _imported_ref(imported: _Import) -> _Ref | None:
    """What an imported name is, for the AWS SDK packages."""
    package, name = imported.package, imported.name
    if package == "aws-sdk" or package == "aws-sdk/global":
        if name in ("*", "default"):
            return _Ref("aws")
        service = sdk.js_service_for_class(name)
        return _Ref("v2-class", service, name) if service else None
    if package.startswith("aws-sdk/clients/"):
        service = sdk.js_service_for_package(package)
        if service is None:
            return None
        if name in ("*", "default"):
            return _Ref("v2-class", service, name)
        if name == "DocumentClient" and service == "dynamodb":
            return _Ref("doc-class", "dynamodb", "DocumentClient")
        return None
    if package == "@aws-sdk/lib-dynamodb":
        if name in ("DynamoDBDocumentClient", "DynamoDBDocument"):
            return _Ref("doc-class", "dynamodb", name)
        if name.endswith("Command"):
            return _Ref("doc-command", "dynamodb", name)
        return _Ref("v3-module", "dynamodb", "lib-dynamodb") if name in ("*", "default") else None
    if package == "@aws-sdk/lib-storage":
        return _Ref("upload", "s3", "Upload") if name == "Upload" else None
    if package.startswith("@aws-sdk/client-"):
        service = sdk.js_service_for_package(package)
        if service is None:
            return None
        return (
            _v3_member(service, name)
            if name not in ("*", "default")
            else _Ref("v3-module", service)
        )
    return None


def _v3_member(service: str, name: str) -> _Ref | None:
    if name.endswith("Command"):
        return _Ref("command", service, name)
    if name.startswith("paginate"):
        return _Ref("paginate", service, name)
    if name.endswith("Client") and sdk.js_service_for_class(name) == service:
        return _Ref("v3-class", service, name)
    if sdk.js_service_for_class(name) == service:
        return _Ref("v3-aggregate", service, name)
    return None


def _member_ref(base: _Ref, prop: str) -> _Ref | None:
    if base.kind == "aws":
        service = sdk.js_service_for_class(prop)
        return _Ref("v2-class", service, prop) if service else None
    if base.kind == "v2-class" and base.service == "dynamodb" and prop == "DocumentClient":
        return _Ref("doc-class", "dynamodb", "DocumentClient")
    if base.kind == "v3-module":
        if base.name == "lib-dynamodb":
            return _imported_ref(_Import("@aws-sdk/lib-dynamodb", prop))
        return _v3_member(base.service, prop)
    return None


def _instance(cls: _Ref) -> _Ref | None:
    if cls.kind == "v2-class":
        return _Ref("client", cls.service, style="v2")
    if cls.kind == "v3-class":
        return _Ref("client", cls.service, style="v3")
    if cls.kind == "v3-aggregate":
        return _Ref("client", cls.service, style="aggregate")
    if cls.kind == "doc-class":
        return _Ref(
            "client", "dynamodb", style="doc-v2" if cls.name == "DocumentClient" else "doc-v3"
        )
    return None
