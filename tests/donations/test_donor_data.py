"""A donor's name and address are part of the data the privacy link copies and deletes;
the amounts stay so the money received still adds up."""
from decimal import Decimal

from campaign.donations import service as donations
from campaign.donations.models import Donation
from campaign.donations.money import Money
from campaign.extensions import db
from campaign.privacy import service as privacy
from tests.factories import make_campaign


def test_donations_are_exported_and_anonymised(app):
    campaign = make_campaign()
    gift = donations.record_offline(campaign, amount=Money(Decimal(40), "EUR"),
                                    received=True, donor_name="Dana K", public=True,
                                    note=None)
    gift.email = "dana@example.org"
    db.session.commit()
    key = privacy.email_key_of("DANA@example.org")
    assert privacy.holds_data(key)

    [exported] = privacy.export(key)["donations"]
    assert exported["name"] == "Dana K" and exported["amount"] == "40.00"

    assert privacy.erase(key)["donations"] == 1
    db.session.expire_all()
    kept = db.session.get(Donation, gift.id)
    assert (kept.donor_name, kept.email, kept.public) == (None, None, False)
    assert donations.raised_by_currency(campaign.id)["EUR"].amount == Decimal(40)
    assert donations.donor_wall(campaign.id) == []
    assert not privacy.holds_data(key)
