from django.apps import AppConfig


class FieldConfig(AppConfig):
    """Work done in the field: XLSForms for KoboToolbox and ODK, their submissions brought back
    into a plan, and the operators' survey kept as evidence of step 2."""

    name = "jalon.field"
    label = "field"
