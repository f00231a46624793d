"""Intake from people: tips from the web form and SMS, the conversation with the tipster,
and the files they send.

Tip, message and attachment text is encrypted at rest (EncryptedTextField). Tipsters are
known only as a Reporter thread: a keyed digest of their receipt code (web) or phone number
(SMS), plus the phone number encrypted for replies. Nothing here stores a client address or
user agent. Every tip belongs to a cases.Case.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.fields import EncryptedTextField
from accounts.models import School
from cases.models import Case, Category, Channel, DangerNow


class Reporter(models.Model):
    """An anonymous tipster's thread: how we recognise them without knowing who they are."""

    channel = models.CharField(
        max_length=8,
        choices=[
            (Channel.WEB, Channel.WEB.label),
            (Channel.SMS, Channel.SMS.label),
            (Channel.VOICE, Channel.VOICE.label),
        ],
    )
    # Web and voice: HMAC of the receipt code. The code itself is shown once and never stored.
    receipt_code_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # SMS: HMAC of the phone number (the thread key), and the number encrypted for replies.
    phone_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    phone_number_encrypted = EncryptedTextField(blank=True)
    alias = models.CharField(max_length=24, help_text=_("Short stable name staff see."))
    language = models.CharField(max_length=8, default="en")
    opted_out_at = models.DateTimeField(null=True, blank=True)
    # The MessageSid of the thread's last keyword (STOP, AYUDA...): keywords are case events,
    # not messages, so this is what recognises a replayed one without the cache.
    last_keyword_sid = models.CharField(max_length=64, blank=True)
    # District-wide SMS numbers ask which school; the answer is kept on the thread.
    selected_school = models.ForeignKey(
        School, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_contact_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(receipt_code_digest__isnull=False) | Q(phone_digest__isnull=False),
                name="reporter_has_a_key",
            )
        ]

    def __str__(self) -> str:
        return self.alias


class ReceivedBy(models.TextChoices):
    """How a tip entered by staff reached them (Tip.received_by; blank for the intakes)."""

    PHONE = "phone", _("By phone")
    IN_PERSON = "in_person", _("In person")
    EMAIL = "email", _("By email")
    PARTNER_HOTLINE = "hotline", _("From a partner hotline")


class Tip(models.Model):
    """One report as the tipster sent it. Belongs to exactly one case (after merges, the
    survivor)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tips")
    reporter = models.ForeignKey(
        Reporter, on_delete=models.SET_NULL, null=True, blank=True, related_name="tips"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="tips")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    category = models.CharField(max_length=16, choices=Category.choices)
    body = EncryptedTextField()
    who_involved = EncryptedTextField(blank=True)
    location = EncryptedTextField(blank=True)
    when_happened = EncryptedTextField(blank=True)
    contact_details = EncryptedTextField(blank=True)
    danger_now = models.CharField(max_length=8, choices=DangerNow.choices, blank=True)
    language = models.CharField(max_length=8, default="en")
    provider_sid = models.CharField(
        max_length=64, unique=True, null=True, blank=True, help_text=_("Twilio MessageSid.")
    )
    needs_review = models.BooleanField(default=False)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Staff-entered tips (channel "staff"): who typed it in, how the reporter reached them,
    # and whether the reporter agreed to be contacted (how: contact_details, encrypted).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    received_by = models.CharField(max_length=10, choices=ReceivedBy.choices, blank=True)
    may_contact = models.BooleanField(default=False)

    class Meta:
        ordering = ["received_at"]

    def __str__(self) -> str:
        return f"Tip {self.pk} ({self.get_channel_display()})"


class MessageDirection(models.TextChoices):
    TO_REPORTER = "out", _("To the tipster")
    FROM_REPORTER = "in", _("From the tipster")


class DeliveryStatus(models.TextChoices):
    """SMS delivery, in the order Twilio moves through it; callbacks only move forward."""

    NONE = "", _("Not applicable")
    PENDING = "pending", _("Waiting to send")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    UNDELIVERED = "undelivered", _("Undelivered")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    """Two-way conversation with the tipster. Internal notes are CaseNote, never here."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    reporter = models.ForeignKey(
        Reporter, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    direction = models.CharField(max_length=3, choices=MessageDirection.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    body = EncryptedTextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    provider_sid = models.CharField(max_length=64, unique=True, null=True, blank=True)
    delivery_status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, blank=True, default=DeliveryStatus.NONE
    )
    delivery_error = models.CharField(max_length=200, blank=True)
    flagged = models.BooleanField(default=False, help_text=_("Part of a flood of messages."))
    read_by_reporter_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # Summaries: "did the tipster answer after staff wrote?" per case.
            models.Index(
                fields=["case", "direction", "created_at"], name="message_case_direction_idx"
            )
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} ({self.get_direction_display()})"


