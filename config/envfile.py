"""The `.env` file: django-environ's reader with inline comments on, and its traps refused.

The format (`.env.example` follows it):

- `NAME=value`, one a line; `#` starts a comment, on a line of its own or after a value
  (`AXES_FAILURE_LIMIT=5   # failed sign-ins`). Spaces before an inline comment, and at the
  end of any value, are not part of the value.
- A value holding `#` (a password in a URL, some secrets) goes in single quotes:
  `EMAIL_URL='smtp+tls://user:pa#ss@host:587'`. Unquoted, everything from the `#` on would
  be read as a comment, so an unquoted `#` straight after a character is refused.
- No double quotes: with comments on, django-environ keeps a double-quoted value's quotes
  (`"abc" # note` reads as `"abc"`), so a value still quoted after reading is refused.

Real environment variables win over the file. The file is `.env` beside manage.py, or the
one named by ENV_FILE (which must then exist).
"""

import os
import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

ENV_FILE_VARIABLE = "ENV_FILE"
# django-environ's own pattern for a line that sets a variable.
_ASSIGNMENT = re.compile(r"\A(?:export )?([A-Za-z_0-9]+)=(.*)\Z")
_HASH_INSIDE_VALUE = re.compile(r"\S#")


def env_file_values(path: Path) -> dict[str, str]:
    """The variables a `.env` file sets, read as django-environ reads them with
    `parse_comments=True`, trailing spaces dropped; ImproperlyConfigured on a trap."""
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        match = _ASSIGNMENT.match(line)
        unquoted = match and not match.group(2).lstrip().startswith("'")
        if unquoted and _HASH_INSIDE_VALUE.search(match.group(2)):
            raise ImproperlyConfigured(
                f"{path}, line {number}: {match.group(1)} has a '#' inside its value, "
                "which would start a comment. Put the value in single quotes."
            )
    # read_env writes into its class's ENVIRON: a subclass of our own keeps os.environ clean.
    reader = type("EnvFileReader", (environ.Env,), {"ENVIRON": {}})
    reader.read_env(str(path), overwrite=True, parse_comments=True)
    values = {}
    for name, value in reader.ENVIRON.items():
        value = value.rstrip()
        if value[:1] in ("'", '"'):
            raise ImproperlyConfigured(
                f"{path}: {name} is quoted in a way that is not read as quotes. "
                "Use single quotes around the whole value, before any comment."
            )
        values[name] = value
    return values


def env_file_read(default_path: Path) -> None:
    """Put the `.env` file's variables into os.environ, where none is set already."""
    named = os.environ.get(ENV_FILE_VARIABLE, "").strip()
    path = Path(named) if named else default_path
    if not path.is_file():
        if named:
            raise ImproperlyConfigured(f"ENV_FILE names {path}, which is not a file.")
        return
    for name, value in env_file_values(path).items():
        os.environ.setdefault(name, value)
