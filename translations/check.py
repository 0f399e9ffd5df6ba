#!/usr/bin/env python
"""Extract, update, compile and check the interface catalogs (see docs/i18n.md).

    python translations/check.py extract   # code + templates -> translations/messages.pot
    python translations/check.py update    # extract, then merge new ids into every .po
    python translations/check.py compile   # every .po -> .mo (what the app loads)
    python translations/check.py           # check; exit status 1 and a list when wrong

The check fails when: messages.pot is out of date with the code; a .po's ids differ from the
.pot; an entry is untranslated, fuzzy, or its placeholders differ from the msgid's; a plural
entry lacks a form; a .mo is missing or differs from what its .po compiles to. It is the same
function the test suite runs (tests/i18n/test_catalogs.py), so CI can call either.
"""
from __future__ import annotations

import gettext
import io
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POT = HERE / "messages.pot"
DOMAIN = "messages"
# `.*` skips .venv/.git; the default filter would also skip `_layout` (e-mail layouts).
EXTRACT = ["extract", "-F", str(HERE / "babel.cfg"), "-k", "_l",
           "--ignore-dirs=.* __pycache__ node_modules",
           "--project=Korday Justice Campaign", "--copyright-holder=Korday Justice Campaign",
           "--msgid-bugs-address=campaign@localhost", "--sort-by-file"]
PLACEHOLDER = re.compile(r"%(?:\([A-Za-z_]\w*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


def pybabel(*args: str, quiet: bool = False) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL if quiet else None,
                   stderr=subprocess.DEVNULL if quiet else None)


def extract(output: Path = POT, quiet: bool = False) -> None:
    pybabel(*EXTRACT, "-o", str(output), ".", quiet=quiet)


def po_files(root: Path = HERE) -> dict[str, Path]:
    """{language code: .po path}; directory names are the site's language codes (zh, dng)."""
    return {path.parent.parent.name: path
            for path in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))}


def _read(path: Path, locale: str | None = None):
    with path.open("rb") as fp:
        return read_po(fp, locale=locale)


def _ids(catalog) -> set:
    return {message.id if isinstance(message.id, str) else tuple(message.id)
            for message in catalog if message.id}


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text or ""))


def _compiled(po_path: Path) -> dict:
    """What the .po compiles to, as gettext reads it (fuzzy entries left out, as pybabel)."""
    buffer = io.BytesIO()
    write_mo(buffer, _read(po_path))
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)._catalog


def catalog_problems(translations: Path = HERE, pot: Path = POT) -> list[str]:
    """Problems of the .po files against the .pot, and of each .mo against its .po."""
    problems = []
    template_ids = _ids(_read(pot))
    for code, po_path in po_files(translations).items():
        catalog = _read(po_path)
        ids = _ids(catalog)
        for missing in sorted(map(str, template_ids - ids)):
            problems.append(f"{code}: missing from .po (run update): {missing!r}")
        for extra in sorted(map(str, ids - template_ids)):
            problems.append(f"{code}: not in messages.pot (run update): {extra!r}")
        for message in catalog:
            if not message.id:
                continue
            label = f"{code}: {message.id if isinstance(message.id, str) else message.id[0]!r}"
            if message.fuzzy:
                problems.append(f"{label} is fuzzy")
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if isinstance(message.id, tuple | list) and len(strings) != catalog.num_plurals:
                problems.append(f"{label} has {len(strings)} plural forms, needs "
                                f"{catalog.num_plurals}")
            if not all(strings):
                problems.append(f"{label} is untranslated")
                continue
            wanted = _placeholders(message.id if isinstance(message.id, str) else message.id[1])
            for string in strings:
                if set(_placeholders(string)) - set(wanted) or (
                        not isinstance(message.id, tuple | list)
                        and _placeholders(string) != wanted):
                    problems.append(f"{label}: placeholders {_placeholders(string)} differ "
                                    f"from the msgid's {wanted}")
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.is_file():
            problems.append(f"{code}: {mo_path.relative_to(translations.parent)} is missing "
                            "(run: pybabel compile -d translations)")
        else:
            with mo_path.open("rb") as fp:
                loaded = gettext.GNUTranslations(fp)._catalog
            if loaded != _compiled(po_path):
                problems.append(f"{code}: {mo_path.name} is stale, older than its .po "
                                "(run: pybabel compile -d translations)")
    return problems


def pot_problems(pot: Path = POT) -> list[str]:
    """Ids in the code that messages.pot lacks, and ids it has that the code no longer uses."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh.pot"
        extract(fresh, quiet=True)
        in_code, in_pot = _ids(_read(fresh)), _ids(_read(pot))
    return ([f"messages.pot lacks {i!r} (run: python translations/check.py update)"
             for i in sorted(map(str, in_code - in_pot))]
            + [f"messages.pot has unused {i!r} (run: python translations/check.py update)"
               for i in sorted(map(str, in_pot - in_code))])


def problems() -> list[str]:
    return pot_problems() + catalog_problems()


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "extract":
        extract()
    elif command == "update":
        extract()
        pybabel("update", "-i", str(POT), "-d", str(HERE), "-D", DOMAIN, "--ignore-obsolete")
    elif command == "compile":
        pybabel("compile", "-d", str(HERE), "-D", DOMAIN, "--statistics")
    elif command == "check":
        found = problems()
        for problem in found:
            print(problem)
        print(f"{len(found)} problem(s)" if found else "catalogs OK")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
