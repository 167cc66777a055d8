"""Every exception prediction raises on purpose (training adds its own in training/errors.py). The CLI turns each into a one-line error."""


class PaxClassifyError(Exception):
    """Base class: a problem the user can fix, described in one line."""


class InputError(PaxClassifyError):
    """A document to code could not be read or is not usable text."""


class ModelError(PaxClassifyError):
    """A model folder is missing, incomplete, tampered with, or incompatible."""


class EmbeddingError(PaxClassifyError):
    """The sentence-transformers model could not be loaded or used."""


class PaxClassifyWarning(UserWarning):
    """Base class: something the user should know, that does not stop the work."""


class InputWarning(PaxClassifyWarning):
    """A document was read, but with a caveat (a guessed encoding, text that is not English)."""

