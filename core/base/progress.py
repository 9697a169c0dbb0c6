"""The one shape in which every long job reports how far it got, from the database up.

``progress(done, total, text)``: ``text`` says what is being done, or is empty to keep the last
words. To cancel, raise from it (the GUI's 取消 raises ``gui.tasks.Cancelled``): the job stops
where it is and its transaction rolls back, so a cancelled job leaves nothing half-done.
"""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[int, int, str], None]


def no_progress(_done: int, _total: int, _text: str) -> None:
    """For callers that show nothing."""
