"""Time and peak memory of building a delivery dossier for big campaigns (not run by tests).

    .venv/bin/python bench/dossier.py --database-url postgresql://... --wipe [--sizes 10000,1000000]

For each size it empties the database, loads the demo, seeds that many confirmed signatures
(`flask bench seed`, COPY on PostgreSQL) and runs `flask letters dossier` in a fresh process,
which prints the build's seconds, the PDF's size and the process's peak RSS. The machine's
load average is printed beside each figure (others may share the machine). SQLite works too
(without --database-url), but seeding a million rows into it takes a while.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import Site, log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--wipe", action="store_true")
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--locale", default="ru")
    args = parser.parse_args()
    args.workers, args.threads = 1, 1
    results = []
    for size in (int(part) for part in args.sizes.split(",")):
        site = Site(args)
        args.wipe = True  # the next size starts from an empty database again
        log(f"{size}: preparing the database")
        site.prepare_database()
        seeded = site.flask_json("bench", "seed", "--signatures", str(size))
        log(f"{size}: seeded in {seeded['seconds']} s; building the dossier")
        out = Path(tempfile.mkdtemp()) / "dossier.pdf"
        built = site.flask_json("letters", "dossier", "korday-sentences-review", "--locale",
                                args.locale, "--to", "sr_minority_issues", "--to", "osce_hcnm",
                                "--signed-by", "Bench Organizer", "-o", str(out))
        built["load_average"] = [round(x, 2) for x in os.getloadavg()]
        built["pages"] = _pages(out)
        results.append(built)
        log(json.dumps(built))
    print(json.dumps({"database": site.kind, "results": results}, indent=2))


def _pages(path: Path) -> int:
    from pypdf import PdfReader
    return len(PdfReader(str(path)).pages)


if __name__ == "__main__":
    main()
