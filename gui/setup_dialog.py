"""First run: register this installation's institution before anything else.

Most clerks' units are printed in Annex 1, so the dialog starts there: picking a unit fills
its name, category and role (and a city bureau's division) and shows its target. A unit not
in Annex 1 is entered by hand. Everything is checked as it is typed, by the same rules as the
profile page and ``init``.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from application.institution import is_registered, register_institution
from core import reference
from core.fields import ValidationFailed
from core.reference import Target
from gui.institution_page import ProfileForm
from gui.record_dialog import FieldMarks, RecordDialog, chain_tab_order, error_label
from models.database import Database

NOT_LISTED = "（不在附件1名单中：手动填写）"
#: Annex 1 sections whose rows are city bureaus rather than schools.
BUREAU_SECTION = "市教育局"
BUREAU_CATEGORY = "其他"


def _describe(target: Target) -> str:
    return f"{target.unit}（{target.section}·{target.level}）"


def _is_shared(target: Target) -> bool:
    """A row shared by a whole category (技工院校): it names no single school."""
    return target.unit in {c.name for c in reference.institution_categories()}


class SetupDialog(RecordDialog):
    """Registers the local institution; ``exec()`` is accepted once it is stored."""

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__("setup", QSize(680, 600), parent)
        self.database = database
        self.setWindowTitle("持证通 · 初始设置")
        self.general = error_label()
        self.marks = FieldMarks(self.general)
        self.targets = reference.annex1_targets()
        self.unit = QComboBox()
        self.unit.setEditable(True)
        self.unit.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.unit.addItem(NOT_LISTED, None)
        for index, target in enumerate(self.targets):
            self.unit.addItem(_describe(target), index)
        completer = self.unit.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.target_info = QLabel("请选择本单位；不在名单中的，选第一项后手动填写。")
        self.target_info.setWordWrap(True)
        self.form = ProfileForm(self.marks)
        self._lay_out()
        self.unit.currentIndexChanged.connect(self._unit_chosen)
        self.form.edited.connect(self._edited)
        self._validate()
        self.unit.setFocus()
        self.unit.lineEdit().selectAll()

    def _lay_out(self) -> None:
        intro = QLabel(
            "欢迎使用持证通。请先登记本机构：这些信息用于附件3申请报告、附件4机构情况表，"
            "以及报送市教育局的数据包。"
        )
        intro.setWordWrap(True)
        picker = QFormLayout()
        picker.addRow("附件1中的单位", self.unit)
        picker.addRow("", self.target_info)
        buttons, self.ok_button = self.confirm_buttons(
            "完成登记", "退出", standard=QDialogButtonBox.StandardButton.Ok, default=True
        )
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(picker)
        layout.addWidget(self.form)
        layout.addStretch(1)
        layout.addWidget(self.general)
        layout.addWidget(buttons)
        chain_tab_order([self.unit, *self.form.tab_chain(), self.ok_button])

    def _unit_chosen(self) -> None:
        index = self.unit.currentData()
        if index is None:
            self.form.annex1_unit = None
            self.target_info.setText("不在附件1名单中：请手动填写机构名称和类别。")
            self._edited()
            return
        target = self.targets[index]
        form = self.form
        form.annex1_unit = target.unit
        if target.section == BUREAU_SECTION:
            form.name.setText(target.unit)
            form.category.setCurrentText(BUREAU_CATEGORY)
            form.role.setCurrentIndex(form.role.findData("city"))
            if target.division:
                form.division.set_code(target.division)
        elif _is_shared(target):
            form.category.setCurrentText(target.category)
            form.role.setCurrentIndex(form.role.findData("school"))
        else:
            form.name.setText(target.unit)
            form.category.setCurrentText(target.category)
            form.role.setCurrentIndex(form.role.findData("school"))
        for field in ("name", "category", "role"):
            self.marks.touch(field)
        shared = "（全省同类院校共同承担，请在下方填写本校名称）" if _is_shared(target) else ""
        self.target_info.setText(
            f"附件1 {target.section} 第{target.number}号：{target.level}取证任务 "
            f"{target.target:,} 个{shared}"
        )
        self._edited()

    def _edited(self) -> None:
        self.mark_dirty()
        self._validate()

    def _validate(self) -> None:
        self.marks.show(self.form.check())

    def accept(self) -> None:
        try:
            register_institution(self.database, self.form.profile())
        except ValidationFailed as refused:
            self.marks.refuse(refused.errors)
            return
        self.mark_clean()
        super().accept()


def ensure_institution(database: Database, parent: QWidget | None = None) -> bool:
    """True when the institution is registered, asking for it first if it is not."""
    if is_registered(database):
        return True
    return bool(SetupDialog(database, parent).exec())
