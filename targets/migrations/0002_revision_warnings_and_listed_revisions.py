"""Per-indicator revision warning threshold; the revised figures a data return found (listed on its report)."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('targets', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='datareturn',
            name='revisions',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='indicator',
            name='revision_warning_percent',
            field=models.PositiveSmallIntegerField(default=50, help_text='A data return that revises a figure by more than this percentage gets a warning'),
        ),
    ]
