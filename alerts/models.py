"""Social-post alerts: where posts come from (Source), the posts (Post), and what staff triage
(Alert).

A Post is stored once per (source, external id). The scorer runs on it once per school the
source serves; an Alert is raised per school whose threshold the score passes and whose own
words (or generic school words) the post mentions. Reposts and identical texts share a
fingerprint, and an Alert is unique per (school, group key): a second copy of a text only
bumps its group's count.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.fields import EncryptedTextField
from accounts.models import District, School
from cases.models import Case

DEFAULT_THRESHOLD = 0.5  # the scorer's own (scoring.DEFAULT_THRESHOLD): "medium" and up


class SourceKind(models.TextChoices):
    MASTODON = "mastodon", _("Mastodon hashtag")
    BLUESKY = "bluesky", _("Bluesky search")
    RSS = "rss", _("RSS or Atom feed")
    PUSH = "push", _("Push API")


POLLED_KINDS = (SourceKind.MASTODON, SourceKind.BLUESKY, SourceKind.RSS)


class Source(models.Model):
    """Where posts come from, and the health of its polling."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="alert_sources")
    kind = models.CharField(max_length=10, choices=SourceKind.choices)
    name = models.CharField(max_length=120)
    schools = models.ManyToManyField(
        School, related_name="alert_sources", help_text=_("Schools whose alerts it may raise.")
    )
    server_url = models.URLField(
        blank=True,
        help_text=_("Mastodon instance or Bluesky service, e.g. https://mastodon.social."),
    )
    query = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Mastodon: a hashtag without #. Bluesky: search words."),
    )
    feed_url = models.URLField(max_length=500, blank=True, help_text=_("RSS or Atom feed URL."))
    account_handle = models.CharField(
        max_length=120, blank=True, help_text=_("Bluesky: the handle the app password belongs to.")
    )
    app_password = EncryptedTextField(blank=True, help_text=_("Bluesky app password."))
    # Bluesky session tokens (JSON), reused across polls and refreshed only when expired.
    session_state = EncryptedTextField(blank=True, editable=False)
    enabled = models.BooleanField(default=True)
    poll_interval_seconds = models.PositiveIntegerField(default=300)
    cursor = models.CharField(max_length=500, blank=True)
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # SHA-256 of the push token; the token itself is shown once and never stored.
    push_token_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def is_failing(self) -> bool:
        return self.consecutive_failures > 0


