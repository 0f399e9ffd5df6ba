"""The JSON API under /api/v1 (this slice: a campaign's live count)."""
