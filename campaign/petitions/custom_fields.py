"""Custom signature fields: a campaign's own questions on the sign form.

One schema for every front end: `form_with_fields(base, fields)` adds the campaign's fields
to a WTForms class (the sign form, the widget's, the API's, a paper row), so the web page,
the widget, the API and the paper import accept and refuse exactly the same values, with
the same translated messages. Values live in signature_field_values (one row per answer),
go with the signature (ON DELETE CASCADE), and the "delivery" privacy class is wiped by
`wipe_delivery_values` when the petition is delivered.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, Row, bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import ValidationError

from .. import i18n
from ..extensions import db
from ..validators import NoControlCharacters
from .models import (
    FIELD_KINDS,
    FIELD_PRIVACY,
    Signature,
    SignatureField,
    SignatureFieldValue,
)

if TYPE_CHECKING:
    from ..campaigns.models import Campaign

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_TEXT = 500
MAX_FIELDS = 20
PREFIX = "cf_"  # form field names: cf_<key>, never clashing with the built-in fields
CHECKED = "yes"
# Column names of the exports and the paper import: a field key must not shadow them.
RESERVED_KEYS = frozenset({
    "id", "full_name", "email", "country", "locale", "status", "source", "display",
    "updates", "updates_opt_in", "comment", "comment_hidden", "invalidation_reason",
    "created_at", "confirmed_at", "import_batch_id", "line", "email_key"})


class FieldDefinitionError(ValueError):
    """An organizer's field definition is not usable; the message says why (translated)."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


# --- definitions ---------------------------------------------------------------------------

def fields_of(campaign_id: int) -> list[SignatureField]:
    return list(db.session.scalars(_FIELDS_OF, {"campaign_id": campaign_id}))


# Built once (read on every signature).
_FIELDS_OF = (select(SignatureField)
              .where(SignatureField.campaign_id == bindparam("campaign_id"))
              .order_by(SignatureField.position, SignatureField.id))


@dataclass
class FieldDefinition:
    key: str
    kind: str
    labels: dict[str, str]
    choices: list[dict[str, Any]]  # [{"value": ..., "labels": {lang: label}}]
    required: bool = False
    privacy: str = "organizers"


def add_field(campaign_id: int, definition: FieldDefinition) -> SignatureField:
    """Check and store a new field (commits). Raises FieldDefinitionError."""
    key = definition.key.strip().lower()
    if not KEY_PATTERN.match(key):
        raise FieldDefinitionError(_l("The key must start with a letter and use only "
                                      "a-z, 0-9 and _ (at most 40)."))
    existing = fields_of(campaign_id)
    if key in RESERVED_KEYS or any(field.key == key for field in existing):
        raise FieldDefinitionError(_l("This campaign already has a field with this key."))
    if len(existing) >= MAX_FIELDS:
        raise FieldDefinitionError(_l("A campaign can have at most %(num)s fields.",
                                      num=MAX_FIELDS))
    if definition.kind not in FIELD_KINDS or definition.privacy not in FIELD_PRIVACY:
        raise FieldDefinitionError(_l("Please choose one of the options."))
    labels = {lang: label.strip()[:200] for lang, label in definition.labels.items()
              if lang in i18n.LANGUAGES and label and label.strip()}
    if not labels:
        raise FieldDefinitionError(_l("Give the field a label in at least one language."))
    choices = [c for c in definition.choices if c.get("value")]
    if definition.kind == "choice":
        values = [c["value"] for c in choices]
        if len(values) < 2 or len(set(values)) != len(values):
            raise FieldDefinitionError(_l("A choice field needs at least two different "
                                          "options."))
    else:
        choices = []
    field = SignatureField(campaign_id=campaign_id, key=key, kind=definition.kind,
                           labels=labels, choices=choices, required=definition.required,
                           privacy=definition.privacy, position=len(existing))
    db.session.add(field)
    try:
        db.session.commit()
    except IntegrityError as exc:  # another organizer added the same key meanwhile
        db.session.rollback()
        raise FieldDefinitionError(_l("This campaign already has a field with this key.")
                                   ) from exc
    return field


