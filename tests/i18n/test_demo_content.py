"""The flagship campaign speaks every interface language and Dungan, with sourced facts."""
from campaign.campaigns import demo


def test_flagship_has_title_and_summary_in_every_language_and_bodies_in_three():
    assert set(demo.FLAGSHIP_TEXTS) == {"en", "ru", "kk", "ky", "zh", "fr", "de", "dng"}
    for code, text in demo.FLAGSHIP_TEXTS.items():
        assert text["title"].strip() and text["summary"].strip(), code
        assert "2020" in text["summary"], code  # the events are February 2020
    for code in ("en", "ru", "kk"):
        body = demo.FLAGSHIP_TEXTS[code]["body_markdown"]
        assert "2020" in body and "27" in body and "2021" in body and "51" in body, code
