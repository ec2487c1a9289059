"""Kept only for scripts/dbbuild/derive.py, which reads these two names until the build words its
own event titles (issue 14). Everything in ics_cli uses :mod:`ics_cli.vocab`."""

from ics_cli.vocab import KINDS, SHORT_LABEL

__all__ = ["KINDS", "SHORT_LABEL"]
