"""newsprep's exception classes.

Every error about bad input derives from :class:`NewsprepError`, itself a ``ValueError``, so
``except ValueError`` keeps working. File problems raise the built-in ``OSError`` family
(``FileNotFoundError``, ``PermissionError``).
"""

from newsprep._core import GazetteerError, InputError, NewsprepError

__all__ = ["GazetteerError", "InputError", "NewsprepError"]
