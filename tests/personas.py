"""The people every test talks about, built the same way everywhere.

One district with school A and school B; a second district with school C that nobody here
may see. Alice counsels at A, Paul is principal at A, Bob counsels at B, Dana is the district
admin, Olga is a district admin of the *other* district.
"""

from dataclasses import dataclass

from accounts.models import Role, School, User

from .factories import (
    DistrictFactory,
    DistrictMembershipFactory,
    MembershipFactory,
    SchoolFactory,
    UserFactory,
)


@dataclass
class Personas:
    school_a: School
    school_b: School
    school_c: School
    counselor_a: User
    principal_a: User
    counselor_b: User
    district_admin: User
    other_district_admin: User


def build_personas() -> Personas:
    district = DistrictFactory(name="Front Range", slug="front-range")
    other = DistrictFactory(name="Elsewhere", slug="elsewhere")
    school_a = SchoolFactory(district=district, name="Lincoln High", slug="lincoln-high")
    school_b = SchoolFactory(district=district, name="Roosevelt Middle", slug="roosevelt-middle")
    school_c = SchoolFactory(district=other, name="Faraway Elementary", slug="faraway")
    counselor_a = UserFactory(email="alice@example.org", full_name="Alice Counselor")
    principal_a = UserFactory(email="paul@example.org", full_name="Paul Principal")
    counselor_b = UserFactory(email="bob@example.org", full_name="Bob Counselor")
    district_admin = UserFactory(email="dana@example.org", full_name="Dana Admin")
    other_admin = UserFactory(email="olga@example.org", full_name="Olga Otheradmin")
    MembershipFactory(user=counselor_a, school=school_a, role=Role.COUNSELOR)
    MembershipFactory(user=principal_a, school=school_a, role=Role.PRINCIPAL)
    MembershipFactory(user=counselor_b, school=school_b, role=Role.COUNSELOR)
    DistrictMembershipFactory(user=district_admin, district=district)
    DistrictMembershipFactory(user=other_admin, district=other)
    return Personas(
        school_a=school_a,
        school_b=school_b,
        school_c=school_c,
        counselor_a=counselor_a,
        principal_a=principal_a,
        counselor_b=counselor_b,
        district_admin=district_admin,
        other_district_admin=other_admin,
    )
