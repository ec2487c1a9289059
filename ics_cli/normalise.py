"""Normalised keys for names and codes, shared by the build (which stores them in the `lookup`
table) and the CLI (which normalises what the user typed the same way).

"NHS Frimley ICB", "Frimley Integrated Care Board" and "frimley" all become "frimley"; "NHS
Bassetlaw CCG" becomes "bassetlaw"; "E54000057" becomes "e54000057". Only the standard library.
"""

from __future__ import annotations

import re

# Words that say what kind of body a name belongs to rather than which one. Longest first.
_NOISE = (
    "integrated care board",
    "clinical commissioning group",
    "sub icb location",
    "sub-icb location",
    "integrated care system",
    "nhs england",
    "nhs",
    "icb",
    "ccg",
    "ics",
)
_NOISE_RE = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in _NOISE) + r")\b")
_PUNCT_RE = re.compile(r"[^0-9a-z]+")


def org_id_form(text: str) -> str:
    """An org id as typed ("ICB:qop", " icb : QOP") in its stored form ("icb:QOP")."""
    kind, _, key = text.partition(":")
    return f"{kind.strip().lower()}:{key.strip().upper()}"


def normalise(text: str) -> str:
    """Lower-case, ASCII, '&' as 'and', noise words and punctuation dropped, spaces collapsed."""
    text = text or ""
    if not text.isascii():
        import unicodedata

        # Accents go ("Café" is "cafe"); undecodable bytes (U+FFFD) split words rather than vanish.
        text = unicodedata.normalize("NFKD", text.replace("\ufffd", " ")).encode("ascii", "ignore").decode("ascii")
    text = text.lower()
    # Apostrophes join rather than split: "Guy's" and "Guys" are one word.
    text = text.replace("'", "").replace("\u2019", "").replace("`", "")
    text = text.replace("&", " and ")
    text = _NOISE_RE.sub(" ", text)
    text = _PUNCT_RE.sub(" ", text)
    words = text.split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)
