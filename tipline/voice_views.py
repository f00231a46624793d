"""Twilio's voice webhooks: the call's steps (tipline/voice/flow.py) and the recording-status
callback, all under /voice/twilio/.

Each is signed exactly like the SMS webhooks: X-Twilio-Signature over PUBLIC_BASE_URL + the
path and query string (sms_views._signed_by_twilio), never the Host header. An unsigned or
wrongly signed request is refused (403) before anything is read. Every step is routed by
the called number (`To`); a number that is not ours is told so and hung up on. Logs name
the step and its outcome only: never From, To, the digits pressed or the recording's URL.
"""

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .sms_views import TWIML_CONTENT_TYPE, _signed_by_twilio
from .voice import calls, flow

logger = logging.getLogger(__name__)


def _twiml(text: str) -> HttpResponse:
    return HttpResponse(text, content_type=TWIML_CONTENT_TYPE)


def _call_step(step: str, *, needs_school: bool = False) -> Callable:
    """A signed call webhook: refuse forgeries, route by the number called, then `step`."""

    def decorate(answer: Callable) -> Callable:
        @csrf_exempt
        @require_POST
        def view(request: HttpRequest) -> HttpResponse:
            if not _signed_by_twilio(request):
                logger.warning("voice webhook signature refused", extra={"event": step})
                return HttpResponseForbidden("Invalid Twilio signature.")
            params = request.POST.copy()
            params.update(request.GET)  # the call's state, signed with the URL
            phone = calls.called_number((params.get("To") or "").strip())
            if phone is None or not (params.get("CallSid") or "").strip():
                logger.info("voice call", extra={"event": f"{step}_unknown_number"})
                return _twiml(flow.unknown_number())
            school = calls.school_for_call(phone, params.get("school"))
            if needs_school and school is None:
                logger.info("voice call", extra={"event": f"{step}_no_school"})
                return _twiml(flow.inbound(phone))
            logger.info("voice call", extra={"event": step})
            return _twiml(answer(phone=phone, school=school, params=params))

        view.__name__ = answer.__name__
        view.__doc__ = answer.__doc__
        return view

    return decorate


@_call_step("inbound")
def twilio_inbound(*, phone, school, params):
    """A call comes in: its row is kept by CallSid (no number), and the welcome answered."""
    calls.call_record(call_sid=params["CallSid"].strip())
    return flow.inbound(phone)


@_call_step("language")
def twilio_language(*, phone, school, params):
    return flow.language(phone, digits=params.get("Digits") or "")


@_call_step("school")
def twilio_school(*, phone, school, params):
    return flow.school_chosen(phone, params=params)


@_call_step("menu", needs_school=True)
def twilio_menu(*, phone, school, params):
    return flow.menu_chosen(phone, school, params=params)


@_call_step("dialed", needs_school=True)
def twilio_dialed(*, phone, school, params):
    return flow.dialed(phone, school, params=params)


@_call_step("record", needs_school=True)
def twilio_record(*, phone, school, params):
    return flow.record(school, lang=params.get("lang") or "en", urgent=params.get("urgent") == "1")


@_call_step("recorded", needs_school=True)
def twilio_recorded(*, phone, school, params):
    return flow.recorded(school, params=params)


@_call_step("code", needs_school=True)
def twilio_code(*, phone, school, params):
    return flow.code_entered(school, params=params)


@csrf_exempt
@require_POST
def twilio_recording_status(request: HttpRequest) -> HttpResponse:
    """Twilio's recording-status callback: the recording is ready (or there was none)."""
    if not _signed_by_twilio(request):
        logger.warning("voice recording signature refused", extra={"event": "signature_refused"})
        return HttpResponseForbidden("Invalid Twilio signature.")
    call_sid = (request.POST.get("CallSid") or "").strip()
    if not call_sid:
        return HttpResponse(status=400)
    try:
        seconds = int(request.POST.get("RecordingDuration") or "")
    except ValueError:
        seconds = None
    queued = calls.voice_recording_status(
        call_sid=call_sid,
        recording_sid=(request.POST.get("RecordingSid") or "").strip(),
        recording_url=(request.POST.get("RecordingUrl") or "").strip(),
        status=(request.POST.get("RecordingStatus") or "").strip(),
        seconds=seconds,
    )
    logger.info(
        "voice recording status", extra={"event": "fetch_queued" if queued else "status_kept"}
    )
    return HttpResponse(status=204)
