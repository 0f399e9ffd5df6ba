"""A supporter writes to the institutions: only a confirmed address sends; mail goes from the
site with Reply-To the supporter, in a language each institution reads, through real SMTP."""
import re

from sqlalchemy import func, select

from campaign.extensions import db
from campaign.letters import service
from campaign.letters.models import Letter
from campaign.outbox import service as outbox
from campaign.outbox.models import OutboxMessage
from tests.conftest import csrf_from
from tests.factories import make_signature

NAME = "Айша Ванахун"


def link_in(message, kind):
    body = message.get_body(("plain",)).get_content()
    return re.search(rf"http://campaign\.test(/{kind}/\S+)", body).group(1)


def sign_and_confirm(client, campaign, smtp_server, lang="ru", email="aisha@example.org"):
    page = client.get(f"/{lang}/c/{campaign.slug}")
    client.post(f"/{lang}/c/{campaign.slug}/sign", data={
        "full_name": NAME, "email": email, "country": "KZ", "display": "full",
        "csrf_token": csrf_from(page.get_data(as_text=True))})
    outbox.work(once=True)
    assert client.get(link_in(smtp_server.messages[-1], "confirm")).status_code == 200
    outbox.work(once=True)  # the thank-you e-mail after confirming (issue 14), out of the way


def write(client, campaign, lang="ru", targets=(), **changes):
    page = client.get(f"/{lang}/c/{campaign.slug}/letters")
    html = page.get_data(as_text=True)
    subject = re.search(r'name="subject"[^>]*value="([^"]*)"', html) or re.search(
        r'value="([^"]*)"[^>]*name="subject"', html)
    body = re.search(r'<textarea[^>]*name="body"[^>]*>\n?(.*?)</textarea>', html, re.DOTALL)
    data = {"csrf_token": csrf_from(html), "full_name": NAME, "email": "aisha@example.org",
            "place": "Алматы", "subject": subject.group(1).replace("&#34;", '"'),
            "body": body.group(1), "targets": [str(t.id) for t in targets]}
    data.update(changes)
    return page, client.post(f"/{lang}/c/{campaign.slug}/letters", data=data)


def test_confirmed_signer_sends_to_three_bodies(client, smtp_app, smtp_server, campaign, bodies):
    sign_and_confirm(client, campaign, smtp_server)
    three = [bodies["un_min"], bodies["osce_hcnm"], bodies["coe_venice"]]
    page, response = write(client, campaign, targets=three,
                           subject="Пересмотрите приговоры — Кордай")
    html = page.get_data(as_text=True)
    # The campaign's defaults are ticked, the others offered.
    assert re.search(rf'value="{bodies["un_min"].id}" checked', html)
    assert re.search(rf'value="{bodies["coe_venice"].id}">', html)
    assert "[[target]]" in html  # the target's name is filled in per institution
    assert response.status_code == 200
    from flask_babel import force_locale, gettext
    with force_locale("ru"):
        heading = gettext("Your letters are on their way")
    assert heading != "Your letters are on their way"  # the Russian page says it in Russian
    assert heading in response.get_data(as_text=True)

    before = len(smtp_server.messages)
    outbox.work(once=True)
    sent = {m["To"]: m for m in smtp_server.messages[before:]}
    assert set(sent) == {"minority@un.example.org", "hcnm@osce.example.org",
                         "venice@coe.example.org"}
    for message in sent.values():
        assert message["From"] == smtp_app.config["MAIL_DEFAULT_SENDER"]
        assert message["Reply-To"].addresses[0].addr_spec == "aisha@example.org"
        assert message["Reply-To"].addresses[0].display_name == NAME
    un = sent["minority@un.example.org"]
    assert un["Subject"] == "Пересмотрите приговоры — Кордай"  # UN reads Russian
    raw = un.as_bytes()
    headers = raw[:raw.index(b"\n\n") if b"\n\n" in raw else raw.index(b"\r\n\r\n")]
    subject_line = [h for h in headers.decode("ascii").splitlines() if h.startswith("Subject:")]
    assert subject_line and "=?utf-8?" in subject_line[0].lower()  # RFC 2047, pure ASCII
    un_body = un.get_body(("plain",)).get_content()
    assert "UN Special Rapporteur on minority issues" in un_body and "[[target]]" not in un_body
    # The Venice Commission reads English and French: it gets the English letter, signed.
    venice = sent["venice@coe.example.org"].get_body(("plain",)).get_content()
    assert "Dear Venice Commission" in venice and NAME in venice and "Алматы" in venice

    letters = db.session.scalars(select(Letter).order_by(Letter.id)).all()
    assert sorted((l.target.short_id, l.status, l.locale) for l in letters) == [
        ("coe_venice", "queued", "en"), ("osce_hcnm", "queued", "ru"), ("un_min", "queued", "ru")]
    assert all(l.sender_email == "aisha@example.org" and l.sent_at and l.template_id
               and l.outbox_message_id for l in letters)


