"""Adding or editing one certificate: the trainee picked by search, then the certificate as
printed on it, checked as the clerk types."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QSize, QStringListModel, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from application import certificates
from application.trainees import picked_trainee
from core import reference
from core.fields import ValidationFailed
from core.trainees.certificates import CertificateFields, counted_level
from core.trainees.search import TraineeHit
from gui.record_dialog import (
    FieldMarks,
    RecordDialog,
    chain_tab_order,
    error_label,
)
from gui.trainee_picker import TraineePicker, describe, where_from
from gui.widgets import plain_label
from models.database import Database

NO_LEVEL_TEXT = "（无等级）"
DATE_FORMAT = "yyyy-MM-dd"


class CertificateDialog(RecordDialog):
    """``certificate_id`` None adds a certificate (for ``trainee_id`` when given)."""

    def __init__(
        self,
        database: Database,
        certificate_id: int | None = None,
        trainee_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("certificate", QSize(640, 560), parent)
        self.database = database
        self.certificate_id = certificate_id
        self.setWindowTitle("新增证书" if certificate_id is None else "修改证书")
        self._trainee: TraineeHit | None = None
        self.general = error_label()
        self.marks = FieldMarks(self.general)
        self._make_editors()
        self._lay_out()
        with self.loading():
            self._load(trainee_id)
        self._connect()
        self._validate()
        (self.picker.search if self._trainee is None else self.cert_type).setFocus()

    def _make_editors(self) -> None:
        self.picker = TraineePicker(self.database)
        self.picker.results.setMaximumHeight(110)
        self.trainee_label = plain_label("尚未选择学员")
        self.cert_type = QComboBox()
        self.cert_type.addItems([c.name for c in reference.certificate_types()])
        self.occupation = QLineEdit()
        self.occupation_code = QLineEdit()
        self.occupation_code.setPlaceholderText("如 4-04-05-01，可不填")
        self.level = QComboBox()
        self.level.addItems([NO_LEVEL_TEXT, *(lv.name for lv in reference.skill_levels())])
        self.number = QLineEdit()
        self.issue_date = QDateEdit()
        self.issue_date.setCalendarPopup(True)
        self.issue_date.setDisplayFormat(DATE_FORMAT)
        self.issue_date.setMaximumDate(QDate.currentDate())
        self.issuer = QLineEdit()
        self.route = QComboBox()
        self.route.addItems(list(reference.training_rules().certificate_routes))
        self.counting = QLabel()
        self.target_level = certificates.target_level(self.database)
        suggestions = certificates.occupation_suggestions(self.database)
        completer = QCompleter(QStringListModel(suggestions, self), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.occupation.setCompleter(completer)

    def _lay_out(self) -> None:
        """Rows in the order of the certificate itself; Tab follows them."""
        form = QFormLayout()
        trainee_box = QWidget()
        trainee_layout = QVBoxLayout(trainee_box)
        trainee_layout.setContentsMargins(0, 0, 0, 0)
        trainee_layout.addWidget(self.picker)
        trainee_layout.addWidget(self.trainee_label)
        self.marks.add_row(form, "学员", "trainee_id", trainee_box, self.picker.search)
        self.marks.add_row(form, "证书类型", "cert_type", self.cert_type)
        self.marks.add_row(form, "职业（工种）", "occupation", self.occupation)
        self.marks.add_row(form, "职业编码", "occupation_code", self.occupation_code)
        self.marks.add_row(form, "等级", "level", self.level)
        self.marks.add_row(form, "证书编号", "number", self.number)
        self.marks.add_row(form, "发证日期", "issue_date", self.issue_date)
        self.marks.add_row(form, "发证机构", "issuer", self.issuer)
        self.marks.add_row(form, "取得途径", "route", self.route)
        form.addRow("计入附件1", self.counting)
        buttons, self.save_button = self.confirm_buttons()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.general)
        layout.addWidget(buttons)
        # Only once the button is inside the dialog does the dialog take it as its default:
        # Enter then saves from any field, even after other buttons have had the focus.
        self.save_button.setDefault(True)
        chain_tab_order(
            [
                self.picker.search,
                self.picker.results,
                self.cert_type,
                self.occupation,
                self.occupation_code,
                self.level,
                self.number,
                self.issue_date,
                self.issuer,
                self.route,
                self.save_button,
            ]
        )

    def _connect(self) -> None:
        self.picker.picked.connect(self._picked)
        for field, signal in (
            ("cert_type", self.cert_type.currentIndexChanged),
            ("occupation", self.occupation.textEdited),
            ("occupation_code", self.occupation_code.textEdited),
            ("level", self.level.currentIndexChanged),
            ("number", self.number.textEdited),
            ("issue_date", self.issue_date.dateChanged),
            ("issuer", self.issuer.textEdited),
            ("route", self.route.currentIndexChanged),
        ):
            signal.connect(lambda *_args, field=field: self._edited(field))

    def _load(self, trainee_id: int | None) -> None:
        # Most certificates schools record are 职业技能等级证书: the graded kind is the default.
        graded = next(c.name for c in reference.certificate_types() if c.graded)
        self.cert_type.setCurrentText(graded)
        self.issue_date.setDate(QDate.currentDate())
        if self.certificate_id is not None:
            stored = certificates.certificate_form(self.database, self.certificate_id)
            self._fill(stored)
            trainee_id = stored.trainee_id
        if trainee_id is not None:
            self._trainee = picked_trainee(self.database, trainee_id)
        self._show_trainee()

    def _fill(self, fields: CertificateFields) -> None:
        self.cert_type.setCurrentText(fields.cert_type)
        self.occupation.setText(fields.occupation)
        self.occupation_code.setText(fields.occupation_code)
        self.level.setCurrentText(fields.level or NO_LEVEL_TEXT)
        self.number.setText(fields.number)
        if fields.issue_date is not None:
            self.issue_date.setDate(fields.issue_date)
        self.issuer.setText(fields.issuer)
        self.route.setCurrentText(fields.route)

    def _show_trainee(self) -> None:
        if self._trainee is None:
            self.trainee_label.setText("尚未选择学员")
        else:
            origin = where_from(self._trainee)
            suffix = f"  {origin}" if origin else ""
            self.trainee_label.setText(f"已选：{describe(self._trainee)}{suffix}")

    def _picked(self, hits: list[TraineeHit]) -> None:
        self._trainee = hits[0]
        self._show_trainee()
        self._edited("trainee_id")
        self.cert_type.setFocus()

    def fields(self) -> CertificateFields:
        level = self.level.currentText()
        issued = self.issue_date.date()
        return CertificateFields(
            trainee_id=self._trainee.id if self._trainee else None,
            cert_type=self.cert_type.currentText(),
            occupation=self.occupation.text(),
            level="" if level == NO_LEVEL_TEXT else level,
            number=self.number.text(),
            issue_date=date(issued.year(), issued.month(), issued.day()),
            issuer=self.issuer.text(),
            route=self.route.currentText(),
            occupation_code=self.occupation_code.text(),
        )

    def _edited(self, field: str) -> None:
        self.mark_dirty()
        self.marks.touch(field)
        self._validate()

    def _validate(self) -> None:
        fields = self.fields()
        errors = certificates.check_certificate_input(self.database, self.certificate_id, fields)
        self.marks.show(errors)
        self._show_counting(fields)

    def _show_counting(self, fields: CertificateFields) -> None:
        counted = counted_level(fields.cert_type, fields.level)
        if counted is None:
            text = "不计入附件1任务"
        elif self.target_level is None:
            text = f"可计入{counted}任务"
        elif reference.counts_toward(fields.cert_type, fields.level, self.target_level):
            text = f"计入本机构{self.target_level}任务"
        else:
            text = f"只够{counted}，不计入本机构{self.target_level}任务"
        kind = reference.certificate_type(fields.cert_type)
        self.counting.setText(text)
        self.counting.setToolTip(kind.note if kind else "")

    def accept(self) -> None:
        try:
            if self.certificate_id is None:
                self.certificate_id = certificates.add_certificate(self.database, self.fields())
            else:
                certificates.edit_certificate(self.database, self.certificate_id, self.fields())
        except ValidationFailed as refused:
            self.marks.refuse(refused.errors)
            return
        self.mark_clean()
        super().accept()
