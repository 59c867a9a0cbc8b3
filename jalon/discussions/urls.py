"""The pages of the discussions room: comments, activity, notifications, presence."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
