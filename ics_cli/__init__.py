"""ics: answers about NHS England's Integrated Care Systems, from a SQLite database it ships with."""

__version__ = "0.1.0"
DISTRIBUTION = "nhs-ics"  # the name on the package index (`pipx install nhs-ics`); the command is `ics`
