"""Secrets in the function configuration (LL401, LL403). The values are never printed whole."""

from __future__ import annotations

from collections.abc import Iterator

from lambdalint.aws import secrets
from lambdalint.engine.context import CheckContext
from lambdalint.findings import Finding
from lambdalint.model import Function


def extra_secret_names(ctx: CheckContext) -> tuple[str, ...]:
    """The `secret-names` option: more name fragments that mark a secret (LL401-LL403)."""
    return ctx.options.strings("secret-names")


def secret_in_env(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL401: an environment variable holds a literal secret."""
    extra = extra_secret_names(ctx)
    for env in fn.environment.values():
        if env.kind not in ("literal", "reference") or not isinstance(env.value, str):
            continue
        reason = secrets.classify_env(env.name, env.value, extra)
        if reason is None:
            continue
        yield Finding(
            f"environment variable {env.name} holds a literal secret "
            f"({reason}): {secrets.redact(env.value)}; anyone who can read the function "
            "configuration sees it. Store it in Secrets Manager or SSM Parameter Store "
            "(SecureString) and read it at runtime",
            env.loc,
        )


def secret_from_plain_parameter(fn: Function, ctx: CheckContext) -> Iterator[Finding]:
    """LL403: a secret-like variable is filled from a template parameter."""
    extra = extra_secret_names(ctx)
    for env in fn.environment.values():
        if env.kind != "parameter" or not secrets.is_secret_name(env.name, extra):
            continue
        if env.parameter and secrets.names_reference(env.parameter):
            continue  # DbSecretArn, ApiKeyParameterName: the parameter points at the secret
        no_echo = (
            " (NoEcho hides it only in CloudFormation's own output)"
            if env.parameter_no_echo
            else ""
        )
        source = f"parameter {env.parameter}" if env.parameter else "a parameter"
        yield Finding(
            f"environment variable {env.name} is filled from {source}{no_echo}: "
            "the value is stored in plain text in the function configuration; read it at "
            "runtime from Secrets Manager or SSM Parameter Store (SecureString) instead",
            env.loc,
        )