class Post(models.Model):
    """A public post as its source gave it. Public text: not encrypted, never marked safe."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="posts")
    external_id = models.CharField(max_length=300)
    author_handle = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    url = models.URLField(max_length=1000, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    fingerprint = models.CharField(max_length=40, db_index=True)
    score = models.FloatField(default=0.0, help_text=_("Highest score over the source's schools."))
    severity = models.CharField(max_length=10, default="none")

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="post_unique_per_source")
        ]

    def __str__(self) -> str:
        return f"Post {self.external_id} from {self.source_id}"


class AlertStatus(models.TextChoices):
    NEW = "new", _("New")
    DISMISSED = "dismissed", _("Dismissed")
    ESCALATED = "escalated", _("Escalated")


class DismissalReason(models.TextChoices):
    FALSE_POSITIVE = "false_positive", _("False positive")
    NOT_OUR_SCHOOL = "not_our_school", _("Not about our school")
    DUPLICATE = "duplicate", _("Duplicate")
    HANDLED_ELSEWHERE = "handled_elsewhere", _("Handled elsewhere")


class SecondTier(models.TextChoices):
    """The second reading of an alert (scoring.second_tier), done before it pages anyone."""

    OFF = "", _("Not run")
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    NOT_CONFIRMED = "not_confirmed", _("Not confirmed")
    UNAVAILABLE = "unavailable", _("Unavailable")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


# The feed lists the most severe first (alerts.selectors.alerts_feed), ranked by this.
SEVERITY_ORDER = ("critical", "high", "medium", "low", "none")
SEVERITY_RANK = models.Case(
    *(
        models.When(severity=name, then=models.Value(rank))
        for rank, name in enumerate(SEVERITY_ORDER)
    ),
    default=models.Value(len(SEVERITY_ORDER)),
    output_field=models.IntegerField(),
)


class Alert(models.Model):
    """One post (and its copies) that a school's staff should look at."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="alerts")
    # The post's source, copied when the alert is raised (a post never changes source), so
    # per-source figures and filters read alerts alone instead of joining every post.
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="alerts")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="alerts")
    score = models.FloatField()
    severity = models.CharField(max_length=10, choices=Severity.choices)
    top_category = models.CharField(max_length=16, db_index=True)
    categories = models.JSONField(default=dict)
    matches = models.JSONField(default=list, help_text=_("Matched phrases with their spans."))
    school_matches = models.JSONField(default=list, help_text=_("School words found."))
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default=AlertStatus.NEW)
    dismissal_reason = models.CharField(max_length=20, choices=DismissalReason.choices, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    group_key = models.CharField(max_length=40)
    # The scorer's learned model that raised it (scoring's artifact version): a re-trained
    # model is visible in the feed's history, never a silent change.
    model_version = models.CharField(max_length=40, blank=True, default="")
    # The second reading (sentence embeddings on the alert's post): pending until the task
    # runs; "unavailable" when the second tier could not run (the first tier's decision
    # stands). Its score and heads' version when it ran.
    second_tier = models.CharField(
        max_length=16, choices=SecondTier.choices, blank=True, default=SecondTier.OFF
    )
    second_tier_score = models.FloatField(null=True, blank=True)
    second_tier_version = models.CharField(max_length=40, blank=True, default="")
    group_size = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["school", "status", "created_at"]),
            # The summaries' per-(school, source, period) counts, read from the index alone.
            models.Index(
                fields=["school", "created_at", "source", "status", "dismissal_reason"],
                name="alert_school_created_idx",
            ),
            # The feed's default page: a school's new alerts in the feed's order, the first
            # fifty read from the index (alerts.selectors._feed_page_sql) instead of every
            # new alert sorted. New alerts only: the backlog, not the years of reviewed ones.
            models.Index(
                "school",
                SEVERITY_RANK,
                models.F("created_at").desc(),
                models.F("id").desc(),
                condition=models.Q(status=AlertStatus.NEW),
                name="alert_feed_new_idx",
            ),
            # The sweep's lookup of second readings still pending (a handful at most).
            models.Index(
                fields=["created_at"],
                condition=models.Q(second_tier="pending"),
                name="alert_second_tier_pending_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["school", "group_key"], name="one_alert_per_group"),
            models.CheckConstraint(
                condition=~models.Q(status=AlertStatus.DISMISSED) | ~models.Q(dismissal_reason=""),
                name="dismissed_alert_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Alert {self.pk} ({self.severity}) for {self.school_id}"

    @property
    def is_new(self) -> bool:
        return self.status == AlertStatus.NEW


class SchoolAlertSettings(models.Model):
    """A school's own alert threshold; schools without a row use DEFAULT_THRESHOLD."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="alert_settings")
    threshold = models.FloatField(
        default=DEFAULT_THRESHOLD,
        help_text=_("0-1. Alerts are raised at or above this score (0.5 is 'medium')."),
    )
    require_school_mention = models.BooleanField(
        default=True,
        help_text=_(
            "Only alert on posts that mention the school (its words, handles, places, or "
            "'my school'). Turn off for a source that only carries this school's own posts."
        ),
    )

    class Meta:
        verbose_name_plural = "school alert settings"

    def __str__(self) -> str:
        return f"Alert settings for {self.school}"


class TriageExport(models.Model):
    """One export of triage decisions as training rows: who took which district's, when.

    The audit record of ``alerts:triage_export`` (the rows hold public post text, but
    about students: an export is a deliberate act, and it is written down)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    exported_at = models.DateTimeField(default=timezone.now)
    export_format = models.CharField(max_length=8)
    rows = models.PositiveIntegerField()

    class Meta:
        ordering = ["-exported_at", "-id"]

    def __str__(self) -> str:
        return f"Triage export of {self.district_id} at {self.exported_at:%Y-%m-%d %H:%M}"
