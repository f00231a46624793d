from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, demo_district_seed


class Command(BaseCommand):
    help = (
        "Load (or refresh) the demo district, its two schools and their staff; prints the logins."
    )

    def handle(self, *args, **options):
        logins = demo_district_seed()
        self.stdout.write(
            self.style.SUCCESS(f"Demo district ready. Staff logins (password: {DEMO_PASSWORD}):")
        )
        for login in logins:
            self.stdout.write(f"  {login.email:<38} {login.role:<24} {login.where}")
