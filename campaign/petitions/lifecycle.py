"""The life of a signature, and the count it moves: the only code that does either.

    (new) --sign--> pending --confirm--> confirmed          (trusted import, paper: straight
       pending, confirmed --invalidate--> invalidated        to confirmed, counted)
       invalidated --restore--> confirmed (if it had been confirmed) or pending
       any state --remove--> (row deleted: the signer's "forget me" link, privacy erasure)
       anonymise: after delivery name, address, comment and network go; the state stays

Only `confirmed` counts. Every change of state is a conditional UPDATE (or DELETE) on the
state it leaves, and the count moves by the rows that really changed, in the same
transaction: of two racing changes only one moves the count, so it stays exact.

The count is a campaign's few counter slots (campaigns/models.py: SignatureCounter, summed on
read); a change adds to one slot picked at random, so a viral campaign does not serialise
every confirmation on one row lock (the hot-row problem of alphagov/e-petitions #691).
Moderation, paper import, abuse, privacy, the API and the bench seeding call these
functions; tests/test_architecture.py proves no module outside petitions writes a status or
touches the slots. Nothing here commits: the caller owns the transaction.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Final, Literal, NamedTuple, cast

from flask import Flask, current_app, has_app_context
from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Delete,
    Executable,
    FromClause,
    Insert,
    ScalarSelect,
    Table,
    Update,
    bindparam,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql.dml import Insert as PgInsert
from sqlalchemy.dialects.sqlite.dml import Insert as SqliteInsert

from ..campaigns.models import COUNTER_SLOTS, Campaign, SignatureCounter, open_clause
from ..extensions import db
from ..prepared import Prepared
from ..util import utcnow
from .models import Signature, SignatureField, SignatureStatus

PENDING, CONFIRMED, INVALIDATED = (SignatureStatus.PENDING, SignatureStatus.CONFIRMED,
                                   SignatureStatus.INVALIDATED)
REMOVED: Final = "removed"  # not stored: the row is deleted
Target = SignatureStatus | Literal["removed"]

# Every move a signature may make. A move not listed raises InvalidTransition.
ALLOWED: Final[frozenset[tuple[SignatureStatus, Target]]] = frozenset({
    (PENDING, CONFIRMED), (PENDING, INVALIDATED), (CONFIRMED, INVALIDATED),
    (INVALIDATED, CONFIRMED), (INVALIDATED, PENDING),
    (PENDING, REMOVED), (CONFIRMED, REMOVED), (INVALIDATED, REMOVED),
})
COUNTED: Final = frozenset({CONFIRMED})
ANONYMISED_PREFIX: Final = "anonymised:"


class InvalidTransition(ValueError):
    """A move the signature's life does not allow (a programming error, not user input)."""


# --- the count -----------------------------------------------------------------------------

def _rows_changed(statement: Executable) -> int:
    """Rows an UPDATE/DELETE changed (what a conditional change's outcome is read from)."""
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount


def _slot_insert(campaign_id: int) -> PgInsert | SqliteInsert:
    rows = [{"campaign_id": campaign_id, "slot": slot, "count": 0}
            for slot in range(COUNTER_SLOTS)]
    if db.session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(SignatureCounter).values(rows).on_conflict_do_nothing()
    return sqlite.insert(SignatureCounter).values(rows).on_conflict_do_nothing()


def add_to_count(campaign_id: int, delta: int) -> None:
    """Add `delta` to one random slot of the campaign's count (the caller's transaction).

    Called by the transitions below, and for rows written in bulk outside the ORM (bench
    seeding); tests use it to show big numbers. Only petitions may call it.

    Each slot's row is locked only by the transactions that picked it, so concurrent
    confirmations on one campaign rarely wait for each other. A campaign's slots are laid
    out on its first count (and by recount; a confirmation link's click lays out the one it
    picked, `count_confirmed`), so creating a campaign needs no counter code.
    """
    params = {"b_campaign": campaign_id, "b_slot": random.randrange(COUNTER_SLOTS),
              "b_delta": delta}
    if _ADD_TO_SLOT_PREPARED.rowcount(params) == 0:
        db.session.execute(_slot_insert(campaign_id))
        db.session.execute(_ADD_TO_SLOT, params)


