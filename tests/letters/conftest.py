import pytest

from campaign.extensions import db
from campaign.letters import service
from campaign.targets import service as targets
from tests.factories import make_campaign

HEADER = ("short_id,organisation,name,role,email,postal_address,web_url,source_url,"
          "source_date,languages\n")
ROWS = (
    "un_min,UN,UN Special Rapporteur on minority issues,,minority@un.example.org,,,https://s.test/1,2012,\"en,fr,ru,zh\"\n"
    "osce_hcnm,OSCE,OSCE High Commissioner on National Minorities,,hcnm@osce.example.org,,,https://s.test/2,2012,\"en,fr,de,ru\"\n"
    "coe_venice,CoE,Venice Commission,,venice@coe.example.org,,,https://s.test/3,2012,\"en,fr\"\n"
    "eu_form,EU,EU Delegation (web form only),,,Astana,https://eu.test/form,https://s.test/4,2020,\"en,fr,de\"\n"
)


@pytest.fixture
def bodies(app):
    targets.import_csv(HEADER + ROWS)
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
def smtp_app(smtp_app):
    """The shared fixture, really sending: Flask-Mail suppresses sending when TESTING is on
    (MAIL_SUPPRESS_SEND defaults to app.testing)."""
    smtp_app.config["MAIL_SUPPRESS_SEND"] = False
    smtp_app.extensions["mail"].suppress = False
    return smtp_app
