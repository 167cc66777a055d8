"""The exceptions and warnings only training raises: PA-X data files and downloads.

They derive from :mod:`classify.errors`' bases, so the CLI reports them in one line like the rest.
"""

from classify.errors import PaxClassifyError, PaxClassifyWarning


class DataError(PaxClassifyError):
    """A PA-X data file (codings, texts, clause exports) is missing or malformed."""


class FetchError(PaxClassifyError):
    """A PA-X file could not be downloaded, or what was downloaded is not what was expected."""


class OfflineError(FetchError):
    """The PA-X site (or the configured mirror) cannot be reached at all."""


class DataWarning(PaxClassifyWarning):
    """A PA-X data file was read, but parts of it were ignored (unknown columns, rows without text)."""
