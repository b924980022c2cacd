"""The bearer token of a call: cached until shortly before it expires, asked for again after a
401, with the claims of the 401's ``WWW-Authenticate`` challenge when it has some."""

from __future__ import annotations

import base64
import logging
import re
from typing import Final

from fabric_git._clock import Clock
from fabric_git.auth import FABRIC_SCOPE, TokenCredential
from fabric_git.errors import AuthenticationError, FabricGitError

__all__ = ["TOKEN_REFRESH_MARGIN", "TokenCache", "challenge_claims"]

# Refresh a cached token when fewer than this many seconds remain.
TOKEN_REFRESH_MARGIN: Final = 300.0

logger = logging.getLogger("fabric_git")


class TokenCache:
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