def _rows_changed_with(statement: Executable, params: dict[str, Any]) -> int:
    return cast(CursorResult[Any], db.session.execute(statement, params)).rowcount


# Built once (every confirmation runs it): Core, on the table.
_COUNTERS = cast(Table, SignatureCounter.__table__)
_ADD_TO_SLOT = (update(_COUNTERS)
                .where(_COUNTERS.c.campaign_id == bindparam("b_campaign"),
                       _COUNTERS.c.slot == bindparam("b_slot"))
                .values(count=_COUNTERS.c.count + bindparam("b_delta")))
_ADD_TO_SLOT_PREPARED = Prepared(_ADD_TO_SLOT)


def count_now(campaign_id: int | ColumnElement[int]) -> ScalarSelect[Any]:
    """The count as a scalar subquery, for a statement that acts on it (milestones): it
    reads the slots inside that statement, so the caller's own uncommitted change counts.
    `campaign_id` may be a bind parameter, for a statement built once."""
    return (select(func.coalesce(func.sum(_COUNTERS.c.count), 0))
            .where(_COUNTERS.c.campaign_id == campaign_id).correlate_except(_COUNTERS)
            .scalar_subquery())


CountListener = Callable[[int], object]
# When a listener has work, as SQL: (the campaign id, its count) -> a condition.
ListenerDue = Callable[[ColumnElement[int], ColumnElement[int]], ColumnElement[bool]]


def register_count_listener(app: Flask, listener: CountListener,
                            due: ListenerDue | None = None) -> None:
    """Call `listener(campaign_id)` after a change raises a campaign's count, in the same
    transaction (milestones use it). Listeners run on the confirmation path: keep them to a
    statement or two.

    `due` tells, in SQL, when the listener has work at a count (a step reached): a
    confirmation link's first click, which commits on its own (`confirm_if_open`), asks it
    in its own statement and runs the listener after that commit, in the session's
    transaction, only when it is due. Without `due` the listener runs after every click."""
    app.extensions.setdefault("count_listeners", []).append((listener, due))


def _count_rose(campaign_id: int) -> None:
    if has_app_context():
        for listener, _due in current_app.extensions.get("count_listeners", ()):
            listener(campaign_id)


def listener_dues() -> tuple[ListenerDue | None, ...]:
    """The app's listeners' `due` conditions (for `listeners_due`)."""
    return tuple(due for _listener, due in current_app.extensions.get("count_listeners", ()))


def count_rose_committed(campaign_id: int) -> None:
    """Call the listeners for a count that rose in a transaction already committed (a first
    click's, `confirm_if_open`), in the session's transaction, which the caller commits:
    what they claim is claimed once by their own conditional statements, as it would be in
    the confirming transaction."""
    _count_rose(campaign_id)


def true_count(campaign_id: int) -> int:
    """The count from the signatures themselves (a COUNT(*): for reconciling, not pages)."""
    return db.session.scalar(select(func.count()).select_from(Signature).where(
        Signature.campaign_id == campaign_id, counted())) or 0


def recount(campaign_id: int) -> tuple[int, int]:
    """Set the counter to the true count, returning (old, new). Commits.

    The slots are locked before counting, so a confirmation running meanwhile either was
    counted and its increment is overwritten here, or waits and adds itself afterwards.
    """
    db.session.execute(_slot_insert(campaign_id))
    slots = db.session.scalars(
        select(SignatureCounter).where(SignatureCounter.campaign_id == campaign_id)
        .order_by(SignatureCounter.slot).with_for_update()).all()
    old = sum(slot.count for slot in slots)
    new = true_count(campaign_id)
    for slot in slots:
        slot.count = new if slot.slot == 0 else 0
    db.session.commit()
    return old, new


# --- the one transition function -------------------------------------------------------

