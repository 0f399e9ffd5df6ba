"""/metrics: Prometheus text, off by default, only with the token; counts what happened."""
import re
from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from campaign.extensions import db
from campaign.outbox import service as outbox
from campaign.util import utcnow
from tests.donations.conftest import event, post_event
from tests.donations.fake_stripe import WEBHOOK_SECRET
from tests.factories import make_campaign
from tests.forms_util import sign_post

TOKEN = "metrics-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def scrape(client) -> dict[str, float]:
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}"] = sample.value
    return samples


def delta(after, before, key):
    return after.get(key, 0) - before.get(key, 0)


def test_metrics_are_off_by_default_and_need_the_token(client, app):
    assert client.get("/metrics").status_code == 404
    app.config["METRICS_TOKEN"] = TOKEN
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 403
    assert client.get("/metrics", headers=AUTH).status_code == 200


def test_metrics_count_signatures_latency_queue_and_refusals(client, app, sent_mail):
    app.config.update(METRICS_TOKEN=TOKEN)
    campaign = make_campaign()
    before = scrape(client)
    assert before["campaign_outbox_queue_depth{}"] == 0
    assert before["campaign_outbox_oldest_age_seconds{}"] == 0

    assert sign_post(client, campaign, email="m1@example.org").status_code == 303
    assert sign_post(client, campaign, email="m2@example.org").status_code == 303
    middle = scrape(client)
    assert delta(middle, before, "campaign_signatures_created_total{}") == 2
    assert delta(middle, before, "campaign_sign_seconds_count{}") == 2
    assert middle["campaign_outbox_queue_depth{}"] == 2
    assert middle["campaign_outbox_oldest_age_seconds{}"] >= 0

    outbox.work(once=True)
    link = re.search(r"/confirm/\S+", sent_mail()[0].get_body(("plain",)).get_content())
    assert client.get(link.group(0)).status_code == 200
    assert client.get(link.group(0)).status_code == 200  # a second click counts nothing

    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_SIGN_PER_NETWORK="1/minute",
                      RATELIMIT_SIGN_PER_EMAIL=None, RATELIMIT_SIGN_PER_DOMAIN=None)
    client.environ_base["REMOTE_ADDR"] = "203.0.113.50"
    assert sign_post(client, campaign, email="m3@example.org").status_code == 303
    assert sign_post(client, campaign, email="m4@example.org").status_code == 429

    after = scrape(client)
    assert delta(after, before, "campaign_signatures_created_total{}") == 3
    assert delta(after, before, "campaign_signatures_confirmed_total{}") == 1
    assert delta(after, before, "campaign_confirm_seconds_count{}") == 2
    assert delta(after, before, "campaign_rate_limit_refusals_total{endpoint=petitions.sign}") == 1
    assert delta(after, before, "campaign_http_responses_total{status=4xx}") >= 1
    # m3's confirmation and the thank-you e-mail after m1 confirmed, not yet delivered
    assert after["campaign_outbox_queue_depth{}"] == 2
    assert after["campaign_letters_held{}"] == 0


def test_failed_deliveries_and_webhook_results_are_counted(client, app):
    app.config.update(METRICS_TOKEN=TOKEN, MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1",
                      MAIL_PORT=1, STRIPE_SECRET_KEY="sk_test_fake",
                      STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    app.extensions.pop("donations_gateway", None)
    app.extensions["mail"].server, app.extensions["mail"].port = "127.0.0.1", 1
    before = scrape(client)
    outbox.enqueue(kind="test", to="x@example.org", subject="s", body_text="b")
    db.session.commit()
    outbox.deliver_batch()  # nobody listens on port 1: the attempt fails, retried later
    response = client.post("/stripe/webhook", data=b"{}",
                           headers={"Stripe-Signature": "t=1,v1=bad"})
    assert response.status_code == 400
    # A well-signed event of a type the site does not handle, delivered twice by Stripe.
    unhandled = event("customer.created", {"id": "cus_1", "object": "customer"})
    assert post_event(client, unhandled).get_json()["outcome"] == "ignored"
    assert post_event(client, unhandled).get_json()["outcome"] == "duplicate"
    after = scrape(client)
    assert delta(after, before, "campaign_outbox_delivery_failures_total{}") == 1
    assert delta(after, before, "campaign_webhook_events_total{result=refused}") == 1
    assert delta(after, before, "campaign_webhook_events_total{result=ignored}") == 1
    assert delta(after, before, "campaign_webhook_events_total{result=duplicate}") == 1
    assert after["campaign_outbox_queue_depth{}"] == 1
    app.extensions.pop("donations_gateway", None)


def test_oldest_waiting_message_age_is_its_real_age(client, app):
    """The "mail stuck" alert (docs/operations.md: oldest age > 300 s) reads this gauge."""
    app.config.update(METRICS_TOKEN=TOKEN)
    message = outbox.enqueue(kind="test", to="x@example.org", subject="s", body_text="b")
    message.created_at = utcnow() - timedelta(minutes=7)
    db.session.commit()
    age = scrape(client)["campaign_outbox_oldest_age_seconds{}"]
    assert 420 <= age < 480
    message.status = "sent"
    db.session.commit()
    assert scrape(client)["campaign_outbox_oldest_age_seconds{}"] == 0


def test_a_metric_first_used_by_many_threads_at_once_is_made_once():
    """A new gunicorn process takes its first requests on several threads at once: every one
    of them counts (before, all but one could fail with a 500: the metric registered twice)."""
    import sys
    import threading

    from prometheus_client import REGISTRY

    from campaign.ops import metrics

    threads_at_once, errors = 8, []

    def first_use(barrier):
        barrier.wait()
        try:
            metrics._metric("http_responses")
        except Exception as exc:
            errors.append(exc)

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns inside the constructor, as under load
    try:
        for _ in range(30):  # a race: many tries
            # Forget the metric, so that its first use in this process happens here.
            existing = metrics._metrics.pop("http_responses", None)
            if existing is not None:
                REGISTRY.unregister(existing)
            barrier = threading.Barrier(threads_at_once)
            threads = [threading.Thread(target=first_use, args=(barrier,))
                       for _ in range(threads_at_once)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        sys.setswitchinterval(switch)
    assert errors == []
    assert metrics._metrics["http_responses"] in REGISTRY._collector_to_names
