"""Step 2 of the data pipeline (scripts/build_db.py): validate.py (the invariants; expected.py and
consistency.py hold the checks on counts and on the data over time, practice_checks.py those on
the GP practices' and PCNs' CCG history against its editions) and derive.py (the tables the
build derives). The tables themselves are described once, in scripts/schema.py."""
