"""The one I/O seam: an ``httpx.Client`` plus headers, bearer auth, retries, errors and logging.

Retry rules (``RetryPolicy``):

- 429 and 503 are retried for every method, after ``Retry-After`` (never sooner) when given.
- 500, 502 and 504, and failures after the request may have been sent (read errors, read
  timeouts, broken connections), are retried only for GET and DELETE: a POST or PATCH might have
  been acted on.
- A connection that failed before the request was sent is retried for every method.
- Without ``Retry-After`` the wait grows exponentially with jitter, up to ``backoff_cap``.
- ``max_attempts`` and ``total_budget`` bound each call; when the next wait would overrun the
  budget, the last error is raised at once.

A 401 asks the credential for a new token (passing the ``claims`` of a ``WWW-Authenticate``
challenge when there is one) and retries once; when the credential hands back the very token that
was refused, nothing is resent and an ``AuthenticationError`` says so.
"""

from __future__ import annotations

import base64
import email.utils
import ipaddress
import logging
import os
import platform
import random
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from fabric_git._clock import Clock, SystemClock
from fabric_git._httpx import httpx
from fabric_git._version import __version__
from fabric_git.auth import FABRIC_SCOPE, TokenCredential
from fabric_git.errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    FabricGitError,
    TransportError,
    api_error_from_response,
)

if TYPE_CHECKING:
    import ssl

__all__ = [
    "DEFAULT_BASE_URL",
    "RetryPolicy",
    "Transport",
    "parse_retry_after",
    "resolve_base_url",
]

DEFAULT_BASE_URL: Final = "https://api.fabric.microsoft.com/v1"
USER_AGENT: Final = f"fabric-git/{__version__} python/{platform.python_version()}"
REQUEST_ID_HEADER: Final = "x-ms-client-request-id"
# Refresh a cached token when fewer than this many seconds remain.
TOKEN_REFRESH_MARGIN: Final = 300.0

logger = logging.getLogger("fabric_git")

_ANY_METHOD_STATUSES: Final = frozenset({429, 503})
_IDEMPOTENT_STATUSES: Final = frozenset({500, 502, 504})
_IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})
_SECRET_HEADERS: Final = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
# Raised before any byte of the request left: safe to retry whatever the method.
_NOT_SENT_ERRORS: Final = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# The request may have reached the service.
_MAYBE_SENT_ERRORS: Final = (
    httpx.ReadError,
    httpx.WriteError,
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.RemoteProtocolError,
    httpx.CloseError,
)


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How hard one call tries. All durations in seconds.

    ``jitter`` is the fraction of each backoff wait that is randomised (0 turns it off).
    """

    max_attempts: int = 6
    backoff_base: float = 1.0
    backoff_cap: float = 30.0
    jitter: float = 0.5
    total_budget: float = 180.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigurationError("RetryPolicy.max_attempts must be at least 1.")
        if not 0.0 <= self.jitter <= 1.0:
            raise ConfigurationError("RetryPolicy.jitter must be between 0 and 1.")
        if self.backoff_base < 0 or self.backoff_cap < 0 or self.total_budget < 0:
            raise ConfigurationError("RetryPolicy durations must not be negative.")

    @classmethod
    def no_retries(cls) -> RetryPolicy:
        """One attempt, no waiting."""
        return cls(max_attempts=1)

    def backoff(self, retry_number: int, rand: Callable[[], float] = random.random) -> float:
        """Wait before retry ``retry_number`` (1-based) when the service gave no ``Retry-After``."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2.0 ** (retry_number - 1))
        return float(ceiling * (1.0 - self.jitter * rand()))


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta seconds or an HTTP date).

    None when absent or unparsable; a date in the past gives 0.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        return max(0.0, when.timestamp() - now)
    if seconds != seconds or seconds in (float("inf"), float("-inf")) or seconds < 0:
        return None
    return seconds


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


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
            f"The Fabric API URL must be https://HOST/..., got {_safe_url(url)!r}."
        )
    if url.scheme == "http" and not _is_loopback(url.host):
        raise ConfigurationError(
            f"Refusing plain http:// for {url.host!r}: use https://, or a loopback address "
            "(127.0.0.1, ::1, localhost) for a local emulator."
        )
    if url.query or url.fragment or url.userinfo:
        raise ConfigurationError(
            "The Fabric API URL must not have user info, a query or a fragment."
        )
    return str(url).rstrip("/")


