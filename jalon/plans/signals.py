"""Signals the plans room owns, so that rooms above it (discussions: notifications, activity) hear
of what happened without plans importing them (GUIDE §4)."""

from django.dispatch import Signal

# Sent by the review services once a plan's review state changed and the change is committed:
# `sender` is the ReviewEvent class, `event` the new ReviewEvent (its plan, actor, state, message,
# created).
review_changed = Signal()

# Sent by `load_demo` once it wrote the demo plan (the first time only): `sender` is the Plan
# class, `plan` the demo plan, `demo` and `colleague` its two accounts. The rooms above add their
# part of the demo (comments) without plans knowing them.
demo_loaded = Signal()

# Sent by `plan_import` inside its transaction, once the plan and its values are written:
# `sender` is the Plan class, `plan` the new plan, `user` who imported it (or None), `data` the
# checked PlanFile. The rooms above write their part of the file (the operators' survey); an
# exception there undoes the whole import.
plan_imported = Signal()
