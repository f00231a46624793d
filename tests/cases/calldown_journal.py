"""An SMS backend for the real-worker call-down test: it journals every send to a file the
test reads from its own process, and can hold a send "in flight" until a gate file is gone.

Configured through the environment (the worker inherits it): CALLDOWN_JOURNAL is the journal
file; a number listed in the CALLDOWN_GATE file is held after "begin" until the file is
removed, so the test can kill the worker exactly while that step is in flight.
"""

import itertools
import os
import time
from pathlib import Path

from tipline.sms.backends import BaseSmsBackend, SentMessage

_sids = itertools.count(1)


def _journal(line: str) -> None:
    with Path(os.environ["CALLDOWN_JOURNAL"]).open("a") as journal:
        journal.write(line + "\n")
        journal.flush()
        os.fsync(journal.fileno())


class JournalBackend(BaseSmsBackend):
    def send(self, *, to, body, status_callback, from_number=""):
        _journal(f"begin {to}")
        gate = Path(os.environ["CALLDOWN_GATE"])
        while gate.exists() and to in gate.read_text():
            time.sleep(0.05)
        _journal(f"sent {to}")
        return SentMessage(sid=f"SMjournal{os.getpid()}x{next(_sids)}", status="queued")
