"""Demo content: the flagship campaign, built only from sourced facts (see shared data README).

Sources: ADC Memorial (19 May 2020; verdict reporting, April 2021); Reuters (February 2020);
Kursiv (27 April 2021).
"""
from __future__ import annotations

FLAGSHIP_SLUG = "korday-sentences-review"
FLAGSHIP_GOAL = 10_000
FLAGSHIP_DEFAULT_LOCALE = "en"

FLAGSHIP_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Review the sentences of the Dungans convicted after the Korday violence",
        "summary": (
            "On the night of 7–8 February 2020, attackers struck the Dungan villages of Korday "
            "district, Kazakhstan. At least 11 people were killed and thousands fled to "
            "Kyrgyzstan. After closed trials in Taraz, Dungans who defended their villages "
            "received long prison terms. We ask the UN, the EU, the Council of Europe and the "
            "OSCE to press for an independent review of these sentences."),
        "body_markdown": """\
## What happened

On the night of **7–8 February 2020**, hundreds of attackers hit the Dungan villages of
Masanchi, Sortobe, Bular Batyr and Aukhatty in Korday (Kordai) district, Zhambyl region,
Kazakhstan. Official figures: 10 Dungans and 1 Kazakh were killed. 140 people sought medical
care in Kazakhstan and 25 in Kyrgyzstan, and thousands of Dungans fled across the border to
Kyrgyzstan.

## The trial

On **27 April 2021** a court in Taraz gave its verdict on 51 defendants, after hearings held
largely behind closed doors. Dungans who had defended their villages received some of the
longest sentences, 16 years or more for some; 31 defendants received suspended sentences and
one was acquitted.

## What we ask

We call on the **United Nations**, the **European Union**, the **Council of Europe** and the
**OSCE** to:

1. ask the authorities of Kazakhstan for an independent, public review of these sentences;
2. press for fair-trial guarantees: open hearings, access to lawyers, and investigation of
   allegations of ill-treatment;
3. support the victims' families and the displaced in seeking justice and safe return.

*Sources: ADC Memorial (19 May 2020); Reuters (February 2020); Kursiv (27 April 2021).*
""",
    },
    "ru": {
        "title": "Пересмотреть приговоры дунганам, осуждённым после насилия в Кордае",
        "summary": (
            "В ночь на 8 февраля 2020 года нападавшие атаковали дунганские сёла Кордайского "
            "района Казахстана. Погибли не менее 11 человек, тысячи бежали в Кыргызстан. "
            "После закрытых процессов в Таразе дунгане, защищавшие свои сёла, получили длинные "
            "сроки. Мы призываем ООН, ЕС, Совет Европы и ОБСЕ добиваться независимого "
            "пересмотра этих приговоров."),
        "body_markdown": """\
## Что произошло

В ночь с **7 на 8 февраля 2020 года** сотни нападавших атаковали дунганские сёла Масанчи,
Сортобе, Булар-Батыр и Аухатты Кордайского района Жамбылской области Казахстана. По
официальным данным, погибли 10 дунган и 1 казах. За медицинской помощью обратились 140 человек
в Казахстане и 25 в Кыргызстане; тысячи дунган бежали через границу в Кыргызстан.

## Суд

**27 апреля 2021 года** суд в Таразе вынес приговор 51 подсудимому; заседания проходили
в основном в закрытом режиме. Дунгане, защищавшие свои сёла, получили одни из самых длинных
сроков, некоторые — 16 лет и более; 31 подсудимый получил условный срок, один оправдан.

## Чего мы добиваемся

Мы призываем **Организацию Объединённых Наций**, **Европейский союз**, **Совет Европы**
и **ОБСЕ**:

1. обратиться к властям Казахстана с призывом к независимому и открытому пересмотру этих
   приговоров;
2. добиваться гарантий справедливого суда: открытых заседаний, доступа к адвокатам,
   расследования заявлений о жестоком обращении;
3. поддержать семьи пострадавших и вынужденных переселенцев в поиске справедливости
   и безопасного возвращения.

*Источники: АДЦ «Мемориал» (19 мая 2020); Reuters (февраль 2020); «Курсив» (27 апреля 2021).*
""",
    },
    "kk": {
        "title": "Қордай оқиғасынан кейін сотталған дүнгендердің үкімдерін қайта қарау",
        "summary": (
            "2020 жылғы 7-нен 8 ақпанға қараған түні Қазақстанның Қордай ауданындағы дүнген "
            "ауылдарына шабуыл жасалды. Кемінде 11 адам қаза тапты, мыңдаған адам Қырғызстанға "
            "қашты. Таразда жабық өткен соттардан кейін ауылдарын қорғаған дүнгендер ұзақ "
            "мерзімге сотталды. Біз БҰҰ-ны, ЕО-ны, Еуропа Кеңесін және ЕҚЫҰ-ны осы үкімдерді "
            "тәуелсіз қайта қарауды талап етуге шақырамыз."),
        "body_markdown": """\
## Не болды

**2020 жылғы 7-нен 8 ақпанға қараған түні** жүздеген шабуылдаушы Қазақстанның Жамбыл
облысы Қордай ауданындағы Масанчи, Сортөбе, Бұлар батыр және Аухатты дүнген ауылдарына
шабуыл жасады. Ресми деректер бойынша 10 дүнген және 1 қазақ қаза тапты. Медициналық көмекке
Қазақстанда 140 адам, Қырғызстанда 25 адам жүгінді; мыңдаған дүнген шекарадан өтіп,
Қырғызстанға қашты.

## Сот

**2021 жылғы 27 сәуірде** Тараздағы сот 51 сотталушыға қатысты үкім шығарды; сот
отырыстары негізінен жабық өтті. Ауылдарын қорғаған дүнгендер ең ұзақ мерзімдердің бірін
алды, кейбіреулері 16 жыл және одан да көп мерзімге сотталды; 31 сотталушыға шартты жаза
тағайындалды, біреуі ақталды.

## Біздің талабымыз

Біз **Біріккен Ұлттар Ұйымын**, **Еуропалық Одақты**, **Еуропа Кеңесін** және **ЕҚЫҰ-ны**
мыналарға шақырамыз:

1. Қазақстан билігінен осы үкімдерді тәуелсіз әрі ашық түрде қайта қарауды сұрау;
2. әділ сот кепілдіктерін талап ету: ашық сот отырыстары, адвокатқа қол жеткізу және
   қатыгез қарым-қатынас туралы арыздарды тергеу;
3. зардап шеккендердің отбасыларына және қоныс аударуға мәжбүр болғандарға әділдікке қол
   жеткізуде және қауіпсіз оралуда қолдау көрсету.

*Дереккөздер: АДО «Мемориал» (2020 жылғы 19 мамыр); Reuters (2020 жылғы ақпан); «Курсив»
(2021 жылғы 27 сәуір).*
""",
    },
    "ky": {
        "title": "Кордайдагы зомбулуктан кийин соттолгон дунгандардын өкүмдөрүн кайра кароо",
        "summary": (
            "2020-жылдын 7-февралынан 8-февралына караган түнү Казакстандын Кордай "
            "районундагы дунган айылдарына кол салынды. Кеминде 11 адам каза болуп, миңдеген "
            "адамдар Кыргызстанга качып өттү. Тараздагы жабык соттордон кийин айылдарын "
            "коргогон дунгандар узак мөөнөткө эркинен ажыратылды. Биз БУУну, Европа "
            "Биримдигин, Европа Кеңешин жана ЕККУну бул өкүмдөрдү көз карандысыз кайра "
            "кароого жетишүүгө чакырабыз."),
        "body_markdown": "",
    },
    "zh": {
        "title": "呼吁重审科尔代暴力事件后东干族被告的判决",
        "summary": (
            "2020年2月7日至8日夜间，哈萨克斯坦科尔代区的东干族村庄遭到袭击，至少11人遇难，"
            "数千人逃往吉尔吉斯斯坦。在塔拉兹经过不公开审理后，保卫自己村庄的东干人被判处"
            "长期徒刑。我们呼吁联合国、欧盟、欧洲委员会和欧安组织推动对这些判决进行独立复审。"),
        "body_markdown": "",
    },
    "fr": {
        "title": "Réviser les peines des Doungans condamnés après les violences de Kordaï",
        "summary": (
            "Dans la nuit du 7 au 8 février 2020, des assaillants ont attaqué les villages "
            "doungans du district de Kordaï, au Kazakhstan. Au moins 11 personnes ont été "
            "tuées et des milliers ont fui au Kirghizstan. À l’issue de procès à huis clos à "
            "Taraz, des Doungans qui avaient défendu leurs villages ont été condamnés à de "
            "longues peines de prison. Nous demandons à l’ONU, à l’UE, au Conseil de l’Europe "
            "et à l’OSCE d’agir pour un réexamen indépendant de ces peines."),
        "body_markdown": "",
    },
    "de": {
        "title": "Überprüfung der Urteile gegen die nach der Gewalt in Kordai verurteilten "
                 "Dunganen",
        "summary": (
            "In der Nacht vom 7. auf den 8. Februar 2020 überfielen Angreifer die "
            "dunganischen Dörfer im Bezirk Kordai in Kasachstan. Mindestens 11 Menschen "
            "wurden getötet, Tausende flohen nach Kirgistan. Nach nichtöffentlichen Prozessen "
            "in Taras erhielten Dunganen, die ihre Dörfer verteidigt hatten, lange "
            "Haftstrafen. Wir fordern die UNO, die EU, den Europarat und die OSZE auf, sich "
            "für eine unabhängige Überprüfung dieser Urteile einzusetzen."),
        "body_markdown": "",
    },
    # Dungan (Cyrillic). Kept short and factual: dates, places, numbers. It was not written
    # by a native speaker: have it reviewed before a public launch (docs/i18n.md).
    "dng": {
        "title": "Кордай, 2020: Хуэйзў жынди приговор",
        "summary": (
            "2020 нян 2 йүэ 7–8 хо, Казахстан, Кордай район. 11 жын сыли. "
            "Тараз, 2021 нян 4 йүэ 27 хо: приговор."),
        "body_markdown": "",
    },
}

