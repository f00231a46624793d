"""Seed a throwaway database with a district's worth of cases and alerts, fast.

For bench/summary.py: 200,000 cases (with their tips, messages and events) over two years
at 20 schools, and 1,000,000 social-post alerts. Rows are generated in Python with a fixed
random seed and written with PostgreSQL COPY (other databases: executemany in large
batches). Never run against a database with real data: it writes explicit ids.

Run by bench/summary.py (`python bench/seed_summary.py --cases N --alerts N` with
DATABASE_URL set); a bench script, not one of the product's management commands.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
import django

django.setup()
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import District, School  # noqa: E402
from alerts.models import Alert, Post, Source  # noqa: E402
from cases.models import LIFE_SAFETY_CATEGORIES, Case, CaseEvent, Category, Outcome  # noqa: E402
from tipline.models import Message, MessageDirection, Tip  # noqa: E402

CATEGORY_WEIGHTS = {
    Category.BULLYING: 30, Category.MENTAL_HEALTH: 14, Category.SUBSTANCES: 12,
    Category.SELF_HARM: 10, Category.HARASSMENT: 8, Category.THREAT: 6, Category.FIGHT: 6,
    Category.WEAPON: 3, Category.ABUSE: 4, Category.OTHER: 7,
}  # fmt: skip
CHANNEL_WEIGHTS = {"web": 60, "sms": 30, "social": 5, "staff": 5}
OUTCOME_WEIGHTS = {
    Outcome.COUNSELING_REFERRAL: 35, Outcome.GUARDIAN_CONTACTED: 20, Outcome.WELFARE_CHECK: 12,
    Outcome.UNFOUNDED: 12, Outcome.DISCIPLINE: 8, Outcome.SAFETY_PLAN: 5,
    Outcome.LAW_ENFORCEMENT: 2, Outcome.FALSE_REPORT: 2, Outcome.DUPLICATE: 2, Outcome.OTHER: 2,
}  # fmt: skip


class Writer:
    """Rows of one model, as dicts of attribute values; every other column gets its default."""

    def __init__(self, model, batch: int = 50_000):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.defaults = {}
        for field in self.fields:
            if not field.primary_key:
                self.defaults[field.attname] = field.get_db_prep_save(
                    field.get_default(), connection
                )
        self.batch = batch
        self.count = 0

    def prepared(self, attname: str, value):
        field = next(f for f in self.fields if f.attname == attname)
        return field.get_db_prep_save(value, connection)

    def write(self, rows: Iterable[dict]) -> None:
        names = [f.attname for f in self.fields]
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        ordered = ([row.get(n, self.defaults.get(n)) for n in names] for row in rows)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for values in ordered:
                        copy.write_row(values)
                        self.count += 1
                return
            marks = ", ".join(["%s"] * len(names))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names from _meta
            chunk = []
            for values in ordered:
                chunk.append(values)
                if len(chunk) == self.batch:
                    cursor.executemany(sql, chunk)
                    self.count += len(chunk)
                    chunk = []
            if chunk:
                cursor.executemany(sql, chunk)
                self.count += len(chunk)


def _next_id(model) -> int:
    return (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1


def _weighted(rng: random.Random, weights: dict, k: int) -> list:
    return rng.choices(list(weights), weights=list(weights.values()), k=k)


class Seeder:
    """Seed many cases and alerts quickly for bench/summary.py (throwaway databases only)."""

    def run(self, **options):
        rng = random.Random(options["seed"])
        started = time.monotonic()
        district, _ = District.objects.get_or_create(
            slug=options["district"], defaults={"name": "Bench District"}
        )
        schools = []
        for number in range(options["schools"]):
            school, _ = School.objects.get_or_create(
                slug=f"{district.slug}-school-{number:02d}",
                defaults={"district": district, "name": f"Bench School {number:02d}"},
            )
            schools.append(school)
        now = timezone.now()
        with transaction.atomic():
            counts = self._cases(rng, schools, options["cases"], options["days"], now)
            if options["alerts"]:
                counts |= self._alerts(
                    rng, district, schools, options["alerts"], options["days"], now
                )
        self._finish()
        summary = ", ".join(f"{n:,} {name}" for name, n in counts.items())
        print(f"Seeded {summary} in {time.monotonic() - started:.1f} s")

    def _cases(self, rng, schools, total, days, now) -> dict[str, int]:
        cases, tips = Writer(Case), Writer(Tip)
        messages, events = Writer(Message), Writer(CaseEvent)
        body = tips.prepared("body", "Seeded bench tip: no real content.")
        message_body = messages.prepared("body", "Seeded bench message.")
        first_case = _next_id(Case)
        first_tip, first_message, first_event = (
            _next_id(Tip),
            _next_id(Message),
            _next_id(CaseEvent),
        )
        categories = _weighted(rng, CATEGORY_WEIGHTS, total)
        channels = _weighted(rng, CHANNEL_WEIGHTS, total)
        outcomes = _weighted(rng, OUTCOME_WEIGHTS, total)
        spread = days * 86400
        last_case_of_school: dict[int, int] = {}
        case_rows, tip_rows, message_rows, event_rows = [], [], [], []
        for index in range(total):
            case_id = first_case + index
            school = schools[index % len(schools)]
            created = now - timedelta(seconds=spread * (1 - index / total) + rng.random() * 60)
            category, channel = categories[index], channels[index]
            life_safety = category in LIFE_SAFETY_CATEGORIES
            priority = 1 if life_safety else rng.choice((2, 3, 3, 3))
            ack_window = timedelta(minutes=5 if life_safety else 240)
            response_window = timedelta(minutes=60 if life_safety else 1440)
            row = {
                "id": case_id, "school_id": school.pk, "reference": f"B{case_id:010d}",
                "priority": priority, "category": category, "channel": channel,
                "created_at": created, "updated_at": created,
                "acknowledge_due_at": created + ack_window,
                "first_response_due_at": created + response_window,
            }  # fmt: skip
            age = now - created
            if age > timedelta(hours=2) or rng.random() < 0.5:
                row["acknowledged_at"] = created + ack_window * rng.expovariate(1.3)
            if age > timedelta(days=1) and rng.random() < 0.85:
                row["first_response_at"] = created + response_window * rng.expovariate(1.2)
            if age > timedelta(days=30) or rng.random() < 0.3:
                row["status"] = "closed" if rng.random() < 0.6 else "resolved"
                row["outcome"] = outcomes[index]
                row["resolved_at"] = created + timedelta(days=rng.expovariate(1 / 6))
                if row["status"] == "closed":
                    row["closed_at"] = row["resolved_at"] + timedelta(days=1)
                previous = last_case_of_school.get(school.pk)
                if row["outcome"] == Outcome.DUPLICATE and previous:
                    row["merged_into_id"] = previous
            else:
                row["status"] = rng.choice(("new", "triaged", "in_progress"))
            last_case_of_school[school.pk] = case_id
            case_rows.append(row)
            if channel != "social":
                tip_rows.append(
                    {"id": first_tip + len(tip_rows), "case_id": case_id, "school_id": school.pk,
                     "channel": channel, "category": category, "body": body,
                     "received_at": created}
                )  # fmt: skip
            event_rows.append(
                {"id": first_event + len(event_rows), "case_id": case_id,
                 "kind": CaseEvent.Kind.CREATED, "created_at": created}
            )  # fmt: skip
            if "first_response_at" in row and channel in ("web", "sms"):
                asked = row["first_response_at"]
                message_rows.append(
                    {"id": first_message + len(message_rows), "case_id": case_id,
                     "direction": MessageDirection.TO_REPORTER, "channel": channel,
                     "body": message_body, "created_at": asked}
                )  # fmt: skip
                event_rows.append(
                    {"id": first_event + len(event_rows), "case_id": case_id,
                     "kind": CaseEvent.Kind.MESSAGE_SENT, "created_at": asked}
                )  # fmt: skip
                if rng.random() < 0.4:
                    answered = asked + timedelta(hours=rng.expovariate(1 / 5))
                    message_rows.append(
                        {"id": first_message + len(message_rows), "case_id": case_id,
                         "direction": MessageDirection.FROM_REPORTER, "channel": channel,
                         "body": message_body, "created_at": answered}
                    )  # fmt: skip
        cases.write(case_rows)
        tips.write(tip_rows)
        messages.write(message_rows)
        events.write(event_rows)
        return {
            "cases": cases.count,
            "tips": tips.count,
            "messages": messages.count,
            "events": events.count,
        }

    def _alerts(self, rng, district, schools, total, days, now) -> dict[str, int]:
        source_model, post_model, alert_model = Source, Post, Alert
        sources = []
        for kind, name in (
            ("mastodon", "#schoolnews"),
            ("bluesky", "town search"),
            ("rss", "news"),
        ):
            source, _ = source_model.objects.get_or_create(
                district=district, name=f"Bench {name}", defaults={"kind": kind}
            )
            source.schools.set(schools)
            sources.append(source)
        posts, alerts = Writer(post_model), Writer(alert_model)
        first_post, first_alert = _next_id(post_model), _next_id(alert_model)
        spread = days * 86400
        severities = _weighted(rng, {"low": 20, "medium": 50, "high": 25, "critical": 5}, total)
        top_categories = {"violence": 40, "bullying": 35, "weapons": 10, "self_harm": 15}
        categories = _weighted(rng, top_categories, total)
        post_rows, alert_rows = [], []
        for index in range(total):
            post_id = first_post + index
            source_id = sources[index % len(sources)].pk
            created = now - timedelta(seconds=spread * (1 - index / total))
            roll = rng.random()
            status, reason = "new", ""
            # Staff triage the feed: only the last fortnight's alerts may still be new.
            if created < now - timedelta(days=14):
                roll *= 0.7
            if roll < 0.6:
                status = "dismissed"
                reason = "false_positive" if roll < 0.45 else "not_our_school"
            elif roll < 0.7:
                status = "escalated"
            post_rows.append(
                {"id": post_id, "source_id": source_id,
                 "external_id": f"bench-{post_id}", "text": "Seeded bench post.",
                 "received_at": created, "posted_at": created, "fingerprint": f"{post_id:040d}",
                 "score": 0.6}
            )  # fmt: skip
            alert_rows.append(
                {"id": first_alert + index, "post_id": post_id, "source_id": source_id,
                 "school_id": schools[index % len(schools)].pk, "score": 0.6,
                 "severity": severities[index], "top_category": categories[index],
                 "status": status, "dismissal_reason": reason, "group_key": f"{post_id:040d}",
                 "created_at": created, "last_seen_at": created}
            )  # fmt: skip
        posts.write(post_rows)
        alerts.write(alert_rows)
        return {"posts": posts.count, "alerts": alerts.count}

    def _finish(self) -> None:
        """Move id sequences past the explicit ids, and refresh the planner's statistics."""
        if connection.vendor != "postgresql":
            return
        from django.core.management.color import no_style

        models = [Case, Tip, Message, CaseEvent, Source, Post, Alert]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        # VACUUM (outside the transaction) sets the visibility map, so the summaries' counts
        # can use index-only scans as they would on a database that has lived a while.
        for model in models:
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--district", default="bench-district")
    Seeder().run(**vars(parser.parse_args()))


if __name__ == "__main__":
    main()
