"""Serverless Framework configurations written as code (`serverless.ts`, `serverless.js`,
`.cjs`, `.mjs`): the exported configuration object, read statically with tree-sitter and never
run, into the form serverless.py reads from serverless.yml.

What is read: an object literal exported by `export default`, `module.exports =` or `export =`,
directly or through a name bound to it in the same file (`const config: AWS = {...}`), with
the TypeScript wrappers (`as`, `satisfies`, `<AWS>`) seen through. Inside it: strings, template
literals without substitutions, numbers, booleans, arrays, objects, and names bound to such
values in the same file. Anything else (an import, a call, `process.env`, a spread of what is
not known) is unknown; an object holding an unknown spread is unknown as a whole, since any of
its keys may come from it. A configuration that is not such a literal, or that the file changes
after declaring it, gets a one-line notice instead of a guess.

Names imported from a file of the project (`import functions from './serverless/functions'`,
`import { hello } from '../functions'`, `const x = require('./x')`, a relative path inside the
checked tree) are read the same way from that file's default or named export; positions inside
it become the position of the name in the configuration file, where the finding then points.
Path aliases of the service's tsconfig.json (`compilerOptions.paths`, through `extends`:
`@functions/hello` → src/functions/hello) are followed the same way; packages are not.
Template literals are read when each substitution is known, and the TypeScript service
template's `handlerPath(__dirname)` is the folder of the file that calls it, relative to the
service, when the helper imported is that template's (its body makes `__dirname` relative to
`process.cwd()`); any other call is unknown.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from lambdalint.discover import SERVERLESS_CODE_CONFIGS
from lambdalint.loaders import serverless
from lambdalint.loaders.documents import Document, LoadSession
from lambdalint.model import UNKNOWN, Diagnostic, Function, Loc, Pos
from lambdalint.reading import Reader
from lambdalint.reading.positions import LList, LMap

MAX_DEPTH = 64  # nesting of values, and names followed to their values
MAX_NODES = 1_000_000  # syntax nodes of a file read (a configuration is a few hundred)
MAX_IMPORTED_FILES = 32  # project files one configuration's imports may read
_CODE_SUFFIXES = (".ts", ".mts", ".cts", ".js", ".mjs", ".cjs")
_FUNCTION_NODES = ("arrow_function", "function_expression", "function", "function_declaration")
# the body of the TypeScript service template's `handlerPath(context)`: `__dirname` made relative
# to the folder the framework runs in (the service's)
_DIRNAME_HELPER = re.compile(
    r"\b(\w+)\.split\(\s*process\.cwd\(\)\s*\)\s*\[\s*1\s*\]\s*\.substring\(\s*1\s*\)"
)
_TRANSPARENT = {
    "parenthesized_expression",
    "as_expression",
    "satisfies_expression",
    "non_null_expression",
    "type_assertion",
}
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|.)", re.DOTALL)


class _Unknown(Exception):
    """A value that is not a literal of the file."""


def claims(path: Path, text: str) -> bool:
    return path.name.lower() in SERVERLESS_CODE_CONFIGS


def load_file(
    path: Path, text: str, session: LoadSession
) -> tuple[list[Function], list[Diagnostic]]:
    try:
        parser = _parser("typescript" if path.suffix.lower() == ".ts" else "javascript")
    except ImportError:  # pragma: no cover - a dependency of lambdalint
        return [], [_notice(path, "no JavaScript parser installed")]
    data = text.encode("utf-8", "surrogatepass")
    tree = parser.parse(data)
    reader = _Reader(text, data, path, _Imports(session.reader, path.parent))
    config, why = reader.configuration(tree.root_node)
    if not isinstance(config, LMap):
        return [], [_notice(path, why)]
    notices = []
    functions = config.get("functions")
    if isinstance(functions, LMap):
        opaque = [str(k) for k, v in functions.items() if not isinstance(v, LMap)]
        if opaque:
            shown = ", ".join(opaque[:5]) + (", …" if len(opaque) > 5 else "")
            notices.append(
                Diagnostic(
                    "LL100",
                    f"functions not checked: {shown} (not written as literals in this file: "
                    "imported or computed)",
                    Loc(path, functions.pos),
                    notice=True,
                )
            )
    elif "functions" in config:
        notices.append(
            Diagnostic(
                "LL100",
                "functions not checked: `functions` is not written as a literal in this file "
                "(imported or computed)",
                Loc(path, config.value_pos.get("functions", config.pos)),
                notice=True,
            )
        )
    doc = Document(path=path, data=config, text=text, kind="code", limits=session.reader.limits)
    found, diags = serverless.load_service(doc, session.reader)
    return found, [*diags, *notices]


def _notice(path: Path, why: str) -> Diagnostic:
    return Diagnostic(
        "LL100",
        f"not checked: {why} (lambdalint reads the configuration, never runs it)",
        Loc(path),
        notice=True,
    )


@lru_cache(maxsize=2)
def _parser(grammar: str) -> Any:
    import tree_sitter

    if grammar == "typescript":
        import tree_sitter_typescript

        language = tree_sitter.Language(tree_sitter_typescript.language_typescript())
    else:
        import tree_sitter_javascript

        language = tree_sitter.Language(tree_sitter_javascript.language())
    return tree_sitter.Parser(language)


class _Imports:
    """The project files a configuration imports from, each parsed once, within a budget."""

    def __init__(self, reader: Reader, service: Path | None = None) -> None:
        self.reader = reader
        self.service = service  # the folder of the configuration file
        self.files: dict[str, _Reader | None] = {}
        self.loading: set[str] = set()  # files whose export is being read: an import cycle
        self._aliases: list[tuple[str, list[Path]]] | None = None
        self._base_url: Path | None = None  # compilerOptions.baseUrl: bare names resolve there

    def relative_folder(self, path: Path) -> str:
        """The folder of `path` relative to the service's folder, with `/`."""
        if self.service is None:
            raise _Unknown
        rel = os.path.relpath(path.parent, self.service)
        if rel.startswith(".."):
            raise _Unknown
        return "" if rel == "." else rel.replace(os.sep, "/")

    def is_dirname_helper(self, importer: Path, specifier: str, export: str) -> bool:
        """Whether the imported function is the template's `handlerPath`: its file holds the
        expression that makes `__dirname` relative to the folder the framework runs in."""
        target = self._target(importer, specifier)
        if target is None or export == "default":
            return False
        module = self._module(target)
        if module is None:
            return False
        local = module.named_exports.get(export)
        node = module.bindings.get(local) if local is not None else None
        node = module.functions.get(local) if node is None and local is not None else node
        if node is None or node.type not in _FUNCTION_NODES:
            return False
        return _DIRNAME_HELPER.search(module.node_text(node)) is not None

    def _target(self, importer: Path, specifier: str) -> Path | None:
        if "\x00" in specifier:
            return None
        if specifier.startswith(("./", "../")):
            return self._resolve(importer.parent / specifier)
        for pattern, targets in self.aliases():
            head, star, tail = pattern.partition("*")
            if star:
                matched = specifier.startswith(head) and specifier.endswith(tail)
                matched = matched and len(specifier) >= len(head) + len(tail)
                middle = specifier[len(head) : len(specifier) - len(tail)] if matched else ""
            else:
                matched, middle = specifier == pattern, ""
            if not matched:
                continue
            for target in targets:
                found = self._resolve(Path(str(target).replace("*", middle, 1)))
                if found is not None:
                    return found
        if self._base_url is not None and not specifier.startswith(("/", ".")):
            return self._resolve(self._base_url / specifier)  # `src/functions/x` from baseUrl
        return None

    def aliases(self) -> list[tuple[str, list[Path]]]:
        """`compilerOptions.paths` of the service's tsconfig.json (and the files it extends):
        the path aliases the bundler resolves (`@functions/*` → `src/functions/*`)."""
        if self._aliases is None:
            self._aliases = []
            if self.service is not None:
                self._aliases = self._tsconfig_paths(self.service / "tsconfig.json", 0)
        return self._aliases

    def _tsconfig_paths(self, path: Path, depth: int) -> list[tuple[str, list[Path]]]:
        if depth > 4:
            return []
        self.reader.log.note(path)
        if not path.is_file():
            return []
        text, _ = self.reader.read_text(path)
        if text is None:
            return []
        # JSON with comments and trailing commas: read as a JavaScript object literal
        data = ("(" + text + "\n)").encode("utf-8", "surrogatepass")
        tree = _parser("javascript").parse(data)
        if tree.root_node.has_error:
            return []
        reader = _Reader(text, data)
        statement = tree.root_node.named_children[0] if tree.root_node.named_children else None
        expr = (
            statement.named_children[0]
            if statement is not None and statement.named_children
            else None
        )
        try:
            config = reader.value(expr, 0) if expr is not None else None
        except (_Unknown, RecursionError):
            return []
        if not isinstance(config, LMap):
            return []
        found: list[tuple[str, list[Path]]] = []
        options = config.get("compilerOptions")
        base = options.get("baseUrl") if isinstance(options, LMap) else None
        if isinstance(base, str) and self._base_url is None:
            self._base_url = path.parent / base
        if isinstance(options, LMap) and isinstance(options.get("paths"), LMap):
            root = path.parent / base if isinstance(base, str) else path.parent
            for pattern, targets in options["paths"].items():
                if isinstance(targets, list):
                    found.append((pattern, [root / t for t in targets if isinstance(t, str)]))
        extends = config.get("extends")
        if isinstance(extends, str) and extends.startswith(("./", "../")):
            found += self._tsconfig_paths(path.parent / extends, depth + 1)
        return found

    def value(self, importer: Path, specifier: str, export: str, at: Pos, depth: int) -> Any:
        """The value `export` ("default" or a name) of the file `specifier` names, relative
        to `importer`, with every position set to `at`; raises _Unknown."""
        target = self._target(importer, specifier)
        if target is None:
            raise _Unknown  # a package, or what no file of the project answers
        key = str(target)
        if key in self.loading:
            raise _Unknown
        module = self._module(target)
        if module is None:
            raise _Unknown
        self.loading.add(key)
        try:
            value = module.exported_value(export, depth + 1)
        finally:
            self.loading.discard(key)
        return _placed(value, at)

    def _resolve(self, base: Path) -> Path | None:
        """The file an import names: as written, or with a code suffix, or its folder's index."""
        candidates = [base] if base.suffix.lower() in _CODE_SUFFIXES else []
        candidates += [base.with_name(base.name + suffix) for suffix in _CODE_SUFFIXES]
        candidates += [base / f"index{suffix}" for suffix in _CODE_SUFFIXES]
        for candidate in candidates:
            self.reader.log.note(candidate)  # (one created later may be the one imported)
            if candidate.is_file():
                return candidate
        return None

    def _module(self, path: Path) -> _Reader | None:
        key = str(path)
        if key in self.files:
            return self.files[key]
        module = None
        if len(self.files) < MAX_IMPORTED_FILES:
            text, _ = self.reader.read_text(path)  # only inside the checked tree
            if text is not None:
                grammar = "typescript" if path.suffix.lower() in (".ts", ".mts", ".cts") else ""
                data = text.encode("utf-8", "surrogatepass")
                tree = _parser(grammar or "javascript").parse(data)
                module = _Reader(text, data, path, self)
                module.exported = module._scan(tree.root_node)
                if tree.root_node.has_error:
                    module = None  # a file that does not parse: nothing in it is trusted
        self.files[key] = module
        return module


