"""The README stays true: its example outputs match what the commands print now, it gives the
two set-up commands, and it shows every command."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT, clean_env

README = ROOT / "README.md"
SETUP = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[dev]' && ics show \"Greater Manchester\"",
    ".venv/bin/python -m pytest -q",
)


def readme() -> str:
    return README.read_text(encoding="utf-8")


@pytest.mark.slow
def test_readme_examples_are_current():
    done = subprocess.run(
        [sys.executable, "scripts/readme_examples.py"], cwd=ROOT, capture_output=True, text=True, env=clean_env(), timeout=600
    )
    assert done.returncode == 0, (
        "README examples are stale (python scripts/readme_examples.py --write):\n" + done.stdout + done.stderr
    )


def test_setup_commands():
    text = readme()
    block = re.search(r"## Set up\n(.*?)\n## ", text, re.S)
    assert block, "no '## Set up' section"
    for command in SETUP:
        assert command in block.group(1), command


def test_every_command_is_in_the_readme():
    from ics_cli.cli import app

    names = {c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands}
    assert names >= {"info", "list", "show", "lineage", "timeline", "search", "resolve"}
    text = readme()
    for name in sorted(names):
        assert re.search(rf"`ics {re.escape(name)}\b", text), f"`ics {name}` is not in the README's command table"
        assert re.search(rf"^\$ .*\bics {re.escape(name)}\b", text, re.M) or name == "info", f"no example of ics {name}"


def test_readme_documents_exit_codes_and_formats():
    text = readme()
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 141 |"):
        assert code in text
    for fmt in ("table", "json", "jsonl", "csv", "tsv", "md"):
        assert f"`{fmt}`" in text
    assert "NO_COLOR" in text and "ICS_FORCE_TTY" in text and "ICS_DB" in text


def test_readme_counts_match_the_database(conn):
    text = " ".join(readme().split())
    m = re.search(r"It knows (.*?) from April 2013", text)
    assert m, "the README's 'It knows ...' sentence is gone"
    sentence = m.group(1)

    def said(label: str) -> int:
        found = re.search(rf"([\d,]+) {re.escape(label)}\b", sentence)
        assert found, f"the README no longer counts {label}"
        return int(found.group(1).replace(",", ""))

    counts = {r["kind"]: r["n"] for r in conn.execute("SELECT kind, count(*) AS n FROM orgs GROUP BY kind")}
    kinds = {
        "NHS England regions": "region",
        "area teams": "area_team",
        "STPs": "stp",
        "CCGs": "ccg",
        "ICBs": "icb",
        "sub-ICB locations": "sub_icb",
        "local authorities": "la",
        "NHS trusts": "trust",
        "PCNs": "pcn",
        "GP practices": "practice",
    }
    assert {label: said(label) for label in kinds} == {label: counts[kind] for label, kind in kinds.items()}
    successions = conn.execute("SELECT count(*) AS n FROM successions").fetchone()["n"]
    assert said("recorded successions") == successions


def test_every_exit_code_is_documented_alike():
    """The codes of ics_cli.errors are in its table, the README's and `ics --help`'s epilog."""
    from ics_cli import entry, errors

    codes = [errors.OK, errors.FAILURE, errors.USAGE, errors.INTERRUPTED, errors.BROKEN_PIPE]
    text = readme()
    for code in codes:
        assert f"| {code} |" in text, code
        assert re.search(rf"^{code}\s+[A-Z_]+\s", errors.__doc__, re.M), code
        assert re.search(rf"\b{code} ", entry.EPILOG), code
