from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from . import service
from .access import campaign_access, managed_campaigns
from .forms import LoginForm

bp = Blueprint("organizers", __name__, url_prefix="/organize")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.email.data, form.password.data)
        if user:
            login_user(user)
            return redirect(url_for("organizers.dashboard"))
        form.password.errors.append(_("The e-mail address or password is wrong."))
    return render_template("organizers/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("organizers.login"))


@bp.get("/")
@login_required
def dashboard():
    return render_template("organizers/dashboard.html", campaigns=managed_campaigns(current_user))


@bp.get("/c/<slug>/")
@campaign_access
def campaign_home(campaign):
    return render_template("organizers/campaign.html", campaign=campaign)
