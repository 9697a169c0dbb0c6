"""Creating or editing a training class: every blank of the Annex 3 application report, the
teaching plan, the roster, and the class's steps (``core.classes.status``).

The application fields come first and in the order the report's sentence asks for them
(“我校对接__产业集群培训需求，拟于__至__在__开设__培训班，培训人数__，参培人员身份为__，
培训共计__课时”), so Tab walks the paper form. Saving hands the class, its plan and its
roster to one use case of ``application.classes``, which writes them in one transaction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QDate, QSize, QStringListModel, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from application.classes import (
    ClassInput,
    create_class,
    edit_class,
    occupation_choices,
    show_class,
)
from core import reference
from core.classes.checks import ClassFields, check_class, directed_end_range
from core.classes.status import ClassStatus
from core.fields import FieldError, ValidationFailed
from gui.plan_editor import PlanEditor
from gui.record_dialog import (
    FieldMarks,
    RecordDialog,
    chain_tab_order,
    error_label,
    set_message,
    with_message,
)
from gui.roster_editor import RosterEditor
from models.database import Database

DATE_FORMAT = "yyyy-MM-dd"
FORM_TAB, PLAN_TAB, ROSTER_TAB = 0, 1, 2
#: Refusals about these fields are shown on the plan and roster tabs, not the form.
TAB_OF_FIELD = {"plan": PLAN_TAB, "plan_total": PLAN_TAB, "roster": ROSTER_TAB}


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ClassDialog(RecordDialog):
    """``class_id`` None creates a class (as a draft)."""

    def __init__(
        self, database: Database, class_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__("class", QSize(1040, 680), parent)
        self.database = database
        self.class_id = class_id
        self.status = ClassStatus.DRAFT
        self._end_touched = class_id is not None
        self.setWindowTitle("新建培训班" if class_id is None else "修改培训班")
        self.general = error_label()
        self.marks = FieldMarks(self.general)
        self._make_editors()
        self._lay_out()
        with self.loading():
            self._load()
        self._connect()
        self._refresh()
        self.industry.setFocus()

    # --- building ---------------------------------------------------------------------------

    def _make_editors(self) -> None:
        rules = reference.training_rules()
        self.industry = QComboBox()
        self.industry.setPlaceholderText("请选择14个战略性新兴产业或十大产业集群之一")
        for group in dict.fromkeys(i.group for i in reference.industries()):
            for industry in reference.industries():
                if industry.group == group:
                    self.industry.addItem(f"{industry.full_name}（{group}）", industry.code)
            self.industry.insertSeparator(self.industry.count())
        self.industry.removeItem(self.industry.count() - 1)
        self.industry.setCurrentIndex(-1)
        self.kind = QComboBox()
        self.kind.addItems(list(rules.class_kinds))
        self.occupation = QLineEdit()
        self.start_date = QDateEdit()
        self.end_date = QDateEdit()
        for editor in (self.start_date, self.end_date):
            editor.setCalendarPopup(True)
            editor.setDisplayFormat(DATE_FORMAT)
        self.end_hint = QLabel()
        self.end_hint.setStyleSheet("color: #666;")
        self.location = QLineEdit()
        self.name = QLineEdit()
        self.name.setPlaceholderText("如：信息技术应用创新产业运维工程师定向培训班")
        self.planned_headcount = QSpinBox()
        self.planned_headcount.setRange(0, 100_000)
        self.planned_headcount.setSuffix(" 人")
        self.identity = QComboBox()
        self.identity.setEditable(True)
        self.identity.addItems([i.name for i in reference.trainee_identities()])
        self.total_hours = QSpinBox()
        self.total_hours.setRange(0, 10_000)
        self.total_hours.setSuffix(" 课时")
        self.subsidy = QDoubleSpinBox()
        self.subsidy.setRange(0, 1_000_000)
        self.subsidy.setDecimals(2)
        self.subsidy.setSuffix(" 元")
        self.subsidy.setToolTip(f"按实际结业人数申请，每人不超过{rules.subsidy_cap_per_person:,}元")
        self.plan = PlanEditor()
        self.roster = RosterEditor(self.database)
        self.status_label = QLabel()
        self.status_label.setStyleSheet("font-weight: bold;")
        self.advance_button = QPushButton()
        self.advance_button.setAutoDefault(False)
        occupations = occupation_choices(self.database)
        completer = QCompleter(QStringListModel(occupations, self), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.occupation.setCompleter(completer)

    def _lay_out(self) -> None:
        form = QFormLayout()
        end_row = QWidget()
        end_layout = QHBoxLayout(end_row)
        end_layout.setContentsMargins(0, 0, 0, 0)
        end_layout.addWidget(self.end_date)
        end_layout.addWidget(self.end_hint, 1)
        for label, field, editor, marked in (
            ("对接产业", "industry_code", self.industry, None),
            ("培训类型", "kind", self.kind, None),
            ("培训职业（工种）", "occupation", self.occupation, None),
            ("开班日期", "start_date", self.start_date, None),
            ("结业日期", "end_date", end_row, self.end_date),
            ("培训地点", "location", self.location, None),
            ("培训班名称", "name", self.name, None),
            ("培训人数", "planned_headcount", self.planned_headcount, None),
            ("参培人员身份", "participant_identity", self.identity, None),
            ("总课时", "total_hours", self.total_hours, None),
            ("人均补贴", "subsidy_per_person", self.subsidy, None),
        ):
            box, message = with_message(editor)
            form.addRow(label, box)
            self.marks.bind(field, marked or editor, message)
        form_page = QWidget()
        form_page.setLayout(form)
        self.tabs = QTabWidget()
        self.tabs.addTab(form_page, "申请信息（附件3）")
        self.tabs.addTab(self.plan, "教学计划")
        self.tabs.addTab(self.roster, "学员名单")

        header = QHBoxLayout()
        header.addWidget(self.status_label)
        header.addWidget(self.advance_button)
        header.addStretch(1)
        buttons, self.save_button = self.confirm_buttons()
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.general)
        layout.addWidget(buttons)
        # Only once the button is inside the dialog does the dialog take it as its default:
        # Enter then saves from any field, even after other buttons have had the focus.
        self.save_button.setDefault(True)
        chain_tab_order(
            [
                self.industry,
                self.kind,
                self.occupation,
                self.start_date,
                self.end_date,
                self.location,
                self.name,
                self.planned_headcount,
                self.identity,
                self.total_hours,
                self.subsidy,
                self.save_button,
            ]
        )

    def _connect(self) -> None:
        # Before the checks below, so that they see the end date the start date moved.
        self.start_date.dateChanged.connect(self._start_moved)
        self.end_date.dateChanged.connect(self._end_moved)
        for field, signal in (
            ("industry_code", self.industry.currentIndexChanged),
            ("kind", self.kind.currentIndexChanged),
            ("occupation", self.occupation.textEdited),
            ("start_date", self.start_date.dateChanged),
            ("end_date", self.end_date.dateChanged),
            ("location", self.location.textEdited),
            ("name", self.name.textEdited),
            ("planned_headcount", self.planned_headcount.valueChanged),
            ("participant_identity", self.identity.currentTextChanged),
            ("total_hours", self.total_hours.valueChanged),
            ("subsidy_per_person", self.subsidy.valueChanged),
        ):
            signal.connect(lambda *_args, field=field: self._edited(field))
        self.plan.edited.connect(lambda: self._edited("plan"))
        self.plan.use_total.connect(self.total_hours.setValue)
        self.roster.edited.connect(lambda: self._edited("roster"))
        self.advance_button.clicked.connect(self.advance)

    # --- loading and reading ----------------------------------------------------------------

    def _load(self) -> None:
        if self.class_id is None:
            start = QDate.currentDate()
            self.start_date.setDate(start)
            self.end_date.setDate(directed_end_range(_day(start))[0])
            self.identity.setCurrentText("企业职工")
            return
        detail = show_class(self.database, self.class_id)
        fields = detail.fields
        self.status = detail.status
        self.industry.setCurrentIndex(self.industry.findData(fields.industry_code))
        self.kind.setCurrentText(fields.kind)
        self.occupation.setText(fields.occupation)
        self.start_date.setDate(fields.start_date)
        self.end_date.setDate(fields.end_date)
        self.location.setText(fields.location)
        self.name.setText(fields.name)
        self.planned_headcount.setValue(fields.planned_headcount)
        self.identity.setCurrentText(fields.participant_identity)
        self.total_hours.setValue(fields.total_hours)
        self.subsidy.setValue(float(fields.subsidy_per_person))
        self.plan.set_items(list(detail.plan))
        self.roster.set_rows(list(detail.roster))

    def fields(self) -> ClassFields:
        return ClassFields(
            name=self.name.text(),
            industry_code=self.industry.currentData() or "",
            start_date=_day(self.start_date.date()),
            end_date=_day(self.end_date.date()),
            occupation=self.occupation.text(),
            kind=self.kind.currentText(),
            location=self.location.text(),
            planned_headcount=self.planned_headcount.value(),
            participant_identity=self.identity.currentText(),
            total_hours=self.total_hours.value(),
            subsidy_per_person=Decimal(f"{self.subsidy.value():.2f}"),
        )

    # --- live checks --------------------------------------------------------------------------

    def _start_moved(self) -> None:
        # Until the clerk picks an end date, it follows the start at the shortest 定向 length.
        if not self._end_touched:
            self.end_date.blockSignals(True)
            self.end_date.setDate(directed_end_range(_day(self.start_date.date()))[0])
            self.end_date.blockSignals(False)

    def _end_moved(self) -> None:
        self._end_touched = True

    def _edited(self, field: str) -> None:
        self.mark_dirty()
        self.marks.touch(field)
        self._refresh()

    def _refresh(self) -> None:
        fields = self.fields()
        self.marks.show(check_class(fields))
        rules = reference.training_rules()
        if fields.kind == rules.directed_kind:
            earliest, latest = directed_end_range(fields.start_date)
            low, high = rules.directed_months
            self.end_hint.setText(
                f"定向培训每期{low}—{high}个月：{earliest:%Y-%m-%d} 至 {latest:%Y-%m-%d}"
            )
        else:
            self.end_hint.setText("")
        self.plan.set_target_hours(fields.total_hours)
        self.roster.set_class(
            self.status, fields.start_date, fields.end_date, fields.planned_headcount
        )
        self.roster.picker.setEnabled(self.status.takes_trainees)
        plan_total = self.plan.model.total()
        self.tabs.setTabText(PLAN_TAB, f"教学计划（{plan_total} 课时）")
        self.tabs.setTabText(ROSTER_TAB, f"学员名单（{self.roster.model.rowCount()} 人）")
        self.status_label.setText(f"状态：{self.status}")
        following = self.status.following
        self.advance_button.setVisible(following is not None)
        if following is not None:
            self.advance_button.setText(f"推进为“{following}”")

    # --- saving -----------------------------------------------------------------------------

    def _write(self, move_to: ClassStatus | None = None) -> bool:
        """Save everything (and take the step to ``move_to``) in one transaction."""
        data = ClassInput(self.fields(), self.plan.items(), self.roster.entries())
        try:
            if self.class_id is None:
                saved = create_class(self.database, data, move_to)
            else:
                saved = edit_class(self.database, self.class_id, data, move_to)
        except ValidationFailed as refused:
            self._show_refusal(refused.errors)
            return False
        self.class_id = saved.id
        self.status = saved.status
        self.mark_clean()
        return True

    def _show_refusal(self, errors: list[FieldError]) -> None:
        self.marks.reveal_all = True
        self.marks.show(errors)
        invalid = self.marks.first_invalid(errors)
        if invalid is not None:
            self.tabs.setCurrentIndex(FORM_TAB)
            invalid.setFocus()
        else:
            tab = next((TAB_OF_FIELD[e.field] for e in errors if e.field in TAB_OF_FIELD), None)
            if tab is not None:
                self.tabs.setCurrentIndex(tab)

    def accept(self) -> None:
        if self._write():
            super().accept()

    def advance(self) -> None:
        following = self.status.following
        if following is None:
            return
        answer = QMessageBox.question(
            self,
            "推进状态",
            f"将培训班状态由“{self.status}”改为“{following}”？\n当前的修改会一并保存。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        if self._write(following):
            self.setWindowTitle("修改培训班")
            set_message(self.general, "")
            self._refresh()
