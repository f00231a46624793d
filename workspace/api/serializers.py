"""Case, tip, message, note and timeline representations, and the bodies of case actions.

Read serializers are read-only views of rows the selectors already scoped. Action
serializers only check the shape of a request: the rules (allowed moves, who may be
assigned, merge conditions) live in tipline.services and answer through their exceptions.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import Case, CaseEvent, CaseNote, CaseStatus, DangerNow, Outcome
from cases.services.workflow import SUMMARY_MAX_LENGTH
from tipline.models import Attachment, Message, ReceivedBy, Reporter, Tip

# Ids fit a 64-bit signed column; larger numbers are refused as invalid, not looked up.
MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1
MAX_NOTE_LENGTH = 20_000
MAX_MESSAGE_LENGTH = 1_600
MAX_REASON_LENGTH = 500


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class CaseSerializer(serializers.ModelSerializer):
    """A case as the list shows it; `version` is what write actions send back. No free text:
    the priority reason (staff words) is in the case detail, whose every read is audited."""

    school_name = serializers.CharField(source="school.name", read_only=True)
    assignee = UserBriefSerializer(read_only=True, allow_null=True)
    tags = serializers.SerializerMethodField()
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)
    merged_into = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "school",
            "school_name",
            "status",
            "priority",
            "priority_source",
            "category",
            "tags",
            "channel",
            "assignee",
            "needs_review",
            "outcome",
            "merged_into",
            "version",
            "created_at",
            "updated_at",
            "acknowledged_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "acknowledge_due_at",
            "first_response_due_at",
        ]
        read_only_fields = fields

    def get_tags(self, case: Case) -> list[str]:
        return sorted(tag.category for tag in case.tags.all())


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "content_type", "size", "created_at"]
        read_only_fields = fields


class TipSerializer(serializers.ModelSerializer):
    reporter_alias = serializers.CharField(source="reporter.alias", read_only=True, default="")
    attachments = AttachmentSerializer(many=True, read_only=True)
    danger_now = serializers.ChoiceField(
        choices=DangerNow.choices, allow_blank=True, read_only=True
    )
    reporter = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    # Staff-entered tips: who typed it in and how it reached them (blank for the intakes).
    entered_by = UserBriefSerializer(read_only=True, allow_null=True)
    received_by = serializers.ChoiceField(
        choices=ReceivedBy.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Tip
        fields = [
            "id",
            "channel",
            "category",
            "body",
            "who_involved",
            "location",
            "when_happened",
            "contact_details",
            "danger_now",
            "language",
            "needs_review",
            "received_at",
            "reporter",
            "reporter_alias",
            "attachments",
            "entered_by",
            "received_by",
            "may_contact",
        ]
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer(read_only=True, allow_null=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    reporter = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "channel",
            "reporter",
            "body",
            "author",
            "created_at",
            "delivery_status",
            "delivery_error",
            "flagged",
            "read_by_reporter_at",
            "attachments",
        ]
        read_only_fields = fields


class PartnerBriefSerializer(serializers.Serializer):
    """Who wrote a partner's note: the agency, its kind and the contact's name."""

    agency = serializers.CharField(source="contact.agency.name")
    kind = serializers.CharField(source="contact.agency.kind")
    contact = serializers.CharField(source="contact.name")


class NoteSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer(read_only=True, allow_null=True)
    # A note a partner added through a share (no staff author); null for staff notes.
    partner = PartnerBriefSerializer(source="share", read_only=True, allow_null=True)

    class Meta:
        model = CaseNote
        fields = ["id", "author", "partner", "body", "created_at"]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    actor = UserBriefSerializer(read_only=True, allow_null=True)
    data = serializers.DictField(read_only=True)
    reason = serializers.CharField(
        source="staff_reason",
        read_only=True,
        help_text="The reason staff gave for this change (reopen, assignment, priority); "
        "empty when none was given or retention erased it.",
    )

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "actor", "created_at", "data", "reason"]
        read_only_fields = fields


class ReporterSerializer(serializers.ModelSerializer):
    """A tipster thread as staff know it: an alias and a channel, nothing that identifies."""

    opted_out = serializers.SerializerMethodField()

    class Meta:
        model = Reporter
        fields = ["id", "alias", "channel", "language", "opted_out"]
        read_only_fields = fields

    def get_opted_out(self, reporter: Reporter) -> bool:
        return reporter.opted_out_at is not None


class CaseDetailSerializer(CaseSerializer):
    """The case with its tips, conversation, internal notes, tipster threads and timeline."""

    outcome_summary = serializers.CharField(read_only=True)
    related_cases = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    tips = TipSerializer(many=True, read_only=True)
    messages = MessageSerializer(many=True, read_only=True)
    notes = NoteSerializer(many=True, read_only=True)
    reporters = serializers.SerializerMethodField()
    timeline = EventSerializer(many=True, read_only=True, source="events")

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "priority_reason",
            "outcome_summary",
            "purged_at",
            "related_cases",
            "reporters",
            "tips",
            "messages",
            "notes",
            "timeline",
        ]
        read_only_fields = fields

    @extend_schema_field(ReporterSerializer(many=True))
    def get_reporters(self, case: Case) -> list[dict]:
        return ReporterSerializer(self.context["reporters"], many=True).data


def _version_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1,
        max_value=MAX_VERSION,
        help_text="The case's `version` as you last read it; a newer one answers 409.",
    )


class TransitionSerializer(serializers.Serializer):
    """Move a case to a status. Resolving (and closing an unresolved case) needs an outcome
    and a summary; leaving resolved or closed (a reopen) needs a reason."""

    status = serializers.ChoiceField(choices=CaseStatus.choices)
    expected_version = _version_field()
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_REASON_LENGTH, default=""
    )
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, required=False, allow_blank=True, default=""
    )
    summary = serializers.CharField(
        required=False, allow_blank=True, max_length=SUMMARY_MAX_LENGTH, default=""
    )


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, allow_null=True, help_text="A user id, or null to unassign."
    )
    expected_version = _version_field()
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_REASON_LENGTH, default=""
    )


class NoteCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_NOTE_LENGTH)


class MessageCreateSerializer(serializers.Serializer):
    reporter = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="One of the case's `reporters`."
    )
    body = serializers.CharField(max_length=MAX_MESSAGE_LENGTH)


class MergeSerializer(serializers.Serializer):
    """Merge this case (the duplicate) into `into` (the survivor)."""

    into = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    expected_version = _version_field()
    into_version = _version_field()
