"""Console pages a feature owns, mounted in the console shell.

A feature (petitions, and organizers' own campaign pages) collects its campaign pages on a
`ConsolePages` and mounts them from its `init_app`. They get URLs under /organize and
endpoints in the `organizers.` namespace, so the shell's session rules (the organizers
blueprint's before_request: idle expiry, two-factor set-up) apply to them as to every
console page, and url_for names stay what they were when the pages lived in organizers/.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from .views import bp

URL_PREFIX = bp.url_prefix or "/organize"


class ConsolePages:
    """Routes collected by decorators, added to an app by `init_app` (once per app)."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, str, Callable[..., Any], dict[str, Any]]] = []

    def route(self, rule: str, **options: Any) -> Callable[[Callable[..., Any]],
                                                           Callable[..., Any]]:
        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            endpoint = options.pop("endpoint", view.__name__)
            self._routes.append((rule, endpoint, view, options))
            return view
        return decorator

    def get(self, rule: str, **options: Any) -> Callable[[Callable[..., Any]],
                                                         Callable[..., Any]]:
        return self.route(rule, methods=["GET"], **options)

    def post(self, rule: str, **options: Any) -> Callable[[Callable[..., Any]],
                                                          Callable[..., Any]]:
        return self.route(rule, methods=["POST"], **options)

    def init_app(self, app: Flask) -> None:
        for rule, endpoint, view, options in self._routes:
            app.add_url_rule(URL_PREFIX + rule, endpoint=f"{bp.name}.{endpoint}",
                             view_func=view, **options)


def render_page(template: str, campaign: object, status: int = 200, **context: Any
                ) -> tuple[str, int]:
    """A campaign's console page: the shell's layout with the registered tabs."""
    from flask import render_template

    from . import registry
    return render_template(template, campaign=campaign, tabs=registry.tabs(),
                           **context), status
