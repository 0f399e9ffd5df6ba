"""Demo content: the flagship campaign, built only from sourced facts (see shared data README).

Sources: ADC Memorial (adcmemorial.org, 19 May 2020; verdict reporting, April 2021); Reuters
(February 2020); Kursiv (27 April 2021). No fact here goes beyond them: where the sources differ
(the longest sentence), the text says so. The English text is the original; every other
version is a translation and says so. The Dungan version was written from the Russian one by a
non-native writer: it carries a review note that the console shows until someone marks it
reviewed (docs/i18n.md names who should review each language).
"""
from __future__ import annotations

from typing import Any

FLAGSHIP_SLUG = "korday-sentences-review"
FLAGSHIP_GOAL = 10_000
FLAGSHIP_DEFAULT_LOCALE = "en"
FLAGSHIP_ORIGINAL_LOCALE = "en"
# Shown to organizers in the console (campaign tab "Public page") until marked reviewed.
FLAGSHIP_REVIEW_NOTES: dict[str, str] = {
    "dng": "Translated from the Russian version by a non-native writer: wants a native "
           "Dungan speaker's review before a public launch.",
}

FLAGSHIP_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Review the sentences of the Dungans convicted after the Korday violence",
        "summary": (
            "On the night of 7–8 February 2020, hundreds of attackers struck Dungan villages "
            "in Korday district, Kazakhstan: 11 people were killed and thousands of Dungans "
            "fled to Kyrgyzstan. In April 2021 a court in Taraz gave Dungans who had defended "
            "their villages long prison sentences. We ask UN, OSCE and EU human rights bodies "
            "to press for an independent review of these sentences."),
        "body_markdown": """\
## What happened

On the night of **7–8 February 2020**, hundreds of attackers hit the Dungan villages of
Masanchi, Sortobe, Bular Batyr and Aukhatty in Korday (Kordai) district, Zhambyl region,
Kazakhstan. Official figures: 10 Dungans and 1 Kazakh were killed. 47 people were detained at
first. 140 people sought medical care in Kazakhstan and 25 in Kyrgyzstan, and thousands of
Dungans fled across the border to Kyrgyzstan.

## The verdict

On **27 April 2021** a court in Taraz gave its verdict on 51 defendants. Dungans who had
defended their villages received long prison sentences, 16 to 16.5 years for some; 31
defendants received suspended sentences and one was acquitted. The newspaper Kursiv reported
the same day that 19 people were jailed for 5 to 17 years and that 185 people had been
injured; the sources differ on the longest sentence.

## What we ask

We call on the **UN Special Rapporteur on minority issues**, the **UN Working Group on
Arbitrary Detention**, the **OSCE High Commissioner on National Minorities** and the
**European Union** to:

1. ask the authorities of Kazakhstan for an independent, public review of these sentences;
2. press for fair-trial guarantees in any further proceedings: open hearings and lawyers of
   the defendants' own choosing;
3. support the victims' families and the people who fled in seeking justice and a safe
   return.

## Sources

- ADC Memorial, adcmemorial.org: 19 May 2020 (the events, official figures); April 2021 (the
  verdict)
- Reuters, February 2020 (detentions, medical care, people who fled)
- Kursiv, 27 April 2021 (the verdict)

*This English text is the original. The versions in other languages are translations of it.*
""",
    },
    "ru": {
        "title": "Пересмотреть приговоры дунганам, осуждённым после насилия в Кордае",
        "summary": (
            "В ночь с 7 на 8 февраля 2020 года сотни нападавших атаковали дунганские сёла "
            "Кордайского района Казахстана: погибли 11 человек, тысячи дунган бежали в "
            "Кыргызстан. В апреле 2021 года суд в Таразе приговорил дунган, защищавших свои "
            "сёла, к длительным срокам. Мы призываем правозащитные органы ООН, ОБСЕ и ЕС "
            "добиваться независимого пересмотра этих приговоров."),
        "body_markdown": """\
## Что произошло

В ночь с **7 на 8 февраля 2020 года** сотни нападавших атаковали дунганские сёла Масанчи,
Сортобе, Булар-Батыр и Аухатты Кордайского района Жамбылской области Казахстана. По
официальным данным, погибли 10 дунган и 1 казах. Сначала были задержаны 47 человек. За
медицинской помощью обратились 140 человек в Казахстане и 25 в Кыргызстане; тысячи дунган
бежали через границу в Кыргызстан.

## Приговор

**27 апреля 2021 года** суд в Таразе вынес приговор 51 подсудимому. Дунгане, защищавшие свои
сёла, получили длительные сроки заключения, некоторые — от 16 до 16,5 года; 31 подсудимый
получил условный срок, один оправдан. Издание «Курсив» в тот же день сообщило, что 19 человек
приговорены к срокам от 5 до 17 лет и что пострадали 185 человек; источники расходятся
в том, каким был самый длительный срок.

## Чего мы добиваемся

Мы призываем **Специального докладчика ООН по вопросам меньшинств**, **Рабочую группу ООН
по произвольным задержаниям**, **Верховного комиссара ОБСЕ по делам национальных меньшинств**
и **Европейский союз**:

1. обратиться к властям Казахстана с призывом к независимому и открытому пересмотру этих
   приговоров;
2. добиваться гарантий справедливого суда во всех дальнейших разбирательствах: открытых
   заседаний и адвокатов по выбору самих подсудимых;
3. поддержать семьи погибших и тех, кто был вынужден бежать, в поиске справедливости
   и безопасного возвращения.

## Источники

- АДЦ «Мемориал», adcmemorial.org: 19 мая 2020 года (события, официальные данные); апрель
  2021 года (приговор)
- Reuters, февраль 2020 года (задержания, медицинская помощь, бежавшие)
- «Курсив», 27 апреля 2021 года (приговор)

*Оригинал этого текста написан на английском языке. Версии на других языках, включая эту, —
переводы.*
""",
    },
    "kk": {
        "title": "Қордай оқиғасынан кейін сотталған дүнгендердің үкімдерін қайта қарау",
        "summary": (
            "2020 жылғы 7 ақпаннан 8 ақпанға қараған түні жүздеген адам Қазақстанның Қордай "
            "ауданындағы дүнген ауылдарына шабуыл жасады: 11 адам қаза тапты, мыңдаған дүнген "
            "Қырғызстанға қашты. 2021 жылғы сәуірде Тараздағы сот ауылдарын қорғаған "
            "дүнгендерге ұзақ мерзімге бас бостандығынан айыру жазасын тағайындады. Біз БҰҰ, "
            "ЕҚЫҰ және ЕО-ның адам құқықтары жөніндегі органдарын осы үкімдерді тәуелсіз "
            "қайта қарауды талап етуге шақырамыз."),
        "body_markdown": """\
## Не болды

**2020 жылғы 7 ақпаннан 8 ақпанға қараған түні** жүздеген шабуылдаушы Қазақстанның Жамбыл
облысы Қордай ауданындағы Масанчи, Сортөбе, Бұлар батыр және Аухатты дүнген ауылдарына
шабуыл жасады. Ресми деректер бойынша 10 дүнген және 1 қазақ қаза тапты. Алғашында 47 адам
ұсталды. Медициналық көмекке Қазақстанда 140 адам, Қырғызстанда 25 адам жүгінді; мыңдаған
дүнген шекарадан өтіп, Қырғызстанға қашты.

## Үкім

**2021 жылғы 27 сәуірде** Тараздағы сот 51 сотталушыға қатысты үкім шығарды. Ауылдарын
қорғаған дүнгендер ұзақ мерзімге бас бостандығынан айырылды, кейбіреулері 16 жылдан 16,5
жылға дейін; 31 сотталушыға шартты жаза тағайындалды, біреуі ақталды. «Курсив» басылымы сол
күні 19 адамның 5 жылдан 17 жылға дейінгі мерзімге сотталғанын және 185 адамның зардап
шеккенін хабарлады; дереккөздер ең ұзақ мерзім туралы әртүрлі мәлімет береді.

## Біздің талабымыз

Біз **БҰҰ-ның азшылықтар мәселелері жөніндегі арнайы баяндамашысын**, **БҰҰ-ның
негізсіз ұстау жөніндегі жұмыс тобын**, **ЕҚЫҰ-ның ұлттық азшылықтар істері жөніндегі
жоғарғы комиссарын** және **Еуропалық Одақты** мыналарға шақырамыз:

1. Қазақстан билігінен осы үкімдерді тәуелсіз әрі ашық түрде қайта қарауды сұрау;
2. кез келген келесі сот ісінде әділ сот кепілдіктерін талап ету: ашық сот отырыстары және
   сотталушылардың өздері таңдаған адвокаттар;
3. қаза тапқандардың отбасыларына және қашуға мәжбүр болғандарға әділдікке қол жеткізуде
   және қауіпсіз оралуда қолдау көрсету.

## Дереккөздер

- «Мемориал» АҚО, adcmemorial.org: 2020 жылғы 19 мамыр (оқиғалар, ресми деректер); 2021
  жылғы сәуір (үкім)
- Reuters, 2020 жылғы ақпан (ұсталғандар, медициналық көмек, қашқандар)
- «Курсив», 2021 жылғы 27 сәуір (үкім)

*Бұл мәтіннің түпнұсқасы ағылшын тілінде жазылған. Басқа тілдердегі нұсқалар, соның ішінде
осы нұсқа, — аудармалар.*
""",
    },
    "ky": {
        "title": "Кордайдагы зомбулуктан кийин соттолгон дунгандардын өкүмдөрүн кайра кароо",
        "summary": (
            "2020-жылдын 7-февралынан 8-февралына караган түнү жүздөгөн адам Казакстандын "
            "Кордай районундагы дунган айылдарына кол салды: 11 адам каза болуп, миңдеген "
            "дунгандар Кыргызстанга качып өттү. 2021-жылдын апрелинде Тараздагы сот "
            "айылдарын коргогон дунгандарды узак мөөнөткө эркинен ажыратты. Биз БУУнун, "
            "ЕККУнун жана ЕБнин адам укуктары боюнча органдарын бул өкүмдөрдү көз карандысыз "
            "кайра кароого жетишүүгө чакырабыз."),
        "body_markdown": """\
## Эмне болду

**2020-жылдын 7-февралынан 8-февралына караган түнү** жүздөгөн кол салуучу Казакстандын
Жамбыл облусундагы Кордай районунун Масанчы, Сортөбө, Булар-Батыр жана Аухатты дунган
айылдарына кол салды. Расмий маалымат боюнча 10 дунган жана 1 казак каза болду. Алгач 47 адам
кармалган. Медициналык жардамга Казакстанда 140 адам, Кыргызстанда 25 адам кайрылды; миңдеген
дунгандар чек арадан өтүп, Кыргызстанга качып келди.

## Өкүм

**2021-жылдын 27-апрелинде** Тараздагы сот 51 соттолуучуга карата өкүм чыгарды. Айылдарын
коргогон дунгандар узак мөөнөткө эркинен ажыратылды, айрымдары 16 жылдан 16,5 жылга чейин;
31 соттолуучуга шарттуу жаза берилди, бирөө акталды. «Курсив» басылмасы ошол эле күнү 19
адам 5 жылдан 17 жылга чейинки мөөнөткө соттолгонун жана 185 адам жабыркаганын кабарлады;
булактар эң узак мөөнөт боюнча ар түрдүү маалымат берет.

## Биздин талаптар

Биз **БУУнун азчылыктардын маселелери боюнча атайын баяндамачысын**, **БУУнун негизсиз
кармоо боюнча жумушчу тобун**, **ЕККУнун улуттук азчылыктар боюнча жогорку комиссарын** жана
**Европа Биримдигин** төмөнкүлөргө чакырабыз:

1. Казакстандын бийлигинен бул өкүмдөрдү көз карандысыз жана ачык кайра кароону суроо;
2. мындан аркы бардык сот процесстеринде адилет соттун кепилдиктерин талап кылуу: ачык
   сот отурумдары жана соттолуучулар өздөрү тандаган адвокаттар;
3. каза болгондордун үй-бүлөлөрүнө жана качууга аргасыз болгондорго адилеттикке жетүүдө
   жана коопсуз кайтып келүүдө колдоо көрсөтүү.

## Булактар

- «Мемориал» УУБ, adcmemorial.org: 2020-жылдын 19-майы (окуялар, расмий маалымат);
  2021-жылдын апрели (өкүм)
- Reuters, 2020-жылдын февралы (кармалгандар, медициналык жардам, качкандар)
- «Курсив», 2021-жылдын 27-апрели (өкүм)

*Бул тексттин түп нускасы англис тилинде жазылган. Башка тилдердеги нускалар, анын ичинде
ушул нуска, — котормолор.*
""",
    },
    "zh": {
        "title": "呼吁重审科尔代暴力事件后被定罪的东干人的判决",
        "summary": (
            "2020年2月7日至8日夜间，数百名袭击者袭击了哈萨克斯坦科尔代区的东干人村庄：11人遇难，"
            "数千名东干人逃往吉尔吉斯斯坦。2021年4月，塔拉兹的法院对保卫自己村庄的东干人判处长期"
            "徒刑。我们呼吁联合国、欧安组织和欧盟的人权机构推动对这些判决进行独立复审。"),
        "body_markdown": """\
## 发生了什么

**2020年2月7日至8日夜间**，数百名袭击者袭击了哈萨克斯坦江布尔州科尔代区的东干人村庄马三奇、
索尔托别、布拉尔巴特尔和奥哈特。据官方数据，10名东干人和1名哈萨克人遇难。最初有47人被拘留。
在哈萨克斯坦有140人、在吉尔吉斯斯坦有25人寻求医疗救助；数千名东干人越过边境逃往吉尔吉斯斯坦。

## 判决

**2021年4月27日**，塔拉兹的法院对51名被告作出判决。保卫自己村庄的东干人被判处长期徒刑，其中
一些人被判16年至16年半；31名被告被判缓刑，1人被判无罪。《Kursiv》报当天报道称，19人被判处
5年至17年监禁，185人受伤；各来源对最长刑期的说法不一。

## 我们的诉求

我们呼吁**联合国少数群体问题特别报告员**、**联合国任意拘留问题工作组**、**欧安组织少数民族
事务高级专员**和**欧洲联盟**：

1. 要求哈萨克斯坦当局对这些判决进行独立、公开的复审；
2. 敦促在今后的一切诉讼中保障公正审判：公开审理，并由被告自行选择律师；
3. 支持遇难者家属和被迫出逃的人寻求正义、安全返回家园。

## 来源

- ADC Memorial（反歧视中心“纪念”），adcmemorial.org：2020年5月19日（事件经过、官方数据）；
  2021年4月（判决）
- 路透社，2020年2月（拘留、医疗救助、出逃人数）
- 《Kursiv》，2021年4月27日（判决）

*本文原文为英文。其他语言的版本（包括本版本）均为译文。*
""",
    },
    "fr": {
        "title": "Réviser les peines des Dounganes condamnés après les violences de Kordaï",
        "summary": (
            "Dans la nuit du 7 au 8 février 2020, des centaines d’assaillants ont attaqué des "
            "villages dounganes du district de Kordaï, au Kazakhstan\u00a0: 11 personnes ont été "
            "tuées et des milliers de Dounganes ont fui au Kirghizstan. En avril 2021, un "
            "tribunal de Taraz a condamné des Dounganes qui avaient défendu leurs villages à de "
            "longues peines de prison. Nous demandons aux instances de défense des droits "
            "humains de l’ONU, de l’OSCE et de l’UE d’agir pour un réexamen indépendant de ces "
            "peines."),
        "body_markdown": """\
## Ce qui s’est passé

Dans la nuit du **7 au 8 février 2020**, des centaines d’assaillants ont attaqué les villages
dounganes de Masantchi, Sortobé, Boular-Batyr et Aoukhatty, dans le district de Kordaï (région
de Djamboul, Kazakhstan). Selon les chiffres officiels, 10 Dounganes et 1 Kazakh ont été tués.
47 personnes ont d’abord été arrêtées. 140 personnes ont demandé des soins médicaux au
Kazakhstan et 25 au Kirghizstan, et des milliers de Dounganes ont fui de l’autre côté de la
frontière, au Kirghizstan.

## Le verdict

Le **27 avril 2021**, un tribunal de Taraz a rendu son verdict concernant 51 accusés. Des
Dounganes qui avaient défendu leurs villages ont été condamnés à de longues peines de prison,
de 16 ans à 16 ans et demi pour certains\u00a0; 31 accusés ont reçu des peines avec sursis et un
a été acquitté. Le journal Kursiv a rapporté le même jour que 19 personnes avaient été
condamnées à des peines de 5 à 17 ans de prison et que 185 personnes avaient été blessées\u00a0;
les sources divergent sur la peine la plus longue.

## Ce que nous demandons

Nous appelons le **Rapporteur spécial des Nations unies sur les questions relatives aux
minorités**, le **Groupe de travail des Nations unies sur la détention arbitraire**, le
**Haut-Commissaire de l’OSCE pour les minorités nationales** et l’**Union européenne** à\u00a0:

1. demander aux autorités du Kazakhstan un réexamen indépendant et public de ces peines\u00a0;
2. exiger les garanties d’un procès équitable dans toute procédure ultérieure\u00a0: des
   audiences publiques et des avocats choisis par les accusés eux-mêmes\u00a0;
3. soutenir les familles des victimes et les personnes qui ont fui dans leur quête de justice
   et de retour en sécurité.

## Sources

- ADC Memorial, adcmemorial.org\u00a0: 19 mai 2020 (les faits, les chiffres officiels)\u00a0; avril
  2021 (le verdict)
- Reuters, février 2020 (arrestations, soins médicaux, personnes ayant fui)
- Kursiv, 27 avril 2021 (le verdict)

*Le texte original de cette campagne est en anglais. Les versions dans les autres langues, dont
celle-ci, sont des traductions.*
""",
    },
    "de": {
        "title": "Überprüfung der Urteile gegen die nach der Gewalt in Kordai verurteilten "
                 "Dunganen",
        "summary": (
            "In der Nacht vom 7. auf den 8. Februar 2020 überfielen Hunderte Angreifer "
            "dunganische Dörfer im Bezirk Kordai in Kasachstan: 11 Menschen wurden getötet, "
            "Tausende Dunganen flohen nach Kirgisistan. Im April 2021 verurteilte ein Gericht "
            "in Taras Dunganen, die ihre Dörfer verteidigt hatten, zu langen Haftstrafen. Wir "
            "fordern die Menschenrechtsgremien der UNO, der OSZE und der EU auf, sich für eine "
            "unabhängige Überprüfung dieser Urteile einzusetzen."),
        "body_markdown": """\
## Was geschah

In der Nacht vom **7. auf den 8. Februar 2020** überfielen Hunderte Angreifer die dunganischen
Dörfer Masantschi, Sortobe, Bular Batyr und Auchatty im Bezirk Kordai (Gebiet Schambyl,
Kasachstan). Nach offiziellen Angaben wurden 10 Dunganen und 1 Kasache getötet. Zunächst
wurden 47 Menschen festgenommen. 140 Menschen suchten in Kasachstan ärztliche Hilfe und 25 in
Kirgisistan; Tausende Dunganen flohen über die Grenze nach Kirgisistan.

## Das Urteil

Am **27. April 2021** verkündete ein Gericht in Taras das Urteil gegen 51 Angeklagte.
Dunganen, die ihre Dörfer verteidigt hatten, erhielten lange Haftstrafen, einige 16 bis 16,5
Jahre; 31 Angeklagte erhielten Bewährungsstrafen, einer wurde freigesprochen. Die Zeitung
Kursiv berichtete am selben Tag, 19 Menschen seien zu 5 bis 17 Jahren Haft verurteilt worden
und 185 Menschen seien verletzt worden; die Quellen weichen bei der längsten Strafe
voneinander ab.

## Was wir fordern

Wir rufen den **UN-Sonderberichterstatter für Minderheitenfragen**, die
**UN-Arbeitsgruppe für willkürliche Inhaftierungen**, den **Hohen Kommissar der OSZE für
nationale Minderheiten** und die **Europäische Union** auf:

1. die Behörden Kasachstans um eine unabhängige, öffentliche Überprüfung dieser Urteile zu
   ersuchen;
2. in allen weiteren Verfahren auf die Garantien eines fairen Prozesses zu dringen:
   öffentliche Verhandlungen und Anwältinnen und Anwälte nach Wahl der Angeklagten;
3. die Familien der Opfer und die Geflohenen dabei zu unterstützen, Gerechtigkeit und eine
   sichere Rückkehr zu erlangen.

## Quellen

- ADC Memorial, adcmemorial.org: 19. Mai 2020 (die Ereignisse, offizielle Zahlen); April
  2021 (das Urteil)
- Reuters, Februar 2020 (Festnahmen, ärztliche Hilfe, Geflohene)
- Kursiv, 27. April 2021 (das Urteil)

*Der Originaltext dieser Kampagne ist englisch. Die Fassungen in anderen Sprachen, auch diese,
sind Übersetzungen.*
""",
    },
    # Dungan (Cyrillic), written from the Russian version by a non-native writer: short,
    # plain sentences, Russian loanwords where Dungan writing uses them. Its review note
    # (FLAGSHIP_REVIEW_NOTES) stays visible to organizers until a native speaker checks it.
    "dng": {
        "title": "Кордай, 2020: йүан хуэйзў жынди приговор зэ кан йибян",
        "summary": (
            "2020 нян 2 йүэ 7 хо ба 8 хо вонщонди йе литу, җибый жын да Казахстан Кордай "
            "районди хуэйзў җуанзы: 11 гә жын сыли, җичян хуэйзў пәдо Кыргызстан чили. "
            "2021 нян 4 йүэ Тараз суд ба баху зыҗиди җуанзыди хуэйзў пәнли чон нянщян. "
            "Вәму чў ООН, ОБСЕ лян ЕС зэ кан йибян жеҗэ приговор."),
        "body_markdown": """\
## Чуди сы

**2020 нян 2 йүэ 7 хо ба 8 хо вонщонди йе литу** җибый жын да Казахстан Жамбыл область
Кордай районди хуэйзў җуанзы: Масанчи, Сортобе, Булар-Батыр лян Аухатты. Официальный
данныйшонди: 10 гә хуэйзў лян 1 гә казах сыли. Тучён 47 гә жын җуачили. Казахстанни 140 гә
жын, Кыргызстанни 25 гә жын җё дэфу канли; җичян хуэйзў гуә гуәҗе пәдо Кыргызстан чили.

## Приговор

**2021 нян 4 йүэ 27 хо** Тараз суд гы 51 гә жын пәнли приговор. Баху зыҗиди җуанзыди
хуэйзў пәнли чон нянщян, йиха жын 16 нян дон 16,5 нян; 31 гә жын пәнли условный срок, 1 гә
жын мә цуй. «Курсив» нэ йитян шуә: 19 гә жын пәнли 5 нян дон 17 нян, 185 гә жын шонли;
жеҗэ цэлёди шуәфа зуэ чон нянщян бу йиён.

## Вәму йоцюди

Вәму чў **ООН минорити вынтиди спецдокладчик**, **ООН произвольный задержание рабочий
группа**, **ОБСЕ национальный меньшинство верховный комиссар** лян **Европа союз**:

1. гын Казахстан гуанфу йоцю зэ гунди, мингди кан йибян жеҗэ приговор;
2. йихуди суд литу йоцю гунпин суд: кэди суд, бэй пәнди жын зыҗи щүанди адвокат;
3. бонҗў сыди жынди җяли лян пәли җяди жын, җё гунпин, пинан хуэй җя.

## Цэлё

- АДЦ «Мемориал», adcmemorial.org: 2020 нян 5 йүэ 19 хо; 2021 нян 4 йүэ
- Reuters, 2020 нян 2 йүэ
- «Курсив», 2021 нян 4 йүэ 27 хо

*Жеҗэ вынзыди оригинал сы инглиш вынзы. Жеҗэ хуэйзў вынзы сы гынҗў урус вын фанйиди; хан дый
хуэйзў йүянди жын кан йибян.*

*Перевод на дунганский язык сделан с русской версии и ждёт проверки носителем языка.*
""",
    },
}

# The demo's organizer and organization: plausible, and marked as demo wherever shown, so a
# cover letter reads as it will once an organization fills in its own profile.
DEMO_ORGANIZER_NAME = "Dana Example"
DEMO_ORGANIZATION: dict[str, Any] = {
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
