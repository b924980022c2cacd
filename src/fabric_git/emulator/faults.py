"""Fault injection: rules that make matching requests fail the way a busy service does.

A rule matches on any subset of operation (the route's operationId, e.g. ``Git_CommitToGit``,
or for ``fail`` also the operation kind, e.g. ``CommitToGit``), HTTP method and a path regex.
Its action is one of: answer with a status (``429`` with ``Retry-After``, ``5xx``), wait
(``delay``, then answer normally), drop the connection, or make the matching long-running
operation end ``Failed`` with a chosen error code. ``times`` limits how often it fires;
``probability`` fires it for a (seeded) fraction of matches.

Compact syntax for ``serve --fault``::

    operation=Git_CommitToGit,status=429,retry-after=2,times=1
    path=/items$,method=POST,status=503,probability=0.5,seed=7
    operation=Git_GetConnection,delay=0.5
    operation=Git_UpdateFromGit,fail=GitSyncFailed,message=Remote unavailable
    method=GET,drop,times=2
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from fabric_git.emulator.errors import EmulatorError

_STATUS_CODES = {
    429: "RequestBlocked",
    500: "InternalError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


class FaultSpecError(ValueError):
    """A fault rule that cannot be understood."""


@dataclass(frozen=True, kw_only=True)
class FaultRule:
    operation: str | None = None
    method: str | None = None
    path: str | None = None
    status: int | None = None
    retry_after: int | None = None
    delay: float | None = None
    drop: bool = False
    fail: str | None = None
    message: str | None = None
    times: int | None = None
    probability: float | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.status is None and self.delay is None and not self.drop and self.fail is None:
            raise FaultSpecError("a fault needs an action: status, delay, drop or fail")
        if self.status is not None and not 400 <= self.status <= 599:
            raise FaultSpecError("status must be an HTTP error status (400-599)")
        if self.delay is not None and self.delay < 0:
            raise FaultSpecError("delay must not be negative")
        if self.times is not None and self.times < 1:
            raise FaultSpecError("times must be at least 1")
        if self.probability is not None and not 0.0 <= self.probability <= 1.0:
            raise FaultSpecError("probability must be between 0 and 1")
        if self.method is not None:
            object.__setattr__(self, "method", self.method.upper())
        if self.path is not None:
            try:
                re.compile(self.path)
            except re.error as exc:
                raise FaultSpecError(f"path is not a valid regex: {exc}") from None

    @classmethod
    def parse(cls, spec: str) -> FaultRule:
        """Read the compact ``key=value,...`` syntax of ``serve --fault``."""
        fields: dict[str, Any] = {}
        for raw in spec.split(","):
            token = raw.strip()
            if not token:
                continue
            key, sep, value = token.partition("=")
            key = key.strip().lower().replace("_", "-")
            value = value.strip()
            if key == "drop" and not sep:
                fields["drop"] = True
                continue
            if not sep:
                raise FaultSpecError(f"expected key=value, got {token!r}")
            fields[key] = value
        return cls.from_mapping(fields)

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> FaultRule:
        """Build a rule from JSON (camelCase) or parsed spec (kebab-case) keys."""
        aliases = {"retry-after": "retry_after", "retryAfter": "retry_after"}
        known = {f for f in cls.__dataclass_fields__}
        values: dict[str, Any] = {}
        for key, value in data.items():
            name = aliases.get(key, key)
            if name not in known:
                raise FaultSpecError(f"unknown fault field {key!r}")
            values[name] = value
        try:
            return cls(
                operation=_opt_str(values.get("operation")),
                method=_opt_str(values.get("method")),
                path=_opt_str(values.get("path")),
                status=_opt_int(values.get("status")),
                retry_after=_opt_int(values.get("retry_after")),
                delay=_opt_float(values.get("delay")),
                drop=_as_bool(values.get("drop", False)),
                fail=_opt_str(values.get("fail")),
                message=_opt_str(values.get("message")),
                times=_opt_int(values.get("times")),
                probability=_opt_float(values.get("probability")),
                seed=_opt_int(values.get("seed")),
            )
        except (TypeError, ValueError) as exc:
            if isinstance(exc, FaultSpecError):
                raise
            raise FaultSpecError(str(exc)) from None

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if v is not None and v is not False}
        if "retry_after" in data:
            data["retryAfter"] = data.pop("retry_after")
        return data

    def matches(self, operations: tuple[str, ...], method: str, path: str) -> bool:
        if self.operation is not None and self.operation not in operations:
            return False
        if self.method is not None and self.method != method:
            return False
        return self.path is None or re.search(self.path, path) is not None

    def error(self) -> EmulatorError:
        """The response of a ``status`` rule."""
        status = self.status or 500
        code = self.fail or _STATUS_CODES.get(status, "InjectedFault")
        message = self.message or f"Injected fault: HTTP {status}"
        headers = {}
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        retriable = status == 429 or status >= 500
        return EmulatorError(status, code, message, is_retriable=retriable, headers=headers)

    def failure(self) -> EmulatorError:
        """The error a ``fail`` rule puts into the operation it fails."""
        code = self.fail or "OperationFailed"
        return EmulatorError(400, code, self.message or f"Injected failure: {code}")


@dataclass
class _Active:
    id: int
    rule: FaultRule
    remaining: int | None
    rng: random.Random = field(repr=False)
    fired: int = 0


class FaultRegistry:
    """The active rules, in the order they were added; thread-safe."""

    def __init__(self, rules: tuple[FaultRule, ...] = ()) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Active] = []
        self._next_id = 1
        for rule in rules:
            self.add(rule)

    def __bool__(self) -> bool:
        return bool(self._rules)

    def add(self, rule: FaultRule) -> int:
        with self._lock:
            rule_id = self._next_id
            self._next_id += 1
            self._rules.append(_Active(rule_id, rule, rule.times, random.Random(rule.seed)))
            return rule_id

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [active for active in self._rules if active.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {"id": a.id, **a.rule.to_json(), "remaining": a.remaining, "fired": a.fired}
                for a in self._rules
            ]

    def take_request_fault(
        self, operations: tuple[str, ...], method: str, path: str
    ) -> FaultRule | None:
        """The first request-level rule (status, delay, drop) that fires for this request."""
        return self._take(operations, method, path, want_failure=False)

    def take_failure(self, operations: tuple[str, ...], method: str, path: str) -> FaultRule | None:
        """The first ``fail`` rule that fires for an operation started by this request."""
        return self._take(operations, method, path, want_failure=True)

    def _take(
        self, operations: tuple[str, ...], method: str, path: str, *, want_failure: bool
    ) -> FaultRule | None:
        if not self._rules:
            return None
        with self._lock:
            for active in self._rules:
                rule = active.rule
                is_failure = rule.fail is not None and rule.status is None and not rule.drop
                if is_failure != want_failure or not rule.matches(operations, method, path):
                    continue
                if active.remaining is not None and active.remaining <= 0:
                    continue
                if rule.probability is not None and active.rng.random() >= rule.probability:
                    continue
                if active.remaining is not None:
                    active.remaining -= 1
                active.fired += 1
                return rule
        return None


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _opt_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise FaultSpecError("expected a number")
    return int(value)


def _opt_float(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise FaultSpecError("expected a number")
    return float(value)


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", ""):
        return True
    if isinstance(value, str) and value.lower() in ("0", "false", "no", "off"):
        return False
    raise FaultSpecError("drop must be true or false")
