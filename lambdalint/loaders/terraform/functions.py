"""Every function of a Terraform configuration: the `aws_lambda_function` resources of a module
(build.py), its calls of Lambda modules such as terraform-aws-modules/lambda (modules.py), and
the same in each instance of the local modules it calls (`module.x.aws_lambda_function.this`)."""

from __future__ import annotations

from pathlib import Path

from lambdalint.loaders.terraform import inventory, modules
from lambdalint.loaders.terraform.build import LAMBDA, Links, build_function
from lambdalint.loaders.terraform.model import Scope
from lambdalint.model import Framework, Function


def build_functions(
    scope: Scope, framework: Framework, only_path: Path | None = None
) -> list[Function]:
    """The functions of the module `scope` declared in `only_path` (every file when None), and
    those of the module instances that the calls declared there expand to."""
    scope.config.prepare = modules.register
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
    for instance in scope.instances():
        call = instance.root_call()
        if only_path is not None and (call is None or call.path != only_path):
            continue
        found = [build_function(instance, res, framework, links) for res in instance.all(LAMBDA)]
        found += modules.functions(instance, framework, None, links)
        in_instance = inventory.inventory(instance) if found else ()
        for fn in found:
            fn.module = instance.address
            fn.module_call = call.loc if call is not None else None
            fn.resources = in_instance  # what its module declares, as for a root function
            # a suppression written on a call applies to what it instantiates
            for scope_above in _calls_above(instance):
                for rule, why in scope_above.items():
                    fn.suppressed.setdefault(rule, why)
        out.extend(found)
    return out


def _calls_above(instance: Scope) -> list[dict[str, str]]:
    out = []
    scope: Scope | None = instance
    while scope is not None and scope.call is not None:
        out.append(scope.call.suppressed)
        scope = scope.parent
    return out
