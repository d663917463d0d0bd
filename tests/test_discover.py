"""Discovery: which files are considered, what is excluded by default."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lambdalint.settings import build
from lambdalint.discover import discover, templates_near
from lambdalint import app
from lambdalint.loaders import project_template


def _touch(path: Path, text: str = "Resources: {}\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_default_excludes_and_virtualenvs(tmp_path: Path) -> None:
    keep = _touch(tmp_path / "stack" / "template.yaml")
    _touch(tmp_path / "node_modules" / "pkg" / "template.yaml")
    _touch(tmp_path / ".aws-sam" / "build" / "template.yaml")
    _touch(tmp_path / ".terraform" / "modules" / "main.tf")
    _touch(tmp_path / ".git" / "x.yaml")
    _touch(tmp_path / "cdk.out" / "Stack.template.json")
    _touch(tmp_path / "myenv" / "pyvenv.cfg", "home = /usr\n")
    _touch(tmp_path / "myenv" / "lib" / "template.yaml")
    _touch(tmp_path / "{{cookiecutter.project}}" / "template.yaml")
    _touch(tmp_path / "package.json", "{}")
    found = discover([tmp_path])
    assert found.configs == [keep]
    # a template folder is skipped, and said so
    assert found.notices == [
        (
            tmp_path / "{{cookiecutter.project}}",
            "skipped: a project template folder ({{ }} in its name), not deployable",
        )
    ]


def test_cdk_out_only_when_named(tmp_path: Path) -> None:
    tpl = _touch(tmp_path / "cdk.out" / "Stack.template.json", '{"Resources": {}}')
    assert discover([tmp_path]).configs == []
    assert discover([tmp_path / "cdk.out"]).configs == [tpl]


def test_user_excludes(tmp_path: Path) -> None:
    _touch(tmp_path / "legacy" / "template.yaml")
    keep = _touch(tmp_path / "new" / "template.yaml")
    assert discover([tmp_path], excludes=("legacy",)).configs == [keep]
    assert discover([tmp_path], excludes=("legacy/*",)).configs == [keep]


def test_symlink_loop_is_not_followed_forever(tmp_path: Path) -> None:
    keep = _touch(tmp_path / "a" / "template.yaml")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a", target_is_directory=True)
    found = discover([tmp_path])
    assert found.configs == [keep]


def test_source_file_maps_to_templates_above(tmp_path: Path) -> None:
    tpl = _touch(tmp_path / "svc" / "template.yaml")
    src = _touch(tmp_path / "svc" / "src" / "app.py", "def handler(e, c): pass\n")
    found = discover([src])
    assert found.sources == [src] and found.configs == []
    assert tpl in templates_near(src, tmp_path).configs


def test_each_dangling_link_is_reported_on_its_own_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.name != "posix":
        pytest.skip("symbolic links")
    project = tmp_path / "project"
    _touch(project / "real.yaml")
    (project / "a.yaml").symlink_to("missing.yaml")
    (project / "b.yaml").symlink_to("missing.yaml")  # the same missing target
    (project / "sub").mkdir()
    (project / "sub" / "c.yaml").symlink_to("../missing.yaml")
    (project / "again.yaml").symlink_to("real.yaml")  # a second name of a real file: once
    monkeypatch.chdir(project)
    found = discover([Path(".")])
    names = sorted(str(p) for p in found.configs)
    assert names == ["a.yaml", "again.yaml", "b.yaml", "sub/c.yaml"]
    result = app.lint([Path(".")], build({"select": ["LL100"]}))
    broken = sorted(str(f.loc.path) for f in result.findings if "broken symbolic link" in f.message)
    assert broken == ["a.yaml", "b.yaml", "sub/c.yaml"]
    # the folder checked alone still reports its own link
    result = app.lint([Path("sub")], build({"select": ["LL100"]}))
    assert [str(f.loc.path) for f in result.findings] == ["sub/c.yaml"]


def test_serverless_configs_written_as_code_are_noticed(tmp_path: Path) -> None:
    _touch(tmp_path / "ts-service" / "serverless.ts", "export default {}\n")
    _touch(tmp_path / "both" / "serverless.js", "module.exports = {}\n")
    _touch(tmp_path / "both" / "serverless.yml", "service: s\n")
    found = discover([tmp_path])
    notices = [(p.relative_to(tmp_path).as_posix(), m) for p, m in found.notices]
    assert len(notices) == 1
    assert notices[0][0] == "ts-service/serverless.ts"
    assert "not checked" in notices[0][1]
    assert found.configs == [tmp_path / "both" / "serverless.yml"]


def test_cdk_apps_are_linted_from_their_synthesized_templates(tmp_path: Path) -> None:
    app = tmp_path / "app"
    _touch(app / "cdk.json", '{"app": "npx ts-node bin/app.ts"}')
    stack = _touch(app / "cdk.out" / "Api.template.json", '{"Resources": {}}')
    stage = _touch(app / "cdk.out" / "assembly-Prod" / "ProdApi.template.json", "{}")
    _touch(app / "cdk.out" / "asset.123" / "template.yaml")  # a copy of project files
    _touch(app / "cdk.out" / "manifest.json", "{}")
    custom = tmp_path / "custom"
    _touch(custom / "cdk.json", '{"app": "python3 app.py", "output": "build/cdk"}')
    built = _touch(custom / "build" / "cdk" / "Stack.template.json", "{}")
    bare = tmp_path / "bare"
    _touch(bare / "cdk.json", '{"app": "python3 app.py"}')
    found = discover([tmp_path])
    assert set(found.configs) == {stack, stage, built}
    assert found.unsynthesized_cdk_apps == [bare]
    assert [(p, "cdk synth" in m) for p, m in found.notices] == [(bare / "cdk.json", True)]
    # the user's own exclude still wins
    assert discover([tmp_path], excludes=("cdk.out",)).configs == [built]


def test_many_cdk_apps_without_templates_make_one_notice(tmp_path: Path) -> None:
    for i in range(5):
        _touch(tmp_path / f"pattern-{i}" / "cdk.json", "{}")
    found = discover([tmp_path])
    assert len(found.unsynthesized_cdk_apps) == 5
    ((where, message),) = found.notices
    assert where == tmp_path
    assert message.startswith("5 CDK apps without synthesized templates (")
    assert "run `cdk synth`" in message


@pytest.mark.parametrize(
    "text",
    [
        'Output: "{% $states.input %}"\nX: "{{resolve:ssm:/a/b}}"\n',
        '{"Definition": {"Output": "{% $states.input %}"}, "P": "{{resolve:secretsmanager:s}}"}',
        "Value: '{%if%}'\n",
        "Resources: {}\n",
    ],
)
def test_dynamic_references_and_jsonata_are_deployable(chdir_tmp: Path, text: str) -> None:
    assert project_template(_touch(chdir_tmp / "svc" / "template.yaml", text), text) is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Handler: '{{ cookiecutter.module }}.handler'\n", "cookiecutter"),
        ("Handler: '{{cookiecutter.module}}.handler'\n", "cookiecutter"),
        ("Resources:\n  {%- if api %}\n  Api: {}\n  {% endif %}\n", "Jinja"),
    ],
)
def test_project_templates_are_recognised(chdir_tmp: Path, text: str, why: str) -> None:
    reason = project_template(_touch(chdir_tmp / "svc" / "template.yaml", text), text)
    assert reason is not None and why in reason


def test_a_cookiecutter_json_above_makes_markup_a_template(chdir_tmp: Path) -> None:
    text = "Handler: '{{ module }}.handler'\n"
    path = _touch(chdir_tmp / "gen" / "docs" / "template.yaml", text)
    assert project_template(path, text) is None
    _touch(chdir_tmp / "gen" / "cookiecutter.json", "{}")
    assert "cookiecutter.json" in (project_template(path, text) or "")
    # no markup in the file: a real template, linted whatever sits above
    assert project_template(path, "Resources: {}\n") is None
    # a path component with {{ }} is a template whatever the text
    named = Path("{{cookiecutter.slug}}") / "template.yaml"
    assert "path" in (project_template(named, "Resources: {}\n") or "")


def test_env_folders_are_skipped_only_when_they_are_virtualenvs(tmp_path: Path) -> None:
    """`env/prod/template.yaml` is a stage's template; `venv/` with an activate script is not."""
    keep = [
        _touch(tmp_path / "env" / "prod" / "template.yaml"),
        _touch(tmp_path / ".env" / "template.yaml"),
        _touch(tmp_path / "venv" / "notes" / "template.yaml"),
        _touch(tmp_path / "stages" / ".venv" / "main.tf", 'resource "x" "y" {}\n'),
    ]
    _touch(tmp_path / "a" / "venv" / "bin" / "activate", "")
    _touch(tmp_path / "a" / "venv" / "lib" / "template.yaml")
    _touch(tmp_path / "b" / ".venv" / "pyvenv.cfg", "home = /usr\n")
    _touch(tmp_path / "b" / ".venv" / "template.yaml")
    _touch(tmp_path / "c" / "env" / "lib" / "python3.12" / "site-packages" / "x" / "template.yaml")
    _touch(tmp_path / "d" / "env" / "Scripts" / "activate", "")
    _touch(tmp_path / "d" / "env" / "x.yaml")
    _touch(tmp_path / "e" / "env" / "conda-meta" / "history", "")
    _touch(tmp_path / "e" / "env" / "x.yaml")
    assert sorted(discover([tmp_path]).configs) == sorted(keep)
    # a user's exclude still removes a folder by its name
    assert sorted(discover([tmp_path], excludes=("env",)).configs) == [
        p for p in sorted(keep) if "env" not in p.relative_to(tmp_path).parts
    ]


