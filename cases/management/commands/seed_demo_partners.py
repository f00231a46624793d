"""Give the demo district a police department to share cases with (README tour, step 9).

One agency, "Front Range Police Department", with one contact whose email prints in the
`make run` terminal like every demo email. Idempotent; run `seed_demo` first.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import District
from cases.models import PartnerAgency, PartnerContact, PartnerKind

DEMO_DISTRICT_SLUG = "front-range-demo"
DEMO_AGENCY = "Front Range Police Department"
DEMO_CONTACT_EMAIL = "officer@police.demo.tipline.test"


class Command(BaseCommand):
    help = "Add a demo police department and officer to the demo district (run seed_demo first)."

    def handle(self, *args, **options):
        district = District.objects.filter(slug=DEMO_DISTRICT_SLUG).first()
        if district is None:
            raise CommandError("Run `manage.py seed_demo` first: the demo district is missing.")
        agency, _ = PartnerAgency.objects.get_or_create(
            district=district, name=DEMO_AGENCY, defaults={"kind": PartnerKind.POLICE}
        )
        PartnerContact.objects.get_or_create(
            agency=agency, email=DEMO_CONTACT_EMAIL, defaults={"name": "Officer Demo"}
        )
        self.stdout.write(
            self.style.SUCCESS(f"Demo partner: {DEMO_AGENCY}, contact {DEMO_CONTACT_EMAIL}.")
        )
