"""What organizers, partners' signers and readers see of sources, the map and milestones, in
every interface language: no English left, names and numbers merged, no placeholder."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.milestones import service as milestones
from campaign.outbox.models import OutboxMessage
from campaign.sources import service as sources
from tests.factories import make_campaign, make_signature, make_user

LANGS = ("ru", "kk", "ky", "zh", "fr", "de")
ENGLISH = ["Milestone reached", "confirmed signatures", "milestones page", "with Partner",
           "I also want to hear from", "Where the signers are", "Other countries",
           "Signatures by country", "Countries with fewer than", "none"]
# The milestone e-mail's subject start, the widget's credit, the box, the public map heading.
EXPECTED = {
    "ru": ("Этап пройден: 3", "вместе с Кордай Достар",
           "Я также хочу получать новости от Кордай Достар", "Откуда подписавшие"),
    "kk": ("Кезеңге жеттік:", "Кордай Достар бірге",
           "Мен Кордай Достар ұйымынан да хабар алғым келеді", "Қол қоюшылар қайда"),
    "ky": ("Этапка жеттик:", "Кордай Достар менен бирге",
           "Мен Кордай Достар уюмунан да кабар алгым келет", "Кол койгондор кайда"),
    "zh": ("达到里程碑：", "与 Кордай Достар 一起", "我也想接收 Кордай Достар 的消息",
           "签名者在哪里"),
    "fr": ("Étape atteinte\u00a0: 3", "avec Кордай Достар",
           "Je souhaite aussi avoir des nouvelles de Кордай Достар", "Où sont les signataires"),
    "de": ("Meilenstein erreicht: 3", "mit Кордай Достар",
           "Ich möchte auch von Кордай Достар hören", "Wo die Unterzeichnenden sind"),
}


def no_english_or_markers(text: str, where: str):
    words = [w for w in ENGLISH if re.search(rf"\b{re.escape(w)}\b", text)]
    assert not words, f"English on the {where}: {words}"
    assert "%(" not in text and "{{" not in text and "{%" not in text, where


@pytest.mark.parametrize("lang", LANGS)
def test_milestone_mail_widget_credit_and_public_map_in_language(app, lang):
    subject, credit, box, heading = EXPECTED[lang]
    campaign = make_campaign(locales=(lang, "en"), goal=50)
    user, _ = make_user(campaigns=[campaign])
    milestones.set_milestones(user, campaign, [3])
    origin = "https://dostar.example"
    sources.save_partner(user, campaign.id, name="Кордай Достар", website=origin,
                         origins=[origin], credited=True, api_key_ids=[])
    sources.set_public_map(user, campaign.id, True)
    for _ in range(3):
        make_signature(campaign, country="KZ")
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.kind == "milestone_reached"))
    assert mail.subject.startswith(subject) or subject in mail.subject, mail.subject
    assert f"Title {campaign.slug} {lang}" in mail.subject
    no_english_or_markers(mail.subject + mail.body_text + mail.body_html, f"{lang} e-mail")
    assert f"/organize/c/{campaign.slug}/milestones" in mail.body_text

    client = app.test_client(use_cookies=False)
    widget = client.get(f"/{lang}/c/{campaign.slug}/widget",
                        headers={"Referer": origin + "/"}).get_data(as_text=True)
    assert credit in widget and box in widget
    no_english_or_markers(widget, f"{lang} widget")

    page = app.test_client().get(f"/{lang}/c/{campaign.slug}").get_data(as_text=True)
    section = page.split('class="public-map"')[1].split("</section>")[0]
    assert heading in section
    no_english_or_markers(re.sub(r"<svg.*?</svg>", "", section, flags=re.S),
                          f"{lang} public map")
