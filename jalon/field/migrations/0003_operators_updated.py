# A plan that already keeps operators' responses gets its `operators_updated` moment, without
# which step 2 would not read them (jalon.field.views_operators.step_evidence).

from django.db import migrations
from django.db.models import Max


def stamp(apps, schema_editor):
    Plan = apps.get_model("plans", "Plan")
    OperatorResponse = apps.get_model("field", "OperatorResponse")
    latest = OperatorResponse.objects.values("plan_id").annotate(moment=Max("imported"))
    for row in latest:
        Plan.objects.filter(pk=row["plan_id"]).update(operators_updated=row["moment"])


class Migration(migrations.Migration):
    dependencies = [
        ("field", "0002_operator_response"),
        ("plans", "0006_plan_operators_updated"),
    ]

    operations = [migrations.RunPython(stamp, migrations.RunPython.noop)]
