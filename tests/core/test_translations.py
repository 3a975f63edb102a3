"""The Chinese catalogue is complete and its compiled .mo matches the .po."""

import gettext
import re
from pathlib import Path

import pytest

import uplift

LOCALES = Path(uplift.__file__).parent / "locale"


ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(lines: list[str]) -> str:
    raw = "".join(re.match(r'^"(.*)"$', line).group(1) for line in lines)
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(0)), raw)


def parse_po(text: str) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) per entry; plural entries give msgid and msgstr[0]."""
    entries = []
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, list[str]] = {}
        key = None
        for line in lines:
            if line.startswith("#"):
                continue
            m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[0\])?|msgstr\[\d+\]) (".*")$', line)
            if m:
                key = m.group(1)
                fields[key] = [m.group(2)]
            elif key:
                fields[key].append(line)
        if "msgid" in fields:
            msgstr = fields.get("msgstr") or fields.get("msgstr[0]") or ['""']
            msgid = _unquote(fields["msgid"])
            if "msgctxt" in fields:  # GNUTranslations keys a contextual entry by "context\x04msgid"
                msgid = f"{_unquote(fields['msgctxt'])}\x04{msgid}"
            # GNUTranslations keys a plural entry by (msgid, index).
            entries.append(((msgid, 0) if "msgid_plural" in fields else msgid, _unquote(msgstr), fuzzy))
    return entries


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant"])
def test_every_message_is_translated_and_compiled(language):
    LOCALE = LOCALES / language / "LC_MESSAGES"
    entries = [e for e in parse_po((LOCALE / "django.po").read_text(encoding="utf-8")) if e[0]]
    assert len(entries) > 200
    untranslated = [msgid for msgid, msgstr, _ in entries if not msgstr]
    fuzzy = [msgid for msgid, _, is_fuzzy in entries if is_fuzzy]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"
    with open(LOCALE / "django.mo", "rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    stale = [msgid for msgid, msgstr, _ in entries if catalogue._catalog.get(msgid, msgstr) != msgstr]
    missing = [msgid for msgid, _, _ in entries if msgid not in catalogue._catalog]
    assert not missing and not stale, "django.mo is out of date: run `make messages`"


def test_traditional_catalogue_follows_the_simplified_one():
    """zh_Hant is generated from zh_Hans (scripts/hant_from_hans.py): same messages, converted."""
    hans, hant = (
        parse_po((LOCALES / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))
        for lang in ("zh_Hans", "zh_Hant")
    )
    assert [e[0] for e in hans] == [e[0] for e in hant], "run `make messages`"
    pairs = dict((e[0], e[1]) for e in hant)
    assert pairs["Enterprises served"] == "服務企業數"


def test_pages_speak_the_chosen_language(w, client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(w.officer)
    assert "服务企业数" in client.get("/programmes/hubei-2018/dashboard/").content.decode()
    client.cookies["django_language"] = "zh-hant"
    assert "服務企業數" in client.get("/programmes/hubei-2018/dashboard/").content.decode()
    client.cookies["django_language"] = "en"
    assert "Enterprises served" in client.get("/programmes/hubei-2018/dashboard/").content.decode()
