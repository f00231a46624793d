#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    if sys.argv[1:2] == ["score_posts"]:
        # The scorer needs no Django: evaluation tools stream posts through this command,
        # and Django's start-up would cost more than scoring thousands of them.
        from scoring.cli import main as score_posts

        sys.exit(score_posts(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
