"""Case endpoints: list, detail with timeline, tips, and the workflow actions.

Thin: scope through tipline.selectors (out of scope is 404, readable-but-not-workable is 404
for actions, as on the staff pages), validate the request's shape, call the same service the
staff pages call, and answer with the case as it now is. Errors from services are shaped by
config.api.api_exception_handler (StaleCaseError -> 409, CaseWorkflowError -> 400).
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response

from accounts import permissions
from accounts.api import endpoint
from accounts.models import User
from accounts.permissions import Action
from cases.models import Case, CaseNote, CaseStatus
from cases.selectors import case_get_for_user, cases_visible_to
from cases.services.audit import case_view_record
from cases.services.merge import case_merge
from cases.services.workflow import (
    ERROR_ASSIGNEE,
    case_assign,
    case_close,
    case_note_add,
    case_resolve,
    case_status_change,
)
from tipline.models import Message, Tip
from tipline.selectors import case_reporters
from tipline.services.tips import message_to_reporter

from .filters import CaseFilter
from .serializers import (
    AssignSerializer,
    CaseDetailSerializer,
    CaseSerializer,
    MergeSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    NoteCreateSerializer,
    NoteSerializer,
    TipSerializer,
    TransitionSerializer,
)

ERROR_REPORTER = "Choose one of this case's tipsters."
TAG = "cases"


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _work(request, case_id: int) -> Case:
    return case_get_for_user(user=request.user, case_id=case_id, action=Action.WORK_CASES)


def _case_response(case: Case, code: int = status.HTTP_200_OK) -> Response:
    case = (
        Case.objects.select_related("school", "assignee").prefetch_related("tags").get(id=case.id)
    )
    return Response(CaseSerializer(case).data, status=code)


@extend_schema(tags=[TAG])
class CaseList(generics.ListAPIView):
    """Cases you may read, with the same scope as the staff case list. Filter with the query
    parameters; order with `ordering` (e.g. `ordering=-created_at`)."""

    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    ordering_fields = ["priority", "created_at", "updated_at", "status", "reference"]
    ordering = ["priority", "created_at", "id"]
    throttle_scope = "api_read"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        if not permissions.school_ids_for(self.request.user, Action.VIEW_CASES):
            raise exceptions.PermissionDenied()
        return (
            cases_visible_to(user=self.request.user)
            .select_related("school", "assignee")
            .prefetch_related("tags")
        )


@extend_schema(tags=[TAG], responses=CaseDetailSerializer)
@endpoint(["GET"], scope="api_read")
def case_detail(request, case_id: int):
    """The case with its tips, conversation, internal notes and timeline. Each read is
    recorded in the case's audit trail, as on the staff page."""
    case = case_get_for_user(user=request.user, case_id=case_id)
    case_view_record(case=case, actor=request.user)
    case = (
        Case.objects.select_related("school", "assignee")
        .prefetch_related(
            "tags",
            "related_cases",
            Prefetch(
                "tips",
                Tip.objects.select_related("reporter", "entered_by").prefetch_related(
                    "attachments"
                ),
            ),
            Prefetch(
                "messages",
                Message.objects.select_related("author").prefetch_related("attachments"),
            ),
            Prefetch("notes", CaseNote.objects.select_related("author", "share__contact__agency")),
            "events__actor",
        )
        .get(id=case.id)
    )
    context = {"reporters": case_reporters(case=case)}
    return Response(CaseDetailSerializer(case, context=context).data)


@extend_schema(tags=[TAG], responses=TipSerializer(many=True))
@endpoint(["GET"], scope="api_read")
def case_tips(request, case_id: int):
    """The tips of one case, as the tipsters sent them (read through the case's scope). Each
    read is recorded in the case's audit trail."""
    case = case_get_for_user(user=request.user, case_id=case_id)
    case_view_record(case=case, actor=request.user, what="tips")
    tips = case.tips.select_related("reporter", "entered_by").prefetch_related("attachments")
    return Response(TipSerializer(tips, many=True).data)


@extend_schema(tags=[TAG], request=TransitionSerializer, responses=CaseSerializer)
@endpoint(["POST"], scope="api_write")
def case_transition(request, case_id: int):
    """Move the case through its lifecycle (tipline.services.workflow.ALLOWED_MOVES)."""
    case = _work(request, case_id)
    data = _valid(TransitionSerializer, request)
    common = {"case": case, "actor": request.user, "expected_version": data["expected_version"]}
    if data["status"] == CaseStatus.RESOLVED:
        case = case_resolve(**common, outcome=data["outcome"], summary=data["summary"])
    elif data["status"] == CaseStatus.CLOSED:
        case = case_close(**common, outcome=data["outcome"], summary=data["summary"])
    else:
        case = case_status_change(**common, status=data["status"], reason=data["reason"])
    return _case_response(case)


@extend_schema(tags=[TAG], request=AssignSerializer, responses=CaseSerializer)
@endpoint(["POST"], scope="api_write")
def case_assign_view(request, case_id: int):
    """Assign to someone who works cases at the case's school, or unassign with null."""
    case = _work(request, case_id)
    data = _valid(AssignSerializer, request)
    assignee = None
    if data["assignee"] is not None:
        assignee = User.objects.filter(id=data["assignee"]).first()
        if assignee is None:
            # The same answer as for someone ineligible: ids of other districts' staff stay
            # unconfirmed.
            raise exceptions.ValidationError({"assignee": [ERROR_ASSIGNEE]})
    case = case_assign(
        case=case,
        assignee=assignee,
        actor=request.user,
        expected_version=data["expected_version"],
        reason=data["reason"],
    )
    return _case_response(case)


@extend_schema(
    tags=[TAG], request=NoteCreateSerializer, responses={status.HTTP_201_CREATED: NoteSerializer}
)
@endpoint(["POST"], scope="api_write")
def case_note(request, case_id: int):
    """Add an internal note: staff only, never shown or sent to the tipster."""
    case = _work(request, case_id)
    data = _valid(NoteCreateSerializer, request)
    note = case_note_add(case=case, actor=request.user, body=data["body"])
    return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=[TAG],
    request=MessageCreateSerializer,
    responses={status.HTTP_201_CREATED: MessageSerializer},
)
@endpoint(["POST"], scope="api_write")
def case_message(request, case_id: int):
    """Message one of the case's tipsters, by their own channel (web follow-up or SMS)."""
    case = _work(request, case_id)
    data = _valid(MessageCreateSerializer, request)
    reporter = case_reporters(case=case).filter(id=data["reporter"]).first()
    if reporter is None:
        raise exceptions.ValidationError({"reporter": [ERROR_REPORTER]})
    message = message_to_reporter(
        case=case, reporter=reporter, body=data["body"], author=request.user
    )
    return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG], request=MergeSerializer, responses=CaseSerializer)
@endpoint(["POST"], scope="api_write")
def case_merge_view(request, case_id: int):
    """Merge this case (the duplicate) into `into` (the survivor); answers the survivor.
    Both cases must be open, of one school, and workable by you; both versions are checked."""
    duplicate = _work(request, case_id)
    data = _valid(MergeSerializer, request)
    survivor = _work(request, data["into"])
    survivor = case_merge(
        duplicate=duplicate,
        survivor=survivor,
        actor=request.user,
        duplicate_version=data["expected_version"],
        survivor_version=data["into_version"],
    )
    return _case_response(survivor)
