"""``python -m ics_cli``: the same as the ``ics`` command."""

from ics_cli import streams

if __name__ == "__main__" and streams.is_program():  # Ctrl-C is quiet from here on (ics_cli.streams)
    streams.quiet_interrupt()

from ics_cli.entry import main  # noqa: E402

if __name__ == "__main__":
    main()
