"""A supporter writes to the institutions: nothing leaves before the supporter clicks the link
sent for this batch, the form answers the same for every address, the site writes the head and
the closing in the letter's language, and mail goes from the site with Reply-To the supporter
through a real SMTP server."""
import re

import pytest
from sqlalchemy import func, select

from campaign.audit.models import AuditEntry
from campaign.extensions import db
from campaign.letters import routing, service
from campaign.letters.models import Letter
from campaign.outbox import service as outbox
from campaign.outbox.models import OutboxMessage
from campaign.targets import service as targets
from tests.conftest import csrf_from
from tests.factories import make_signature, make_user
from tests.letters.conftest import ADDRESS, confirm_by_outbox, confirm_link, today_in
from tests.ops.test_metrics import TOKEN, scrape

NAME = "Айша Ванахун"
PLACE = "Алматы"


def form_of(html):
    subject = re.search(r'name="subject"[^>]*value="([^"]*)"', html) or re.search(
        r'value="([^"]*)"[^>]*name="subject"', html)
    body = re.search(r'<textarea[^>]*name="body"[^>]*>\n?(.*?)</textarea>', html, re.DOTALL)
    def unescape(text):
        return (text.replace("&#34;", '"').replace("&#39;", "'")
                .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    return unescape(subject.group(1)), unescape(body.group(1))


def write(client, campaign, lang="ru", targets=(), **changes):
    page = client.get(f"/{lang}/c/{campaign.slug}/letters")
    html = page.get_data(as_text=True)
    subject, body = form_of(html)
    data = {"csrf_token": csrf_from(html), "full_name": NAME, "email": ADDRESS,
            "place": PLACE, "subject": subject, "body": body,
            "targets": [str(t.id) for t in targets]}
    data.update(changes)
    return page, client.post(f"/{lang}/c/{campaign.slug}/letters", data=data)


def outgoing(kind_prefix="letters"):
    return db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind.like(f"{kind_prefix}%")).order_by(OutboxMessage.id)).all()


def test_three_bodies_in_russian_signed_with_the_name_typed(client, smtp_app, smtp_server, live,
                                                           campaign, bodies):
    three = [bodies["un_min"], bodies["osce_hcnm"], bodies["coe_venice"]]
    page, response = write(client, campaign, targets=three)  # the letter as prefilled
    html = page.get_data(as_text=True)
    _subject, draft = form_of(html)
    # The prefilled text holds nothing to replace: the site writes head and closing.
    assert draft and service.unfilled_marker(draft) is None and "Ваше имя" not in draft
    # Institution names, descriptions and languages in the page's language.
    assert "Специальный докладчик по вопросам меньшинств" in html
    assert "Читает на языках: английский, французский, русский и китайский" in html
    assert re.search(rf'value="{bodies["un_min"].id}" checked', html)
    assert response.status_code == 200
    assert "Проверьте почту" in response.get_data(as_text=True)

    outbox.work(once=True)
    assert [m["To"] for m in smtp_server.messages] == [ADDRESS]  # nothing left yet
    assert client.get(confirm_link(smtp_server.messages[0])).status_code == 200
    before = len(smtp_server.messages)
    outbox.work(once=True)
    sent = {m["To"]: m for m in smtp_server.messages[before:]}
    assert set(sent) == {"minority@un.example.org", "hcnm@osce.example.org",
                         "venice@coe.example.org"}
    for message in sent.values():
        assert message["From"] == smtp_app.config["MAIL_DEFAULT_SENDER"]
        assert message["Reply-To"].addresses[0].addr_spec == ADDRESS
        assert message["Reply-To"].addresses[0].display_name == NAME
        text = message.get_body(("plain",)).get_content()
        for label in service.placeholder_labels() | {"{{", "[["}:
            assert label not in text, label
        assert "TEST MODE" not in text
    un = sent["minority@un.example.org"].get_body(("plain",)).get_content()
    assert un.startswith("Специальный докладчик по вопросам меньшинств\n" + today_in("ru"))
    assert "Уважаемые дамы и господа!" in un and "Кордайском районе" in un
    assert un.split("\n--\n")[0].rstrip().endswith(f"С уважением,\n{NAME}\n{PLACE}")
    hcnm = sent["hcnm@osce.example.org"].get_body(("plain",)).get_content()
    assert hcnm.startswith("Верховный комиссар ОБСЕ по делам национальных меньшинств")
    # The Venice Commission reads English and French: the English letter, head and closing
    # in English, signed with the name typed.
    venice = sent["venice@coe.example.org"].get_body(("plain",)).get_content()
    assert venice.startswith("Venice Commission\n" + today_in("en") + "\n\nDear Sir or Madam,")
    assert venice.split("\n--\n")[0].rstrip().endswith(f"Yours sincerely,\n{NAME}\n{PLACE}")
    assert "Korday district" in venice

    letters = db.session.scalars(select(Letter).order_by(Letter.id)).all()
    assert sorted((one.target.short_id, one.status, one.locale) for one in letters) == [
        ("coe_venice", "queued", "en"), ("osce_hcnm", "queued", "ru"), ("un_min", "queued", "ru")]