def _tls_verification(base: httpx.URL) -> ssl.SSLContext | bool:
    """How the connection pool verifies TLS: httpx's default (the certifi CA bundle) for https.

    A plain-http base URL is accepted only for a loopback host (a local emulator), where loading
    the CA bundle would cost a CLI call some 20 ms for nothing. Its context trusts no CA at all, so
    any https request made through it fails verification rather than going unchecked."""
    if base.scheme != "http":
        return True
    import ssl

    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _safe_url(url: httpx.URL) -> str:
    """The URL for logs and errors: no user info."""
    return str(url.copy_with(username=None, password=None)) if url.userinfo else str(url)


class _TokenCache:
    """Caches the bearer token and refreshes it before it expires."""

    def __init__(self, credential: TokenCredential, clock: Clock) -> None:
        self._credential = credential
        self._clock = clock
        self._token: str | None = None
        self._expires_on = 0.0

    def get(self) -> str:
        if self._token is None or self._expires_on - self._clock.time() < TOKEN_REFRESH_MARGIN:
            self._token, self._expires_on = self._fetch(None)
        return self._token

    def refresh(self, claims: str | None) -> str:
        """Ask the credential again after a 401. azure-identity credentials answer from their own
        cache unless ``claims`` are passed, so the result may be the token just refused."""
        self._token, self._expires_on = self._fetch(claims)
        return self._token

    def _fetch(self, claims: str | None) -> tuple[str, float]:
        try:
            if claims:
                access = self._credential.get_token(FABRIC_SCOPE, claims=claims)
            else:
                access = self._credential.get_token(FABRIC_SCOPE)
        except FabricGitError:
            raise
        except Exception as exc:  # azure-identity raises several unrelated types
            first_line = (str(exc).strip().splitlines() or [""])[0]
            raise AuthenticationError(
                f"Could not get a token for the Fabric API ({type(exc).__name__}): {first_line}"
            ) from None
        token = getattr(access, "token", None)
        if not isinstance(token, str) or not token:
            raise AuthenticationError("The credential returned an empty token.")
        logger.debug("fabric_git: obtained an access token (expires_on=%s)", access.expires_on)
        return token, float(access.expires_on)


_CLAIMS_PARAMETER: Final = re.compile(r'(?:^|[\s,])claims\s*=\s*"([^"]*)"', re.IGNORECASE)


def challenge_claims(www_authenticate: str | None) -> str | None:
    """The claims a 401's ``WWW-Authenticate`` challenge asks for (continuous access evaluation,
    conditional access), decoded from base64 as azure-identity expects them; None without any."""
    if not www_authenticate:
        return None
    match = _CLAIMS_PARAMETER.search(www_authenticate)
    if match is None or not match.group(1).strip():
        return None
    encoded = match.group(1).strip()
    if encoded.startswith("{"):
        return encoded  # already JSON
    try:
        decoded = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    return decoded if decoded.strip() else None


