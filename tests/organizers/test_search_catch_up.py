"""SQLite indexes new signatures for the console's search after signing, not while signing
(issue #18): what an organizer finds is still exactly what the table holds, and the FTS5
index never holds a row it should not (which would corrupt it)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from campaign.extensions import db
from campaign.outbox import service as outbox
from campaign.petitions import search
from campaign.petitions.models import Signature
from tests.conftest import login
from tests.factories import make_campaign, make_signature, make_user


@pytest.fixture(autouse=True)
def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's trigram indexes are kept by the database as rows change")


@pytest.fixture
def organizer(client, app):
    campaign = make_campaign()
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    return campaign


def _console_finds(client, campaign, name) -> bool:
    """The organizer searches for the name's first word: is the signer on the page?"""
    page = client.get(f"/organize/c/{campaign.slug}/signatures",
                      query_string={"q": name.split()[0]})
    assert page.status_code == 200
    return name in page.get_data(as_text=True)


def _indexed(word: str) -> set[int]:
    """What the FTS5 table itself holds, without catching up first."""
    return set(db.session.scalars(text(
        f"SELECT rowid FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH :q"),
        {"q": f'"{word}"'}))


def _index_is_sound() -> None:
    # FTS5 compares its index with the content table and raises if they disagree.
    db.session.execute(text(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) "
                            "VALUES ('integrity-check')"))
    db.session.commit()


def _rename(signature: Signature, name: str) -> None:
    signature.full_name = name
    db.session.commit()


def _delete(signature: Signature) -> None:
    db.session.delete(db.session.get(Signature, signature.id))
    db.session.commit()


def test_signing_leaves_the_index_alone_and_the_console_finds_it_anyway(organizer, client):
    campaign = organizer
    make_signature(campaign, full_name="Zhanar Abenova")
    assert _indexed("abenova") == set()  # the sign did not pay for indexing
    assert _console_finds(client, campaign, "Zhanar Abenova")
    assert _indexed("abenova")  # the search indexed it first
    _index_is_sound()


def test_signed_renamed_and_deleted_before_any_catch_up(organizer, client):
    campaign = organizer
    make_signature(campaign, full_name="Kept Signer")
    gone = make_signature(campaign, full_name="Passing Signer")
    _rename(gone, "Renamed Signer")
    _delete(gone)
    renamed = make_signature(campaign, full_name="Early Name")
    _rename(renamed, "Later Name")
    assert not _console_finds(client, campaign, "Passing Signer")
    assert not _console_finds(client, campaign, "Renamed Signer")
    assert not _console_finds(client, campaign, "Early Name")
    assert _console_finds(client, campaign, "Later Name")
    assert _console_finds(client, campaign, "Kept Signer")
    _index_is_sound()


def test_an_indexed_signature_renamed_is_found_by_its_new_name_only(organizer, client):
    campaign = organizer
    signature = make_signature(campaign, full_name="Before Rename")
    assert _console_finds(client, campaign, "Before Rename")
    _rename(signature, "After Rename")
    assert not _console_finds(client, campaign, "Before Rename")
    assert _console_finds(client, campaign, "After Rename")
    _delete(signature)
    assert not _console_finds(client, campaign, "After Rename")
    _index_is_sound()


def test_an_id_handed_out_again_after_the_newest_signature_went(organizer, client):
    """SQLite reuses the id of a deleted newest row: the newcomer must still be indexed,
    and deleting it must not take from the index what was never there."""
    campaign = organizer
    make_signature(campaign, full_name="Older Signer")
    newest = make_signature(campaign, full_name="Newest Signer")
    assert _console_finds(client, campaign, "Newest Signer")  # indexed through its id
    _delete(newest)
    again = make_signature(campaign, full_name="Another Signer")
    assert again.id == newest.id
    assert _console_finds(client, campaign, "Another Signer")
    assert not _console_finds(client, campaign, "Newest Signer")
    _delete(again)
    _index_is_sound()
    assert not _console_finds(client, campaign, "Another Signer")


def test_ids_handed_out_again_after_unindexed_newest_signatures_went(organizer, client):
    """Newest rows deleted before they were indexed (an erasure, a wipe) leave the mark no
    higher than the newest row left: the ids SQLite hands out again are indexed when they
    come, and deleting them takes nothing from the index that it never held."""
    campaign = organizer
    older = make_signature(campaign, full_name="Indexed Signer")
    assert _console_finds(client, campaign, "Indexed Signer")
    used = {older.id, *(make_signature(campaign, full_name=f"Waiting Signer{i}").id
                        for i in range(3))}
    db.session.execute(text("DELETE FROM signatures"))  # oldest first, as a wipe does
    db.session.commit()
    again = make_signature(campaign, full_name="Returning Signer")
    assert again.id in used  # an id used before
    assert _console_finds(client, campaign, "Returning Signer")
    _delete(again)
    _index_is_sound()


def test_chunks_index_everything_waiting(organizer):
    campaign = organizer
    signatures = [make_signature(campaign, full_name=f"Chunked Signer{n}") for n in range(5)]
    assert search.catch_up_index(limit=2) == 2
    assert _indexed("chunked") == {s.id for s in signatures[:2]}
    assert search.catch_up_all(chunk=2) == 3
    assert search.catch_up_index() == 0
    assert _indexed("chunked") == {s.id for s in signatures}
    _index_is_sound()


class _OneRound(threading.Event):
    """A stop event that lets the worker's loop go round once."""

    def __init__(self):
        super().__init__()
        self.rounds = 0

    def is_set(self) -> bool:
        self.rounds += 1
        return self.rounds > 1

    def wait(self, timeout=None) -> bool:
        return True


def test_the_outbox_worker_indexes_a_surge_without_a_search(organizer):
    campaign = organizer
    signature = make_signature(campaign, full_name="Surge Signer")
    outbox.work(once=True)  # inline delivery after a request: no indexing there
    assert _indexed("surge") == set()
    outbox.work(stop=_OneRound())  # the long-running worker
    assert _indexed("surge") == {signature.id}