def _page_without_tokens(response) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", html)


def test_no_oracle_confirmed_and_unknown_addresses_get_the_same_page(client, live, campaign,
                                                                     bodies):
    """Whoever types an address learns nothing about it, and sends nothing in its name."""
    make_signature(campaign, email="signed@example.org")  # a confirmed signer
    _p, known = write(client, campaign, lang="en", targets=[bodies["un_min"]],
                      email="signed@example.org")
    _p, unknown = write(client, campaign, lang="en", targets=[bodies["un_min"]],
                        email="stranger@example.org")
    assert known.status_code == unknown.status_code == 200
    assert _page_without_tokens(known) == _page_without_tokens(unknown)
    # Only the two confirmation e-mails left; no letter reaches the institution.
    assert [(m.kind, m.to_addr) for m in outgoing()] == [
        ("letters_confirm", "signed@example.org"), ("letters_confirm", "stranger@example.org")]
    assert set(db.session.scalars(select(Letter.status))) == {"unconfirmed"}
    # The confirmed signer's link sends only that batch.
    confirm_by_outbox(client, "signed@example.org")
    assert [m.to_addr for m in outgoing("letters_letter")] == ["minority@un.example.org"]
    assert db.session.scalars(select(Letter.status).order_by(Letter.id)).all() == [
        "queued", "unconfirmed"]


def test_a_second_click_and_a_forged_link_send_nothing(client, live, campaign, bodies):
    write(client, campaign, lang="en", targets=[bodies["un_min"]])
    message = outgoing()[0]
    path = re.search(r"http://campaign\.test(/letters/confirm/\S+)", message.body_text).group(1)
    assert client.get(path[:-3] + "xyz").status_code == 400
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    assert len(outgoing("letters_letter")) == 1


def test_expired_link_says_write_again_not_sign_again(client, app, campaign, bodies):
    write(client, campaign, lang="ru", targets=[bodies["un_min"]])
    path = re.search(r"http://campaign\.test(/letters/confirm/\S+)",
                     outgoing()[0].body_text).group(1)
    app.config["CONFIRM_MAX_AGE_DAYS"] = -1
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "Подпишите петицию" not in html and "Sign the petition" not in html
    assert "Ваши письма не отправлены" in html


@pytest.mark.parametrize("lang, leftover, message", [
    ("en", "С уважением,\nВаше имя", "Your letter still contains “Ваше имя”"),
    ("ru", "Құрметпен,\nАтыңыз", "Ваше письмо всё ещё содержит «Атыңыз»"),
    ("ru", "此致\n您的姓名", "Ваше письмо всё ещё содержит «您的姓名»"),
    ("en", "Yours,\nYour name", "Your letter still contains “Your name”"),
    ("en", "Dear [[target]],", "Your letter still contains “[[”"),
    ("en", "{{ supporter_name }}", "Your letter still contains “{{”"),
])
def test_a_placeholder_of_any_language_is_refused_in_the_readers_language(
        client, app, campaign, bodies, lang, leftover, message):
    _page, response = write(client, campaign, lang=lang, targets=[bodies["un_min"]],
                            body="Please review the sentences.\n\n" + leftover)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 0
    assert outgoing() == []


def test_target_without_email_gets_text_to_copy(client, app, campaign, bodies):
    _page, response = write(client, campaign, lang="en", targets=[bodies["eu_form"]],
                            body="Please act. 7*7 ''.__class__")
    html = response.get_data(as_text=True)
    assert "https://eu.example/form" in html and "<textarea" in html and "readonly" in html
    assert "EU Delegation (web form only)\n" + today_in("en") in html
    assert f"Yours sincerely,\n{NAME}" in html
    assert db.session.scalar(select(Letter.status)) == "manual"
    assert outgoing() == []


