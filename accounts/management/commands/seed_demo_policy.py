"""Give the demo district a call-down that can be watched: the next contact is paged one minute
after the last, not five (the default every other district keeps). Idempotent.

Only the demo district's policy row is written; run `seed_demo` first.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import District, DistrictPolicy

DEMO_DISTRICT_SLUG = "front-range-demo"
DEMO_CALLDOWN_STEP_SECONDS = 60


class Command(BaseCommand):
    help = "Set the demo district's call-down step to one minute (run seed_demo first)."

    def handle(self, *args, **options):
        district = District.objects.filter(slug=DEMO_DISTRICT_SLUG).first()
        if district is None:
            raise CommandError("Run `manage.py seed_demo` first: the demo district is missing.")
        DistrictPolicy.objects.update_or_create(
            district=district, defaults={"calldown_step_seconds": DEMO_CALLDOWN_STEP_SECONDS}
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo call-down: the next contact is paged every {DEMO_CALLDOWN_STEP_SECONDS} s "
                "until someone acknowledges."
            )
        )
