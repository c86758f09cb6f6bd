"""`celery -A bench._sched_redbeat_app beat -S redbeat.RedBeatScheduler`: the redbeat beat under test.

REDIS_URL names its Redis, REDBEAT_LOCK_TIMEOUT (seconds) its lock's time-out.
"""

import os

from celery import Celery

from bench._sched_redbeat import redbeat_app

app: Celery = redbeat_app(os.environ["REDIS_URL"], int(os.environ.get("REDBEAT_LOCK_TIMEOUT", "600")))
