"""The sourced target directory: import, export, the starting set, setup."""
import csv
import io

import pytest

from campaign.extensions import db
from campaign.targets import service
from campaign.targets.models import Target

HEADER = ("short_id,organisation,name,role,email,postal_address,web_url,source_url,source_date,"
          "languages\n")


def test_starting_set_keeps_sources_languages_and_verification_date(app):
    created, updated, _skipped = service.load_starting_set()
    assert created == 19 and updated == 0
    rows = {t.short_id: t for t in service.all_targets()}
    minority = rows["sr_minority_issues"]
    assert minority.email == "minorityissues@ohchr.org"
    assert "ohchr.org" in minority.source_url and minority.source_date == "2012"
    assert minority.language_list == ["en", "fr", "ru", "zh"]
    assert "un.org" in minority.languages_source
    assert rows["coe_commissioner"].language_list == ["en", "fr"]
    assert rows["osce_hcnm"].language_list == ["en", "fr", "de", "ru"]
    assert "ru" not in rows["ep_droi"].language_list
    assert rows["hrc_petitions"].email is None and not rows["hrc_petitions"].by_email
    assert all(t.verified_on is None for t in rows.values())  # nobody has checked them yet


def test_rows_without_source_are_left_out_and_bad_rows_write_nothing(app):
    good = HEADER + "a,UN,Body A,,a@example.org,,,https://example.org/a,2020,en\n"
    unsourced = "b,UN,Body B,,b@example.org,,,,2020,en\n"
    assert service.import_csv(good + unsourced) == (1, 0, 1)
    assert [t.short_id for t in service.all_targets()] == ["a"]

    bad = HEADER + "c,UN,Body C,,c@example.org,,,https://example.org/c,,en\n" \
        + "d,NATO,Body D,,,,,https://example.org/d,,en\n"
    with pytest.raises(service.ImportProblem, match="line 3"):
        service.import_csv(bad)
    assert [t.short_id for t in service.all_targets()] == ["a"]  # nothing half-written


def test_no_languages_defaults_to_english_with_a_note(app):
    service.import_csv(HEADER + "a,EU,Body A,,,,,https://example.org/a,2020,\n")
    target = service.all_targets()[0]
    assert target.language_list == ["en"] and "default" in target.languages_source


def test_cli_import_export_round_trip(app, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "t.csv"
    path.write_text(HEADER + "a,OSCE,Бюро А,,a@example.org,,,https://example.org/a,2020,\"ru,en\"\n",
                    encoding="utf-8")
    result = runner.invoke(args=["targets", "import", str(path)])
    assert result.exit_code == 0 and "created 1" in result.output
    db.session.get(Target, service.all_targets()[0].id)
    exported = runner.invoke(args=["targets", "export"]).output
    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["name"] == "Бюро А" and row["languages"] == "ru,en"
    assert row["source_url"] == "https://example.org/a" and row["verified_on"] == ""
    path.write_text(HEADER + "x,XX,Bad,,,,,https://e.org,,en\n", encoding="utf-8")
    bad = runner.invoke(args=["targets", "import", str(path)])
    assert bad.exit_code != 0 and "nothing imported" in bad.output


def test_setup_loads_the_starting_set(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert len(service.all_targets()) == 19


def test_admin_corrects_and_verifies_an_address(client, app):
    from tests.conftest import csrf_from, login
    from tests.factories import make_user

    service.load_starting_set()
    target = next(t for t in service.all_targets() if t.short_id == "wgad")
    organizer, organizer_password = make_user()
    admin, password = make_user(role="admin")
    assert client.get("/organize/targets/").status_code == 302
    # Organizers read the shared directory; only admins change it.
    login(client, organizer.email, organizer_password)
    assert client.get("/organize/targets/").status_code == 200
    assert client.get(f"/organize/targets/{target.id}").status_code == 403
    client.post("/organize/logout", data={"csrf_token": csrf_from(
        client.get("/organize/").get_data(as_text=True))})
    login(client, admin.email, password)
    listing = client.get("/organize/targets/").get_data(as_text=True)
    assert "hrc-wg-ad@un.org" in listing and "never" in listing
    page = client.get(f"/organize/targets/{target.id}").get_data(as_text=True)
    bad = client.post(f"/organize/targets/{target.id}", data={
        "csrf_token": csrf_from(page), "email": "nope", "languages": "en,xx", "active": "y"})
    assert bad.status_code == 422
    db.session.refresh(target)
    assert target.email == "hrc-wg-ad@un.org"
    ok = client.post(f"/organize/targets/{target.id}", data={
        "csrf_token": csrf_from(page), "email": "wgad@example.org", "languages": "en, fr",
        "active": "y", "verified": "y"})
    assert ok.status_code == 303
    db.session.refresh(target)
    assert target.email == "wgad@example.org" and target.languages == "en,fr"
    assert target.verified_on is not None
    assert target.verified_on.isoformat() in client.get("/organize/targets/").get_data(
        as_text=True)
