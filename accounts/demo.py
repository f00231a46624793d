"""The demo district that `make run` loads: idempotent, safe to run any number of times."""

from dataclasses import dataclass

from django.db import transaction

from .models import (
    District,
    DistrictMembership,
    Membership,
    OnCallContact,
    PhoneNumber,
    Role,
    School,
    User,
)

DEMO_PASSWORD = "tipline-demo-2026"  # noqa: S105 - the demo's published password


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    where: str


DEMO_SCHOOLS = (
    # slug, name, sms number, Spanish auto-replies, words that identify the school, other names
    # students type in the school finder (initials such as LHS need no listing)
    (
        "lincoln-high",
        "Lincoln High School",
        "+13035550101",
        True,
        "Lincoln High\nLHS\nLincoln Lions\n@lincolnlions\nLincoln cafeteria",
        "Lincoln Lions",
    ),
    (
        "roosevelt-middle",
        "Roosevelt Middle School",
        "+13035550102",
        False,
        "Roosevelt Middle\nRMS\nRoosevelt Rams\n@rooseveltrams",
        "Roosevelt Rams\nTeddy",
    ),
)
DEMO_DISTRICT_NUMBER = "+13035550100"


def _user(email: str, full_name: str, phone: str = "") -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "phone_number": phone}
    )
    changed = created
    if user.full_name != full_name or user.phone_number != phone:
        user.full_name, user.phone_number = full_name, phone
        changed = True
    # Setting a password re-salts the hash; only do it when the demo password no longer works.
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        changed = True
    if changed:
        user.save()
    return user


@transaction.atomic
def demo_district_seed() -> list[DemoLogin]:
    district, _ = District.objects.update_or_create(
        slug="front-range-demo",
        defaults={"name": "Front Range Unified (demo)", "timezone": "America/Denver"},
    )
    PhoneNumber.objects.update_or_create(
        number=DEMO_DISTRICT_NUMBER, defaults={"district": district, "school": None}
    )
    logins: list[DemoLogin] = []
    admin = _user("admin@demo.tipline.test", "Dana Admin", "+13035550199")
    DistrictMembership.objects.get_or_create(
        user=admin, district=district, role=Role.DISTRICT_ADMIN
    )
    logins.append(DemoLogin(admin.email, str(Role.DISTRICT_ADMIN.label), district.name))
    for slug, name, number, spanish, terms, short_names in DEMO_SCHOOLS:
        school, _ = School.objects.update_or_create(
            slug=slug,
            defaults={
                "district": district,
                "name": name,
                "timezone": "America/Denver",
                "replies_in_spanish": spanish,
                "alert_terms": terms,
                "short_names": short_names,
            },
        )
        PhoneNumber.objects.update_or_create(
            number=number, defaults={"district": district, "school": school}
        )
        short = slug.split("-")[0]
        counselor = _user(
            f"counselor.{short}@demo.tipline.test", f"Casey Counselor ({name})", number[:-3] + "201"
        )
        principal = _user(
            f"principal.{short}@demo.tipline.test", f"Pat Principal ({name})", number[:-3] + "202"
        )
        for user, role in ((counselor, Role.COUNSELOR), (principal, Role.PRINCIPAL)):
            Membership.objects.update_or_create(user=user, school=school, defaults={"role": role})
            logins.append(DemoLogin(user.email, str(role.label), name))
        # The list is made once: an order the demo admin chose on the district pages stays
        # (re-seeding it position by position would collide with a reordered list).
        if not OnCallContact.objects.filter(school=school).exists():
            for position, user in enumerate((counselor, principal), start=1):
                OnCallContact.objects.create(school=school, position=position, user=user)
    return logins
