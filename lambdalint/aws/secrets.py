"""Is this literal a secret? Known credential formats, secret-like names, references that only
point at a secret, placeholders, entropy, and redaction for messages.

Used for environment variables (LL401, LL403) and literals in handler source (LL402):

    classify_env("DB_PASSWORD", "hunter2hunter2")   -> "a secret-like name holds a literal value"
    classify_env("SECRET_ARN", "arn:aws:secretsmanager:…")   -> None
    redact("ghp_abcdef…")                           -> "ghp_… (40 characters)"

Precision matters more than recall: a value that may be a reference, a placeholder or a
setting is not reported.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class CredentialFormat:
    """A credential with a recognisable shape, reported under any variable name."""

    name: str
    pattern: re.Pattern[str]


def _fmt(name: str, pattern: str) -> CredentialFormat:
    return CredentialFormat(name, re.compile(pattern))


# Formats documented by their issuers (token prefixes) or by standards (PEM, JWT, URL userinfo).
CREDENTIAL_FORMATS: tuple[CredentialFormat, ...] = (
    _fmt("an AWS access key id", r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])"),
    _fmt("a private key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    _fmt("a GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),
    _fmt("a Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    _fmt(
        "a Slack webhook URL",
        r"https://hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]{8,}",
    ),
    _fmt("a Stripe secret key", r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}"),
    _fmt("a Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
    _fmt("a SendGrid API key", r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b"),
    _fmt("an npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
    _fmt(
        "an OpenAI API key",
        r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}",
    ),
    _fmt("an Anthropic API key", r"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}"),
    _fmt("a Twilio API key", r"\bSK[0-9a-f]{32}\b"),
    _fmt("a Mailgun API key", r"\bkey-[0-9a-zA-Z]{32}\b"),
    _fmt("an Azure storage account key", r"AccountKey=[A-Za-z0-9+/]{80,}={0,2}"),
    _fmt("a JSON Web Token", r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
)

# scheme://user:password@host — a URL carrying a password (database URLs, broker URLs)
_URL_PASSWORD = re.compile(
    # the scheme's length is bounded: unbounded, every word start of a long `a.a.a.a…` value
    # scanned to its end looking for `://` (quadratic: minutes for a 700 KB value)
    r"\b([a-z][a-z0-9+.-]{0,31}://[^\s:/@]+:)([^\s/@]+)(@[^\s/:]+)",
    re.IGNORECASE,
)

# Name tokens (upper case) that mark a variable as holding a secret; tuples are consecutive tokens.
SECRET_NAME_TOKENS: tuple[tuple[str, ...], ...] = (
    ("PASSWORD",),
    ("PASSWORDS",),
    ("PASSWD",),
    ("PWD",),
    ("PASS",),
    ("PASSPHRASE",),
    ("SECRET",),
    ("SECRETS",),
    ("CLIENTSECRET",),
    ("SECRETKEY",),
    ("TOKEN",),
    ("AUTHTOKEN",),
    ("ACCESSTOKEN",),
    ("APITOKEN",),
    ("APIKEY",),
    ("API", "KEY"),
    ("PRIVATEKEY",),
    ("PRIVATE", "KEY"),
    ("ACCESSKEY",),
    ("ACCESS", "KEY"),
    ("AUTH", "KEY"),
    ("SIGNING", "KEY"),
    ("SIGNINGKEY",),
    ("CREDENTIAL",),
    ("CREDENTIALS",),
    ("CREDS",),
)

# Tokens after the secret-like part that make the name describe a secret rather than hold it:
# SECRET_ARN, TOKEN_TABLE_NAME, PASSWORD_MIN_LENGTH, API_KEY_HEADER, DB_PASSWORD_FILE ...
DESCRIPTOR_TOKENS = frozenset(
    [
        "ARN",
        "ARNS",
        "NAME",
        "NAMES",
        "ID",
        "IDS",
        "PATH",
        "PATHS",
        "PARAM",
        "PARAMS",
        "PARAMETER",
        "PARAMETERS",
        "TABLE",
        "BUCKET",
        "QUEUE",
        "TOPIC",
        "STREAM",
        "INDEX",
        "URL",
        "URLS",
        "URI",
        "ENDPOINT",
        "HOST",
        "PORT",
        "REGION",
        "HEADER",
        "FIELD",
        "ENV",
        "VAR",
        "VARIABLE",
        "LENGTH",
        "LEN",
        "MIN",
        "MAX",
        "SIZE",
        "COUNT",
        "TTL",
        "EXPIRY",
        "EXPIRATION",
        "EXPIRES",
        "EXPIRE",
        "LIFETIME",
        "TIMEOUT",
        "DURATION",
        "SECONDS",
        "SECS",
        "MINUTES",
        "MINS",
        "HOURS",
        "DAYS",
        "AGE",
        "POLICY",
        "TYPE",
        "MODE",
        "ENABLED",
        "DISABLED",
        "ENABLE",
        "REQUIRED",
        "FILE",
        "LOCATION",
        "PREFIX",
        "SUFFIX",
        "VERSION",
        "ROTATION",
        "ISSUER",
        "AUDIENCE",
        "ALGORITHM",
        "ALG",
        "FORMAT",
        "SCOPE",
        "SCOPES",
        "LIMIT",
        "RETRIES",
        "ATTEMPTS",
        "STORE",
        "MANAGER",
        "SSM",
        "KMS",
        "SOURCE",
        "PROVIDER",
        "VAULT",
        "LABEL",
        "STAGE",
        "CACHE",
        "KEYS",
        "RESET",
        "REF",
        "REFERENCE",
    ]
)

# Values that stand in for a secret rather than being one.
_PLACEHOLDER_WORDS = frozenset(
    [
        "changeme",
        "change_me",
        "change-me",
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "none",
        "null",
        "nil",
        "undefined",
        "todo",
        "tbd",
        "fixme",
        "xxx",
        "placeholder",
        "example",
        "dummy",
        "test",
        "testing",
        "default",
        "true",
        "false",
        "disabled",
        "enabled",
        "notset",
        "not_set",
        "not-set",
        "replaceme",
        "replace_me",
        "replace-me",
        "redacted",
        "empty",
    ]
)
_PLACEHOLDER_HINTS = (
    "changeme",
    "change-me",
    "change_me",
    "replace",
    "your",
    "example",
    "placeholder",
    "dummy",
    "xxxx",
    "****",
    "todo",
    "fixme",
    "insert",
    "<",
    "...",
)
_TOKEN_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
# secret *names* in Secrets Manager / Parameter Store style: prod/db/password, MyApp/Prod/Db
_WORD_SEGMENT = re.compile(
    r"^(?:[a-z0-9]+(?:[-_.][a-z0-9]+)*|(?:[A-Z]?[a-z0-9]+)+(?:[-_.][A-Za-z0-9]+)*)$"
)
_IDENTIFIER = re.compile(r"^[a-z]+(?:[-_.][a-z]+)+$")
_DYNAMIC_REF = re.compile(r"\{\{resolve:", re.IGNORECASE)

MIN_SECRET_LENGTH = 8
MIN_ENTROPY = 2.5  # bits per character; "aaaaaaaa" is 0, "abcdefgh" is 3


def tokens(name: str) -> list[str]:
    """`dbPassword` → [DB, PASSWORD]; `API_KEY_ARN` → [API, KEY, ARN]."""
    return [t.upper() for t in _TOKEN_RE.findall(name)]


def _find(haystack: list[str], needle: tuple[str, ...]) -> list[int]:
    """End indexes (exclusive) where `needle` occurs in `haystack`."""
    n = len(needle)
    return [i + n for i in range(len(haystack) - n + 1) if tuple(haystack[i : i + n]) == needle]


def is_secret_name(name: str, extra: Iterable[str] = ()) -> bool:
    """The name says the variable holds a secret (`DB_PASSWORD`, `apiKey`), and does not merely
    describe one (`SECRET_ARN`, `TOKEN_TABLE_NAME`, `PASSWORD_MIN_LENGTH`). `extra`: more name
    fragments (the `secret-names` option), matched as whole tokens the same way."""
    # shared variables (Globals, provider environment) reach here once per function
    return _is_secret_name(name, tuple(extra))


@lru_cache(maxsize=8192)
def _is_secret_name(name: str, extra: tuple[str, ...]) -> bool:
    parts = tokens(name)
    if not parts:
        return False
    needles = list(SECRET_NAME_TOKENS) + [tuple(tokens(e)) for e in extra if tokens(e)]
    ends = [end for needle in needles for end in _find(parts, needle)]
    if not ends:
        return False
    last = max(ends)
    return not any(t in DESCRIPTOR_TOKENS for t in parts[last:])


def names_reference(name: str) -> bool:
    """The name ends like a pointer to a value (`DbSecretArn`, `ApiKeyParameterName`)."""
    parts = tokens(name)
    return bool(parts) and parts[-1] in DESCRIPTOR_TOKENS


# Credentials sit at the start of a value (a PEM header, a token prefix) and are far shorter;
# some formats cost time quadratic in the length of an adversarial value (`eyJ-eyJ-…`).
SCAN_LIMIT = 4096


def credential_format(value: str) -> str | None:
    """The name of a known credential format found in the value (its first 4 KB), if any."""
    value = value[:SCAN_LIMIT]
    for fmt in CREDENTIAL_FORMATS:
        m = fmt.pattern.search(value)
        if m is None:
            continue
        if fmt.name == "an AWS access key id" and m.group(0).endswith("EXAMPLE"):
            continue  # AKIAIOSFODNN7EXAMPLE, the key AWS documentation uses
        return fmt.name
    m = _URL_PASSWORD.search(value)
    if m is None or "localhost" in m.group(3).lower():
        return None
    password = m.group(2)
    if _is_placeholder(password) or "${" in password or "{{" in password:
        return None
    return "a URL with an embedded password"


def is_dynamic_reference(value: str) -> bool:
    """`{{resolve:secretsmanager:…}}` / `{{resolve:ssm-secure:…}}`: resolved at deploy time."""
    return bool(_DYNAMIC_REF.search(value))


def is_reference(value: str) -> bool:
    """The value points at a secret instead of holding it: an ARN, a parameter path, a secret
    name, a URL without credentials, a template placeholder."""
    v = value.strip()
    if is_dynamic_reference(v) or "${" in v or "{{" in v or "$(" in v:
        return True
    if v.startswith(("arn:", "/", "alias/", "s3://")):
        return True
    if re.match(r"^[a-z][a-z0-9+.-]*://", v, re.IGNORECASE):
        return _URL_PASSWORD.search(v) is None
    return "/" in v and all(_WORD_SEGMENT.match(seg) for seg in v.split("/") if seg)


def _is_placeholder(value: str) -> bool:
    v = value.strip().lower()
    if v in _PLACEHOLDER_WORDS or re.fullmatch(r"(.)\1*", v):
        return True
    return any(h in v for h in _PLACEHOLDER_HINTS)


def shannon_entropy(value: str) -> float:
    """Bits per character of the value's character distribution."""
    if not value:
        return 0.0
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def is_low_entropy(value: str) -> bool:
    """Too short, too regular or too plain to be a real secret: `12345678`, `aaaa`, `my-bucket`."""
    v = value.strip()
    if len(v) < MIN_SECRET_LENGTH or v.isdigit() or " " in v:
        return True
    if _IDENTIFIER.match(v):
        return True  # lower-case words joined by - _ . : a resource or secret name
    return shannon_entropy(v) < MIN_ENTROPY


