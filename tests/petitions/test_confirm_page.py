"""The page after a confirmation link's first click: a browser gets it compressed (once per
cached copy, not per click), a client without Accept-Encoding gets it plain, and both get the
same page with every protection; the click is counted once either way (issue 18)."""
import gzip

from sqlalchemy import func, select

from campaign.extensions import db
from campaign.outbox.models import OutboxMessage
from campaign.petitions.lifecycle import register_count_listener
from campaign.petitions.service import signature_token
from tests.factories import make_campaign, make_signature

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                    "Permissions-Policy", "Cross-Origin-Opener-Policy", "X-Frame-Options")


def _links(campaign, n):
    return [f"/confirm/{signature_token('confirm', make_signature(campaign, confirmed=False))}"
            for _ in range(n)]


def test_a_browser_gets_the_confirmed_page_gzipped_and_the_same_page(client, app):
    app.config["CAMPAIGN_PAGE_CACHE_SECONDS"] = 60
    campaign = make_campaign()
    browser_link, plain_link = _links(campaign, 2)
    browser = client.get(browser_link, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    plain = client.get(plain_link)
    assert browser.status_code == plain.status_code == 200
    assert browser.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in browser.headers["Vary"]
    assert gzip.decompress(browser.get_data()) == plain.get_data()
    assert "your signature is confirmed" in plain.get_data(as_text=True)
    # No Content-Encoding for a client that accepts none, but caches still key on it.
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    for response in (browser, plain):
        assert response.headers["Cache-Control"] == "no-store"  # a link's page: never cached
        for name in SECURITY_HEADERS:
            assert response.headers.get(name), name
    db.session.expire_all()
    assert campaign.signature_count == 2  # each click counted once


def test_a_closed_campaign_click_is_answered_plainly_and_not_counted(client, app):
    campaign = make_campaign()
    (link,) = _links(campaign, 1)
    campaign.status = "closed"
    db.session.commit()
    response = client.get(link, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 409
    db.session.expire_all()
    assert campaign.signature_count == 0


def test_a_failing_count_listener_leaves_the_click_confirmed_and_thanked(client, app):
    """The click commits on its own; a count listener (milestones) runs after it, so one that
    fails costs the signer neither the confirmation nor the page."""
    def fail(campaign_id):
        raise RuntimeError("listener down")

    register_count_listener(app, fail)
    campaign = make_campaign()
    (link,) = _links(campaign, 1)
    response = client.get(link)
    assert response.status_code == 200
    assert "your signature is confirmed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert campaign.signature_count == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "signature_thanks")) == 1


def test_on_sqlite_the_click_holds_the_write_lock_for_three_statements(client, app,
                                                                        monkeypatch):
    """The UPDATE, the count (which also says whether a milestone is due) and the thanks
    e-mail, whose address, language and campaign the INSERT reads from the confirmed row:
    every parameter is bound before the UPDATE takes SQLite's write lock."""
    if db.engine.dialect.name != "sqlite":
        return
    from campaign import sqlite_writelock

    campaign = make_campaign()
    signature = make_signature(campaign, confirmed=False, email="Ana@Example.org", locale="ru")
    link = f"/confirm/{signature_token('confirm', signature)}"
    statements: list[str] = []
    committed: list[bool] = []
    execute = sqlite_writelock.WriteLockCursor.execute
    commit = sqlite_writelock.WriteLockConnection.commit

    def recording(cursor, sql, parameters=(), /):
        # The click's transaction: from its UPDATE to its commit (the page comes after).
        if not committed and (statements or sql.startswith("UPDATE signatures")):
            statements.append(sql.split()[0])
        return execute(cursor, sql, parameters)

    def committing(connection):
        if statements:
            committed.append(True)
        return commit(connection)

    monkeypatch.setattr(sqlite_writelock.WriteLockCursor, "execute", recording)
    monkeypatch.setattr(sqlite_writelock.WriteLockConnection, "commit", committing)
    assert client.get(link).status_code == 200
    monkeypatch.undo()
    assert statements == ["UPDATE", "INSERT", "INSERT"]
    db.session.expire_all()
    assert campaign.signature_count == 1
    mail = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "signature_thanks")).one()
    assert (mail.to_addr, mail.render_lang, mail.campaign_id, mail.render_ref) == (
        signature.email, "ru", campaign.id, signature.id)
    assert client.get(link).status_code == 200  # the second click: nothing more
    db.session.expire_all()
    assert campaign.signature_count == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "signature_thanks")) == 1
