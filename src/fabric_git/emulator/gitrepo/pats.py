"""The PAT a hosted repository requires, kept only as a salted PBKDF2 hash in its config."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fabric_git.emulator.lru import Lru

__all__ = ["PatChecker", "hash_pat"]

_PAT_ITERATIONS = 20_000
_VERIFIED_MAX = 256


def hash_pat(pat: str) -> str:
    """A new salted hash of ``pat``, as the repository's config keeps it."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pat.encode("utf-8"), salt, _PAT_ITERATIONS)
    return f"pbkdf2-sha256${_PAT_ITERATIONS}${salt.hex()}${digest.hex()}"


def _matches(pat: str, stored: str) -> bool:
    try:
        scheme, iterations, salt_hex, digest_hex = stored.split("$")
        salt = bytes.fromhex(salt_hex)
        rounds = int(iterations)
    except ValueError:
        return False
    if scheme != "pbkdf2-sha256":
        return False
    digest = hashlib.pbkdf2_hmac("sha256", pat.encode("utf-8"), salt, rounds)
    return hmac.compare_digest(digest.hex(), digest_hex)


class PatChecker:
    """Checks PATs against stored hashes, remembering the pairs already found to match.

    Every Git request checks the PAT, and the PBKDF2 rounds that protect the hash on disk cost
    milliseconds. Matches are remembered in memory only, as SHA-256 of (hash, PAT); a changed
    required PAT has another stored hash, so it is checked afresh.
    """

    def __init__(self) -> None:
        self._verified: Lru[bytes, bool] = Lru(_VERIFIED_MAX)

    def matches(self, pat: str, stored: str) -> bool:
        memo = hashlib.sha256(f"{stored}\0{pat}".encode()).digest()
        if self._verified.get(memo):
            return True
        if not _matches(pat, stored):
            return False
        self._verified.put(memo, True)
        return True
