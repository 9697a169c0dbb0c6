"""What every layer may lean on, the database layer included: masking personal numbers
(``privacy``) and the log file that masks every line (``logfile``), writing a file whole or not
at all (``atomic``), files and folders only the OS user may read (``file_modes``), the one shape
of a long job's progress (``progress``). It imports nothing of the project but the number
validators and reference data it masks by, so ``models`` can use it without reaching up into
the domain."""
