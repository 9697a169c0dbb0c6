"""The 本机构 page: the institution's profile and its Annex 4 offerings.

The profile form is shared with the first-run dialog (``gui.setup_dialog``), so both check
the same way as ``init`` does (``core.institution.validate_profile``). The offerings are the
cells of the Annex 4 row: the occupations (工种) the institution can train, the industries of
the 24 it can serve, and its training capacity. The page reads, saves and reveals through
``application.institution``: the stored numbers come masked, and 显示 fetches one in full
through ``reveal_full_number``, which records the viewing; a number never revealed is kept as
stored when the page is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIntValidator, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from application.institution import (
    InstitutionEdit,
    NumberField,
    edit_institution,
    reveal_full_number,
    show_institution,
)
from core import reference
from core.fields import FieldError, ValidationFailed
from core.identity.idcard import mask_id_number
from core.identity.phone import mask_phone
from core.institution import Occupation, Profile, check_offerings, validate_profile
from core.reference import Industry
from gui.document_actions import export_annex4
from gui.record_dialog import FieldMarks, chain_tab_order, error_label, set_message, with_message
from gui.widgets import DivisionPicker, MaskedLineEdit, page_title
from models.database import Database

WARNING_STYLE = "color: #9a6700;"
UNLOCKED_USCC_HINT = "18位，见事业单位法人证书或民办非企业单位登记证书"
LOCKED_USCC_HINT = "登记后不能修改：它是本机构全部数据的来源标识"


class ProfileForm(QWidget):
    """The institution's profile as Annex 2 and Annex 4 ask for it, checked as typed.

    ``edited`` fires after each change the clerk makes (not when the form is filled).
    """

    edited = Signal()

    def __init__(self, marks: FieldMarks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.marks = marks
        self.annex1_unit: str | None = None
        self._make_editors()
        self._lay_out()
        self._connect()

    def _make_editors(self) -> None:
        self.name = QLineEdit()
        self.category = QComboBox()
        self.category.addItems([c.name for c in reference.institution_categories()])
        self.uscc = QLineEdit()
        self.uscc.setMaxLength(30)
        self.uscc.setPlaceholderText(UNLOCKED_USCC_HINT)
        self.role = QComboBox()
        for role in reference.roles():
            self.role.addItem(role.name, role.code)
        self.division = DivisionPicker()
        self.address = QLineEdit()
        self.admin_name = QLineEdit()
        self.admin_id_number = MaskedLineEdit(mask_id_number)
        self.contact_name = QLineEdit()
        self.contact_phone = MaskedLineEdit(mask_phone)
        self.contact_phone.line.setPlaceholderText("手机或带区号的固定电话，如 0351-3046505")
        self.training_capacity = QLineEdit()
        self.training_capacity.setValidator(QIntValidator(0, 1_000_000, self))
        self.training_capacity.setPlaceholderText("每年可培训人数")
        self.warnings = QLabel()
        self.warnings.setStyleSheet(WARNING_STYLE)
        self.warnings.setWordWrap(True)
        self.warnings.hide()

    def _lay_out(self) -> None:
        """Annex 2's order (name, code, division, address, super-admin), then Annex 4's."""
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.marks.add_row(form, "机构名称", "name", self.name)
        self.marks.add_row(form, "机构类别", "category", self.category)
        self.marks.add_row(form, "统一社会信用代码", "uscc", self.uscc)
        self.marks.add_row(form, "本机使用者", "role", self.role)
        self.marks.add_row(form, "行政区划", "division_code", self.division, self.division.city)
        self.marks.add_row(form, "机构地址", "address", self.address)
        self.marks.add_row(form, "超级管理员姓名", "admin_name", self.admin_name)
        self.marks.add_row(
            form,
            "超级管理员身份证号",
            "admin_id_number",
            self.admin_id_number,
            self.admin_id_number.line,
        )
        self.marks.add_row(form, "联系人", "contact_name", self.contact_name)
        self.marks.add_row(
            form, "联系方式", "contact_phone", self.contact_phone, self.contact_phone.line
        )
        self.marks.add_row(form, "培训规模（人）", "training_capacity", self.training_capacity)
        form.addRow("", self.warnings)

    def tab_chain(self) -> list[QWidget]:
        return [
            self.name,
            self.category,
            self.uscc,
            self.role,
            self.division.city,
            self.division.county,
            self.address,
            self.admin_name,
            self.admin_id_number.line,
            self.admin_id_number.toggle,
            self.contact_name,
            self.contact_phone.line,
            self.contact_phone.toggle,
            self.training_capacity,
        ]

    def _connect(self) -> None:
        for field, signal in (
            ("name", self.name.textEdited),
            ("category", self.category.activated),
            ("uscc", self.uscc.textEdited),
            ("role", self.role.activated),
            ("division_code", self.division.changed),
            ("address", self.address.textEdited),
            ("admin_name", self.admin_name.textEdited),
            ("admin_id_number", self.admin_id_number.line.textEdited),
            ("contact_name", self.contact_name.textEdited),
            ("contact_phone", self.contact_phone.line.textEdited),
            ("training_capacity", self.training_capacity.textEdited),
        ):
            signal.connect(lambda *_args, field=field: self._edited(field))

    def _edited(self, field: str) -> None:
        self.marks.touch(field)
        self.edited.emit()

    def lock_uscc(self) -> None:
        """After registration the code is the data's origin: shown, never edited here."""
        self.uscc.setReadOnly(True)
        self.uscc.setToolTip(LOCKED_USCC_HINT)
        self.uscc.setPlaceholderText(LOCKED_USCC_HINT)

    def profile(self) -> Profile:
        capacity = self.training_capacity.text().strip()
        return Profile(
            name=self.name.text(),
            uscc=self.uscc.text(),
            category=self.category.currentText(),
            division_code=self.division.code(),
            role=str(self.role.currentData()),
            address=self.address.text(),
            admin_name=self.admin_name.text(),
            admin_id_number=self.admin_id_number.text(),
            contact_name=self.contact_name.text(),
            contact_phone=self.contact_phone.text(),
            training_capacity=int(capacity) if capacity else None,
            annex1_unit=self.annex1_unit,
        )

    def show_stored(self, profile: Profile, reveal: Callable[[NumberField], str]) -> None:
        """Fill the form with a stored profile whose numbers are masked; 显示 fetches each
        in full with ``reveal`` (which records the viewing)."""
        self.name.setText(profile.name)
        self.category.setCurrentText(profile.category)
        self.uscc.setText(profile.uscc)
        self.role.setCurrentIndex(max(self.role.findData(profile.role), 0))
        self.division.set_code(profile.division_code)
        self.address.setText(profile.address)
        self.admin_name.setText(profile.admin_name)
        self.admin_id_number.set_hidden(profile.admin_id_number, lambda: reveal("admin_id_number"))
        self.contact_name.setText(profile.contact_name)
        self.contact_phone.set_hidden(profile.contact_phone, lambda: reveal("contact_phone"))
        capacity = profile.training_capacity
        self.training_capacity.setText("" if capacity is None else str(capacity))
        self.annex1_unit = profile.annex1_unit

    def kept_numbers(self) -> frozenset[NumberField]:
        """The stored numbers never revealed: the form holds them masked, so they stay."""
        boxes: dict[NumberField, MaskedLineEdit] = {
            "admin_id_number": self.admin_id_number,
            "contact_phone": self.contact_phone,
        }
        return frozenset(field for field, box in boxes.items() if box.value() is None)

    def check(self) -> list[FieldError]:
        """Check what is typed now; the warnings (they do not stop saving) show under it."""
        normalised, errors = validate_profile(self.profile())
        set_message(self.warnings, "；".join(normalised.warnings))
        return errors


