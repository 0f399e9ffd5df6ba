"""The home page leads with the flagship and a call to act, and every campaign says whom it
addresses."""
import re

from campaign.demo import load_demo
from tests.factories import make_campaign


def test_flagship_first_with_a_call_to_act_and_its_addressees(client, app):
    flagship, _email, _password = load_demo()
    newer = make_campaign(locales=("en", "ru"))   # newer, yet not first
    page = client.get("/ru/").get_data(as_text=True)
    first = page.index(f"/ru/c/{flagship.slug}")
    assert first < page.index(f"/ru/c/{newer.slug}")
    featured = page.split('class="card featured"')[1].split("</article>")[0]
    assert f'href="/ru/c/{flagship.slug}#sign"' in featured and "Подписать петицию" in featured
    to_line = re.search(r'<p class="addressees"[^>]*>(.*?)</p>', featured).group(1)
    assert "Кому:" in to_line
    # Named in Russian, as the directory names them (targets/data/target_names.csv).
    for name in ("UN Special Rapporteur on minority issues",
                 "UN Working Group on Arbitrary Detention",
                 "OSCE High Commissioner on National Minorities"):
        assert name not in to_line
    assert "Специальный докладчик по вопросам меньшинств" in to_line
    # A campaign with no institutions chosen shows no empty "To:" line.
    other = page.split('class="card featured"')[1].split("</article>", 1)[1]
    assert "Кому:" not in other.split("</article>")[0]


def test_campaign_page_names_its_addressees(client, app):
    flagship, _email, _password = load_demo()
    page = client.get(f"/zh/c/{flagship.slug}").get_data(as_text=True)
    to_line = re.search(r'<p class="addressees"[^>]*>(.*?)</p>', page).group(1)
    assert "致：" in to_line and "OSCE High Commissioner on National Minorities" not in to_line
    assert "欧安组织少数民族问题高级专员" in to_line


def test_who_we_are_block_is_ready_for_the_organization_profile(client, app):
    source = (app.root_path + "/../templates/campaigns/index.html")
    with open(source, encoding="utf-8") as fp:
        template = fp.read()
    assert '{% block who_we_are %}' in template and "campaigns/_who_we_are.html" in template
    assert client.get("/en/").status_code == 200     # renders while the include is missing


def test_campaign_without_institutions_has_no_empty_institutions_heading(client, app):
    campaign = make_campaign()
    page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    assert 'id="letters-heading"' not in page and ">Institutions<" not in page
    from campaign.targets import service as targets
    targets.load_starting_set()   # every active institution is offered when none is chosen
    page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    assert 'id="letters-heading"' in page and "Write to the institutions" in page