def _values(source: SignatureStatus, to: SignatureStatus, reason: str | None
            ) -> dict[str, object]:
    values: dict[str, object] = {"status": to.value}
    if to is INVALIDATED:
        if not reason or not reason.strip():
            raise InvalidTransition("an invalidation needs a reason")
        values["invalidation_reason"] = reason.strip()[:200]
    elif source is INVALIDATED:
        values["invalidation_reason"] = None
    if source is PENDING and to is CONFIRMED:
        values["confirmed_at"] = utcnow()
    return values


def transition(campaign_id: int, *, to: Target, from_: Iterable[SignatureStatus],
               where: Sequence[ColumnElement[bool]] = (), reason: str | None = None) -> int:
    """Move the campaign's signatures matching `where` from any state of `from_` to `to`.

    Returns how many moved; the count moves with them, in the caller's transaction. The
    UPDATE (or DELETE) names the state it leaves, so a signature that changed meanwhile is
    left alone and counted once.
    """
    moved = 0
    for source in from_:
        if (source, to) not in ALLOWED:
            raise InvalidTransition(f"{source} -> {to}")
        conditions = (Signature.campaign_id == campaign_id, Signature.status == source.value,
                      *where)
        statement: Update | Delete
        if to == REMOVED:
            statement = delete(Signature).where(*conditions)
        else:
            assert isinstance(to, SignatureStatus)
            statement = update(Signature).where(*conditions).values(
                **_values(source, to, reason))
        changed = _rows_changed(statement.execution_options(synchronize_session=False))
        delta = (to in COUNTED) - (source in COUNTED)
        if changed and delta:
            add_to_count(campaign_id, delta * changed)
            if delta > 0:
                _count_rose(campaign_id)
        moved += changed
    return moved


# --- one signature at a time ------------------------------------------------------------

def _one(signature: Signature) -> list[ColumnElement[bool]]:
    return [Signature.id == signature.id]


def confirm(signature: Signature) -> bool:
    """pending -> confirmed, counted. Of two simultaneous confirmations only one counts.

    `transition(to=CONFIRMED, from_=[PENDING])` for one row, with a statement built once:
    this runs for every click on a confirmation link."""
    changed = _rows_changed_with(_CONFIRM_ONE, {
        "b_id": signature.id, "b_campaign": signature.campaign_id, "b_now": utcnow()})
    if changed:
        add_to_count(signature.campaign_id, changed)
        _count_rose(signature.campaign_id)
    return changed > 0


_SIGNATURES = cast(Table, Signature.__table__)
_CONFIRM_ONE = (update(_SIGNATURES)
                .where(_SIGNATURES.c.id == bindparam("b_id"),
                       _SIGNATURES.c.campaign_id == bindparam("b_campaign"),
                       _SIGNATURES.c.status == PENDING.value)
                .values(status=CONFIRMED.value,
                        confirmed_at=bindparam("b_now", type_=_SIGNATURES.c.confirmed_at.type)))


class ConfirmedRow(NamedTuple):
    """What the page and the e-mail after a confirmation need, returned by its UPDATE, and
    whether a count listener has work now (`count_rose_committed`)."""
    campaign_id: int
    email_key: str
    email: str
    locale: str
    listeners_due: bool


def confirm_if_open(where: Sequence[ColumnElement[bool]] = ()) -> Update:
    """pending -> confirmed for the signature `b_id` if its campaign is open at `b_now` (and
    `where` holds): the conditional UPDATE of a confirmation link's first click, RETURNING
    the first four fields of its `ConfirmedRow` and `id`. Of two simultaneous clicks only
    one changes the row. The caller counts it in the same transaction or statement
    (`count_confirmed`) and asks `listeners_due`."""
    return (update(_SIGNATURES)
            .where(_SIGNATURES.c.id == bindparam("b_id"), _SIGNATURES.c.status == PENDING.value,
                   # Campaign.is_open, in the statement: live and not past its deadline.
                   exists().where(_CAMPAIGNS.c.id == _SIGNATURES.c.campaign_id,
                                  open_clause(_CAMPAIGNS.c.status, _CAMPAIGNS.c.deadline,
                                              bindparam("b_now",
                                                        type_=_CAMPAIGNS.c.deadline.type))),
                   *where)
            .values(status=CONFIRMED.value,
                    confirmed_at=bindparam("b_now", type_=_SIGNATURES.c.confirmed_at.type))
            .returning(_SIGNATURES.c.campaign_id, _SIGNATURES.c.email_key, _SIGNATURES.c.email,
                       _SIGNATURES.c.locale, _SIGNATURES.c.id))


