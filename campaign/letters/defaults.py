"""Starting letter templates for a campaign that has none yet (organizers edit them)."""
from __future__ import annotations

from .cover_defaults import COVER_TEMPLATES

DEFAULT_TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    # Supporters' letters: only the text. The site writes the institution's name, the date
    # and the greeting above it and the supporter's name and place below it, in the letter's
    # language (service.compose), so nothing here waits to be filled in by hand.
    "letter": {
        "en": (
            "{{ campaign_title }}",
            ("I am writing about the Dungans convicted after the violence in Korday district, "
             "Kazakhstan, on the night of 7-8 February 2020. I ask you to press for an "
             "independent, public review of their sentences and for fair-trial guarantees.\n\n"
             "Signatures to the petition “{{ campaign_title }}” so far: {{ signature_count }}.")),
        "ru": (
            "{{ campaign_title }}",
            ("Я пишу вам о дунганах, осуждённых после насилия в Кордайском районе Казахстана "
             "в ночь с 7 на 8 февраля 2020 года. Прошу вас добиваться независимого и открытого "
             "пересмотра их приговоров и гарантий справедливого суда.\n\n"
             "Число подписей под петицией «{{ campaign_title }}» на сегодня: "
             "{{ signature_count }}.")),
        "kk": (
            "{{ campaign_title }}",
            ("Мен сізге 2020 жылғы 7-ден 8 ақпанға қараған түні Қазақстанның Қордай ауданында "
             "болған зорлық-зомбылықтан кейін сотталған дүнгендер туралы жазып отырмын. Олардың "
             "үкімдерін тәуелсіз әрі ашық қайта қарауды және әділ сот кепілдіктерін талап "
             "етуіңізді сұраймын.\n\n"
             "«{{ campaign_title }}» петициясына бүгінге дейін қойылған қолдар саны: "
             "{{ signature_count }}.")),
        "ky": (
            "{{ campaign_title }}",
            ("Мен сизге 2020-жылдын 7-февралынан 8-февралына караган түнү Казакстандын Кордай "
             "районунда болгон зомбулуктан кийин соттолгон дунгандар тууралуу жазып жатам. "
             "Алардын өкүмдөрүн көз карандысыз жана ачык кайра кароону жана адилеттүү сот "
             "кепилдиктерин талап кылууңузду суранам.\n\n"
             "«{{ campaign_title }}» петициясына бүгүнкү күнгө чейин коюлган колдордун саны: "
             "{{ signature_count }}.")),
        "zh": (
            "{{ campaign_title }}",
            ("我写信是关于2020年2月7日至8日夜间哈萨克斯坦库尔代区暴力事件后被定罪的东干人。"
             "我请求您推动对他们的判决进行独立、公开的复审，并保障公正审判。\n\n"
             "请愿书《{{ campaign_title }}》目前的签名数：{{ signature_count }}。")),
        "fr": (
            "{{ campaign_title }}",
            ("Je vous écris au sujet des Doungans condamnés après les violences survenues dans "
             "le district de Korday, au Kazakhstan, dans la nuit du 7 au 8 février 2020. Je vous "
             "demande d'œuvrer pour un réexamen indépendant et public de leurs peines et pour "
             "les garanties d'un procès équitable.\n\n"
             "Signatures de la pétition « {{ campaign_title }} » à ce jour : "
             "{{ signature_count }}.")),
        "de": (
            "{{ campaign_title }}",
            ("Ich schreibe Ihnen wegen der Dunganen, die nach der Gewalt im Bezirk Korday in "
             "Kasachstan in der Nacht vom 7. auf den 8. Februar 2020 verurteilt wurden. Ich "
             "bitte Sie, sich für eine unabhängige, öffentliche Überprüfung ihrer Urteile und "
             "für die Garantien eines fairen Verfahrens einzusetzen.\n\n"
             "Unterschriften unter der Petition „{{ campaign_title }}“ bisher: "
             "{{ signature_count }}.")),
    },
    # Cover letters live in cover_defaults.py (one per site language).
    "cover": COVER_TEMPLATES,
}
