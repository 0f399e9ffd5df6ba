"""Petitions: signing, confirming by e-mail, unsubscribing and removing a signature."""
