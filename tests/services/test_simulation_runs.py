"""Policy simulation in the app: weekly histories from the database, stored runs, CLI, planning page."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from scm.models import AuditEntry, SimulationRun
from scm.services.planning import simulation
from scm.services.kernel.errors import ValidationFailed
from tests import factories as f
from tests.simulation_factories import AS_OF, daily_demand


def test_constant_demand_is_served_in_full_and_stored(session):
    item, east = f.item(session, "SIM-1"), f.warehouse(session, "WH-EAST")
    daily_demand(session, item, east, weeks=40, level=10)
    sim = simulation.run(session, as_of=AS_OF, actor=f.actor(), weeks=12)
    assert sim.series_total == 1 and sim.series_skipped == 0
    assert sim.fill_rate == 1.0 and sim.stockout_periods == 0
    # 70 a week, no uncertainty: on hand runs from 70 to 0 through each week, 35 on average.
    assert sim.avg_inventory == pytest.approx(35.0)
    assert sim.minmax_avg_inventory == pytest.approx(35.0)
    row = sim.series[0]
    assert (row["sku"], row["warehouse"], row["demand"]) == ("SIM-1", "WH-EAST", 840.0)
    assert sim.summary["calibrated"]["forecast"]["fill_rate"] == 1.0
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "simulation.run")).one()
    assert entry.entity_id == str(sim.id) and entry.after["weeks"] == 12
    assert simulation.latest_run(session).id == sim.id


def test_short_histories_are_skipped_and_inactive_items_left_out(session):
    east = f.warehouse(session, "WH-EAST")
    short, gone = f.item(session, "SIM-SHORT"), f.item(session, "SIM-GONE", active=False)
    daily_demand(session, short, east, weeks=10)
    daily_demand(session, gone, east, weeks=40)
    sim = simulation.run(session, as_of=AS_OF, actor=f.actor(), weeks=12)
    assert (sim.series_total, sim.series_skipped) == (0, 1)
    assert "nothing to simulate" in "\n".join(simulation.describe(sim))


def test_settings_out_of_range_are_refused_by_field(session):
    with pytest.raises(ValidationFailed) as error:
        simulation.run(session, as_of=AS_OF, actor=f.actor(), weeks=0, service_level=1.0, lead_time=-1)
    assert set(error.value.field_errors) == {"weeks", "service_level", "lead_time"}


def test_cli_simulate_prints_and_stores_the_comparison(app, session):
    east = f.warehouse(session, "WH-EAST")
    for n in range(3):
        daily_demand(session, f.item(session, f"SIM-C{n}"), east, weeks=70, level=5 + n, noise=3, seed=n,
                     as_of=AS_OF)
    session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["scm", "simulate", "--weeks", "8", "--service-level", "0.9", "--item", "SIM-C1",
                                 "--workers", "1", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 series" in result.output and "min/max (calibrated)" in result.output
    assert "inventory saving vs min/max" in result.output
    sim = session.scalars(select(SimulationRun)).one()
    assert sim.periods == 8 and sim.service_level == 0.9 and sim.as_of == AS_OF
    bad = runner.invoke(args=["scm", "simulate", "--item", "NOPE"])
    assert bad.exit_code != 0
    wrong = runner.invoke(args=["scm", "simulate", "--service-level", "1.5"])
    assert wrong.exit_code != 0 and "fill rate from 0.5" in wrong.output


def test_planning_page_shows_the_latest_simulation(client, session, login_as):
    item, east = f.item(session, "SIM-P"), f.warehouse(session, "WH-EAST")
    daily_demand(session, item, east, weeks=40, level=4, noise=2)
    simulation.run(session, as_of=AS_OF, actor=f.actor(), weeks=12)
    session.commit()
    login_as("viewer")
    page = html.unescape(client.get("/planning/").get_data(as_text=True))
    assert "Policy simulation" in page and "min/max" in page and "fill rate" in page.lower()
    svg = page.split('<svg class="chart chart-compare"', 1)[1].split("</svg>", 1)[0]
    assert "style=" not in svg


def test_planning_page_without_a_simulation_says_how_to_run_one(client, session, login_as):
    login_as("viewer")
    assert "flask scm simulate" in client.get("/planning/").get_data(as_text=True)
