"""The console-script entry point (``ics``, ``python -m ics_cli``): the app's click group, its
settings, the single-command fast path and :func:`main`.

The commands themselves are in :mod:`ics_cli.cli`; this module turns what they raise into the
documented exits (see :mod:`ics_cli.errors`): IcsError to ``Error: ...`` and its code, a closed
pipe to 141, Ctrl-C to 130, and any other exception to one ``internal error`` line (never a
traceback; ``ICS_DEBUG=1`` shows it). Click's own usage errors echo the value given: long values
are cut there too (:func:`ics_cli.safetext.shorten_words`).

Run as the ``ics`` program, Ctrl-C ends the process quietly from the moment the package is
imported, before Typer and the rest (``ics_cli/__init__.py``); :func:`main` then sets up the
standard streams (:mod:`ics_cli.streams`).
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer.core import TyperGroup

from ics_cli import errors, streams
from ics_cli.errors import IcsError

EPILOG = (
    "Exit codes: 0 ok (an empty result too), 1 not found, ambiguous or failed (a missing or wrong database, "
    "output that cannot be written), 2 usage error, 130 interrupted (Ctrl-C), 141 output closed early (| head)."
)


def _cut_click_message(err: Exception) -> None:
    """Click's usage errors echo the value given: make it safe, and cut a long one. (Click's
    exceptions come from ``click`` or, in newer Typer, its vendored copy: known by class name.)"""
    if not any(c.__name__ == "ClickException" for c in type(err).__mro__):
        return
    from ics_cli.safetext import safe, shorten_words

    message = getattr(err, "message", None)
    if isinstance(message, str):
        err.message = shorten_words(safe(message))


class IcsGroup(TyperGroup):
    """The app's click group: turns IcsError and broken pipes into quiet, documented exits.

    ``main`` is also what ``CliRunner`` calls, so tests see the same messages and exit codes.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except SystemExit as done:
            # Click ends a closed pipe met while printing --help or --version with exit 1, after
            # wrapping stdout in its PacifyFlushWrapper: report it as the broken pipe it is.
            if done.code == 1 and type(sys.stdout).__name__ == "PacifyFlushWrapper":
                raise SystemExit(errors.BROKEN_PIPE) from None
            raise
        except IcsError as err:
            errors.exit_with(err)
        except KeyboardInterrupt:
            raise SystemExit(errors.INTERRUPTED) from None
        except BrokenPipeError:  # while printing --version or --help, before any command runs
            errors.exit_broken_pipe()
        except Exception as err:  # a bug: say so in one line, never a traceback (ICS_DEBUG=1 shows it)
            import os

            if os.environ.get("ICS_DEBUG"):
                raise
            errors.exit_with(
                IcsError(
                    f"internal error ({type(err).__name__}: {err}).",
                    hint="This is a bug in ics; run again with ICS_DEBUG=1 to see where it happened.",
                )
            )

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except Exception as err:
            _cut_click_message(err)
            raise

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a closed pipe must fail here, not at interpreter exit
            return result
        except BrokenPipeError:
            errors.silence_stdout()
            raise typer.Exit(errors.BROKEN_PIPE) from None
        except IcsError:
            raise
        except Exception as err:
            _cut_click_message(err)
            raise


APP_SETTINGS: dict[str, Any] = dict(
    name="ics",
    cls=IcsGroup,
    epilog=EPILOG,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    # Plain Click help and usage errors: "Error: ..." on one line like every other error, the same
    # on a terminal and in a pipe, and no Rich import for --help.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def app_for(argv: list[str], app: typer.Typer | None = None) -> typer.Typer:
    """The app to run: when the command line names one command, an app holding only that command.

    Typer builds every registered command's parameters before it parses anything; doing that for
    one command instead of all of them saves a tenth of a lookup's start-up. ``--help``, ``--version``
    and unknown commands get the whole app (and its help or suggestions). ``app`` defaults to
    :data:`ics_cli.cli.app`."""
    if app is None:
        from ics_cli import cli

        app = cli.app
    first = next((a for a in argv if not a.startswith("-")), None)
    if first is None or argv[0].startswith("-"):
        return app
    chosen = [c for c in app.registered_commands if (c.name or c.callback.__name__.replace("_", "-")) == first]
    if not chosen:
        return app
    single = typer.Typer(**{**APP_SETTINGS, "cls": app.info.cls or IcsGroup})
    single.registered_commands = chosen
    if app.registered_callback is not None:
        single.registered_callback = app.registered_callback
    else:  # a callback keeps it a group, so the command name is still parsed as one
        single.callback()(lambda: None)
    return single


def main() -> None:
    """Console-script entry point (``ics``, ``python -m ics_cli``).

    Ends with ``os._exit``: the database is read-only and nothing needs tidying, and skipping the
    interpreter's shutdown saves about a tenth of a lookup's time. Output is flushed first."""
    code: Any = 0
    streams.prepare()  # closed descriptors, stdout's buffering, encoding and write errors
    try:
        try:
            app_for(sys.argv[1:])()
        except IcsError as err:  # raised outside a command (IcsGroup handles the rest)
            errors.exit_with(err)
        except BrokenPipeError:
            errors.exit_broken_pipe()
    except SystemExit as done:
        code = done.code
    errors.fast_exit(code)
