"""Training classes (Annex 3), their teaching plans and their rosters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, SyncMixin
from models.trainee import Trainee


class TrainingClass(SyncMixin, Base):
    """A class opened for an industry: every blank of the Annex 3 application report."""

    __tablename__ = "training_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    industry_code: Mapped[str] = mapped_column(String(8))
    occupation: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(10), default="定向")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(200), default="")
    planned_headcount: Mapped[int] = mapped_column(Integer, default=0)
    participant_identity: Mapped[str] = mapped_column(String(50), default="企业职工")
    total_hours: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default="草稿")
    subsidy_per_person: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal(0))

    plan_items: Mapped[list[PlanItem]] = relationship(
        back_populates="training_class",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PlanItem.position",
    )
    enrolments: Mapped[list[Enrolment]] = relationship(
        back_populates="training_class", cascade="all, delete-orphan", passive_deletes=True
    )


class PlanItem(SyncMixin, Base):
    """A module of the teaching plan (教学计划), Annex 3's second attachment."""

    __tablename__ = "plan_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_classes.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    module: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(String(500), default="")
    theory_hours: Mapped[int] = mapped_column(Integer, default=0)
    practice_hours: Mapped[int] = mapped_column(Integer, default=0)
    teacher: Mapped[str] = mapped_column(String(50), default="")

    training_class: Mapped[TrainingClass] = relationship(back_populates="plan_items")


class Enrolment(SyncMixin, Base):
    """A trainee on a class roster, with the voucher steps of Annex 2 and the outcome."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("class_id", "trainee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_classes.id", ondelete="CASCADE"), index=True
    )
    trainee_id: Mapped[int] = mapped_column(
        ForeignKey("trainees.id", ondelete="CASCADE"), index=True
    )
    voucher_issued: Mapped[bool] = mapped_column(Boolean, default=False)
    voucher_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    completion_date: Mapped[date | None] = mapped_column(Date)

    training_class: Mapped[TrainingClass] = relationship(back_populates="enrolments")
    trainee: Mapped[Trainee] = relationship()