# The demo's organizer and organization: plausible, and marked as demo wherever shown, so a
# cover letter reads as it will once an organization fills in its own profile.
DEMO_ORGANIZER_NAME = "Dana Example"
DEMO_ORGANIZATION: dict = {
    "name": "Korday Justice Initiative (demo organization)",
    "postal_address": "Example Street 1\n1200 Geneva\nSwitzerland",
    "contact_email": "contact@example.org",
    "website": "https://example.org/",
    "about": {
        "en": "A volunteer group of Dungans and friends in Central Asia and Europe who "
              "document the violence of February 2020 in Korday district and ask for a fair "
              "review of the sentences. (Demo text: replace it with your own.)",
        "ru": "Группа добровольцев — дунган и их друзей в Центральной Азии и Европе, которые "
              "документируют насилие февраля 2020 года в Кордайском районе и добиваются "
              "справедливого пересмотра приговоров. (Демонстрационный текст: замените его "
              "своим.)",
        "kk": "Орталық Азия мен Еуропадағы дүнгендер мен олардың достарынан құралған ерікті "
              "топ: 2020 жылғы ақпандағы Қордай ауданындағы зорлық-зомбылықты құжаттап, "
              "үкімдерді әділ қайта қарауды сұраймыз. (Демо мәтін: өз мәтініңізбен "
              "ауыстырыңыз.)",
        "ky": "Борбор Азия менен Европадагы дуңгандар жана алардын досторунан турган ыктыярчы "
              "топ: 2020-жылдын февралындагы Кордай районундагы зомбулукту документтештирип, "
              "өкүмдөрдү адилет кайра кароону сурайбыз. (Демо текст: өзүңүздүкү менен "
              "алмаштырыңыз.)",
        "zh": "由中亚和欧洲的东干人及其朋友组成的志愿者团体，记录2020年2月科尔代区发生的暴力事件，"
              "并呼吁对判决进行公正复审。（演示文本：请替换为您自己的内容。）",
        "fr": "Un groupe bénévole de Doungans et d'amis en Asie centrale et en Europe qui "
              "documente les violences de février 2020 dans le district de Korday et demande "
              "un réexamen équitable des peines. (Texte de démonstration : remplacez-le par le "
              "vôtre.)",
        "de": "Eine ehrenamtliche Gruppe von Dunganen und Freunden in Zentralasien und Europa, "
              "die die Gewalt vom Februar 2020 im Bezirk Korday dokumentiert und eine faire "
              "Überprüfung der Urteile fordert. (Demotext: ersetzen Sie ihn durch Ihren "
              "eigenen.)",
    },
}