def remove_field(campaign_id: int, field_id: int) -> bool:
    """Delete a field and every answer to it (commits)."""
    deleted = cast("CursorResult[Any]", db.session.execute(delete(SignatureField).where(
        SignatureField.campaign_id == campaign_id, SignatureField.id == field_id))).rowcount
    # SQLite cascades only with the foreign_keys pragma, which the app sets; say it anyway.
    db.session.execute(delete(SignatureFieldValue).where(
        SignatureFieldValue.field_id == field_id))
    db.session.commit()
    return bool(deleted)


def label_of(labels: dict[str, str], lang: str, default_lang: str) -> str:
    """The label in the reader's language, else the campaign's, else any."""
    for candidate in (lang, i18n.catalog_locale(lang), default_lang):
        if labels.get(candidate):
            return labels[candidate]
    return next(iter(labels.values()), "")


# --- the shared schema -----------------------------------------------------------------------

class _Answer:
    """Validator of one custom field's answer: translated messages, nothing raised but
    ValidationError whatever a client sends."""

    def __init__(self, definition: SignatureField):
        self.definition = definition

    def __call__(self, form: Any, field: Any) -> None:
        d = self.definition
        data = field.data
        if d.kind == "checkbox":
            if d.required and not data:
                raise ValidationError(_l("Please tick this box to sign."))
            return
        data = data.strip() if isinstance(data, str) else ""
        field.data = data
        if not data:
            if d.required:
                raise ValidationError(_l("Please answer this question."))
            return
        if len(data) > MAX_TEXT:
            raise ValidationError(_l("Your answer can be at most %(num)s characters.",
                                     num=MAX_TEXT))
        if d.kind == "number":
            # ASCII digits only: \d alone would take other scripts' digits, which no
            # spreadsheet reads as a number.
            if not re.fullmatch(r"-?\d{1,15}([.,]\d{1,6})?", data, re.ASCII):
                raise ValidationError(_l("Please enter a number."))
            field.data = data.replace(",", ".")
        elif d.kind == "choice" and data not in {c["value"] for c in d.choices}:
            raise ValidationError(_l("Please choose one of the options."))


def form_with_fields(base: type, definitions: list[SignatureField], lang: str,
                     default_lang: str) -> type:
    """`base` with a WTForms field per custom field (cf_<key>), labelled in `lang`.

    Without custom fields, `base` itself: a new class per request would make WTForms sort
    and bind its fields afresh each time."""
    if not definitions:
        return base
    attributes: dict[str, Any] = {"custom_field_definitions": definitions}
    for d in definitions:
        label = label_of(d.labels, lang, default_lang)
        name = PREFIX + d.key
        if d.kind == "checkbox":
            attributes[name] = BooleanField(label, validators=[_Answer(d)],
                                            false_values=("", "false", "0", "n", "no"))
        elif d.kind == "choice":
            options = [("", _l("Choose…"))] + [
                (c["value"], label_of(c.get("labels") or {}, lang, default_lang)
                 or c["value"]) for c in d.choices]
            attributes[name] = SelectField(label, choices=options, validate_choice=False,
                                           validators=[_Answer(d)])
        else:
            attributes[name] = StringField(label, validators=[
                NoControlCharacters(), _Answer(d)])
    return type(base.__name__ + "WithFields", (base,), attributes)


def form_for_campaign(base: type, campaign: Campaign) -> type:
    return form_with_fields(base, fields_of(campaign.id), i18n.current_language(),
                            campaign.default_locale)


def paper_form(base: type, campaign_id: int) -> type:
    """The paper row form with the campaign's fields; columns named by the field key."""
    lang = i18n.current_language()
    return form_with_fields(base, fields_of(campaign_id), lang, lang)


def row_formdata(form_class: type, row: dict[str, str]) -> dict[str, str]:
    """A paper row's cells for the custom fields, keyed as the form names them."""
    return {PREFIX + d.key: row.get(d.key, "")
            for d in getattr(form_class, "custom_field_definitions", [])}


