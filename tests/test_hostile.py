"""Hostile input against every command: a deterministic generated corpus of well over 1,000
command lines (empty and blank text, unicode of every awkward sort, SQL and FTS5 fragments, LIKE
wildcards, 100 kB arguments, bad dates, unknown kinds, fields, formats and levels, out-of-range
numbers), run in-process through CliRunner (both the full app and the entry point's
single-command app), plus a sample through the installed ``ics`` command.

For every run: no traceback, an exit code of 0, 1 or 2, and nothing else; nothing on stderr, and
nothing on stdout in table or md output, that a terminal would act on (escape sequences, control
and bidirectional characters: ics_cli.safetext), and no line of an error over 1,000 characters
(the corpus holds escape payloads and 100 kB values for every option). Terminal table output
runs with ICS_FORCE_TTY. The sample through the installed command also runs in hostile
surroundings: an ASCII stdout, a forced terminal, a forced width of ten million, closed stdin or
stderr. After the whole run the database file has the same SHA-256 as before. The runs use a private copy of the real
database (so a rebuild of data/ics.sqlite by someone else cannot disturb the check) and the copy
is what is hashed; the commands open it exactly as they open the real one.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Optional

import pytest
from conftest import ICS_BIN, clean_env, crash_text, make_cli, run_ics

pytestmark = pytest.mark.slow  # over a thousand inputs, and a sample through the installed command

SEED = 20261123
CHUNKS = 16
SUBPROCESS_SAMPLE = 30

# --- the corpus ---------------------------------------------------------------------------------

# Escape sequences and controls that would act on a terminal if echoed raw (issue 16).
ESCAPES = [
    "\x1b]0;PWNED\x07\x1b[2J",  # window title, clear screen
    "\x1b]8;;https://evil.example/\x07QOP\x1b]8;;\x07",  # a hyperlink
    "\x1b[1A\x1b[2KQHM",  # cursor up, erase line
    "\x9b2J\x9d0;x\x9c",  # the same in C1 controls
    "QOP\rNHS Frimley",  # overwrite what was printed
    "QHM\x08\x08\x08QOP",
    "\u202eQHM\u2066",
    "North\u2028Cumbria",
    "\x1bP+q\x1b\\",  # DCS
]
BLANK = ["", " ", "   ", "\t", "\n", " \t\n ", "\r\n", "\u00a0", "\u2003", "\u200b", "\u3000"]
UNICODE = [
    "\u200f",
    "\u202e",
    "\u202eQHM",
    "\u2066QOP\u2069",
    "مرحبا",
    "שלום עולם",
    "日本語",
    "한국어",
    "Ελληνικά",
    "кириллица",
    "😀",
    "👨\u200d👩\u200d👧\u200d👦",
    "🏥 NHS",
    "e\u0301",
    "Z\u0337\u0322\u0349a\u0334l\u0338g\u0336o\u0335",
    "\x01",
    "\x07\x08",
    "\x1b[31mred\x1b[0m",
    "\x7f",
    "\u0085",
    "\u2028",
    "\ufeff",
    "\ufeffQHM",
    "\ufffd",
    "ﬁ",
    "Ⅻ",
    "İstanbul",
    "ß",
    "ǅ",
    "Å",
    "Ｑ Ｈ Ｍ",
    "ＱＨＭ",
    "Greater\u00a0Manchester",
    "Gr\u00e9ater Manchester",
    "\U0001d4e0\U0001d4f7\U0001d4f6",
    "\ud7ff",
]
SQL = [
    "' OR 1=1 --",
    '"; DROP TABLE orgs; --',
    "'; DELETE FROM orgs; --",
    "1; ATTACH DATABASE '/tmp/ics-hostile' AS x; --",
    "') UNION SELECT * FROM sqlite_master --",
    "%' --",
    "Robert'); DROP TABLE names;--",
    "QHM' AND '1'='1",
    "0x00",
    "1 OR 1",
    "; PRAGMA writable_schema=1;",
    "' || (SELECT name FROM sqlite_master) || '",
]
FTS = [
    "NEAR(",
    "NEAR(a b)",
    "*",
    '"',
    '""',
    '"unterminated',
    "AND OR NOT",
    "a AND",
    "OR",
    "NOT x",
    "^",
    "^north",
    "north*",
    "{kind}: x",
    "kind:icb",
    "col:val",
    "-",
    "--",
    "+",
    "(",
    ")",
    "()",
    "a:b:c",
    'a"b',
    "a'b",
    'name:"x"',
    "north NEAR/2 east",
]
LIKE = ["%", "%%", "_", "__", "%_%", "\\", "\\%", "[abc]", "[!a]", "*?", "a%b", "QH_", "Q%"]
ODD = [
    "icb:",
    ":",
    "::",
    "icb:QOP:x",
    "la:",
    "practice:%",
    "ICB:qop",
    "nhs",
    "ICB",
    "CCG",
    "the",
    "and",
    "&",
    "NHS NHS NHS",
    "integrated care board",
    "0",
    "-1",
    "1e9",
    "NaN",
    "None",
    "null",
    "true",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "$(reboot)",
    "`id`",
    "${HOME}",
    "%s%s%n",
    "{0}",
    "-h",
    "--help",
    "--version",
    "-f",
    "--as-of",
]
REAL = [
    "QHM",
    "qhm",
    "02Q",
    "00L",
    "E54000050",
    "Greater Manchester",
    "Village Surgery",
    "nrthumberland",
    "Frimley",
    "QNQ",
    "S1Y5D",
    "A81001",
    "U89141",
    "RTD",
    "Y56",
    "Q44",
    "icb:QOP",
    "la:E08000003",
]
LONG = [
    "a" * 100_000,
    "QHM " * 25_000,
    "é" * 50_000,
    "%" * 100_000,
    '"' * 100_000,
    "😀" * 25_000,
    ("NEAR( " * 16_667)[:100_000],
    "x" * 201,
    "x" * 200,
    "' OR 1=1 -- " * 8_000,
    "north " * 16_000,
]


def texts() -> list[str]:
    rng = random.Random(SEED)
    fragments = BLANK + UNICODE + ESCAPES + SQL + FTS + LIKE + ODD + REAL
    mixed = []
    for _ in range(90):
        parts = rng.sample(fragments, rng.randint(2, 4))
        mixed.append(rng.choice(["", " ", "-", "'", "%"]).join(parts))
    out = fragments + LONG + mixed
    assert all("\x00" not in t for t in out)  # argv cannot hold NUL
    return out


BAD_DATES = [
    "2013-03-31",
    "2099-01-01",
    "2023-02-30",
    "yesterday",
    "1/2/2020",
    "2020-1-1",
    "",
    " ",
    "2020-01-01T00:00",
    "20200101",
    "2020/01/01",
    "２０２０-０１-０１",
    "٢٠٢٠-٠١-٠١",
    "2020-01-01\n",
    "0000-00-00",
    "9999-12-31",
    "-2020-01-01",
    "today",
    "2026-08-02",
    "1e10",
    "x" * 100_000,
    "2020-02-29",
    "2013-04-01",
    "' OR 1=1 --",
]
KINDS = [
    "icbs",
    "ICB",
    "hospitals",
    "",
    " ",
    "sub icb",
    "sub_icb",
    "la",
    "%",
    "icb,ccg",
    "x" * 1000,
    "😀",
    "' OR 1=1 --",
    "practices",
    "PCN",
    "area teams",
    "*",
    "_",
]
FIELDS = [
    "",
    ",",
    "code",
    "code,code",
    "nonsense",
    "code,nonsense",
    " ",
    "name , code",
    "*",
    "%",
    "org_id," * 100,
    "😀",
    '"name"',
    "name;drop",
    "' OR 1=1 --",
    "x" * 100_000,
]
FORMATS = ["json", "xml", "", "JSON", "ndjson", "markdown", "table ", "%", "csv\n", "😀", "x" * 10_000]
NUMBERS = [
    "-1",
    "0",
    "1",
    "2",
    "50",
    "51",
    "1000",
    "1001",
    "99999999999999999999999",
    "1e3",
    "0x10",
    "",
    "abc",
    "-0",
    "+5",
    " 5",
    "٣",
    "5.0",
    "NaN",
]
EVENT_KINDS = [
    "policy",
    "mergers",
    "",
    ",",
    "policy,,split",
    "POLICY",
    "split; DROP",
    "%",
    "merger,split,rename",
    "x" * 100_000,
    "😀",
    " policy ",
]
TARGETS = ["icb", "sub-icb", "region", "stp", "pcn", "ccg", "trust", "", "ICB ", "%", "😀", "x" * 10_000]
ID_COMMANDS = [
    lambda t: ["show", t],
    lambda t: ["lineage", t],
    lambda t: ["timeline", t],
    lambda t: ["list", "icbs", "--in", t],
    lambda t: ["search", t],
    lambda t: ["show", t, "-f", "json"],
    lambda t: ["search", t, "-f", "csv", "-n", "3"],
    lambda t: ["lineage", t, "--up", "--depth", "2", "-f", "json"],
    lambda t: ["list", "practices", "--in", t, "-f", "jsonl"],
    lambda t: ["timeline", t, "--kind", "split", "-f", "md"],
    lambda t: ["resolve", t],
    lambda t: ["map", t],
    lambda t: ["diff", "2022-06-30", "2022-07-01", "--in", t],
    lambda t: ["search", t, "-f", "table"],
    lambda t: ["population", t, "-f", "md"],
    lambda t: ["show", t, "-f", "md"],
    lambda t: ["export", "crosswalk", t, "region"],
    lambda t: ["export", "crosswalk", "region", t, "-f", "jsonl"],
]
TTY = (("ICS_FORCE_TTY", "200"), ("NO_COLOR", "1"))
DATE_COMMANDS = [
    ["show", "QHM"],
    ["list", "icbs"],
    ["lineage", "QNQ"],
    ["timeline"],
    ["search", "north"],
    ["resolve"],
    ["timeline", "QOP"],
    ["map", "QOP"],
]
RECORD_COMMANDS = [
    ["info"],
    ["list", "regions"],
    ["show", "QHM"],
    ["lineage", "QNQ"],
    ["timeline", "--kind", "policy"],
    ["search", "frimley"],
    ["resolve"],
    ["diff", "2026-03-31", "2026-04-01", "--kind", "icb"],
]


@dataclass(frozen=True)
class Case:
    argv: tuple[str, ...]
    input: Optional[str] = None
    single: bool = False
    env: tuple[tuple[str, str], ...] = ()

    def label(self) -> str:
        shown = " ".join(a if len(a) <= 40 else a[:37] + f"...({len(a)} chars)" for a in self.argv)
        env = "".join(f"{k}={v} " for k, v in self.env)
        return repr(env + shown) + (f" <<< {len(self.input)} chars" if self.input is not None else "")

    def for_people(self) -> bool:
        """Whether its stdout is table or md output, which must be safe for a terminal."""
        from ics_cli.terminal import check_format

        fmt = None
        for flag, value in zip(self.argv, self.argv[1:]):
            if flag in ("-f", "--format"):
                try:
                    fmt = check_format(value)
                except Exception:
                    fmt = "bad"
        if fmt is None:
            return dict(self.env).get("ICS_FORCE_TTY") is not None
        return fmt in ("table", "md")


def corpus() -> list[Case]:
    rng = random.Random(SEED)
    cases: list[Case] = []
    all_texts = texts()
    # Each text as an identifier or search text, through one of the commands that take one
    # (rotating), every other one via the entry point's single-command app. Short texts also go
    # through `search` (the fuzzy fallback) and `show` (suggestions).
    for i, text in enumerate(all_texts):
        cases.append(Case(tuple(ID_COMMANDS[i % len(ID_COMMANDS)](text)), single=i % 2 == 1))
    for i, text in enumerate(all_texts[::3]):
        cases.append(
            Case(("search", text, "--kind", "icb") if i % 2 else ("show", text, "--as-of", "2019-06-01"), single=i % 3 == 0)
        )
    # Every text as a line of resolve's input (stdin), in a few batches, and as a CSV column value.
    for batch in range(4):
        lines = [t.replace("\n", " ").replace("\r", " ") for t in all_texts[batch::4]]
        to = ["icb", "region", "sub-icb", "pcn"][batch]
        cases.append(Case(("resolve", "--to", to, "-f", ["json", "csv", "tsv", "md"][batch]), input="\n".join(lines) + "\n"))
    # ... and in table (on a terminal) and md output, where the input column is echoed.
    lines = [t.replace("\n", " ").replace("\r", " ") for t in all_texts if len(t) < 1000]
    cases.append(Case(("resolve", "--to", "icb"), input="\n".join(lines) + "\n", env=TTY))
    cases.append(Case(("resolve", "-f", "md"), input="\n".join(lines) + "\n", single=True))
    cases.append(Case(("resolve", "-f", "table"), input="\n".join(ESCAPES) + "\n"))
    for i, text in enumerate(ESCAPES + UNICODE[:12]):
        cases.append(Case(tuple(ID_COMMANDS[i % len(ID_COMMANDS)](text)), env=TTY, single=i % 2 == 0))
    quoted = "".join('"' + t.replace('"', '""') + '"\n' for t in all_texts if len(t) < 1000)
    cases.append(Case(("resolve", "--column", "id", "--to", "icb"), input="id\n" + quoted))
    cases.append(Case(("resolve", "--column", "x"), input=quoted))
    # Option values.
    for date in BAD_DATES:
        for command in DATE_COMMANDS:
            cases.append(Case((*command, "--as-of", date), input="QHM\n"))
        cases.append(Case(("timeline", "--from", date)))
        cases.append(Case(("timeline", "--to", date), single=True))
        cases.append(Case(("diff", date, "2022-07-01")))
        cases.append(Case(("diff", "2019-01-01", date, "--kind", "icb"), single=True))
    for kind in KINDS:
        cases.append(Case(("list", kind)))
        cases.append(Case(("list", kind, "--as-of", "2019-06-01", "-f", "json"), single=True))
        cases.append(Case(("search", "north", "--kind", kind)))
        cases.append(Case(("diff", "2026-03-31", "2026-04-01", "--kind", kind), single=True))
    for fields in FIELDS:
        for command in RECORD_COMMANDS:
            cases.append(Case((*command, "--fields", fields), input="QHM\n"))
    for fmt in FORMATS:
        for command in RECORD_COMMANDS:
            cases.append(Case((*command, "--format", fmt), input="QHM\n", single=True))
        cases.append(Case(("map", "QOP", "--format", fmt)))
    for number in NUMBERS:
        cases.append(Case(("search", "north", "--limit", number)))
        cases.append(Case(("search", "north", "-n", number), single=True))
        cases.append(Case(("lineage", "13T", "--depth", number)))
        cases.append(Case(("lineage", "13T", "--up", "--depth", number), single=True))
    for kind in EVENT_KINDS:
        cases.append(Case(("timeline", "--kind", kind)))
        cases.append(Case(("timeline", "QNQ", "--kind", kind), single=True))
    for target in TARGETS:
        cases.append(Case(("resolve", "--to", target), input="QHM\n02Q\n"))
        cases.append(Case(("resolve", "--to", target, "--as-of", "2019-06-01"), input="00L\n", single=True))
    # Random command lines: options in odd orders and combinations, values from every pool.
    pools = [all_texts[::4], BAD_DATES, KINDS, FIELDS, FORMATS, NUMBERS, EVENT_KINDS, TARGETS, REAL, REAL]
    options = [
        "--as-of",
        "--format",
        "-f",
        "--fields",
        "--in",
        "--kind",
        "--limit",
        "--depth",
        "--from",
        "--to",
        "--column",
        "--up",
        "--down",
        "--version",
        "--help",
        "--",
        "-",
    ]
    commands = ["info", "list", "show", "lineage", "timeline", "search", "resolve", "diff", "map", "nope", ""]
    for _ in range(300):
        argv = [rng.choice(commands)]
        if argv[0] in ("show", "lineage", "timeline", "search", "map") and rng.random() < 0.7:
            argv.append(rng.choice(REAL))  # mostly real identifiers: the options are what is under test
        for _ in range(rng.randint(0, 4)):
            argv.append(rng.choice(options))
            argv.append(rng.choice(rng.choice(pools)))
        argv = [a for a in argv if a != ""] or [""]
        # Avoid resolve reading a real file by accident: only stdin for resolve.
        if argv[0] == "resolve" and len(argv) > 1 and not argv[1].startswith("-"):
            argv.insert(1, "-")
        cases.append(
            Case(tuple(argv), input=rng.choice([None, "QHM\n", rng.choice(all_texts[:150]) + "\n"]), single=rng.random() < 0.5)
        )
    return cases


CASES = corpus()


def test_corpus_is_large_and_varied():
    assert len(CASES) >= 1000
    args = [a for c in CASES for a in c.argv]
    assert any(len(a) >= 100_000 for a in args)
    assert {"info", "list", "show", "lineage", "timeline", "search", "resolve", "diff", "map"} <= {c.argv[0] for c in CASES}
    assert any(c.single for c in CASES) and any(not c.single for c in CASES)
    assert len(CASES) == len(corpus())  # deterministic


# --- running it -----------------------------------------------------------------------------------


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def hostile_db(db_path, tmp_path_factory):
    copy = tmp_path_factory.mktemp("hostile") / "ics.sqlite"
    shutil.copyfile(db_path, copy)
    assert sha256(copy) == sha256(db_path)
    return copy, sha256(copy), copy.stat().st_mtime_ns


@pytest.fixture(scope="module")
def hostile_cli(hostile_db):
    return make_cli(hostile_db[0])


# What must never reach a terminal (ics_cli.safetext): C0 controls but newline, DEL, C1 controls,
# bidirectional controls, line and paragraph separators, lone surrogates.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def raw_text(text: str) -> Optional[str]:
    found = RAW.search(text)
    return None if found is None else repr(text[max(0, found.start() - 40) : found.end() + 40])


def check(case: Case, exit_code: int, stdout: str, stderr: str, *, stderr_open: bool = True) -> Optional[str]:
    problems = []
    if exit_code not in (0, 1, 2):
        problems.append(f"exit {exit_code}")
    report = crash_text(stdout, stderr)
    if report:
        problems.append("crashed: " + report)
    if exit_code != 0 and not stderr and stderr_open:
        problems.append("failed without a message on stderr")
    raw = raw_text(stderr)
    if raw:
        problems.append(f"raw control characters on stderr: {raw}")
    longest = max((len(line) for line in stderr.split("\n")), default=0)
    if longest > 1_000:
        problems.append(f"a line of {longest} characters on stderr")
    raw = raw_text(stdout) if case.for_people() else None
    if raw:
        problems.append(f"raw control characters in table or md output: {raw}")
    return f"{case.label()}: {'; '.join(problems)}" if problems else None


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_hostile_corpus(hostile_cli, chunk):
    failures = []
    for case in CASES[chunk::CHUNKS]:
        result = hostile_cli(*case.argv, input=case.input, single=case.single, env=dict(case.env), check_crash=False)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            failures.append(f"{case.label()}: raised {result.exception!r}")
            continue
        problem = check(case, result.exit_code, result.stdout, result.stderr)
        if problem:
            failures.append(problem)
    assert failures == []


def subprocess_sample() -> list[Case]:
    rng = random.Random(SEED + 1)
    sample = [c for c in CASES if any(len(a) >= 100_000 for a in c.argv)][:4]
    rest = [c for c in CASES if c not in sample]
    sample += rng.sample(rest, SUBPROCESS_SAMPLE - len(sample))
    return sample


# Where the sample runs: (name, environment, descriptors closed), one after another.
SURROUNDINGS = [
    ("plain", {}, ()),
    ("ascii stdout", {"PYTHONIOENCODING": "ascii"}, ()),
    ("forced terminal", {"ICS_FORCE_TTY": "1", "NO_COLOR": "1"}, ()),
    ("width of ten million", {"ICS_FORCE_TTY": "10000000", "NO_COLOR": "1"}, ()),
    ("stdin closed", {}, (0,)),
    ("stderr closed", {}, (2,)),
]


@pytest.mark.parametrize(
    "n, case", list(enumerate(subprocess_sample())), ids=lambda c: c.label()[:60] if isinstance(c, Case) else ""
)
def test_hostile_sample_through_the_installed_command(hostile_db, n, case, tmp_path):
    name, env, close = SURROUNDINGS[n % len(SURROUNDINGS)]
    env = {**env, **dict(case.env), "ICS_DB": str(hostile_db[0])}
    case = Case(case.argv, case.input, case.single, tuple(sorted(env.items())))

    def closing():
        for fd in close:
            os.close(fd)

    done = subprocess.run(
        [str(ICS_BIN), *case.argv],
        input=None if 0 in close or case.input is None else case.input.encode("utf-8", "surrogateescape"),
        stdin=subprocess.DEVNULL if case.input is None and 0 not in close else None,
        stdout=subprocess.PIPE,
        stderr=None if 2 in close else subprocess.PIPE,
        env=clean_env(env),
        cwd=tmp_path,
        timeout=120,
        preexec_fn=closing if close else None,
    )
    stdout = done.stdout.decode("utf-8", "replace")
    stderr = "" if 2 in close else done.stderr.decode("utf-8", "replace")
    assert len(done.stdout) < 20_000_000, (name, case.label(), len(done.stdout))
    problem = check(case, done.returncode, stdout, stderr, stderr_open=2 not in close)
    assert problem is None, name


INVALID_UTF8_ARGV = (
    [b"show", b"\xff"],
    [b"search", b"\xffnorth"],
    [b"list", b"\xff"],
    [b"show", b"QHM", b"--as-of", b"\xff\xfe"],
    [b"search", b"zz\xff", b"-f", b"table"],
)


@pytest.mark.parametrize("argv", INVALID_UTF8_ARGV, ids=lambda a: repr(b" ".join(a)))
def test_invalid_utf8_arguments(hostile_db, tmp_path, argv):
    env = clean_env({"ICS_DB": str(hostile_db[0])})
    for extra in ({}, {"PYTHONIOENCODING": "utf-8", "ICS_FORCE_TTY": "1"}):
        proc = subprocess.run(
            [os.fsencode(str(ICS_BIN)), *argv], capture_output=True, env={**env, **extra}, cwd=tmp_path, timeout=60
        )
        assert proc.returncode in (0, 1, 2), (argv, extra, proc.stderr[-300:])
        assert crash_text(proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")) is None, (argv, extra)
        assert proc.returncode == 0 or proc.stderr, (argv, extra)


def test_invalid_utf8_on_standard_input(hostile_db, tmp_path):
    done = run_ics("resolve", "--to", "icb", input=b"QHM\n\xff\xfe\nQOP\n", env={"ICS_DB": str(hostile_db[0])}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [line.split("\t")[1] for line in done.stdout.splitlines()[1:]] == ["ok", "not_found", "ok"]


def test_invalid_utf8_on_strict_standard_input(hostile_db, tmp_path):
    # Where stdin decodes strictly (PYTHONIOENCODING=utf-8, or an en_GB.UTF-8 locale), one bad byte
    # once ended resolve with a UnicodeDecodeError traceback.
    env = {"ICS_DB": str(hostile_db[0]), "PYTHONIOENCODING": "utf-8"}
    done = run_ics("resolve", "--to", "icb", input=b"QHM\n\xff\xfe\nQOP\n", env=env, cwd=tmp_path)
    assert "Traceback" not in done.stderr and "UnicodeDecodeError" not in done.stderr
    assert done.returncode == 0
    assert [line.split("\t")[1] for line in done.stdout.splitlines()[1:]] == ["ok", "not_found", "ok"]


def test_database_unchanged_after_the_run(hostile_db):
    path, before, mtime = hostile_db
    assert sha256(path) == before
    assert path.stat().st_mtime_ns == mtime
    leftovers = [p.name for p in path.parent.iterdir() if p.name != path.name]
    assert leftovers == []  # no journal, WAL or shm file was created
