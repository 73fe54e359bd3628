"""Stop this clone's embedded PostgreSQL and Redis (they keep running after ./run.sh stops, so that manage.py
commands share them). Their data stays under .data/; the next ./run.sh or manage.py command starts them again."""

import os

from django.core.management import BaseCommand
from django.db import connections

from config import embedded_db, embedded_redis


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        if not os.environ.get("REDIS_URL"):
            stopped = embedded_redis.stop()
            self.stdout.write(f"embedded Redis: {'stopped' if stopped else 'not running'}")
        if not os.environ.get("DATABASE_URL"):
            connections.close_all()
            embedded_db.stop()
            self.stdout.write("embedded PostgreSQL: stopped")
