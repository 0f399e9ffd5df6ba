"""Registries are explicit: the factory's one list of features fills them on the app, and
nothing depends on which modules some other code happened to import first."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import campaign
from campaign.privacy import service as privacy

ROOT = Path(__file__).resolve().parent.parent


def _in_fresh_interpreter(tmp_path, body: str) -> dict:
    """Run `body` in a new Python where only the factory has run; it prints JSON."""
    script = textwrap.dedent(f"""
        import json, sys
        from campaign import create_app
        app = create_app({{"TESTING": True, "SECRET_KEY": "x",
                           "SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path}/r.db"}},
                         instance_path="{tmp_path}")
        with app.app_context():
        """) + textwrap.indent(textwrap.dedent(body), "    ")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_privacy_erasure_covers_every_source_with_only_the_factory_run(tmp_path):
    seen = _in_fresh_interpreter(tmp_path, """
        from campaign.extensions import db
        from campaign.privacy import service as privacy
        db.create_all()
        key = privacy.email_key_of("nobody@example.org")
        print(json.dumps({"sources": sorted(privacy.data_sources()),
                          "erased": sorted(privacy.erase(key)),
                          "exported": sorted(privacy.export(key))}))
    """)
    assert {"signatures", "letters", "donations"} <= set(seen["sources"])
    assert seen["erased"] == seen["sources"]
    assert set(seen["sources"]) <= set(seen["exported"])


def test_console_tabs_sections_and_api_parts_come_from_the_factory(tmp_path):
    seen = _in_fresh_interpreter(tmp_path, """
        from campaign.api import registry as api
        from campaign.campaigns.sections import sections
        from campaign.organizers import registry as console
        print(json.dumps({"tabs": [t.name for t in console.tabs()],
                          "sections": [s.name for s in sections()],
                          "api": sorted(api.campaign_extensions()),
                          "donations_api": api.donations_provider() is not None}))
    """)
    assert seen["tabs"] == ["overview", "settings", "page", "texts", "signatures", "fields",
                            "comments", "paper", "partners", "analytics", "milestones",
                            "updates", "donations", "letters", "delivery", "widget", "safety",
                            "privacy", "audit"]
    assert seen["sections"] == ["milestones", "petition", "donations", "letters", "map"]
    assert seen["api"] == ["delivery"] and seen["donations_api"]


def test_registries_live_on_each_app_not_in_module_state(app):
    """A second app starts from its own registries: nothing leaks through module state."""
    other = campaign.create_app({"TESTING": True, "SECRET_KEY": "x",
                                 "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert other.extensions["privacy_sources"] is not app.extensions["privacy_sources"]
    assert other.extensions["console"] is not app.extensions["console"]
    with other.app_context():
        assert set(privacy.data_sources()) == set(app.extensions["privacy_sources"])


def test_every_feature_is_set_up_by_its_init_app():
    features = campaign._features()
    packages = {path.name for path in (ROOT / "campaign").iterdir()
                if (path / "__init__.py").exists()
                # Nothing to register: audit is models and a service used by the console;
                # abuse is rate limits and bot traps that forms use.
                and path.name not in ("audit", "abuse")}
    assert {feature.__name__.rsplit(".", 1)[1] for feature in features} == packages
    assert all(callable(getattr(feature, "init_app", None)) for feature in features)
