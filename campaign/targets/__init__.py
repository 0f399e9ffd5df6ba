"""Targets: the institutions a campaign writes to, each fact with its source."""
