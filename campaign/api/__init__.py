"""The JSON API under /api/v1: open campaign data, and an OSDI-shaped organizer API."""
