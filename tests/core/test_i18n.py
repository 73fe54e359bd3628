"""Every Chinese catalogue (project and apps) translates every string, none left fuzzy, and its .mo is current:
Chinese is the default language, so an English fallback on a page is a defect."""

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings

CATALOGUES = sorted(Path(settings.BASE_DIR).glob("*/locale/zh_Hans/LC_MESSAGES/django.po")) + sorted(
    Path(settings.BASE_DIR).glob("locale/zh_Hans/LC_MESSAGES/django.po"))


def entries(po: Path):
    """(msgctxt, msgid, [msgstr...], fuzzy) for each entry of a .po file (enough of the format for this check)."""
    entry, key, fuzzy = {}, None, False
    for raw in po.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if "msgid" in entry:
                translations = [v for k, v in entry.items() if k.startswith("msgstr")]
                yield entry.get("msgctxt"), entry["msgid"], translations, fuzzy
            entry, key, fuzzy = {}, None, False
        elif line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)


def translated_anywhere() -> set[tuple]:
    """(context, msgid) translated in some catalogue: Django merges them, so an app may leave a string to the
    project's catalogue (or another app's)."""
    return {(ctx, msgid) for po in CATALOGUES for ctx, msgid, strs, fuzzy in entries(po) if all(strs) and not fuzzy}


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_every_string_is_translated_and_compiled(po):
    items = [(ctx, msgid, strs) for ctx, msgid, strs, fuzzy in entries(po) if msgid]
    fuzzy = [msgid for ctx, msgid, strs, is_fuzzy in entries(po) if msgid and is_fuzzy]
    known = translated_anywhere()
    missing = [msgid for ctx, msgid, strs in items if not all(strs) and (ctx, msgid) not in known]
    assert not fuzzy, f"fuzzy entries in {po}: {fuzzy[:10]}"
    assert not missing, f"untranslated in {po}: {missing[:10]}"
    with po.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [msgid for ctx, msgid, strs in items
             if all(strs) and (compiled.pgettext(ctx, msgid) if ctx else compiled.gettext(msgid)) != strs[0]
             and "%" not in msgid and not any(k for k in strs[1:])]
    assert not stale, f"{po.with_suffix('.mo')} is older than its .po (run compilemessages): {stale[:10]}"
