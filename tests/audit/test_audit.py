"""Every sensitive act on the record (who, when, what, old and new values), and admins read
the log filtered and export it."""
from __future__ import annotations

import csv
import io

from campaign.audit import service as audit
from campaign.audit.models import AuditEntry
from campaign.extensions import db
from campaign.privacy import service as privacy
from campaign.widget import service as widget
from tests.conftest import csrf_from, login
from tests.factories import make_campaign, make_user
from tests.letters.conftest import HEADER, ROWS


def _entries(action):
    return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


def test_a_directory_address_change_shows_old_and_new(client, app):
    from campaign.targets import service as targets
    targets.import_csv(HEADER + ROWS)
    target = next(t for t in targets.all_targets() if t.short_id == "un_min")
    admin, password = make_user(role="admin")
    login(client, admin.email, password)
    page = client.get(f"/organize/targets/{target.id}").get_data(as_text=True)
    response = client.post(f"/organize/targets/{target.id}", data={
        "csrf_token": csrf_from(page), "email": "new-minority@un.example.org",
        "languages": "en,fr", "active": "y"})
    assert response.status_code == 303
    [entry] = _entries("target.edit")[-1:]
    assert entry.user_email == admin.email and entry.target == "un_min"
    assert entry.detail["changes"]["email"] == {"old": "minority@un.example.org",
                                                "new": "new-minority@un.example.org"}


def test_settings_changes_are_recorded_with_the_actor_and_campaign(client, app):
    campaign = make_campaign()
    organizer, _ = make_user(campaigns=[campaign])
    audit.set_actor(organizer)
    widget.set_framing(campaign.id, ["https://partner.example"])
    db.session.commit()
    widget.set_framing(campaign.id, ["https://other.example"])
    db.session.commit()
    privacy.set_retention(campaign.id, 90)
    db.session.commit()
    entries = _entries("widget.origins")
    assert [e.campaign_id for e in entries] == [campaign.id, campaign.id]
    assert entries[-1].detail["changes"]["allowed_origins"] == {
        "old": "https://partner.example", "new": "https://other.example"}
    assert entries[-1].user_email == organizer.email
    [retention] = _entries("privacy.retention")
    assert retention.detail["changes"]["days_after_delivery"]["new"] == 90


def test_downloads_and_exports_are_recorded(client, app):
    campaign = make_campaign()
    organizer, password = make_user(campaigns=[campaign])
    login(client, organizer.email, password)
    assert client.get(f"/organize/c/{campaign.slug}/donations.csv").status_code == 200
    assert client.get(f"/organize/c/{campaign.slug}/signatures.csv").status_code == 200
    actions = {e.action for e in db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.campaign_id == campaign.id))}
    assert {"donations.export", "signature.export_csv"} <= actions


def test_admins_filter_and_export_the_log(client, app):
    one, two = make_campaign(), make_campaign()
    alice, _ = make_user(email="alice@example.org")
    bob, _ = make_user(email="bob@example.org")
    audit.record(alice, "campaign.settings", campaign_id=one.id, target="=HYPERLINK(\"x\")")
    audit.record(bob, "campaign.settings", campaign_id=two.id, target=two.slug)
    audit.record(bob, "account.login", target=bob.email)
    db.session.commit()
    organizer, password = make_user()
    login(client, organizer.email, password)
    assert client.get("/organize/audit").status_code == 403
    assert client.get("/organize/audit.csv").status_code == 403
    admin, password = make_user(role="admin")
    login(client, admin.email, password)
    page = client.get(f"/organize/audit?campaign={one.id}").get_data(as_text=True)
    assert "alice@example.org" in page and "bob@example.org" not in page
    page = client.get("/organize/audit?person=bob@&kind=account").get_data(as_text=True)
    assert "account.login" in page and "campaign.settings" not in page
    # Odd input is a filter that matches nothing, never an error.
    for query in ("campaign=99999999999999999999", "person=%25_%00", "kind=%ff",
                  "before=99999999999999999999999"):
        assert client.get(f"/organize/audit?{query}").status_code in (200, 400), query
    export = client.get(f"/organize/audit.csv?campaign={one.id}")
    assert export.status_code == 200 and export.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert rows[0][:4] == ["id", "at", "user_email", "action"]
    # The export itself is on the record first (so it is in the file too).
    assert [(r[2], r[3]) for r in rows[1:]] == [("alice@example.org", "campaign.settings"),
                                                (admin.email, "audit.export")], rows
    assert rows[1][5] == "'=HYPERLINK(\"x\")"  # a formula is text, never run
    assert _entries("audit.export")[-1].user_email == admin.email
