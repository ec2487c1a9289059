"""The process's signals and standard streams, set up before anything else runs.

The ``ics`` program (the console script, ``python -m ics_cli``) makes Ctrl-C quiet as the package
is imported (a copy of :func:`quiet_interrupt` in ``ics_cli/__init__.py``; ``__main__.py``),
before Typer and everything heavy, and calls :func:`prepare` first thing in
:func:`ics_cli.entry.main`. Neither runs
when the package is imported by another program (tests, CliRunner), which keeps its own Ctrl-C
and streams.

- **Ctrl-C** (SIGINT) gets the default action: the process ends at once, mid-import, mid-query or
  mid-write, printing nothing; a shell reports it as exit status 130 (128 + 2), and a shell loop
  running ``ics`` stops, as it does for other tools killed by Ctrl-C. (Python's own handler would
  raise KeyboardInterrupt wherever the program happened to be: a traceback during start-up.)
  Only Python's own start-up, before the first line of ``ics_cli`` runs, is out of reach.
- **Closed descriptors** (``<&-``, ``>&-``, ``2>&-``): each of 0, 1 and 2 that is closed gets
  ``/dev/null``, so that no file ``ics`` opens later takes its number. A closed stdin stays
  ``sys.stdin is None`` (``ics resolve`` says so, exit 2); a closed stdout is ``/dev/null``
  opened read-only, so the first write fails and says "standard output is closed" (exit 1); a
  closed stderr is ``/dev/null``: messages vanish, exit codes stay the same.
- **stderr** is re-wrapped over :class:`Messages`: a message that cannot be written (stderr on a
  full disk, ``2>/dev/full``) is dropped, as with a closed stderr, and the exit code is the
  command's own. Characters its encoding lacks become backslash escapes, as Python does.
- **stdout** is re-wrapped as a buffered text stream over :class:`Output`:

  - buffered even under ``PYTHONUNBUFFERED`` (then flushed at every line end), because an
    unbuffered stdout drops the rest of a write the reader closed part-way through and reports
    success (``| head -1`` would exit 0); buffered, the next write fails and ``ics`` exits 141;
  - a write that fails for any other reason (``> /dev/full``, a closed stdout, an I/O error)
    raises :class:`~ics_cli.errors.OutputError`: "Error: Cannot write the output: ..." and exit
    1; later writes are dropped, so nothing fails twice on the way out;
  - characters the output's encoding cannot hold (``PYTHONIOENCODING=ascii``, a Latin-1 locale)
    are written as backslash escapes (``Caf\\xe9``) instead of failing; JSON output is written
    with ``\\u`` escapes instead, so it stays exact (:func:`is_utf`, read by
    :func:`ics_cli.render_flat.json_encoder`).

Imported with the package: ``io``, ``os``, ``sys`` and ``_signal`` only, all loaded with the
interpreter.
"""

from __future__ import annotations

import io
import os
import sys

PROGRAM_NAMES = ("ics", "ics.exe", "ics-script.py")  # and ics_cli/__main__.py, checked by is_program


def is_program() -> bool:
    """Whether this process is the ``ics`` program (the console script or ``python -m ics_cli``)
    rather than a program that imported the package."""
    argv0 = sys.argv[0] if sys.argv else ""
    name = os.path.basename(argv0)
    if name == "__main__.py":
        return os.path.basename(os.path.dirname(argv0)) == "ics_cli"
    return name in PROGRAM_NAMES


def quiet_interrupt() -> None:
    """Ctrl-C ends the process at once and quietly: SIGINT's default action (see above). A process
    started with SIGINT ignored (a background job of a script) keeps ignoring it, as Python does.
    Uses the built-in ``_signal``, loaded with the interpreter (``signal`` takes a millisecond);
    ``ics_cli/__init__.py`` holds a copy for the console script, run before anything else."""
    import _signal

    if _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
        _signal.signal(_signal.SIGINT, _signal.SIG_DFL)


class Output(io.FileIO):
    """stdout's file descriptor: a write that fails (other than a closed pipe) raises
    OutputError once, and every write after that is dropped."""

    failed = False

    def write(self, data) -> int:  # type: ignore[override]
        if self.failed:
            return len(data)
        try:
            return super().write(data)
        except BrokenPipeError:
            raise
        except OSError as err:
            from ics_cli.errors import OutputError

            self.failed = True
            raise OutputError.from_os_error(err) from None


class Messages(io.FileIO):
    """stderr's file descriptor: a write that fails is dropped (messages are not worth an exit
    code of their own)."""

    def write(self, data) -> int:  # type: ignore[override]
        try:
            return super().write(data)
        except OSError:
            return len(data)


def _occupy(fd: int, flags: int) -> bool:
    """Open /dev/null on ``fd`` if it is closed; whether it was."""
    try:
        os.fstat(fd)
        return False
    except OSError:
        pass
    null = os.open(os.devnull, flags)
    if null != fd:
        os.dup2(null, fd)
        os.close(null)
    return True


def is_utf(encoding: str | None) -> bool:
    return (encoding or "").lower().replace("-", "").replace("_", "").startswith("utf")


def prepare() -> None:
    """Set up the standard streams of the ``ics`` program as described above."""
    _occupy(0, os.O_RDONLY)  # sys.stdin stays None when it was closed
    _occupy(1, os.O_RDONLY)  # a closed stdout: every write fails with EBADF
    _occupy(2, os.O_WRONLY)  # a closed stderr: messages go to /dev/null
    err_encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    sys.stderr = io.TextIOWrapper(
        Messages(2, "w", closefd=False), encoding=err_encoding, errors="backslashreplace", write_through=True
    )
    old = sys.stdout
    encoding = getattr(old, "encoding", None) or "utf-8"
    unbuffered = old is not None and (old.line_buffering or getattr(old, "write_through", False))
    # Characters the encoding cannot hold become backslash escapes; with a POSIX locale's
    # surrogateescape, the bytes of a non-UTF-8 argument are written back as they came.
    errors = "surrogateescape" if is_utf(encoding) and getattr(old, "errors", None) == "surrogateescape" else "backslashreplace"
    try:
        raw = Output(1, "w", closefd=False)
    except OSError:  # pragma: no cover - fd 1 was just checked
        return
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(raw), encoding=encoding, errors=errors, line_buffering=bool(unbuffered))
