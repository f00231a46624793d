"""Encryption at rest for tip text, messages and attachments (MultiFernet).

FIELD_ENCRYPTION_KEYS lists Fernet keys newest first: the first encrypts, every key decrypts,
so a new key is put in front, data is re-encrypted (`manage.py rotate_encryption_keys`), and
the old key removed.
"""

import base64
import binascii
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

__all__ = [
    "InvalidToken",
    "decrypt_bytes",
    "decrypt_text",
    "decrypt_texts",
    "encrypt_bytes",
    "encrypt_text",
]


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys = [key for key in settings.FIELD_ENCRYPTION_KEYS if key]
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: tip text cannot be stored.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must hold url-safe base64 Fernet keys of 32 bytes."
        ) from error


@receiver(setting_changed)
def _forget_keys(*, setting, **kwargs):
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernet.cache_clear()
        _key_pairs.cache_clear()


def encrypt_bytes(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    return _fernet().decrypt(token)


def rotate_token(token: bytes) -> bytes:
    """Re-encrypt a token under the newest key (MultiFernet.rotate)."""
    return _fernet().rotate(token)


def encrypt_text(text: str) -> str:
    return encrypt_bytes(text.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    return decrypt_bytes(token.encode("ascii")).decode("utf-8")


# --- Many tokens at once -------------------------------------------------------------------
#
# A page of the case queue shows fifty previews, each a Fernet token. Fernet.decrypt builds
# an HMAC object and an AES-CBC context for every token; here each token's HMAC-SHA256 is
# one call into OpenSSL (hmac.digest) and the whole page's ciphertext goes through a single
# AES context per key. CBC decryption is, block by block, P[i] = AES-decrypt(C[i]) XOR C[i-1]
# (C[0] being the IV): the AES part needs no chaining, so one ECB decryptor does every block
# of every token, and the XOR is done afterwards. Same checks, same order, same answer as
# MultiFernet.decrypt: version byte, then the HMAC under each key in turn (compared in
# constant time), and only for a token that passed it, the padding. No TTL, as elsewhere.

_BLOCK = 16
_HEADER = 1 + 8 + _BLOCK  # version, timestamp, IV
_MAC = 32


@lru_cache(maxsize=1)
def _key_pairs() -> tuple[tuple[bytes, bytes], ...]:
    """(signing key, encryption key) of each configured key, newest first."""
    _fernet()  # the same validation and the same error for a bad setting
    pairs = []
    for key in settings.FIELD_ENCRYPTION_KEYS:
        if key:
            raw = base64.urlsafe_b64decode(key)
            pairs.append((raw[:16], raw[16:]))
    return tuple(pairs)


def decrypt_texts(tokens: list[str]) -> list[str]:
    """The texts of `tokens` (as decrypt_text gives each), in order. Any token that is not
    a valid Fernet token under one of the keys raises InvalidToken, as decrypt_text would.
    Tests: tests/accounts/test_crypto_batch.py (against cryptography's own Fernet)."""
    pairs = _key_pairs()
    # Per key, the tokens it signed: (place in `tokens`, decoded token).
    groups: list[list[tuple[int, bytes]]] = [[] for _pair in pairs]
    for place, token in enumerate(tokens):
        try:
            data = base64.urlsafe_b64decode(token)
        except (TypeError, ValueError, binascii.Error):
            raise InvalidToken from None
        size = len(data) - _HEADER - _MAC
        if data[:1] != b"\x80" or size < _BLOCK or size % _BLOCK:
            raise InvalidToken  # Fernet refuses these too (version, or no whole block)
        body, mac = data[:-_MAC], data[-_MAC:]
        for (signing, _secret), group in zip(pairs, groups, strict=True):
            if hmac.compare_digest(hmac.digest(signing, body, "sha256"), mac):
                group.append((place, data))
                break
        else:
            raise InvalidToken
    texts: list[str | None] = [None] * len(tokens)
    for (_signing, secret), group in zip(pairs, groups, strict=True):
        if not group:
            continue
        # Each token's ciphertext, and what each of its blocks is XORed with (the IV, then
        # the previous ciphertext block): two concatenations, one AES pass, one XOR.
        ciphertext = b"".join(data[_HEADER:-_MAC] for _place, data in group)
        chained = b"".join(data[_HEADER - _BLOCK : -_MAC - _BLOCK] for _place, data in group)
        decryptor = Cipher(algorithms.AES(secret), modes.ECB()).decryptor()  # noqa: S305
        plain = decryptor.update(ciphertext) + decryptor.finalize()
        plain = (int.from_bytes(plain, "big") ^ int.from_bytes(chained, "big")).to_bytes(
            len(plain), "big"
        )
        start = 0
        for place, data in group:
            stop = start + len(data) - _HEADER - _MAC
            padded = plain[start:stop]
            start = stop
            pad = padded[-1]
            if not 1 <= pad <= _BLOCK or padded[-pad:] != bytes((pad,)) * pad:
                raise InvalidToken
            texts[place] = padded[:-pad].decode("utf-8")
    return texts  # type: ignore[return-value]