def answers(form: Any) -> dict[str, str]:
    """The validated answers of a form built by form_with_fields: {key: value}, empty
    answers left out (a ticked box is "yes")."""
    result: dict[str, str] = {}
    for d in getattr(form, "custom_field_definitions", []):
        data = form[PREFIX + d.key].data
        if d.kind == "checkbox":
            if data:
                result[d.key] = CHECKED
        elif data:
            result[d.key] = data
    return result


# --- values ---------------------------------------------------------------------------------

def store_answers(signature: Signature, values: dict[str, str],
                  definitions: list[SignatureField] | None = None) -> None:
    """Write a new signature's answers (the caller's transaction; the signature flushed)."""
    store_answers_of(signature.id, signature.campaign_id, values, definitions)


def store_answers_of(signature_id: int, campaign_id: int, values: dict[str, str],
                     definitions: list[SignatureField] | None = None) -> None:
    """store_answers for a signature known by id (inserted with Core on the sign path)."""
    if not values:
        return
    by_key = {d.key: d for d in (definitions if definitions is not None
                                 else fields_of(campaign_id))}
    db.session.add_all([SignatureFieldValue(signature_id=signature_id,
                                            field_id=by_key[key].id, value=value)
                        for key, value in values.items() if key in by_key])


def answers_of(signature_ids: list[int]) -> dict[int, dict[str, str]]:
    """{signature_id: {key: value}} for the given signatures."""
    result: dict[int, dict[str, str]] = {}
    for start in range(0, len(signature_ids), 500):
        rows = db.session.execute(
            select(SignatureFieldValue.signature_id, SignatureField.key,
                   SignatureFieldValue.value)
            .join(SignatureField, SignatureField.id == SignatureFieldValue.field_id)
            .where(SignatureFieldValue.signature_id.in_(signature_ids[start:start + 500])))
        for signature_id, key, value in rows:
            result.setdefault(signature_id, {})[key] = value
    return result


def wipe_delivery_values(campaign_id: int) -> int:
    """Delete the answers to the campaign's "deleted at delivery" fields; called by the
    petition delivery (letters.service.deliver) in its transaction, and by `flask campaigns
    wipe-delivery-fields`. Returns how many answers went. Does not commit."""
    field_ids = select(SignatureField.id).where(
        SignatureField.campaign_id == campaign_id, SignatureField.privacy == "delivery")
    return cast("CursorResult[Any]", db.session.execute(delete(SignatureFieldValue).where(
        SignatureFieldValue.field_id.in_(field_ids)))).rowcount


def erase_for_campaign(campaign_id: int) -> int:
    """Delete every answer of a campaign (the retention purge anonymising it). Does not
    commit."""
    field_ids = select(SignatureField.id).where(SignatureField.campaign_id == campaign_id)
    return cast("CursorResult[Any]", db.session.execute(delete(SignatureFieldValue).where(
        SignatureFieldValue.field_id.in_(field_ids)))).rowcount


# --- the signer's data (privacy data source, registered by privacy) -----------------------

def _values_of_email_key(email_key: str) -> Sequence[Row[SignatureFieldValue, str, int]]:
    return db.session.execute(
        select(SignatureFieldValue, SignatureField.key, Signature.campaign_id)
        .join(SignatureField, SignatureField.id == SignatureFieldValue.field_id)
        .join(Signature, Signature.id == SignatureFieldValue.signature_id)
        .where(Signature.email_key == email_key)).all()


def export_for_signer(email_key: str) -> list[dict[str, Any]]:
    return [{"signature_id": row.signature_id, "field": key, "value": row.value}
            for row, key, _campaign_id in _values_of_email_key(email_key)]


def erase_for_signer(email_key: str) -> int:
    ids = select(Signature.id).where(Signature.email_key == email_key)
    erased = cast("CursorResult[Any]", db.session.execute(delete(SignatureFieldValue).where(
        SignatureFieldValue.signature_id.in_(ids)))).rowcount
    db.session.commit()
    return erased
