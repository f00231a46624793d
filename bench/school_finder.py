"""Speed of the public school finder (tipline/school_finder.py), in process.

Usage (from the repository root; no database needed):

    .venv/bin/python bench/school_finder.py [--runs 30]

Builds the finder's index from unsaved schools with plausible names (a person or a place and a
kind: "Cesar Chavez Middle School", "Cherry Creek STEM Academy"), for 2, 50 and 500 schools,
and prints the mean time of one query over --runs, with how many schools it found. The index
is what each web process keeps for TIPLINE_SCHOOL_CACHE_SECONDS; building it (one query of
the active schools) is not timed. Baseline, in the same run: a plain case-insensitive
substring scan of the same names (what the finder did before, in the database), which finds
no typo, initials or accent-free spelling.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from accounts.models import School  # noqa: E402
from tipline import school_finder  # noqa: E402

PEOPLE = [
    "Lincoln",
    "Roosevelt",
    "Washington",
    "Jefferson",
    "Kennedy",
    "Martin Luther King Jr",
    "José Martí",
    "Cesar Chavez",
    "Franklin",
    "Madison",
    "Monroe",
    "Adams",
    "Jackson",
    "Garfield",
    "Grant",
    "Hamilton",
    "Douglass",
    "Tubman",
    "Carver",
    "Edison",
    "Whitman",
    "Emerson",
    "Thoreau",
    "Hawthorne",
    "Dickinson",
    "Sojourner Truth",
    "Frida Kahlo",
    "Sandra Cisneros",
    "Mae Jemison",
    "Sally Ride",
    "Ellen Ochoa",
]
PLACES = [
    "Sunnyvale",
    "Eastwood",
    "Westview",
    "Oak Ridge",
    "Pine Valley",
    "Riverside",
    "Mountain View",
    "Lakeside",
    "Hillcrest",
    "Cherry Creek",
    "Aspen Grove",
    "Bear Creek",
    "Cedar Hills",
    "Deer Trail",
    "Eagle Crest",
    "Fox Hollow",
    "Green Meadows",
    "Highland Park",
    "Indian Peaks",
    "Juniper",
    "Kiowa",
    "Lone Tree",
    "Maple Grove",
    "North Star",
    "Prairie View",
    "Red Rocks",
    "Silver Lake",
    "Timberline",
]
KINDS = [
    "High School",
    "Middle School",
    "Elementary",
    "Elementary School",
    "Academy",
    "K-8",
    "Charter School",
    "Preparatory Academy",
    "Early College High School",
    "STEM Academy",
]
QUERIES = ("L", "Lincon", "LHS", "roosvelt middle", "washingtn high school", "zzzz")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    names = [f"{who} {kind}" for who, kind in itertools.product(PEOPLE + PLACES, KINDS)]
    random.Random(7).shuffle(names)
    for count in (2, 50, 500):
        chosen = ["Lincoln High School", "Roosevelt Middle School"] if count == 2 else names[:count]
        entries = [
            school_finder._entry(School(name=name, slug=f"school-{number}"))
            for number, name in enumerate(sorted(chosen))
        ]
        index = school_finder._index_build(entries)
        school_finder._index = lambda index=index: index
        lowered = [name.casefold() for name in chosen]
        for query in QUERIES:
            start = time.perf_counter()
            for _ in range(args.runs):
                found = school_finder.schools_find(query=query)
            per_query_ms = (time.perf_counter() - start) / args.runs * 1000
            start = time.perf_counter()
            for _ in range(args.runs):
                substring = [name for name in lowered if query.casefold() in name][:10]
            baseline_ms = (time.perf_counter() - start) / args.runs * 1000
            print(
                f"{count:4d} schools {len(index.vocabulary):4d} words  {query!r:24} "
                f"{per_query_ms:6.2f} ms  {len(found):2d} found   "
                f"baseline (substring) {baseline_ms:5.2f} ms  {len(substring):2d} found"
            )


if __name__ == "__main__":
    main()
