"""Factories for rows. One place, so every test builds data the same way."""

import itertools
from datetime import datetime

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice
from factory.django import DjangoModelFactory

from accounts.models import (
    District,
    DistrictMembership,
    Membership,
    PhoneNumber,
    Role,
    School,
    User,
)
from cases.models import Case, CaseEvent, Category, Channel
from tipline.models import Reporter, Tip
from tipline.services.tips import tip_create

TEST_PASSWORD = "correct horse battery staple"


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")
    timezone = "America/Denver"


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"School {n}")
    slug = factory.Sequence(lambda n: f"school-{n}")
    timezone = "America/Denver"


class PhoneNumberFactory(DjangoModelFactory):
    class Meta:
        model = PhoneNumber

    number = factory.Sequence(lambda n: f"+1303555{n:04d}")
    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"staff{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    role = Role.COUNSELOR


class DistrictMembershipFactory(DjangoModelFactory):
    class Meta:
        model = DistrictMembership

    user = factory.SubFactory(UserFactory)
    district = factory.SubFactory(DistrictFactory)
    role = Role.DISTRICT_ADMIN


class TOTPDeviceFactory(DjangoModelFactory):
    """A confirmed authenticator app (tests compute its codes with tests.accounts.otp)."""

    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True


_digests = itertools.count(1)


def case_factory(
    school,
    *,
    category: str = Category.BULLYING,
    body: str = "tip text",
    channel: str = Channel.WEB,
    alias: str | None = None,
    reporter: Reporter | None = None,
    danger_now: str = "",
    created_at: datetime | None = None,
    **case_fields,
) -> Case:
    """The one way tests build a case: a tip opens it through the product's own intake
    (tipline's tip_create and cases.intake), so its priority, SLA clocks, tag, timeline and
    the counselors' notice rows are what a real tip would give.

    `alias`: the tip comes from its own tipster thread (a web Reporter with that alias);
    `reporter`: from this one. `created_at`: a case that opened then (its tip and timeline
    moved there too, its SLA clocks left unset unless given, as the figures tests give them).
    Any other Case field in `case_fields` (priority, status, outcome, acknowledged_at,
    merged_into...) is then set exactly as given, for a case in a state the test needs.
    """
    if alias is not None and reporter is None:
        reporter = Reporter.objects.create(
            channel=Channel.WEB, receipt_code_digest=f"test-{next(_digests)}", alias=alias
        )
    tip = tip_create(
        school=school,
        channel=channel,
        category=category,
        body=body,
        reporter=reporter,
        danger_now=danger_now,
    )
    if created_at is not None:
        case_fields = {
            "acknowledge_due_at": None,
            "first_response_due_at": None,
            **case_fields,
            "created_at": created_at,
        }
        Tip.objects.filter(id=tip.id).update(received_at=created_at)
        CaseEvent.objects.filter(case_id=tip.case_id).update(created_at=created_at)
    if case_fields:
        Case.objects.filter(id=tip.case_id).update(**case_fields)
    return Case.objects.get(id=tip.case_id)
