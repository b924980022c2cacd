"""Credentials: where bearer tokens for the Fabric API come from.

Precedence: a static token in ``FABRIC_TOKEN`` wins; otherwise an ``azure-identity`` credential of
the requested kind. ``azure.identity`` is imported only inside the functions that build one, so
importing fabric-git (and starting the CLI) stays fast.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol

from fabric_git.errors import AuthenticationError, ConfigurationError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "AUTH_KINDS",
    "FABRIC_SCOPE",
    "AccessToken",
    "AccessTokenLike",
    "StaticTokenCredential",
    "TokenCredential",
    "credential_from_auth",
    "credential_from_env",
    "github_actions_oidc_token",
]

FABRIC_SCOPE: Final = "https://api.fabric.microsoft.com/.default"
# Scopes of the Fabric API all start so (``.default`` or a named permission).
_FABRIC_RESOURCE: Final = "https://api.fabric.microsoft.com/"

AUTH_KINDS: Final = (
    "default",
    "azure-cli",
    "device-code",
    "interactive",
    "service-principal",
    "managed-identity",
    "federated",
)

# Lifetime assumed for a static token whose expiry cannot be read from it.
_STATIC_TOKEN_LIFETIME: Final = 3600
_GITHUB_OIDC_AUDIENCE: Final = "api://AzureADTokenExchange"


class AccessTokenLike(Protocol):
    """What a credential returns (``azure.core.credentials.AccessToken`` fits)."""

    @property
    def token(self) -> str: ...

    @property
    def expires_on(self) -> int: ...


class TokenCredential(Protocol):
    """Anything with ``get_token(*scopes)``: every azure-identity credential fits."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessTokenLike: ...


@dataclass(frozen=True)
class AccessToken:
    """A bearer token and its expiry (Unix seconds). The token never appears in the repr."""

    token: str = field(repr=False)
    expires_on: int


class StaticTokenCredential:
    """A fixed bearer token, for ``FABRIC_TOKEN``, tests and the emulator.

    The expiry is read from the token when it is a JWT with an ``exp`` claim; otherwise it is
    assumed to be an hour from each request, since a static token cannot be refreshed anyway.
    It is a token for the Fabric API: asked for another resource's scope (Azure DevOps, say),
    it refuses rather than hand the Fabric token to that resource.
    """

    def __init__(self, token: str, *, expires_on: int | None = None) -> None:
        if not token or not token.strip():
            raise ConfigurationError("The bearer token is empty.")
        if any(not ("!" <= char <= "~") for char in token.strip()):
            # Would fail later as an unreadable transport error; never shown (it is a secret).
            raise ConfigurationError(
                "The bearer token holds a space, line break or other character no token has: "
                "set FABRIC_TOKEN to the token alone."
            )
        self._token = token.strip()
        self._expires_on = expires_on if expires_on is not None else _jwt_expiry(self._token)

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        import time

        foreign = [scope for scope in scopes if not scope.startswith(_FABRIC_RESOURCE)]
        if foreign:
            raise AuthenticationError(
                f"the static token (FABRIC_TOKEN) is for the Fabric API only, not for {foreign[0]}"
            )
        expires_on = self._expires_on or int(time.time()) + _STATIC_TOKEN_LIFETIME
        return AccessToken(self._token, expires_on)

    def __repr__(self) -> str:
        return "StaticTokenCredential(token='***')"


