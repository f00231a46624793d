"""The demo district (accounts.demo) and a year of its history (summaries.demo_history).

The command lives in summaries, the layer that may use both accounts and the cases below it.
"""

import time

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, DEMO_SCHOOLS, demo_district_seed
from accounts.models import School
from summaries.demo_history import demo_history_seed


class Command(BaseCommand):
    help = (
        "Load (or refresh) the demo district, its two schools and their staff, and once a year "
        "of made-up, text-free case history for the summaries; prints the logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-history", action="store_true", help="Only the district, schools and staff."
        )

    def handle(self, *args, **options):
        logins = demo_district_seed()
        self.stdout.write(
            self.style.SUCCESS(f"Demo district ready. Staff logins (password: {DEMO_PASSWORD}):")
        )
        for login in logins:
            self.stdout.write(f"  {login.email:<38} {login.role:<24} {login.where}")
        if options["no_history"]:
            return
        schools = list(School.objects.filter(slug__in=[row[0] for row in DEMO_SCHOOLS]))
        started = time.perf_counter()
        written = demo_history_seed(schools=schools)
        if written:
            seconds = time.perf_counter() - started
            self.stdout.write(f"A year of demo history: {written} closed cases in {seconds:.1f} s.")
        else:
            self.stdout.write("The demo history is already there.")
