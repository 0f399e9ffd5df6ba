"""Static files the browser keeps: URLs carry a hash of the file (`?v=...`), and a request
with the current hash is answered with a one-year, immutable Cache-Control. A changed file
gets a new URL, so nobody keeps a stale copy."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

ONE_YEAR = 365 * 24 * 3600


@lru_cache(maxsize=256)
def _file_hash(folder: str, filename: str, mtime_ns: int) -> str | None:
    try:
        data = (Path(folder) / filename).read_bytes()
    except OSError:
        return None
    return hashlib.blake2b(data, digest_size=6).hexdigest()


def file_version(app: Flask, filename: str) -> str | None:
    assert app.static_folder is not None
    path = Path(app.static_folder) / filename
    try:
        mtime = path.stat().st_mtime_ns  # part of the key: an edited file is hashed again
    except OSError:
        return None
    return _file_hash(app.static_folder, filename, mtime)


def init_app(app: Flask) -> None:
    @app.url_defaults
    def _static_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = file_version(app, values["filename"])
            if version:
                values["v"] = version

    default_max_age = app.get_send_file_max_age

    def get_send_file_max_age(filename: str | None) -> int | None:
        if filename and request.args.get("v") and \
                request.args["v"] == file_version(app, filename):
            return ONE_YEAR
        return default_max_age(filename)

    app.get_send_file_max_age = get_send_file_max_age  # type: ignore[method-assign]  # on purpose: per-app override

    @app.after_request
    def _immutable(response: Response) -> Response:
        if request.endpoint == "static" and response.cache_control.max_age == ONE_YEAR:
            response.cache_control.immutable = True
        return response