def _redacted(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers as they may appear in a log: credentials masked."""
    return {
        name: ("***" if name.lower() in _SECRET_HEADERS else value)
        for name, value in headers.items()
    }


class Transport:
    """Sends requests to the Fabric API and turns answers into data or ``FabricGitError``s.

    ``transport`` is an ``httpx`` transport (``MockTransport`` in tests, an in-process ASGI
    transport for the emulator); ``None`` means a real network connection.
    """

    def __init__(
        self,
        *,
        credential: TokenCredential | None,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.base_url = resolve_base_url(base_url)
        self._base = httpx.URL(self.base_url + "/")
        self.retry = retry or RetryPolicy()
        self.clock: Clock = clock or SystemClock()
        self.timeout = timeout
        self._rand = rand
        self._tokens = _TokenCache(credential, self.clock) if credential is not None else None
        self._http = httpx.Client(
            transport=transport,
            verify=_tls_verification(self._base),
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )

    # --- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __repr__(self) -> str:
        return f"Transport(base_url={self.base_url!r})"

    # --- URLs -----------------------------------------------------------------------------------

    def url_for(self, path_or_url: str) -> httpx.URL:
        """An absolute URL for an API path (``/workspaces``) or a URL the service returned."""
        if "://" in path_or_url:
            return httpx.URL(path_or_url)
        return httpx.URL(self.base_url + "/" + path_or_url.lstrip("/"))

    def same_api(self, url: str) -> bool:
        """Whether ``url`` points into the configured API (same scheme, host, port and prefix).
        Only such URLs may receive our token."""
        try:
            other = httpx.URL(url)
        except httpx.InvalidURL:
            return False
        return (
            other.scheme == self._base.scheme
            and other.host == self._base.host
            and other.port == self._base.port
            and other.path.startswith(self._base.path)
        )

    # --- requests -------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """Send one logical call (with its retries). Returns a 2xx response; raises otherwise."""
        method = method.upper()
        url = self.url_for(path_or_url)
        if params:
            url = url.copy_merge_params(dict(params))
        started = self.clock.monotonic()
        attempt = 0
        refreshed_after_401 = False
        while True:
            attempt += 1
            request_id = str(uuid.uuid4())
            sent_token = self._token_for(url)
            try:
                response = self._send_once(
                    method, url, json, timeout, request_id, attempt, sent_token
                )
            except _NOT_SENT_ERRORS + _MAYBE_SENT_ERRORS as exc:
                retriable = isinstance(exc, _NOT_SENT_ERRORS) or method in _IDEMPOTENT_METHODS
                failure = TransportError(
                    f"{method} {_safe_url(url)} failed: {type(exc).__name__}"
                    + (f" ({exc})" if str(exc) else ""),
                    method=method,
                    url=_safe_url(url),
                )
                delay = self.retry.backoff(attempt, self._rand) if retriable else None
                self._wait_or_raise(failure, delay, attempt, started)
                continue
            except httpx.HTTPError as exc:
                raise TransportError(
                    f"{method} {_safe_url(url)} failed: {type(exc).__name__}",
                    method=method,
                    url=_safe_url(url),
                ) from None

            status = response.status_code
            if status < 300:
                return response
            if status < 400:
                # Redirects are not followed: they would carry the token to another address.
                raise TransportError(
                    f"{method} {_safe_url(url)} answered a redirect ({status}) to "
                    f"{response.headers.get('Location', 'nowhere')!r}; check the API URL.",
                    method=method,
                    url=_safe_url(url),
                )
            if (
                status == 401
                and self._tokens is not None
                and not refreshed_after_401
                and sent_token is not None
            ):
                refreshed_after_401 = True
                claims = challenge_claims(response.headers.get("WWW-Authenticate"))
                logger.debug(
                    "fabric_git: 401, asking for a new token%s", " with claims" if claims else ""
                )
                if self._tokens.refresh(claims) == sent_token:
                    raise self._token_refused(response, method, url, request_id)
                attempt -= 1  # the auth retry does not use up the retry allowance
                continue
            error = self._error_from(response, method, url, request_id)
            delay = self._retry_delay(method, response, attempt)
            self._wait_or_raise(error, delay, attempt, started)

    def _send_once(
        self,
        method: str,
        url: httpx.URL,
        json: Any,
        timeout: float | None,
        request_id: str,
        attempt: int,
        token: str | None,
    ) -> httpx.Response:
        headers = {REQUEST_ID_HEADER: request_id}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "fabric_git: -> %s %s (attempt %d) headers=%s",
                method,
                _safe_url(url),
                attempt,
                _redacted({**self._http.headers, **headers}),
            )
        start = self.clock.monotonic()
        response = self._http.request(
            method,
            url,
            json=json,
            headers=headers,
            timeout=self.timeout if timeout is None else timeout,
        )
        logger.debug(
            "fabric_git: <- %d %s %s (%.2fs, request id %s)",
            response.status_code,
            method,
            _safe_url(url),
            self.clock.monotonic() - start,
            response.headers.get("requestid") or response.headers.get("x-ms-request-id") or "-",
        )
        return response

    def _token_for(self, url: httpx.URL) -> str | None:
        """The bearer token to send, only to URLs inside the configured API."""
        if self._tokens is None or not self.same_api(str(url)):
            return None
        return self._tokens.get()

    def _token_refused(
        self, response: httpx.Response, method: str, url: httpx.URL, request_id: str
    ) -> AuthenticationError:
        """A 401 the credential cannot answer: it has no other token to offer."""
        refusal = self._error_from(response, method, url, request_id)
        error = AuthenticationError(
            f"The Fabric API refused the token ({refusal.error_code}: {refusal.message}) and the "
            "credential returned the same token again; sign in again, or check that the token "
            "is for https://api.fabric.microsoft.com and has not been revoked."
        )
        error.__cause__ = refusal
        return error

    def _retry_delay(self, method: str, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when this answer must not be retried."""
        status = response.status_code
        retriable = status in _ANY_METHOD_STATUSES or (
            status in _IDEMPOTENT_STATUSES and method in _IDEMPOTENT_METHODS
        )
        if not retriable:
            return None
        backoff = self.retry.backoff(attempt, self._rand)
        retry_after = parse_retry_after(response.headers.get("Retry-After"), now=self.clock.time())
        if retry_after is None:
            return backoff
        if status in _ANY_METHOD_STATUSES:
            return retry_after  # the service said when; never sooner, and no need for later
        return max(retry_after, backoff)

    def _wait_or_raise(
        self, error: FabricGitError, delay: float | None, attempt: int, started: float
    ) -> None:
        if delay is None:
            raise error
        elapsed = self.clock.monotonic() - started
        if attempt >= self.retry.max_attempts or elapsed + delay > self.retry.total_budget:
            logger.debug(
                "fabric_git: giving up after %d attempt(s) and %.1fs: %s", attempt, elapsed, error
            )
            raise error
        logger.debug("fabric_git: retrying in %.2fs after: %s", delay, error)
        self.clock.sleep(delay)

    def _error_from(
        self, response: httpx.Response, method: str, url: httpx.URL, request_id: str
    ) -> ApiError:
        try:
            body = response.json()
        except ValueError:
            body = None
        retry_after = parse_retry_after(response.headers.get("Retry-After"), now=self.clock.time())
        return api_error_from_response(
            response.status_code,
            body,
            method=method,
            url=_safe_url(url),
            request_id=response.headers.get("requestid") or response.headers.get("x-ms-request-id"),
            retry_after=retry_after,
            client_request_id=request_id,
        )

    # --- helpers --------------------------------------------------------------------------------

    def request_json(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        timeout: float | None = None,
    ) -> Any:
        """``request`` and decode the JSON body (None when the body is empty)."""
        response = self.request(method, path_or_url, params=params, json=json, timeout=timeout)
        return decode_json(response)

    def paginate(self, path: str, *, params: Mapping[str, str] | None = None) -> Iterator[Any]:
        """Every element of ``value`` across all pages. Follows ``continuationUri`` when it points
        into this API, else passes ``continuationToken`` as a query parameter on ``path``."""
        base_params = dict(params or {})
        target: str = path
        page_params: dict[str, str] | None = base_params
        seen: set[str] = set()
        while True:
            body = self.request_json("GET", target, params=page_params)
            if not isinstance(body, Mapping) or not isinstance(body.get("value"), list):
                raise TransportError(
                    f"GET {path} did not answer a list page (no 'value' array).",
                    method="GET",
                    url=path,
                )
            yield from body["value"]
            token = body.get("continuationToken")
            uri = body.get("continuationUri")
            marker = str(uri or token or "")
            if not marker:
                return
            if marker in seen:
                raise TransportError(
                    f"GET {path} returned the same continuation twice; stopping to avoid a loop.",
                    method="GET",
                    url=path,
                )
            seen.add(marker)
            if isinstance(uri, str) and uri and self.same_api(uri):
                target, page_params = uri, None
            elif isinstance(token, str) and token:
                target, page_params = path, {**base_params, "continuationToken": token}
            else:
                raise TransportError(
                    f"GET {path} returned a continuation outside the API ({uri!r}).",
                    method="GET",
                    url=path,
                )


def decode_json(response: httpx.Response) -> Any:
    """The JSON body of a success answer, or None when it is empty."""
    if not response.content or not response.content.strip():
        return None
    try:
        return response.json()
    except ValueError:
        raise TransportError(
            f"{response.request.method} {_safe_url(response.request.url)} answered "
            f"{response.status_code} with a body that is not JSON.",
            method=response.request.method,
            url=_safe_url(response.request.url),
        ) from None
