"""newsprep: clean scraped news text and tag gazetteer entities, fast (Rust core).

>>> import newsprep
>>> article = newsprep.clean("Kyiv says troops advanced.The ministry confirmed it.")
>>> article.text
'Kyiv says troops advanced.\\n\\nThe ministry confirmed it.'
"""

from newsprep._core import Article, Mention, __version__, clean, clean_many, strip_icons
from newsprep.corpus import Result, process
from newsprep.exceptions import GazetteerError, InputError, NewsprepError
from newsprep.gazetteer import Gazetteer

__all__ = [
    "Article",
    "Gazetteer",
    "GazetteerError",
    "InputError",
    "Mention",
    "NewsprepError",
    "Result",
    "__version__",
    "clean",
    "clean_many",
    "process",
    "strip_icons",
]
