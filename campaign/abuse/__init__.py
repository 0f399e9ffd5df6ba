"""Abuse resistance: rate limits, bot traps, disposable addresses, velocity alarms, invalidation.

Reusable by any feature that takes input from the public (signing, letters, ...).
"""
