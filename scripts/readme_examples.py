#!/usr/bin/env python3
"""Keep the README's examples true: run every `$ ics ...` command in its ```console blocks and
compare (or, with --write, replace) the output shown under it.

    python scripts/readme_examples.py          # exit 1 and show the first difference if any
    python scripts/readme_examples.py --write  # refresh README.md in place

A block preceded by `<!-- terminal -->` runs as if on a 100-column terminal (ICS_FORCE_TTY=100);
every block runs with NO_COLOR=1. tests/test_readme.py runs the check.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK_RE = re.compile(r"(?P<marker><!-- terminal -->\n)?```console\n(?P<body>.*?)```", re.S)


def run(command: str, terminal: bool) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("ICS_FORCE_TTY", "CLICOLOR_FORCE", "COLUMNS")}
    env.update(NO_COLOR="1", PYTHONIOENCODING="utf-8")
    if terminal:
        env["ICS_FORCE_TTY"] = "100"
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    done = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    return done.stdout + done.stderr


def render_block(body: str, terminal: bool) -> str:
    """The block with every command's output replaced by what the command prints now."""
    out: list[str] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            out.append(line)
            text = run(line[2:], terminal).rstrip("\n")
            out.extend(line.rstrip() for line in text.splitlines())
    return "\n".join(out) + "\n"


def refreshed(text: str) -> str:
    def replace(m: re.Match) -> str:
        terminal = bool(m.group("marker"))
        if not any(line.startswith("$ ") for line in m.group("body").splitlines()):
            return m.group(0)
        return (m.group("marker") or "") + "```console\n" + render_block(m.group("body"), terminal) + "```"

    return BLOCK_RE.sub(replace, text)


def main() -> int:
    text = README.read_text(encoding="utf-8")
    new = refreshed(text)
    if "--write" in sys.argv[1:]:
        README.write_text(new, encoding="utf-8")
        return 0
    if new != text:
        import difflib

        diff = difflib.unified_diff(text.splitlines(), new.splitlines(), "README.md", "README.md (now)", lineterm="", n=2)
        print("\n".join(list(diff)[:60]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
