"""Imports that are done with (applied, or refused for their errors) keep their rows with the
ID and phone numbers masked, as ``seniors.importing.without_numbers`` keeps them from now on.
An import that stopped (``stopped_in``) keeps its rows for its retry."""

from django.db import migrations

from seniors.importing import without_numbers


def mask_done_imports(apps, schema_editor):
    SeniorImport = apps.get_model("seniors", "SeniorImport")
    done = (
        SeniorImport.objects.filter(status__in=("applied", "refused"))
        .filter(stopped_in="")
        .only("id", "rows")
    )
    for senior_import in done.iterator(chunk_size=20):
        kept = without_numbers(senior_import.rows)
        if kept != senior_import.rows:
            SeniorImport.objects.filter(pk=senior_import.pk).update(rows=kept)


class Migration(migrations.Migration):
    dependencies = [("seniors", "0008_import_heartbeat")]

    operations = [migrations.RunPython(mask_done_imports, migrations.RunPython.noop)]
