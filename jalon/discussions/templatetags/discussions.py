from typing import Any

from django import template
from django.utils.safestring import SafeString

from ..models import Comment
from ..selectors import CommentBlock, ItemComments, comment_html

register = template.Library()


@register.filter
def comment_text(comment: Comment) -> SafeString:
    """The comment's text, escaped, mentions highlighted."""
    return comment_html(comment)


@register.filter
def record_block(comments: ItemComments | None, record_uid: str) -> CommentBlock | None:
    """The comment block of one record card of a list item."""
    return comments.block(record_uid) if comments else None


@register.filter
def threads_for(threads: dict[str, list[Any]] | None, item_id: str) -> list[Any]:
    return (threads or {}).get(item_id, [])


@register.filter
def count_for(counts: dict[str, int] | None, key: Any) -> int:
    return (counts or {}).get(str(key), 0)
