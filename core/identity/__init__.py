"""The numbers that identify people and institutions: resident ID numbers (``idcard``),
统一社会信用代码 (``uscc``), phone numbers (``phone``), the clean-up of pasted text they share
(``textnorm``) and the ``check-id``/``check-uscc`` reports (``checks``)."""
