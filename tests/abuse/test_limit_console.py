"""Admins change the sign limits and allow-listed networks in the console (no redeploy, on
the record); limits are checked before CSRF and the form, and only valid attempts count."""
import dataclasses

from sqlalchemy import select

from campaign.abuse import limits as limits_module
from campaign.abuse.models import LimitSettings
from campaign.audit.models import AuditEntry
from campaign.extensions import db
from tests.abuse.test_limits import as_ip, limited, stored
from tests.conftest import csrf_from, login
from tests.factories import make_campaign, make_user
from tests.forms_util import SIGN_FORM, hidden_inputs, sign_post


def _save(client, **fields):
    page = client.get("/organize/limits").get_data(as_text=True)
    data = {"sign_per_address": "", "sign_per_network": "", "sign_per_email": "",
            "sign_per_domain": "", "allowed_networks": "", **fields}
    return client.post("/organize/limits", data=dict(data, csrf_token=csrf_from(page)))


def test_only_admins_open_the_limits_page(client, app):
    organizer, password = make_user()
    login(client, organizer.email, password)
    assert client.get("/organize/limits").status_code == 403
    admin, password = make_user(role="admin")
    login(client, admin.email, password)
    page = client.get("/organize/limits")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "30/minute;300/hour" in html and "600/minute;20000/day" in html  # the defaults


def test_bad_limits_and_networks_are_refused_with_a_clear_message(client, app):
    admin, password = make_user(role="admin")
    login(client, admin.email, password)
    bad_limit = _save(client, sign_per_network="lots")
    assert bad_limit.status_code == 422
    assert "Write a limit like" in bad_limit.get_data(as_text=True)
    bad_network = _save(client, allowed_networks="10.0.0.0/8\nnot-a-network")
    assert bad_network.status_code == 422
    assert "Not a network: not-a-network" in bad_network.get_data(as_text=True)
    for hostile in ("x" * 500, "0/minute", "30/minute;"):
        assert _save(client, sign_per_address=hostile).status_code == 422, hostile
    # A NUL byte in any console form is refused before the form, by the console's gate.
    assert _save(client, sign_per_address="30/minute\x00").status_code == 400
    assert _save(client, allowed_networks="10.0.0.0/8\x00").status_code == 400
    assert db.session.get(LimitSettings, 1) is None  # nothing half-written


def test_a_change_applies_at_once_is_audited_and_reaches_other_processes(client, app):
    limited(app, RATELIMIT_SIGN_PER_ADDRESS="1/minute")
    campaign = make_campaign()
    signer = client  # one client: test requests share the app context's `g` (CSRF token)
    assert sign_post(as_ip(signer, "198.51.100.1"), campaign, email="a@example.org"
                     ).status_code == 303
    assert sign_post(signer, campaign, email="b@example.org").status_code == 429

    admin, password = make_user(role="admin")
    assert login(client, admin.email, password).status_code == 302
    assert _save(client, sign_per_address="3/minute",
                 allowed_networks="203.0.113.0/24").status_code == 303
    # This process reads the row again at once...
    assert sign_post(signer, campaign, email="b@example.org").status_code == 303
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "rate_limits.change")).one()
    assert entry.user_email == admin.email
    assert entry.detail["changes"]["sign_per_address"] == {"old": "", "new": "3/minute"}
    assert entry.detail["changes"]["allowed_networks"]["new"] == "203.0.113.0/24"

    # ...another process (here: a change written behind this one's back) within its TTL.
    row = db.session.get(LimitSettings, 1)
    row.sign_per_address = "2/minute"
    db.session.commit()
    assert sign_post(signer, campaign, email="c@example.org").status_code == 303  # old: 3
    snapshot = app.extensions["abuse_limit_settings"]
    app.extensions["abuse_limit_settings"] = dataclasses.replace(snapshot, expires=0)
    assert sign_post(signer, campaign, email="d@example.org").status_code == 429  # new: 2
    # The allow-listed network has no address limit; e-mail limits still hold.
    for n in range(5):
        assert sign_post(as_ip(signer, "203.0.113.5"), campaign,
                         email=f"crowd{n}@example.org").status_code == 303
    # Saving the same values again changes nothing and records nothing.
    assert _save(client, sign_per_address="2/minute",
                 allowed_networks="203.0.113.0/24").status_code == 303
    assert len(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "rate_limits.change")).all()) == 1


def test_a_refused_request_pays_for_no_csrf_check_or_form(client, app, monkeypatch):
    limited(app, RATELIMIT_SIGN_PER_ADDRESS="1/minute")
    campaign = make_campaign()
    assert sign_post(client, campaign).status_code == 303
    from campaign.petitions import views
    built = []
    monkeypatch.setattr(views, "SignForm", lambda *a, **k: built.append(1))
    # No CSRF token, no fields: refused by the limit before either is looked at.
    refused = client.post(f"/en/c/{campaign.slug}/sign", data={})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert built == []


def test_invalid_requests_count_against_nobody(client, app):
    limited(app, RATELIMIT_SIGN_PER_ADDRESS="2/minute", RATELIMIT_SIGN_PER_EMAIL="2/hour")
    campaign = make_campaign()
    page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    url = f"/en/c/{campaign.slug}/sign"
    for _ in range(5):  # forged (no CSRF token) and invalid posts, naming a victim's address
        assert client.post(url, data=dict(SIGN_FORM, email="victim@example.org")
                           ).status_code == 400
        assert client.post(url, data=dict(SIGN_FORM, **hidden_inputs(page), country="XX",
                                          email="victim@example.org")).status_code == 422
    assert stored() == 0
    assert sign_post(client, campaign, email="victim@example.org").status_code == 303
    assert sign_post(client, campaign, email="other@example.org").status_code == 303
    assert sign_post(client, campaign, email="third@example.org").status_code == 429
    assert stored() == 2
    limits_module.forget_settings()
