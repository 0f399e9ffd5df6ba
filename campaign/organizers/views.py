"""Console accounts: login (with lock-out, rate limit, two-factor), invitations, resets,
the dashboard, and the admin pages for accounts and the audit log."""
import time
from collections.abc import Callable
from typing import Any, cast

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import i18n
from ..audit import service as audit
from ..extensions import db, limiter
from ..util import local_path
from . import gate, service
from . import limits as limits_service
from .access import admin_required, managed_campaigns
from .forms import (
    CodeForm,
    EmptyForm,
    InviteForm,
    LimitSettingsForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    ResetRequestForm,
    TotpSetupForm,
)
from .models import User

bp = Blueprint("organizers", __name__, url_prefix="/organize")

_PENDING_2FA_SECONDS = 300
# Wrong codes one pending login may try before the password must be typed again (the
# account also counts them, whatever the address: service.check_second_factor).
_PENDING_2FA_TRIES = 3
DEVICE_COOKIE = "kjc_device"


def _login_limit() -> str:
    return cast(str, current_app.config["LOGIN_RATE_LIMIT"])


# The console's checks (login, 2FA, idle and absolute expiry, CSRF) are not here: they are
# applied once to all of /organize/ by gate.py.


def _start_session(user: User, *, mfa: bool) -> ResponseReturnValue:
    target: Any = session.get("next_after_login")  # a path only once local_path accepts it
    gate.begin_session(user, mfa=mfa)
    service.logged_in(user)
    if not (local_path(target) and gate.in_console(target)):
        target = url_for("organizers.dashboard")
    response = redirect(target)
    # This browser is now known: a lock from someone else's guessing does not shut it out.
    response.set_cookie(DEVICE_COOKIE, service.device_token_for(user),
                        max_age=service.DEVICE_MAX_AGE_DAYS * 24 * 3600, path="/organize/",
                        httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if request.method == "GET" and request.args.get("next"):
        session["next_after_login"] = request.args["next"]
    if form.validate_on_submit():
        _outcome, user = service.authenticate(form.email.data, form.password.data,
                                              request.cookies.get(DEVICE_COOKIE))
        if user is None:
            # One answer for a wrong password, an unknown address and a locked account:
            # the lock must not tell a stranger that an account exists.
            form.password.errors.append(_(
                "The e-mail address or password is wrong, or the account is locked for a "
                "while after too many wrong passwords. Use a browser you logged in with "
                "before, try again later or reset your password."))
        elif user.totp_secret:
            session["2fa_user"], session["2fa_at"] = user.id, int(time.time())
            session["2fa_tries"] = 0
            return redirect(url_for("organizers.login_2fa"))
        else:
            return _start_session(user, mfa=False)
    return render_template("organizers/login.html", form=form), 422 if form.errors else 200


@bp.route("/login/2fa", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login_2fa() -> ResponseReturnValue:
    user_id, started = session.get("2fa_user"), session.get("2fa_at", 0)
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or time.time() - started > _PENDING_2FA_SECONDS:
        session.pop("2fa_user", None)
        return redirect(url_for("organizers.login"))
    form = CodeForm()
    if form.validate_on_submit():
        outcome = service.check_second_factor(user, form.code.data)
        if outcome is service.SecondFactor.OK:
            return _start_session(user, mfa=True)
        session["2fa_tries"] = session.get("2fa_tries", 0) + 1
        if outcome is service.SecondFactor.LOCKED or session["2fa_tries"] >= _PENDING_2FA_TRIES:
            for name in ("2fa_user", "2fa_at", "2fa_tries"):
                session.pop(name, None)
            flash(_("Too many wrong codes. Please log in again, later if this keeps "
                    "happening."))
            return redirect(url_for("organizers.login"))
        form.code.errors.append(_("That code is not right. Use the current code from your "
                                  "authenticator app, or one of your recovery codes."))
    return render_template("organizers/login_2fa.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    # Logging out ends every session of the account, so a copy of this session's cookie
    # (saved before logout, on a shared computer) is worthless too.
    if current_user.is_authenticated:
        service.end_all_sessions(current_user)
        db.session.commit()
    gate.end_session()
    return redirect(url_for("organizers.login"))


@bp.post("/logout-everywhere")
def logout_everywhere() -> ResponseReturnValue:
    service.log_out_everywhere(current_user)
    gate.end_session()
    flash(_("Every session of your account has ended. Please log in again."))
    return redirect(url_for("organizers.login"))


def _show_recovery_codes(codes: list[str]) -> ResponseReturnValue:
    # Post/redirect/get: the codes ride in this browser's session for one page view, are
    # shown once (never cached) and then exist only as hashes.
    session["recovery_codes"] = codes
    return redirect(url_for("organizers.recovery_codes"))


@bp.route("/2fa", methods=["GET", "POST"])
def totp_setup() -> ResponseReturnValue:
    form = TotpSetupForm()
    secret = service.pending_totp_secret(current_user)
    if form.validate_on_submit():
        codes = service.enable_totp(current_user, form.code.data)
        if codes is not None:
            # Other sessions ended; this browser proved the new factor and goes on.
            gate.begin_session(current_user, mfa=True)
            flash(_("Two-factor authentication is on."))
            return _show_recovery_codes(codes)
        form.code.errors.append(_("That code is not right. Scan the QR code again and enter "
                                  "the current code."))
    uri = service.totp_uri(current_user, secret)
    return render_template(
        "organizers/totp_setup.html", form=form, secret=secret, qr_svg=service.qr_svg(uri),
        codes_left=service.recovery_codes_left(current_user) if current_user.totp_secret
        else None, action_form=EmptyForm()), 422 if form.errors else 200, {
        "Cache-Control": "no-store"}


@bp.route("/2fa/recovery-codes", methods=["GET", "POST"])
def recovery_codes() -> ResponseReturnValue:
    if not current_user.totp_secret:
        abort(404)
    if request.method == "POST":
        return _show_recovery_codes(service.new_recovery_codes(current_user))
    codes = session.pop("recovery_codes", None)
    if not codes:
        return redirect(url_for("organizers.totp_setup"))
    return render_template("organizers/recovery_codes.html", codes=codes), 200, {
        "Cache-Control": "no-store"}


def _password_page(user: User, form: PasswordForm, title: object,
                   finish: Callable[[User, str], object]) -> ResponseReturnValue:
    if form.validate_on_submit():
        try:
            finish(user, form.password.data)
        except service.AccountError:
            form.password.errors.append(_("The password must have 10 to 200 characters."))
        else:
            flash(_("Your password is set. Please log in."))
            return redirect(url_for("organizers.login"))
    return render_template("organizers/password.html", form=form, title=title,
                           email=user.email), 422 if form.errors else 200


@bp.route("/profile", methods=["GET", "POST"])
def profile() -> ResponseReturnValue:
    """The organizer's own name (it signs cover letters), e-mail and password."""
    form = ProfileForm(obj=None if request.method == "POST" else current_user)
    if form.validate_on_submit():
        try:
            password_changed = service.update_profile(
                current_user, name=form.name.data, email=form.email.data,
                current_password=form.current_password.data or "",
                new_password=form.new_password.data or "")
        except service.AccountError as error:
            message = {"current_password": _("The current password is wrong."),
                       "email_taken": _("Another account uses this e-mail address.")}
            field = form.email if str(error) == "email_taken" else form.current_password
            field.errors = [message.get(str(error), _("The password must have 10 to 200 "
                                                      "characters."))]
        else:
            if password_changed:  # every session of the account ended; this one too
                gate.end_session()
                flash(_("Your password is set. Please log in."))
                return redirect(url_for("organizers.login"))
            flash(_("Your profile is saved."))
            return redirect(url_for("organizers.profile"), code=303)
    return render_template("organizers/profile.html", form=form), 422 if form.errors else 200


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str) -> ResponseReturnValue:
    user = service.invitation_user(token)
    if user is None:
        return render_template("organizers/link_problem.html"), 404
    return _password_page(user, PasswordForm(), _l("Welcome: choose your password"),
                          service.accept_invite)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def request_reset() -> ResponseReturnValue:
    form = ResetRequestForm()
    if form.validate_on_submit():
        service.request_reset(form.email.data, lang=i18n.current_language())
        # The same answer whether or not the account exists.
        flash(_("If an account has this address, we have sent it a link."))
        return redirect(url_for("organizers.login"))
    return render_template("organizers/reset_request.html", form=form), \
        422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    user = service.reset_user(token)
    if user is None:
        return render_template("organizers/link_problem.html"), 404
    return _password_page(user, PasswordForm(), _l("Choose a new password"),
                          service.reset_password)


@bp.get("/")
def dashboard() -> ResponseReturnValue:
    return render_template("organizers/dashboard.html", campaigns=managed_campaigns(current_user))


# --- admin: accounts and the audit log -------------------------------------------------------

@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users() -> ResponseReturnValue:
    form = InviteForm()
    if form.validate_on_submit():
        try:
            service.invite(current_user, form.email.data, role=form.role.data,
                           name=form.name.data or "", lang=i18n.current_language())
        except service.AccountError:
            form.email.errors.append(_("An account with this address exists already."))
        else:
            flash(_("Invitation sent to %(email)s.", email=form.email.data))
            return redirect(url_for("organizers.users"))
    return render_template("organizers/users.html", form=form, users=service.all_users(),
                           action_form=EmptyForm()), 422 if form.errors else 200


_USER_ACTIONS = {
    "disable": lambda actor, user: service.set_active(actor, user, False),
    "enable": lambda actor, user: service.set_active(actor, user, True),
    "require-2fa": lambda actor, user: service.set_totp_required(actor, user, True),
    "optional-2fa": lambda actor, user: service.set_totp_required(actor, user, False),
    "reset-2fa": service.reset_totp,
    "unlock": service.unlock,
}


@bp.post("/users/<int:user_id>/<action>")
@admin_required
def user_action(user_id: int, action: str) -> ResponseReturnValue:
    user = db.session.get(User, user_id)
    if user is None or action not in _USER_ACTIONS:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id and action == "disable":
        flash(_("You cannot disable your own account."))
    else:
        _USER_ACTIONS[action](current_user, user)
        flash(_("Done."))
    return redirect(url_for("organizers.users"))


_MAX_ID = 2**31 - 1  # larger cursors are not ids: ignored, never a database error


@bp.get("/audit")
@admin_required
def audit_log() -> ResponseReturnValue:
    before = request.args.get("before", type=int)
    flt = audit.AuditFilter.from_args(request.args)
    entries = audit.entries(before_id=before if before and 0 < before <= _MAX_ID else None,
                            limit=100, flt=flt)
    query = {k: v for k, v in (("campaign", flt.campaign_id), ("person", flt.person),
                               ("kind", flt.kind)) if v}
    return render_template("organizers/audit.html", entries=entries, flt=flt, query=query,
                           kinds=audit.kinds(), campaigns=managed_campaigns(current_user),
                           next_before=entries[-1].id if len(entries) == 100 else None)


@bp.get("/audit.csv")
@admin_required
def audit_export() -> ResponseReturnValue:
    flt = audit.AuditFilter.from_args(request.args)
    audit.record(current_user, "audit.export", campaign_id=flt.campaign_id,
                 person=flt.person or None, kind=flt.kind or None)
    db.session.commit()
    return current_app.response_class(
        stream_with_context(audit.export_csv(flt)), mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"',
                 "Cache-Control": "no-store"})


@bp.route("/limits", methods=["GET", "POST"])
@admin_required  # one setting for every campaign: admins only
def limits() -> ResponseReturnValue:
    """Rate limits for signing and allow-listed networks: changed here, no redeploy."""
    row = limits_service.limit_settings()
    form = LimitSettingsForm(obj=row)
    if form.validate_on_submit():
        changes = limits_service.save_limit_settings(current_user, {
            name: getattr(form, name).data for name in limits_service.LIMIT_FIELDS})
        flash(_("Rate limits saved.") if changes else _("Nothing changed."))
        return redirect(url_for("organizers.limits"), code=303)
    return render_template("abuse/limits.html", form=form, row=row,
                           defaults=limits_service.default_limits()), 422 if form.errors else 200
