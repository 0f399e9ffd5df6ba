"""Settings from environment variables, with embedded defaults that need nothing installed.

Every setting the operator may change is listed in ``SETTINGS`` with its default and a one-line
description; the README's configuration table is generated from the same list
(``flask config-table``) so the two cannot drift apart.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str
    cast: type = str


SETTINGS: list[Setting] = [
    Setting("INSTANCE_PATH", None,
            "Folder for the embedded database, secret key and kept e-mails. Default: "
            "`instance/` in the repository."),
    Setting("DATABASE_URL", None,
            "SQLAlchemy URL. Default: SQLite file `instance/campaign.db` (WAL mode). "
            "Production: `postgresql+psycopg://user@host/db`."),
    Setting("SECRET_KEY", None,
            "Signs sessions, CSRF and e-mail links. Default: generated once into "
            "`instance/secret_key`."),
    Setting("SITE_URL", "http://127.0.0.1:5000",
            "Public base URL, used for links in e-mails."),
    Setting("FEATURED_CAMPAIGN", "korday-sentences-review",
            "Slug of the campaign the home page puts first, with its call to act (the "
            "flagship). The others follow, newest first."),
    Setting("MAIL_SERVER", None,
            "SMTP host. When unset, e-mails are written as `.eml` files to `instance/mail/` "
            "with their links in a `.links.txt` beside each (never in the log)."),
    Setting("MAIL_PORT", "25", "SMTP port.", int),
    Setting("MAIL_USERNAME", None, "SMTP user name."),
    Setting("MAIL_PASSWORD", None, "SMTP password."),
    Setting("MAIL_USE_TLS", "false", "STARTTLS on the SMTP connection.", bool),
    Setting("MAIL_USE_SSL", "false", "SMTP over TLS (port 465).", bool),
    Setting("MAIL_DEFAULT_SENDER", "Korday Justice Campaign <campaign@localhost>",
            "From address of every e-mail."),
    Setting("MAIL_TRANSPORT", None,
            "`smtp`, `files` or `memory`. Default: `smtp` when MAIL_SERVER is set, else "
            "`files`."),
    Setting("MAIL_MESSAGE_ID_DOMAIN", None,
            "Domain of Message-IDs. Default: the host of SITE_URL."),
    Setting("MAIL_BOUNCE_ADDRESS", None,
            "Envelope sender; each message goes out as `local+<token>@domain` (VERP) so a "
            "bounce names its message. Default: `bounces@` the domain of MAIL_DEFAULT_SENDER."),
    Setting("MAIL_BOUNCE_MAILBOX", None,
            "Maildir folder or mbox file where bounces and feedback-loop reports arrive; "
            "`flask outbox bounces` reads it (docs/deliverability.md)."),
    Setting("DKIM_SELECTOR", None,
            "DKIM selector (e.g. `mail2026`). DKIM signing is off while this or "
            "DKIM_PRIVATE_KEY_FILE is unset."),
    Setting("DKIM_PRIVATE_KEY_FILE", None,
            "PEM file of the RSA key that signs outgoing mail (`flask mail dns` prints the "
            "public record)."),
    Setting("DKIM_DOMAIN", None,
            "Domain that signs (d=). Default: the domain of MAIL_DEFAULT_SENDER."),
    Setting("REDIS_URL", None,
            "Redis for rate limits and caches. When unset, in-process memory."),
    Setting("MAX_CONTENT_LENGTH", "2097152",
            "Largest request body in bytes (413 above it).", int),
    Setting("CONFIRM_MAX_AGE_DAYS", "30",
            "Days a confirmation link stays valid.", int),
    Setting("OUTBOX_BATCH_SIZE", "100", "Messages one worker claims at a time.", int),
    Setting("OUTBOX_MAX_ATTEMPTS", "8",
            "Delivery attempts before a message is marked failed.", int),
    Setting("OUTBOX_LEASE_SECONDS", "300",
            "A claimed message whose worker died is retried after this long.", int),
    Setting("OUTBOX_RETRY_BASE_SECONDS", "30",
            "First retry delay; doubles on each failure.", int),
    Setting("OUTBOX_SOFT_BOUNCE_DAYS", "3",
            "An address that keeps bouncing softly (mailbox full, greylisting) this many days "
            "after its first soft bounce is suppressed.", int),
    Setting("OUTBOX_DOMAIN_RATE_LIMIT", None,
            "Most messages sent to one recipient domain (limits syntax, e.g. "
            "`300/minute;5000/hour`); the rest wait a little. Unset: no limit."),
    Setting("TARGET_PAUSE_AFTER_BOUNCES", "3",
            "Hard bounces after which an institution's address is paused and organizers are "
            "told.", int),
    Setting("OUTBOX_INLINE", None,
            "Deliver queued e-mail at the end of the request that queued it, without a "
            "worker. Default: on with the `files` transport (a newcomer sees links at once), "
            "off otherwise.", bool),
    Setting("LOG_LEVEL", "INFO", "Python logging level."),
    Setting("LOG_FORMAT", "text",
            "`text` or `json`: one JSON line per log record, request and `flask` job, with no "
            "client address, link token or e-mail address."),
    Setting("METRICS_TOKEN", None,
            "Turns on `/metrics` (Prometheus text format) for requests with `Authorization: "
            "Bearer <token>`. Unset: `/metrics` is 404. Counters of several processes are kept "
            "in `PROMETHEUS_MULTIPROC_DIR` (default `instance/prometheus`)."),
    Setting("ALLOWED_HOSTS", None,
            "Host names the site answers to, comma-separated (e.g. `korday.example,"
            "www.korday.example`); any other Host header gets 400. Default: the host of "
            "`SITE_URL` when it is https (production), any host otherwise (development)."),
    Setting("TRUSTED_PROXIES", "0",
            "Reverse proxies (load balancers) in front of the app. Set it to their number so "
            "rate limits see the client's network from X-Forwarded-For, not the proxy's; 0 "
            "trusts no forwarded header.", int),
    # --- donations ---
    Setting("STRIPE_SECRET_KEY", None,
            "Stripe secret key (`sk_live_...`/`sk_test_...`). Unset: no card payments; the "
            "donate page shows the offline ways to give."),
    Setting("STRIPE_WEBHOOK_SECRET", None,
            "Signing secret of the `/stripe/webhook` endpoint (`whsec_...`). Unset: every "
            "webhook is refused."),
    Setting("STRIPE_API_BASE", None,
            "Another Stripe API base URL (a local emulator in development). Default: Stripe."),
    Setting("DONATION_CURRENCIES", "EUR,USD,GBP,KZT",
            "Currencies a campaign offers until its organizers choose (EUR, USD, GBP, CHF, "
            "KZT, KGS, RUB, JPY)."),
    Setting("DONATION_OFFLINE_INSTRUCTIONS", None,
            "Bank transfer details shown on every donate page whose campaign sets none."),
    # letters
    Setting("LETTERS_DAILY_CAP_PER_TARGET", "20",
            "Supporters' letters e-mailed to one institution per day (UTC); the rest wait for "
            "`flask letters digest`, which sends them as one message.", int),
    Setting("LETTERS_LIVE", "false",
            "Letters, cover letters and digests may reach the real institutions. Even then an "
            "admin must switch letters to live in the console (audit log); until both, every "
            "such e-mail goes to the test address with the intended recipient at the top.",
            bool),
    Setting("LETTERS_TEST_ADDRESS", None,
            "Where letters go in test mode. Default: the organization's contact address, "
            "else the address of MAIL_DEFAULT_SENDER."),
    Setting("RATELIMIT_LETTERS_PER_NETWORK", "10/hour;50/day",
            "Letter batches (one \"send\" click) per client network."),
    Setting("RATELIMIT_LETTERS_PER_EMAIL", "3/hour;10/day",
            "Letter batches per supporter address."),
    Setting("RATELIMIT_LETTERS_PER_DOMAIN", "60/hour",
            "Letter batches per e-mail domain (not for the big webmail providers)."),
    Setting("DOSSIER_INLINE_MAX_SIGNATURES", "20000",
            "Campaigns with up to this many signatures get their delivery dossier (PDF) built "
            "in the organizer's request; bigger ones (and every one while the dossier's Chinese "
            "fonts are not made yet) are built by `flask letters dossiers` while the console "
            "shows \"being prepared\".", int),
    # --- organizer console ---
    Setting("LOGIN_RATE_LIMIT", "10 per minute;50 per hour",
            "Login, 2FA and password-reset POSTs allowed per client address."),
    Setting("LOGIN_MAX_FAILURES", "5",
            "Wrong passwords in a row before an account is locked.", int),
    Setting("LOGIN_LOCK_MINUTES", "15", "How long a locked account stays locked.", int),
    Setting("SESSION_LIFETIME_HOURS", "12",
            "An organizer must log in again after this long.", int),
    Setting("SESSION_IDLE_MINUTES", "60",
            "An organizer idle for this long is logged out.", int),
    Setting("REQUIRE_2FA", "false",
            "Every organizer must set up two-factor (TOTP) before using the console.", bool),
    Setting("INVITE_MAX_AGE_DAYS", "7", "Days an organizer invitation link stays valid.", int),
    Setting("RESET_MAX_AGE_MINUTES", "60", "Minutes a password-reset link stays valid.", int),
    Setting("PAPER_IMPORT_MAX_ROWS", "20000", "Most rows in one paper-signature CSV file.",
            int),
    # --- API and widget ---
    Setting("API_CACHE_MAX_AGE", "60",
            "Seconds shared caches and browsers may keep public API answers and open-data "
            "files (Cache-Control max-age; ETags let them revalidate).", int),
    Setting("API_WRITE_RATE_LIMIT", "600/minute",
            "Signatures one API key may add (Flask-Limiter syntax).", str),
    Setting("WIDGET_SIGN_RATE_LIMIT", "10/minute;100/hour",
            "Signing attempts through the embedded widget per client address.", str),
    Setting("WIDGET_TOKEN_MAX_AGE_SECONDS", "7200",
            "How long a widget's sign form stays valid after it was shown.", int),
    Setting("PUBLIC_MAP_MIN_COUNT", "10",
            "On a campaign's public map, countries with fewer signatures than this are "
            "merged into \"other\", so no small group of signers is exposed.", int),
    # --- campaign photo and share card ---
    Setting("CAMPAIGN_IMAGE_MAX_BYTES", "8388608",
            "Largest campaign photo an organizer may upload, in bytes (the upload page alone "
            "takes a body above MAX_CONTENT_LENGTH, up to twice this, so a larger file gets a "
            "clear message). It is decoded, stripped of EXIF/GPS and every other metadata, "
            "and stored as a JPEG of at most 1600 × 1600 pixels.", int),
    Setting("CAMPAIGN_IMAGE_MAX_PIXELS", "50000000",
            "Largest canvas (width × height) a campaign photo may claim; more is refused "
            "before decoding (decompression bombs).", int),
    Setting("SHARE_CARD_MAX_AGE_MINUTES", "10",
            "A campaign's share card (og:image, per language) is drawn again when its count "
            "leaves its bucket (about 1 %), or at most this often while the count moves.", int),
    # --- performance (bench) ---
    Setting("CAMPAIGN_PAGE_CACHE_SECONDS", "3",
            "Seconds a rendered campaign page is reused in each app process (each reader "
            "still gets their own CSRF token); the shown count is at most this old. 0: off.",
            int),
    Setting("COMPRESS_LEVEL", "6", "gzip level for pages, CSS and JSON (1-9).", int),
    Setting("COMPRESS_BR_LEVEL", "4", "Brotli level for pages, CSS and JSON (0-11).", int),
    # --- security, abuse resistance and privacy (campaign/security.py, abuse/, privacy/) ---
    Setting("RATELIMIT_ENABLED", "true", "Rate limits on; off only for tests.", bool),
    Setting("RATELIMIT_SIGN_PER_ADDRESS", "30/minute;300/hour",
            "Sign attempts from one IPv4 address or IPv6 /64 (limits syntax, `;` between). "
            "Admins override the sign limits in the console (Rate limits)."),
    Setting("RATELIMIT_SIGN_PER_NETWORK", "600/minute;20000/day",
            "Sign attempts from one IPv4 /24 or IPv6 /48 network: high, because mobile "
            "carriers put crowds behind few addresses (carrier-grade NAT)."),
    Setting("RATELIMIT_SIGN_PER_EMAIL", "5/hour",
            "Sign attempts with one e-mail address (canonical form), on any campaign."),
    Setting("RATELIMIT_SIGN_PER_DOMAIN", "60/minute;1000/day",
            "Sign attempts from one e-mail domain (big webmail domains are exempt)."),
    Setting("LIMIT_SETTINGS_CACHE_SECONDS", "10",
            "Seconds each process keeps the console's rate-limit settings before reading "
            "them again.", int),
    Setting("RATELIMIT_PRIVACY_PER_NETWORK", "10/hour",
            "Requests for a personal-data link from one network."),
    Setting("RATELIMIT_PRIVACY_PER_EMAIL", "3/hour",
            "Requests for a personal-data link for one address."),
    Setting("RATELIMIT_COMMON_DOMAINS",
            "gmail.com,outlook.com,hotmail.com,yahoo.com,icloud.com,mail.ru,yandex.ru,"
            "yandex.kz,bk.ru,inbox.ru,list.ru,rambler.ru,proton.me,protonmail.com,qq.com,"
            "163.com,gmx.de,web.de,t-online.de,orange.fr,free.fr,laposte.net",
            "E-mail domains exempt from the per-domain limit (comma-separated)."),
    Setting("ABUSE_MIN_FILL_SECONDS", "2",
            "A form sent sooner than this after it was shown is dropped silently (bots); 0 "
            "turns the check off.", int),
    Setting("ABUSE_BLOCK_DISPOSABLE", "true",
            "Refuse addresses at throwaway-mailbox domains.", bool),
    Setting("ABUSE_VELOCITY_MIN_PER_HOUR", "50",
            "Signatures in an hour below which no velocity alarm is raised.", int),
    Setting("ABUSE_VELOCITY_FACTOR", "5",
            "Alarm when the last hour has this many times the usual hourly rate.", int),
    Setting("CSP_FORM_ACTION", "'self' https://checkout.stripe.com",
            "Where forms may post or redirect to (Content-Security-Policy form-action)."),
    Setting("PRIVACY_LINK_MAX_AGE_HOURS", "24",
            "Hours a personal-data link (copy or deletion) stays valid.", int),
    Setting("PRIVACY_DEFAULT_RETENTION_DAYS", "180",
            "Days after delivery before `flask privacy purge` anonymises a campaign's "
            "signatures, unless the organizer set another period.", int),
]

_TRUE = {"1", "true", "yes", "on"}


def _cast(setting: Setting, raw: str) -> Any:
    if setting.cast is bool:
        return raw.strip().lower() in _TRUE
    if setting.cast is int:
        return int(raw)
    return raw


def _secret_key(instance_path: Path) -> str:
    """The secret key from the environment, else one generated once and kept in instance/."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting at once must not each write their own key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load_config(instance_path: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config dict from the environment."""
    environ = os.environ if environ is None else environ
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)

    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.name, setting.default)
        values[setting.name] = None if raw in (None, "") else _cast(setting, raw)

    database_url = values.pop("DATABASE_URL") or f"sqlite:///{instance / 'campaign.db'}"
    if database_url.startswith("postgres://"):  # Heroku-style URLs
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]

    transport = values["MAIL_TRANSPORT"] or ("smtp" if values["MAIL_SERVER"] else "files")

    config = dict(values)
    inline = values["OUTBOX_INLINE"]
    config.update(
        OUTBOX_INLINE=(transport == "files") if inline is None else inline,
        SQLALCHEMY_DATABASE_URI=database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        SECRET_KEY=values["SECRET_KEY"] or _secret_key(instance),
        MAIL_TRANSPORT=transport,
        MAIL_DIR=str(instance / "mail"),
        SITE_URL=values["SITE_URL"].rstrip("/"),
        TRUSTED_HOSTS=_trusted_hosts(values["ALLOWED_HOSTS"], values["SITE_URL"]),
        RATELIMIT_STORAGE_URI=values["REDIS_URL"] or "memory://",
        # A Redis that hangs must not hang the sign form: fail fast, count in memory.
        RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
        if values["REDIS_URL"] else {},
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=values["SITE_URL"].startswith("https://"),
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).resolve().parent.parent / "translations"),
        BABEL_DEFAULT_LOCALE="en",
        PERMANENT_SESSION_LIFETIME=values["SESSION_LIFETIME_HOURS"] * 3600,
    )
    return config


def _trusted_hosts(allowed: str | None, site_url: str) -> list[str] | None:
    """Flask's TRUSTED_HOSTS: a request naming another host is refused before any view runs,
    so no page, link or cached copy is ever built from a forged Host header."""
    if allowed:
        return [host.strip().lower() for host in allowed.split(",") if host.strip()]
    if site_url.startswith("https://"):
        from urllib.parse import urlsplit
        return [urlsplit(site_url).netloc.lower()]
    return None


def markdown_table() -> str:
    """The README's configuration table (a test keeps the README equal to this)."""
    lines = ["| Variable | Default | What it does |", "|---|---|---|"]
    for setting in SETTINGS:
        default = f"`{setting.default}`" if setting.default is not None else "(unset)"
        lines.append(f"| `{setting.name}` | {default} | {setting.help} |")
    return "\n".join(lines)
