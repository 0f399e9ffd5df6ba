"""The lock files pin the whole tree: every direct requirement at its pinned version, and
every dependency of a locked package locked too (so `pip install -r requirements*.lock`
installs nothing unpinned)."""
from __future__ import annotations

import importlib.util
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("lock", ROOT / ".ci" / "lock.py")
lock = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lock)


def _locked(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        if line and not line.startswith("#"):
            package, version = line.split("==")
            pins[canonicalize_name(package)] = version
    return pins


@pytest.mark.parametrize(("source", "locked"), [("requirements.txt", "requirements.lock"),
                                                ("requirements-dev.txt",
                                                 "requirements-dev.lock")])
def test_the_lock_holds_every_direct_pin_and_is_closed(source, locked):
    pins = _locked(locked)
    for requirement in lock.top_level(ROOT / source):
        specifier = str(requirement.specifier)
        assert specifier.startswith("=="), f"{requirement} is not pinned in {source}"
        assert pins.get(canonicalize_name(requirement.name)) == specifier[2:], requirement
    environment = default_environment()
    for name in pins:
        for text in metadata.distribution(name).requires or []:
            child = Requirement(text)
            if child.marker and not child.marker.evaluate(dict(environment, extra="")):
                continue
            assert canonicalize_name(child.name) in pins, f"{name} needs {child.name}"


def test_the_runtime_lock_is_part_of_the_dev_lock():
    runtime, dev = _locked("requirements.lock"), _locked("requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime
