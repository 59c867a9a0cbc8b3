"""The URL converters of every Jalon URL: an out-of-range id or a malformed key is a 404.

Django's `int` converter takes any number of digits, and a number past the database's 64-bit
integers then fails inside the query (an OverflowError, a 500). `id` takes at most 18 digits, so
every id it passes fits; a longer one does not match and the URL answers « not found », exactly as
for an id that does not exist. `key` is the shape of worksheet ids (steps, items), record uids and
format codes, so no other text (NUL, spaces, 500 characters) reaches a query.

Importing this module registers both; every URL conf imports it before its patterns.
"""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class KeyConverter:
    regex = "[A-Za-z0-9_.-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(IdConverter, "id")
register_converter(KeyConverter, "key")
