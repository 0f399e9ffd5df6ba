"""The OpenAPI 3.1 document of /api/v1, written by hand and kept true by tests.

tests/api/test_openapi.py checks that every /api/v1 route is documented and every documented
path exists, and runs schemathesis against the app to find responses that break it.
"""
from __future__ import annotations

from typing import Any

from .. import i18n
from ..petitions.models import SignatureStatus

MAX_ID = 2_147_483_647


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str,
          headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description,
                "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


_CACHE_HEADERS = {
    "ETag": {"schema": {"type": "string"}},
    "Cache-Control": {"schema": {"type": "string"}},
    "Access-Control-Allow-Origin": {"schema": {"type": "string", "enum": ["*"]}},
}
_NOT_MODIFIED = {"description": "Not modified (If-None-Match matched the ETag)."}
_SLUG = {"name": "slug", "in": "path", "required": True,
         "schema": {"type": "string", "minLength": 1, "maxLength": 80},
         "example": "korday-sentences-review"}
_PAGE = [
    {"name": "per_page", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}},
    {"name": "cursor", "in": "query", "required": False,
     "description": "Opaque cursor from `next_cursor` of the previous page.",
     "schema": {"type": "string"}},
]
_AUTH: list[dict[str, list[str]]] = [{"bearer": []}, {"osdiToken": []}]
_AUTH_ERRORS = {
    "401": _error("No key, an unknown key, or a revoked key."),
    "403": _error("The key is not scoped to this campaign."),
    "404": _error("No such campaign (or record)."),
}
_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_DATE = {"type": ["string", "null"], "format": "date-time"}
_LINKS = {"type": "object", "additionalProperties": {
    "type": "object", "required": ["href"], "properties": {"href": {"type": "string"}}}}

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {
            "type": "object", "required": ["status"],
            "properties": {"status": {"type": "integer"}, "reason": _NULLABLE_STRING,
                           "fields": {"type": "object", "additionalProperties": {
                               "type": "array", "items": {"type": "string"}}}}}}},
    "CampaignSummary": {
        "type": "object",
        "required": ["slug", "status", "count", "goal", "deadline", "texts", "_links"],
        "properties": {
            "slug": {"type": "string"},
            "status": {"type": "string", "enum": ["live", "closed", "delivered"]},
            "count": {"type": "integer", "minimum": 0},
            "goal": {"type": "integer", "minimum": 0},
            "deadline": _NULLABLE_DATE,
            "default_language": {"type": "string"},
            "texts": {"type": "object", "description": "Title and summary per language.",
                      "additionalProperties": {
                          "type": "object", "required": ["title", "summary"],
                          "properties": {"title": {"type": "string"},
                                         "summary": {"type": "string"}}}},
            "_links": _LINKS}},
    "Campaign": {"allOf": [_ref("CampaignSummary"), {
        "type": "object", "required": ["progress_percent", "extensions"],
        "properties": {
            "progress_percent": {"type": "integer", "minimum": 0, "maximum": 100},
            "delivered_at": _NULLABLE_DATE,
            "extensions": {"type": "object", "description":
                           "Added by other features (e.g. `delivery`: the delivery timeline "
                           "and replies, by the letters feature)."}}}]},
    "CampaignList": {
        "type": "object", "required": ["campaigns"],
        "properties": {"campaigns": {"type": "array", "items": _ref("CampaignSummary")},
                       "_links": _LINKS}},
    "ByCountry": {
        "type": "object", "required": ["slug", "count", "by_country"],
        "properties": {
            "slug": {"type": "string"}, "count": {"type": "integer"},
            "by_country": {"type": "array", "items": {
                "type": "object", "required": ["country", "name", "count"],
                "properties": {"country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                               "name": {"type": "string"},
                               "count": {"type": "integer", "minimum": 1}}}}}},
    "ByDay": {
        "type": "object", "required": ["slug", "count", "by_day"],
        "properties": {
            "slug": {"type": "string"}, "count": {"type": "integer"},
            "by_day": {"type": "array", "items": {
                "type": "object", "required": ["date", "count"],
                "properties": {"date": {"type": "string", "format": "date"},
                               "count": {"type": "integer", "minimum": 1}}}}}},
    "Person": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "given_name": {"type": "string"},
            "family_name": {"type": "string"},
            "email_addresses": {"type": "array", "items": {
                "type": "object", "required": ["address"],
                "properties": {"address": {"type": "string"},
                               "primary": {"type": "boolean"}}}},
            "postal_addresses": {"type": "array", "items": {
                "type": "object", "properties": {"country": {"type": "string"}}}},
            "languages_spoken": {"type": "array", "items": {"type": "string"}},
            "custom_fields": {
                "type": "object",
                "description": "Answers to the campaign's custom fields, by field key. "
                               "Input: a string, number or boolean per key (a checkbox: "
                               "true); unknown keys, arrays and objects are refused with "
                               "422. Output: strings (a ticked checkbox is \"yes\").",
                "additionalProperties": {"type": ["string", "number", "boolean"]}}}},
    "Signature": {
        "type": "object",
        "required": ["id", "identifiers", "created_date", "status", "origin_system",
                     "_embedded", "_links"],
        "properties": {
            "id": {"type": "integer"},
            "identifiers": {"type": "array", "items": {"type": "string"}},
            "created_date": {"type": "string", "format": "date-time"},
            "confirmed_date": _NULLABLE_DATE,
            "status": {"type": "string", "enum": [SignatureStatus.CONFIRMED.value]},
            "origin_system": {"type": "string", "enum": ["web", "widget", "api", "paper"]},
            "referrer_data": {"type": "object", "properties": {
                "source": _NULLABLE_STRING, "website": _NULLABLE_STRING}},
            "partner_id": {"type": ["integer", "null"]},
            "comments": _NULLABLE_STRING,
            "display": {"type": "string", "enum": ["full", "initial", "anonymous"]},
            "updates_opt_in": {"type": "boolean"},
            "_embedded": {"type": "object", "required": ["osdi:person"],
                          "properties": {"osdi:person": _ref("Person")}},
            "_links": _LINKS}},
    "SignatureInput": {
        "type": "object", "required": ["person"],
        "properties": {
            "person": _ref("Person"),
            "comments": {"type": "string", "maxLength": 1000},
            "display": {"type": "string", "enum": ["full", "initial", "anonymous"],
                        "description": "How the name may appear in public; when absent, "
                                       "the campaign's default (\"initial\" unless its "
                                       "organizers chose otherwise)."},
            "updates_opt_in": {"type": "boolean", "default": False},
            "referrer_data": {"type": "object", "properties": {"source": {
                "type": "string", "description": "A campaign tag (1-32 of a-z 0-9 . _ -); "
                "anything else is not stored."}}}},
        "example": {"person": {"name": "Aisha Vanahun",
                               "email_addresses": [{"address": "aisha@example.org"}],
                               "postal_addresses": [{"country": "KZ"}],
                               "languages_spoken": ["ru"]},
                    "comments": "Free them", "display": "initial"}},
    "SignatureList": {
        "type": "object", "required": ["per_page", "next_cursor", "_links", "_embedded"],
        "properties": {
            "per_page": {"type": "integer"},
            "next_cursor": {"type": "string",
                            "description": "Pass as `cursor` to continue, now or later."},
            "_links": _LINKS,
            "_embedded": {"type": "object", "required": ["osdi:signatures"],
                          "properties": {"osdi:signatures": {
                              "type": "array", "items": _ref("Signature")}}}}},
    "DonationList": {
        "type": "object", "required": ["per_page", "next_cursor", "_links", "_embedded"],
        "properties": {
            "per_page": {"type": "integer"}, "next_cursor": {"type": "string"},
            "_links": _LINKS,
            "_embedded": {"type": "object", "required": ["osdi:donations"],
                          "properties": {"osdi:donations": {
                              "type": "array", "items": {"type": "object",
                                                         "required": ["id"]}}}}}},
    "Pending": {"type": "object", "required": ["status"],
                "properties": {"status": {"type": "string",
                                          "enum": ["pending_confirmation"]}}},
}


