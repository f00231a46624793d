"""Public pages: find a school, send a tip, keep the receipt, follow up. No login, ever.

Nothing here reads, stores or logs the client address or user agent; throttles see only
accounts.privacy.rotating_client_key through tipline.throttle. The receipt code never appears
in a URL: it is posted, and the session then holds the reporter id, never the code.

Both forms are post/redirect/get and carry a one-time token (tipline.services.submissions):
a sent tip redirects to /receipt/, which shows the code from a short-lived encrypted cookie
scoped to that path (it holds the submission's key, never the code); the same form posted
again stores nothing and redirects to the same receipt.
"""

import copy
import time

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import crypto
from accounts.models import School
from cases.intake import tip_is_about_danger
from tipline.models import Reporter

from . import school_finder, throttle
from .followup_status import followup_status
from .forms import TOKEN_FIELD, FollowupReplyForm, ReceiptCodeForm, TipForm
from .services import web

RECEIPT_COOKIE = "tipline_receipt"
FOLLOWUP_SESSION_KEY = "followup_reporter_id"
FOLLOWUP_SESSION_SECONDS = 30 * 60
SEARCH_RESULTS = 10

ERROR_TOO_MANY_TIPS = gettext_lazy(
    "You have sent several tips in a short time, so this one was not sent. Please wait about "
    "10 minutes and try again."
)
ERROR_TOO_MANY_ANSWERS = gettext_lazy(
    "You have sent several answers in a short time, so we cannot take another one right now. "
    "Please wait about 10 minutes and try again. If someone is in danger right now, call 911."
)
ERROR_NOT_SENT = gettext_lazy("Your tip could not be sent. Please try again.")
ERROR_WRONG_CODE = gettext_lazy(
    "We could not open a tip with that code. Check the code and try again."
)
ERROR_TOO_MANY_TRIES = gettext_lazy(
    "Too many tries. Please wait 15 minutes before trying your code again. "
    "If someone is in danger right now, call 911."
)


def _schools_matching(query: str) -> list[school_finder.FoundSchool]:
    return school_finder.schools_find(query=query, limit=SEARCH_RESULTS)


@require_GET
def landing(request):
    query = request.GET.get("q", "")[:100]
    return render(
        request,
        "tipline/landing.html",
        {"query": query, "schools": _schools_matching(query), "searched": bool(query.strip())},
    )


@require_GET
def school_search(request):
    """The htmx type-ahead: just the results list."""
    query = request.GET.get("q", "")[:100]
    return render(
        request,
        "tipline/_school_results.html",
        {"query": query, "schools": _schools_matching(query), "searched": bool(query.strip())},
    )


# slug -> (monotonic expiry, School). Only found schools are kept, so it holds at most one
# entry per active school, whatever slugs are requested.
_schools_by_slug: dict[str, tuple[float, School]] = {}


def _active_school(slug: str) -> School:
    """The active school at /s/<slug>/, or 404; kept TIPLINE_SCHOOL_CACHE_SECONDS per process.

    Each caller gets its own copy of the instance.
    """
    now = time.monotonic()
    kept = _schools_by_slug.get(slug)
    if kept is None or kept[0] <= now:
        _schools_by_slug.pop(slug, None)
        school = get_object_or_404(School, slug=slug, is_active=True)
        ttl = settings.TIPLINE_SCHOOL_CACHE_SECONDS
        if ttl <= 0:
            return school
        kept = _schools_by_slug[slug] = (now + ttl, school)
    return copy.copy(kept[1])


