"""serverless.ts / serverless.js: the exported configuration object read statically, never run."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lambdalint.loaders import load_file
from lambdalint.model import UNKNOWN, Diagnostic, Function

SERVICE_BODY = """{
  service: 'orders',
  provider: { name: 'aws', runtime: 'python3.12' },
  functions: {
    create: { handler: 'app.create', timeout: 12 },
  },
}"""


def _load(folder: Path, text: str, name: str = "serverless.ts") -> tuple[list[Function], list]:  # type: ignore[type-arg]
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return load_file(path, path.read_text(encoding="utf-8"))


def _one(folder: Path, text: str, name: str = "serverless.ts") -> Function:
    fns, diags = _load(folder, text, name)
    assert not diags, diags
    assert len(fns) == 1, fns
    return fns[0]


def _notice(diags: list[Diagnostic]) -> str:
    assert len(diags) == 1 and diags[0].notice, diags
    return diags[0].message


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("serverless.ts", f"export default {SERVICE_BODY};"),
        ("serverless.ts", f"const config: AWS = {SERVICE_BODY};\nmodule.exports = config;"),
        ("serverless.ts", f"const config = {SERVICE_BODY} as AWS;\nexport = config;"),
        ("serverless.ts", f"const config = <AWS>{SERVICE_BODY};\nexport {{ config as default }};"),
        ("serverless.ts", f"export default {SERVICE_BODY} satisfies AWS;"),
        ("serverless.js", f"module.exports = {SERVICE_BODY};"),
        ("serverless.cjs", f"'use strict';\nconst c = {SERVICE_BODY};\nmodule.exports = c;"),
        ("serverless.mjs", f"const c = {SERVICE_BODY};\nexport default c;"),
    ],
)
def test_every_way_of_exporting_the_configuration(tmp_path: Path, name: str, text: str) -> None:
    fn = _one(tmp_path, text, name)
    assert fn.name == "create" and fn.loc.path.name == name
    assert fn.handler is not None and fn.handler.value == "app.create"
    assert fn.timeout is not None and fn.timeout.value == 12
    # positions point into the .ts/.js file
    lines = text.splitlines()
    assert "handler: 'app.create'" in lines[fn.handler.loc.pos.line - 1]
    assert lines[fn.handler.loc.pos.line - 1][fn.handler.loc.pos.column - 1] == "'"


def test_values_followed_through_names_of_the_file(tmp_path: Path) -> None:
    fn = _one(
        tmp_path,
        """
        import type { AWS } from '@serverless/typescript';
        const runtime = `python3.12`;
        const common = { timeout: 30, memorySize: 512 };
        const create = { ...common, handler: 'app.create', tags: { team: 'a\\u0062c' } };
        export default {
          service: 'orders',
          provider: { name: 'aws', runtime, stage: "${opt:stage, 'dev'}" },
          functions: { create },
        };
        """,
    )
    assert fn.runtime is not None and fn.runtime.value == "python3.12"
    assert fn.timeout is not None and fn.timeout.value == 30
    assert fn.memory is not None and fn.memory.value == 512
    assert fn.tags == {"team": "abc"}
    assert fn.function_name == "orders-dev-create"


def test_what_is_not_a_literal_is_unknown(tmp_path: Path) -> None:
    fn = _one(
        tmp_path,
        """
        import { runtime } from './settings';
        export default {
          service: 'orders',
          provider: { name: 'aws', runtime },
          functions: {
            create: {
              handler: `${process.env.HANDLER}`,
              timeout: Number(process.env.TIMEOUT),
              memorySize: process.env.MEMORY,
            },
          },
        };
        """,
    )
    assert fn.runtime is not None and fn.runtime.value is UNKNOWN
    assert fn.handler is not None and fn.handler.value is UNKNOWN
    assert fn.timeout is not None and fn.timeout.value is UNKNOWN


def test_an_unknown_spread_makes_its_object_unknown(tmp_path: Path) -> None:
    # the provider may get its runtime from `shared`: no default runtime is assumed
    fns, diags = _load(
        tmp_path,
        """
        import shared from './shared';
        export default {
          service: 'orders',
          provider: { ...shared, name: 'aws' },
          functions: { create: { handler: 'app.create' } },
        };
        """,
    )
    assert fns == [] and diags == []  # no provider named aws can be seen: not a service


def test_imported_functions_are_noticed(tmp_path: Path) -> None:
    fns, diags = _load(
        tmp_path,
        """
        import hello from '@functions/hello';
        import more from './more';
        export default {
          service: 'orders',
          provider: { name: 'aws', runtime: 'nodejs20.x' },
          functions: { hello, local: { handler: 'handler.local' } },
        };
        """,
    )
    assert [fn.name for fn in fns] == ["local"]
    assert "functions not checked: hello" in _notice(diags)
    fns, diags = _load(
        tmp_path,
        """
        import more from './more';
        export default {
          service: 'orders',
          provider: { name: 'aws', runtime: 'nodejs20.x' },
          functions: more,
        };
        """,
    )
    assert fns == [] and "`functions` is not written as a literal" in _notice(diags)


@pytest.mark.parametrize(
    "text",
    [
        "module.exports = require('./config');",
        "export default defineConfig({ service: 's' });",
        "const c = { service: 's' };\nc.provider = { name: 'aws' };\nexport default c;",
        "const c = { service: 's' };\nObject.assign(c, extra);\nmodule.exports = c;",
        "let c = { service: 's' };\nc = other;\nmodule.exports = c;",
        "const x = 1;",
        "export default {",
    ],
)
def test_a_configuration_that_is_not_a_literal_is_noticed(tmp_path: Path, text: str) -> None:
    fns, diags = _load(tmp_path, text)
    assert fns == []
    assert _notice(diags).startswith("not checked:")


def test_the_config_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    fns, _ = _load(
        tmp_path,
        f"""
        require('fs').writeFileSync({str(marker)!r}, 'x');
        module.exports = {SERVICE_BODY};
        """,
        "serverless.js",
    )
    assert [fn.name for fn in fns] == ["create"]
    assert not marker.exists()


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def test_names_imported_from_files_of_the_project_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(
        tmp_path,
        {
            "serverless/functions.ts": """
            import type { AWS } from '@serverless/typescript';
            import { shared } from '../shared';

            const functions: AWS['functions'] = {
              create: { handler: 'src/create.handler', timeout: 12, environment: shared },
            };

            export default functions;
            """,
            "shared/index.ts": "export const shared = { TABLE: 'orders' };\n",
            "more.js": "module.exports = { report: { handler: 'src/report.handler' } };\n",
            "named.ts": "const one = { handler: 'src/one.handler' };\nexport { one as single };\n",
        },
    )
    fns, diags = _load(
        tmp_path,
        """
        import type { AWS } from '@serverless/typescript';
        import functions from './serverless/functions';
        import { single } from './named';
        const more = require('./more');

        const config: AWS = {
          service: 'orders',
          provider: { name: 'aws', runtime: 'nodejs20.x' },
          functions: { ...functions, single, report: more.report },
        };
        module.exports = config;
        """,
    )
    by_name = {fn.name: fn for fn in fns}
    assert set(by_name) == {"create", "single", "report"} and not diags, (fns, diags)
    create = by_name["create"]
    assert create.handler is not None and create.handler.value == "src/create.handler"
    assert create.timeout is not None and create.timeout.value == 12
    assert create.environment["TABLE"].value == "orders"
    # what was read from another file points where the configuration names it
    assert create.loc.path.name == "serverless.ts" and create.loc.pos.line == 9
    assert by_name["single"].handler is not None
    assert by_name["single"].handler.value == "src/one.handler"
    report = by_name["report"].handler
    assert report is not None and report.value == "src/report.handler"


def test_packages_aliases_cycles_and_files_outside_the_tree_are_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = tmp_path / "service"
    _write(
        tmp_path,
        {
            "outside.ts": "export default { far: { handler: 'far.handler' } };\n",
            "service/a.ts": "import b from './b';\nexport default b;\n",
            "service/b.ts": "import a from './a';\nexport default a;\n",
        },
    )
    monkeypatch.chdir(service)  # the checked tree: service/ only
    fns, diags = _load(
        service,
        """
        import hello from '@functions/hello';
        import lib from 'some-package';
        import far from '../outside';
        import looped from './a';
        export default {
          service: 'orders',
          provider: { name: 'aws', runtime: 'nodejs20.x' },
          functions: { hello, lib, far, looped, local: { handler: 'handler.local' } },
        };
        """,
    )
    assert [fn.name for fn in fns] == ["local"]
    assert "functions not checked: hello, lib, far, looped" in _notice(diags)


def test_template_literals_path_aliases_and_the_templates_handler_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(
        tmp_path,
        {
            "tsconfig.json": """
            // comments and trailing commas, as TypeScript accepts them
            { "extends": "./tsconfig.paths.json", "compilerOptions": { "strict": true, }, }
            """,
            "tsconfig.paths.json": """
            { "compilerOptions": { "baseUrl": ".", "paths": {
                "@functions/*": ["src/functions/*"], "@libs/*": ["src/libs/*"] } } }
            """,
            "src/libs/handler-resolver.ts": """
            export const handlerPath = (context: string) => {
              return `${context.split(process.cwd())[1].substring(1).replace(/\\\\/g, '/')}`;
            };
            export const otherPath = (context: string) => `${context}/x`;
            export function folderOf(context: string) {
              return context.split(process.cwd())[1].substring(1);
            }
            """,
            "src/functions/bare/index.ts": "export default { handler: 'src/bare.main' };\n",
            "src/functions/decl/index.ts": """
            import { folderOf } from '../../libs/handler-resolver';
            export default { handler: `${folderOf(__dirname)}/app.main` };
            """,
            "src/functions/hello/index.ts": """
            import { handlerPath } from '@libs/handler-resolver';
            export default { handler: `${handlerPath(__dirname)}/handler.main`, timeout: 9 };
            """,
            "src/functions/other/index.ts": """
            import { otherPath } from '@libs/handler-resolver';
            export default { handler: `${otherPath(__dirname)}/handler.main` };
            """,
        },
    )
    fns, diags = _load(
        tmp_path,
        """
        import hello from '@functions/hello';
        import other from '@functions/other';
        import decl from './src/functions/decl';
        import bare from 'src/functions/bare';
        const folder = 'src';
        export default {
          service: 'greeter',
          provider: { name: 'aws', runtime: 'nodejs22.x' },
          functions: { hello, other, decl, bare, local: { handler: `${folder}/local.main` } },
        };
        """,
    )
    by_name = {fn.name: fn for fn in fns}
    hello, local = by_name["hello"].handler, by_name["local"].handler
    assert hello is not None and hello.value == "src/functions/hello/handler.main"
    assert local is not None and local.value == "src/local.main"
    # a bare name resolves from compilerOptions.baseUrl, as the compiler does
    bare = by_name["bare"].handler
    assert bare is not None and bare.value == "src/bare.main"
    decl = by_name["decl"].handler
    assert decl is not None and decl.value == "src/functions/decl/app.main"
    # a helper that is not the template's idiom is code that would have to run: unknown
    other = by_name["other"].handler
    assert other is None or other.value is UNKNOWN
