"""Units of measure say how many decimals a quantity may have, and every stock posting obeys them."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from scm.models import Reservation, StockCount, StockMove, Transfer, UnitOfMeasure
from scm.services.stock import masterdata, ledger as stock_ledger, units as units_of_measure
from scm.services.kernel.errors import ValidationFailed
from tests import factories as f

D = Decimal
WHOLE = "BOLT-M8 is counted in ea: whole numbers only"


@pytest.fixture
def bolt(session):  # type: ignore[no-untyped-def]
    item = f.item(session, "BOLT-M8", uom="ea")
    east, west = f.warehouse(session, "WH-EAST"), f.warehouse(session, "WH-WEST")
    f.stock(session, item, east, 10)
    return item, east, west


def _nothing_posted(session) -> bool:  # type: ignore[no-untyped-def]
    return (session.scalar(select(func.count()).select_from(StockMove)) == 1  # the opening receipt
            and session.scalar(select(func.count()).select_from(Transfer)) == 0
            and session.scalar(select(func.count()).select_from(StockCount)) == 0
            and session.scalar(select(func.count()).select_from(Reservation)) == 0)


POSTINGS = {
    "receipt": lambda s, i, e, w: stock_ledger.receive(s, item_id=i, warehouse_id=e, qty=D("1.5"), actor=f.actor()),
    "issue": lambda s, i, e, w: stock_ledger.issue(s, item_id=i, warehouse_id=e, qty=D("1.5"), reason="sale",
                                                   actor=f.actor()),
    "adjustment": lambda s, i, e, w: stock_ledger.adjust(s, item_id=i, warehouse_id=e, qty_delta=D("-0.5"),
                                                         reason="damaged", actor=f.actor()),
    "transfer": lambda s, i, e, w: stock_ledger.post_transfer(s, from_warehouse_id=e, to_warehouse_id=w,
                                                              lines=[(i, D("2.25"))], actor=f.actor()),
    "dispatch": lambda s, i, e, w: stock_ledger.dispatch_transfer(s, from_warehouse_id=e, to_warehouse_id=w,
                                                                  lines=[(i, D("2.25"))], actor=f.actor()),
    "count": lambda s, i, e, w: stock_ledger.post_count(s, warehouse_id=e, counts=[(i, D("9.5"))],
                                                        actor=f.actor()),
    "reservation": lambda s, i, e, w: stock_ledger.reserve(s, item_id=i, warehouse_id=e, qty=D("0.5"),
                                                           reference="SO-1", actor=f.actor()),
}


@pytest.mark.parametrize("path", list(POSTINGS))
def test_every_posting_path_refuses_a_fraction_of_an_each(session, bolt, path):
    item, east, west = bolt
    with pytest.raises(ValidationFailed) as refused:
        POSTINGS[path](session, item.id, east.id, west.id)
    messages = [m for msgs in refused.value.field_errors.values() for m in msgs]
    assert messages == [WHOLE], refused.value.field_errors
    assert _nothing_posted(session)


def test_the_error_is_a_field_error_of_the_quantity(session, bolt):
    item, east, _west = bolt
    with pytest.raises(ValidationFailed) as refused:
        stock_ledger.receive(session, item_id=item.id, warehouse_id=east.id, qty=D("1.5"), actor=f.actor())
    assert refused.value.field_errors == {"quantity": [WHOLE]}


def test_a_unit_allows_up_to_its_decimals(session):
    flour, rope = f.item(session, "FLOUR-1", uom="kg"), f.item(session, "ROPE-1", uom="g")
    wh = f.warehouse(session)
    assert stock_ledger.receive(session, item_id=flour.id, warehouse_id=wh.id, qty=D("2.125"),
                                actor=f.actor()).balance_after == D("2.125")
    assert stock_ledger.receive(session, item_id=rope.id, warehouse_id=wh.id, qty=D("2.5"),
                                actor=f.actor()).balance_after == D("2.5")
    with pytest.raises(ValidationFailed) as refused:
        stock_ledger.receive(session, item_id=rope.id, warehouse_id=wh.id, qty=D("2.25"), actor=f.actor())
    assert refused.value.field_errors == {"quantity": ["ROPE-1 is counted in g: at most 1 decimal"]}
    # Trailing zeros are not decimals: 3.0 ea is three.
    bolt = f.item(session, "BOLT-2", uom="ea")
    assert stock_ledger.receive(session, item_id=bolt.id, warehouse_id=wh.id, qty=D("3.000"),
                                actor=f.actor()).balance_after == D(3)


def test_a_transfer_names_every_line_with_too_many_decimals(session):
    a, b, c = f.item(session, "A-1", uom="ea"), f.item(session, "B-1", uom="box"), f.item(session, "C-1", uom="kg")
    east, west = f.warehouse(session), f.warehouse(session)
    for item in (a, b, c):
        f.stock(session, item, east, 10)
    with pytest.raises(ValidationFailed) as refused:
        stock_ledger.post_transfer(session, from_warehouse_id=east.id, to_warehouse_id=west.id,
                                   lines=[(a.id, D("1.5")), (b.id, D("0.5")), (c.id, D("0.5"))], actor=f.actor())
    assert refused.value.field_errors == {"lines": ["A-1 is counted in ea: whole numbers only",
                                                    "B-1 is counted in box: whole numbers only"]}


def test_unit_decimals_per_item_with_3_for_an_unknown_unit(session):
    ea, kg, odd = f.item(session, uom="ea"), f.item(session, uom="kg"), f.item(session, uom="drum")
    assert units_of_measure.unit_decimals(session, [ea.id, kg.id, odd.id]) == {ea.id: 0, kg.id: 3, odd.id: 3}
    assert units_of_measure.unit_decimals(session, []) == {}


def test_the_standard_units_are_there(session):
    units = {u.code: u.decimals for u in units_of_measure.list_units(session)}
    assert {"ea": 0, "pcs": 0, "box": 0, "kg": 3, "l": 3, "m": 3}.items() <= units.items()
    assert {"g", "ml"} <= set(units)


def test_an_admin_adds_and_edits_a_unit_with_audit(session):
    unit = units_of_measure.create_unit(session, {"code": "drum", "name": "Drum", "decimals": "0"},
                                        actor=f.actor())
    assert (unit.code, unit.name, unit.decimals) == ("drum", "Drum", 0)
    units_of_measure.update_unit(session, unit, {"name": "Drum (200 l)", "decimals": "1"}, actor=f.actor())
    assert session.get(UnitOfMeasure, "drum").decimals == 1


@pytest.mark.parametrize("data, field, message", [
    ({"code": "", "name": "x", "decimals": "0"}, "code", "required"),
    ({"code": "two words", "name": "x", "decimals": "0"}, "code", "letters, digits"),
    ({"code": "ea", "name": "x", "decimals": "0"}, "code", "already exists"),
    ({"code": "drum", "name": "", "decimals": "0"}, "name", "required"),
    ({"code": "drum", "name": "x", "decimals": "4"}, "decimals", "0, 1, 2 or 3"),
    ({"code": "drum", "name": "x", "decimals": "1.5"}, "decimals", "0, 1, 2 or 3"),
    ({"code": "drum", "name": "x", "decimals": ""}, "decimals", "0, 1, 2 or 3"),
])
def test_unit_input_is_validated_field_by_field(session, data, field, message):
    with pytest.raises(ValidationFailed) as refused:
        units_of_measure.create_unit(session, data, actor=f.actor())
    assert any(message in m for m in refused.value.field_errors[field]), refused.value.field_errors


def test_fewer_decimals_than_the_stock_held_is_refused(session):
    flour = f.item(session, "FLOUR-1", uom="kg")
    wh = f.warehouse(session, "WH-EAST")
    f.stock(session, flour, wh, D("2.125"))
    with pytest.raises(ValidationFailed) as refused:
        units_of_measure.update_unit(session, session.get(UnitOfMeasure, "kg"), {"decimals": "1"}, actor=f.actor())
    assert refused.value.field_errors["decimals"] == [
        "1 stock balance(s) in kg have more decimals, e.g. FLOUR-1 2.125 in WH-EAST; count or adjust them first"]
    assert session.get(UnitOfMeasure, "kg").decimals == 3
    f.stock(session, f.item(session, "SUGAR-1", uom="l"), wh, D("2.5"))
    units_of_measure.update_unit(session, session.get(UnitOfMeasure, "l"), {"decimals": "1"}, actor=f.actor())
    assert session.get(UnitOfMeasure, "l").decimals == 1


def test_an_item_must_name_a_known_unit(session):
    with pytest.raises(ValidationFailed) as refused:
        masterdata.create_item(session, {"sku": "NEW-1", "name": "New", "uom": "crate"}, actor=f.actor())
    assert refused.value.field_errors["uom"] == ["no unit of measure 'crate'; an admin can add it under Units"]
    units_of_measure.create_unit(session, {"code": "crate", "name": "Crate", "decimals": "0"}, actor=f.actor())
    assert masterdata.create_item(session, {"sku": "NEW-1", "name": "New", "uom": "crate"},
                                  actor=f.actor()).uom == "crate"


def test_an_item_cannot_move_to_a_unit_with_fewer_decimals_than_its_stock(session):
    flour = f.item(session, "FLOUR-1", uom="kg")
    wh = f.warehouse(session, "WH-EAST")
    f.stock(session, flour, wh, D("2.5"))
    with pytest.raises(ValidationFailed) as refused:
        masterdata.update_item(session, flour, {"uom": "ea"}, actor=f.actor())
    assert refused.value.field_errors["uom"] == [
        "FLOUR-1 holds 2.5 in WH-EAST, more decimals than ea allows; count or adjust it first"]
    assert flour.uom == "kg"
