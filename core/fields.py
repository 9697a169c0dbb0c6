"""Field-level refusals shared by every form, importer and command."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """A refusal tied to one field, so the GUI can mark it and the CLI or importer can name it."""

    field: str
    label: str
    message: str

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


class ValidationFailed(Exception):
    """Raised by a service when its input is refused; nothing has been written."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors
