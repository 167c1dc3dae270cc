"""The session cookie, encrypted: the browser keeps it, but cannot read it.

Flask's own cookie is signed, not encrypted: anyone holding the device could read the
resume key and the respondent's own scores in it. Here the same cookie is sealed with
Fernet (AES-128-CBC + HMAC-SHA256, from the `cryptography` package) under a key derived
from SECRET_KEY, so its content is both secret and tamper-proof. A server-side store
(Flask-Session) was not chosen: it would put the resume key in the database or Redis,
next to the answers, which is exactly where the attacker of the README's threat model
reads.
"""

from __future__ import annotations

import base64
import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature


def _fernet(secret: str | bytes, salt: str) -> Fernet:
    material = secret.encode("utf-8") if isinstance(secret, str) else secret
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt.encode("ascii"),
               info=b"assessment session cookie").derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


class _SealedSerializer:
    """The dumps/loads pair Flask's cookie interface expects, encrypting with Fernet."""

    def __init__(self, fernet: MultiFernet, serializer: Any):
        self.fernet, self.serializer = fernet, serializer

    def dumps(self, value: Any) -> str:
        return self.fernet.encrypt(self.serializer.dumps(value).encode("utf-8")).decode("ascii")

    def loads(self, value: str | bytes, max_age: int | None = None) -> Any:
        try:
            # Inside the try: a cookie with non-ASCII characters is no cookie of ours.
            token = value.encode("ascii") if isinstance(value, str) else value
            plain = self.fernet.decrypt(token, ttl=max_age)
        except (InvalidToken, ValueError, TypeError) as exc:
            # Flask treats BadSignature as "no session": a fresh, empty one.
            raise BadSignature("session cookie not readable") from exc
        return self.serializer.loads(plain.decode("utf-8"))


class EncryptedSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, sealed instead of only signed."""

    salt = "assessment-session"

    def get_signing_serializer(self, app: Flask) -> Any:
        if not app.secret_key:
            return None
        # The current key first; SECRET_KEY_FALLBACKS still open older cookies.
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or []))
        return _SealedSerializer(_sealing(keys, self.salt), self.serializer)


@functools.lru_cache(maxsize=8)
def _sealing(keys: tuple[str | bytes, ...], salt: str) -> MultiFernet:
    """The Fernet keys derived from these secrets, derived once (every request opens and
    seals the cookie: deriving them each time was a sixth of the cookie's cost)."""
    return MultiFernet([_fernet(key, salt) for key in keys])
