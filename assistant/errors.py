"""Harbour's exceptions. `api/errors.py` maps each to a safe message and a stable code."""


class HarbourError(Exception):
    code = "harbour_error"
    status = 500

    def __init__(self, message: str, **detail: object) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class InvalidInput(HarbourError):
    code = "invalid_input"
    status = 422


class MessageEmpty(InvalidInput):
    code = "message_empty"


class MessageTooLong(InvalidInput):
    code = "message_too_long"


class UnknownLocalAuthority(InvalidInput):
    code = "unknown_local_authority"


class UnsupportedLanguageCode(InvalidInput):
    code = "unsupported_language"


class EmbedderMismatch(HarbourError):
    """The vector collection was built by another embedder; vectors are not comparable."""

    code = "embedder_mismatch"


class NotReady(HarbourError):
    code = "not_ready"
    status = 503


class ConfigurationError(HarbourError):
    code = "configuration_error"
