"""Every exception paxclassify raises on purpose. The CLI turns each into a one-line error."""


class PaxClassifyError(Exception):
    """Base class: a problem the user can fix, described in one line."""


class InputError(PaxClassifyError):
    """A document to code could not be read or is not usable text."""


class DataError(PaxClassifyError):
    """A PA-X data file (codings, texts, clause exports) is missing or malformed."""


class ModelError(PaxClassifyError):
    """A model folder is missing, incomplete, tampered with, or incompatible."""


class EmbeddingError(PaxClassifyError):
    """The sentence-transformers model could not be loaded or used."""


class FetchError(PaxClassifyError):
    """A PA-X file could not be downloaded, or what was downloaded is not what was expected."""


class OfflineError(FetchError):
    """The PA-X site (or the configured mirror) cannot be reached at all."""


class PaxClassifyWarning(UserWarning):
    """Base class: something the user should know, that does not stop the work."""


class InputWarning(PaxClassifyWarning):
    """A document was read, but with a caveat (a guessed encoding, text that is not English)."""


class DataWarning(PaxClassifyWarning):
    """A PA-X data file was read, but parts of it were ignored (unknown columns, rows without text)."""
