"""What a supporter can do after signing: shown on the thank-you page and in the thank-you
e-mail, in the signer's language.

Features offer a step (letters: write to the institutions; donations: give to the legal-aid
fund) by registering a function, as the campaign page's sections do, so `petitions` shows
them without importing those features. Steps build absolute URLs without a request (the
e-mail is written by a service), so they work on the page and in mail alike.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from .models import Campaign


@dataclass(frozen=True)
class NextStep:
    name: str      # stable key, used in CSS classes and tests
    title: str     # what to do, in the reader's language
    text: str      # one sentence why
    url: str       # absolute


def register_next_step(app: Flask, name: str, order: int,
                       build: Callable[[Campaign, str], NextStep | None]) -> None:
    """Called from a feature's init_app (letters, donations)."""
    app.extensions.setdefault("next_steps", {})[name] = (order, build)


def next_steps(campaign: Campaign, lang: str) -> list[NextStep]:
    """The steps that apply to this campaign now (call inside the reader's language)."""
    steps = []
    registered = current_app.extensions.get("next_steps", {})
    for _order, build in sorted(registered.values(), key=lambda item: item[0]):
        step = build(campaign, lang)
        if step is not None:
            steps.append(step)
    return steps
