"""The schema, the engine and the migrations: everything that knows how rows are stored.

Importing this package registers every table on ``Base.metadata``.
"""

from models.audit import AuditEntry
from models.base import Base, SyncMixin
from models.exchange import ExchangePackage, ImportConflict, SentRevision, TrustedKey
from models.institution import Institution, OfferedOccupation, ServedIndustry
from models.sync import Setting, Tombstone
from models.trainee import Certificate, Trainee
from models.training import Enrolment, PlanItem, TrainingClass

__all__ = [
    "AuditEntry",
    "Base",
    "Certificate",
    "Enrolment",
    "ExchangePackage",
    "ImportConflict",
    "Institution",
    "OfferedOccupation",
    "PlanItem",
    "SentRevision",
    "ServedIndustry",
    "Setting",
    "SyncMixin",
    "Tombstone",
    "Trainee",
    "TrainingClass",
    "TrustedKey",
]