@never_cache
@require_http_methods(["GET", "POST"])
def tip_form(request, slug: str):
    """The school's tip form at its stable short link /s/<slug>/."""
    school = _active_school(slug)
    if request.method == "GET":
        return render(request, "tipline/tip_form.html", {"school": school, "form": TipForm()})
    # The text alone first: the attached files are not read until the text is valid and the
    # client is within its limit, so neither mistakes nor floods get a picture decoded. A
    # student who corrects a mistake has not spent a try.
    form = TipForm(request.POST)
    if form.is_bot:
        # Store nothing; a person who somehow filled the hidden field can simply resend.
        form.add_error(None, ERROR_NOT_SENT)
        return render(request, "tipline/tip_form.html", {"school": school, "form": form})
    if not form.is_valid():
        return render(
            request, "tipline/tip_form.html", {"school": school, "form": form}, status=400
        )
    data = form.cleaned_data
    fields = {
        "category": data["category"],
        "body": data["body"],
        "danger_now": data["danger_now"],
        "who_involved": data["who_involved"],
        "location": data["location"],
        "when_happened": data["when_happened"],
        "contact_details": data["contact_details"],
    }
    # A refused tip is not counted against the global rate.
    hits = throttle.hits(request, throttle.tip_client_limit(), throttle.tip_global_limit())
    over_client_limit = not hits.client_ok
    if over_client_limit:
        # A resubmission of a tip already stored is not another tip: it gets its receipt.
        key = web.web_tip_sent_before(submission_token=data[TOKEN_FIELD], **fields)
        if key is not None:
            return _to_receipt(key)
        # A limit never refuses a tip about danger (danger now, a life-safety category, or
        # words of imminent harm): it is kept, marked for review, and gets its receipt.
        if not tip_is_about_danger(
            category=data["category"], danger_now=data["danger_now"], text=data["body"]
        ):
            # Said once, as its own notice with the numbers to call, not as a form error.
            context = {"school": school, "form": form, "refused": ERROR_TOO_MANY_TIPS}
            return render(request, "tipline/tip_form.html", context, status=429)
    form = TipForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request, "tipline/tip_form.html", {"school": school, "form": form}, status=400
        )
    # Past the global rate the tip is kept, only marked so counselors check it is genuine; so
    # is a tip about danger past its client's limit, and a tip taken while the shared
    # throttle cache was down (counted per process only).
    needs_review = over_client_limit or not hits.global_ok or not hits.shared
    # The text and token as first read (a missing token was made up once, there); the files
    # from the second reading.
    receipt = web.web_tip_submit(
        school=school,
        **fields,
        language=request.LANGUAGE_CODE,
        uploads=form.cleaned_data["files"],
        needs_review=needs_review,
        submission_token=data[TOKEN_FIELD],
    )
    return _to_receipt(receipt.submission_key)


