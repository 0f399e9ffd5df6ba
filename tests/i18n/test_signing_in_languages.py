"""A supporter signs and confirms in each interface language, and never meets English."""
from __future__ import annotations

import re

import pytest
from flask import g

from campaign import emails
from campaign.outbox import service as outbox
from tests.conftest import csrf_from
from tests.factories import make_campaign, make_signature

ALL = ("en", "ru", "kk", "ky", "zh", "fr", "de")
ENGLISH_LABELS = [
    "Full name", "Sign the petition", "Please enter a valid e-mail address.",
    "Please enter your name.", "Please choose your country.", "Check your inbox",
    "Please correct the marked fields.", "E-mail me news about this campaign",
    "Comment (optional)", "Show my full name", "Justice for Korday", "Skip to content",
    "signatures", "Back to the campaign", "Thank you: your signature is confirmed",
    "Please confirm your signature", "Hello ", "Confirm my signature",
    "Remove your signature and all your data", "Stop news e-mails",
]
# What each language must show: page heading, e-mail error, thanks heading, confirmed
# heading, e-mail subject start, e-mail greeting, the count line after confirming.
EXPECTED = {
    "ru": ("Подписать петицию", "Введите действительный адрес электронной почты.",
           "Проверьте почту", "Спасибо: ваша подпись подтверждена",
           "Подтвердите вашу подпись:", "Здравствуйте, Айша!", "Уже 1 подпись"),
    "kk": ("Петицияға қол қою", "Жарамды электрондық пошта мекенжайын енгізіңіз.",
           "Поштаңызды тексеріңіз", "Рақмет: қолтаңбаңыз расталды",
           "Қолтаңбаңызды растаңыз:", "Сәлеметсіз бе, Айша!", "Әзірге 1 қолтаңба"),
    "ky": ("Петицияга кол коюу", "Жарактуу электрондук почта дарегин жазыңыз.",
           "Почтаңызды текшериңиз", "Рахмат: колуңуз ырасталды",
           "Колуңузду ырастаңыз:", "Саламатсызбы, Айша!", "Азырынча 1 кол"),
    # Issue 14: reviewers asked for "谢谢！" (zh) and "Bitte prüfen Sie Ihr Postfach" (de).
    "zh": ("签署请愿书", "请输入有效的电子邮箱地址。", "请查收邮件", "谢谢！您的签名已确认",
           "请确认您的签名：", "Айша，您好：", "目前已有 1 个签名"),
    "fr": ("Signer la pétition", "Veuillez saisir une adresse e-mail valide.",
           "Consultez votre boîte de réception", "Merci\u00a0: votre signature est confirmée",
           "Veuillez confirmer votre signature\u00a0:", "Bonjour Айша,",
           "1 signature à ce jour"),
    "de": ("Petition unterschreiben", "Bitte geben Sie eine gültige E-Mail-Adresse ein.",
           "Bitte prüfen Sie Ihr Postfach", "Danke: Ihre Unterschrift ist bestätigt",
           "Bitte bestätigen Sie Ihre Unterschrift:", "Guten Tag Айша,",
           "Bisher 1 Unterschrift"),
}
FORM = {"full_name": "Айша", "email": "aisha@example.org", "country": "KG",
        "comment": "", "display": "full", "updates": "y"}


def assert_no_english(text: str, where: str):
    found = [label for label in ENGLISH_LABELS if label in text]
    assert not found, f"English on the {where}: {found}"


@pytest.mark.parametrize("lang", list(EXPECTED))
def test_sign_and_confirm_in_language(client, app, sent_mail, lang):
    heading, email_error, thanks, confirmed, subject, greeting, count = EXPECTED[lang]
    campaign = make_campaign(locales=ALL)
    page = client.get(f"/{lang}/c/{campaign.slug}").get_data(as_text=True)
    assert heading in page
    assert_no_english(page, "campaign page")

    invalid = client.post(f"/{lang}/c/{campaign.slug}/sign", data=dict(
        FORM, full_name="", email="not-an-address", country="",
        csrf_token=csrf_from(page)))
    assert invalid.status_code == 422
    text = invalid.get_data(as_text=True)
    assert email_error in text
    assert text.count('class="field-error"') == 3
    assert_no_english(text, "invalid form")

    signed = client.post(f"/{lang}/c/{campaign.slug}/sign",
                         data=dict(FORM, csrf_token=csrf_from(text)))
    assert signed.status_code == 303
    thanks_page = client.get(signed.location).get_data(as_text=True)
    assert thanks in thanks_page
    assert_no_english(thanks_page, "thanks page")

    outbox.work(once=True)
    message = sent_mail()[-1]
    assert message["Subject"].startswith(subject)
    body = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert greeting in body and greeting in html
    assert_no_english(message["Subject"] + body + html, "confirmation e-mail")
    tag = "zh-Hans" if lang == "zh" else lang
    assert f'<html lang="{tag}">' in html

    link = re.search(r"http://campaign\.test(/confirm/\S+)", body).group(1)
    confirmation = client.get(link).get_data(as_text=True)
    assert confirmed in confirmation and count in confirmation
    assert f'<html lang="{tag}">' in confirmation
    assert_no_english(confirmation, "confirmation page")


@pytest.mark.parametrize("lang, subject, greeting", [
    ("ru", "Подтвердите вашу подпись: Title", "Здравствуйте, Signer"),
    ("zh", "请确认您的签名：Title", "您好："),
])
def test_confirmation_email_is_in_the_signers_language_not_the_requests(
        app, sent_mail, lang, subject, greeting):
    """The e-mail follows the language signed in, even when another language's request (an
    organizer in German, say) causes it."""
    campaign = make_campaign(locales=("en", "ru", "zh"))
    with app.test_request_context("/de/"):
        g.lang = "de"
        make_signature(campaign, locale=lang, confirmed=False)
        assert g.lang == "de"  # and the request's own language is left as it was
    outbox.work(once=True)
    message = sent_mail()[-1]
    assert message["Subject"].startswith(subject)
    assert greeting in message.get_body(("plain",)).get_content()
    assert_no_english(message["Subject"] + message.get_body(("plain",)).get_content(),
                      "e-mail")


def test_render_email_forces_the_language(app):
    campaign = make_campaign(locales=("en", "zh"))
    signature = make_signature(campaign, locale="zh", confirmed=False)
    with app.test_request_context("/fr/"):
        g.lang = "fr"
        subject, text, html = emails.render_email(
            "signature_confirm", "zh", signature=signature, campaign_title="T",
            confirm_url="http://x/c", unsubscribe_url="http://x/u", forget_url="http://x/f")
    assert subject == "请确认您的签名：T"
    assert "感谢您签署“T”。" in text and '<html lang="zh-Hans">' in html
