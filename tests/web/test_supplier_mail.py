"""The supplier hears of every order sent, whatever the path (the Send button after a preview, the
API, the nightly auto-order): the message is recorded with the send, in the same transaction, and
delivered after the commit; when the mail server is down it waits in the outbox and the retry job
delivers it later. Without SCM_SMTP_HOST, messages are written as .eml files (no error on the demo).
"""
from __future__ import annotations

import email
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from lxml import html
from sqlalchemy import select

from scm.jobs import job_by_id, run_job
from scm.models import OutgoingMail, PurchaseOrder
from scm.services.planning import approval as replenishment_approval, policies as replenishment_policy
from scm.services.suppliers import profiles as suppliers
from scm.services.kernel.actors import Actor
from tests import factories as f
from tests import replen_factories as rf
from tests import supplier_factories as sf
from tests.services.test_replenishment import NOW as PLAN_NOW
from tests.services.test_replenishment import run as run_plan
from tests.web.test_purchasing_pages import _order, world  # noqa: F401  (the shared fixture)

NOW = datetime(2026, 3, 10, 9, tzinfo=timezone.utc)


def _mails(session) -> list[OutgoingMail]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def _approved(session, world):  # type: ignore[no-untyped-def]
    order = f.purchase_order(session, world["supplier"], world["warehouse"], [(world["item"], 20)], status="approved")
    session.commit()
    return order


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(html.fromstring(response.data).text_content().split())


def test_send_shows_a_preview_then_confirm_sends_and_mails(app, client, session, login_as, world):
    order = _approved(session, world)
    login_as("buyer")
    detail = html.fromstring(client.get(f"/purchasing/orders/{order.id}").data)
    [link] = detail.xpath("//a[normalize-space()='Send to supplier']")
    preview = client.get(link.get("href"))
    assert preview.status_code == 200
    page = html.fromstring(preview.data)
    text = _text(preview)
    assert "sales@acme.example" in text and f"Purchase order {order.number}" in text
    assert "BOLT-1 Hex bolt: 20 ea at 2.00 USD" in page.xpath("//pre[@id='mail-body']")[0].text_content()
    assert "Total: 40.00 USD" in text
    assert page.xpath("//form//button[normalize-space()='Confirm and send']")
    assert page.xpath(f"//a[normalize-space()='Cancel'][@href='/purchasing/orders/{order.id}']")
    assert _order(session, order.id).status == "approved" and _mails(session) == []   # a preview changes nothing

    response = client.post(f"/purchasing/orders/{order.id}/send", follow_redirects=True)
    assert _order(session, order.id).status == "sent"
    assert "E-mailed to sales@acme.example" in _text(response)
    [mail] = _mails(session)
    assert mail.sent_at is not None and mail.recipients == "sales@acme.example" and mail.source_id == order.id
    [message] = app.config["SCM_MAIL_OUTBOX"]
    assert message["Subject"] == f"Purchase order {order.number}" and "Total: 40.00 USD" in message.get_content()


def test_the_api_send_mails_the_supplier(app, client, session, world):
    order = _approved(session, world)
    token = {"Authorization": f"Bearer {f.api_token(session, f.user(session, 'buyer'))}"}
    response = client.post(f"/api/v1/purchase-orders/{order.id}/send", headers=token, json={})
    assert response.status_code == 200 and response.json["status"] == "sent"
    assert response.json["mail"]["to"] == ["sales@acme.example"] and response.json["mail"]["status"] == "sent"
    [message] = app.config["SCM_MAIL_OUTBOX"]
    assert message["To"] == "sales@acme.example" and order.number in message["Subject"]


def test_the_nightly_auto_order_mails_the_supplier(app, session):
    main, item, acme = f.warehouse(session, "MAIN"), f.item(session, "BOLT", abc_class="B"), f.supplier(session, "ACME")
    suppliers.add_contact(session, acme.id, {"name": "Orders", "email": "orders@acme.example"}, actor=f.actor())
    sf.entry(session, acme, item, "primary", 100000, lead=7)
    rf.daily_forecast(session, item, main, 10.0, sigma=3.0)
    buyer = Actor.for_user(f.user(session, "buyer", approval_limit=Decimal(10000)), "web")
    replenishment_policy.set_policy(session, item.id, main.id, {"auto_order": "yes"}, actor=buyer)
    f.stock(session, item, main, 30)
    plan = run_plan(session)
    assert replenishment_approval.auto_order(session, plan.id, now=PLAN_NOW)["sent"] == 1
    order = session.scalar(select(PurchaseOrder))
    [mail] = _mails(session)
    assert (mail.recipients, mail.source_id, mail.sent_at) == ("orders@acme.example", order.id, None)
    session.commit()
    run_job(session, job_by_id("outgoing-mail"), now=PLAN_NOW + timedelta(minutes=5))
    [message] = app.config["SCM_MAIL_OUTBOX"]
    assert message["To"] == "orders@acme.example" and _mails(session)[0].sent_at is not None


def test_smtp_down_keeps_the_message_and_the_job_delivers_it_later(app, client, session, login_as, world):
    app.config.update(SCM_MAIL_BACKEND="smtp", SCM_SMTP_HOST="127.0.0.1", SCM_SMTP_PORT=9)   # nothing listens
    order = _approved(session, world)
    login_as("buyer")
    response = client.post(f"/purchasing/orders/{order.id}/send", follow_redirects=True)
    assert _order(session, order.id).status == "sent"
    assert "will be retried" in _text(response)
    [mail] = _mails(session)
    assert mail.sent_at is None and mail.attempts == 1 and "refused" in mail.last_error
    assert "not delivered yet" in _text(client.get(f"/purchasing/orders/{order.id}"))

    app.config.update(SCM_MAIL_BACKEND="outbox")                                          # the server is back
    with app.app_context():
        run = run_job(session, job_by_id("outgoing-mail"), now=NOW)
    assert run.status == "ok" and "1 sent" in run.result
    [mail] = _mails(session)
    assert mail.sent_at is not None and mail.attempts == 2
    assert len(app.config["SCM_MAIL_OUTBOX"]) == 1
    assert "E-mailed" in _text(client.get(f"/purchasing/orders/{order.id}"))


def test_a_refused_send_records_no_message(client, session, login_as, world):
    order = f.purchase_order(session, world["supplier"], world["warehouse"], [(world["item"], 20)])  # a draft
    session.commit()
    login_as("buyer")
    response = client.post(f"/purchasing/orders/{order.id}/send", follow_redirects=True)
    assert "it cannot become sent" in _text(response)
    assert _mails(session) == []


def test_without_an_smtp_host_the_mail_is_written_to_the_local_outbox(make_app, tmp_path, session):
    from scm.services.kernel import mail as mailer
    config = {"TESTING": False, "SCM_MAIL_BACKEND": "", "SCM_SMTP_HOST": "", "SCM_MAIL_DIR": str(tmp_path / "outbox")}
    mailer.send_mail(config, ["sales@acme.example"], "Purchase order PO-1", "Dear Acme,")
    [written] = list((tmp_path / "outbox").glob("*.eml"))
    message = email.message_from_bytes(written.read_bytes())
    assert message["To"] == "sales@acme.example" and message["Subject"] == "Purchase order PO-1"
