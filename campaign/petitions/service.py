"""Rules for signatures. Callable without a request: views, the API, the CLI and tests use it.

Signing answers the same whether or not the address had signed, so nobody can learn from the
site who signed; what happened is told only in the e-mail to that address.
"""
from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from functools import lru_cache
from typing import Any, cast

from flask import current_app
from sqlalchemy import (
    ClauseElement,
    ColumnElement,
    CursorResult,
    Executable,
    Table,
    bindparam,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, joinedload, lazyload

from .. import emails
from ..abuse.limits import check_rate
from ..addresses import network_hash, normalize_email
from ..campaigns import sharing
from ..campaigns.models import DEFAULT_SIGNER_DISPLAY, Campaign, is_open_at, open_clause
from ..campaigns.next_steps import next_steps
from ..extensions import db
from ..ops import metrics
from ..outbox import service as outbox
from ..outbox.models import OutboxMessage
from ..outbox.rendering import Rendered
from ..prepared import Prepared, own_transaction
from ..spreadsheet import iter_csv
from ..tokens import make_token, read_token
from ..util import utcnow
from . import cursor, custom_fields, lifecycle
from .lifecycle import counted
from .models import PetitionSettings, Signature, SignatureField, SignatureStatus

log = logging.getLogger(__name__)

# A second "sign" with the same address re-sends its e-mail at most this often.
RESEND_INTERVAL = timedelta(minutes=15)


class CampaignNotOpen(Exception):
    """The campaign takes no signatures (draft, closed, delivered, or past its deadline)."""


@dataclass
class SignatureInput:
    full_name: str
    email: str
    country: str
    locale: str
    comment: str | None = None
    display: str = DEFAULT_SIGNER_DISPLAY
    updates: bool = False
    source: str = "web"
    ip: str | None = None
    # Answers to the campaign's custom fields, {key: value}, validated by the form.
    custom: dict[str, str] = field(default_factory=dict)
    # Where it came from (campaign/sources): a tag from the campaign link, the partner
    # credited, the partner's site (widget) or the key (API), and the partner opt-in.
    ref: str | None = None
    partner_id: int | None = None
    source_origin: str | None = None
    api_key_id: int | None = None
    partner_opt_in: bool = False


class SignOutcome(Enum):
    CREATED = "created"
    RESENT = "resent"            # pending: the confirmation link was sent again
    ALREADY_SIGNED = "already"   # confirmed: the signer was told by e-mail
    SUPPRESSED = "suppressed"    # e-mailed very recently: nothing sent, to avoid mail floods
    IMPORTED = "imported"        # trusted import: confirmed and counted, no e-mail


class ConfirmOutcome(Enum):
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    NOT_FOUND = "not_found"      # removed, or invalidated
    CLOSED = "closed"


def _email_digest(signature: Signature) -> str:
    return _key_digest(signature.email_key)


def _key_digest(email_key: str) -> str:
    # Binds a token to this signer: ids can be reused after a deletion on SQLite.
    return hashlib.sha256(email_key.encode()).hexdigest()[:12]


def signature_token(purpose: str, signature: Signature) -> str:
    return make_token(purpose, [signature.id, _email_digest(signature)])


def signature_from_token(purpose: str, token: str, max_age_seconds: int | None = None
                         ) -> Signature | None:
    """The signature a link points to; raises InvalidToken/ExpiredToken for bad links."""
    signature_id, digest = _link_payload(read_token(purpose, token, max_age_seconds))
    if signature_id is None:
        return None
    # With its campaign, in one query (the link pages need it; texts and count on use).
    signature = db.session.scalars(_SIGNATURE_WITH_CAMPAIGN, {"id": signature_id}).first()
    if signature is None or _email_digest(signature) != digest:
        return None
    return signature


# With its campaign, in one query (the link pages need it; texts and count on use). Built
# once: loader options cost more to build than the query to run.
_SIGNATURE_WITH_CAMPAIGN = (
    select(Signature).where(Signature.id == bindparam("id"))
    .options(joinedload(Signature.campaign).lazyload(Campaign.texts),
             joinedload(Signature.campaign).defer(Campaign.signature_count)))


def signer_links(signature: Signature) -> dict[str, str]:
    return {
        "confirm_url": emails.external_url(
            "petitions.confirm", token=signature_token("confirm", signature)),
        "unsubscribe_url": emails.external_url(
            "petitions.unsubscribe", token=signature_token("unsubscribe", signature)),
        "forget_url": emails.external_url(
            "petitions.forget", token=signature_token("forget", signature)),
    }


# The e-mails to a signer: queued in the signer's transaction as a row naming the signature,
# built by the worker when it sends them (outbox/rendering.py, registered in init_app).
SIGNER_MAIL_KINDS = ("signature_confirm", "signature_already", "signature_thanks",
                     "signature_reminder")


def _queue_signer_email(name: str, signature: Signature, campaign: Campaign | SignTarget
                        ) -> None:
    outbox.enqueue_deferred(kind=name, to=signature.email, lang=signature.locale,
                            ref=signature.id, priority=emails.mail_kind(name).priority,
                            campaign_id=campaign.id)


def signer_email(name: str, signature: Signature, campaign: Campaign, lang: str
                 ) -> Rendered:
    """The e-mail of kind `name` to a signer, as the worker sends it: links signed now."""
    return compose_signer_email(name, signature, campaign, lang, signer_links(signature))


def compose_signer_email(name: str, signature: Signature, campaign: Campaign, lang: str,
                         links: dict[str, str]) -> Rendered:
    """The e-mail of kind `name` to a signer with the given links (signer_mail.py renders
    it once per batch with marks in place of the signer's name and links)."""
    text = campaign.text_for(lang)
    title = text.title if text else campaign.slug
    campaign_url = emails.external_url("campaigns.show", lang=lang, slug=campaign.slug)
    subject, body_text, body_html, headers = emails.compose_email(
        name, lang=lang, headers=emails.unsubscribe_headers(links["unsubscribe_url"]),
        signature=signature, campaign=campaign, campaign_title=title,
        campaign_url=campaign_url,
        # For the thank-you e-mail: ready share links, and the next steps, which the template
        # builds inside the reader's language.
        share_links=sharing.share_links(campaign_url, title, text.summary if text else ""),
        next_steps=next_steps, **links)
    return Rendered(subject=subject, body_text=body_text, body_html=body_html,
                    headers=headers)


def campaign_to_sign(slug: str) -> tuple[Campaign | None, bool]:
    """A public campaign for taking a signature, and whether it has custom fields, in one
    small query (without the count or the texts: an accepted signature needs neither; a form
    shown again with its errors loads the texts when it renders them)."""
    row = db.session.execute(_CAMPAIGN_TO_SIGN, {"slug": slug}).first()
    if row is None:
        return None, False
    return row[0], bool(row[1])


# Built once: a statement with loader options costs more to build than to run.
_CAMPAIGN_TO_SIGN = (
    select(Campaign, exists().where(SignatureField.campaign_id == Campaign.id)
           .correlate(Campaign))
    .where(Campaign.slug == bindparam("slug"), Campaign.status != "draft")
    .options(lazyload(Campaign.texts), defer(Campaign.signature_count)))


@dataclass(frozen=True)
class SignTarget:
    """What taking a signature needs of a campaign, read at most SIGN_TARGET_SECONDS ago
    (`sign_target`). Only a hint: the signature's INSERT checks again, in the database,
    that this slug is still this campaign, that it takes signatures (open_clause) and, for
    a campaign without custom fields, that it still has none; if not, it inserts nothing
    and `sign` raises CampaignNotOpen as for a closed campaign read just now."""
    id: int
    slug: str
    status: str
    deadline: datetime | None
    has_fields: bool

    @property
    def is_open(self) -> bool:
        return is_open_at(self.status, self.deadline, utcnow())


# How long a process keeps a campaign's SignTarget. Nothing is wrong while it is kept (the
# INSERT decides); it only spares the campaign's SELECT on every signature of a surge.
SIGN_TARGET_SECONDS = 2.0
_SIGN_TARGETS_KEY = "petitions_sign_targets"
_SIGN_TARGETS_MAX = 1024


def sign_target(slug: str) -> SignTarget | None:
    """The public campaign `slug` as signing needs it, from this process's snapshot when it
    is under SIGN_TARGET_SECONDS old, else read (None: no such public campaign; not kept,
    so a campaign published a moment ago is found)."""
    targets: dict[str, tuple[float, SignTarget]] = current_app.extensions.setdefault(
        _SIGN_TARGETS_KEY, {})
    now = time.monotonic()
    kept = targets.get(slug)
    if kept is not None and kept[0] > now:
        return kept[1]
    row = db.session.execute(_SIGN_TARGET, {"slug": slug}).first()
    if row is None:
        targets.pop(slug, None)
        return None
    target = SignTarget(id=row.id, slug=slug, status=row.status, deadline=row.deadline,
                        has_fields=bool(row.has_fields))
    if len(targets) >= _SIGN_TARGETS_MAX:
        targets.clear()
    targets[slug] = (now + SIGN_TARGET_SECONDS, target)
    return target


def forget_sign_target(slug: str) -> None:
    """Drop the snapshot of `slug` (its INSERT found it changed): the next sign reads it."""
    current_app.extensions.get(_SIGN_TARGETS_KEY, {}).pop(slug, None)


_SIGN_TARGET = (
    select(Campaign.id, Campaign.status, Campaign.deadline,
           exists().where(SignatureField.campaign_id == Campaign.id)
           .correlate(Campaign).label("has_fields"))
    .where(Campaign.slug == bindparam("slug"), Campaign.status != "draft"))


def _signature_values(data: SignatureInput, email: str, email_key: str, now: datetime
                      ) -> dict[str, object]:
    """A new signature's columns from what the signer gave (not its campaign or state)."""
    return {
        "full_name": data.full_name, "email": email, "email_key": email_key,
        "country": data.country, "locale": data.locale, "comment": data.comment or None,
        "display": data.display, "updates_opt_in": bool(data.updates),
        "updates_opt_in_at": now if data.updates else None, "source": data.source,
        "created_at": now, "ref": data.ref, "partner_id": data.partner_id,
        "source_origin": data.source_origin, "api_key_id": data.api_key_id,
        "partner_opt_in": bool(data.partner_opt_in and data.partner_id),
        "ip_hash": network_hash(data.ip, current_app.config["SECRET_KEY"]),
        "comment_hidden": False, "name_hidden": False}


def _new_signature(campaign: Campaign, data: SignatureInput, email: str, email_key: str,
                   now: datetime, *, confirmed: bool, **extra: object) -> Signature:
    """A signature row from what the signer gave, entered into its life (flushed: a
    repeated address raises IntegrityError)."""
    signature = Signature(**_signature_values(data, email, email_key, now), **extra)
    lifecycle.add_new(campaign.id, [signature], confirmed=confirmed)
    custom_fields.store_answers(signature, data.custom)
    return signature


@lru_cache(maxsize=32)
def _pending_with_mail_statements(dialect: str, columns: tuple[str, ...], no_fields: bool
                                  ) -> tuple[Executable, ...]:
    """The statements that write a pending signature and its e-mail, built once per
    process: on PostgreSQL one (the signature's INSERT as a CTE of the outbox row's, which
    RETURNs the new id), on SQLite two (no INSERT in a CTE there). The signature's INSERT
    takes its row from the campaign only while it takes signatures (lifecycle.pending_insert),
    so a campaign closed since it was read gets nothing, and nor does its outbox."""
    signature = lifecycle.pending_insert(columns, no_fields=no_fields)
    if dialect == "postgresql":
        new = signature.cte("new_signature")
        table = OutboxMessage.__table__
        return (outbox.deferred_insert_from(new.c.id, new).add_cte(new)
                .returning(table.c.render_ref),)
    return signature, outbox.deferred_insert()


def _insert_pending_with_mail(campaign: Campaign | SignTarget, values: dict[str, object],
                              kind: str, *, alone: bool = False) -> int | None:
    """Insert a pending signature and its e-mail's outbox row (rendered at delivery) with
    prebuilt Core statements, no ORM unit of work. Returns the signature's id, or None (and
    nothing written) when the campaign no longer takes signatures; a repeated address
    raises IntegrityError before anything is written.

    In the session's transaction (the caller commits), or, `alone`, committed here in a
    transaction of its own (`_insert_alone`)."""
    params = {**lifecycle.pending_params(campaign.id, campaign.slug, values),
              **outbox.deferred_params(kind=kind, to=str(values["email"]),
                                       lang=str(values["locale"]),
                                       priority=emails.mail_kind(kind).priority,
                                       campaign_id=campaign.id)}
    # A snapshot taken for a campaign without custom fields: the INSERT also checks it still
    # has none (the form that took the post asked for none).
    no_fields = isinstance(campaign, SignTarget) and not campaign.has_fields
    if alone:
        signature_id = _insert_alone(params, tuple(values), no_fields)
    else:
        signature_id = _insert_in_session(params, tuple(values), no_fields)
    if signature_id is not None:
        outbox.note_queued()
    return signature_id


def _insert_in_session(params: dict[str, Any], columns: tuple[str, ...], no_fields: bool
                       ) -> int | None:
    # The session's connection (its transaction): Core statements need none of the ORM's
    # execution layers.
    connection = db.session.connection()
    statements = _pending_with_mail_statements(connection.dialect.name, columns, no_fields)
    signature_id = connection.execute(statements[0], params).scalar()
    if signature_id is None:
        return None
    if len(statements) > 1:
        params[outbox.DEFERRED_PARAM_PREFIX + "render_ref"] = signature_id
        connection.execute(statements[1], params)
    return int(signature_id)


def _insert_alone(params: dict[str, Any], columns: tuple[str, ...], no_fields: bool
                  ) -> int | None:
    """The same rows in a transaction of their own on a pool connection, committed (durable)
    before it returns, with the statements compiled once (prepared.py): none of the ORM
    session's or of Core's per-execution layers. On PostgreSQL the one statement runs in
    autocommit, atomic by itself: one round trip, no BEGIN or COMMIT. On SQLite the two
    INSERTs share a transaction (the write lock is taken by the first, as on any write)."""
    statements = _prepared_pending_with_mail(db.engine.dialect.name, columns, no_fields)
    with own_transaction(autocommit=len(statements) == 1) as connection:
        row = statements[0].first(params, connection)
        if row is None:
            return None  # nothing inserted: the campaign no longer takes signatures
        signature_id = int(row[0])
        if len(statements) > 1:
            params[outbox.DEFERRED_PARAM_PREFIX + "render_ref"] = signature_id
            statements[1].execute(params, connection)
    return signature_id


@lru_cache(maxsize=32)
def _prepared_pending_with_mail(dialect: str, columns: tuple[str, ...], no_fields: bool
                                ) -> tuple[Prepared, ...]:
    return tuple(Prepared(cast(ClauseElement, statement)) for statement in
                 _pending_with_mail_statements(dialect, columns, no_fields))


def sign(campaign: Campaign | SignTarget, data: SignatureInput, *, count_attempt: bool = True
         ) -> SignOutcome:
    """Record a pending signature and queue its confirmation e-mail, in one transaction.

    Raises CampaignNotOpen when the campaign does not take signatures, also when it closed
    (or, for a SignTarget, changed) after it was read: the INSERT checks it. `count_attempt`
    False: this attempt was counted against the limits already (a retry after that)."""
    if not campaign.is_open:
        raise CampaignNotOpen(campaign.slug)
    email, email_key = normalize_email(data.email)
    # Paper is typed in by organizers; API writes have their own limit.
    if data.source in ("web", "widget") and count_attempt:
        check_rate("sign", ip=data.ip, email_key=email_key)
    # The common case first: a new signer. The unique (campaign, email_key) constraint tells
    # a repeat apart, so a new signature costs no SELECT (a surge is mostly new signers).
    now = utcnow()
    values = _signature_values(data, email, email_key, now)
    values["last_emailed_at"] = now
    # A snapshot's signer without custom answers (the sign form's common case) needs
    # nothing of the session: the rows go in a transaction of their own.
    alone = isinstance(campaign, SignTarget) and not data.custom
    try:
        signature_id = _insert_pending_with_mail(campaign, values, "signature_confirm",
                                                 alone=alone)
    except IntegrityError:
        db.session.rollback()
        existing = _find(campaign.id, email_key)
        if existing is None:
            raise
        return _repeat_signature(existing, campaign)
    if signature_id is None:
        db.session.rollback()
        raise CampaignNotOpen(campaign.slug)
    if not alone:
        custom_fields.store_answers_of(signature_id, campaign.id, data.custom)
        db.session.commit()
    metrics.count("signatures_created")
    return SignOutcome.CREATED


def import_confirmed(campaign: Campaign, data: SignatureInput) -> tuple[SignOutcome, Signature]:
    """Record a signature as already confirmed and count it, in one transaction, no e-mail.

    Only for trusted partners who confirmed the address themselves (an API key with
    trusted_import). A pending signature with the same address is confirmed and counted; a
    confirmed one is left as it is (ALREADY_SIGNED), so re-running an import counts nobody
    twice.
    """
    if not campaign.is_open:
        raise CampaignNotOpen(campaign.slug)
    email, email_key = normalize_email(data.email)
    existing = _find(campaign.id, email_key)
    if existing is None:
        now = utcnow()
        try:
            signature = _new_signature(campaign, data, email, email_key, now,
                                       confirmed=True, confirmed_at=now)
        except IntegrityError:
            db.session.rollback()
            existing = _find(campaign.id, email_key)
            if existing is None:
                raise
        else:
            db.session.commit()
            return SignOutcome.IMPORTED, signature
    if existing.status != SignatureStatus.PENDING:
        return SignOutcome.ALREADY_SIGNED, existing
    changed = lifecycle.confirm(existing)
    db.session.commit()
    db.session.refresh(existing)
    return (SignOutcome.IMPORTED if changed else SignOutcome.ALREADY_SIGNED), existing


def _repeat_signature(signature: Signature, campaign: Campaign | SignTarget) -> SignOutcome:
    if signature.last_emailed_at and utcnow() - signature.last_emailed_at < RESEND_INTERVAL:
        return SignOutcome.SUPPRESSED
    if signature.status == SignatureStatus.PENDING:
        _queue_signer_email("signature_confirm", signature, campaign)
        outcome = SignOutcome.RESENT
    else:
        _queue_signer_email("signature_already", signature, campaign)
        outcome = SignOutcome.ALREADY_SIGNED
    signature.last_emailed_at = utcnow()
    db.session.commit()
    return outcome


def _find(campaign_id: int, email_key: str) -> Signature | None:
    return db.session.scalar(select(Signature).where(
        Signature.campaign_id == campaign_id, Signature.email_key == email_key))


@dataclass(frozen=True)
class Confirmation:
    """What a click on a confirmation link did, and what its page needs: the signature's
    campaign and language (None when the link led to no signature)."""
    outcome: ConfirmOutcome
    signature_id: int | None = None
    campaign_id: int | None = None
    locale: str | None = None


def confirm_link(token: str) -> Confirmation:
    """Confirm the signature behind a link, counting it exactly once, and queue its thanks
    e-mail in the same transaction (so it exists exactly when the confirmation does).
    Raises InvalidToken/ExpiredToken for bad links. Commits (a session transaction the
    caller left open too).

    The first click writes outside the ORM session (`_confirm_and_thank`); only a click that
    changes nothing reads the row to say why."""
    max_age = current_app.config["CONFIRM_MAX_AGE_DAYS"] * 24 * 3600
    signature_id, digest = _link_payload(read_token("confirm", token, max_age))
    if signature_id is None:
        return Confirmation(ConfirmOutcome.NOT_FOUND)
    confirmed = _confirm_and_thank(signature_id, digest)
    if confirmed is None:
        return _confirm_unchanged(signature_id, digest)
    return Confirmation(ConfirmOutcome.CONFIRMED, signature_id, confirmed.campaign_id,
                        confirmed.locale)


def _confirm_and_thank(signature_id: int, digest: str | None
                       ) -> lifecycle.ConfirmedRow | None:
    """pending -> confirmed for an open campaign, counted, with the thanks and next-steps
    e-mail in the same transaction (sent once, with the confirmation), committed; None (and
    nothing written) if the signature was not pending, its campaign not open, or the link's
    digest not its address's.

    No ORM object is involved, so it runs on a pool connection of its own, not through the
    session (`own_transaction`): on PostgreSQL one statement in autocommit (the UPDATE, the
    count and the outbox row as data-modifying CTEs: atomic, one round trip); on SQLite the
    UPDATE ... RETURNING, the count RETURNING the listeners' answer, the outbox row and the
    COMMIT (the write lock of sqlite_writelock.py taken at the UPDATE, as on any connection,
    and held for those alone: their parameters are bound before). The
    count's listeners (milestones) run after it, in the session, only when the statement
    says they have work."""
    session = db.session
    if session.registry.has() and session().in_transaction():
        session.commit()  # what the caller wrote is committed, what it read not stale after
    postgres = db.engine.dialect.name == "postgresql"
    statements = _first_click_statements(postgres, lifecycle.listener_dues())
    params = lifecycle.confirm_params(signature_id)
    params.update(_thanks_params(signature_id))
    if postgres:
        params["b_digest"] = digest if isinstance(digest, str) else ""  # as signed: a string
        with own_transaction(autocommit=True) as transaction:
            row = statements[0].first(params, transaction)
    else:
        # Every parameter processed before the UPDATE takes the write lock (sqlite_writelock):
        # while it is held, only the three statements and the digest check run.
        dialect = db.engine.dialect
        confirm, count, thank = (statement.bind(params, dialect) for statement in statements)
        with own_transaction() as transaction:
            row = confirm.first(transaction)
            if row is not None and _key_digest(row[1]) != digest:
                transaction.rollback()  # a link of a deleted signature whose id was reused
                return None
            if row is not None:
                due = count.first(transaction)
                thank.execute(transaction)
                row = (*row[:4], due is not None and due[0])
    if row is None:
        return None
    confirmed = lifecycle.ConfirmedRow(row[0], row[1], row[2], row[3], bool(row[4]))
    outbox.note_queued()
    metrics.count("signatures_confirmed", 1)
    if confirmed.listeners_due:
        _count_rose(confirmed.campaign_id)
    return confirmed


def _count_rose(campaign_id: int) -> None:
    try:
        lifecycle.count_rose_committed(campaign_id)
        db.session.commit()
    except Exception:
        # The confirmation stands (committed); what a listener would have claimed is
        # claimed by the next confirmation (its check is `<= count`).
        log.exception("count listeners failed after a confirmation of campaign %s",
                      campaign_id)
        db.session.rollback()


_THANKS_PRIORITY = emails.mail_kind("signature_thanks").priority


def _thanks_params(signature_id: int) -> dict[str, object]:
    """The thanks e-mail's outbox parameters; its address, language and campaign the
    statement takes from the confirmed row."""
    return outbox.deferred_params(kind="signature_thanks", to="", lang="", ref=signature_id,
                                  priority=_THANKS_PRIORITY)


@lru_cache(maxsize=8)
def _first_click_statements(postgres: bool, dues: tuple[lifecycle.ListenerDue | None, ...]
                            ) -> tuple[Prepared, ...]:
    """The first click's statements, built once per process (and set of count listeners):
    on PostgreSQL one, whose UPDATE also checks the link's digest and which returns the
    confirmed row and whether a listener is due; on SQLite (no INSERT or UPDATE in a CTE)
    the UPDATE ... RETURNING (digest checked in Python), the count RETURNING whether a
    listener is due, and the outbox row. The last two read the confirmed row by id in the
    same transaction rather than take its values from Python, so all three are bound before
    the first takes the write lock."""
    signatures = cast(Table, Signature.__table__)
    if not postgres:
        by_id = signatures.c.id == bindparam("b_id")
        row = (select(signatures.c.id, signatures.c.campaign_id, signatures.c.email,
                      signatures.c.locale).where(by_id).subquery("confirmed"))
        campaign_id = select(signatures.c.campaign_id).where(by_id).scalar_subquery()
        return (Prepared(lifecycle.confirm_if_open()),
                Prepared(lifecycle.count_confirmed("sqlite", row).returning(
                    lifecycle.listeners_due(dues, campaign_id, counted=True))),
                Prepared(outbox.deferred_insert_from(
                    row.c.id, row, to_addr=row.c.email, render_lang=row.c.locale,
                    campaign_id=row.c.campaign_id)))
    confirmed = lifecycle.confirm_if_open(
        [_key_digest_sql(signatures.c.email_key) == bindparam("b_digest")]
    ).cte("confirmed")
    counted = lifecycle.count_confirmed("postgresql", confirmed).cte("counted")
    thanks = outbox.deferred_insert_from(
        confirmed.c.id, confirmed, to_addr=confirmed.c.email, render_lang=confirmed.c.locale,
        campaign_id=confirmed.c.campaign_id).cte("thanks")
    due = lifecycle.listeners_due(dues, confirmed.c.campaign_id, counted=False)
    return (Prepared(select(confirmed.c.campaign_id, confirmed.c.email_key,
                            confirmed.c.email, confirmed.c.locale, due)
                     .add_cte(counted, thanks)),)


def _key_digest_sql(email_key: ColumnElement[str]) -> ColumnElement[str]:
    """`_key_digest` in PostgreSQL's SQL (sha256 from PostgreSQL 11)."""
    return func.substr(func.encode(func.sha256(func.convert_to(email_key, "UTF8")), "hex"),
                       1, 12)


def _link_payload(payload: Any) -> tuple[int | None, str | None]:
    try:
        signature_id, digest = payload
    except (TypeError, ValueError):
        return None, None
    if not isinstance(signature_id, int) or isinstance(signature_id, bool):
        return None, None
    return signature_id, digest


def _confirm_unchanged(signature_id: int, digest: str | None) -> Confirmation:
    """Why the first click's UPDATE changed nothing: removed or invalidated (or a link of
    a deleted signature whose id was reused), already confirmed, or the campaign closed."""
    row = db.session.execute(_SIGNATURE_STATE, {"id": signature_id}).first()
    db.session.rollback()  # nothing was written: end the read
    if row is None or _key_digest(row.email_key) != digest:
        return Confirmation(ConfirmOutcome.NOT_FOUND)
    outcome = ConfirmOutcome.NOT_FOUND  # invalidated
    if row.status == SignatureStatus.CONFIRMED:
        outcome = ConfirmOutcome.ALREADY_CONFIRMED
    elif row.status == SignatureStatus.PENDING:
        outcome = ConfirmOutcome.CLOSED
        if is_open_at(row.campaign_status, row.deadline, utcnow()):
            # Opened (or put back to pending) between the UPDATE and this read: once more;
            # changing nothing again means another click got there first.
            outcome = (ConfirmOutcome.CONFIRMED if _confirm_and_thank(signature_id, digest)
                       else ConfirmOutcome.ALREADY_CONFIRMED)
    return Confirmation(outcome, signature_id, row.campaign_id, row.locale)


_SIGNATURE_STATE = (
    select(Signature.campaign_id, Signature.status, Signature.email_key, Signature.locale,
           Campaign.status.label("campaign_status"), Campaign.deadline)
    .join(Campaign, Campaign.id == Signature.campaign_id)
    .where(Signature.id == bindparam("id")))


def confirm(token: str) -> tuple[ConfirmOutcome, Signature | None]:
    """`confirm_link`, with the signature (for callers other than the link's page)."""
    done = confirm_link(token)
    signature = (db.session.get(Signature, done.signature_id)
                 if done.signature_id is not None else None)
    return done.outcome, signature


REMINDER_AFTER = timedelta(hours=24)


def send_reminders(now: datetime | None = None, batch: int = 500) -> int:
    """E-mail one reminder to each signer who has not confirmed 24 hours after signing (and
    was not e-mailed in those 24 hours), while the campaign is open and the link valid.

    `reminded_at` is set by a conditional update before the e-mail is queued, in the same
    transaction: two runs at once, or a run repeated, never send a second reminder.
    """
    now = now or utcnow()
    oldest = now - timedelta(days=current_app.config["CONFIRM_MAX_AGE_DAYS"])
    sent = 0
    while True:
        due = list(db.session.scalars(
            select(Signature).join(Campaign, Campaign.id == Signature.campaign_id).where(
                Signature.status == SignatureStatus.PENDING, Signature.reminded_at.is_(None),
                Signature.created_at <= now - REMINDER_AFTER, Signature.created_at > oldest,
                or_(Signature.last_emailed_at.is_(None),
                    Signature.last_emailed_at <= now - REMINDER_AFTER),
                open_clause(Campaign.status, Campaign.deadline, now))
            .order_by(Signature.id).limit(batch)))
        if not due:
            return sent
        for signature in due:
            claimed = cast("CursorResult[Any]", db.session.execute(
                update(Signature)
                .where(Signature.id == signature.id, Signature.reminded_at.is_(None))
                .values(reminded_at=now, last_emailed_at=now)
                .execution_options(synchronize_session=False))).rowcount
            if claimed:
                _queue_signer_email("signature_reminder", signature, signature.campaign)
                sent += 1
            else:
                # Another run claimed it: expire so the loop's next query skips it.
                db.session.expire(signature)
        db.session.commit()


def unsubscribe(signature: Signature) -> None:
    signature.updates_opt_in = False
    signature.updates_opt_in_at = None
    db.session.commit()


def forget(signature: Signature) -> None:
    """Delete the signature and its personal data; uncount it if it was counted."""
    # The DELETE names the state it removes: of two simultaneous clicks only one uncounts.
    lifecycle.remove(signature)
    db.session.commit()


def recent_signers(campaign_id: int, limit: int = 10) -> list[Signature]:
    return list(db.session.scalars(
        select(Signature)
        .where(Signature.campaign_id == campaign_id, counted())
        .order_by(Signature.confirmed_at.desc(), Signature.id.desc())
        .limit(limit)))


def public_recent_signers(campaign: Campaign, limit: int = 10) -> list[Signature]:
    """The page's "latest signers": none when the organizers turned the list off."""
    if not campaign.show_recent_signers:
        return []
    return recent_signers(campaign.id, limit)


# --- public comments (optional pre-moderation) ----------------------------------------------

def comments_premoderated(campaign_id: int) -> bool:
    settings = db.session.get(PetitionSettings, campaign_id)
    return bool(settings and settings.comments_premoderated)


def set_comments_premoderated(campaign_id: int, on: bool) -> None:
    settings = db.session.get(PetitionSettings, campaign_id)
    if settings is None:
        settings = PetitionSettings(campaign_id=campaign_id)
        db.session.add(settings)
    settings.comments_premoderated = on
    db.session.commit()


def comment_is_public(signature: Signature, premoderated: bool) -> bool:
    """Shown to the public (page, dossier): not hidden, and approved when the campaign
    pre-moderates comments."""
    return bool(signature.comment) and not signature.comment_hidden and (
        not premoderated or signature.comment_approved_at is not None)


def public_comments(campaign_id: int, limit: int = 10) -> list[Signature]:
    """The newest comments the public may read (counted signatures only)."""
    query = (select(Signature)
             .where(Signature.campaign_id == campaign_id, counted(),
                    Signature.comment.is_not(None), Signature.comment_hidden.is_(False))
             .order_by(Signature.confirmed_at.desc(), Signature.id.desc()).limit(limit))
    if comments_premoderated(campaign_id):
        query = query.where(Signature.comment_approved_at.is_not(None))
    return list(db.session.scalars(query))


true_count = lifecycle.true_count
recount = lifecycle.recount


# --- organizer reading: keyset pages and a streamed CSV export ---------------------------

def signatures_page(campaign_id: int, *, after: tuple[datetime, int] | None = None, limit: int = 50
                    ) -> list[Signature]:
    """Confirmed signatures, newest first, `limit` after the cursor (confirmed_at, id).

    Keyset pagination: each page is an index range scan on
    ix_signatures_campaign_status_confirmed, as fast at page 20,000 as at page 1 (OFFSET
    would read and throw away every earlier row).
    """
    query = (select(Signature)
             .where(Signature.campaign_id == campaign_id, counted())
             .order_by(Signature.confirmed_at.desc(), Signature.id.desc())
             .limit(limit))
    if after is not None:
        confirmed_at, signature_id = after
        # The first condition is the index range; the second only breaks ties within it.
        query = query.where(Signature.confirmed_at <= confirmed_at, or_(
            Signature.confirmed_at < confirmed_at, Signature.id < signature_id))
    return list(db.session.scalars(query))


CSV_COLUMNS = ("confirmed_at", "full_name", "email", "country", "locale", "display",
               "updates_opt_in", "comment")


def iter_signatures_csv(campaign_id: int, *, chunk_rows: int = 5000) -> Iterator[str]:
    """The confirmed signatures as CSV text chunks, oldest first, streamed.

    Memory stays flat whatever the campaign's size: rows come `chunk_rows` at a time from a
    server-side cursor (PostgreSQL) or SQLite's own stepping cursor, and each chunk is
    yielded before the next is read. The query is built by SQLAlchemy but its rows are read
    from the driver's cursor: ORM/Core row objects would triple the export's time.
    """
    query = (
        select(Signature.confirmed_at, Signature.full_name, Signature.email,
               Signature.country, Signature.locale, Signature.display,
               Signature.updates_opt_in, Signature.comment)
        .where(Signature.campaign_id == campaign_id, counted())
        .order_by(Signature.confirmed_at, Signature.id))  # index order: no sort

    def rows() -> Iterator[tuple[Any, ...]]:
        for batch in cursor.chunks(query, chunk_rows):
            # Seconds only: SQLite gives text, PostgreSQL a datetime; both print alike.
            for when, name, email, country, locale, display, updates, comment in batch:
                yield (str(when)[:19], name, email, country, locale, display,
                       int(updates), comment)

    yield from iter_csv(CSV_COLUMNS, rows(), chunk_rows=chunk_rows)
