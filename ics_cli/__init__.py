"""ics: answers about NHS England's Integrated Care Systems, from a SQLite database it ships with."""

__version__ = "0.1.0"
DISTRIBUTION = "nhs-ics"  # the name on the package index (`pipx install nhs-ics`); the command is `ics`

# The ics console script makes Ctrl-C end it at once and quietly, before it imports anything else
# (ics_cli.streams.quiet_interrupt, inlined: every millisecond before it is a window for a
# KeyboardInterrupt traceback); `python -m ics_cli` does so in __main__.py. A program that imports
# the package keeps its own Ctrl-C.
import sys as _sys  # noqa: E402

if _sys.argv and _sys.argv[0].replace("\\", "/").rpartition("/")[2] in ("ics", "ics.exe", "ics-script.py"):
    import _signal

    if _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:  # not when started with it ignored
        _signal.signal(_signal.SIGINT, _signal.SIG_DFL)