def test_installed_dependencies_are_not_walked(tmp_path: Path) -> None:
    """A layer's `python/` folder filled by `pip install --target`: the packages its
    `*.dist-info` RECORDs list (botocore's JSON service models...) are not the project's; the
    folder's own files and the project's folders beside the packages still are."""
    layer = tmp_path / "layer" / "python"
    record = "botocore/__init__.py,sha256=x,1\nbotocore/data/s3/service-2.json,,\n"
    record += "botocore-1.0.dist-info/RECORD,,\nsix.py,,\n"
    _touch(layer / "botocore-1.0.dist-info" / "RECORD", record)
    _touch(layer / "botocore-1.0.dist-info" / "direct_url.json", '{"Resources": {}}')
    _touch(layer / "botocore" / "data" / "s3" / "service-2.json", '{"Resources": {}}')
    # a legacy install: installed-files.txt lists paths relative to the egg-info folder
    _touch(layer / "old-2.0-py3.9.egg-info" / "installed-files.txt", "../old/__init__.py\n")
    _touch(layer / "old" / "template.yaml")
    keep = [
        _touch(layer / "template.yaml"),
        _touch(layer / "mine" / "template.yaml"),  # not in any record: the project's
        _touch(tmp_path / "template.yaml"),
    ]
    assert sorted(discover([tmp_path]).configs) == sorted(keep)


def test_own_build_metadata_skips_nothing(tmp_path: Path) -> None:
    """`setup.py develop` leaves `<project>.egg-info` (no installed-files.txt) in the project
    itself, and a dist-info without a readable RECORD proves nothing: nothing is skipped."""
    _touch(tmp_path / "mypkg.egg-info" / "top_level.txt", "mypkg\n")
    _touch(tmp_path / "odd-1.0.dist-info" / "METADATA", "Name: odd\n")
    keep = [
        _touch(tmp_path / "mypkg" / "template.yaml"),
        _touch(tmp_path / "odd" / "template.yaml"),
        _touch(tmp_path / "odd-1.0.dist-info" / "template.yaml"),
    ]
    assert sorted(discover([tmp_path]).configs) == sorted(keep)


def test_a_record_pointing_out_of_the_tree_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _touch(outside / "RECORD", "pkg/__init__.py,,\n")
    tree = tmp_path / "tree"
    (tree / "dep-1.0.dist-info").mkdir(parents=True)
    (tree / "dep-1.0.dist-info" / "RECORD").symlink_to(outside / "RECORD")
    keep = _touch(tree / "pkg" / "template.yaml")
    assert discover([tree]).configs == [keep]
