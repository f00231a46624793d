"""Partners in tests: an agency with a contact, a case shared with them, and reading the link
and the code out of the email (or SMS) the contact received, as the partner would."""

import re

from django.core import mail

from cases.models import PartnerAgency, PartnerContact, PartnerKind
from cases.services.shares import case_share_create, share_link_send
from tipline.sms import backends

LINK = re.compile(r"/partner/([A-Za-z0-9_\-]+)/")
CODE = re.compile(r"\b(\d{6})\b")


def police(district, *, email="officer@police.example.org", phone_number=""):
    agency = PartnerAgency.objects.create(
        district=district, name="Front Range Police", kind=PartnerKind.POLICE
    )
    contact = PartnerContact.objects.create(
        agency=agency, name="Officer Reyes", email=email, phone_number=phone_number
    )
    return contact


def share(case, contact, actor, **options):
    """Share through the product, send the link, and return the token from the email."""
    new = case_share_create(case=case, contact=contact, actor=actor, **options)
    assert share_link_send(new=new)
    return new.share, token_from(last_text_to(contact))


def last_text_to(contact) -> str:
    if contact.email:
        return [m for m in mail.outbox if m.to == [contact.email]][-1].body
    return [t for t in backends.outbox if t.to == contact.phone_number][-1].body


def token_from(text: str) -> str:
    return LINK.search(text).group(1)


def code_from(text: str) -> str:
    return CODE.search(text).group(1)


def verify(client, token, contact) -> None:
    """Ask for a code and enter it, as the partner does."""
    client.post(f"/partner/{token}/code/")
    response = client.post(f"/partner/{token}/verify/", {"code": code_from(last_text_to(contact))})
    assert response.status_code == 302, response.content.decode()[:2000]