def listeners_due(dues: tuple[ListenerDue | None, ...], campaign_id: ColumnElement[int],
                  *, counted: bool) -> ColumnElement[bool]:
    """Whether a count listener has work for the campaign now, in SQL, at the count the
    statement sees plus one unless `counted` (a CTE's statement sees the count as it was
    before its own increment); the count their own check sees once this is committed."""
    count: ColumnElement[int] = count_now(campaign_id)
    if not counted:
        count = count + 1
    asked = [due(campaign_id, count) if due is not None else true() for due in dues]
    return or_(*asked) if asked else false()


def count_confirmed(dialect: str, confirmed: FromClause | None = None
                    ) -> PgInsert | SqliteInsert:
    """+1 on the slot `b_slot` of the campaign `b_campaign`, or of each row of `confirmed`
    (a CTE of `confirm_if_open`, or on SQLite the confirmed row read back): an upsert, so
    it is one statement that also lays the slot out on a campaign's first count."""
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement: PgInsert | SqliteInsert
    if confirmed is None:
        statement = insert_(_COUNTERS).values(campaign_id=bindparam("b_campaign"),
                                               slot=bindparam("b_slot"), count=1)
    else:
        source = select(confirmed.c.campaign_id, bindparam("b_slot", type_=_COUNTERS.c.slot.type),
                        literal(1, _COUNTERS.c.count.type))
        if dialect != "postgresql":
            # SQLite would read `FROM ... ON CONFLICT` as a join's ON: a WHERE ends the
            # SELECT (the parsing ambiguity of its UPSERT documentation).
            source = source.where(true())
        statement = insert_(_COUNTERS).from_select(["campaign_id", "slot", "count"], source)
    return statement.on_conflict_do_update(
        index_elements=[_COUNTERS.c.campaign_id, _COUNTERS.c.slot],
        set_={"count": _COUNTERS.c.count + statement.excluded.count})


def confirm_params(signature_id: int) -> dict[str, Any]:
    """The parameters of `confirm_if_open` and `count_confirmed` for one click (the latter
    also needs `b_campaign` unless it counts a CTE's rows)."""
    return {"b_id": signature_id, "b_now": utcnow(), "b_slot": random.randrange(COUNTER_SLOTS)}


_CAMPAIGNS = cast(Table, Campaign.__table__)


def invalidate(signature: Signature, reason: str) -> bool:
    """pending or confirmed -> invalidated (uncounted if it counted)."""
    return transition(signature.campaign_id, to=INVALIDATED, from_=[CONFIRMED, PENDING],
                      where=_one(signature), reason=reason) > 0


def restore(signature: Signature) -> bool:
    """invalidated -> confirmed (counted again) if it had been confirmed, else pending."""
    to = CONFIRMED if signature.confirmed_at else PENDING
    return transition(signature.campaign_id, to=to, from_=[INVALIDATED],
                      where=_one(signature)) > 0


def remove(signature: Signature) -> bool:
    """Delete the signature (and its personal data); uncounted if it counted."""
    campaign_id, where = signature.campaign_id, _one(signature)
    if signature in db.session:
        db.session.expunge(signature)
    return transition(campaign_id, to=REMOVED, from_=list(SignatureStatus), where=where) > 0


