"""What every layer may lean on, the database layer included: masking personal numbers
(``privacy``) and writing a file whole or not at all (``atomic``). It imports nothing of the
project, so ``models`` can use it without reaching up into the domain."""
