"""Starting cover letters of a petition delivery, one per site language.

The server appends the closing (the organizer's name and the organization's name, address and
contact) in the letter's language, so a template holds nothing anyone must replace by hand.
The addressee's name stands on its own line: a salutation built around it would have to agree
with it in gender and case in Russian, Kazakh and Kyrgyz.
"""
from __future__ import annotations

COVER_TEMPLATES: dict[str, tuple[str, str]] = {
    "en": (
        "Petition: {{ campaign_title }}",
        ("To: {{ target_name }}\n{{ date }}\n\n"
        "Dear Sir or Madam,\n\n"
        "On behalf of the {{ signature_count }} people who signed the petition "
        "“{{ campaign_title }}”, we submit it to you with the attached dossier: the petition "
        "text, how the signatures were collected and confirmed, totals by country and by month, "
        "the names of signers who agreed to be named, their comments, and how to verify the "
        "full list of signatures.\n\n"
        "We would be grateful for your reply.\n\n"
        "Yours faithfully,")),
    "ru": (
        "Петиция: {{ campaign_title }}",
        ("Кому: {{ target_name }}\n{{ date }}\n\n"
        "Уважаемые дамы и господа!\n\n"
        "От имени подписавших петицию «{{ campaign_title }}» (подписей: "
        "{{ signature_count }}) мы передаём её вам вместе с приложенным досье: текст "
        "петиции, способ сбора и подтверждения подписей, итоги по странам и месяцам, имена "
        "подписавших, согласившихся их показать, их комментарии и способ проверить полный "
        "список подписей.\n\n"
        "Будем благодарны за ваш ответ.\n\n"
        "С уважением,")),
    "kk": (
        "Петиция: {{ campaign_title }}",
        ("Кімге: {{ target_name }}\n{{ date }}\n\n"
        "Құрметті ханымдар мен мырзалар!\n\n"
        "«{{ campaign_title }}» петициясына қол қойғандардың атынан (қолдар саны: "
        "{{ signature_count }}) біз оны сізге қоса берілген досьемен бірге тапсырамыз: "
        "петиция мәтіні, қолдардың қалай жиналып, расталғаны, елдер мен айлар бойынша "
        "қорытындылар, аты көрсетілуіне келіскендердің есімдері, олардың пікірлері және "
        "толық тізімді тексеру тәсілі.\n\n"
        "Жауабыңыз үшін алғыс айтамыз.\n\n"
        "Құрметпен,")),
    "ky": (
        "Петиция: {{ campaign_title }}",
        ("Кимге: {{ target_name }}\n{{ date }}\n\n"
        "Урматтуу айымдар жана мырзалар!\n\n"
        "«{{ campaign_title }}» петициясына кол койгондордун атынан (колдордун саны: "
        "{{ signature_count }}) биз аны сизге тиркелген досье менен кошо тапшырабыз: "
        "петициянын тексти, колдор кантип чогултулуп, тастыкталганы, өлкөлөр жана айлар "
        "боюнча жыйынтыктар, аты көрсөтүлүшүнө макул болгондордун ысымдары, алардын "
        "пикирлери жана толук тизмени текшерүү жолу.\n\n"
        "Жообуңуз үчүн ыраазы болобуз.\n\n"
        "Урмат менен,")),
    "zh": (
        "请愿书：{{ campaign_title }}",
        ("致：{{ target_name }}\n{{ date }}\n\n"
        "尊敬的女士们、先生们：\n\n"
        "我们谨代表请愿书《{{ campaign_title }}》的签名者（签名数：{{ signature_count }}）"
        "向您递交该请愿书及所附材料：请愿书全文、签名的收集与确认方式、按国家和月份的统计、"
        "同意公开姓名的签名者名单、他们的留言，以及核验完整签名名单的方法。\n\n"
        "期待您的答复。\n\n"
        "此致\n敬礼")),
    "fr": (
        "Pétition : {{ campaign_title }}",
        ("À : {{ target_name }}\n{{ date }}\n\n"
        "Madame, Monsieur,\n\n"
        "Au nom des signataires de la pétition « {{ campaign_title }} » (signatures : "
        "{{ signature_count }}), nous vous la remettons avec le dossier joint : le texte de la "
        "pétition, la manière dont les signatures ont été recueillies et confirmées, les "
        "totaux par pays et par mois, les noms des signataires qui ont accepté d'être nommés, "
        "leurs commentaires et la manière de vérifier la liste complète des signatures.\n\n"
        "Nous vous serions reconnaissants de votre réponse.\n\n"
        "Veuillez agréer, Madame, Monsieur, l'expression de notre haute considération,")),
    "de": (
        "Petition: {{ campaign_title }}",
        ("An: {{ target_name }}\n{{ date }}\n\n"
        "Sehr geehrte Damen und Herren,\n\n"
        "im Namen der Unterzeichnenden der Petition „{{ campaign_title }}“ (Unterschriften: "
        "{{ signature_count }}) übergeben wir Ihnen diese mit dem beigefügten Dossier: den "
        "Petitionstext, wie die Unterschriften gesammelt und bestätigt wurden, Summen nach "
        "Land und Monat, die Namen der Unterzeichnenden, die genannt werden möchten, ihre "
        "Kommentare und wie sich die vollständige Liste prüfen lässt.\n\n"
        "Für Ihre Antwort wären wir dankbar.\n\n"
        "Mit freundlichen Grüßen")),
}
