"""The "To:" line names the institutions in the page's language (targets/data/
target_names.csv), and in English, marked as such, only where the directory has no name in
that language."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from campaign.demo import load_demo
from campaign.extensions import db
from campaign.targets.models import Target

ENGLISH = ("UN Special Rapporteur on minority issues",
           "UN Working Group on Arbitrary Detention",
           "OSCE High Commissioner on National Minorities")


def to_line(html: str) -> str:
    found = re.search(r'<p class="addressees"[^>]*>(.*?)</p>', html, re.S)
    assert found, "no To: line"
    return found.group(1)


@pytest.mark.parametrize("lang, to, hcnm", [
    ("ru", "Кому:", "Верховный комиссар ОБСЕ по делам национальных меньшинств"),
    ("zh", "致：", "欧安组织少数民族问题高级专员"),
    ("dng", "Кому:", "Верховный комиссар ОБСЕ по делам национальных меньшинств"),
])
@pytest.mark.parametrize("where", ["home", "campaign"])
def test_to_line_is_in_the_page_language(client, app, lang, to, hcnm, where):
    flagship, _email, _password = load_demo()
    path = f"/{lang}/" if where == "home" else f"/{lang}/c/{flagship.slug}"
    line = to_line(client.get(path).get_data(as_text=True))
    # No space after a full-width colon (Chinese); one after a Latin or Cyrillic colon.
    assert line.startswith(f"<strong>{to}</strong>" + ("" if to.endswith("：") else " "))
    assert hcnm in line
    for name in ENGLISH:
        assert name not in line
    assert 'lang="en"' not in line
    # Names are listed as the language lists them: 、 in Chinese, ", " elsewhere.
    assert ("、" in line and ", " not in line) if lang == "zh" else ", " in line


def test_a_name_without_translation_stays_english_and_says_so(client, app):
    flagship, _email, _password = load_demo()
    target = db.session.scalar(select(Target).where(Target.name == ENGLISH[1]))
    target.translations = {code: value for code, value in target.translations.items()
                           if code != "ru"}
    db.session.commit()
    line = to_line(client.get(f"/ru/c/{flagship.slug}").get_data(as_text=True))
    assert f'<span lang="en">{ENGLISH[1]}</span>' in line
    assert "Верховный комиссар ОБСЕ" in line
    english = to_line(client.get(f"/en/c/{flagship.slug}").get_data(as_text=True))
    assert ENGLISH[1] in english and "<span" not in english