def _jwt_expiry(token: str) -> int | None:
    """The ``exp`` claim of a JWT, read without verifying it (we only want a refresh hint)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, UnicodeDecodeError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return int(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def credential_from_env(
    auth: str = "default",
    *,
    environ: Mapping[str, str] | None = None,
    **options: Any,
) -> TokenCredential:
    """``FABRIC_TOKEN`` when set (it wins), else ``credential_from_auth(auth, **options)``."""
    env = os.environ if environ is None else environ
    token = env.get("FABRIC_TOKEN", "").strip()
    if token:
        return StaticTokenCredential(token)
    return credential_from_auth(auth, environ=env, **options)


def credential_from_auth(
    kind: str = "default",
    *,
    environ: Mapping[str, str] | None = None,
    tenant_id: str | None = None,
    client_id: str | None = None,
    **options: Any,
) -> TokenCredential:
    """Build an azure-identity credential.

    Kinds:

    - ``"default"``: ``DefaultAzureCredential`` (environment service principal with secret or
      certificate, workload identity federation, managed identity, Azure CLI, ...). Inside a
      GitHub Actions job that may request an OIDC token, a federated credential built from that
      token is tried first.
    - ``"azure-cli"``: the account ``az login`` signed in.
    - ``"device-code"`` and ``"interactive"``: a user signs in (device code or browser).
    - ``"service-principal"``: ``AZURE_CLIENT_ID``/``AZURE_TENANT_ID`` with
      ``AZURE_CLIENT_SECRET`` or ``AZURE_CLIENT_CERTIFICATE_PATH``.
    - ``"managed-identity"``: the Azure resource's identity (``client_id`` for a user-assigned one).
    - ``"federated"``: workload identity federation, from ``AZURE_FEDERATED_TOKEN_FILE`` or the
      GitHub Actions OIDC token.

    ``options`` are passed on to the azure-identity class.
    """
    env = os.environ if environ is None else environ
    tenant = tenant_id or env.get("AZURE_TENANT_ID") or None
    client = client_id or env.get("AZURE_CLIENT_ID") or None
    if kind not in AUTH_KINDS:
        raise ConfigurationError(
            f"Unknown authentication kind {kind!r}; expected one of {', '.join(AUTH_KINDS)}."
        )
    if kind == "default":
        return _default(env, tenant, client, options)
    if kind == "azure-cli":
        from azure.identity import AzureCliCredential

        return AzureCliCredential(tenant_id=tenant or "", **options)
    if kind == "device-code":
        from azure.identity import DeviceCodeCredential

        return DeviceCodeCredential(**_user_kwargs(tenant, client), **options)
    if kind == "interactive":
        from azure.identity import InteractiveBrowserCredential

        return InteractiveBrowserCredential(**_user_kwargs(tenant, client), **options)
    if kind == "service-principal":
        return _service_principal(env, tenant, client, options)
    if kind == "managed-identity":
        from azure.identity import ManagedIdentityCredential

        if client:
            return ManagedIdentityCredential(client_id=client, **options)
        return ManagedIdentityCredential(**options)
    return _federated(env, tenant, client, options)


def _user_kwargs(tenant: str | None, client: str | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if tenant:
        kwargs["tenant_id"] = tenant
    if client:
        kwargs["client_id"] = client
    return kwargs


def _require(value: str | None, name: str, kind: str) -> str:
    if not value:
        raise ConfigurationError(f"Authentication {kind!r} needs {name} (set the variable).")
    return value


def _service_principal(
    env: Mapping[str, str], tenant: str | None, client: str | None, options: dict[str, Any]
) -> TokenCredential:
    tenant = _require(tenant, "AZURE_TENANT_ID", "service-principal")
    client = _require(client, "AZURE_CLIENT_ID", "service-principal")
    secret = env.get("AZURE_CLIENT_SECRET")
    certificate = env.get("AZURE_CLIENT_CERTIFICATE_PATH")
    if secret:
        from azure.identity import ClientSecretCredential

        return ClientSecretCredential(tenant, client, secret, **options)
    if certificate:
        from azure.identity import CertificateCredential

        password = env.get("AZURE_CLIENT_CERTIFICATE_PASSWORD") or None
        return CertificateCredential(
            tenant, client, certificate_path=certificate, password=password, **options
        )
    raise ConfigurationError(
        "Authentication 'service-principal' needs AZURE_CLIENT_SECRET or "
        "AZURE_CLIENT_CERTIFICATE_PATH."
    )


def _github_actions_oidc_available(env: Mapping[str, str]) -> bool:
    return bool(
        env.get("ACTIONS_ID_TOKEN_REQUEST_URL") and env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    )


def _federated(
    env: Mapping[str, str], tenant: str | None, client: str | None, options: dict[str, Any]
) -> TokenCredential:
    tenant = _require(tenant, "AZURE_TENANT_ID", "federated")
    client = _require(client, "AZURE_CLIENT_ID", "federated")
    token_file = env.get("AZURE_FEDERATED_TOKEN_FILE")
    if token_file:
        from azure.identity import WorkloadIdentityCredential

        return WorkloadIdentityCredential(
            tenant_id=tenant, client_id=client, token_file_path=token_file, **options
        )
    if _github_actions_oidc_available(env):
        from azure.identity import ClientAssertionCredential

        def assertion() -> str:
            return github_actions_oidc_token(env)

        return ClientAssertionCredential(tenant, client, assertion, **options)
    raise ConfigurationError(
        "Authentication 'federated' needs AZURE_FEDERATED_TOKEN_FILE, or a GitHub Actions job "
        "with `permissions: id-token: write`."
    )


def _default(
    env: Mapping[str, str], tenant: str | None, client: str | None, options: dict[str, Any]
) -> TokenCredential:
    from azure.identity import DefaultAzureCredential

    default = DefaultAzureCredential(**options)
    if tenant and client and _github_actions_oidc_available(env):
        if not env.get("AZURE_FEDERATED_TOKEN_FILE"):
            from azure.identity import ChainedTokenCredential, ClientAssertionCredential

            def assertion() -> str:
                return github_actions_oidc_token(env)

            github = ClientAssertionCredential(tenant, client, assertion)
            return ChainedTokenCredential(github, default)
    return default


def github_actions_oidc_token(
    environ: Mapping[str, str] | None = None,
    *,
    audience: str = _GITHUB_OIDC_AUDIENCE,
    transport: httpx.BaseTransport | None = None,
) -> str:
    """Ask the GitHub Actions runtime for an OIDC token to exchange with Microsoft Entra ID."""
    from fabric_git._httpx import httpx

    env = os.environ if environ is None else environ
    url = env.get("ACTIONS_ID_TOKEN_REQUEST_URL")
    bearer = env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    if not url or not bearer:
        raise AuthenticationError(
            "No GitHub Actions OIDC token: the job needs `permissions: id-token: write`."
        )
    try:
        # The runtime URL already has a query (api-version); add the audience to it.
        target = httpx.URL(url).copy_merge_params({"audience": audience})
        with httpx.Client(transport=transport, timeout=30.0) as http:
            response = http.get(target, headers={"Authorization": f"Bearer {bearer}"})
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise AuthenticationError(
            f"Could not reach the GitHub Actions OIDC endpoint ({type(exc).__name__})."
        ) from None
    if response.status_code != 200:
        raise AuthenticationError(
            f"The GitHub Actions OIDC endpoint answered HTTP {response.status_code}."
        )
    try:
        value = response.json().get("value")
    except ValueError:
        value = None
    if not isinstance(value, str) or not value:
        raise AuthenticationError("The GitHub Actions OIDC endpoint returned no token.")
    return value