def _placed(value: Any, at: Pos) -> Any:
    """`value` with every position in it set to `at` (it was read from another file)."""
    if isinstance(value, LMap):
        out = LMap(at)
        for k, v in value.items():
            out[k] = _placed(v, at)
            out.key_pos[k] = out.value_pos[k] = at
        return out
    if isinstance(value, LList):
        items = LList(at)
        for v in value:
            items.append(_placed(v, at))
            items.item_pos.append(at)
        return items
    return value


class _Reader:
    """The exported configuration of one file, as LMap/LList values with positions."""

    def __init__(
        self, text: str, data: bytes, path: Path | None = None, imports: _Imports | None = None
    ) -> None:
        self.text = text
        self.data = data
        self.path = path
        self.imports = imports
        self.exported: Any = None  # the default export's node (an imported file)
        # names imported from another file: local name → (specifier, "default" or a name)
        self.imported: dict[str, tuple[str, str]] = {}
        self.named_exports: dict[str, str] = {}  # exported name → the local name it exports
        self.bindings: dict[str, Any] = {}  # top-level name → its value node
        self.functions: dict[str, Any] = {}  # top-level function declarations by name
        self.changed: set[str] = set()  # names assigned again, or changed through a member
        self.passed: set[str] = set()  # names handed to a call (which may change them)
        self._following: set[str] = set()
        self._line_starts = [0] + [i + 1 for i, b in enumerate(data) if b == 0x0A]

    # ------------------------------------------------------------ positions

    def pos(self, node: Any) -> Pos:
        row, col = node.start_point
        start = self._line_starts[row] if row < len(self._line_starts) else 0
        column = len(self.data[start : start + col].decode("utf-8", "replace")) + 1
        return Pos(row + 1, column)

    def node_text(self, node: Any) -> str:
        return str(self.data[node.start_byte : node.end_byte].decode("utf-8", "replace"))

    # ------------------------------------------------------------ the exported object

    def configuration(self, root: Any) -> tuple[Any, str]:
        """(the configuration, or None with why it is not read)."""
        exported = self._scan(root)
        if exported is None:
            return None, "no `export default`, `module.exports =` or `export =` found"
        if root.has_error and (exported.has_error or _inside_error(exported)):
            return None, "the file does not parse"
        node = self._unwrap(exported)
        name = self.node_text(node) if node.type == "identifier" else None
        if name is not None and (name in self.changed or name in self.passed):
            return None, f"`{name}` is changed by code after it is declared"
        try:
            value = self.value(exported, 0)
        except (_Unknown, RecursionError):
            return None, "the exported configuration is not an object literal of this file"
        if not isinstance(value, LMap):
            return None, "the exported configuration is not an object literal of this file"
        return value, ""

    def _scan(self, root: Any) -> Any:
        """Collect the top-level bindings and what changes them; the exported node."""
        exported = None
        seen = 0
        stack = [root]
        while stack:
            node = stack.pop()
            seen += 1
            if seen > MAX_NODES:
                return None
            kind = node.type
            if kind in ("lexical_declaration", "variable_declaration") and _top_level(node):
                exporting = node.parent is not None and node.parent.type == "export_statement"
                for declarator in node.named_children:
                    if declarator.type != "variable_declarator":
                        continue
                    name = declarator.child_by_field_name("name")
                    value = declarator.child_by_field_name("value")
                    if name is not None and name.type == "identifier" and value is not None:
                        local = self.node_text(name)
                        required = self._required(value)
                        if required is not None:
                            self.imported[local] = (required, "default")
                        else:
                            self.bindings[local] = value
                        if exporting:
                            self.named_exports[local] = local
            elif kind == "import_statement" and _top_level(node):
                self._import(node)
            elif kind == "function_declaration" and _top_level(node):
                name = node.child_by_field_name("name")
                if name is not None:
                    self.functions[self.node_text(name)] = node
                    if node.parent is not None and node.parent.type == "export_statement":
                        self.named_exports[self.node_text(name)] = self.node_text(name)
            elif kind in ("assignment_expression", "augmented_assignment_expression"):
                left = node.child_by_field_name("left")
                if left is not None and self._is_module_exports(left):
                    exported = node.child_by_field_name("right")
                elif left is not None:
                    base = _base_name(left, self)
                    if base is not None:
                        self.changed.add(base)
            elif kind == "call_expression":
                args = node.child_by_field_name("arguments")
                for arg in args.named_children if args is not None else ():
                    if arg.type == "identifier":
                        self.passed.add(self.node_text(arg))
            elif kind == "export_statement" and _top_level(node):
                found = self._export(node)
                if found is not None:
                    exported = found
            stack.extend(reversed(node.children))
        return exported

    def _import(self, node: Any) -> None:
        """`import x from '…'`, `import { a, b as c } from '…'` (not `import type`)."""
        if any(c.type == "type" for c in node.children):
            return
        source = node.child_by_field_name("source")
        if source is None or source.type != "string":
            return
        specifier = self.string(source)
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":
                    self.imported[self.node_text(part)] = (specifier, "default")
                elif part.type == "named_imports":
                    for spec in part.named_children:
                        if spec.type != "import_specifier":
                            continue
                        name = spec.child_by_field_name("name")
                        alias = spec.child_by_field_name("alias")
                        if name is None:
                            continue
                        local = self.node_text(alias if alias is not None else name)
                        self.imported[local] = (specifier, self.node_text(name))

    def _required(self, node: Any) -> str | None:
        """The path of `require('./x')`, None for any other value."""
        node = self._unwrap(node)
        if node.type != "call_expression":
            return None
        function = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        if function is None or self.node_text(function) != "require" or args is None:
            return None
        named = [a for a in args.named_children if a.type != "comment"]
        if len(named) != 1 or named[0].type != "string":
            return None
        return self.string(named[0])

    def exported_value(self, export: str, depth: int) -> Any:
        """The value an imported file exports as `export` ("default": its default export or
        module.exports); raises _Unknown."""
        if export == "default":
            node = self.exported
            if node is None:
                raise _Unknown
            inner = self._unwrap(node)
            if inner.type == "identifier":
                name = self.node_text(inner)
                if name in self.changed or name in self.passed:
                    raise _Unknown
            return self.value(node, depth)
        local = self.named_exports.get(export)
        if local is not None:
            return self.follow(local, depth)
        exported = self.member_of_exports(export, depth)
        if exported is not UNKNOWN:
            return exported
        raise _Unknown

    def member_of_exports(self, export: str, depth: int) -> Any:
        """`module.exports = { name: … }` read for `import { name }` / `require(…).name`."""
        if self.exported is None:
            return UNKNOWN
        try:
            whole = self.exported_value("default", depth)
        except _Unknown:
            return UNKNOWN
        return whole.get(export, UNKNOWN) if isinstance(whole, LMap) else UNKNOWN

    def _export(self, node: Any) -> Any:
        """The value of `export default x` / `export = x` / `export { x as default }`."""
        tokens = [c.type for c in node.children]
        if "default" in tokens or (len(tokens) >= 2 and tokens[1] == "="):
            value = node.child_by_field_name("value")
            if value is not None:
                return value
            named = [c for c in node.named_children if c.type not in ("comment", "decorator")]
            if named and named[-1].type not in (
                "function_declaration",
                "class_declaration",
                "lexical_declaration",
            ):
                return named[-1]
        found = None
        for clause in node.named_children:
            if clause.type != "export_clause" or node.child_by_field_name("source") is not None:
                continue
            for spec in clause.named_children:
                alias = spec.child_by_field_name("alias")
                name = spec.child_by_field_name("name")
                if name is None:
                    continue
                if alias is not None and self.node_text(alias) == "default":
                    found = name
                else:
                    exported = self.node_text(alias if alias is not None else name)
                    self.named_exports[exported] = self.node_text(name)
        return found

    def _is_module_exports(self, node: Any) -> bool:
        return node.type == "member_expression" and self.node_text(node).replace(" ", "") in (
            "module.exports",
            "exports.default",
            "module.exports.default",
        )

    # ------------------------------------------------------------ values

    def _unwrap(self, node: Any) -> Any:
        while node.type in _TRANSPARENT:
            inner = [c for c in node.named_children if not c.type.endswith("type")]
            inner = [
                c for c in inner if c.type not in ("type_identifier", "type_arguments", "comment")
            ]
            if not inner:
                break
            node = inner[0] if node.type != "type_assertion" else inner[-1]
        return node

    def value(self, node: Any, depth: int) -> Any:
        """The value of an expression; raises _Unknown for what is not a literal of the file."""
        if depth > MAX_DEPTH:
            raise _Unknown
        node = self._unwrap(node)
        kind = node.type
        if kind == "object":
            return self.object(node, depth)
        if kind == "array":
            out = LList(self.pos(node))
            for item in node.named_children:
                if item.type == "comment":
                    continue
                if item.type == "spread_element":
                    raise _Unknown  # which items it adds, and where, is not written here
                out.append(self.member(item, depth))
                out.item_pos.append(self.pos(item))
            return out
        if kind == "string":
            return self.string(node)
        if kind == "template_string":
            if any(c.type == "template_substitution" for c in node.named_children):
                return self.template(node, depth)
            return self.string(node)
        if kind == "call_expression":
            return self.call(node, depth)
        if kind == "number":
            return _number(self.node_text(node))
        if kind == "unary_expression":
            operand = node.child_by_field_name("argument")
            operator = node.child_by_field_name("operator")
            if operand is not None and operator is not None and operand.type == "number":
                value = _number(self.node_text(operand))
                op = self.node_text(operator)
                if op == "-":
                    return -value
                if op == "+":
                    return value
            raise _Unknown
        if kind == "member_expression":  # `common.timeout`, `more.report`
            base = node.child_by_field_name("object")
            prop = node.child_by_field_name("property")
            if base is None or prop is None or prop.type != "property_identifier":
                raise _Unknown
            whole = self.value(base, depth + 1)
            key = self.node_text(prop)
            if not isinstance(whole, LMap) or key not in whole or whole[key] is UNKNOWN:
                raise _Unknown
            return whole[key]
        if kind in ("true", "false"):
            return kind == "true"
        if kind in ("null", "undefined"):
            return None
        if kind == "identifier":
            name = self.node_text(node)
            if name == "undefined":
                return None
            return self.follow(name, depth, self.pos(node))
        raise _Unknown

    def member(self, node: Any, depth: int) -> Any:
        """A value inside an object or array: unknown stays UNKNOWN there."""
        try:
            return self.value(node, depth + 1)
        except _Unknown:
            return UNKNOWN

    def follow(self, name: str, depth: int, at: Pos | None = None) -> Any:
        """The value a top-level name of the file is bound to (never reassigned), or that it
        imports from a file of the project (its positions then `at`, where the name is used)."""
        if name not in self.bindings and name in self.imported and name not in self.changed:
            if self.imports is None or self.path is None or at is None:
                raise _Unknown
            specifier, export = self.imported[name]
            return self.imports.value(self.path, specifier, export, at, depth)
        bound = self.bindings.get(name)
        if bound is None or name in self.changed or name in self.passed or name in self._following:
            raise _Unknown
        self._following.add(name)
        try:
            return self.value(bound, depth + 1)
        finally:
            self._following.discard(name)

    def object(self, node: Any, depth: int) -> LMap:
        out = LMap(self.pos(node))
        for child in node.named_children:
            kind = child.type
            if kind == "comment":
                continue
            if kind == "pair":
                key = self.key(child.child_by_field_name("key"))
                value_node = child.child_by_field_name("value")
                if value_node is None:
                    raise _Unknown
                out[key] = self.member(value_node, depth)
                out.key_pos[key] = self.pos(child)
                out.value_pos[key] = self.pos(value_node)
            elif kind == "shorthand_property_identifier":
                key = self.node_text(child)
                try:
                    out[key] = self.follow(key, depth, self.pos(child))
                except _Unknown:
                    out[key] = UNKNOWN  # `{ hello }` of an imported `hello`
                out.key_pos[key] = out.value_pos[key] = self.pos(child)
            elif kind == "spread_element":
                inner = child.named_children[0] if child.named_children else None
                spread = self.value(inner, depth + 1) if inner is not None else None
                if not isinstance(spread, LMap):
                    raise _Unknown  # any key may come from it
                for key, value in spread.items():
                    out[key] = value
                    out.key_pos[key] = spread.key_pos.get(key, spread.pos)
                    out.value_pos[key] = spread.value_pos.get(key, spread.pos)
            elif kind == "method_definition":
                continue  # code: no setting lambdalint reads is a method
            else:
                raise _Unknown
        return out

    def key(self, node: Any) -> str:
        if node is None:
            raise _Unknown
        kind = node.type
        if kind == "property_identifier":
            return self.node_text(node)
        if kind == "string":
            return self.string(node)
        if kind == "number":
            return self.node_text(node)
        if kind == "computed_property_name":
            inner = node.named_children[0] if node.named_children else None
            value = self.value(inner, 0) if inner is not None else None
            if isinstance(value, str):
                return value
        raise _Unknown

    def template(self, node: Any, depth: int) -> str:
        """A template literal whose substitutions are all known strings or numbers."""
        parts = []
        for child in node.named_children:
            if child.type == "string_fragment":
                parts.append(self.node_text(child))
            elif child.type == "escape_sequence":
                parts.append(_unescape(self.node_text(child)))
            elif child.type == "template_substitution":
                inner = [c for c in child.named_children if c.type != "comment"]
                if len(inner) != 1:
                    raise _Unknown
                value = self.value(inner[0], depth + 1)
                if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                    raise _Unknown
                parts.append(str(value))
        return "".join(parts)

    def call(self, node: Any, depth: int) -> str:
        """`handlerPath(__dirname)` of the TypeScript service template: a helper of the
        project whose body makes the folder of the file that calls it relative to the
        service's folder (`context.split(process.cwd())[1]…`). Any other call is unknown."""
        function = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        if function is None or function.type != "identifier" or args is None:
            raise _Unknown
        named = [a for a in args.named_children if a.type != "comment"]
        if len(named) != 1 or self.node_text(named[0]) != "__dirname":
            raise _Unknown
        name = self.node_text(function)
        if name in self.bindings or name not in self.imported or self.imports is None:
            raise _Unknown
        if self.path is None or not self.imports.is_dirname_helper(self.path, *self.imported[name]):
            raise _Unknown
        return self.imports.relative_folder(self.path)

    def string(self, node: Any) -> str:
        parts = []
        for child in node.named_children:
            if child.type == "string_fragment":
                parts.append(self.node_text(child))
            elif child.type == "escape_sequence":
                parts.append(_unescape(self.node_text(child)))
        if not node.named_children:
            raw = self.node_text(node)
            return raw[1:-1] if len(raw) >= 2 else ""
        return "".join(parts)


