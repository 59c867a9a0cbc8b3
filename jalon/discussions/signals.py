"""Signals the discussions room owns, for the rooms and helpers that react to a conversation
(notifications, activity) without the comment services knowing them."""

from django.dispatch import Signal

# Sent once a new comment (a thread's first or a reply) is committed: `sender` is the Comment
# class, `comment` the Comment, `mentioned` the users its text names (members of the plan's
# municipality, the author excluded).
comment_posted = Signal()
