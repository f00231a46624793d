"""Printed emails and texts stand apart from log lines: one framed block, one write call,
under the lock the log handler takes."""

import io
import logging
import threading

from django.core.mail import EmailMessage, get_connection

from accounts.console import CONSOLE_LOCK
from config.logging import ConsoleLogHandler, JsonLineFormatter
from tipline.sms.backends import ConsoleBackend

BACKEND = "accounts.console.EmailBackend"


class Terminal(io.StringIO):
    """A console that records each write call, and whether another thread could have taken
    the console lock while it was being written."""

    def __init__(self):
        super().__init__()
        self.writes: list[str] = []
        self.lock_free_during_write: list[bool] = []

    def write(self, text):
        outcome = []

        def try_the_lock():
            taken = CONSOLE_LOCK.acquire(blocking=False)
            if taken:
                CONSOLE_LOCK.release()
            outcome.append(taken)

        other = threading.Thread(target=try_the_lock)
        other.start()
        other.join()
        self.lock_free_during_write.append(outcome[0])
        self.writes.append(text)
        return super().write(text)


def _email(**kwargs) -> EmailMessage:
    defaults = {
        "subject": "New tip at Lincoln High School",
        "body": "A new tip arrived.\nOpen it: http://127.0.0.1:8001/staff/cases/7/\n",
        "from_email": "tipline@localhost",
        "to": ["counselor.lincoln@demo.tipline.test"],
    }
    return EmailMessage(**{**defaults, **kwargs})


def test_it_prints_each_email_as_one_framed_block_in_one_write():
    terminal = Terminal()
    sent = get_connection(BACKEND, stream=terminal).send_messages([_email(), _email()])
    assert sent == 2 and len(terminal.writes) == 2
    block = terminal.writes[0]
    lines = block.split("\n")
    assert lines[0] == "" and block.endswith("\n\n")
    assert lines[1].startswith("+=== EMAIL: to counselor.lincoln@demo.tipline.test ")
    assert "| Subject: New tip at Lincoln High School" in lines
    assert "| Open it: http://127.0.0.1:8001/staff/cases/7/" in lines
    framed = lines[2 : lines.index("+" + "=" * 77)]
    assert framed and all(line.startswith("|") for line in framed)


def test_it_writes_blocks_holding_the_lock_that_log_lines_take():
    terminal = Terminal()
    get_connection(BACKEND, stream=terminal).send_messages([_email()])
    ConsoleBackend(stream=terminal).send(
        to="+15555550142", body="Are you safe?", status_callback=""
    )
    assert terminal.lock_free_during_write == [False, False]
    handler = ConsoleLogHandler(terminal)
    assert handler.lock is CONSOLE_LOCK
    handler.setFormatter(JsonLineFormatter())
    handler.handle(logging.makeLogRecord({"msg": "GET /staff/cases/", "levelno": 20}))
    assert terminal.lock_free_during_write[-1] is False
    assert terminal.writes[-1].startswith('{"time"')


def test_it_prints_a_text_in_the_same_frame_with_the_number_masked():
    terminal = Terminal()
    ConsoleBackend(stream=terminal).send(
        to="+15555550142", body="Thank you.\nAre you safe?", status_callback=""
    )
    (block,) = terminal.writes
    assert "+=== SMS: to …42 (SMconsole" in block
    assert "| Thank you.\n| Are you safe?\n" in block
    assert "5555550142" not in block


def test_it_names_what_an_email_carries_besides_its_text():
    message = _email(cc=["principal@demo.tipline.test"])
    message.attach("report.csv", "a,b\n", "text/csv")
    terminal = Terminal()
    get_connection(BACKEND, stream=terminal).send_messages([message])
    assert "| Cc: principal@demo.tipline.test" in terminal.writes[0]
    assert "| [attachment: report.csv]" in terminal.writes[0]
