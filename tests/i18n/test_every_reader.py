"""Every reader gets the whole story in their language (or a marked fallback, never an empty
block), and Dungan is a language a reader can choose like the others."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from campaign.campaigns import demo
from campaign.campaigns.models import CampaignText
from campaign.demo import load_demo
from campaign.extensions import db
from campaign.i18n import LANGUAGES
from tests.conftest import csrf_from, login
from tests.factories import make_campaign

ALL = ("en", "ru", "kk", "ky", "zh", "fr", "de", "dng")
# How each version says the English text is the original and it is a translation.
ORIGINAL_NOTE = {"en": "This English text is the original", "ru": "переводы",
                 "kk": "аудармалар", "ky": "котормолор", "zh": "均为译文",
                 "fr": "sont des traductions", "de": "sind Übersetzungen",
                 "dng": "ждёт проверки носителем языка"}


def story_of(html: str) -> str:
    body = re.search(r'<div class="campaign-body"[^>]*>(.*?)</div>', html, re.DOTALL).group(1)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.parametrize("code", ALL)
def test_flagship_story_is_whole_in_each_language(client, app, code):
    campaign, _email, _password = load_demo()
    page = client.get(f"/{code}/c/{campaign.slug}").get_data(as_text=True)
    story = story_of(page)
    text = demo.FLAGSHIP_TEXTS[code]
    assert len(story.split()) > 40 or len(story) > 400, code   # a story, not two lines
    for fact in ("2020", "2021", "51", "47", "140", "25", "31", "16"):
        assert fact in story, (code, fact)
    assert ORIGINAL_NOTE[code] in story
    assert text["title"] in page and "not yet available" not in page
    assert "Не вся кампания" not in page
    # The sections: what happened, the verdict, what we ask, sources.
    assert story_of(page).count("\n") and len(re.findall(r"<h2", page.split(
        'class="campaign-body"')[1].split("</article>")[0])) == 4, code


def test_flagship_texts_use_the_reviewers_wording():
    ru = demo.FLAGSHIP_TEXTS["ru"]
    kk = demo.FLAGSHIP_TEXTS["kk"]
    zh = demo.FLAGSHIP_TEXTS["zh"]
    joined = {code: " ".join(t.values()) for code, t in demo.FLAGSHIP_TEXTS.items()}
    assert "длинные сроки" not in joined["ru"] and "длительные сроки" in joined["ru"]
    assert "Киргизи" not in joined["ru"] and "Кыргызстан" in ru["summary"]
    assert "7-нен 8 ақпанға" not in joined["kk"] and "7 ақпаннан 8 ақпанға" in kk["summary"]
    assert "жабық" not in joined["kk"] and "жабык соттордон" not in joined["ky"]
    assert "东干族被告" not in joined["zh"] and "被定罪的东干人" in zh["title"]
    assert "活动" not in joined["zh"] and "： " not in joined["zh"]
    assert "Doungans" not in joined["fr"] and "Dounganes" in joined["fr"]


def test_one_language_campaign_shows_its_text_with_a_translated_notice(client, app):
    campaign = make_campaign(locales=("en",))
    page = client.get(f"/fr/c/{campaign.slug}").get_data(as_text=True)
    assert "Body <strong>en</strong>" in page
    assert "pas encore disponible dans votre langue" in page
    assert f'href="/en/c/{campaign.slug}"' in page and ">English</a>" in page
    assert '<article class="campaign" lang="en">' in page


def test_a_language_without_a_story_borrows_it_with_a_notice(client, app):
    campaign = make_campaign(locales=("en", "de"))
    text = db.session.scalar(select(CampaignText).where(
        CampaignText.campaign_id == campaign.id, CampaignText.locale == "de"))
    text.body_markdown = ""
    db.session.commit()
    page = client.get(f"/de/c/{campaign.slug}").get_data(as_text=True)
    assert f"Title {campaign.slug} de" in page            # the German title stays
    assert "Body <strong>en</strong>" in story_of(page) or "Body" in page
    assert '<div class="campaign-body" lang="en">' in page
    assert "noch nicht in Ihrer Sprache verfügbar" in page and "English" in page


def test_dungan_is_in_the_switcher_and_hreflang(client, app):
    campaign = make_campaign(locales=("en", "dng"))
    page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    switcher = page.split('class="languages"')[1].split("</nav>")[0]
    assert 'hreflang="dng"' in switcher and LANGUAGES["dng"].native_name in switcher
    assert f'/dng/language?next=/dng/c/{campaign.slug}' in switcher.replace("%2F", "/")
    assert re.search(rf'<link rel="alternate" hreflang="dng" href="http://[^/"]+/dng/c/'
                     rf'{campaign.slug}">', page)
    dng = client.get(f"/dng/c/{campaign.slug}").get_data(as_text=True)
    assert '<html lang="ru">' in dng        # the interface falls back to Russian
    assert f"Title {campaign.slug} dng" in dng and 'aria-current="true">Хуэйзў' in dng


def test_dungan_is_picked_from_accept_language_and_from_the_cookie(client, app):
    response = client.get("/", headers={"Accept-Language": "dng"})
    assert response.status_code == 302 and response.location.endswith("/dng/")
    response = client.get("/", headers={"Accept-Language": "dng, ru;q=0.8"})
    assert response.location.endswith("/dng/")
    client.get("/dng/language?next=/dng/")
    response = client.get("/", headers={"Accept-Language": "de"})
    assert response.location.endswith("/dng/")


def test_dungan_review_note_is_shown_to_organizers_until_marked(client, app):
    campaign, email, password = load_demo()
    login(client, email, password)
    url = f"/organize/c/{campaign.slug}/page"
    page = client.get(url).get_data(as_text=True)
    note = demo.FLAGSHIP_REVIEW_NOTES["dng"]
    assert note in html.unescape(page) and "Awaiting review" in page
    text_page = html.unescape(client.get(
        f"/organize/c/{campaign.slug}/texts/dng").get_data(as_text=True))
    assert note in text_page
    assert "Awaiting review" not in client.get(
        f"/organize/c/{campaign.slug}/texts/ru").get_data(as_text=True)
    response = client.post(f"{url}/reviewed", data={"csrf_token": csrf_from(page),
                                                    "locale": "dng"})
    assert response.status_code == 303
    assert "Awaiting review" not in client.get(url).get_data(as_text=True)
    again = client.post(f"{url}/reviewed", data={"csrf_token": csrf_from(page),
                                                 "locale": "dng"})
    assert again.status_code == 404