def add_new(campaign_id: int, signatures: Sequence[Signature], *, confirmed: bool) -> None:
    """New rows enter their life here: pending (signing) or confirmed and counted (a
    trusted import, paper). Flushes: a repeated address raises IntegrityError before
    anything is counted."""
    now = utcnow()
    for signature in signatures:
        signature.campaign_id = campaign_id
        signature.status = (CONFIRMED if confirmed else PENDING).value
        if confirmed:
            signature.confirmed_at = signature.confirmed_at or now
    db.session.add_all(signatures)
    db.session.flush()
    if confirmed and signatures:
        add_to_count(campaign_id, len(signatures))
        _count_rose(campaign_id)


PENDING_PARAM_PREFIX: Final = "sig_"


@lru_cache(maxsize=32)
def pending_insert(columns: tuple[str, ...], *, no_fields: bool = False) -> Insert:
    """The Core INSERT of one new pending signature, RETURNING its id, built once per set
    of columns: its values are bind parameters named `sig_<column>` (`pending_params`), so
    a signature in a surge costs no statement building. The sign path runs it alone or as
    the CTE of its outbox row (one round trip on PostgreSQL). Pending counts nothing; a
    repeated address raises IntegrityError when executed.

    The row is an INSERT ... SELECT from the campaign named by id and slug while it takes
    signatures (campaigns.models.open_clause, at the statement's own time), and with
    `no_fields` while it has no custom fields: otherwise it inserts nothing and returns no
    id. So whatever the caller read of the campaign before, a closed campaign (closed a
    moment ago, past its deadline, deleted) takes no signature."""
    table = cast(Table, Signature.__table__)
    campaigns = cast(Table, Campaign.__table__)
    names = ["campaign_id", *columns, "status"]
    values: list[Any] = [campaigns.c.id]
    values += [bindparam(PENDING_PARAM_PREFIX + name, type_=table.c[name].type)
               for name in columns]
    values.append(literal(PENDING.value, table.c.status.type))
    conditions = [campaigns.c.id == bindparam(PENDING_PARAM_PREFIX + "campaign_id"),
                  campaigns.c.slug == bindparam(PENDING_PARAM_PREFIX + "campaign_slug"),
                  open_clause(campaigns.c.status, campaigns.c.deadline,
                              bindparam(PENDING_PARAM_PREFIX + "now",
                                        type_=campaigns.c.deadline.type))]
    if no_fields:
        fields = cast(Table, SignatureField.__table__)
        conditions.append(~exists().where(fields.c.campaign_id == campaigns.c.id))
    return (insert(table).from_select(names, select(*values).where(*conditions))
            .returning(table.c.id))


def pending_params(campaign_id: int, campaign_slug: str, values: Mapping[str, Any]
                   ) -> dict[str, Any]:
    """The parameters of `pending_insert(tuple(values))` for one signature: `values` are
    its columns except its campaign and state; the campaign must still have this slug and
    take signatures at `created_at` (else nothing is inserted)."""
    params = {PENDING_PARAM_PREFIX + name: value for name, value in values.items()}
    params[PENDING_PARAM_PREFIX + "campaign_id"] = campaign_id
    params[PENDING_PARAM_PREFIX + "campaign_slug"] = campaign_slug
    params[PENDING_PARAM_PREFIX + "now"] = values.get("created_at") or utcnow()
    return params


def anonymise(campaign_id: int) -> int:
    """Strip name, address, comment and network hash from every signature of a campaign.

    Country, dates and state stay, so counts and statistics do not change. email_key must
    stay unique per campaign: the row id keeps it so. Returns how many rows changed.
    """
    return _rows_changed(
        update(Signature)
        .where(Signature.campaign_id == campaign_id,
               Signature.email_key.not_like(f"{ANONYMISED_PREFIX}%"))
        .values(full_name="", email="",
                email_key=ANONYMISED_PREFIX + db.cast(Signature.id, db.String),
                comment=None, ip_hash=None, display="anonymous",
                updates_opt_in=False, updates_opt_in_at=None)
        .execution_options(synchronize_session=False))


def counted() -> ColumnElement[bool]:
    """The condition for signatures that count (public lists, exports, letters' audience)."""
    # One state counts; `==` keeps the (campaign_id, status, confirmed_at) index in use.
    return Signature.status == CONFIRMED.value