def test_unconfirmed_supporter_is_refused_until_they_click(client, smtp_app, smtp_server,
                                                           campaign, bodies):
    # A pending (unconfirmed) signature does not count as a confirmed address.
    make_signature(campaign, email="aisha@example.org", confirmed=False)
    outbox.work(once=True)
    before = len(smtp_server.messages)
    _page, response = write(client, campaign, lang="en", targets=[bodies["un_min"]])
    assert response.status_code == 200
    assert "Check your inbox" in response.get_data(as_text=True)
    outbox.work(once=True)
    new = smtp_server.messages[before:]
    assert [m["To"] for m in new] == ["aisha@example.org"]  # nothing to the institution
    assert db.session.scalar(select(Letter.status)) == "unconfirmed"

    link = link_in(new[0], "letters/confirm")
    assert client.get(link[:-3] + "xyz").status_code == 400
    assert client.get(link).status_code == 200
    assert client.get(link).status_code == 200  # a second click sends nothing more
    outbox.work(once=True)
    assert [m["To"] for m in smtp_server.messages[before + 1:]] == ["minority@un.example.org"]
    assert db.session.scalar(select(Letter.status)) == "queued"


def test_target_without_email_gets_text_to_copy(client, app, campaign, bodies):
    make_signature(campaign, email="aisha@example.org")
    _page, response = write(client, campaign, lang="en", targets=[bodies["eu_form"]],
                            body="Dear [[target]], {{ 7*7 }} {{ ''.__class__ }}")
    html = response.get_data(as_text=True)
    # The supporter's text is never run as a template.
    assert "{{ 7*7 }} {{ &#39;&#39;.__class__ }}" in html and "49" not in html
    assert "https://eu.test/form" in html and "<textarea" in html and "readonly" in html
    assert "Dear EU Delegation (web form only)" in html
    assert db.session.scalar(select(Letter.status)) == "manual"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind.like("letters%"))) == 0


def test_bad_input_is_422_and_writes_nothing(client, app, campaign, bodies):
    _page, response = write(client, campaign, lang="en", targets=[])
    assert response.status_code == 422
    assert "Choose at least one institution." in response.get_data(as_text=True)
    _page, response = write(client, campaign, lang="en", targets=[bodies["un_min"]],
                            email="not-an-address")
    assert response.status_code == 422
    assert "valid e-mail address" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 0


def test_daily_cap_holds_letters_for_one_digest(smtp_app, smtp_server, campaign, bodies):
    smtp_app.config["LETTERS_DAILY_CAP_PER_TARGET"] = 2
    target = bodies["un_min"]
    senders = [f"Sender {n}" for n in range(5)]
    for n, name in enumerate(senders):
        email = f"s{n}@example.org"
        make_signature(campaign, email=email)
        service.send_letters(campaign, targets=[target], name=name, email=email, place="",
                             subject=f"Letter {n}", body=f"Message number {n}", locale="en")
    statuses = db.session.scalars(select(Letter.status).order_by(Letter.id)).all()
    assert statuses == ["queued", "queued", "held", "held", "held"]

    result = smtp_app.test_cli_runner().invoke(args=["letters", "digest"])
    assert result.exit_code == 0 and "un_min\t3" in result.output
    outbox.work(once=True)
    to_target = [m for m in smtp_server.messages if m["To"] == target.email]
    assert len(to_target) == 3  # two letters and one digest
    digest = to_target[-1]
    assert "3 letters" in digest["Subject"]
    text = digest.get_body(("plain",)).get_content()
    for n in (2, 3, 4):
        assert f"Sender {n} <s{n}@example.org>" in text and f"Message number {n}" in text
    assert db.session.scalars(select(Letter.status).order_by(Letter.id)).all() == [
        "queued", "queued", "digested", "digested", "digested"]
    # Running it again sends nothing more: no letter twice, none dropped.
    again = smtp_app.test_cli_runner().invoke(args=["letters", "digest"])
    assert "digests queued: 0" in again.output


def test_unconfirmed_letters_are_pruned_when_their_link_expires(app, campaign, bodies):
    from datetime import timedelta

    service.send_letters(campaign, targets=[bodies["un_min"]], name="Old", email="old@example.org",
                         place="", subject="s", body="b", locale="en")
    make_signature(campaign, email="new@example.org")
    service.send_letters(campaign, targets=[bodies["un_min"]], name="New", email="new@example.org",
                         place="", subject="s", body="b", locale="en")
    old = db.session.scalar(select(Letter).where(Letter.sender_name == "Old"))
    old.created_at -= timedelta(days=31)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["letters", "prune"])
    assert "deleted 1" in result.output
    assert db.session.scalars(select(Letter.sender_name)).all() == ["New"]
