"""A training class's status: the five steps of the seed's 二(四), and which moves are allowed.

The seed: the school fills in the application report (附件3), "报省人社厅、省教育厅备案后开班。
培训结束后，按照实际结业人数……申请培训补贴"; and (附件2) "开班前……将学员名单……报送". So a
class is 草稿 while the school prepares it, 已申请 once the report is sent, 已备案 once the
departments have filed it, 开班 when it opens, 结业 when training ends.

A class moves forward, one step at a time, and never back. Each step records an act done on
paper outside CertDesk (a report posted, a filing received, a class opened) and unlocks what
follows it: a filed class can no longer be deleted, completers can be marked once it is open,
a finished class claims its subsidy. Stepping back would let a class the departments hold on
file be deleted, or put a claimed class's completers back in doubt; the dialog therefore asks
before every step. What a step needs (a complete report before 已申请, a roster before 开班)
is checked by ``core.classes.records.step_problems``, which has the class's data.

Each status is stored as its Chinese word, which is also its label on the screen, in the
documents and on the command line: it is in every database and data package already, so it
never changes. The English key (``draft`` … ``finished``) is what a script may type instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from core.classes.checks import LABELS
from core.fields import FieldError, ValidationFailed

FIELD = "status"
FIELD_LABEL = LABELS[FIELD]


class ClassStatus(StrEnum):
    """The statuses in their order; the value is the stored word and the label."""

    DRAFT = "草稿"
    APPLIED = "已申请"
    FILED = "已备案"
    OPEN = "开班"
    FINISHED = "结业"

    @property
    def label(self) -> str:
        return self.value

    @property
    def key(self) -> str:
        """The English name a command line accepts as well as the label."""
        return self.name.lower()

    @property
    def following(self) -> ClassStatus | None:
        """The next step, or None for 结业."""
        return next(iter(TRANSITIONS[self]), None)

    @property
    def can_be_deleted(self) -> bool:
        """Only a draft: once the report is sent the class is on record at the departments."""
        return self is ClassStatus.DRAFT

    @property
    def marks_completion(self) -> bool:
        """Whether trainees can be marked completed: once the class has opened."""
        return self in (ClassStatus.OPEN, ClassStatus.FINISHED)

    @property
    def takes_trainees(self) -> bool:
        """Whether trainees can still join the roster: until training has ended."""
        return self is not ClassStatus.FINISHED

    @property
    def claims_subsidy(self) -> bool:
        """The subsidy is claimed by actual completers, once training has ended."""
        return self is ClassStatus.FINISHED


#: Where each status may go: one step forward, nowhere from 结业.
TRANSITIONS: Mapping[ClassStatus, frozenset[ClassStatus]] = MappingProxyType(
    {
        ClassStatus.DRAFT: frozenset({ClassStatus.APPLIED}),
        ClassStatus.APPLIED: frozenset({ClassStatus.FILED}),
        ClassStatus.FILED: frozenset({ClassStatus.OPEN}),
        ClassStatus.OPEN: frozenset({ClassStatus.FINISHED}),
        ClassStatus.FINISHED: frozenset(),
    }
)


class TransitionRefused(ValidationFailed):
    """A move the table does not allow; the message names both statuses."""

    def __init__(self, current: ClassStatus, target: ClassStatus) -> None:
        self.current = current
        self.target = target
        if target is current:
            reason = f"培训班已是“{current}”"
        elif current.following is None:
            reason = f"“{current}”是最后一步，状态不能再改"
        else:
            backwards = list(ClassStatus).index(target) < list(ClassStatus).index(current)
            rule = "状态不能回退" if backwards else "状态只能逐步推进"
            reason = f"{rule}，下一步是“{current.following}”"
        super().__init__(
            [FieldError(FIELD, FIELD_LABEL, f"不能由“{current}”改为“{target}”：{reason}")]
        )


def check_transition(current: ClassStatus, target: ClassStatus) -> None:
    """Raise ``TransitionRefused`` unless ``target`` is a step ``current`` may take."""
    if target not in TRANSITIONS[current]:
        raise TransitionRefused(current, target)


def parse_status(text: str) -> ClassStatus:
    """A status from its label (开班) or its key (open, any case); refuses anything else."""
    wanted = text.strip()
    for status in ClassStatus:
        if wanted == status.label or wanted.lower() == status.key:
            return status
    choices = "、".join(f"{s.label}（{s.key}）" for s in ClassStatus)
    raise ValidationFailed([FieldError(FIELD, FIELD_LABEL, f"应为{choices}之一：{wanted}")])
