"""Make the pictures of the delivery dossier in this folder (one PNG per page and language).

    .venv/bin/python docs/dossier/make_pictures.py [--langs en,ru,zh] [--keep-pdf DIR]

A throw-away SQLite site in a temporary folder: the demo content (`campaign.demo.load_demo`),
400 confirmed signatures from several countries over several months, some with comments and
some in Cyrillic, Kazakh and Chinese names; then `letters.delivery.build_dossier` for each
language, addressed to the demo's preselected institutions and signed by "Dana Example", and
`pdftoppm -png -r 60` (poppler-utils) for each page. Old pictures of those languages are
removed first, so a shorter dossier leaves no stale page behind.
"""
from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

SIGNATURES = 400
COUNTRIES = ("KZ", "KG", "RU", "DE", "FR", "US", "CN", "GB", "NL", "TR", "UZ", "PL")
NAMES = ("Әсел Құрманғазиева", "Нурлан Абдыкалыков", "Marie Dupont", "王小明", "Jonas Weber",
         "Ольга Петрова", "Айгүл Серікқызы", "李华", "Emma Johnson", "Тимур Исаев",
         "Chloé Martin", "Бакыт Осмонов")
COMMENTS = ("Әділдік керек!", "Требуем справедливого пересмотра дела.", "要求公正复审。",
            "Justice for the families of Masanchi.", "Nous soutenons cette demande.",
            "Die Opfer verdienen ein faires Verfahren.", None, None, None, None)


def _seed(campaign_id: int) -> None:
    from campaign.extensions import db
    from campaign.petitions import lifecycle
    from campaign.petitions.models import Signature
    from campaign.util import utcnow

    rng = random.Random(13)
    now = utcnow()
    rows = []
    for number in range(SIGNATURES):
        name = f"{rng.choice(NAMES)} {number}"
        rows.append(Signature(
            full_name=name, email=f"signer{number}@example.org",
            email_key=f"signer{number}@example.org", country=rng.choice(COUNTRIES),
            locale=rng.choice(("en", "ru", "kk", "zh")), comment=rng.choice(COMMENTS),
            display=rng.choice(("full", "full", "initial", "anonymous")),
            confirmed_at=now - timedelta(days=rng.randrange(0, 150), minutes=number)))
    lifecycle.add_new(campaign_id, rows, confirmed=True)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langs", default="en,ru,zh")
    parser.add_argument("--keep-pdf", type=Path, help="Also write the PDFs to this folder.")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from campaign import create_app
    from campaign.demo import load_demo
    from campaign.letters import delivery, service

    folder = Path(tempfile.mkdtemp(prefix="dossier-pictures-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'site.db'}",
                      "SECRET_KEY": "pictures-only", "SITE_URL": "https://korday.example.org",
                      "MAIL_TRANSPORT": "memory"}, instance_path=str(folder / "instance"))
    try:
        with app.app_context():
            upgrade()
            loaded = load_demo()
            assert loaded is not None
            campaign = loaded[0]
            _seed(campaign.id)
            targets = [target for target, preselected in service.offered_targets(campaign)
                       if preselected]
            for lang in args.langs.split(","):
                pdf, _facts = delivery.build_dossier(campaign, lang, targets=targets,
                                                     signed_by="Dana Example")
                path = folder / f"{lang}.pdf"
                path.write_bytes(pdf)
                if args.keep_pdf:
                    args.keep_pdf.mkdir(parents=True, exist_ok=True)
                    shutil.copy(path, args.keep_pdf / path.name)
                for old in args.out.glob(f"{lang}-*.png"):
                    old.unlink()
                subprocess.run(["pdftoppm", "-png", "-r", "60", str(path),
                                str(args.out / lang)], check=True)
                # pdftoppm numbers pages with as many digits as the last needs ("en-01"):
                # keep the names short and stable ("en-1").
                for picture in args.out.glob(f"{lang}-*.png"):
                    number = picture.stem.split("-")[-1]
                    picture.rename(args.out / f"{lang}-{int(number)}.png")
                pages = len(list(args.out.glob(f"{lang}-*.png")))
                sys.stdout.write(f"{lang}: {len(pdf)} bytes, {pages} pages\n")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