def document() -> dict[str, Any]:
    public = {"security": [], "tags": ["public"]}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Korday Justice Campaign API",
            "version": "1.0.0",
            "description": "Open campaign data (no personal data; CORS open) and an "
                           "organizer API shaped after OSDI. See docs/api.md.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "`Authorization: Bearer kjc_...`"},
                "osdiToken": {"type": "apiKey", "in": "header", "name": "OSDI-API-Token"},
            },
        },
        "paths": {
            "/api/v1/openapi.json": {"get": {
                **public, "operationId": "openapi", "summary": "This document.",
                "responses": {"200": _json({"type": "object"}, "The OpenAPI document.",
                                           _CACHE_HEADERS), "304": _NOT_MODIFIED}}},
            "/api/v1/campaigns": {"get": {
                **public, "operationId": "listCampaigns",
                "summary": "Live, closed and delivered campaigns.",
                "responses": {"200": _json(_ref("CampaignList"), "Campaigns.", _CACHE_HEADERS),
                              "304": _NOT_MODIFIED}}},
            "/api/v1/campaigns/{slug}": {"get": {
                **public, "operationId": "getCampaign", "parameters": [_SLUG],
                "summary": "One campaign: texts per language, count, goal, status, deadline.",
                "responses": {"200": _json(_ref("Campaign"), "The campaign.", _CACHE_HEADERS),
                              "304": _NOT_MODIFIED,
                              "404": _error("No such public campaign.")}}},
            "/api/v1/campaigns/{slug}/count": {"get": {
                **public, "operationId": "getCampaignCount", "parameters": [_SLUG],
                "summary": "Slug, status, exact count and goal (at most a second old): "
                           "the answer widgets poll.",
                "responses": {"200": _json({
                    "type": "object", "required": ["slug", "status", "count", "goal"],
                    "properties": {"slug": {"type": "string"},
                                   "status": {"type": "string",
                                              "enum": ["live", "closed", "delivered"]},
                                   "count": {"type": "integer", "minimum": 0},
                                   "goal": {"type": "integer", "minimum": 0}},
                    "additionalProperties": False}, "The count."),
                              "404": _error("No such public campaign.")}}},
            "/api/v1/campaigns/{slug}/signatures/by-country": {"get": {
                **public, "operationId": "signaturesByCountry",
                "parameters": [_SLUG, {"name": "lang", "in": "query", "required": False,
                                       "description": "Language of country names.",
                                       "schema": {"type": "string",
                                                  "enum": list(i18n.LANGUAGES)}}],
                "summary": "Confirmed signatures per country.",
                "responses": {"200": _json(_ref("ByCountry"), "Counts.", _CACHE_HEADERS),
                              "304": _NOT_MODIFIED,
                              "400": _error("Unknown language."),
                              "404": _error("No such public campaign.")}}},
            "/api/v1/campaigns/{slug}/signatures/by-day": {"get": {
                **public, "operationId": "signaturesByDay", "parameters": [_SLUG],
                "summary": "Confirmed signatures per UTC day of confirmation.",
                "responses": {"200": _json(_ref("ByDay"), "Counts.", _CACHE_HEADERS),
                              "304": _NOT_MODIFIED,
                              "404": _error("No such public campaign.")}}},
            "/api/v1/campaigns/{slug}/signatures": {
                "get": {
                    "operationId": "listSignatures", "tags": ["organizer"],
                    "security": _AUTH, "parameters": [_SLUG, *_PAGE],
                    "summary": "Confirmed signatures, oldest first, by cursor.",
                    "responses": {"200": _json(_ref("SignatureList"), "A page."),
                                  "400": _error("Bad cursor or per_page."), **_AUTH_ERRORS}},
                "post": {
                    "operationId": "addSignature", "tags": ["organizer"],
                    "security": _AUTH, "parameters": [_SLUG],
                    "summary": "Add a signature (source `api`).",
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": _ref("SignatureInput")}}},
                    "responses": {
                        "201": _json(_ref("Signature"), "Trusted import: confirmed and "
                                                        "counted."),
                        "200": _json(_ref("Signature"), "Trusted import: already signed."),
                        "202": _json(_ref("Pending"), "A confirmation e-mail was queued "
                                                      "(same answer if already signed)."),
                        "400": _error("The body is not a JSON object."),
                        "409": _error("The campaign takes no signatures."),
                        "422": _error("Invalid fields (`fields` says which)."),
                        "429": _error("Too many requests."),
                        **_AUTH_ERRORS}}},
            "/api/v1/campaigns/{slug}/signatures/{signature_id}": {"get": {
                "operationId": "getSignature", "tags": ["organizer"], "security": _AUTH,
                "parameters": [_SLUG, {"name": "signature_id", "in": "path", "required": True,
                                       "schema": {"type": "integer", "minimum": 0,
                                                  "maximum": MAX_ID}}],
                "summary": "One confirmed signature.",
                "responses": {"200": _json(_ref("Signature"), "The signature."),
                              **_AUTH_ERRORS}}},
            "/api/v1/campaigns/{slug}/donations": {"get": {
                "operationId": "listDonations", "tags": ["organizer"], "security": _AUTH,
                "parameters": [_SLUG, *_PAGE],
                "summary": "Donations to the campaign, by cursor (404 "
                           "`donations_not_available` while no donations feature is "
                           "installed).",
                "responses": {"200": _json(_ref("DonationList"), "A page."),
                              "400": _error("Bad cursor or per_page."), **_AUTH_ERRORS}}},
        },
    }