def could_be_secret(value: str) -> bool:
    """A literal that holds a secret if its name says so: not a reference (ARN, path, secret
    name, dynamic reference), a placeholder, or a short or low-entropy value."""
    v = value.strip()
    return bool(v) and not (
        is_dynamic_reference(v) or is_reference(v) or _is_placeholder(v) or is_low_entropy(v)
    )


def literal_reason(
    name: str | None, credential: str | None, extra_names: Iterable[str] = ()
) -> str | None:
    """Why a literal is a secret: its credential format, else a secret-like name (the value
    having passed `could_be_secret`); None when it is not one."""
    if credential is not None:
        return f"the value looks like {credential}"
    if name and is_secret_name(name, extra_names):
        return "a secret-like name holds a literal value"
    return None


def classify_env(name: str, value: object, extra_names: Iterable[str] = ()) -> str | None:
    """Why the literal `value` of variable `name` is a secret, or None when it is not one."""
    if not isinstance(value, str):
        return None
    v = value.strip()
    if not v or is_dynamic_reference(v):
        return None
    found = credential_format(v)
    if found is None and not (is_secret_name(name, extra_names) and could_be_secret(v)):
        return None
    return literal_reason(name, found, extra_names)


def candidate(name: str | None, text: str) -> tuple[str | None, bool]:
    """For a literal in source: (its credential format, whether it is worth keeping as a
    secret candidate). Named literals are kept when the value could be a secret; the name is
    judged by the rule, with the options of the run."""
    v = text.strip()
    if not v or is_dynamic_reference(v):
        return None, False
    found = credential_format(v)
    return found, found is not None or (bool(name) and could_be_secret(v))


def redact(value: str) -> str:
    """A form of the value that is safe to print: a short prefix and the length."""
    m = _URL_PASSWORD.search(value)
    if m is not None:
        return value[: m.start(2)] + "****" + value[m.end(2) :]
    key = re.search(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----", value)
    if key is not None:
        return key.group(0) + "…"
    v = value.strip()
    shown = 4 if len(v) >= 16 else 2 if len(v) >= 10 else 0
    return f"{v[:shown]}… ({len(v)} characters)"
