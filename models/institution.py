"""The institution: the installation's own school or bureau, and at a bureau the ones it holds."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, SyncMixin


class Institution(SyncMixin, Base):
    """One row of Annex 2's institution information plus Annex 4's contact and capacity.

    ``is_local`` marks the installation's own institution; every other row arrived in a package.
    """

    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    category: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(10), default="school")
    division_code: Mapped[str] = mapped_column(String(6))
    address: Mapped[str] = mapped_column(String(200), default="")
    admin_name: Mapped[str] = mapped_column(String(50), default="")
    admin_id_number: Mapped[str] = mapped_column(String(18), default="")
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    training_capacity: Mapped[int | None] = mapped_column(Integer)
    annex1_unit: Mapped[str | None] = mapped_column(String(100))
    is_local: Mapped[bool] = mapped_column(Boolean, default=False)

    occupations: Mapped[list[OfferedOccupation]] = relationship(
        back_populates="institution",
        cascade="all, delete-orphan",
        order_by="OfferedOccupation.position",
    )
    industries: Mapped[list[ServedIndustry]] = relationship(
        back_populates="institution",
        cascade="all, delete-orphan",
        order_by="ServedIndustry.position",
    )


class OfferedOccupation(SyncMixin, Base):
    """An occupation (工种) the institution can train: a cell of Annex 4's third column."""

    __tablename__ = "offered_occupations"
    __table_args__ = (UniqueConstraint("institution_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(20), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    institution: Mapped[Institution] = relationship(back_populates="occupations")


class ServedIndustry(SyncMixin, Base):
    """One of the 24 industries the institution can serve: Annex 4's fourth column."""

    __tablename__ = "served_industries"
    __table_args__ = (UniqueConstraint("institution_id", "industry_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), index=True
    )
    industry_code: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(Integer, default=0)

    institution: Mapped[Institution] = relationship(back_populates="industries")
