"""ics: answers about NHS England's Integrated Care Systems, from a SQLite database it ships with."""

__version__ = "0.1.0"
