"""Which tables a handover carries, in which order, and whether an instance holds data yet.

Read from the app registry, so a model added to any jiesu app is carried without a change here.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

# Django's own tables that hold jiesu data: the admin's change history, and the groups a user may
# belong to (with their permissions). Sessions are left behind: they are worthless elsewhere.
DJANGO_TABLES = frozenset({"admin.logentry", "auth.group", "auth.group_permissions"})

# Rows every `jiesu migrate` creates with ids of its own: referred to by natural key instead.
NATURAL_KEY_MODELS = frozenset({"contenttypes.contenttype", "auth.permission"})

# Someone has worked in an instance once any of these holds a row (every person is a user, every
# login an audit entry; units, categories and tickets are what the loading commands bring).
# Any other rows in a fresh instance come from its data migrations (calendar, time-limit presets,
# reminder ladder, retention defaults, the audit chain head) and are replaced by the import.
DATA_MARKERS = ("audit.auditentry", "orgs.unit", "tickets.category", "tickets.ticket")

ModelType = type[models.Model]


def label_of(model: ModelType) -> str:
    return model._meta.label_lower


def _carried(model: ModelType) -> bool:
    meta = model._meta
    if meta.proxy or not meta.managed or meta.swapped:
        return False
    return apps.get_app_config(meta.app_label).name.startswith("jiesu.") or meta.label_lower in DJANGO_TABLES


def _dependencies(model: ModelType, carried: set[str]) -> set[str]:
    own = label_of(model)
    return {
        label_of(field.related_model)  # type: ignore[arg-type]
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is not None
    } & carried - {own}


def handover_models() -> list[ModelType]:
    """Every carried model, referenced tables before the tables that refer to them.

    Self-references and cycles are left to the constraints, which both databases check at
    commit (Django declares foreign keys DEFERRABLE INITIALLY DEFERRED), so order is a courtesy.
    """
    chosen = {label_of(m): m for m in apps.get_models(include_auto_created=True) if _carried(m)}
    needs = {label: _dependencies(model, set(chosen)) for label, model in chosen.items()}
    ordered: list[str] = []
    done: set[str] = set()
    while len(ordered) < len(chosen):
        ready = sorted(label for label in chosen if label not in done and needs[label] <= done)
        if not ready:  # a cycle: break it in name order
            ready = [min(label for label in chosen if label not in done)]
        ordered.extend(ready)
        done.update(ready)
    return [chosen[label] for label in ordered]


def migration_state() -> dict[str, str]:
    """App label → name of the latest applied migration, as recorded in the database."""
    latest: dict[str, str] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        if name > latest.get(app_label, ""):
            latest[app_label] = name
    return dict(sorted(latest.items()))


def migrations_unknown(state: dict[str, str]) -> list[str]:
    """The migrations in `state` that this code does not have (a snapshot from a newer version)."""
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return [f"{app}.{name}" for app, name in sorted(state.items()) if (app, name) not in known]


def migrations_pending() -> list[str]:
    """Migrations of this code not yet applied to the database (the models would not fit its tables)."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def instance_data_labels() -> list[str]:
    """The marker tables that hold rows: empty means a fresh instance, safe to load into."""
    existing = set(connection.introspection.table_names())
    found = []
    for label in (settings.AUTH_USER_MODEL.lower(), *DATA_MARKERS):
        model = apps.get_model(label)
        if model._meta.db_table in existing and model._base_manager.exists():
            found.append(label)
    return found


def verbose_table_names(labels: list[str]) -> str:
    """「工单」、「用户」… for messages, from the models' Chinese names."""
    return "、".join(f"「{apps.get_model(label)._meta.verbose_name}」" for label in labels)
