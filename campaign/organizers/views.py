"""Console accounts: login (with lock-out, rate limit, two-factor), invitations, resets,
the dashboard, and the admin pages for accounts and the audit log."""
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from .. import i18n
from ..audit import service as audit
from ..extensions import db, limiter
from . import service
from .access import admin_required, managed_campaigns
from .forms import (
    CodeForm,
    EmptyForm,
    InviteForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    ResetRequestForm,
    TotpSetupForm,
)
from .models import User

bp = Blueprint("organizers", __name__, url_prefix="/organize")

# Pages reachable while logged in but before a required two-factor set-up is done.
_SETUP_ENDPOINTS = {"organizers.totp_setup", "organizers.logout"}
_PENDING_2FA_SECONDS = 300


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.before_request
def _session_rules():
    """Idle sessions end; a user who must set up two-factor does that first."""
    if not current_user.is_authenticated:
        return None
    now = int(time.time())
    seen = session.get("seen", now)
    if now - seen > current_app.config["SESSION_IDLE_MINUTES"] * 60:
        logout_user()
        _clear_session()
        flash(_("You were logged out after a time without activity."))
        return redirect(url_for("organizers.login", next=request.path))
    session["seen"] = now
    if service.needs_2fa_setup(current_user) and request.endpoint not in _SETUP_ENDPOINTS:
        return redirect(url_for("organizers.totp_setup"))
    return None


def _clear_session():
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF caches the token in g; the new session needs one


def _start_session(user: User):
    target = session.get("next_after_login")
    _clear_session()  # a fresh session on login: nothing carried over from before
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
    login_user(user)
    session["seen"] = int(time.time())
    service.logged_in(user)
    if target and target.startswith("/organize/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("organizers.dashboard"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "GET" and request.args.get("next"):
        session["next_after_login"] = request.args["next"]
    if form.validate_on_submit():
        outcome, user = service.authenticate(form.email.data, form.password.data)
        if outcome is service.LoginOutcome.LOCKED:
            form.password.errors.append(_(
                "Too many wrong passwords: this account is locked for a while. Try again "
                "later or reset your password."))
        elif user is None:
            form.password.errors.append(_("The e-mail address or password is wrong."))
        elif user.totp_secret:
            session["2fa_user"], session["2fa_at"] = user.id, int(time.time())
            return redirect(url_for("organizers.login_2fa"))
        else:
            return _start_session(user)
    return render_template("organizers/login.html", form=form), 422 if form.errors else 200


@bp.route("/login/2fa", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login_2fa():
    user_id, started = session.get("2fa_user"), session.get("2fa_at", 0)
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or time.time() - started > _PENDING_2FA_SECONDS:
        session.pop("2fa_user", None)
        return redirect(url_for("organizers.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if service.check_totp(user, form.code.data):
            return _start_session(user)
        form.code.errors.append(_("That code is not right. Use the current code from your "
                                  "authenticator app."))
    return render_template("organizers/login_2fa.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    _clear_session()
    return redirect(url_for("organizers.login"))


@bp.route("/2fa", methods=["GET", "POST"])
@login_required
def totp_setup():
    form = TotpSetupForm()
    if request.method == "GET" or not form.secret.data:
        form.secret.data = service.new_totp_secret()
    secret = form.secret.data
    if form.validate_on_submit():
        if service.enable_totp(current_user, secret, form.code.data):
            flash(_("Two-factor authentication is on."))
            return redirect(url_for("organizers.dashboard"))
        form.code.errors.append(_("That code is not right. Scan the QR code again and enter "
                                  "the current code."))
    uri = service.totp_uri(current_user, secret)
    return render_template("organizers/totp_setup.html", form=form, secret=secret,
                           qr_svg=service.qr_svg(uri)), 422 if form.errors else 200


def _password_page(user, form, title, finish):
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
@login_required
def profile():
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
            if password_changed:
                logout_user()
                _clear_session()
                flash(_("Your password is set. Please log in."))
                return redirect(url_for("organizers.login"))
            flash(_("Your profile is saved."))
            return redirect(url_for("organizers.profile"), code=303)
    return render_template("organizers/profile.html", form=form), 422 if form.errors else 200


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token):
    user = service.invitation_user(token)
    if user is None:
        return render_template("organizers/link_problem.html"), 404
    return _password_page(user, PasswordForm(), _l("Welcome: choose your password"),
                          service.accept_invite)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        service.request_reset(form.email.data, lang=i18n.current_language())
        # The same answer whether or not the account exists.
        flash(_("If an account has this address, we have sent it a link."))
        return redirect(url_for("organizers.login"))
    return render_template("organizers/reset_request.html", form=form), \
        422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    user = service.reset_user(token)
    if user is None:
        return render_template("organizers/link_problem.html"), 404
    return _password_page(user, PasswordForm(), _l("Choose a new password"),
                          service.reset_password)


@bp.get("/")
@login_required
def dashboard():
    return render_template("organizers/dashboard.html", campaigns=managed_campaigns(current_user))


# --- admin: accounts and the audit log -------------------------------------------------------

@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
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
def user_action(user_id, action):
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


@bp.get("/audit")
@admin_required
def audit_log():
    before = request.args.get("before", type=int)
    entries = audit.entries(before_id=before, limit=100)
    return render_template("organizers/audit.html", entries=entries,
                           next_before=entries[-1].id if len(entries) == 100 else None)