def test_bad_input_is_422_and_writes_nothing(client, app, campaign, bodies):
    _page, response = write(client, campaign, lang="en", targets=[])
    assert response.status_code == 422
    assert "Choose at least one institution." in response.get_data(as_text=True)
    _page, response = write(client, campaign, lang="en", targets=[bodies["un_min"]],
                            email="not-an-address")
    assert response.status_code == 422
    assert "valid e-mail address" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 0


def test_letters_are_limited_per_address_like_signing(client, app, campaign, bodies):
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_LETTERS_PER_EMAIL="2/hour",
                      RATELIMIT_LETTERS_PER_NETWORK="100/hour")
    codes = [write(client, campaign, lang="en", targets=[bodies["un_min"]])[1].status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 2


def test_unchecked_address_waits_until_an_organizer_checks_it(client, live, campaign, bodies):
    write(client, campaign, lang="en", targets=[bodies["un_min"], bodies["unchecked"]])
    confirm_by_outbox(client)
    statuses = dict(db.session.execute(select(Letter.target_id, Letter.status)).all())
    assert statuses == {bodies["un_min"].id: "queued", bodies["unchecked"].id: "unchecked"}
    assert [m.to_addr for m in outgoing("letters_letter")] == ["minority@un.example.org"]
    assert service.unchecked_by_target(campaign) == [(bodies["unchecked"], 1)]

    admin, password = make_user(role="admin")
    from tests.conftest import login
    login(client, admin.email, password)
    console = client.get(f"/organize/c/{campaign.slug}/letters").get_data(as_text=True)
    assert "UN Working Group on Arbitrary Detention" in console and "waiting" in console
    page = client.get(f"/organize/targets/{bodies['unchecked'].id}")
    response = client.post(f"/organize/targets/{bodies['unchecked'].id}", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "email": "wgad@un.example.org",
        "languages": "en,fr,ru,zh", "active": "y", "verified": "y"})
    assert response.status_code == 303
    assert [m.to_addr for m in outgoing("letters_letter")] == [
        "minority@un.example.org", "wgad@un.example.org"]
    target = db.session.get(type(bodies["unchecked"]), bodies["unchecked"].id)
    assert target.verified_by == admin.email and target.verified_on
    assert "target.verified" in db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.target == "unchecked")).all()  # beside the directory's own edit entry


def test_test_mode_sends_to_the_test_address_with_the_intended_recipient_on_top(
        client, smtp_app, smtp_server, campaign, bodies):
    smtp_app.config["LETTERS_TEST_ADDRESS"] = "catch-all@campaign.example"
    write(client, campaign, lang="ru", targets=[bodies["un_min"]])
    outbox.work(once=True)
    assert client.get(confirm_link(smtp_server.messages[0])).status_code == 200
    outbox.work(once=True)
    letter = smtp_server.messages[-1]
    assert letter["To"] == "catch-all@campaign.example"
    assert letter["Subject"].startswith("[TEST] ")
    text = letter.get_body(("plain",)).get_content()
    assert text.startswith("ТЕСТОВЫЙ РЕЖИМ")
    assert "Специальный докладчик по вопросам меньшинств <minority@un.example.org>" in (
        text.splitlines()[0])
    assert "minority@un.example.org" not in [m["To"] for m in smtp_server.messages]


def test_live_needs_the_deployment_and_an_admin(client, app, campaign, bodies):
    route = routing.route_to_institution("x@un.example.org", "X")
    assert route.test_mode and route.to == "campaign@localhost"
    routing.set_live(None, True)           # an admin chose it, the deployment did not
    assert routing.route_to_institution("x@un.example.org", "X").test_mode
    app.config["LETTERS_LIVE"] = True
    assert routing.route_to_institution("x@un.example.org", "X").to == "x@un.example.org"

    routing.set_live(None, False)
    organizer, password = make_user(campaigns=[campaign])
    from tests.conftest import login
    login(client, organizer.email, password)
    page = client.get(f"/organize/c/{campaign.slug}/letters")
    assert "Test mode" in page.get_data(as_text=True)
    assert "Test mode" in client.get("/organize/").get_data(as_text=True)  # every console page
    token = csrf_from(page.get_data(as_text=True))
    assert client.post("/organize/letters/mode", data={"csrf_token": token,
                                                       "live": "1"}).status_code == 403
    assert not routing.switched_live()
    client.get("/organize/logout")
    admin, password = make_user(role="admin")
    login(client, admin.email, password)
    page = client.get(f"/organize/c/{campaign.slug}/letters")
    response = client.post("/organize/letters/mode", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "live": "1"})
    assert response.status_code == 303 and routing.is_live()
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "letters.live")
                               ).all()[-1]
    assert entry.user_email == admin.email
    assert "Test mode" not in client.get(f"/organize/c/{campaign.slug}/letters").get_data(
        as_text=True)
    assert "Test mode" not in client.get("/organize/").get_data(as_text=True)


