"""Errors and exit codes.

Exit codes (the same for every command):

====  ===========  ==========================================================
code  constant     meaning
====  ===========  ==========================================================
0     OK           success; "no results" is success too (a hint says why on
                   stderr, on a terminal or not)
1     FAILURE      failure: nothing found, several candidates match, the
                   organisation did not exist on the day, the database is
                   missing or broken
2     USAGE        bad usage: unknown option, format or field, malformed date,
                   a date outside the data
130   INTERRUPTED  interrupted with Ctrl-C (128 + SIGINT); nothing is printed
141   BROKEN_PIPE  stdout was closed early (``ics list practices | head -1``);
                   nothing is printed, as if killed by SIGPIPE (128 + 13)
====  ===========  ==========================================================

Code that finds a problem the user can fix raises :class:`IcsError` (or :class:`UsageError`)
with a full sentence. The CLI turns it into ``Error: <message>`` on stderr (then the hint, if
any) and exits with the error's code; nobody sees a traceback. This module is imported on every
run, so it imports nothing beyond ``os`` and ``sys``.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

OK = 0
FAILURE = 1
USAGE = 2
INTERRUPTED = 130
BROKEN_PIPE = 141


class IcsError(Exception):
    """A problem to report to the user: ``Error: <message>`` on stderr, then exit ``exit_code``.

    ``hint`` is printed as is on the following lines (a suggestion, a list of candidates).
    """

    exit_code: int = FAILURE

    def __init__(self, message: str, exit_code: int | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(IcsError):
    """The command line asks for something impossible (exit 2)."""

    exit_code = USAGE


def format_error(err: IcsError) -> str:
    """The text printed for ``err``: ``Error: <message>`` and the hint, newline-terminated."""
    text = f"Error: {err.message}\n"
    if err.hint:
        text += err.hint.rstrip("\n") + "\n"
    return text


def exit_with(err: IcsError) -> NoReturn:
    """Print ``err`` to stderr in plain text and exit with its code."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
    except (OSError, ValueError):
        pass
    sys.stderr.write(format_error(err))
    sys.stderr.flush()
    raise SystemExit(err.exit_code)


def silence_stdout() -> None:
    """Point stdout at /dev/null so that the flush at interpreter exit cannot fail again.

    Used after a BrokenPipeError: without it Python prints "Exception ignored ... BrokenPipeError"
    when it flushes stdout on the way out. Streams without a file descriptor (test runners)
    are left alone.
    """
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def exit_broken_pipe() -> NoReturn:
    """End quietly after the reader of stdout went away (exit 141, nothing on stderr)."""
    silence_stdout()
    raise SystemExit(BROKEN_PIPE)


def fast_exit(code: object) -> NoReturn:
    """Flush the standard streams and end the process at once with ``code`` (as SystemExit would
    read it: None is 0, a message is printed to stderr and gives 1)."""
    if code is None:
        code = OK
    elif not isinstance(code, int):
        sys.stderr.write(f"{code}\n")
        code = FAILURE
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = BROKEN_PIPE
    except (OSError, ValueError):
        pass
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)
