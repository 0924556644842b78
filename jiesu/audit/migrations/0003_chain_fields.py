from django.db import migrations, models

import jiesu.audit.chain


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditentry",
            options={"ordering": ["-sequence"], "verbose_name": "审计记录", "verbose_name_plural": "审计记录"},
        ),
        migrations.AddField(
            model_name="auditentry",
            name="sequence",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="previous_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="entry_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("last_sequence", models.BigIntegerField(default=0)),
                ("last_hash", models.CharField(default=jiesu.audit.chain.GENESIS_HASH, max_length=64)),
                ("anchor_sequence", models.BigIntegerField(default=0)),
                ("anchor_hash", models.CharField(default=jiesu.audit.chain.GENESIS_HASH, max_length=64)),
                ("anchor_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={"verbose_name": "审计链头", "verbose_name_plural": "审计链头"},
        ),
    ]
