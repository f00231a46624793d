"""The case core: every tip, message and escalated post belongs to a Case that staff work.

Cases are opened by the intakes (tipline's web form and SMS, alerts' escalations) and worked
here: tags, internal notes, the append-only timeline and audit trail (CaseEvent), watchers,
and the notices staff are sent about them. Note and outcome text is encrypted at rest.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.fields import EncryptedTextField
from accounts.models import District, School


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    SMS = "sms", _("SMS")
    SOCIAL = "social", _("Social post alert")
    STAFF = "staff", _("Entered by staff")
    VOICE = "voice", _("Phone call")


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


# Categories whose tips are life-safety by rule.
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
            # The case queue's page: a school's open cases in the queue's order, so the page
            # stops after its 50 rows instead of sorting every open case
            # (workspace/queue_sql.py, docs/performance.md).
            models.Index(
                fields=["school", "priority", "created_at", "id"],
                name="case_open_queue_idx",
                condition=models.Q(
                    merged_into__isnull=True,
                    status__in=[str(status) for status in OPEN_STATUSES],
                ),
            ),
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


class QueueStamp(models.Model):
    """A school's mark of change on its cases: database triggers (migration 0006) give it a
    new value, never seen before, in the same transaction as every insert, update or delete
    of one of the school's cases, whatever made it (save(), QuerySet.update(), a cascade,
    raw SQL). Two reads of a school's stamp that agree mean no write to its cases was
    committed in between: workspace.queue_sql keeps the queues' tab counts under them.

    PostgreSQL takes each new value from a sequence (never rolled back, never repeated);
    SQLite from random() (64 bits). Not a foreign key: a school's cases are deleted before
    the school, and their triggers write here as they go. A later migration that makes
    Django rebuild the case table on SQLite (most field changes there) drops its triggers:
    it must create them again (tests/workspace/test_queue_counts_kept.py fails without)."""

    school_id = models.BigIntegerField(primary_key=True)
    stamp = models.BigIntegerField()

    def __str__(self) -> str:
        return f"School {self.school_id}: {self.stamp}"


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


class CaseNote(models.Model):
    """Internal note: staff only, never shown or sent to the tipster. A note a partner added
    through a share (`share`) has no author: it is theirs."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    share = models.ForeignKey(
        "CaseShare", on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    body = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note {self.pk} on case {self.case_id}"


