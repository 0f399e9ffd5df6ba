"""Signature search by name or e-mail: the indexed strategies (trigrams on PostgreSQL, FTS5 on
SQLite) find what an organizer types, in any script, and nothing a query holds can break
them."""
from __future__ import annotations

import pytest

from campaign.extensions import db
from campaign.petitions.console import moderation
from campaign.petitions.models import Signature
from campaign.petitions.search import fts_query
from tests.conftest import login
from tests.factories import make_campaign, make_signature, make_user


@pytest.fixture
def organizer(client, app):
    campaign = make_campaign()
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    return user, campaign


def _names(campaign, q):
    rows, _next = moderation.page(campaign.id, moderation.SignatureFilter(q=q))
    return {row.full_name for row in rows}


def test_finds_by_name_word_and_address_in_any_script(organizer):
    _user, campaign = organizer
    make_signature(campaign, full_name="Анна Петрова", email="anna.p@example.org")
    make_signature(campaign, full_name="Müller Jürgen", email="jm@example.de")
    make_signature(campaign, full_name="Хусейн Ванахун", email="dungan@example.kz")
    make_signature(campaign, full_name="Ivan Ivanov", email="ivan@mail.example")
    assert _names(campaign, "петр") == {"Анна Петрова"}          # a later word's start
    assert _names(campaign, "АННА") == {"Анна Петрова"}          # case folded in Cyrillic
    assert _names(campaign, "müller") == {"Müller Jürgen"}
    assert _names(campaign, "dungan@example") == {"Хусейн Ванахун"}  # the address
    assert _names(campaign, "ivan") == {"Ivan Ivanov"}
    assert _names(campaign, "анна петрова") == {"Анна Петрова"}  # every word must match
    assert _names(campaign, "анна ivan") == set()


@pytest.mark.parametrize("q", ['"', '""', "*", "AND", "OR NOT", "NEAR(a b)", "a:b",
                               "^x", "%", "_", "\\", "'; DROP TABLE signatures; --",
                               "ivan*", "(", "\x00"])
# (On SQLite "ivan*" is the word "ivan"; PostgreSQL looks for the text "ivan*", literally.)
def test_query_syntax_is_inert(organizer, client, q):
    _user, campaign = organizer
    make_signature(campaign, full_name="Ivan Ivanov")
    response = client.get(f"/organize/c/{campaign.slug}/signatures", query_string={"q": q})
    assert response.status_code in (200, 400)
    if response.status_code == 200 and q.isprintable():  # a NUL alone is no query at all
        found = "Ivan Ivanov" in response.get_data(as_text=True)
        assert found if q == "ivan*" and db.engine.dialect.name == "sqlite" else not found


def test_renames_and_deletions_follow_the_index(organizer):
    _user, campaign = organizer
    signature = make_signature(campaign, full_name="Old Name")
    signature.full_name = "Fresh Name"
    db.session.commit()
    assert _names(campaign, "fresh") == {"Fresh Name"} and _names(campaign, "old") == set()
    db.session.delete(db.session.get(Signature, signature.id))
    db.session.commit()
    assert _names(campaign, "fresh") == set()


def test_other_campaigns_stay_out(organizer):
    _user, campaign = organizer
    make_signature(make_campaign(), full_name="Elsewhere Person")
    assert _names(campaign, "elsewhere") == set()


def test_fts_query_quotes_every_word():
    assert fts_query('ann "x" OR') == '"ann"* "x"* "OR"*'
    assert fts_query("%%") is None


def test_search_pages_by_keyset_and_exports_what_it_finds(organizer, client):
    _user, campaign = organizer
    made = [make_signature(campaign, full_name=f"Dungan Friend {i}").id for i in range(7)]
    make_signature(campaign, full_name="Someone Else")
    seen, before = [], None
    while True:
        rows, before = moderation.page(campaign.id, moderation.SignatureFilter(q="dungan"),
                                       size=3, before_id=before)
        seen += [row.id for row in rows]
        if before is None:
            break
    assert seen == sorted(made, reverse=True)
    body = client.get(f"/organize/c/{campaign.slug}/signatures.csv?q=friend&sep=comma")
    lines = body.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert len(lines) == 8 and all("Dungan Friend" in line for line in lines[1:])


def test_like_patterns_for_postgresql():
    from campaign.petitions.search import like_patterns
    assert like_patterns("Anna  50%_x") == ["%anna%", "%50\\%\\_x%"]
    assert like_patterns("li wu") == ["li%", "wu%"]  # only short words: the field's start
    assert like_patterns("li ivan") == ["%li%", "%ivan%"]
