"""Screenshots of the 备份与恢复 and 操作日志 dialogs, for review and docs/DATA-SAFETY.md.

The demo school (``main.py demo``) on a fresh database in a temporary folder; a week of
backups for different reasons is made by taking real backups and dating their names back, a
USB stick folder is set as the second backup location, and a clerk's morning of edits fills
the audit log (a phone corrected, a trainee deleted, a full ID number revealed, a restore).

Usage: xvfb-run -a -s "-screen 0 1366x768x24" python scripts/screenshots_safety.py [OUT_DIR]
(or QT_QPA_PLATFORM=offscreen). OUT_DIR defaults to docs/screenshots.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from sqlalchemy import select  # noqa: E402

from application import safety  # noqa: E402
from application.institution import create_demo  # noqa: E402
from core.safety.audit import REVEALED, record_action  # noqa: E402
from gui.app import make_application  # noqa: E402
from gui.audit_dialog import AuditDialog  # noqa: E402
from gui.backup_dialog import BackupDialog  # noqa: E402
from models.backup import backup_name, backup_sqlite, parse_backup_name  # noqa: E402
from models.database import Database, open_database  # noqa: E402
from models.trainee import Trainee  # noqa: E402

#: (hours ago, reason) of the earlier backups listed.
HISTORY = (
    (2, "start"),
    (19, "auto"),
    (26, "start"),
    (49, "before-import"),
    (51, "start"),
    (5 * 24, "start"),
    (9 * 24 + 3, "manual"),
    (30 * 24, "start"),
)


def _backdated(database: Database, hours: int, reason: str) -> None:
    path = backup_sqlite(database.engine, reason)
    parsed = parse_backup_name(path)
    assert parsed is not None
    when = datetime.now() - timedelta(hours=hours, minutes=17)
    path.rename(path.with_name(backup_name(parsed[0], reason, when)))


def _clerk_edits(database: Database) -> None:
    with database.session() as session:
        trainees = list(session.scalars(select(Trainee).order_by(Trainee.id).limit(3)))
        trainees[0].phone = "13934561234"
        trainees[0].major = "数控技术"
        record_action(session, REVEALED, "trainees", trainees[1].uuid, "学员详情")
        session.delete(trainees[2])
        session.commit()


def _grab(app: QApplication, widget: QWidget, path: Path) -> None:
    widget.show()
    app.processEvents()
    widget.grab().save(str(path))
    print(path)


def main(out_dir: Path) -> int:
    app = make_application()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        database = open_database(folder / "CertDesk" / "certdesk.sqlite3")
        create_demo(database, trainees=400)
        for hours, reason in HISTORY:
            _backdated(database, hours, reason)
        stick = folder / "U盘" / "持证通备份"
        stick.mkdir(parents=True)
        safety.set_second_folder(database, stick)
        _clerk_edits(database)
        safety.restore(database, backup_sqlite(database.engine, "manual"))

        backup = BackupDialog(database)
        backup.status.setText("已备份并通过完整性检查。")
        _grab(app, backup, out_dir / "backup.png")
        audit = AuditDialog(database)
        _grab(app, audit, out_dir / "audit.png")
        backup.close()
        audit.close()
        database.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"))
