"""Twilio's webhooks: inbound messages and delivery status callbacks.

Both check X-Twilio-Signature against PUBLIC_BASE_URL + the request path (+ query string):
the address Twilio was told to call. Host and X-Forwarded-* headers are never trusted for
it, so a proxy in front changes nothing and a forged Host header cannot help a forger. In
development only, the address the request came in on is accepted too, so `sms_simulate`
works against a server on any port (accounts/public_address.py).
Neither view makes a network call; both answer within milliseconds.
"""

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.public_address import webhook_base_urls

from . import twilio_client
from .sms.inbound import sms_inbound_receive
from .sms.outbound import sms_delivery_status_record

logger = logging.getLogger(__name__)

TWIML_CONTENT_TYPE = "text/xml; charset=utf-8"


def _signed_by_twilio(request: HttpRequest) -> bool:
    path = request.path
    if request.META.get("QUERY_STRING"):
        path += "?" + request.META["QUERY_STRING"]
    return any(
        twilio_client.signature_is_valid(
            url=base_url + path,
            params=request.POST,
            signature=request.headers.get(twilio_client.SIGNATURE_HEADER, ""),
            signature_settings=request.headers.get(twilio_client.SIGNATURE_SETTINGS_HEADER, ""),
        )
        for base_url in webhook_base_urls()
    )


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    if not _signed_by_twilio(request):
        logger.warning("sms webhook signature refused", extra={"event": "signature_refused"})
        return HttpResponseForbidden("Invalid Twilio signature.")
    result = sms_inbound_receive(params=request.POST)
    # Outcome only: never From, To or Body.
    logger.info("sms inbound", extra={"event": result.outcome, "count": len(result.replies)})
    return HttpResponse(
        twilio_client.twiml_messages(result.replies), content_type=TWIML_CONTENT_TYPE
    )


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest, message_id: int) -> HttpResponse:
    if not _signed_by_twilio(request):
        logger.warning("sms status signature refused", extra={"event": "signature_refused"})
        return HttpResponseForbidden("Invalid Twilio signature.")
    moved = sms_delivery_status_record(
        message_id=message_id,
        message_sid=request.POST.get("MessageSid", ""),
        twilio_status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    logger.info("sms status", extra={"event": "status_moved" if moved else "status_kept"})
    return HttpResponse(status=204)