class Attachment(models.Model):
    """A file from the tipster, metadata stripped, stored encrypted outside the web root."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    tip = models.ForeignKey(
        Tip, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    storage_name = models.CharField(max_length=100, unique=True)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(help_text=_("Bytes, after metadata was stripped."))
    original_name = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Attachment {self.pk} ({self.content_type})"


class SmsPendingText(models.Model):
    """A text sent to a district-wide number before the tipster chose a school.

    Kept (encrypted) until the answer to the numbered school menu says which school's case it
    opens; then it becomes that case's tip (or messages) and this row is deleted.
    """

    reporter = models.ForeignKey(Reporter, on_delete=models.CASCADE, related_name="pending_texts")
    body = EncryptedTextField(blank=True)
    provider_sid = models.CharField(max_length=64, unique=True, help_text=_("Twilio MessageSid."))
    media_urls = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"Pending SMS {self.pk}"


class WebSubmission(models.Model):
    """The one-time token of a public form post (a tip, or a follow-up answer).

    A form carries a random token; its keyed digest (bound to what was written) is stored
    with the thread the post created, under a unique constraint, so a resubmitted form
    (refresh, Back, double click, a retry after a timeout) is stored once. For a tip, the
    receipt code is kept sealed under a key only the token can derive, for
    TIPLINE_RECEIPT_REPLAY_SECONDS: the browser that holds the token sees the same receipt
    again, nobody else ever does. Rows are deleted after TIPLINE_SUBMISSION_TOKEN_HOURS.
    """

    token_digest = models.CharField(max_length=64, unique=True)
    reporter = models.ForeignKey(Reporter, on_delete=models.CASCADE, related_name="+")
    receipt_sealed = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"Web submission {self.pk}"


class VoiceCall(models.Model):
    """One call to a tip-line number, known by Twilio's CallSid (unique: a replayed webhook
    finds its row). Holds no caller number, in clear or hashed: the caller is known only by
    the receipt code they were read, as a web tipster is.

    The tip (and its case) is written when the caller finishes their message; Twilio's
    recording-status callback may come before or after that, so the recording's details are
    kept here until both are known, and then a task fetches the recording, stores it
    encrypted as the tip's attachment and deletes it at Twilio.
    """

    call_sid = models.CharField(max_length=64, unique=True, help_text=_("Twilio CallSid."))
    tip = models.OneToOneField(
        Tip, on_delete=models.SET_NULL, null=True, blank=True, related_name="voice_call"
    )
    recording_sid = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # The recording's resource URL at Twilio (our account's; no caller data in it).
    recording_url = models.CharField(max_length=300, blank=True)
    recording_seconds = models.PositiveIntegerField(null=True, blank=True)
    recording_status = models.CharField(max_length=16, blank=True)
    fetch_queued_at = models.DateTimeField(null=True, blank=True)
    stored_at = models.DateTimeField(null=True, blank=True)
    deleted_at_twilio_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Call {self.pk}"

    @property
    def duration_display(self) -> str:
        """m:ss of the recording, or an empty string while Twilio has not said."""
        if self.recording_seconds is None:
            return ""
        minutes, seconds = divmod(self.recording_seconds, 60)
        return f"{minutes}:{seconds:02d}"
