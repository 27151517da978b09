"""The request that sent an order and the retry job deliver the same e-mail at the same moment: the
supplier gets it once (file SQLite here, PostgreSQL with SCM_TEST_DATABASE_URL).

Eight deliverers, each with its own session, are released together on one waiting message; the mail
backend is slow (0.2 s) so they overlap. The guarded claim lets one send. The negative control runs
the same race through a naive read-then-send (no claim): the supplier then gets it several times,
which proves the test can see a double send.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import OutgoingMail
from scm.services.kernel import mail as mailer, outbox
from tests.concurrency.harness import run_together

NOW = datetime(2026, 3, 10, 9, 5, tzinfo=timezone.utc)
WORKERS = 8


@pytest.fixture
def slow_mail(monkeypatch, session):  # type: ignore[no-untyped-def]
    """One waiting message, and a mail backend that records each hand-over and takes its time."""
    sent: list[str] = []
    lock = threading.Lock()

    def send_mail(_config, to, subject, body):  # type: ignore[no-untyped-def]
        time.sleep(0.2)
        with lock:
            sent.append(subject)

    monkeypatch.setattr(mailer, "send_mail", send_mail)
    outbox.enqueue(session, to=["sales@acme.example"], subject="Purchase order PO-000001", body="Dear Acme,",
                   now=NOW, source_type="purchase_order", source_id=1)
    session.commit()
    session.close()   # SQLite transactions begin IMMEDIATE: hold none while the workers race
    return sent


def test_concurrent_deliveries_send_a_message_once(db, session, slow_mail):
    outcomes = run_together(db.engine, WORKERS, lambda s, _i: outbox.deliver(s, {}, now=NOW))
    assert not outcomes.errors, outcomes.errors
    assert slow_mail == ["Purchase order PO-000001"]
    assert sum(d.sent for d in outcomes.results) == 1
    mail = session.scalar(select(OutgoingMail))
    assert mail.sent_at is not None and mail.attempts == 1 and mail.claimed_until is None


def test_negative_control_without_the_claim_the_supplier_gets_it_several_times(db, session, slow_mail):
    def naive(s: Session, _index: int) -> int:
        """Read what is waiting, end the transaction (no lock held while the mail server answers), send,
        then mark it sent: the obvious outbox without a claim."""
        waiting = list(s.execute(select(OutgoingMail.id, OutgoingMail.recipients, OutgoingMail.subject,
                                        OutgoingMail.body).where(OutgoingMail.sent_at.is_(None))))
        s.commit()
        for mail_id, recipients, subject, body in waiting:
            mailer.send_mail({}, recipients.split(","), subject, body)
            s.get(OutgoingMail, mail_id).sent_at = NOW
            s.commit()
        return len(waiting)

    outcomes = run_together(db.engine, WORKERS, naive)
    assert len(slow_mail) > 1, "the race did not overlap: the test could not see a double send"
    assert sum(outcomes.results) == len(slow_mail)
