"""Data packages: how a school's records reach the bureau on a USB stick or by e-mail.

``format`` (names, versions, limits, the manifest), ``records`` (rows ↔ JSON records),
``sealing`` (encryption to the bureau), ``writer`` (export), ``reader`` (every check before the
database is touched), ``importer`` (dry run, then one transaction), ``conflicts`` (what the
clerk resolves), ``overview`` (the bureau's view). The byte layout is in docs/PACKAGE-FORMAT.md.
"""
