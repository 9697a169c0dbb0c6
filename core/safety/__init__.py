"""Keeping the data safe: backups and their thinning (``backups``), restoring and damaged
databases (``restore``), one instance at a time (``instance_lock``), the audit log (``audit``)
and plain messages for what the machine does wrong (``environment_errors``)."""
