"""Which Fabric API a client talks to, and how its connections are verified."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from fabric_git._httpx import httpx
from fabric_git._network import is_loopback
from fabric_git.errors import ConfigurationError

if TYPE_CHECKING:
    import ssl

__all__ = ["DEFAULT_BASE_URL", "resolve_base_url", "safe_url", "tls_verification"]

DEFAULT_BASE_URL: Final = "https://api.fabric.microsoft.com/v1"


def resolve_base_url(base_url: str | None, environ: Mapping[str, str] | None = None) -> str:
    """Argument, else ``FABRIC_API_URL``, else the public endpoint. Plain ``http://`` is refused
    unless the host is a loopback address (a local emulator), so a token never travels in clear."""
    env = os.environ if environ is None else environ
    chosen = base_url or env.get("FABRIC_API_URL") or DEFAULT_BASE_URL
    try:
        url = httpx.URL(chosen.strip())
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"Invalid Fabric API URL: {exc}") from None
    if url.scheme not in ("https", "http") or not url.host:
        raise ConfigurationError(
            f"The Fabric API URL must be https://HOST/..., got {safe_url(url)!r}."
        )
    if url.scheme == "http" and not is_loopback(url.host):
        raise ConfigurationError(
            f"Refusing plain http:// for {url.host!r}: use https://, or a loopback address "
            "(127.0.0.1, ::1, localhost) for a local emulator."
        )
    if url.query or url.fragment or url.userinfo:
        raise ConfigurationError(
            "The Fabric API URL must not have user info, a query or a fragment."
        )
    return str(url).rstrip("/")


def tls_verification(base: httpx.URL) -> ssl.SSLContext | bool:
    """How the connection pool verifies TLS: httpx's default (the certifi CA bundle) for https.

    A plain-http base URL is accepted only for a loopback host (a local emulator), where loading
    the CA bundle would cost a CLI call some 20 ms for nothing. Its context trusts no CA at all, so
    any https request made through it fails verification rather than going unchecked."""
    if base.scheme != "http":
        return True
    import ssl

    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def safe_url(url: httpx.URL) -> str:
    """The URL for logs and errors: no user info."""
    return str(url.copy_with(username=None, password=None)) if url.userinfo else str(url)
