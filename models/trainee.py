"""Trainees and the certificates they hold."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Computed, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, SyncMixin


class Trainee(SyncMixin, Base):
    """A student, graduate or enterprise worker.

    The same person may legitimately be a trainee at two schools, so the ID number is unique
    per origin, not globally.
    """

    __tablename__ = "trainees"
    __table_args__ = (
        UniqueConstraint("origin", "id_number"),
        Index("ix_trainees_name", "name"),
        Index("ix_trainees_id_number", "id_number"),
        Index("ix_trainees_phone", "phone"),
        # Progress counts this year's graduates per institution: (year, origin) answers it
        # from the index alone.
        Index("ix_trainees_graduation_year_origin", "graduation_year", "origin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str] = mapped_column(String(2), default="")
    id_number: Mapped[str] = mapped_column(String(18))
    phone: Mapped[str] = mapped_column(String(20), default="")
    identity: Mapped[str] = mapped_column(String(20), default="在校学生")
    employer: Mapped[str] = mapped_column(String(100), default="")
    major: Mapped[str] = mapped_column(String(100), default="")
    class_name: Mapped[str] = mapped_column(String(100), default="")
    graduation_year: Mapped[int | None] = mapped_column(Integer)
    # The last four characters, kept by the database itself, so that a search by the last
    # digits of an ID number or phone (what a clerk reads off a card) is an index lookup
    # instead of a scan. substr(x, length(x) - 3) means the same on SQLite and PostgreSQL.
    id_number_tail: Mapped[str] = mapped_column(
        String(4), Computed("substr(id_number, length(id_number) - 3)", persisted=True), index=True
    )
    phone_tail: Mapped[str] = mapped_column(
        String(4), Computed("substr(phone, length(phone) - 3)", persisted=True), index=True
    )

    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="trainee", cascade="all, delete-orphan", passive_deletes=True
    )


class Certificate(SyncMixin, Base):
    """A certificate of one of the five kinds the plan names, at a national skill level."""

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("origin", "number"),
        Index("ix_certificates_level", "level"),
        # The unique (origin, number) index cannot serve a search by number alone.
        Index("ix_certificates_number", "number"),
        Index("ix_certificates_issue_date", "issue_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(
        ForeignKey("trainees.id", ondelete="CASCADE"), index=True
    )
    cert_type: Mapped[str] = mapped_column(String(30))
    occupation: Mapped[str] = mapped_column(String(100))
    occupation_code: Mapped[str] = mapped_column(String(20), default="")
    level: Mapped[str] = mapped_column(String(20))
    number: Mapped[str | None] = mapped_column(String(50))
    issue_date: Mapped[date | None] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(100), default="")
    route: Mapped[str] = mapped_column(String(20), default="考核评价")

    trainee: Mapped[Trainee] = relationship(back_populates="certificates")
