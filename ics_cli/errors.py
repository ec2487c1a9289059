"""Errors and exit codes.

Exit codes (the same for every command):

====  ===========  ==========================================================
code  constant     meaning
====  ===========  ==========================================================
0     OK           success; "no results" is success too (a hint says why on
                   stderr, on a terminal or not)
1     FAILURE      failure: nothing found, several candidates match, the
                   organisation did not exist on the day; the database is
                   missing, broken or not an ics database; the output cannot
                   be written (``> /dev/full``, stdout closed: OutputError);
                   a file cannot be written; a bug ("internal error")
2     USAGE        bad usage: unknown option, format, kind or field,
                   malformed date, a date outside the data, an empty value;
                   ``ics resolve`` with nothing to read (stdin a terminal
                   or closed) or a FILE it cannot read
130   INTERRUPTED  interrupted with Ctrl-C; nothing is printed. The ``ics``
                   program ends by SIGINT itself (see :mod:`ics_cli.streams`),
                   which a shell reports as 130 (128 + 2); in-process runs
                   (CliRunner) exit 130
141   BROKEN_PIPE  stdout was closed early (``ics list practices | head -1``);
                   nothing is printed, as if killed by SIGPIPE (128 + 13)
====  ===========  ==========================================================

With stderr closed (``2>&-``) or full (``2>/dev/full``) nothing is printed and the codes are the same.

Code that finds a problem the user can fix raises :class:`IcsError` (or :class:`UsageError`)
with a full sentence. The CLI turns it into ``Error: <message>`` on stderr (then the hint, if
any) and exits with the error's code; nobody sees a traceback. Every line printed goes through
:func:`ics_cli.safetext.line` (control characters escaped, at most 1,000 characters); the code
that raises echoes user text with :func:`ics_cli.safetext.quoted` (cut to about 80 characters).
This module is imported on every run, so it imports nothing beyond ``os`` and ``sys`` (and
:mod:`ics_cli.safetext` when it prints).
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


class OutputError(IcsError):
    """stdout cannot be written (a full disk, a closed stdout, an I/O error): exit 1.

    Raised by :class:`ics_cli.streams.Output` at the first failed write; a closed pipe is a
    BrokenPipeError instead (exit 141, quietly)."""

    @classmethod
    def from_os_error(cls, err: OSError) -> OutputError:
        import errno

        if err.errno == errno.EBADF:
            reason = "standard output is closed"
        else:
            reason = err.strerror or type(err).__name__
        return cls(f"Cannot write the output: {reason}.")


def cannot_write(path: str, err: OSError) -> IcsError:
    """The error for a FILE (``-o FILE``) that cannot be opened or written: exit 1, the path
    made safe and cut (:func:`ics_cli.safetext.path`)."""
    from ics_cli.safetext import path as shown_path

    return IcsError(f"Cannot write {shown_path(path)}: {err.strerror or type(err).__name__}.")


def format_error(err: IcsError) -> str:
    """The text printed for ``err``: ``Error: <message>`` and the hint, newline-terminated, every
    line made safe for a terminal and cut to 1,000 characters (:func:`ics_cli.safetext.lines`)."""
    from ics_cli.safetext import lines

    text = f"Error: {err.message}\n"
    if err.hint:
        text += err.hint.rstrip("\n") + "\n"
    return lines(text)


def exit_with(err: IcsError) -> NoReturn:
    """Print ``err`` to stderr in plain text and exit with its code."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
    except Exception:  # OutputError, OSError, ValueError: the error below says what matters
        pass
    try:
        sys.stderr.write(format_error(err))
        sys.stderr.flush()
    except Exception:  # stderr is gone too: the exit code is all that is left
        pass
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
        from ics_cli.safetext import lines

        try:
            sys.stderr.write(lines(f"{code}\n"))
        except Exception:
            pass
        code = FAILURE
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = BROKEN_PIPE
    except OutputError as err:  # the last of the output could not be written
        exit_code = err.exit_code
        try:
            sys.stderr.write(format_error(err))
        except Exception:
            pass
        code = code or exit_code
    except (OSError, ValueError):
        pass
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)
