"""The templates as Django reads them, without the indentation of their lines.

Indentation is for the people who read the templates; left in, the step pages carry tens of
kilobytes of spaces, a few hundred bytes even compressed, on every first load over 2G (GUIDE §6:
≤ 20 KB). Each run of spaces after a line break is taken out of the template's own text, never
out of what it shows (a person's text, with its indentation, comes through variables), and the
line break stays, so the page lays out exactly the same: HTML folds whitespace into one space,
and no template holds a <pre> or literal text inside a <textarea>. Translated blocks are marked
`trimmed`, so their messages do not change. E-mail bodies are plain text: read as written.
"""

from __future__ import annotations

import re

from django.template import Origin
from django.template.loaders.filesystem import Loader as FilesystemLoader

INDENTATION = re.compile(r"\n[ \t]+")


class Loader(FilesystemLoader):
    def get_contents(self, origin: Origin) -> str:
        contents = super().get_contents(origin)
        name = str(origin.name)
        if not name.endswith(".html") or "email" in name.rsplit("/", 1)[-1]:
            return contents
        return INDENTATION.sub("\n", contents)
