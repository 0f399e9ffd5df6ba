"""Each sensitive act the issue lists, done through the console as an organizer does it,
leaves an audit entry naming who, what and (where text changed) the old and new value.

Deliveries and the delivery's dossier and export downloads are driven in
tests/letters/test_delivery.py (they need the dossier fonts); 2FA changes in
tests/organizers/test_sessions.py; exports of signatures and donations, the directory and
the log's filters in tests/audit/test_audit.py.
"""
from __future__ import annotations

from campaign.api import service as api
from campaign.audit import service as audit
from campaign.audit.models import AuditEntry
from campaign.extensions import db
from campaign.letters import service as letters
from campaign.targets import service as targets
from tests.conftest import csrf_from, login
from tests.factories import make_campaign, make_signature, make_user
from tests.letters.conftest import HEADER, ROWS


def _entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


def _post(client, page: str, data: dict, action: str | None = None):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(action or page, data=dict(data, csrf_token=token))


def _organizer(client, campaign):
    user, password = make_user(campaigns=[campaign])
    assert login(client, user.email, password).status_code == 302
    return user


def test_every_watched_table_and_field_exists(app):
    # A renamed table or column would silently take a sensitive act off the record.
    for table, watch in audit.WATCHED.items():
        assert table in db.metadata.tables, table
        columns = db.metadata.tables[table].columns
        for name in watch.fields + ((watch.target,) if watch.target else ()):
            assert name in columns, (table, name)


def test_logins_and_failed_logins(client, app):
    user, password = make_user()
    assert login(client, user.email, "not-the-password").status_code == 422
    assert login(client, user.email, password).status_code == 302
    failed, ok = _entries("account.login_failed"), _entries("account.login")
    assert [e.user_email for e in failed] == [user.email]
    assert [e.user_email for e in ok] == [user.email] and ok[0].at >= failed[0].at


def test_api_key_create_with_its_scopes_and_revoke(client, app):
    campaign = make_campaign()
    user = _organizer(client, campaign)
    response = _post(client, "/organize/api-keys/", {
        "name": "partner", "campaigns": [str(campaign.id)], "scopes": ["read_aggregates"]})
    assert response.status_code == 201  # the page that shows the key once
    [key] = api.keys_of(user)
    [created] = _entries("api_key.create")
    assert created.user_email == user.email and created.target == f"kjc_{key.prefix}"
    assert created.detail["scopes"] == ["read_aggregates"]
    assert created.detail["campaigns"] == [campaign.slug]
    _post(client, "/organize/api-keys/", {}, f"/organize/api-keys/{key.id}/revoke")
    [revoked] = _entries("api_key.revoke")
    assert revoked.user_email == user.email and revoked.target == f"kjc_{key.prefix}"


def test_donation_settings_bank_details_old_and_new(client, app):
    campaign = make_campaign()
    user = _organizer(client, campaign)
    page = f"/organize/c/{campaign.slug}/donations"
    for iban in ("IBAN KZ00 1111", "IBAN KZ00 2222"):
        response = _post(client, page, {"currencies": ["EUR", "KZT"], "goal_currency": "EUR",
                                        "rates": "", "offline_instructions": iban},
                         f"{page}/settings")
        assert response.status_code == 303
    last = _entries("donations.settings")[-1]
    assert last.user_email == user.email and last.campaign_id == campaign.id
    assert last.detail["changes"]["offline_instructions"] == {"old": "IBAN KZ00 1111",
                                                              "new": "IBAN KZ00 2222"}


def test_widget_origins_and_retention_from_the_console(client, app):
    campaign = make_campaign()
    user = _organizer(client, campaign)
    widget = f"/organize/c/{campaign.slug}/widget"
    for origin in ("https://one.example", "https://two.example"):
        assert _post(client, widget, {"origins": origin}).status_code in (302, 303)
    last = _entries("widget.origins")[-1]
    assert last.user_email == user.email
    assert last.detail["changes"]["allowed_origins"] == {"old": "https://one.example",
                                                         "new": "https://two.example"}
    privacy = f"/organize/c/{campaign.slug}/privacy"
    assert _post(client, privacy, {"days": "45"}).status_code == 200
    [retention] = _entries("privacy.retention")
    assert retention.user_email == user.email
    assert retention.detail["changes"]["days_after_delivery"]["new"] == 45


def test_letter_templates_target_choices_and_dossier_downloads(client, app, dossier_fonts):
    targets.import_csv(HEADER + ROWS)
    bodies = {t.short_id: t for t in targets.all_targets()}
    campaign = make_campaign()
    letters.install_default_templates(campaign)
    db.session.commit()
    user = _organizer(client, campaign)
    console = f"/organize/c/{campaign.slug}/letters"
    un, osce = bodies["un_min"], bodies["osce_hcnm"]
    response = _post(client, console, {"offered": [str(un.id), str(osce.id)],
                                       "preselected": [str(un.id)]}, f"{console}/targets")
    assert response.status_code == 303
    chosen = [e for e in _entries("letters.targets") if e.user_email == user.email]
    assert {e.target for e in chosen} == {str(un.id), str(osce.id)}
    assert all(e.campaign_id == campaign.id for e in chosen)

    response = _post(client, console, {"action": "save", "kind": "cover", "locale": "en",
                                       "subject": "About {{ campaign_title }}",
                                       "body": "Dear {{ target_name }},\nsigned by "
                                               "{{ signature_count }}"})
    assert response.status_code == 303
    template = [e for e in _entries("letters.template") if e.user_email == user.email][-1]
    assert template.campaign_id == campaign.id and template.target == "en"
    subject = template.detail["changes"]["subject"]
    assert subject["new"] == "About {{ campaign_title }}"
    assert subject["old"] not in (None, subject["new"])

    make_signature(campaign)
    assert client.get(f"{console}/dossier.pdf?locale=en").status_code == 200
    [download] = _entries("letters.dossier")
    assert download.user_email == user.email and download.campaign_id == campaign.id


def test_invalidation_is_recorded_with_its_reason(client, app):
    campaign = make_campaign()
    signature = make_signature(campaign)
    user = _organizer(client, campaign)
    response = _post(client, f"/organize/c/{campaign.slug}/signatures",
                     {"reason": "bought clicks"},
                     f"/organize/c/{campaign.slug}/signatures/{signature.id}/invalidate")
    assert response.status_code in (302, 303)
    [entry] = _entries("signature.invalidate")
    assert entry.user_email == user.email and entry.campaign_id == campaign.id
    assert "bought clicks" in str(entry.detail)
