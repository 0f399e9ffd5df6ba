"""Starting letter templates for a campaign that has none yet (organizers edit them)."""
from __future__ import annotations

from .cover_defaults import COVER_TEMPLATES

DEFAULT_TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "letter": {
        "en": (
            "{{ campaign_title }}",
            ("Dear {{ target_name }},\n\n"
            "I am writing about the Dungans convicted after the violence in Korday district, "
            "Kazakhstan, on the night of 7-8 February 2020. I ask you to press for an "
            "independent, public review of their sentences and for fair-trial guarantees.\n\n"
            "{{ signature_count }} people have signed the petition “{{ campaign_title }}”.\n\n"
            "Yours sincerely,\n{{ supporter_name }}\n{{ supporter_place }}\n{{ date }}\n")),
        "ru": (
            "{{ campaign_title }}",
            ("Уважаемые {{ target_name }}!\n\n"
            "Я пишу вам о дунганах, осуждённых после насилия в Кордайском районе Казахстана "
            "в ночь с 7 на 8 февраля 2020 года. Прошу вас добиваться независимого и открытого "
            "пересмотра их приговоров и гарантий справедливого суда.\n\n"
            "Петицию «{{ campaign_title }}» подписали {{ signature_count }} человек.\n\n"
            "С уважением,\n{{ supporter_name }}\n{{ supporter_place }}\n{{ date }}\n")),
    },
    # Cover letters live in cover_defaults.py (one per site language).
    "cover": COVER_TEMPLATES,
}