class CaseEvent(models.Model):
    """Append-only timeline and audit trail: who did or viewed what, when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Opened")
        VIEWED = "viewed", _("Viewed")
        TIP_ADDED = "tip_added", _("Tip added")
        ALERT_ADDED = "alert_added", _("Social-post alert added")
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
        MESSAGE_UNDELIVERED = "message_undelivered", _("Message to the tipster not delivered")
        SMS_KEYWORD = "sms_keyword", _("SMS keyword (STOP, HELP...)")
        PURGED = "purged", _("Content erased (retention)")
        WATCHERS_CHANGED = "watchers_changed", _("Watchers changed")
        SHARED = "shared", _("Shared with a partner")
        SHARE_REVOKED = "share_revoked", _("Partner's access revoked")
        PARTNER_VIEWED = "partner_viewed", _("Viewed by a partner")
        PARTNER_CODE_FAILED = "partner_code_failed", _("Wrong code from a partner link")

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


class Notice(models.Model):
    """One notice to one staff member on one channel: the outbox row, the claim and the record.

    Every notice staff get is a row here before anything is sent: the counselors' emails about
    a new tip or a tipster's reply (written in the transaction that stores it), the
    life-safety call-down, missed-deadline escalations and the morning digest. The unique
    constraints make a second writer (a duplicate task, a sweep racing a countdown) insert
    nothing, so nothing is sent twice.

    `claimed_until` is the row's lease: a PENDING row was handed to the broker and is not
    queued again before then; a SENDING row is some worker's, and is taken over after it (the
    worker died before the provider answered). `attempts` counts those hand-overs. The outbox
    sweep works on this table alone. Notices carry no tip content: a link that needs login.
    """

    class Reason(models.TextChoices):
        NEW_TIP = "new_tip", _("New tip")
        REPLY = "reply", _("Tipster replied")
        CALLDOWN = "calldown", _("Life-safety call-down")
        ESCALATION = "escalation", _("Missed-deadline escalation")
        DIGEST = "digest", _("Morning digest")
        ALERT = "alert", _("Social-post alert")
        PARTNER_NOTE = "partner_note", _("A partner added a note")

    class Via(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to send")
        SENDING = "sending", _("Claimed, sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        HELD = "held", _("Held for the morning digest")

    reason = models.CharField(max_length=12, choices=Reason.choices)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    ref = models.PositiveBigIntegerField(
        default=0,
        help_text=_(
            "What on the case it is about: the tipster's message (reply), the call-down step, "
            "the escalation step; 0 for a new case's first tip and for digests."
        ),
    )
    digest_date = models.DateField(null=True, blank=True)
    # What it says, written with the row so that anyone can (re)send it: a school's name and
    # a link, never tip content.
    subject = models.CharField(max_length=200)
    text = models.TextField()
    via = models.CharField(max_length=8, choices=Via.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "reason", "ref", "via", "recipient"],
                condition=Q(case__isnull=False),
                name="one_notice_per_case_reason_ref_via_recipient",
            ),
            models.UniqueConstraint(
                fields=["school", "reason", "ref", "via", "recipient"],
                condition=Q(reason="alert"),
                name="one_notice_per_alert_via_recipient",
            ),
            models.UniqueConstraint(
                fields=["school", "reason", "digest_date", "via", "recipient"],
                condition=Q(digest_date__isnull=False),
                name="one_digest_per_school_day_via_recipient",
            ),
        ]
        # The outbox sweep's two questions: which rows are due again, and which leases ran out.
        indexes = [models.Index(fields=["status", "claimed_until"], name="notice_status_lease_idx")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.via}) to {self.recipient_id}: {self.status}"


# --- Partners: agencies a district works with, and cases shared with them -------------------


class PartnerKind(models.TextChoices):
    POLICE = "police", _("Police")
    SHERIFF = "sheriff", _("Sheriff")
    CRISIS_CENTRE = "crisis", _("Crisis centre")
    CHILD_PROTECTIVE_SERVICES = "cps", _("Child protective services")
    OTHER = "other", _("Other")


# "Referred to law enforcement" in the summaries counts shares with these kinds.
LAW_ENFORCEMENT_KINDS = frozenset({PartnerKind.POLICE, PartnerKind.SHERIFF})


class PartnerAgency(models.Model):
    """An agency a district shares cases with (police, sheriff, crisis centre, CPS...)."""

    district = models.ForeignKey(
        District, on_delete=models.CASCADE, related_name="partner_agencies"
    )
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=8, choices=PartnerKind.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"], name="one_partner_name_per_district"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PartnerContact(models.Model):
    """A person at a partner agency: a shared case's link and its one-time codes go to their
    registered email (or, without one, their phone by SMS), and nowhere else."""

    agency = models.ForeignKey(PartnerAgency, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    phone_number = models.CharField(max_length=16, blank=True, help_text=_("E.164, +13035550100."))
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone_number=""), name="partner_contact_reachable"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class CaseShare(models.Model):
    """One case shared with one partner contact, until `expires_at` or revocation.

    The link's token and the one-time codes are never stored: only their keyed digests
    (accounts.privacy.keyed_digest). A code lives a few minutes and takes a few tries; the
    share takes a limited number of codes (cases/services/shares.py)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    contact = models.ForeignKey(PartnerContact, on_delete=models.PROTECT, related_name="shares")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The agency's kind when the case was shared (what the summaries count), kept on the row
    # so that counting is one indexed lookup per case and kind, without two joins.
    partner_kind = models.CharField(max_length=8, choices=PartnerKind.choices)
    with_attachments = models.BooleanField(default=False)
    with_messages = models.BooleanField(default=False)
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    code_digest = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    codes_sent = models.PositiveSmallIntegerField(default=0)
    last_code_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "partner_kind"], name="share_case_kind_idx")]

    def __str__(self) -> str:
        return f"Share {self.pk} of case {self.case_id}"

    def is_active_at(self, now) -> bool:
        return self.revoked_at is None and now < self.expires_at
