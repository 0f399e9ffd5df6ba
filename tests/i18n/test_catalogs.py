"""The catalogs are complete and current, and the check that says so can fail."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
LANGUAGES = ["en", "ru", "kk", "ky", "zh", "fr", "de"]


def _load_check():
    spec = importlib.util.spec_from_file_location("translations_check",
                                                  TRANSLATIONS / "check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check = _load_check()


def test_every_interface_language_has_a_catalog():
    assert sorted(check.po_files()) == sorted(LANGUAGES)


def test_catalogs_match_the_code_are_fully_translated_and_compiled():
    """Fails when a string was added or changed without `check.py update`, when an entry is
    untranslated or fuzzy, or when translations/*/messages.mo (what the app loads) is missing
    or stale: run `python translations/check.py update`, translate, then
    `pybabel compile -d translations`."""
    problems = check.problems()
    assert not problems, "\n".join(problems)


@pytest.fixture
def spoiled(tmp_path):
    """A copy of the catalogs, compiled, then spoiled in four ways."""
    root = tmp_path / "translations"
    for code, po_path in check.po_files().items():
        target = root / code / "LC_MESSAGES" / "messages.po"
        target.parent.mkdir(parents=True)
        shutil.copy(po_path, target)
        with po_path.open("rb") as fp:
            catalog = read_po(fp)
        with target.with_suffix(".mo").open("wb") as fp:
            write_mo(fp, catalog)

    def edit(code, change):
        path = root / code / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as fp:
            catalog = read_po(fp)
        change(catalog)
        with path.open("wb") as fp:
            write_po(fp, catalog)

    def make_fuzzy(catalog):
        catalog["Full name"].flags.add("fuzzy")

    def untranslate(catalog):
        catalog["Check your inbox"].string = ""

    def retranslate(catalog):
        catalog["Sign"].string = "Подписаться"

    def break_placeholder(catalog):
        catalog["Hello %(name)s,"].string = "Guten Tag %(nom)s,"

    edit("fr", make_fuzzy)
    edit("kk", untranslate)
    edit("ru", retranslate)  # .po changed, .mo not recompiled
    edit("de", break_placeholder)
    (root / "zh" / "LC_MESSAGES" / "messages.mo").unlink()
    return root


def test_the_check_reports_fuzzy_untranslated_stale_missing_and_bad_placeholders(spoiled):
    problems = "\n".join(check.catalog_problems(spoiled, check.POT))
    assert "fr: 'Full name' is fuzzy" in problems
    assert "kk: 'Check your inbox' is untranslated" in problems
    assert "ru: messages.mo is stale" in problems
    assert "zh: translations/zh/LC_MESSAGES/messages.mo is missing" in problems
    assert "de: 'Hello %(name)s,': placeholders" in problems
    assert "en:" not in problems and "ky:" not in problems


def test_the_check_reports_strings_the_pot_lacks(tmp_path):
    with check.POT.open("rb") as fp:
        template = read_po(fp)
    template.delete("Check your inbox")
    old = tmp_path / "old.pot"
    with old.open("wb") as fp:
        write_po(fp, template)
    problems = check.pot_problems(old)
    assert problems == [("messages.pot lacks 'Check your inbox' "
                         "(run: python translations/check.py update)")]


def test_plural_forms_follow_cldr():
    counts = {code: read_po((TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb")
                            ).num_plurals for code in LANGUAGES}
    assert counts == {"en": 2, "ru": 3, "kk": 2, "ky": 2, "zh": 1, "fr": 2, "de": 2}
