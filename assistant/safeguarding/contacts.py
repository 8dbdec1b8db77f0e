"""A worker's consented contact details: validated, Fernet-encrypted at rest."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from assistant.errors import InvalidInput

_EMAIL = re.compile(r"^[^@\s<>\"'(),;:]{1,64}@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()\-]{7,24}$")


def normalise_contact(value: str) -> tuple[str, str]:
    """("email" | "phone", normalised value), or InvalidInput (never echoing the value)."""
    value = (value or "").strip()
    if _EMAIL.match(value) and len(value) <= 254:
        return "email", value
    if _PHONE_CHARS.match(value):
        digits = re.sub(r"[^0-9]", "", value)
        if 7 <= len(digits) <= 15:
            return "phone", ("+" if value.startswith("+") else "") + digits
    raise InvalidInput("Please give a phone number or an email address.")


def _fernet(secret: str) -> Fernet:
    """A Fernet key as given, or one derived from any other secret string."""
    try:
        if len(base64.urlsafe_b64decode(secret.encode())) == 32:
            return Fernet(secret.encode())
    except (binascii.Error, ValueError):
        pass
    derived = hashlib.sha256(b"harbour/contact-details\0" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


class ContactCipher:
    """Encrypts with the first key; decrypts with any (rotate by putting the new key first)."""

    def __init__(self, secrets: list[str]) -> None:
        if not secrets:
            raise ValueError("ContactCipher needs at least one key")
        self._fernet = MultiFernet([_fernet(s) for s in secrets])

    def encrypt(self, value: str) -> bytes:
        return self._fernet.encrypt(value.encode())

    def decrypt(self, token: bytes) -> str | None:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken:
            return None  # encrypted with a key that has since been removed