def test_daily_cap_holds_letters_for_one_digest(smtp_app, smtp_server, live, client, campaign,
                                                bodies):
    smtp_app.config["LETTERS_DAILY_CAP_PER_TARGET"] = 2
    target = bodies["un_min"]
    for n in range(5):
        service.send_letters(campaign, targets=[target], name=f"Sender {n}",
                             email=f"s{n}@example.org", place="", subject=f"Letter {n}",
                             body=f"Message number {n}", locale="en")
        confirm_by_outbox(client, f"s{n}@example.org")
    statuses = db.session.scalars(select(Letter.status).order_by(Letter.id)).all()
    assert statuses == ["queued", "queued", "held", "held", "held"]
    smtp_app.config["METRICS_TOKEN"] = TOKEN  # operators see the held letters (/metrics)
    assert scrape(client)["campaign_letters_held{}"] == 3

    result = smtp_app.test_cli_runner().invoke(args=["letters", "digest"])
    assert result.exit_code == 0 and "un_min\t3" in result.output
    assert scrape(client)["campaign_letters_held{}"] == 0
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
    again = smtp_app.test_cli_runner().invoke(args=["letters", "digest"])
    assert "digests queued: 0" in again.output


def test_unconfirmed_letters_are_pruned_when_their_link_expires(app, client, live, campaign,
                                                                bodies):
    from datetime import timedelta

    for name in ("Old", "New"):
        service.send_letters(campaign, targets=[bodies["un_min"]], name=name,
                             email=f"{name.lower()}@example.org", place="", subject="s",
                             body="b", locale="en")
    confirm_by_outbox(client, "new@example.org")
    old = db.session.scalar(select(Letter).where(Letter.sender_name == "Old"))
    old.created_at -= timedelta(days=31)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["letters", "prune"])
    assert "deleted 1" in result.output
    assert db.session.scalars(select(Letter.sender_name)).all() == ["New"]


def test_starting_directory_is_sourced_and_named_in_every_language(app):
    targets.load_starting_set()
    rows = targets.all_targets()
    assert len(rows) == 19
    for target in rows:
        assert "test" not in target.source_url.split("/")[2], target.source_url
        for lang in ("fr", "ru", "zh", "de", "kk", "ky"):
            assert target.translations[lang]["name"] and target.translations[lang]["source"]
            assert target.translations[lang]["description"]
        assert target.name_in("dng") == target.name_in("ru") != target.name
    by_id = {t.short_id: t for t in rows}
    assert by_id["wgad"].name_in("ru") == "Рабочая группа по произвольным задержаниям"
    assert by_id["wgad"].translations["ru"]["source"].startswith("https://www.ohchr.org/ru/")
    # The two bodies whose own notes exclude Kazakhstan are never offered by default.
    assert not by_id["coe_commissioner"].offered_by_default
    assert not by_id["coe_fcnm_acfc"].offered_by_default
    from tests.factories import make_campaign
    offered = {t.short_id for t, _pre in service.offered_targets(make_campaign())}
    assert "coe_commissioner" not in offered and "coe_fcnm_acfc" not in offered
    assert "venice_commission" in offered


def test_names_command_loads_the_shipped_names(app):
    targets.import_csv(targets.STARTING_SET.read_text(encoding="utf-8"))
    assert all(not t.translations for t in targets.all_targets())
    result = app.test_cli_runner().invoke(args=["targets", "names"])
    assert result.exit_code == 0 and "names loaded: 114" in result.output
    assert all(len(t.translations) == 6 for t in targets.all_targets())
    bad = app.test_cli_runner().invoke(args=["targets", "names", "-"],
                                       input="short_id,language,name,description,name_source\n"
                                             "nobody,ru,X,Y,Z\n")
    assert bad.exit_code != 0 and "unknown body" in bad.output
