"""Password and token primitives. Pure: no database, no request."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from pwdlib import PasswordHash

# pwdlib's recommended hasher is Argon2id with its default cost parameters (RFC 9106's
# second recommended option); hashes carry their parameters, so raising them later
# re-hashes on the next login rather than invalidating passwords.
_hasher = PasswordHash.recommended()
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return bool(_hasher.verify(password, password_hash))
    except Exception:  # noqa: BLE001 - a malformed stored hash is a failed login, not a 500
        return False


# A valid hash of a random password: verifying against it when the user does not exist
# costs the same time as a real check, so response times don't reveal which emails exist.
DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def new_token() -> str:
    """A random bearer/session token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What we store for a token: its SHA-256 (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
