"""The case core: tips from every channel become (or join) Cases that staff work.

Tip, message and note text is encrypted at rest (EncryptedTextField). Tipsters are known only
as a Reporter thread: a keyed digest of their receipt code (web) or phone number (SMS), plus
the phone number encrypted for replies. Nothing here stores a client address or user agent.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import District, School

from .fields import EncryptedTextField


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    SMS = "sms", _("SMS")
    SOCIAL = "social", _("Social post alert")
    STAFF = "staff", _("Entered by staff")


class Category(models.TextChoices):
    SELF_HARM = "self_harm", _("Suicide or self-harm")
    THREAT = "threat", _("Threat of violence or planned attack")
    WEAPON = "weapon", _("Weapon")
    BULLYING = "bullying", _("Bullying or cyberbullying")
    HARASSMENT = "harassment", _("Harassment, including sexual")
    ABUSE = "abuse", _("Abuse or neglect")
    SUBSTANCES = "substances", _("Drugs, alcohol or vaping")
    MENTAL_HEALTH = "mental_health", _("Mental-health concern")
    FIGHT = "fight", _("Fight")
    OTHER = "other", _("Other")


# Categories whose tips are life-safety by rule (DESIGN.md; the web-tips issue).
LIFE_SAFETY_CATEGORIES = frozenset({Category.SELF_HARM, Category.THREAT, Category.WEAPON})


class DangerNow(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_SURE = "not_sure", _("Not sure")


class Priority(models.IntegerChoices):
    """Lower sorts first: life-safety work always comes before anything else."""

    LIFE_SAFETY = 1, _("Life safety")
    URGENT = 2, _("Urgent")
    ROUTINE = 3, _("Routine")


class PrioritySource(models.TextChoices):
    CATEGORY_RULE = "category_rule", _("Category rule")
    DANGER_ANSWER = "danger_answer", _("Tipster said someone is in danger now")
    SCORER = "scorer", _("Harm-language scorer")
    COUNSELOR = "counselor", _("Counselor")
    DEFAULT = "default", _("Default")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.TRIAGED, CaseStatus.IN_PROGRESS)


class Outcome(models.TextChoices):
    WELFARE_CHECK = "welfare_check", _("Welfare check done")
    GUARDIAN_CONTACTED = "guardian_contacted", _("Parent or guardian contacted")
    COUNSELING_REFERRAL = "counseling_referral", _("Counseling referral")
    SAFETY_PLAN = "safety_plan", _("Safety plan")
    LAW_ENFORCEMENT = "law_enforcement", _("Law-enforcement referral")
    DISCIPLINE = "discipline", _("Discipline referral")
    UNFOUNDED = "unfounded", _("Unfounded")
    FALSE_REPORT = "false_report", _("False report meant to harm")
    DUPLICATE = "duplicate", _("Duplicate")
    OTHER = "other", _("Other")


class Case(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(
        max_length=12, unique=True, help_text=_("Short reference given to the tipster.")
    )
    status = models.CharField(max_length=12, choices=CaseStatus.choices, default=CaseStatus.NEW)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.ROUTINE)
    priority_source = models.CharField(
        max_length=16, choices=PrioritySource.choices, default=PrioritySource.DEFAULT
    )
    # Why the priority is what it is: the rule's words, or a counselor's own (which may
    # repeat tip details), so encrypted like notes and erased by retention.
    priority_reason = EncryptedTextField(blank=True)
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.OTHER)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    needs_review = models.BooleanField(
        default=False, help_text=_("Arrived during a flood: stored, but check it is genuine.")
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    acknowledge_due_at = models.DateTimeField(null=True, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True)
    outcome_summary = EncryptedTextField(blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_cases"
    )
    related_cases = models.ManyToManyField("self", blank=True, symmetrical=True)
    # Bumped by every conditional update, so a stale page is detected instead of overwriting.
    version = models.PositiveIntegerField(default=1)
    # Set once by the SLA sweeper (its claim, so a missed deadline escalates only once).
    acknowledge_missed_at = models.DateTimeField(null=True, blank=True)
    first_response_missed_at = models.DateTimeField(null=True, blank=True)
    # Set when retention erased the case's content; the row stays for anonymous counts.
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["priority", "created_at"]
        indexes = [
            models.Index(fields=["school", "status", "priority", "created_at"]),
            models.Index(fields=["assignee", "status"]),
            # Summaries: one school's (or a district's) cases opened in a period.
            models.Index(fields=["school", "created_at"], name="case_school_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.RESOLVED) | ~Q(outcome=""),
                name="resolved_case_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="case_not_merged_into_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.reference}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_life_safety(self) -> bool:
        return self.priority == Priority.LIFE_SAFETY


class CaseTag(models.Model):
    """One of several category tags on a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tags")
    category = models.CharField(max_length=16, choices=Category.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "category"], name="one_tag_per_category")
        ]

    def __str__(self) -> str:
        return self.get_category_display()


class Reporter(models.Model):
    """An anonymous tipster's thread: how we recognise them without knowing who they are."""

    channel = models.CharField(
        max_length=8, choices=[(Channel.WEB, Channel.WEB.label), (Channel.SMS, Channel.SMS.label)]
    )
    # Web: HMAC of the receipt code. The code itself is shown once and never stored.
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


