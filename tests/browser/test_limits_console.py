"""An admin, in a real browser, raises the sign limit for a carrier's NAT range: the page is
accessible, a bad network is refused next to its field, the saved values show."""
from tests.browser.conftest import DESKTOP
from tests.factories import make_user


def test_admin_allow_lists_a_network_in_the_console(app, live_server, page_factory, axe,
                                                    screenshot):
    _admin, password = make_user(role="admin", email="admin@example.org")
    page = page_factory(viewport=DESKTOP)
    page.goto(live_server.url("/organize/login"))
    page.fill("#email", "admin@example.org")
    page.fill("#password", password)
    page.locator("form:has(#password) button[type=submit]").click()
    page.wait_for_url("**/organize/")
    page.locator("nav.console-nav a[href='/organize/limits']").click()
    page.wait_for_url("**/organize/limits")
    assert page.locator("#sign_per_network").get_attribute("placeholder") == \
        "600/minute;20000/day"
    axe(page, context="rate limits")
    page.fill("#allowed_networks", "203.0.113.0/24\nnonsense")
    page.locator("form:has(#allowed_networks) button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#allowed_networks-error").inner_text() == "Not a network: nonsense"
    screenshot(page, "error")
    page.fill("#allowed_networks", "203.0.113.0/24\n2001:db8::/32")
    page.fill("#sign_per_address", "60/minute;600/hour")
    page.locator("form:has(#allowed_networks) button[type=submit]").click()
    page.wait_for_url("**/organize/limits")
    assert page.locator(".flashes li").inner_text() == "Rate limits saved."
    assert page.locator("#sign_per_address").input_value() == "60/minute;600/hour"
    screenshot(page, "saved")
    axe(page, context="rate limits saved")
