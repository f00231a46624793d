"""District admins manage staff in the product: invite by email (the journey to a password
and a second factor), set roles and schools, deactivate and reactivate; never their own last
admin role, never beyond their district; every change in the changes log."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AdminChange, DistrictMembership, Membership, Role, User
from tests.accounts.otp import sign_in_with_password, totp_code
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long new password for Maria"


def _url(personas, path: str = "") -> str:
    return f"/staff/district/{personas.school_a.district_id}/staff/{path}"


def _invite(client, personas, **fields):
    data = {
        "email": "maria@example.org",
        "full_name": "Maria Nueva",
        f"school_{personas.school_a.id}": "counselor",
        **fields,
    }
    return client.post(_url(personas, "invite/"), data)


def _link(message) -> str:
    match = re.search(r"https?://\S+/accounts/invitation/\S+/", message.body)
    assert match, message.body
    return match[0].split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_it_invites_by_email_to_a_password_and_then_a_second_factor(
    client_for, client, personas, settings, django_capture_on_commit_callbacks
):
    admin = client_for(personas.district_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(admin, personas)
    assert response.status_code == 302
    maria = User.objects.get(email="maria@example.org")
    assert not maria.has_usable_password()
    assert Membership.objects.get(user=maria).role == Role.COUNSELOR
    change = AdminChange.objects.get(kind=AdminChange.Kind.STAFF_INVITED)
    assert change.actor == personas.district_admin and change.target == "maria@example.org"
    assert "invitation" not in str(change.data) and "token" not in str(change.data)

    (message,) = mail.outbox
    assert message.to == ["maria@example.org"] and "Dana Admin" in message.body
    assert "authenticator app" in message.body
    link = _link(message)
    admin.logout()
    settings.STAFF_OTP_REQUIRED = True

    # The link leads to a password form (Django keeps the token in the session and redirects).
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and "choose your password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done["Location"] == reverse("accounts:login")
    maria.refresh_from_db()
    assert maria.check_password(NEW_PASSWORD)

    # The link works once.
    again = client.get(link, follow=True)
    assert "no longer works" in again.content.decode()

    # Signing in leads to the existing enrolment of an authenticator app.
    sign_in_with_password(client, "maria@example.org", NEW_PASSWORD)
    home = client.get(reverse("accounts:home"))
    assert home.status_code == 302 and home.url.startswith(reverse("accounts:otp_setup"))
    client.get(home.url)
    device = TOTPDevice.objects.get(user=maria, confirmed=False)
    enrolled = client.post(reverse("accounts:otp_setup"), {"token": totp_code(device)})
    assert enrolled.status_code == 200 and len(enrolled.context["codes"]) == 10
    assert client.get(reverse("accounts:home")).status_code == 200


def test_it_refuses_an_invitation_without_a_role_or_to_a_known_email(client_for, personas):
    client = client_for(personas.district_admin)
    no_role = _invite(client, personas, **{f"school_{personas.school_a.id}": ""})
    assert no_role.status_code == 400
    assert "role at one school at least" in no_role.content.decode()
    taken = _invite(client, personas, email="ALICE@example.org")
    assert taken.status_code == 400 and "already exists" in taken.content.decode()
    bad = _invite(client, personas, email="not an address")
    assert bad.status_code == 400 and "valid email" in bad.content.decode()
    assert not mail.outbox and not AdminChange.objects.exists()
    assert not User.objects.filter(full_name="Maria Nueva").exists()


def test_it_cannot_give_a_school_of_another_district(client_for, personas):
    client = client_for(personas.district_admin)
    response = _invite(client, personas, **{f"school_{personas.school_c.id}": "principal"})
    # The other district's school is not a field of the form: it is ignored, not granted.
    assert response.status_code == 302
    maria = User.objects.get(email="maria@example.org")
    assert not Membership.objects.filter(user=maria, school=personas.school_c).exists()


def test_it_sets_roles_and_schools_and_records_before_and_after(client_for, personas):
    client = client_for(personas.district_admin)
    response = client.post(
        _url(personas, f"{personas.counselor_a.id}/"),
        {
            f"school_{personas.school_a.id}": "principal",
            f"school_{personas.school_b.id}": "counselor",
        },
    )
    assert response.status_code == 302
    roles = dict(
        Membership.objects.filter(user=personas.counselor_a).values_list("school_id", "role")
    )
    assert roles == {personas.school_a.id: "principal", personas.school_b.id: "counselor"}
    change = AdminChange.objects.get(kind=AdminChange.Kind.STAFF_ROLES_CHANGED)
    assert change.data["before"]["schools"] == {str(personas.school_a.id): "counselor"}
    assert change.data["after"]["schools"][str(personas.school_b.id)] == "counselor"
    page = client.get(f"/staff/district/{personas.school_a.district_id}/changes/")
    text = page.content.decode()
    assert "Staff roles changed" in text and "alice@example.org" in text
    assert "Before: Counselor at Lincoln High" in text
    assert "{" not in text.split("<tbody>")[1]


def test_it_keeps_roles_held_in_another_district(client_for, personas):
    MembershipFactory(user=personas.counselor_a, school=personas.school_c, role=Role.PRINCIPAL)
    client = client_for(personas.district_admin)
    client.post(_url(personas, f"{personas.counselor_a.id}/"), {})
    assert not Membership.objects.filter(user=personas.counselor_a, school=personas.school_a)
    assert Membership.objects.filter(user=personas.counselor_a, school=personas.school_c)


def test_it_never_lets_an_admin_remove_their_own_admin_role(client_for, personas):
    client = client_for(personas.district_admin)
    response = client.post(_url(personas, f"{personas.district_admin.id}/"), {})
    assert response.status_code == 400
    assert "cannot remove your own district admin role" in response.content.decode()
    assert DistrictMembership.objects.filter(user=personas.district_admin).exists()
    assert not AdminChange.objects.exists()


def test_it_makes_and_unmakes_another_admin(client_for, personas):
    client = client_for(personas.district_admin)
    client.post(
        _url(personas, f"{personas.counselor_b.id}/"),
        {"district_admin": "on", f"school_{personas.school_b.id}": "counselor"},
    )
    assert DistrictMembership.objects.filter(
        user=personas.counselor_b, district=personas.school_b.district
    ).exists()
    client.post(
        _url(personas, f"{personas.counselor_b.id}/"),
        {f"school_{personas.school_b.id}": "counselor"},
    )
    assert not DistrictMembership.objects.filter(user=personas.counselor_b).exists()
    assert AdminChange.objects.filter(kind=AdminChange.Kind.STAFF_ROLES_CHANGED).count() == 2


def test_it_deactivates_and_reactivates_with_an_entry_each(client_for, client, personas):
    admin = client_for(personas.district_admin)
    url = _url(personas, f"{personas.counselor_b.id}/active/")
    assert admin.post(url, {"active": "0"}).status_code == 302
    personas.counselor_b.refresh_from_db()
    assert not personas.counselor_b.is_active
    assert admin.post(url, {"active": "1"}).status_code == 302
    personas.counselor_b.refresh_from_db()
    assert personas.counselor_b.is_active
    kinds = list(AdminChange.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == [AdminChange.Kind.STAFF_DEACTIVATED, AdminChange.Kind.STAFF_REACTIVATED]
    assert admin.post(url, {}).status_code == 400


def test_it_signs_a_deactivated_account_out_of_everything(client_for, personas):
    client_for(personas.district_admin).post(
        _url(personas, f"{personas.counselor_b.id}/active/"), {"active": "0"}
    )
    client = client_for(personas.counselor_b)
    response = client.get("/staff/cases/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_refuses_to_deactivate_oneself_or_someone_of_another_district(client_for, personas):
    client = client_for(personas.district_admin)
    itself = client.post(_url(personas, f"{personas.district_admin.id}/active/"), {"active": "0"})
    assert itself.status_code == 302
    personas.district_admin.refresh_from_db()
    assert personas.district_admin.is_active
    MembershipFactory(user=personas.counselor_b, school=personas.school_c)
    shared = client.post(_url(personas, f"{personas.counselor_b.id}/active/"), {"active": "0"})
    assert "another district" in client.get(shared["Location"]).content.decode()
    personas.counselor_b.refresh_from_db()
    assert personas.counselor_b.is_active
    assert not AdminChange.objects.exists()


def test_it_lists_staff_with_their_roles_and_state(client_for, personas):
    User.objects.filter(pk=personas.counselor_b.pk).update(is_active=False)
    text = client_for(personas.district_admin).get(_url(personas)).content.decode()
    assert "Counselor at Lincoln High" in text and "District safety admin" in text
    assert "deactivated" in text and "olga@example.org" not in text


def test_it_sends_an_invitation_again_until_a_password_is_chosen(
    client_for, personas, django_capture_on_commit_callbacks
):
    client = client_for(personas.district_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, personas)
    maria = User.objects.get(email="maria@example.org")
    again = _url(personas, f"{maria.id}/invite-again/")
    page = client.get(_url(personas, f"{maria.id}/")).content.decode()
    assert "Send the invitation again" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(again).status_code == 302
    assert [message.to for message in mail.outbox] == [["maria@example.org"]] * 2
    invited = AdminChange.objects.filter(kind=AdminChange.Kind.STAFF_INVITED)
    assert [change.data.get("again", False) for change in invited.order_by("id")] == [False, True]
    # Someone with a password is not re-invited.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(personas, f"{personas.counselor_a.id}/invite-again/"))
    assert len(mail.outbox) == 2


def test_it_keeps_one_role_at_least(client_for, personas):
    client = client_for(personas.district_admin)
    response = client.post(_url(personas, f"{personas.counselor_a.id}/"), {})
    assert response.status_code == 400 and "deactivate the account" in response.content.decode()
    assert Membership.objects.filter(user=personas.counselor_a).exists()


def test_it_leaves_operators_accounts_to_the_admin_site(client_for, personas):
    User.objects.filter(pk=personas.counselor_b.pk).update(is_superuser=True)
    client = client_for(personas.district_admin)
    response = client.post(
        _url(personas, f"{personas.counselor_b.id}/"),
        {f"school_{personas.school_a.id}": "counselor"},
    )
    assert response.status_code == 400 and "admin site" in response.content.decode()
    client.post(_url(personas, f"{personas.counselor_b.id}/active/"), {"active": "0"})
    personas.counselor_b.refresh_from_db()
    assert personas.counselor_b.is_active and not AdminChange.objects.exists()


def test_it_shows_a_hostile_name_as_text(client_for, personas):
    client = client_for(personas.district_admin)
    _invite(client, personas, full_name="<script>alert(1)</script>", email="x@example.org")
    text = client.get(_url(personas)).content.decode()
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)" in text
    nul = _invite(client, personas, full_name="a\x00b", email="y@example.org")
    assert nul.status_code == 400 and not User.objects.filter(email="y@example.org").exists()
