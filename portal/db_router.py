"""A read replica: with DATABASE_REPLICA_URL set, target snapshots read on their own (the figures the dashboards,
board pack and target pages are drawn from) come from the replica; every other read (snapshots joined into a
query on their targets among them: the join runs where its query runs), and every write, goes to the primary. Nothing is migrated on the replica (it follows the
primary). Without DATABASE_REPLICA_URL every query goes to the primary, as before.

Only the snapshots: they are refreshed by a background job, so a replica a second or two behind shows what the
primary would have shown a moment earlier; reads that decide a permission or a write stay on the primary."""

from __future__ import annotations

from django.conf import settings

REPLICA = "replica"
# model labels read from the replica (app_label.model_name): never a table a permission or a write reads
REPLICA_READS = frozenset({"targets.targetsnapshot"})


class ReplicaRouter:
    def _replica(self) -> bool:
        return REPLICA in settings.DATABASES

    def db_for_read(self, model, **hints):
        if self._replica() and model._meta.label_lower in REPLICA_READS:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None  # the primary

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
