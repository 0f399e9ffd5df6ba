"""Audit log: who did what in the organizer console, and when."""
