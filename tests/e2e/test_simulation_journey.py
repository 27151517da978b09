"""A planner on a phone opens the planning page and reads the latest policy simulation."""
from __future__ import annotations

from scm.services.planning import simulation
from tests import factories as f
from tests.e2e.conftest import shot
from tests.simulation_factories import AS_OF, daily_demand


def test_planner_reads_the_policy_simulation_on_a_phone(page, live_server, seeded):
    def data(session):  # type: ignore[no-untyped-def]
        east = f.warehouse(session, "WH-EAST")
        for n in range(3):
            daily_demand(session, f.item(session, f"SIM-E{n}"), east, weeks=40, level=6 + 2 * n, noise=3, seed=n)
        simulation.run(session, as_of=AS_OF, actor=f.actor(), weeks=12)
        f.user(session, "viewer", email="vic@example.com")
    seeded(data)

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("vic@example.com")
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/dashboard")
    page.goto(f"{live_server}/planning/")
    section = page.locator("#simulation")
    section.get_by_text("Saving at equal fill rate").wait_for()
    assert section.locator("svg.chart-compare rect.chart-policy").count() == 2
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    section.scroll_into_view_if_needed()
    shot(page, "simulation-01-planning")
