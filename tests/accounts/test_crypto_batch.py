"""accounts.crypto.decrypt_texts, the queue's many-tokens decryption, against cryptography's
own Fernet: the same texts for every length and key, and InvalidToken for every token
Fernet refuses (tampered at any byte, truncated, wrong version, wrong key, not base64)."""

import base64
import os
import random

import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.test import override_settings

from accounts import crypto

OLD, NEW, OTHER = Fernet.generate_key(), Fernet.generate_key(), Fernet.generate_key()


def _texts() -> list[str]:
    chance = random.Random(7)
    alphabet = "abc xyz ÁÉñü€😀\n\t"
    # Every length around the block boundaries, then longer texts as tips are.
    lengths = list(range(0, 40)) + [chance.randrange(40, 3000) for _ in range(30)]
    return ["".join(chance.choice(alphabet) for _ in range(n)) for n in lengths]


@override_settings(FIELD_ENCRYPTION_KEYS=[NEW.decode(), OLD.decode()])
def test_the_same_texts_as_fernet_under_every_key_in_one_batch():
    texts = _texts()
    keys = [Fernet(NEW if i % 3 else OLD) for i in range(len(texts))]
    tokens = [key.encrypt(text.encode()).decode() for key, text in zip(keys, texts, strict=True)]
    assert crypto.decrypt_texts(tokens) == texts
    assert crypto.decrypt_texts(tokens) == [crypto.decrypt_text(token) for token in tokens]
    assert crypto.decrypt_texts([]) == []
    assert crypto.decrypt_texts([crypto.encrypt_text("one")]) == ["one"]


def _refused_by_fernet(token: str) -> bool:
    try:
        MultiFernet([Fernet(NEW), Fernet(OLD)]).decrypt(token.encode())
    except InvalidToken:
        return True
    return False


def _tampered(token: str) -> list[str]:
    data = base64.urlsafe_b64decode(token)
    out = []
    for place in range(len(data)):
        for bit in (0x01, 0x80):
            changed = bytearray(data)
            changed[place] ^= bit
            out.append(base64.urlsafe_b64encode(bytes(changed)).decode())
    cuts = (0, 1, 9, 25, 56, 57, 72, len(data) - 1)
    out += [base64.urlsafe_b64encode(data[:cut]).decode() for cut in cuts]
    out += [base64.urlsafe_b64encode(data + extra).decode() for extra in (b"x", os.urandom(16))]
    out += ["", "not a token", "%%%%", "gAAAAA", Fernet(OTHER).encrypt(b"other key").decode()]
    return out


@override_settings(FIELD_ENCRYPTION_KEYS=[NEW.decode(), OLD.decode()])
def test_every_token_fernet_refuses_is_refused_alone_and_among_good_ones():
    good = [crypto.encrypt_text("a good preview"), Fernet(OLD).encrypt(b"an old one").decode()]
    token = Fernet(OLD).encrypt(b"a tip about the gym, twenty bytes+").decode()
    bad = _tampered(token)
    assert all(_refused_by_fernet(candidate) for candidate in bad)
    for candidate in bad:
        with pytest.raises(InvalidToken):
            crypto.decrypt_texts([candidate])
        with pytest.raises(InvalidToken):
            crypto.decrypt_texts([good[0], candidate, good[1]])


@override_settings(FIELD_ENCRYPTION_KEYS=[NEW.decode()])
def test_a_valid_mac_over_bad_padding_is_refused():
    # Someone holding the key could sign a ciphertext whose padding is wrong: Fernet refuses
    # it after the MAC, and so must the batch (the padding is read only after the MAC).
    import hmac as hmac_module

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    raw = base64.urlsafe_b64decode(NEW)
    signing, secret = raw[:16], raw[16:]
    iv = os.urandom(16)
    for last in (0, 17, 255):
        block = bytes(15) + bytes((last,))
        encryptor = Cipher(algorithms.AES(secret), modes.CBC(iv)).encryptor()
        body = b"\x80" + bytes(8) + iv + encryptor.update(block) + encryptor.finalize()
        token = base64.urlsafe_b64encode(
            body + hmac_module.digest(signing, body, "sha256")
        ).decode()
        assert _refused_by_fernet(token)
        with pytest.raises(InvalidToken):
            crypto.decrypt_texts([token])


@override_settings(FIELD_ENCRYPTION_KEYS=[NEW.decode()])
def test_a_new_key_setting_is_followed():
    token = crypto.encrypt_text("before")
    with override_settings(FIELD_ENCRYPTION_KEYS=[OTHER.decode()]), pytest.raises(InvalidToken):
        crypto.decrypt_texts([token])
    assert crypto.decrypt_texts([token]) == ["before"]
