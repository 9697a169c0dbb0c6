"""The application layer: every use case of CertDesk, once, for the GUI and the CLI alike.

A use case is a plain function (or a small class where it holds state across steps, such as a
dry run then an import) that takes the ``models.database.Database`` and the clerk's input as
plain values, opens its own session, applies the domain rules of ``core``, writes its audit
entry, commits or rolls back as one transaction, and returns plain results (dataclasses, not
ORM objects bound to a closed session). It raises the domain's own exceptions, whose messages
are Chinese and name the field, row or record, and it never leaves the database half-written.

``gui/`` and ``cli/`` only gather input, call one use case and show its result: they open no
session, commit nothing and write no audit entry. Nothing here imports Qt, as in Anki, whose
screens (aqt) call collection operations (pylib) and never touch the database themselves.
"""
