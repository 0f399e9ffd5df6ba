"""Abuse resistance for every public form: rate limits, bot traps, disposable addresses.

Reusable by any feature that takes input from the public (signing, letters, ...), so it
imports no feature. Velocity alarms and batch invalidation of signatures are petitions'
(petitions/console/safety.py).
"""