def _to_receipt(submission_key: str) -> HttpResponse:
    """303 to /receipt/, with the key that opens it in a cookie only that path receives.

    A session cookie, like every cookie of the public pages: gone when the browser closes.
    What it opens expires on the server (TIPLINE_RECEIPT_REPLAY_SECONDS, or "I have saved my
    code"), whatever the browser keeps."""
    response = HttpResponseRedirect(reverse("public:receipt"))
    response.status_code = 303
    response.set_cookie(
        RECEIPT_COOKIE,
        crypto.encrypt_text(submission_key),
        path=reverse("public:receipt"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


def _receipt_key(request) -> str | None:
    value = request.COOKIES.get(RECEIPT_COOKIE, "")
    if not value:
        return None
    try:
        return crypto.decrypt_text(value)
    except (crypto.InvalidToken, ValueError):
        return None


@never_cache
@require_GET
def receipt(request):
    """The receipt after a tip was sent: the code while this browser may see it again."""
    key = _receipt_key(request)
    stored = web.web_tip_receipt(submission_key=key) if key else None
    context = {
        "school": stored.tip.school if stored else None,
        "danger_now": bool(stored and stored.tip.danger_now == "yes"),
        "followup_url": request.build_absolute_uri(reverse("public:followup")),
    }
    if stored is None or stored.receipt_code is None:
        return render(request, "tipline/receipt_gone.html", context)
    return render(request, "tipline/receipt.html", {**context, "receipt_code": stored.receipt_code})


@require_POST
def receipt_saved(request):
    """After "I have saved my code": how to come back. The code is erased for good: the
    receipt page and a resubmitted form no longer show it."""
    key = _receipt_key(request)
    if key:
        web.web_tip_receipt_retire(submission_key=key)
    response = render(request, "tipline/receipt_saved.html")
    response.delete_cookie(RECEIPT_COOKIE, path=reverse("public:receipt"), samesite="Strict")
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def followup(request):
    if request.method == "GET":
        if request.session.get(FOLLOWUP_SESSION_KEY):
            return redirect("public:followup_thread")
        return render(request, "tipline/followup_code.html", {"form": ReceiptCodeForm()})
    # Every attempt counts for its client, valid-looking or not. Past the global rate the
    # client limit tightens; the global rate alone never turns a good code away.
    hits = throttle.hits(
        request, throttle.followup_client_limit(), throttle.followup_global_limit()
    )
    if not hits.client_ok:
        context = {"form": ReceiptCodeForm(), "error": ERROR_TOO_MANY_TRIES}
        return render(request, "tipline/followup_code.html", context, status=429)
    reporter = web.reporter_for_receipt_code(request.POST.get("code", "")[:100])
    if reporter is None:
        # One message for every failure; the typed code is not echoed back.
        context = {"form": ReceiptCodeForm(), "error": ERROR_WRONG_CODE}
        return render(request, "tipline/followup_code.html", context)
    request.session.cycle_key()
    request.session[FOLLOWUP_SESSION_KEY] = reporter.id
    request.session.set_expiry(FOLLOWUP_SESSION_SECONDS)
    return redirect("public:followup_thread")


def _session_reporter(request) -> Reporter | None:
    reporter_id = request.session.get(FOLLOWUP_SESSION_KEY)
    if not reporter_id:
        return None
    return Reporter.objects.filter(id=reporter_id, channel__in=web.RECEIPT_CHANNELS).first()


@never_cache
@require_http_methods(["GET", "POST"])
def followup_thread(request):
    reporter = _session_reporter(request)
    if reporter is None:
        request.session.pop(FOLLOWUP_SESSION_KEY, None)
        return redirect("public:followup")
    case = web.reporter_case(reporter)
    form = FollowupReplyForm()
    status = 200
    if request.method == "POST":
        form, status = _followup_reply(request, reporter, case_exists=case is not None)
        if status == 302:
            messages.success(request, _("Your answer was sent. Thank you."))
            return redirect("public:followup_thread")
    conversation = list(web.reporter_messages(reporter))
    # Read before marking: which of the counselor's messages are new to the student.
    thread = followup_status(case=case, conversation=conversation) if case else None
    web.reporter_messages_mark_read(reporter=reporter)
    return render(
        request,
        "tipline/followup_thread.html",
        {
            "form": form,
            "conversation": conversation,
            "thread": thread,
            "case_open": case is not None and case.is_open,
            "school": case.school if case else None,
        },
        status=status,
    )


def _followup_reply(request, reporter: Reporter, *, case_exists: bool):
    """Store a posted answer: (the form to show, 302) when stored, else (form, 4xx).

    As for a tip, the files are read only once the text is valid and the client is within
    its limit of answers.
    """
    form = FollowupReplyForm(request.POST)
    if not (form.is_valid() and case_exists):
        return form, 400
    body, token = form.cleaned_data["body"], form.cleaned_data[TOKEN_FIELD]
    hits = throttle.hits(request, *_reply_limits())
    # Past the global rate an answer is still taken: it comes from a receipt-code holder, and
    # only tip intake is marked for review.
    if not hits.client_ok:
        # The same answer posted again was stored already: it is not another answer.
        if web.web_followup_sent_before(reporter=reporter, body=body, submission_token=token):
            return form, 302
        # An answer about danger is never turned away: the limit only slows the rest (the
        # pictures it carries are still held to the per-request pixel budget).
        if not tip_is_about_danger(category="other", text=body):
            form.add_error(None, ERROR_TOO_MANY_ANSWERS)
            return form, 429
    form = FollowupReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return form, 400
    # None when this answer (token and words) was stored before: stored once, said once.
    web.web_followup_reply(
        reporter=reporter,
        body=body,
        uploads=form.cleaned_data["files"],
        submission_token=token,
    )
    return form, 302


def _reply_limits() -> tuple[throttle.Limit, throttle.Limit]:
    client = throttle.Limit(
        "reply", settings.TIPLINE_REPLIES_PER_CLIENT, settings.TIPLINE_REPLIES_WINDOW_SECONDS
    )
    return client, throttle.Limit("reply", settings.TIPLINE_GLOBAL_TIPS_PER_MINUTE, 60)


@require_POST
def followup_leave(request):
    request.session.flush()
    return redirect("public:followup")


@require_GET
def privacy(request):
    return render(request, "tipline/privacy.html")


@require_GET
def upload_too_large(request):
    """What a proxy shows (nginx: error_page 413) when it refuses a body as too large; the app
    refuses one itself with the same page (config.middleware.RefuseOversizedRequestsMiddleware).
    """
    return render(request, "tipline/upload_too_large.html", status=413)
