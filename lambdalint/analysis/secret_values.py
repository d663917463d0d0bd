"""Is a string literal in handler source a secret? Known credential formats, secret-like names,
entropy, and redaction for messages (the value is never shown in full).

Used by the Python and Node fact collectors (LL402).
"""

from __future__ import annotations

import math
import re
from collections import Counter

# credential formats that are secrets whatever name holds them
KNOWN_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b")),
    ("private key", re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})")),
    ("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("Slack webhook URL", re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}")),
    ("Stripe secret key", re.compile(r"\b(?:sk|rk)_live_[A-Za-z0-9]{20,}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b")),
    ("SendGrid API key", re.compile(r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b")),
    ("npm token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    ("OpenAI API key", re.compile(r"\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}")),
    ("Anthropic API key", re.compile(r"\bsk-ant-[A-Za-z0-9_-]{40,}")),
    ("JSON Web Token", re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")),
)

_SECRET_WORDS = re.compile(
    r"(pass(word|wd|phrase)?|pwd|secret|token|api_?key|apikey|private_?key|access_?key|"
    r"client_?secret|credentials?|auth_?key|signing_?key|encryption_?key|bearer)",
)
# names that describe or locate a secret rather than hold it (SECRET_ARN, TOKEN_TABLE_NAME …)
_DESCRIBES = re.compile(
    r"(arn|name|names|id|ids|path|param|parameter|table|bucket|queue|topic|url|uri|endpoint|"
    r"length|len|min|max|field|header|prefix|suffix|ttl|expiry|expires|timeout|type|env|var|"
    r"file|region|version|count|size|pattern|regex|format|label|key_id|policy|rotation|"
    r"location|ref|hint|placeholder|enabled|required|prompt|label|attribute|column|kind)$"
)
_PLACEHOLDER_WORDS = ("example", "changeme", "change-me", "change_me", "placeholder", "your_",
                      "your-", "xxxx", "dummy", "redacted", "<", ">", "${", "{{", "%(", "todo")


def _words(name: str) -> str:
    """`dbPassword` / `DB_PASSWORD` / `db-password` → `db_password`."""
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"[^A-Za-z0-9]+", "_", snake).strip("_").lower()


def is_secret_name(name: str) -> bool:
    words = _words(name)
    if not _SECRET_WORDS.search(words):
        return False
    return not _DESCRIBES.search(words)


def known_format(value: str) -> str | None:
    """The label of the credential format `value` contains, if any."""
    if "EXAMPLE" in value:  # AWS's documented example keys
        return None
    for label, pattern in KNOWN_FORMATS:
        if pattern.search(value):
            return label
    return None


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _classes(value: str) -> int:
    return sum(
        1
        for test in (str.islower, str.isupper, str.isdigit)
        if any(test(ch) for ch in value)
    ) + (1 if any(not ch.isalnum() for ch in value) else 0)


def is_high_entropy(value: str) -> bool:
    """A literal that looks like a generated or chosen secret, not a word or a setting."""
    if len(value) < 8 or len(value) > 4096 or any(ch.isspace() for ch in value):
        return False
    lower = value.lower()
    if any(w in lower for w in _PLACEHOLDER_WORDS):
        return False
    if lower.startswith(("arn:", "/", "http://", "https://", "s3://", "file:", "./")):
        return False
    if re.fullmatch(r"[A-Z][A-Z0-9_]*", value) or re.fullmatch(r"[a-z]+([._-][a-z]+)*", value):
        return False  # a constant or variable name, a plain word
    if len(set(value)) <= 2:
        return False
    return entropy(value) >= 3.0 and (_classes(value) >= 2 or len(value) >= 20)


def secret_reason(name: str | None, value: str) -> str | None:
    """Why `name = value` is a secret in source, or None."""
    label = known_format(value)
    if label is not None:
        return label
    if name is not None and is_secret_name(name) and is_high_entropy(value):
        return f"literal assigned to secret-like name '{name}'"
    return None


def redact(value: str) -> str:
    """Enough to recognise the value, never the secret: `AKIA…(20 chars)`."""
    shown = value[:4] if len(value) >= 12 else value[:2]
    return f"{shown}…({len(value)} chars)"
