"""Why a CV file was refused. Each maps (api/errors.py) to a status and a stable code; the
message is already in the worker's language (see `CvMessages.error`)."""

from __future__ import annotations

from assistant.errors import HarbourError, InvalidInput

# reason → error class; reasons come from the file checks and the parsing subprocess
REASONS = (
    "too_large",
    "empty",
    "unsupported_type",
    "mislabelled",
    "encrypted",
    "corrupt",
    "no_text",
    "too_many_pages",
    "too_many_chars",
    "unsafe",
)


class CvFileProblem(Exception):
    """Raised inside parsing with a reason from REASONS; turned into a CvRejected."""

    def __init__(self, reason: str, detail: str = "") -> None:
        assert reason in REASONS, reason
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class CvRejected(InvalidInput):
    """The file cannot be reviewed (422). `code` is `cv_<reason>`."""

    code = "cv_rejected"

    def __init__(self, reason: str, message: str, **detail: object) -> None:
        super().__init__(message, **detail)
        self.reason = reason
        self.code = f"cv_{reason}"


class CvTooLarge(HarbourError):
    """Over the upload limit (413), refused before the body is read in full."""

    code = "cv_too_large"
    status = 413

    def __init__(self, message: str, **detail: object) -> None:
        super().__init__(message, **detail)
        self.reason = "too_large"


class UnknownTargetRole(InvalidInput):
    code = "unknown_target_role"
