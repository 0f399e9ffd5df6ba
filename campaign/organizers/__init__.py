"""Organizers: accounts and their membership in campaigns (the console grows here)."""
