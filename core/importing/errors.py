"""The refusals of an import, in a module of their own so that the reader and the size checks
it calls (``core.importing.limits``, ``workbook_zip``, ``workbook_xls``) share them without
importing each other."""

from __future__ import annotations


class ImportRefused(Exception):
    """The whole file or the whole import is refused; the message is for the clerk."""


class UnreadableFile(ImportRefused):
    """The file is not a spreadsheet we can read: missing, encrypted, damaged or of another kind."""


class FileTooLarge(UnreadableFile):
    """The file is larger than any roster, in bytes, rows, columns or cells: refused before
    the spreadsheet parser sees it, so that it can neither exhaust memory nor take minutes."""
