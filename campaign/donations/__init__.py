"""Donations for legal aid: Stripe Checkout (webhooks are the source of truth) and offline gifts."""
