"""Trainees and their certificates: the checks of a trainee's fields (``checks``), reading
and writing trainee records (``records``), searching them for the lazy table (``search``) and
certificate records (``certificates``)."""
