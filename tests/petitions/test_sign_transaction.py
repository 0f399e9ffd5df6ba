"""A signature from the sign form is written in a transaction of its own (prepared.py's
own_transaction): on PostgreSQL one statement in autocommit, one round trip; on SQLite the
signature and its e-mail in one transaction. Either both rows are there or neither."""
import psycopg
import pytest
from sqlalchemy import func, select

from campaign.extensions import db
from campaign.outbox import service as outbox
from campaign.outbox.models import OutboxMessage
from campaign.petitions import service as petitions
from campaign.petitions.models import Signature
from tests.factories import make_campaign
from tests.forms_util import SIGN_FORM, hidden_inputs


@pytest.fixture
def warm_for_an_hour(monkeypatch):
    monkeypatch.setattr(petitions, "SIGN_TARGET_SECONDS", 3600)


def post(client, campaign, form, email):
    return client.post(f"/en/c/{campaign.slug}/sign", data=dict(SIGN_FORM, **form, email=email))


def stored():
    db.session.expire_all()
    counts = (db.session.scalar(select(func.count()).select_from(Signature)),
              db.session.scalar(select(func.count()).select_from(OutboxMessage)))
    db.session.rollback()  # end the read: the test's session holds no transaction
    return counts


def test_on_postgresql_a_signature_is_one_statement_without_begin_or_commit(
        client, app, warm_for_an_hour, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's round trips")
    campaign = make_campaign()
    form = hidden_inputs(client.get(f"/en/c/{campaign.slug}").get_data(as_text=True))
    assert post(client, campaign, form, "first@example.org").status_code == 303  # warm
    statements, commits = [], []
    execute, commit = psycopg.Cursor.execute, psycopg.Connection.commit

    def recording_execute(cursor, query, *args, **kwargs):
        statements.append((str(query).split()[0], cursor.connection.autocommit))
        return execute(cursor, query, *args, **kwargs)

    def recording_commit(connection):
        commits.append(connection)
        return commit(connection)

    monkeypatch.setattr(psycopg.Cursor, "execute", recording_execute)
    monkeypatch.setattr(psycopg.Connection, "commit", recording_commit)
    assert post(client, campaign, form, "second@example.org").status_code == 303
    monkeypatch.undo()
    # The signature and its e-mail in one statement that commits by itself.
    assert statements == [("WITH", True)]
    assert commits == []
    assert stored() == (2, 2)


def test_a_write_that_fails_leaves_neither_row_and_the_next_signer_is_taken(
        client, app, warm_for_an_hour, monkeypatch):
    campaign = make_campaign()
    form = hidden_inputs(client.get(f"/en/c/{campaign.slug}").get_data(as_text=True))
    deferred_params = outbox.deferred_params

    def without_recipient(**kwargs):  # the e-mail's row refused: NOT NULL
        return {**deferred_params(**kwargs), outbox.DEFERRED_PARAM_PREFIX + "to_addr": None}

    monkeypatch.setattr(outbox, "deferred_params", without_recipient)
    assert post(client, campaign, form, "refused@example.org").status_code == 500
    monkeypatch.setattr(outbox, "deferred_params", deferred_params)
    assert stored() == (0, 0)  # not the signature without its e-mail
    # The connection went back clean (SQLite: its write lock released): the next signer
    # is taken at once.
    assert post(client, campaign, form, "next@example.org").status_code == 303
    assert stored() == (1, 1)
