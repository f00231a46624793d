from django.core.management.base import BaseCommand, CommandError

from accounts.models import District
from alerts.demo import demo_alerts_seed
from alerts.services import source_push_token_issue


class Command(BaseCommand):
    help = "Load demo social posts into the demo district's alert feed (run seed_demo first)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--push-token",
            action="store_true",
            help="Also issue a new push token for the demo source and print it (shown once; "
            "the previous token stops working), to push posts with curl.",
        )

    def handle(self, *args, **options):
        if not District.objects.filter(slug="front-range-demo").exists():
            raise CommandError("Run `manage.py seed_demo` first: the demo district is missing.")
        source, created = demo_alerts_seed()
        self.stdout.write(
            self.style.SUCCESS(f"Demo alert feed ready: {source.name}, {created} new alerts.")
        )
        if options["push_token"]:
            self.stdout.write(f"Push token: {source_push_token_issue(source=source)}")