class OfferingsEditor(QWidget):
    """Annex 4's occupations (a list the clerk edits) and industries (24 boxes to tick)."""

    edited = Signal()

    def __init__(self, marks: FieldMarks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.marks = marks
        self.occupations = QTableWidget(0, 2)
        self.occupations.setHorizontalHeaderLabels(["可培训的职业（工种）", "职业编码（可不填）"])
        self.occupations.verticalHeader().setDefaultSectionSize(
            self.occupations.fontMetrics().height() + 10
        )
        self.occupations.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.occupations.horizontalHeader().resizeSection(1, 150)
        self.occupations.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.occupations.setMinimumHeight(150)
        self.add_occupation = QPushButton("添加工种")
        self.remove_occupation = QPushButton("删除工种")
        self.move_up = QPushButton("上移")
        self.move_down = QPushButton("下移")
        self.industry_boxes: dict[str, QCheckBox] = {}
        self.industry_group = QWidget()
        self._lay_out()
        self._connect()

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        box, message = with_message(self.occupations)
        self.marks.bind("occupations", self.occupations, message)
        layout.addWidget(box, 1)
        buttons = QHBoxLayout()
        for button in (self.add_occupation, self.remove_occupation, self.move_up, self.move_down):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        industries = QVBoxLayout(self.industry_group)
        industries.setContentsMargins(0, 0, 0, 0)
        groups: dict[str, list[Industry]] = {}
        for industry in reference.industries():
            groups.setdefault(industry.group, []).append(industry)
        for group, members in groups.items():
            frame = QGroupBox(f"{group}（{len(members)}个）")
            grid = QGridLayout(frame)
            for position, industry in enumerate(members):
                check = QCheckBox(industry.name)
                check.setToolTip(industry.full_name)
                self.industry_boxes[industry.code] = check
                grid.addWidget(check, position // 3, position % 3)
            industries.addWidget(frame)
        box, message = with_message(self.industry_group)
        self.marks.bind("industries", self.industry_group, message)
        layout.addWidget(QLabel("可承接的14个战略性新兴产业、农产品精深加工十大产业集群（可多选）"))
        layout.addWidget(box)

    def _connect(self) -> None:
        self.add_occupation.clicked.connect(self.append_occupation)
        self.remove_occupation.clicked.connect(self._remove_current)
        self.move_up.clicked.connect(lambda: self._move(-1))
        self.move_down.clicked.connect(lambda: self._move(1))
        self.occupations.itemChanged.connect(lambda _item: self._edited("occupations"))
        for check in self.industry_boxes.values():
            check.toggled.connect(lambda _on: self._edited("industries"))

    def _edited(self, field: str) -> None:
        self.marks.touch(field)
        self.edited.emit()

    def append_occupation(self) -> None:
        row = self.occupations.rowCount()
        self.occupations.insertRow(row)
        self.occupations.setItem(row, 0, QTableWidgetItem(""))
        self.occupations.setItem(row, 1, QTableWidgetItem(""))
        self.occupations.setCurrentCell(row, 0)
        self.occupations.editItem(self.occupations.item(row, 0))

    def _remove_current(self) -> None:
        row = self.occupations.currentRow()
        if row >= 0:
            self.occupations.removeRow(row)
            self._edited("occupations")

    def _move(self, step: int) -> None:
        row = self.occupations.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.occupations.rowCount():
            return
        values = [self._cell(row, c) for c in range(2)]
        self.occupations.removeRow(row)
        self.occupations.insertRow(target)
        for column, value in enumerate(values):
            self.occupations.setItem(target, column, QTableWidgetItem(value))
        self.occupations.setCurrentCell(target, 0)
        self._edited("occupations")

    def _cell(self, row: int, column: int) -> str:
        item = self.occupations.item(row, column)
        return item.text() if item is not None else ""

    def occupation_list(self) -> list[Occupation]:
        return [
            Occupation(self._cell(row, 0), self._cell(row, 1))
            for row in range(self.occupations.rowCount())
            if self._cell(row, 0).strip() or self._cell(row, 1).strip()
        ]

    def industry_codes(self) -> list[str]:
        return [code for code, check in self.industry_boxes.items() if check.isChecked()]

    def set_offerings(self, occupations: Iterable[Occupation], codes: Iterable[str]) -> None:
        self.occupations.blockSignals(True)
        self.occupations.setRowCount(0)
        for occupation in occupations:
            row = self.occupations.rowCount()
            self.occupations.insertRow(row)
            self.occupations.setItem(row, 0, QTableWidgetItem(occupation.name))
            self.occupations.setItem(row, 1, QTableWidgetItem(occupation.code))
        self.occupations.blockSignals(False)
        chosen = set(codes)
        for code, check in self.industry_boxes.items():
            check.blockSignals(True)
            check.setChecked(code in chosen)
            check.blockSignals(False)

    def check(self) -> list[FieldError]:
        return check_offerings(self.occupation_list(), self.industry_codes())[2]


class InstitutionPage(QWidget):
    """Edit the profile and the offerings; Ctrl+S saves both in one transaction."""

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self._dirty = False
        self.general = error_label()
        self.marks = FieldMarks(self.general)
        self.form = ProfileForm(self.marks)
        self.form.lock_uscc()
        self.offerings = OfferingsEditor(self.marks)
        self.save_button = QPushButton("保存（Ctrl+S）")
        self.revert_button = QPushButton("放弃修改")
        self.annex4_button = QPushButton("导出机构情况表")
        self.message = QLabel()
        self._lay_out()
        self._connect()
        self.reload()

    def _lay_out(self) -> None:
        title = page_title("本机构")
        profile_box = QGroupBox("机构信息（附件2、附件4）")
        QVBoxLayout(profile_box).addWidget(self.form)
        offerings_box = QGroupBox("培训能力（附件4）")
        QVBoxLayout(offerings_box).addWidget(self.offerings)
        columns = QHBoxLayout()
        columns.addWidget(profile_box, 1)
        columns.addWidget(offerings_box, 1)
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addLayout(columns)
        content_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        actions = QHBoxLayout()
        for button in (self.save_button, self.revert_button):
            button.setAutoDefault(False)
            actions.addWidget(button)
        actions.addWidget(self.message, 1)
        self.annex4_button.setAutoDefault(False)
        actions.addWidget(self.annex4_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.general)
        layout.addLayout(actions)
        chain_tab_order(
            [
                *self.form.tab_chain(),
                self.offerings.occupations,
                self.offerings.add_occupation,
                *self.offerings.industry_boxes.values(),
                self.save_button,
            ]
        )

    def _connect(self) -> None:
        self.form.edited.connect(self._edited)
        self.offerings.edited.connect(self._edited)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self._revert)
        self.annex4_button.clicked.connect(lambda: export_annex4(self, self.database))
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence.StandardKey.Save, self, self.save, context=context)

    def has_unsaved_changes(self) -> bool:
        return self._dirty

    def reload(self) -> None:
        """Show what is stored, discarding unsaved edits."""
        stored = show_institution(self.database)
        if stored is None:
            return
        self.form.show_stored(stored.profile, self._reveal)
        self.offerings.set_offerings(stored.occupations, stored.industry_codes)
        self.marks.reveal_all = False
        self._set_dirty(False)
        self._validate()

    def _reveal(self, field: NumberField) -> str:
        return reveal_full_number(self.database, field)

    def _edited(self) -> None:
        self._set_dirty(True)
        self.message.clear()
        self._validate()

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)
        # The form is written from what is stored: unsaved edits would silently be missing.
        self.annex4_button.setEnabled(not dirty)
        self.annex4_button.setToolTip(
            "请先保存或放弃修改，再导出机构情况表"
            if dirty
            else "按已保存的机构信息和培训能力生成附件4（Excel）"
        )

    def _validate(self) -> list[FieldError]:
        errors = [*self.form.check(), *self.offerings.check()]
        self.marks.show(errors)
        return errors

    def save(self) -> bool:
        """Save profile and offerings together; on refusal mark the fields and save nothing."""
        edit = InstitutionEdit(
            profile=self.form.profile(),
            occupations=self.offerings.occupation_list(),
            industry_codes=self.offerings.industry_codes(),
            kept=self.form.kept_numbers(),
        )
        try:
            edit_institution(self.database, edit)
        except ValidationFailed as refused:
            self.marks.refuse(refused.errors)
            self.message.setText("未保存：请按红色提示修改。")
            return False
        self.reload()
        self.message.setText("已保存。")
        return True

    def _revert(self) -> None:
        answer = QMessageBox.question(
            self,
            "放弃修改",
            "放弃尚未保存的修改，恢复为已保存的内容？",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Discard:
            self.reload()
            self.message.setText("已恢复为已保存的内容。")
