"""The log file: rotating, the OS user's alone, every line masked.

The GUI writes ``certdesk.log`` in the data folder's ``logs`` (``gui/errors.py`` adds Qt's own
messages and the error dialog). It is set up here, without Qt, so that every face and the tests
get the same handler: a ``RotatingFileHandler`` whose files are created 0600 in a 0700 folder
(``core.base.file_modes``) and whose every line goes through ``core.base.privacy``'s masking,
whatever formatter it is later given.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

from core.base.file_modes import private_folder, private_opener
from core.base.privacy import MaskedOutput, install_privacy_filter

__all__ = ["LOG_BACKUPS", "LOG_BYTES", "LOG_NAME", "LogFileHandler", "log_to_file"]

LOG_NAME = "certdesk.log"
#: Five files of 1 MB: weeks of ordinary use, small enough to mail.
LOG_BYTES = 1_000_000
LOG_BACKUPS = 4
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


class LogFileHandler(MaskedOutput, RotatingFileHandler):
    """A rotating log file whose lines are masked and whose files (each new one after a
    rotation too) are created 0600."""

    def _open(self) -> TextIO:
        return open(
            self.baseFilename,
            self.mode,
            encoding=self.encoding,
            errors=self.errors,
            opener=private_opener,
        )


def log_to_file(folder: Path) -> Path:
    """Log INFO and above to the rotating, masked file ``folder/certdesk.log``.

    Installs the masking (``install_privacy_filter``) first, makes ``folder`` private (and the
    log files an older version left 0644), and adds no second handler for the same file when
    called again. Returns the file's path.
    """
    install_privacy_filter()
    target = private_folder(folder, with_files=True) / LOG_NAME
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in root.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == target:
            return target
    handler = LogFileHandler(
        target, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8", delay=True
    )
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    return target
