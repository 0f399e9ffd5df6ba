"""Updates to supporters: Markdown to HTML and text, preview per language, test send, confirm
step, segments, suppression, idempotent sending, scheduled sending, the per-update report."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from campaign.extensions import db
from campaign.organizers.models import CampaignUpdate, CampaignUpdateRecipient
from campaign.outbox import service as outbox
from campaign.outbox import suppression
from campaign.outbox.models import OutboxMessage
from campaign.petitions import service as petitions
from campaign.petitions.console import update_markdown, updates
from campaign.petitions.models import Signature
from campaign.util import utcnow
from tests.conftest import csrf_from, login
from tests.factories import make_campaign, make_signature, make_user
from tests.organizers.conftest import post_form

CRLF_BODY = ("Dear friends,\r\n\r\nWe **delivered** the petition to the\r\nprosecutor.\r\n\r\n"
             "Read [the letter](https://korday.example/letter) and share it:\r\n\r\n"
             "- in Almaty\r\n- in Bishkek\r\n")


def _html_part(message) -> str:
    return message.get_body(("html",)).get_content()


def _text_part(message) -> str:
    return message.get_body(("plain",)).get_content()


def _organizer(client, campaign):
    user, password = make_user(campaigns=[campaign], email="organizer@example.org")
    login(client, user.email, password)
    return user


def _draft(client, slug, **texts) -> int:
    response = post_form(client, f"/organize/c/{slug}/updates", texts)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/updates/(\d+)$", response.headers["Location"]).group(1))


# --- Markdown ------------------------------------------------------------------------------

def test_markdown_from_crlf_gives_paragraphs_bold_links_and_readable_text(app):
    html = update_markdown.to_html(CRLF_BODY)
    assert html.count("<p>") == 3 and "<strong>delivered</strong>" in html
    assert '<a href="https://korday.example/letter"' in html and "<li>in Almaty</li>" in html
    assert "\r" not in html and "**" not in html
    text = update_markdown.to_text(CRLF_BODY)
    assert text == ("Dear friends,\n\nWe delivered the petition to the\nprosecutor.\n\n"
                    "Read the letter <https://korday.example/letter> and share it:\n\n"
                    "- in Almaty\n- in Bishkek")
    # CR alone (old Mac) and LF read the same.
    assert update_markdown.to_html(CRLF_BODY.replace("\r\n", "\r")) == html
    assert update_markdown.to_text(CRLF_BODY.replace("\r\n", "\n")) == text


def test_hostile_markdown_is_sanitised(app):
    hostile = ("<script>alert(1)</script>\r\n\r\n[click](javascript:alert(2)) "
               "<img src=x onerror=alert(3)> [data](data:text/html;base64,PHNjcmlwdD4=)\r\n\r\n"
               '<a href="https://evil.example" onclick="x()">raw</a> '
               "![pixel](https://tracker.example/p.png) [ok](https://korday.example/)")
    html = update_markdown.to_html(hostile)
    assert "<script" not in html and "<img" not in html and "<a href=\"https://evil" not in html
    assert 'href="javascript' not in html and 'href="data:' not in html
    assert "onclick=" not in html.replace('onclick="x()"&gt;', "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, never run
    # An image becomes a plain link: nothing loads from a third party when the mail opens.
    assert '!<a href="https://tracker.example/p.png" rel="noopener noreferrer nofollow">pixel' \
        in html
    assert '<a href="https://korday.example/" rel="noopener noreferrer nofollow">ok</a>' in html
    # The text part is text/plain: the same characters are harmless there.
    assert update_markdown.to_text(hostile).startswith("<script>alert(1)</script>\n\n")


# --- the organizer's path, through a real SMTP server -------------------------------------

def test_write_preview_test_confirm_and_send_over_smtp(smtp_app, client, smtp_server):
    campaign = make_campaign("korday-news", locales=("en", "ru"))
    ru = make_signature(campaign, email="ru@example.org", locale="ru", country="KZ",
                        updates=True)
    en = make_signature(campaign, email="en@example.org", locale="en", country="DE",
                        updates=True)
    make_signature(campaign, email="quiet@example.org", locale="ru")  # no news asked
    organizer = _organizer(client, campaign)
    outbox.work(once=True)  # confirmation links and the like, out of the way
    smtp_server.messages.clear()
    update_id = _draft(client, campaign.slug,
                       subject_en="We delivered it", body_en=CRLF_BODY,
                       subject_ru="Мы передали петицию",
                       body_ru="Мы **передали** петицию.\r\n\r\n[Письмо](https://korday.example/ru)")

    # Preview in each written language, HTML and text.
    page = client.get(f"/organize/c/{campaign.slug}/updates/{update_id}").get_data(as_text=True)
    assert '<div lang="ru">' in page and '<div lang="en">' in page
    assert "<strong>передали</strong>" in page and "<strong>delivered</strong>" in page
    assert "Мы передали петицию" in page and "**" not in page.split("markdown-help")[0]

    # Test send: the organizer alone, one copy per language.
    response = post_form(client, f"/organize/c/{campaign.slug}/updates/{update_id}", {},
                         f"/organize/c/{campaign.slug}/updates/{update_id}/test")
    assert response.status_code == 302
    outbox.work(once=True)
    assert {m["To"] for m in smtp_server.messages} == {organizer.email}
    assert sorted(m["Subject"] for m in smtp_server.messages) == [
        "[Test] We delivered it", "[Тест] Мы передали петицию"]
    db.session.expire_all()
    assert db.session.get(CampaignUpdate, update_id).sent_at is None  # a test is no send
    smtp_server.messages.clear()

    # Confirm: how many, in which language.
    confirm = client.get(f"/organize/c/{campaign.slug}/updates/{update_id}/confirm")
    body = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "2 people will receive this update:" in body
    assert "1 in Русский" in body and "1 in English" in body
    segment = client.get(f"/organize/c/{campaign.slug}/updates/{update_id}/confirm"
                         "?languages=ru").get_data(as_text=True)
    assert "1 person will receive this update:" in segment and "in English" not in segment

    # Send to everyone; what arrives is Markdown rendered, in each reader's language.
    response = client.post(f"/organize/c/{campaign.slug}/updates/{update_id}/send",
                           data={"csrf_token": csrf_from(body)})
    assert response.status_code == 302
    outbox.work(once=True)
    got = {m["To"]: m for m in smtp_server.messages}
    assert set(got) == {ru.email, en.email}
    html, text = _html_part(got[en.email]), _text_part(got[en.email])
    assert "<strong>delivered</strong>" in html
    assert '<a href="https://korday.example/letter"' in html and html.count("<p>") >= 4
    assert "**" not in text and "\r" not in text.replace("\r\n", "\n")
    assert "We delivered the petition to the\nprosecutor." in text.replace("\r\n", "\n")
    assert "the letter <https://korday.example/letter>" in text
    assert "- in Almaty" in text
    assert got[ru.email]["Subject"] == "Мы передали петицию"
    assert "<strong>передали</strong>" in _html_part(got[ru.email])
    assert got[ru.email]["List-Id"] and got[ru.email]["List-Unsubscribe"]


def test_test_send_goes_only_to_the_organizer(app, client):
    campaign = make_campaign(locales=("en",))
    make_signature(campaign, email="a@example.org", updates=True)
    organizer = _organizer(client, campaign)
    item = updates.save(organizer, campaign, {"en": {"subject": "S", "body": "B"}})
    assert updates.test_send(organizer, campaign, item) == ["en"]
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert [(r.to_addr, r.kind) for r in rows if r.kind.startswith("campaign_update")] == [
        (organizer.email, "campaign_update_test")]
    assert db.session.scalar(select(func.count()).select_from(CampaignUpdateRecipient)) == 0


# --- audience ------------------------------------------------------------------------------

def test_segments_by_language_and_country_and_suppression(app):
    campaign = make_campaign(locales=("en", "ru", "kk"))
    admin, _ = make_user(role="admin", campaigns=[campaign])
    make_signature(campaign, email="ru-kz@example.org", locale="ru", country="KZ", updates=True)
    make_signature(campaign, email="ru-kg@example.org", locale="ru", country="KG", updates=True)
    make_signature(campaign, email="kk-kz@example.org", locale="kk", country="KZ", updates=True)
    make_signature(campaign, email="en-de@example.org", locale="en", country="DE", updates=True)
    make_signature(campaign, email="bounced@example.org", locale="ru", country="KZ",
                   updates=True)
    suppression.suppress("bounced@example.org", scope="all", reason="hard_bounce")
    db.session.commit()
    # Written in en and ru only: the kk reader gets the default (en).
    item = updates.save(admin, campaign, {"en": {"subject": "S", "body": "B"},
                                          "ru": {"subject": "Т", "body": "Т"}})
    everyone = updates.count_audience(campaign, item, updates.Segment())
    assert dict(everyone.by_language) == {"ru": 2, "en": 2} and everyone.suppressed == 1
    by_lang = updates.count_audience(campaign, item, updates.Segment(languages=("ru",)))
    assert dict(by_lang.by_language) == {"ru": 2}
    by_country = updates.count_audience(campaign, item, updates.Segment(countries=("KZ",)))
    assert dict(by_country.by_language) == {"ru": 1, "en": 1}
    paper = db.session.scalar(select(Signature).where(Signature.email == "ru-kg@example.org"))
    paper.source = "paper"
    db.session.commit()
    by_source = updates.count_audience(campaign, item, updates.Segment(sources=("paper",)))
    assert dict(by_source.by_language) == {"ru": 1}
    assert updates.segment_choices(campaign.id)["sources"] == [("paper", 1), ("web", 4)]
    both = updates.Segment(languages=("ru",), countries=("KZ",))
    assert updates.send(admin, campaign, item, both) == 1
    assert [r.to_addr for r in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "campaign_update"))] == ["ru-kz@example.org"]
    assert db.session.get(CampaignUpdate, item.id).segment == {"languages": ["ru"],
                                                               "countries": ["KZ"]}


def _field(campaign, key, kind, *, privacy="organizers", choices=()):
    from campaign.petitions import custom_fields
    return custom_fields.add_field(campaign.id, custom_fields.FieldDefinition(
        key=key, kind=kind, labels={"en": f"{key.title()}?", "ru": f"{key}-ру?"},
        privacy=privacy, choices=[{"value": v, "labels": {"en": v.title()}} for v in choices]))


def test_segment_by_custom_field_value_counts_and_sends_only_to_it(app):
    campaign = make_campaign(locales=("en", "ru"))
    admin, _ = make_user(role="admin", campaigns=[campaign])
    _field(campaign, "region", "choice", choices=("almaty", "zhambyl"))
    _field(campaign, "member", "checkbox", privacy="public")
    _field(campaign, "age", "number")
    _field(campaign, "city", "text")
    _field(campaign, "passport", "text", privacy="delivery")
    people = {
        "a@example.org": {"region": "almaty", "member": "yes", "age": "30", "city": "Taraz",
                          "passport": "N1"},
        "b@example.org": {"region": "zhambyl", "age": "30.0", "city": "taraz"},
        "c@example.org": {"region": "almaty", "age": "41"},
        "d@example.org": {},
    }
    for email, custom in people.items():
        make_signature(campaign, email=email, locale="ru" if email[0] in "bc" else "en",
                       updates=True, custom=custom)
    make_signature(campaign, email="quiet@example.org", custom={"region": "almaty"})
    item = updates.save(admin, campaign, {"en": {"subject": "S", "body": "B"},
                                          "ru": {"subject": "Т", "body": "Т"}})

    def who(**segment):
        found = updates.count_audience(campaign, item, updates.Segment(**segment))
        return dict(found.by_language)

    assert who(field="region", value="almaty") == {"en": 1, "ru": 1}
    assert who(field="member", value="yes") == {"en": 1}
    assert who(field="member", value="no") == {"en": 1, "ru": 2}
    assert who(field="age", value="30") == {"en": 1, "ru": 1}   # 30 = 30.0
    assert who(field="age", value="30,0") == {"en": 1, "ru": 1}
    assert who(field="city", value="Taraz") == {"en": 1}        # text: exact equality
    assert who(field="region", value="almaty", languages=("ru",)) == {"ru": 1}
    # A "deleted at delivery" field, a field that is gone, a value that is no option:
    # nobody, never everyone.
    assert who(field="passport", value="N1") == {}
    assert who(field="gone", value="x") == {}
    assert who(field="region", value="nowhere") == {}
    assert [f.key for f in updates.segment_fields(campaign.id)] == [
        "region", "member", "age", "city"]
    assert updates.field_value_counts(campaign.id) == {
        "region": {"almaty": 2, "zhambyl": 1}, "member": {"yes": 1, "no": 3}}

    assert updates.send(admin, campaign, item,
                        updates.Segment(field="region", value="almaty")) == 2
    assert sorted(r.to_addr for r in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "campaign_update"))) == ["a@example.org", "c@example.org"]
    assert db.session.get(CampaignUpdate, item.id).segment == {"field": "region",
                                                               "value": "almaty"}


def test_console_update_to_a_custom_field_segment_reaches_only_it_over_smtp(
        smtp_app, client, smtp_server):
    campaign = make_campaign("korday-segment", locales=("en", "ru"))
    _field(campaign, "region", "choice", choices=("almaty", "zhambyl"))
    _field(campaign, "age", "number")
    _field(campaign, "passport", "text", privacy="delivery")
    make_signature(campaign, email="almaty@example.org", locale="ru", updates=True,
                   custom={"region": "almaty", "age": "30"})
    make_signature(campaign, email="zhambyl@example.org", locale="en", updates=True,
                   custom={"region": "zhambyl", "age": "30"})
    make_signature(campaign, email="none@example.org", locale="en", updates=True)
    _organizer(client, campaign)
    outbox.work(once=True)
    smtp_server.messages.clear()
    update_id = _draft(client, campaign.slug, subject_en="Almaty news", body_en="**Hi**",
                       subject_ru="Новости Алматы", body_ru="Привет")
    base = f"/organize/c/{campaign.slug}/updates/{update_id}"

    page = client.get(base).get_data(as_text=True)
    assert '<optgroup label="Region?">' in page and "Almaty (1)" in page
    assert "Zhambyl (1)" in page and '<optgroup label="Age?">' in page
    assert "Passport" not in page  # deleted at delivery: not for mailing
    confirm = client.get(f"{base}/confirm?answer=region:almaty")
    body = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "1 person will receive this update:" in body and "1 in Русский" in body
    assert "Only signers whose answer to “Region?” is “Almaty”." in body
    assert 'name="answer" value="region:almaty"' in body
    by_age = client.get(f"{base}/confirm?answer=age:&answer_text=30.0").get_data(as_text=True)
    assert "2 people will receive this update:" in by_age

    response = client.post(f"{base}/send", data={"csrf_token": csrf_from(body),
                                                "answer": "region:almaty"})
    assert response.status_code == 302
    outbox.work(once=True)
    assert [m["To"] for m in smtp_server.messages] == ["almaty@example.org"]
    assert smtp_server.messages[0]["Subject"] == "Новости Алматы"
    assert db.session.get(CampaignUpdate, update_id).segment == {"field": "region",
                                                                 "value": "almaty"}


def test_bad_custom_field_audience_gets_a_translated_error_not_a_500(app, client):
    campaign = make_campaign(locales=("en",))
    _field(campaign, "age", "number")
    _field(campaign, "passport", "text", privacy="delivery")
    make_signature(campaign, locale="en", updates=True, custom={"age": "3"})
    _organizer(client, campaign)
    update_id = _draft(client, campaign.slug, subject_en="S", body_en="B")
    base = f"/organize/c/{campaign.slug}/updates/{update_id}"
    for query, message in (("answer=passport:N1", "Выберите из списка."),
                           ("answer=age:", "Введите ответ, с которым сравнивать."),
                           ("answer=age:&answer_text=three", "Пожалуйста, введите число."),
                           ("answer=nope", "Выберите из списка.")):
        response = client.get(f"{base}/confirm?{query}", headers={"Accept-Language": "ru"})
        assert response.status_code == 422, query
        assert message in response.get_data(as_text=True), query
    response = post_form(client, base, {"answer": "age:", "answer_text": "x"}, f"{base}/send")
    assert response.status_code == 302
    assert db.session.get(CampaignUpdate, update_id).sent_at is None


def test_bad_audience_input_gets_a_translated_error_not_a_500(app, client):
    campaign = make_campaign(locales=("en",))
    make_signature(campaign, locale="en", updates=True)
    _organizer(client, campaign)
    update_id = _draft(client, campaign.slug, subject_en="S", body_en="B")
    base = f"/organize/c/{campaign.slug}/updates/{update_id}"
    response = client.get(f"{base}/confirm?languages=xx&countries=ZZ",
                          headers={"Accept-Language": "ru"})
    assert response.status_code == 422
    assert "Выберите из списка." in response.get_data(as_text=True)
    response = client.get(f"{base}/confirm?send_at=tomorrow")
    assert response.status_code == 422
    past = (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = post_form(client, base, {"send_at": past}, f"{base}/send")
    assert response.status_code == 302
    assert "Choose a time in the future." in client.get(
        f"/organize/c/{campaign.slug}/updates").get_data(as_text=True)
    assert db.session.get(CampaignUpdate, update_id).sent_at is None
    assert client.get(f"{base}0/confirm").status_code == 404


# --- sending once ---------------------------------------------------------------------------

def test_double_submit_sends_once(app):
    """Two clicks posted at the same moment from two connections: one send."""
    campaign = make_campaign(locales=("en",))
    for number in range(6):
        make_signature(campaign, email=f"s{number}@example.org", updates=True)
    user, password = make_user(campaigns=[campaign], email="double@example.org")
    clients = [app.test_client(), app.test_client()]
    for one in clients:
        login(one, user.email, password)
    update_id = _draft(clients[0], campaign.slug, subject_en="Once", body_en="Only once")
    url = f"/organize/c/{campaign.slug}/updates/{update_id}/send"
    tokens = []
    for one in clients:
        # The test's app context is shared by requests made from this thread, and Flask-WTF
        # caches the CSRF token in `g`: drop it so each client's page carries its own.
        g.pop("csrf_token", None)
        tokens.append(csrf_from(one.get(f"/organize/c/{campaign.slug}/updates")
                                .get_data(as_text=True)))
    barrier, statuses = threading.Barrier(2), []

    def click(one, token):
        barrier.wait()
        statuses.append(one.post(url, data={"csrf_token": token}).status_code)

    threads = [threading.Thread(target=click, args=pair)
               for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    db.session.expire_all()
    queued = db.session.scalars(select(OutboxMessage.to_addr).where(
        OutboxMessage.kind == "campaign_update")).all()
    assert sorted(queued) == [f"s{n}@example.org" for n in range(6)]
    assert db.session.scalar(select(func.count()).select_from(CampaignUpdateRecipient)) == 6
    g.pop("csrf_token", None)
    page = clients[0].get(f"/organize/c/{campaign.slug}/updates").get_data(as_text=True)
    page += clients[1].get(f"/organize/c/{campaign.slug}/updates").get_data(as_text=True)
    assert "This update has been sent already." in page


def test_the_recipient_key_refuses_a_second_row(app):
    campaign = make_campaign(locales=("en",))
    admin, _ = make_user(role="admin", campaigns=[campaign])
    signature = make_signature(campaign, updates=True)
    item = updates.save(admin, campaign, {"en": {"subject": "S", "body": "B"}})
    updates.send(admin, campaign, item)
    db.session.add(CampaignUpdateRecipient(update_id=item.id, signature_id=signature.id,
                                           locale="en"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# --- scheduled sending and the report -------------------------------------------------------

def test_scheduled_update_is_sent_when_due_and_not_before(app):
    campaign = make_campaign(locales=("en",))
    admin, _ = make_user(role="admin", campaigns=[campaign])
    make_signature(campaign, email="kz@example.org", country="KZ", updates=True)
    make_signature(campaign, email="de@example.org", country="DE", updates=True)
    item = updates.save(admin, campaign, {"en": {"subject": "Later", "body": "B"}})
    when = utcnow() + timedelta(hours=2)
    updates.schedule(admin, campaign, item, updates.Segment(countries=("KZ",)), when)
    assert updates.send_due(utcnow()) == []  # not due
    result = app.test_cli_runner().invoke(args=["petitions", "send-scheduled"])
    assert result.exit_code == 0 and result.output == ""
    assert db.session.get(CampaignUpdate, item.id).sent_at is None
    sent = updates.send_due(when + timedelta(minutes=1))
    assert [(row.id, count) for row, count in sent] == [(item.id, 1)]
    assert db.session.scalars(select(OutboxMessage.to_addr).where(
        OutboxMessage.kind == "campaign_update")).all() == ["kz@example.org"]
    assert updates.send_due(when + timedelta(minutes=2)) == []  # once


def test_cli_sends_what_is_due(app):
    campaign = make_campaign(locales=("en",))
    admin, _ = make_user(role="admin", campaigns=[campaign])
    make_signature(campaign, updates=True)
    item = updates.save(admin, campaign, {"en": {"subject": "Due", "body": "B"}})
    updates.schedule(admin, campaign, item, updates.Segment(), utcnow() + timedelta(minutes=1))
    db.session.get(CampaignUpdate, item.id).scheduled_for = utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["petitions", "send-scheduled"])
    assert result.exit_code == 0 and result.output == f"update {item.id}\t1\n"


def test_report_counts_queued_sent_failed_and_unsubscribed(app):
    campaign = make_campaign(locales=("en",))
    admin, _ = make_user(role="admin", campaigns=[campaign])
    signers = [make_signature(campaign, email=f"r{n}@example.org", updates=True)
               for n in range(4)]
    item = updates.save(admin, campaign, {"en": {"subject": "R", "body": "B"}})
    assert updates.send(admin, campaign, item) == 4
    assert updates.report(item) == {"queued": 4, "sent": 0, "failed": 0, "unsubscribed": 0}
    # One address complains before the worker runs: the outbox refuses it.
    suppression.suppress("r3@example.org", scope="bulk", reason="complaint")
    db.session.commit()
    while outbox.deliver_batch():
        pass
    petitions.unsubscribe(db.session.get(type(signers[0]), signers[0].id))
    petitions.forget(db.session.get(type(signers[1]), signers[1].id))
    assert updates.report(item) == {"queued": 0, "sent": 3, "failed": 1, "unsubscribed": 2}


# --- what readers see -----------------------------------------------------------------------

def test_update_mail_reads_right_in_ru_zh_kk(app):
    campaign = make_campaign(locales=("ru", "zh", "kk"))
    admin, _ = make_user(role="admin", campaigns=[campaign])
    texts = {"ru": {"subject": "Новости", "body": "Мы **передали** петицию.\r\n\r\nСпасибо."},
             "zh": {"subject": "消息", "body": "我们**递交**了请愿书。\r\n\r\n谢谢。"},
             "kk": {"subject": "Жаңалық", "body": "Біз петицияны **тапсырдық**.\r\n\r\nРақмет."}}
    item = updates.save(admin, campaign, texts)
    footers = {"ru": "Отписаться от новостных писем", "zh": "停止接收新闻邮件",
               "kk": "Жаңалық хаттарынан бас тарту"}
    for lang in texts:
        view = updates.preview(campaign, item, lang)
        assert view["subject"] == texts[lang]["subject"]
        assert "**" not in view["text"] and "**" not in view["html"]
        assert "<strong>" in view["html"] and view["html"].count("<p>") >= 3
        assert f'lang="{"zh-Hans" if lang == "zh" else lang}"' in view["html"]
        for english in ("Stop news e-mails", "Remove your signature", "{{", "%("):
            assert english not in view["text"] and english not in view["html"], (lang, english)
        assert footers[lang] in view["text"] and footers[lang] in view["html"]


def test_schedule_and_cancel_from_the_console_then_the_report_shows(app, client):
    campaign = make_campaign(locales=("en",))
    make_signature(campaign, email="kz@example.org", country="KZ", updates=True)
    make_signature(campaign, email="de@example.org", country="DE", updates=True)
    _organizer(client, campaign)
    update_id = _draft(client, campaign.slug, subject_en="Later", body_en="B")
    base = f"/organize/c/{campaign.slug}/updates/{update_id}"
    when = (utcnow() + timedelta(days=1)).replace(second=0, microsecond=0)
    stamp = when.strftime("%Y-%m-%dT%H:%M")
    confirm = client.get(f"{base}/confirm?countries=KZ&send_at={stamp}").get_data(as_text=True)
    assert "1 person will receive this update:" in confirm and "UTC" in confirm
    assert f'name="send_at" value="{stamp}"' in confirm
    response = client.post(f"{base}/send", data={"csrf_token": csrf_from(confirm),
                                                  "countries": "KZ", "send_at": stamp})
    assert response.status_code == 302
    item = db.session.get(CampaignUpdate, update_id)
    db.session.refresh(item)
    assert item.scheduled_for == when and item.sent_at is None
    assert item.segment == {"countries": ["KZ"]}
    assert "To be sent at" in client.get(f"/organize/c/{campaign.slug}/updates").get_data(
        as_text=True)
    response = post_form(client, base, {}, f"{base}/unschedule")
    db.session.refresh(item)
    assert response.status_code == 302 and item.scheduled_for is None
    # Scheduled again for a minute that has come, the job sends it; the page shows the report.
    updates.schedule(None, campaign, item, updates.Segment(countries=("KZ",)),
                     utcnow() + timedelta(minutes=1))
    assert [count for _item, count in updates.send_due(utcnow() + timedelta(minutes=2))] == [1]
    page = client.get(base).get_data(as_text=True)
    assert "Waiting in the queue" in page and "Unsubscribed since" in page
    assert "Send a test to me" not in page  # sent: nothing more to do
