"""One-time tokens of the public forms: a form posted twice is stored once.

The tip form and the follow-up answer form carry a random token (tipline.forms). The token
itself is never stored. `submission_key` binds it to what the form says (an HMAC keyed by the
token), and the WebSubmission row keeps only the keyed digest of that key
(accounts.privacy.keyed_digest), under a unique constraint: the database refuses a second row
for the same form with the same words, however close together the two posts arrive. The same
token with different words (Back, then an edit) is a different submission and is stored, so
nothing a student wrote is ever dropped as a "duplicate".

A tip's receipt code is sealed (Fernet) under a second keyed digest of the key, which cannot
be derived from the stored one: only a request carrying the token (or the receipt cookie set
for it) can open it, and only for TIPLINE_RECEIPT_REPLAY_SECONDS; "I have saved my code"
erases it at once. Rows go after TIPLINE_SUBMISSION_TOKEN_HOURS (`submissions_expire`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils import timezone

from accounts.privacy import keyed_digest

from ..models import Reporter, Tip, WebSubmission

SUBMISSION_PURPOSE = "web-submission"
SEAL_PURPOSE = "web-submission-seal"


@dataclass(frozen=True)
class StoredReceipt:
    """What a resubmitted tip form may show: its tip, and the code while it may be shown."""

    tip: Tip
    receipt_code: str | None


def submission_key(*, token: str, fields: Sequence[str]) -> str:
    """The secret that names one submission: the form's token bound to what it says."""
    message = "\x1f".join(fields).encode()
    return hmac.new(token.encode(), message, hashlib.sha256).hexdigest()


def _digest(key: str) -> str:
    return keyed_digest(key, purpose=SUBMISSION_PURPOSE)


def _sealer(key: str) -> Fernet:
    raw = bytes.fromhex(keyed_digest(key, purpose=SEAL_PURPOSE))
    return Fernet(base64.urlsafe_b64encode(raw))


def submission_record(*, key: str, reporter: Reporter, receipt_code: str = "") -> WebSubmission:
    """Claim the submission. Raises IntegrityError when it was stored before (or is being
    stored by a concurrent request, which this insert waits for): call it first in the
    caller's transaction, so a repeat fails before anything else is written."""
    sealed = _sealer(key).encrypt(receipt_code.encode()).decode() if receipt_code else ""
    return WebSubmission.objects.create(
        token_digest=_digest(key), reporter=reporter, receipt_sealed=sealed
    )


def submission_exists(*, key: str) -> bool:
    return WebSubmission.objects.filter(token_digest=_digest(key)).exists()


def submission_receipt(*, key: str, now: datetime | None = None) -> StoredReceipt | None:
    """The tip a key stored, and its receipt code if it may still be shown; None if unknown."""
    row = WebSubmission.objects.filter(token_digest=_digest(key)).first()
    if row is None:
        return None
    tip = Tip.objects.filter(reporter_id=row.reporter_id).order_by("received_at", "id").first()
    if tip is None:
        return None
    now = now or timezone.now()
    shown_until = row.created_at + timedelta(seconds=settings.TIPLINE_RECEIPT_REPLAY_SECONDS)
    code = None
    if row.receipt_sealed and now < shown_until:
        try:
            code = _sealer(key).decrypt(row.receipt_sealed.encode()).decode()
        except InvalidToken:  # PRIVACY_HMAC_KEY changed since: the code is gone
            code = None
    return StoredReceipt(tip=tip, receipt_code=code)


def submission_receipt_retire(*, key: str) -> bool:
    """Erase the sealed code ("I have saved my code"): the receipt is never shown again."""
    return bool(
        WebSubmission.objects.filter(token_digest=_digest(key))
        .exclude(receipt_sealed="")
        .update(receipt_sealed="")
    )


def submissions_expire(*, now: datetime | None = None) -> int:
    """Delete tokens past TIPLINE_SUBMISSION_TOKEN_HOURS and erase sealed codes past the
    replay window; returns how many rows were deleted. Run periodically."""
    now = now or timezone.now()
    replay_cutoff = now - timedelta(seconds=settings.TIPLINE_RECEIPT_REPLAY_SECONDS)
    WebSubmission.objects.filter(created_at__lt=replay_cutoff).exclude(receipt_sealed="").update(
        receipt_sealed=""
    )
    cutoff = now - timedelta(hours=settings.TIPLINE_SUBMISSION_TOKEN_HOURS)
    deleted, _ = WebSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
