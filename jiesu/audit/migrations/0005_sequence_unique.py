from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_chain_existing_entries"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="sequence",
            field=models.BigIntegerField(editable=False, unique=True),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["object_type", "object_id"], name="audit_entry_object"),
        ),
    ]
