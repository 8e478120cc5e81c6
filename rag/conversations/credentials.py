"""Passwords and API tokens as the database keeps them: a password only as a salted scrypt hash
(the standard library's, memory-hard), a token only as its SHA-256 (it is random and long, so a
fast hash suffices and lookups stay one indexed read)."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

# scrypt's cost: 2^14 x 8 x 1 takes 16 MB and ~50 ms here, the figure Python's docs and OWASP
# give for interactive logins.
_N, _R, _P = 1 << 14, 8, 1


def hash_password(password: str) -> str:
    """`scrypt$N$r$p$salt$hash`, with a fresh 16-byte salt."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` (from `hash_password`) was made from, compared
    in constant time."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        given = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except ValueError:
        return False
    return hmac.compare_digest(given, bytes.fromhex(digest))


def new_token() -> str:
    """A fresh API token, shown once: 256 random bits, recognisable by its prefix."""
    return "rag_" + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
