"""``python -m ics_cli``: the same as the ``ics`` command."""

from ics_cli.entry import main

if __name__ == "__main__":
    main()
