"""LOG_FORMAT=json: one JSON line per request and per job, with no IP, token or e-mail."""
import io
import json
import logging
import re

import pytest

from campaign.ops.logs import JsonFormatter, scrub
from campaign.outbox import service as outbox
from tests.factories import make_campaign
from tests.forms_util import sign_post


def capture():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    return stream, lambda: (root.removeHandler(handler), root.setLevel(old_level))


@pytest.fixture
def json_logs(app):
    """Turn JSON logs on for this app, and give the root handlers their formatters back."""
    root = logging.getLogger()
    formatters = [(handler, handler.formatter) for handler in root.handlers]
    app.config["LOG_FORMAT"] = "json"
    from campaign.ops import logs
    logs.init_app(app)  # the app fixture was built with text logs
    yield
    for handler, formatter in formatters:
        handler.setFormatter(formatter)


def test_json_lines_name_routes_and_leak_nothing(app, sent_mail, json_logs):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.77"
    campaign = make_campaign()
    stream, stop = capture()
    try:
        assert sign_post(client, campaign, email="secret.person@example.org").status_code == 303
        outbox.work(once=True)
        body = sent_mail()[0].get_body(("plain",)).get_content()
        link = re.search(r"/confirm/(\S+)", body)
        token = link.group(1)
        assert client.get(link.group(0)).status_code == 200
        logging.getLogger("campaign.test").info(
            "a careless message about secret.person@example.org from 203.0.113.77 "
            "and 2001:db8:1::5 with http://campaign.test/confirm/%s", token)
        result = app.test_cli_runner().invoke(args=["outbox", "status"])
        assert result.exit_code == 0
    finally:
        stop()
    text = stream.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    requests = [line for line in lines if line["logger"] == "campaign.request"]
    assert {(r["method"], r["route"], r["status"]) for r in requests} >= {
        ("GET", "/<lang:lang>/c/<slug>", 200), ("POST", "/<lang:lang>/c/<slug>/sign", 303),
        ("GET", "/confirm/<token>", 200)}
    assert all(isinstance(r["duration_ms"], float) for r in requests)
    jobs = [line for line in lines if line["logger"] == "campaign.job"]
    assert [(j["job"], j["outcome"]) for j in jobs] == [("outbox status", "ok")]
    assert any(line.get("job") == "outbox batch" for line in lines)
    for secret in ("secret.person", "example.org", "203.0.113.77", "2001:db8", token):
        assert secret not in text
    assert "[ip]" in text and "campaign.test/confirm/…" in text


def test_scrub_keeps_ordinary_text():
    assert scrub("outbox batch: 3 sent, 0 failed") == "outbox batch: 3 sent, 0 failed"
    assert scrub("version 1.2.3") == "version 1.2.3"
    assert scrub("a@b.org") == "[email]"
    assert scrub("from 2001:db8:1::5 at 12:30") == "from [ip] at 12:30"