class CaseNote(models.Model):
    """Internal note: staff only, never shown or sent to the tipster."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note {self.pk} on case {self.case_id}"


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


class CaseEvent(models.Model):
    """Append-only timeline and audit trail: who did or viewed what, when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Opened")
        VIEWED = "viewed", _("Viewed")
        TIP_ADDED = "tip_added", _("Tip added")
        MESSAGE_RECEIVED = "message_received", _("Message from tipster")
        MESSAGE_SENT = "message_sent", _("Message to tipster")
        NOTE_ADDED = "note_added", _("Internal note")
        ATTACHMENT_VIEWED = "attachment_viewed", _("Attachment downloaded")
        STATUS_CHANGED = "status_changed", _("Status changed")
        PRIORITY_CHANGED = "priority_changed", _("Priority changed")
        ASSIGNED = "assigned", _("Assigned")
        TAGS_CHANGED = "tags_changed", _("Tags changed")
        MERGED = "merged", _("Merged")
        LINKED = "linked", _("Linked")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ESCALATED = "escalated", _("Escalated")
        NOTIFIED = "notified", _("Staff notified")
        DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
        SMS_KEYWORD = "sms_keyword", _("SMS keyword (STOP, HELP...)")
        PURGED = "purged", _("Content erased (retention)")
        WATCHERS_CHANGED = "watchers_changed", _("Watchers changed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Ids, field names and codes only: it is shown on the audit page and exported as CSV.
    data = models.JSONField(default=dict, blank=True)
    # The words a staff member gave for this change (why a case was reopened, reassigned or
    # reprioritised). Free text can repeat what the tip said, so it is encrypted like notes,
    # kept out of `data` (and so out of the audit export) and erased by retention.
    staff_reason = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on case {self.case_id}"


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


class DistrictPolicy(models.Model):
    """A district's service targets and limits. A district without a row uses the defaults."""

    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="policy")
    life_safety_acknowledge_minutes = models.PositiveIntegerField(
        _("life-safety: acknowledged within (minutes, any hour)"), default=5
    )
    urgent_first_response_minutes = models.PositiveIntegerField(
        _("urgent: first response within (minutes, any hour)"), default=240
    )
    routine_first_response_school_days = models.PositiveSmallIntegerField(
        _("routine: first response by the end of this many school days later"), default=1
    )
    calldown_step_seconds = models.PositiveIntegerField(
        _("life-safety call-down: wait before the next contact (seconds)"), default=300
    )
    retention_days = models.PositiveIntegerField(
        _("erase case content this many days after closing"), default=365
    )
    summary_suppression_threshold = models.PositiveSmallIntegerField(
        _("summaries hide counts below this number"),
        default=5,
        help_text=_("Small counts can identify a student; they are shown as “fewer than N”."),
    )

    class Meta:
        verbose_name_plural = "district policies"

    def __str__(self) -> str:
        return f"Policy of {self.district}"


class CaseWatcher(models.Model):
    """A staff member following a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="watchers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="one_watch_per_user_case")
        ]

    def __str__(self) -> str:
        return f"{self.user} watches case {self.case_id}"


class Delivery(models.Model):
    """One staff notification attempt (SMS or email), claimed before it is sent.

    The row is the claim: it is inserted (unique per case, kind, step, channel and recipient)
    before the provider is called, so a re-run finds it and never sends the same notice twice;
    a row left CLAIMED by a worker that died before sending is re-driven after its lease.
    """

    class Kind(models.TextChoices):
        CALLDOWN = "calldown", _("Life-safety call-down")
        ESCALATION = "escalation", _("Missed-deadline escalation")
        DIGEST = "digest", _("Morning digest")

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Claimed, sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    step = models.PositiveSmallIntegerField(default=0)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    digest_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.CLAIMED)
    claim_token = models.CharField(max_length=32)
    attempts = models.PositiveSmallIntegerField(default=1)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "step", "channel", "recipient"],
                condition=Q(case__isnull=False),
                name="one_delivery_per_case_step_channel_recipient",
            ),
            models.UniqueConstraint(
                fields=["school", "kind", "digest_date", "channel", "recipient"],
                condition=Q(digest_date__isnull=False),
                name="one_digest_per_school_day_channel_recipient",
            ),
        ]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} step {self.step} ({self.channel}) to {self.recipient_id}"


class OutboundNotice(models.Model):
    """The outbox row of one staff email about a case (a new tip, a tipster's reply).

    Written in the same transaction as the tip or reply it announces, then queued after
    commit; the task marks it SENT. A row still PENDING past OUTBOX_OVERDUE_SECONDS (the broker
    lost the task, or was down) is queued again by the outbox sweeper (tipline/services/
    outbox.py). Sending is idempotent (the NOTIFIED case event), so a re-queue never doubles.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to send")
        SENT = "sent", _("Sent")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outbound_notices")
    reason = models.CharField(max_length=16)
    ref = models.PositiveBigIntegerField(help_text=_("The tip or message it announces."))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now)
    queue_count = models.PositiveSmallIntegerField(default=1)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "reason", "ref"], name="one_outbound_notice_per_case_reason_ref"
            )
        ]
        indexes = [models.Index(fields=["status", "queued_at"], name="outbox_status_queued_idx")]

    def __str__(self) -> str:
        return f"Notice {self.reason} {self.ref} on case {self.case_id} ({self.status})"


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
