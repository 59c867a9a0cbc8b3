from django.apps import AppConfig


class FieldConfig(AppConfig):
    """Work done in the field: XLSForms for KoboToolbox and ODK, their submissions brought back
    into a plan, and the operators' survey kept as evidence of step 2."""

    name = "jalon.field"
    label = "field"

    def ready(self) -> None:
        from jalon.plans.signals import demo_loaded, plan_imported

        from .demo import on_demo_loaded
        from .evidence import on_plan_imported

        # The demo plan gets fifty operators' responses, added once, with the plan.
        demo_loaded.connect(on_demo_loaded, dispatch_uid="field-demo-operators")
        # A plan file's operators' responses come with the plan it makes.
        plan_imported.connect(on_plan_imported, dispatch_uid="field-plan-file-operators")
