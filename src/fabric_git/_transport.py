"""The one I/O seam: an ``httpx.Client`` plus headers, bearer auth, retries, errors and logging.

Its parts live beside it: the retry rules and ``RetryPolicy`` in ``_retry``, the base URL and TLS
rules in ``_endpoint``, the token cache in ``_tokens``, proxies and per-attempt deadlines in
``_network``. This module is the request loop that applies them.

A 401 asks the credential for a new token (passing the ``claims`` of a ``WWW-Authenticate``
challenge when there is one) and retries once; when the credential hands back the very token that
was refused, nothing is resent and an ``AuthenticationError`` says so.

One module because the loop is one state machine over one call (attempt, token refresh, retry
wait, error); its pieces share the call's state and read best in order.
"""

from __future__ import annotations

import logging
import platform
import random
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, Literal

from fabric_git._clock import Clock, SystemClock
from fabric_git._endpoint import DEFAULT_BASE_URL, resolve_base_url, safe_url, tls_verification
from fabric_git._httpx import httpx
from fabric_git._network import attempt_deadline, classify_network_error
from fabric_git._pages import MAX_PAGES, paginate
from fabric_git._retry import (
    IDEMPOTENT_METHODS,
    RetryNotice,
    RetryPolicy,
    RetryReason,
    parse_retry_after,
    retry_delay,
)
from fabric_git._tokens import TokenCache, challenge_claims
from fabric_git._version import __version__
from fabric_git.auth import TokenCredential
from fabric_git.errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    DeadlineExceededError,
    FabricGitError,
    TransportError,
    api_error_from_response,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_PAGES",
    "RetryNotice",
    "RetryPolicy",
    "Transport",
    "challenge_claims",
    "decode_json",
    "parse_retry_after",
    "resolve_base_url",
]

USER_AGENT: Final = f"fabric-git/{__version__} python/{platform.python_version()}"
REQUEST_ID_HEADER: Final = "x-ms-client-request-id"

logger = logging.getLogger("fabric_git")

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


