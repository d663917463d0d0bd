"""Every function of a Terraform module: its `aws_lambda_function` resources (build.py) and its
calls of Lambda modules such as terraform-aws-modules/lambda (modules.py)."""

from __future__ import annotations

from pathlib import Path

from lambdalint.loaders.terraform import inventory, modules
from lambdalint.loaders.terraform.build import LAMBDA, Links, build_function
from lambdalint.loaders.terraform.model import Scope
from lambdalint.model import Framework, Function


def build_functions(
    scope: Scope, framework: Framework, only_path: Path | None = None
) -> list[Function]:
    modules.register(scope)
    links = Links(scope)
    out = []
    for res in scope.all(LAMBDA):
        if only_path is not None and res.path != only_path:
            continue
        out.append(build_function(scope, res, framework, links))
    out.extend(modules.functions(scope, framework, only_path, links))
    if out:
        declared = inventory.inventory(scope)
        for fn in out:
            fn.resources = declared
    return out
