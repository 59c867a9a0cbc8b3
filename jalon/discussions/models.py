"""What people say about a plan and what they hear of it: comments, notifications, presence."""
