from django.core.management.base import BaseCommand, CommandError

from accounts.models import District
from alerts.demo import demo_alerts_seed


class Command(BaseCommand):
    help = "Load demo social posts into the demo district's alert feed (run seed_demo first)."

    def handle(self, *args, **options):
        if not District.objects.filter(slug="front-range-demo").exists():
            raise CommandError("Run `manage.py seed_demo` first: the demo district is missing.")
        source, created = demo_alerts_seed()
        self.stdout.write(
            self.style.SUCCESS(f"Demo alert feed ready: {source.name}, {created} new alerts.")
        )
