"""The OpenAPI document tells the truth: every route is in it, and schemathesis finds no 5xx
and no response that breaks it."""
import re

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks

from campaign.api import service as api
from tests.factories import make_campaign, make_signature, make_user


def _flask_to_openapi(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_every_api_route_is_documented_and_every_documented_path_exists(client, app):
    document = client.get("/api/v1/openapi.json").json
    documented = {(path, method.upper()) for path, ops in document["paths"].items()
                  for method in ops}
    routed = {(_flask_to_openapi(rule.rule), method)
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == documented


def test_api_conforms_to_its_document(app):
    """Schemathesis (Python API, in-process WSGI) on every operation, a few examples each.

    Its pytest plugin (`schemathesis.pytest.from_fixture`) does not run on pytest 9, so the
    operations' Hypothesis strategies are driven directly.
    """
    campaign = make_campaign("korday-sentences-review", locales=("en", "ru"))
    make_campaign(status="draft")
    for country in ("KZ", "KG"):
        make_signature(campaign, country=country)
    user, _ = make_user(role="admin")  # trusted-import keys are made by admins only
    _key, token = api.create_key(user, "fuzz", [campaign.id], trusted_import=True)
    # Identity: the WSGI transport does not undo the compression the app applies.
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8  # schemathesis leaves out the document's own path

    def run(operation):
        # A schema-valid signature may still be refused with 422 (an unknown country code,
        # a control character in a name), and a cursor string we did not sign with 400:
        # JSON Schema cannot say that, so "valid data accepted" is not asked of those
        # operations; their 400/422 answers must still match the document.
        excluded = ([checks.positive_data_acceptance]
                    if operation.path.endswith(("/signatures", "/donations")) else [])

        @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
               | operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        @settings(max_examples=20, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers=headers, excluded_checks=excluded)

        check()

    for operation in operations:
        run(operation)
