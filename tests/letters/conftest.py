import re
from datetime import date

import pytest

from campaign.extensions import db
from campaign.letters import routing, service
from campaign.targets import service as targets
from tests.factories import make_campaign

HEADER = ("short_id,organisation,name,role,email,postal_address,web_url,source_url,"
          "source_date,languages,verified_on\n")
ROWS = (
    "un_min,UN,UN Special Rapporteur on minority issues,,minority@un.example.org,,,https://s.example/1,2012,\"en,fr,ru,zh\",2026-11-01\n"
    "osce_hcnm,OSCE,OSCE High Commissioner on National Minorities,,hcnm@osce.example.org,,,https://s.example/2,2012,\"en,fr,de,ru\",2026-11-01\n"
    "coe_venice,CoE,Venice Commission,,venice@coe.example.org,,,https://s.example/3,2012,\"en,fr\",2026-11-01\n"
    "eu_form,EU,EU Delegation (web form only),,,Astana,https://eu.example/form,https://s.example/4,2020,\"en,fr,de\",\n"
    "unchecked,UN,UN Working Group on Arbitrary Detention,,wgad@un.example.org,,,https://s.example/5,2012,\"en,fr,ru,zh\",\n"
)
# The names the people at these bodies read, as the starting set carries them.
NAMES = (
    "short_id,language,name,description,name_source\n"
    "un_min,ru,Специальный докладчик по вопросам меньшинств,Сведения о нарушениях,https://s.example/ru\n"
    "un_min,fr,Rapporteur spécial sur les questions relatives aux minorités,Informations,https://s.example/fr\n"
    "un_min,zh,少数群体问题特别报告员,接收信息,https://s.example/zh\n"
    "osce_hcnm,ru,Верховный комиссар ОБСЕ по делам национальных меньшинств,Раннее предупреждение,https://s.example/ru\n"
    "unchecked,ru,Рабочая группа по произвольным задержаниям,Обращения,https://s.example/ru\n"
)
ADDRESS = "aisha@example.org"


@pytest.fixture(autouse=True)
def _dossier_fonts(dossier_fonts):
    """Dossiers here are built in the request, as on a site whose fonts are made."""


@pytest.fixture
def bodies(app):
    targets.import_csv(HEADER + ROWS)
    targets.import_names_csv(NAMES)
    return {t.short_id: t for t in targets.all_targets()}


@pytest.fixture
def campaign(app, bodies):
    campaign = make_campaign(locales=("en", "ru"))
    service.install_default_templates(campaign)
    db.session.commit()
    service.set_campaign_targets(campaign, {t.id for t in bodies.values()},
                                 {bodies["un_min"].id, bodies["osce_hcnm"].id})
    return campaign


@pytest.fixture
def live(app):
    """Letters go to the real institutions: the deployment allows it and an admin chose it."""
    app.config["LETTERS_LIVE"] = True
    routing.set_live(None, True)
    return app


@pytest.fixture
def smtp_app(smtp_app):
    """The shared fixture, really sending: Flask-Mail suppresses sending when TESTING is on
    (MAIL_SUPPRESS_SEND defaults to app.testing)."""
    smtp_app.config["MAIL_SUPPRESS_SEND"] = False
    smtp_app.extensions["mail"].suppress = False
    return smtp_app


def confirm_link(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"http://campaign\.test(/letters/confirm/\S+)", body).group(1)


def confirm_by_outbox(client, address=ADDRESS) -> None:
    """Open the link of the newest letters-confirmation e-mail queued for `address`."""
    from sqlalchemy import select

    from campaign.outbox.models import OutboxMessage

    message = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.to_addr == address, OutboxMessage.kind == "letters_confirm")
        .order_by(OutboxMessage.id.desc())).first()
    path = re.search(r"http://campaign\.test(/letters/confirm/\S+)", message.body_text).group(1)
    assert client.get(path).status_code == 200


def today_in(lang: str) -> str:
    return service.letter_date(date.today(), lang)
