"""The Chinese catalog is complete and compiled: every message of the .po is translated in the
committed .mo that a fresh clone uses (no gettext tools needed to run Xianjie)."""

import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries():
    """(context, msgid, msgstr) of each entry, from the .po text."""
    text = PO.read_text(encoding="utf-8")
    for block in text.split("\n\n")[1:]:
        if block.lstrip().startswith("#~"):
            continue

        def field(name, block=block):
            match = re.search(rf'^{name} ((?:".*"\n?)+)', block, re.M)
            return (
                "".join(re.findall(r'"(.*)"', match.group(1)))
                .encode()
                .decode("unicode_escape")
                .encode("latin-1")
                .decode()
                if match
                else None
            )

        msgid = field("msgid")
        if msgid:
            translated = field("msgstr") or field(r"msgstr\[0\]")  # a plural's one form (nplurals=1)
            yield field("msgctxt"), msgid, translated, "#, fuzzy" in block


def test_every_message_is_translated_and_none_is_fuzzy():
    items = list(entries())
    assert len(items) > 300
    assert [m for _c, m, s, _f in items if not s] == []
    assert [m for _c, m, _s, fuzzy in items if fuzzy] == []


def test_the_compiled_catalog_matches_the_po():
    with translation.override("zh-hans"):
        wrong = [
            msgid
            for ctx, msgid, msgstr, _fuzzy in entries()
            if "%(" not in msgid and (translation.pgettext(ctx, msgid) if ctx else translation.gettext(msgid)) != msgstr
        ]
    assert wrong == []


def test_english_is_available():
    with translation.override("en"):
        assert translation.gettext("Missing: %(kinds)s.") == "Missing: %(kinds)s."
    with translation.override("zh-hans"):
        assert translation.gettext("Missing: %(kinds)s.") == "缺少：%(kinds)s。"
