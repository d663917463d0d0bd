"""Secret classification and redaction (shared by LL401, LL403 and LL402)."""

from __future__ import annotations

import pytest

from lambdalint.aws import secrets

# fake credentials in the issuers' formats, assembled so no scanner mistakes this file for a leak
GITHUB = "ghp_" + "Zx8Yw7Vu6Ts5Rq4Po3Nm2Lk1Jh0Gf9Ed8Cb7"
AWS_KEY = "AKIA" + "2E0A8F3B244C9986"
STRIPE = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
JWT = (
    "eyJhbGciOiJIUzI1NiJ9."
    + "eyJzdWIiOiIxMjM0NTY3ODkwIn0."
    + "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)


@pytest.mark.parametrize(
    "name, value, reason",
    [
        ("DB_PASSWORD", "Tr0ub4dor&3-horse", "secret-like name"),
        ("AWS_SECRET_ACCESS_KEY", "Zq8vN3kP1xR7tY2mW9bL4cF6hJ0sD5gA/eU+iOpQ", "secret-like name"),
        ("apiKey", "9f8e7d6c5b4a39281706", "secret-like name"),
        ("ANYTHING", AWS_KEY, "AWS access key id"),
        ("CONFIG", GITHUB, "GitHub token"),
        ("PAYMENTS", STRIPE, "Stripe"),
        ("SESSION", JWT, "JSON Web Token"),
        ("KEY_MATERIAL", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow", "private key"),
        ("DATABASE_URL", "postgres://app:pW9xK2mQ7v@db.internal:5432/app", "embedded password"),
    ],
)
def test_secrets_are_found(name: str, value: str, reason: str) -> None:
    found = secrets.classify_env(name, value)
    assert found is not None and reason in found


@pytest.mark.parametrize(
    "name, value",
    [
        ("SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"),
        ("SECRET_NAME", "prod/orders/db"),
        ("DB_SECRET", "prod/db/credentials"),
        ("TOKEN_TABLE_NAME", "tokens-table-prod"),
        ("PASSWORD_MIN_LENGTH", "12"),
        ("API_KEY_HEADER", "x-api-key"),
        ("DB_PASSWORD", "/myapp/prod/db-password"),
        ("DB_PASSWORD", "{{resolve:secretsmanager:prod/db:SecretString:password}}"),
        ("DB_PASSWORD", "${ssm:/app/db-password}"),
        ("DB_PASSWORD", ""),
        ("DB_PASSWORD", "hunter2"),
        ("DB_PASSWORD", "changeme"),
        ("CLIENT_SECRET", "<your-client-secret>"),
        ("JWT_SECRET", "jwt-signing-secret"),
        ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
        ("DATABASE_URL", "postgres://app@db.internal/app"),
        ("DATABASE_URL", "postgres://app:password@localhost/app"),
        ("TOKEN_URL", "https://auth.example.com/oauth2/token"),
        ("PASS_THROUGH", "true"),
        ("ENCRYPTION_KEY", "alias/orders"),
        ("STAGE", "prod-2024-xY9q"),
        ("DB_PASSWORD", 12345678),
    ],
)
def test_not_secrets(name: str, value: object) -> None:
    assert secrets.classify_env(name, value) is None


@pytest.mark.parametrize(
    "name, expected",
    [
        ("DB_PASSWORD", True),
        ("dbPassword", True),
        ("API_KEY", True),
        ("APIKey", True),
        ("PRIVATE_KEY", True),
        ("GITHUB_TOKEN", True),
        ("SECRET_ARN", False),
        ("TOKEN_TABLE_NAME", False),
        ("PASSWORD_MIN_LENGTH", False),
        ("GITHUB_TOKEN_SECRET_ARN", False),
        ("DB_PASSWORD_FILE", False),
        ("S3_KEY", False),
        ("MAX_TOKENS", False),
        ("BYPASS_CACHE", False),
    ],
)
def test_secret_names(name: str, expected: bool) -> None:
    assert secrets.is_secret_name(name) is expected


def test_extra_names_are_whole_tokens() -> None:
    assert secrets.is_secret_name("SENTRY_DSN", ["DSN"])
    assert secrets.is_secret_name("pdfLicense", ["license"])
    assert not secrets.is_secret_name("LICENSE_SERVER_URL", ["LICENSE"])
    assert not secrets.is_secret_name("LICENSES", ["LICENSE"])


def test_names_reference() -> None:
    assert secrets.names_reference("DbSecretArn")
    assert secrets.names_reference("ApiKeyParameterName")
    assert not secrets.names_reference("DbPassword")


@pytest.mark.parametrize("value", [GITHUB, AWS_KEY, STRIPE, JWT, "Tr0ub4dor&3-horse", "short1!"])
def test_redaction_never_prints_the_value(value: str) -> None:
    shown = secrets.redact(value)
    assert value not in shown
    assert f"({len(value)} characters)" in shown
    assert len(shown.split("…")[0]) <= 4


def test_redaction_of_urls_and_keys() -> None:
    assert secrets.redact("postgres://app:pW9xK2mQ7v@db/app") == "postgres://app:****@db/app"
    assert (
        secrets.redact("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE")
        == "-----BEGIN EC PRIVATE KEY-----…"
    )


def test_entropy() -> None:
    assert secrets.shannon_entropy("aaaaaaaa") == 0
    assert secrets.shannon_entropy("abcdefgh") == 3
    assert secrets.is_low_entropy("aaaaaaaaaaaa")
    assert not secrets.is_low_entropy("Zq8vN3kP1xR7")
