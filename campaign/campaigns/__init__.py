"""Campaigns: what a campaign is, its text in each language, and its signature counter."""
