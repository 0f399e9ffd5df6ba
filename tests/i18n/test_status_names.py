"""Status codes (live, draft, pending, ...) never show raw inside a translated page: the
console's pages and the public data page, read in Russian."""
from __future__ import annotations

import re
from html import unescape

import pytest

from campaign import emails
from campaign.extensions import db
from campaign.petitions.console import updates
from campaign.status_labels import STATUS_LABELS, status_label
from tests.conftest import login
from tests.donations.conftest import make_donation
from tests.factories import make_campaign, make_signature, make_user

CODES = sorted({code for labels in STATUS_LABELS.values() for code in labels})
RAW = re.compile(r"\b(" + "|".join(CODES) + r")\b")


def visible_text(html: str) -> str:
    """What a reader sees: no tags, no attribute values, no scripts or styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_every_code_has_a_russian_label(app):
    from campaign import i18n
    with app.test_request_context(), i18n.force_language("ru"):
        for kind, labels in STATUS_LABELS.items():
            for code in labels:
                label = status_label(kind, code)
                assert label != code and re.search("[а-яё]", label), (kind, code, label)
        assert status_label("campaign", "unknown-code") == "unknown-code"


@pytest.mark.parametrize("campaign_status", ["live", "draft", "closed"])
def test_console_and_data_pages_in_russian_show_no_raw_status(app, client, campaign_status):
    campaign = make_campaign(locales=("ru",))
    user, password = make_user(campaigns=[campaign])
    make_signature(campaign, email="reader@example.org", locale="ru", updates=True)
    make_signature(campaign, email="waiting@example.org", confirmed=False)
    campaign.status = campaign_status
    make_donation(campaign, donor_name="Донор")
    item = updates.save(user, campaign, {"ru": {"subject": "Новость", "body": "Текст"}})
    db.session.commit()
    login(client, user.email, password)
    ru = {"Accept-Language": "ru"}
    base = f"/organize/c/{campaign.slug}"
    pages = ["/organize/", f"{base}/", f"{base}/signatures", f"{base}/updates",
             f"{base}/updates/{item.id}", f"{base}/letters", f"{base}/donations"]
    for path in pages:
        response = client.get(path, headers=ru, follow_redirects=True)
        assert response.status_code == 200, path
        text = visible_text(response.get_data(as_text=True))
        found = RAW.search(text)
        assert not found, (path, text[max(found.start() - 80, 0):found.end() + 80])
    home = visible_text(client.get(f"{base}/", headers=ru).get_data(as_text=True))
    expected = {"live": "идёт сбор подписей", "draft": "черновик", "closed": "закрыта"}
    assert f"({expected[campaign_status]})" in home
    # The public page a signer gets to see and delete their data.
    data_url = emails.address_links("waiting@example.org")["data_url"]
    page = client.get(data_url.removeprefix(app.config["SITE_URL"]), headers=ru)
    assert page.status_code == 200
    text = visible_text(page.get_data(as_text=True))
    assert "ждёт подтверждения" in text and not RAW.search(text), RAW.search(text)
