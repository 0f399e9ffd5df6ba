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
        "body_markdown": "",
    },
}