def _redacted(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers as they may appear in a log: credentials masked."""
    return {
        name: ("***" if name.lower() in _SECRET_HEADERS else value)
        for name, value in headers.items()
    }


class Transport:
    """Sends requests to the Fabric API and turns answers into data or ``FabricGitError``s.

    ``transport`` is an ``httpx`` transport (``MockTransport`` in tests, an in-process ASGI
    transport for the emulator); ``None`` means a real network connection (see ``_network``).
    ``deadline``: seconds from now after which no request starts and a running one is cut
    (``set_deadline``); None for no overall limit.
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
        deadline: float | None = None,
        on_retry: Callable[[RetryNotice], None] | None = None,
    ) -> None:
        if timeout <= 0:
            raise ConfigurationError("The request timeout must be a positive number of seconds.")
        self.base_url = resolve_base_url(base_url)
        self._base = httpx.URL(self.base_url + "/")
        self.retry = retry or RetryPolicy()
        self.clock: Clock = clock or SystemClock()
        self.timeout = timeout
        self.on_retry = on_retry
        self._rand = rand
        self._deadline: float | None = None
        self._deadline_seconds: float | None = None
        self.set_deadline(deadline)
        self._tokens = TokenCache(credential, self.clock) if credential is not None else None
        if transport is None:
            from fabric_git._network import network_transport

            transport = network_transport(self._base, tls_verification(self._base))
        self._http = httpx.Client(
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,  # proxies and certificates: decided by the transport above
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )

    # --- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __repr__(self) -> str:
        return f"Transport(base_url={self.base_url!r})"

    # --- the overall deadline -------------------------------------------------------------------

    def set_deadline(self, seconds: float | None) -> None:
        """No request starts later than ``seconds`` from now, and a running one is cut then.
        None removes the limit."""
        if seconds is not None and seconds < 0:
            raise ConfigurationError("The deadline must not be negative.")
        self._deadline_seconds = seconds
        self._deadline = None if seconds is None else self.clock.monotonic() + seconds

    def remaining(self) -> float | None:
        """Seconds left before the deadline (never negative); None without one."""
        if self._deadline is None:
            return None
        return max(0.0, self._deadline - self.clock.monotonic())

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
        call = _Call(method, safe_url(url), self.clock.monotonic())
        refreshed_after_401 = False
        while True:
            call.attempt += 1
            limit = self._attempt_limit(call, self.timeout if timeout is None else timeout)
            request_id = str(uuid.uuid4())
            sent_token = self._token_for(url)
            try:
                with attempt_deadline(limit):
                    response = self._send_once(
                        method, url, json, limit, request_id, call.attempt, sent_token
                    )
            except _NOT_SENT_ERRORS + _MAYBE_SENT_ERRORS as exc:
                self._network_failure(call, exc)
                continue
            except httpx.HTTPError as exc:
                raise TransportError(
                    f"{method} {call.url} failed: {type(exc).__name__}",
                    method=method,
                    url=call.url,
                ) from None

            status = response.status_code
            if status < 300:
                return response
            if status < 400:
                # Redirects are not followed: they would carry the token to another address.
                raise TransportError(
                    f"{method} {call.url} answered a redirect ({status}) to "
                    f"{response.headers.get('Location', 'nowhere')!r}; check the API URL.",
                    method=method,
                    url=call.url,
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
                call.attempt -= 1  # the auth retry does not use up the retry allowance
                continue
            error = self._error_from(response, method, url, request_id)
            if _is_busy(error):
                # The service refused to start anything: wait for the workspace, within the budget.
                call.busy_retries += 1
                pause = self.retry.backoff(call.busy_retries, self._rand)
                self._wait_or_raise(call, error, pause, "busy", error.error_code, limit=None)
                continue
            retry_after = parse_retry_after(
                response.headers.get("Retry-After"), now=self.clock.time()
            )
            delay = retry_delay(
                self.retry, method, response.status_code, retry_after, call.attempt, self._rand
            )
            reason: RetryReason = "throttled" if _is_throttling(response) else "server"
            self._wait_or_raise(call, error, delay, reason, f"HTTP {status} {error.error_code}")

    def _attempt_limit(self, call: _Call, request_timeout: float) -> float:
        """How long the coming attempt may take: the request timeout, cut to what is left of the
        call's budget and of the overall deadline."""
        limit = request_timeout
        if self.retry.total_budget > 0:
            left = self.retry.total_budget - (self.clock.monotonic() - call.started)
            limit = min(limit, left)
        remaining = self.remaining()
        if remaining is not None:
            if remaining <= 0:
                raise self._deadline_error(call)
            limit = min(limit, remaining)
        if limit <= 0:
            raise call.last_error or self._deadline_error(call)
        return limit

    def _deadline_error(self, call: _Call) -> DeadlineExceededError:
        limit = self._deadline_seconds or 0.0
        after = f" (last failure: {call.last_error})" if call.last_error else ""
        return DeadlineExceededError(
            f"{call.method} {call.url}: no answer before the deadline of {limit:g}s{after}",
            method=call.method,
            url=call.url,
            deadline=limit,
        )

    def _network_failure(self, call: _Call, exc: httpx.HTTPError) -> None:
        """Retry a request that got no answer, or raise the error that says why it never will."""
        if self._deadline is not None and self.clock.monotonic() >= self._deadline:
            call.last_error = None
            raise self._deadline_error(call)
        kind = classify_network_error(exc) if isinstance(exc, httpx.ConnectError) else "other"
        detail = _first_line(exc)
        if kind == "tls":
            raise TransportError(
                f"{call.method} {call.url}: TLS verification failed ({detail}); the server's "
                "certificate is not trusted (set SSL_CERT_FILE to a CA bundle that trusts it).",
                method=call.method,
                url=call.url,
            ) from None
        failure = TransportError(
            f"{call.method} {call.url} failed: {type(exc).__name__}"
            + (f" ({detail})" if detail else ""),
            method=call.method,
            url=call.url,
        )
        if kind == "unknown-host":
            raise TransportError(
                f"{call.method} {call.url}: unknown host {httpx.URL(call.url).host!r} ({detail})",
                method=call.method,
                url=call.url,
            ) from None
        not_sent = isinstance(exc, _NOT_SENT_ERRORS)
        if not (not_sent or call.method in IDEMPOTENT_METHODS):
            raise failure  # a POST or PATCH that may have arrived is never sent twice
        delay = self.retry.backoff(call.attempt, self._rand)
        cause = f"{type(exc).__name__}" + (f" ({detail})" if detail else "")
        limit: int | Literal["policy"] = "policy"
        if not_sent:
            limit = min(self.retry.max_attempts, self.retry.connect_attempts)
        self._wait_or_raise(call, failure, delay, "network", cause, limit=limit)

    def _send_once(
        self,
        method: str,
        url: httpx.URL,
        json: Any,
        timeout: float,
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
                safe_url(url),
                attempt,
                _redacted({**self._http.headers, **headers}),
            )
        start = self.clock.monotonic()
        response = self._http.request(method, url, json=json, headers=headers, timeout=timeout)
        logger.debug(
            "fabric_git: <- %d %s %s (%.2fs, request id %s)",
            response.status_code,
            method,
            safe_url(url),
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

    def _wait_or_raise(
        self,
        call: _Call,
        error: FabricGitError,
        delay: float | None,
        reason: RetryReason,
        cause: str,
        *,
        limit: int | None | Literal["policy"] = "policy",
    ) -> None:
        """Sleep before the next attempt, or raise ``error`` when none may follow: not retriable,
        ``limit`` attempts used up (the policy's ``max_attempts`` unless given; None: bounded by
        time alone), or the wait would overrun the budget or the deadline."""
        call.last_error = error
        if delay is None:
            raise error
        attempts = self.retry.max_attempts if limit == "policy" else limit
        elapsed = self.clock.monotonic() - call.started
        remaining = self.remaining()
        if (
            (attempts is not None and call.attempt >= attempts)
            or elapsed + delay > self.retry.total_budget
            or (remaining is not None and delay >= remaining)
        ):
            logger.debug(
                "fabric_git: giving up after %d attempt(s) and %.1fs: %s",
                call.attempt,
                elapsed,
                error,
            )
            raise error
        notice = RetryNotice(
            method=call.method,
            url=call.url,
            attempt=call.attempt + 1,
            max_attempts=attempts,
            delay=delay,
            reason=reason,
            cause=cause,
        )
        logger.info("fabric_git: %s", notice)
        if self.on_retry is not None:
            self.on_retry(notice)
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
            url=safe_url(url),
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
        """Every element of ``value`` across all pages (see ``_pages.paginate``)."""
        return paginate(self, path, params)


class _Call:
    """The state of one logical call across its attempts."""

    def __init__(self, method: str, url: str, started: float) -> None:
        self.method = method
        self.url = url
        self.started = started
        self.attempt = 0
        self.busy_retries = 0
        self.last_error: FabricGitError | None = None


def _is_busy(error: ApiError) -> bool:
    """A refusal the service marks retriable (4xx, so nothing was done): the workspace is busy
    with another operation, or a resource is locked for a moment."""
    return 400 <= error.status < 500 and error.status != 429 and error.is_retriable is True


def _is_throttling(response: httpx.Response) -> bool:
    return response.status_code == 429 or (
        response.status_code == 503 and "Retry-After" in response.headers
    )


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0]


def decode_json(response: httpx.Response) -> Any:
    """The JSON body of a success answer, or None when it is empty."""
    if not response.content or not response.content.strip():
        return None
    try:
        return response.json()
    except ValueError:
        raise TransportError(
            f"{response.request.method} {safe_url(response.request.url)} answered "
            f"{response.status_code} with a body that is not JSON.",
            method=response.request.method,
            url=safe_url(response.request.url),
        ) from None
