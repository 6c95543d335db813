"""Email settings from the environment: EMAIL_URL, or the EMAIL_HOST family of variables.

Read by settings.py only; imports nothing from Django but its exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
YES = frozenset({"1", "true", "yes", "on"})
NO = frozenset({"0", "false", "no", "off", ""})


def _yes(name: str, value: str) -> bool:
    word = value.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a yes/no value: use 1/0.")


def _port(name: str, value: str | int | None, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name}={value!r} is not a port number.") from None


def parse_email_url(url: str) -> dict:
    """`smtp://user:password@host:587/?tls=1`, `smtps://...` (TLS from the first byte, port
    465 by default) or `console://`. User and password are percent-decoded."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ImproperlyConfigured(f"EMAIL_URL is not a URL: {error}") from None
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": CONSOLE}
    if scheme not in ("smtp", "smtps"):
        raise ImproperlyConfigured("EMAIL_URL must start with smtp://, smtps:// or console://.")
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL names no host.")
    query = {key.lower(): values[-1] for key, values in parse_qs(parts.query).items()}
    use_ssl = scheme == "smtps" or _yes("EMAIL_URL ssl", query.get("ssl", ""))
    use_tls = _yes("EMAIL_URL tls", query.get("tls", query.get("starttls", "")))
    if use_ssl and use_tls:
        raise ImproperlyConfigured("EMAIL_URL: choose ssl (smtps://) or tls, not both.")
    config = {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": _port("EMAIL_URL port", port, 465 if use_ssl else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
    }
    if "timeout" in query:
        config["EMAIL_TIMEOUT"] = _port("EMAIL_URL timeout", query["timeout"], 10)
    return config


def email_settings(environ: Mapping[str, str], *, debug: bool) -> dict:
    """The EMAIL_* settings. EMAIL_URL wins over EMAIL_HOST; with neither, the console under
    DEBUG, otherwise Django's default (SMTP on localhost:25)."""
    url = environ.get("EMAIL_URL", "").strip()
    config: dict = {"EMAIL_TIMEOUT": 10}
    if url:
        config.update(parse_email_url(url))
    elif environ.get("EMAIL_HOST", "").strip():
        use_ssl = _yes("EMAIL_USE_SSL", environ.get("EMAIL_USE_SSL", ""))
        use_tls = _yes("EMAIL_USE_TLS", environ.get("EMAIL_USE_TLS", ""))
        config.update(
            {
                "EMAIL_BACKEND": SMTP,
                "EMAIL_HOST": environ["EMAIL_HOST"].strip(),
                "EMAIL_PORT": _port(
                    "EMAIL_PORT", environ.get("EMAIL_PORT"), 465 if use_ssl else 25
                ),
                "EMAIL_HOST_USER": environ.get("EMAIL_HOST_USER", ""),
                "EMAIL_HOST_PASSWORD": environ.get("EMAIL_HOST_PASSWORD", ""),
                "EMAIL_USE_TLS": use_tls,
                "EMAIL_USE_SSL": use_ssl,
            }
        )
    else:
        config["EMAIL_BACKEND"] = CONSOLE if debug else SMTP
    return config
