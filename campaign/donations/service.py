"""The donations feature's rules, one module per concern; this module is their front door
for views, the CLI, other features' registrations and tests. Callable without a request.

- settings.py   a campaign's currencies, goal, rates, offline instructions
- checkout.py   the donate form: a pending Donation and its Checkout Session
- webhooks.py   verified Stripe events, cross-checked, recorded once (the source of truth)
- offline.py    gifts and pledges an organizer records
- ledger.py     payments recorded once, the status derived from facts, receipts, portal
- reporting.py  totals, progress, donor wall, console list, CSV, the API's OSDI page
- donor_data.py the privacy page's copy and deletion
Stripe's payloads and minor units stay in gateway.py.
"""
from __future__ import annotations

from .checkout import DonationInput, check_amount, donation_for_session, start_checkout
from .donor_data import donations_of, erase_donations, export_donations
from .ledger import (
    AmountOutOfRange,
    CurrencyNotEnabled,
    DonationError,
    PaymentsUnavailable,
    donation_from_manage_token,
    manage_token,
    portal_url,
)
from .money import Money
from .offline import delete_offline, mark_pledge_received, record_offline
from .reporting import (
    CSV_COLUMNS,
    DONATION_EXPORT_COLUMNS,
    DonationFilter,
    Progress,
    donation_export_rows,
    donations_csv,
    donor_wall,
    list_donations,
    monthly_totals,
    osdi_donations,
    pledged_by_currency,
    progress,
    raised_by_currency,
)
from .settings import offline_instructions, save_settings, settings_for, stripe_enabled
from .webhooks import EventMismatch, RetryLater, handle_event

__all__ = [
    "CSV_COLUMNS", "DONATION_EXPORT_COLUMNS", "AmountOutOfRange", "CurrencyNotEnabled",
    "DonationError", "DonationFilter", "DonationInput", "EventMismatch", "Money",
    "PaymentsUnavailable", "Progress", "RetryLater", "check_amount", "delete_offline",
    "donation_export_rows", "donation_for_session", "donation_from_manage_token", "donations_csv",
    "donations_of",
    "donor_wall", "erase_donations", "export_donations", "handle_event", "list_donations",
    "manage_token", "mark_pledge_received", "monthly_totals", "offline_instructions",
    "osdi_donations", "pledged_by_currency", "portal_url", "progress", "raised_by_currency",
    "record_offline", "save_settings", "settings_for", "start_checkout", "stripe_enabled",
]