def _top_level(node: Any) -> bool:
    parent = node.parent
    while parent is not None and parent.type == "export_statement":
        parent = parent.parent
    return parent is not None and parent.type == "program"


def _inside_error(node: Any) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.type == "ERROR":
            return True
        parent = parent.parent
    return False


def _base_name(node: Any, reader: _Reader) -> str | None:
    """The name an assignment target starts from (`config` in `config.provider.x = ...`)."""
    while node.type in ("member_expression", "subscript_expression"):
        node = node.child_by_field_name("object")
        if node is None:
            return None
    return reader.node_text(node) if node.type == "identifier" else None


def _number(text: str) -> int | float:
    cleaned = text.replace("_", "")
    try:
        if cleaned.lower().startswith(("0x", "0o", "0b")):
            return int(cleaned, 0)
        return int(cleaned) if re.fullmatch(r"[0-9]+", cleaned) else float(cleaned)
    except ValueError:
        raise _Unknown from None


def _unescape(raw: str) -> str:
    def repl(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc.startswith("u{"):
            return _char(int(esc[2:-1], 16))
        if esc[0] in "ux" and len(esc) > 1:
            return _char(int(esc[1:], 16))
        if esc in ("\n", "\r\n", "\r"):
            return ""  # a line continuation
        return _ESCAPES.get(esc, esc)

    return _ESCAPE.sub(repl, raw)


def _char(code: int) -> str:
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return "\ufffd"
