"""Suppliers: profile, contacts, addresses, documents, certifications and the certificates items require.

Users of role supplier link to `suppliers.id` (users.supplier_id).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scm.models.base import Base, UTCDateTime, utcnow

SUPPLIER_STATUSES = ("active", "probation", "blocked")
ADDRESS_KINDS = ("office", "billing", "shipping", "plant")
DOCUMENT_KINDS = ("certificate", "contract", "insurance", "other")
# Suggested certification types; others may be typed in (matched exactly after tidying spaces).
CERTIFICATION_TYPES = ("ISO 9001", "ISO 14001", "ISO 45001", "IATF 16949", "AS9100", "ISO 13485",
                       "FSSC 22000", "BRCGS", "HACCP", "RoHS", "UL")


class Supplier(Base):
    __tablename__ = "suppliers"
    __table_args__ = (CheckConstraint("status IN ('active','probation','blocked')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="active")
    status_reason: Mapped[str] = mapped_column(String(500), default="")
    status_since: Mapped[date | None] = mapped_column(Date)
    payment_terms: Mapped[str] = mapped_column(String(80), default="")
    currency: Mapped[str] = mapped_column(String(3), default="USD")  # ISO 4217
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SupplierContact(Base):
    __tablename__ = "supplier_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    role: Mapped[str] = mapped_column(String(80), default="")  # sales, quality, accounts...
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SupplierAddress(Base):
    __tablename__ = "supplier_addresses"
    __table_args__ = (CheckConstraint("kind IN ('office','billing','shipping','plant')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="office")
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SupplierDocument(Base):
    """An uploaded file (PDF, PNG or JPEG, checked by its bytes), kept in the database.

    `content` is deferred so lists never load the bytes; only the download does.
    """

    __tablename__ = "supplier_documents"
    __table_args__ = (
        CheckConstraint("kind IN ('certificate','contract','insurance','other')", name="kind"),
        CheckConstraint("size > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="other")
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Certification(Base):
    """A certificate held by a supplier, valid from `issued_on` through `expires_on` (inclusive)."""

    __tablename__ = "certifications"
    __table_args__ = (
        CheckConstraint("expires_on >= issued_on", name="dates_ordered"),
        Index("ix_certifications_supplier_type", "supplier_id", "cert_type"),
        Index("ix_certifications_expires_on", "expires_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    cert_type: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(80), default="")
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("supplier_documents.id"))
    reminded_on: Mapped[date | None] = mapped_column(Date)  # the expiry reminder went out that day
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ItemCertRequirement(Base):
    """An item may only be bought from suppliers holding a valid certificate of this type."""

    __tablename__ = "item_cert_requirements"
    __table_args__ = (UniqueConstraint("item_id", "cert_type", name="uq_item_cert_requirements_item_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    cert_type: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
