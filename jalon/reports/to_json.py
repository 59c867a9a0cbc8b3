"""The plan as a JSON file: every answer and record as stored, to keep, to move or to re-import.

The shape (format version 1, documented in the README, read back by `jalon.plans.plan_file`):

    {
      "format": "jalon-plan", "format_version": 1, "exported_at": "…",
      "plan": {"title", "service", "service_other", "created", "updated"},
      "organisation": {"name", "country", "city"},            informative, never imported
      "definition": {"id", "version", "hash"},                the worksheet the plan is pinned to
      "answers": {item id: {"value", "version", "updated_at", "updated_by"}},
      "lists": {item id: [{"id", "position", "data", "version", "updated_at", "updated_by"}]},
      "revision_count": …,
      "review": {"state", "validated_by", "role", "validated_at"}   informative, never imported
      "operators": [{"instance_id", "survey": {"id", "version"}, "submitted", "answers",
                     "latitude", "longitude", "source"}]   the operators' survey (step 2's
                                                           evidence), restored by the import
    }

Values are the stored ones: option codes (never labels), numbers as decimal strings, dates as
ISO 8601, references as record ids. Answers and lists follow the definition's order, records
their order in the list, so two exports of the same plan differ only where the plan does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from jalon.plans.plan_file import FORMAT, FORMAT_VERSION

__all__ = ["CONTENT_TYPE", "EXTENSION", "FORMAT", "FORMAT_VERSION", "build"]
CONTENT_TYPE = "application/json"
EXTENSION = "json"


def build(export: Mapping[str, Any]) -> bytes:
    """The export as UTF-8 JSON; indented, because people open these files to read them."""
    return (json.dumps(export, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
