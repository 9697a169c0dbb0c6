"""Adding or editing one trainee, checked as the clerk types.

Gender and birth date are not typed: the ID number says them, and a second source could
only disagree. A number that is already registered is caught as soon as it is complete,
with a button that abandons this entry and shows the trainee who holds it.

The form holds a stored trainee's ID number and phone masked, not in full: 显示 fetches the
number through ``application.trainees.reveal_full_number``, which records the viewing, and a
number never revealed is kept as stored when the form is saved.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSize
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from application.trainees import (
    BLANK,
    KEEP,
    NumberField,
    TraineeCheck,
    TraineeEdit,
    add_trainee,
    check_trainee_input,
    edit_trainee,
    reveal_full_number,
    show_trainee,
)
from core import reference
from core.fields import FieldError, ValidationFailed
from core.identity.idcard import mask_id_number
from core.identity.phone import mask_phone
from core.trainees.records import DuplicateIdNumber
from gui.record_dialog import FieldMarks, RecordDialog, chain_tab_order, error_label, with_message
from gui.widgets import MaskedLineEdit
from models.database import Database

#: ``exec()`` result when the clerk chose to go to the trainee who holds the ID number.
JUMP_TO_EXISTING = 2
WARNING_STYLE = "color: #9a6700;"


class TraineeDialog(RecordDialog):
    """``trainee_id`` None adds a trainee. After ``exec()``: ``saved_id`` or ``jump_to``."""

    def __init__(
        self, database: Database, trainee_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__("trainee", QSize(560, 460), parent)
        self.database = database
        self.trainee_id = trainee_id
        self.saved_id: int | None = None
        self.jump_to: int | None = None
        self._duplicate: DuplicateIdNumber | None = None
        self.setWindowTitle("新增学员" if trainee_id is None else "修改学员")
        self.general = error_label()
        self.marks = FieldMarks(self.general)
        self._make_editors()
        self._lay_out()
        with self.loading():
            self._load()
        self._connect()
        self._validate()
        self.name.setFocus()

    def _make_editors(self) -> None:
        self.name = QLineEdit()
        self.id_number = MaskedLineEdit(mask_id_number)
        self.id_number.line.setMaxLength(30)
        self.id_number.line.setPlaceholderText("18位，末位可为X")
        self.derived = QLabel("—")
        self.id_warning = QLabel()
        self.id_warning.setStyleSheet(WARNING_STYLE)
        self.id_warning.setWordWrap(True)
        self.id_warning.hide()
        self.jump = QPushButton("放弃本次录入，转到该学员")
        self.jump.setAutoDefault(False)
        self.jump.hide()
        self.phone = MaskedLineEdit(mask_phone)
        self.phone.line.setPlaceholderText("11位手机号，可不填")
        self.identity = QComboBox()
        self.identity.addItems([i.name for i in reference.trainee_identities()])
        self.major = QLineEdit()
        self.class_name = QLineEdit()
        self.graduation_year = QLineEdit()
        self.graduation_year.setValidator(QIntValidator(0, 9999, self))
        self.graduation_year.setPlaceholderText("如 2021，可不填")
        self.employer = QLineEdit()
        self.employer.setPlaceholderText("企业职工、新招录员工填写")

    def _lay_out(self) -> None:
        """The roster's order (姓名、性别、身份证号、手机号), then the rest; Tab follows it."""
        form = QFormLayout()
        self.marks.add_row(form, "姓名", "name", self.name)
        checked_id, message = with_message(self.id_number)
        self.marks.bind("id_number", self.id_number.line, message)
        id_box = QWidget()
        id_layout = QVBoxLayout(id_box)
        id_layout.setContentsMargins(0, 0, 0, 0)
        id_layout.setSpacing(2)
        id_layout.addWidget(checked_id)
        jump_row = QHBoxLayout()
        jump_row.addWidget(self.jump)
        jump_row.addStretch(1)
        id_layout.addLayout(jump_row)
        form.addRow("身份证号", id_box)
        form.addRow("", self.id_warning)
        form.addRow("性别 / 出生日期", self.derived)
        self.marks.add_row(form, "手机号", "phone", self.phone, self.phone.line)
        self.marks.add_row(form, "身份", "identity", self.identity)
        self.marks.add_row(form, "专业", "major", self.major)
        self.marks.add_row(form, "班级", "class_name", self.class_name)
        self.marks.add_row(form, "毕业年份", "graduation_year", self.graduation_year)
        self.marks.add_row(form, "工作单位", "employer", self.employer)
        buttons, self.save_button = self.confirm_buttons(default=True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.general)
        layout.addWidget(buttons)
        chain_tab_order(
            [
                self.name,
                self.id_number.line,
                self.id_number.toggle,
                self.jump,
                self.phone.line,
                self.phone.toggle,
                self.identity,
                self.major,
                self.class_name,
                self.graduation_year,
                self.employer,
                self.save_button,
            ]
        )

    def _connect(self) -> None:
        for field, signal in (
            ("name", self.name.textEdited),
            ("id_number", self.id_number.line.textEdited),
            ("phone", self.phone.line.textEdited),
            ("identity", self.identity.currentIndexChanged),
            ("major", self.major.textEdited),
            ("class_name", self.class_name.textEdited),
            ("graduation_year", self.graduation_year.textEdited),
            ("employer", self.employer.textEdited),
        ):
            signal.connect(lambda *_args, field=field: self._edited(field))
        self.jump.clicked.connect(self._jump)

    def _load(self) -> None:
        trainee_id = self.trainee_id
        if trainee_id is None:
            return
        stored = show_trainee(self.database, trainee_id)
        if stored is None:
            raise LookupError(f"学员 {trainee_id} 不存在")
        self.name.setText(stored.name)
        self.id_number.set_hidden(stored.id_number, lambda: self._reveal(trainee_id, "id_number"))
        self.phone.set_hidden(stored.phone, lambda: self._reveal(trainee_id, "phone"))
        self.identity.setCurrentText(stored.identity)
        self.major.setText(stored.major)
        self.class_name.setText(stored.class_name)
        year = stored.graduation_year
        self.graduation_year.setText("" if year is None else str(year))
        self.employer.setText(stored.employer)

    def _reveal(self, trainee_id: int, field: NumberField) -> str:
        return reveal_full_number(self.database, trainee_id, field, "学员编辑窗口")

    def edit(self) -> TraineeEdit:
        """The form as an edit: a number still hidden (never revealed) is kept as stored."""
        year = self.graduation_year.text().strip()
        id_number, phone = self.id_number.value(), self.phone.value()
        return TraineeEdit(
            name=self.name.text(),
            id_number=KEEP if id_number is None else id_number,
            phone=KEEP if phone is None else phone,
            identity=self.identity.currentText(),
            major=self.major.text(),
            class_name=self.class_name.text(),
            graduation_year=int(year) if year else None,
            employer=self.employer.text(),
        )

    def _edited(self, field: str) -> None:
        self.mark_dirty()
        self.marks.touch(field)
        self._validate()

    def _validate(self) -> list[FieldError]:
        checked = check_trainee_input(self.database, self.trainee_id, self.edit())
        errors = list(checked.errors)
        self._duplicate = next((e for e in errors if isinstance(e, DuplicateIdNumber)), None)
        if self._duplicate is not None:
            self.marks.touch("id_number")
        self.marks.show(errors)
        self.jump.setVisible(self._duplicate is not None)
        self._show_derived(checked)
        return errors

    def _show_derived(self, checked: TraineeCheck) -> None:
        if checked.birth_date is None:
            self.derived.setText("由身份证号自动得出")
        else:
            parts = [checked.gender or "", _show_date(checked.birth_date), checked.region or ""]
            self.derived.setText("  ".join(p for p in parts if p))
        warnings = [w.message for w in checked.warnings]
        self.id_warning.setText("；".join(warnings))
        self.id_warning.setVisible(bool(warnings))

    def _jump(self) -> None:
        if self._duplicate is None:
            return
        self.jump_to = self._duplicate.existing_id
        self.mark_clean()
        self.done(JUMP_TO_EXISTING)

    def accept(self) -> None:
        try:
            if self.trainee_id is None:
                saved = add_trainee(self.database, self.edit().applied_to(BLANK))
            else:
                saved = edit_trainee(self.database, self.trainee_id, self.edit())
        except ValidationFailed as refused:
            self.marks.refuse(refused.errors)
            return
        self.saved_id = saved.trainee_id
        self.mark_clean()
        super().accept()


def _show_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
