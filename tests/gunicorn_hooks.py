"""gunicorn's hooks for the tests' server (tests/served.py), the two things it does not do as
production does: each request runs at the moment the test froze (the file
``ELDERCARE_TEST_CLOCK`` names holds it), or at the real time when the file is empty; and the
passwords are checked with the tests' fast hasher. Only the tests load this; the Docker image
runs gunicorn without it."""

import datetime
import os
from pathlib import Path

import time_machine
from django.conf import settings
from django.contrib.auth import hashers

CLOCK = Path(os.environ["ELDERCARE_TEST_CLOCK"])


def pre_request(worker, req):
    moment = CLOCK.read_text(encoding="utf-8").strip()
    worker.test_clock = None
    if moment:
        worker.test_clock = time_machine.travel(datetime.datetime.fromisoformat(moment), tick=False)
        worker.test_clock.start()


def post_request(worker, req, environ, resp):
    if getattr(worker, "test_clock", None) is not None:
        worker.test_clock.stop()
        worker.test_clock = None


def post_worker_init(worker):
    """The test process stores the cast's passwords with its fast hasher (conftest.py): the
    served site checks them with the test process's hashers."""
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()
    settings.PASSWORD_HASHERS = os.environ["ELDERCARE_TEST_PASSWORD_HASHERS"].split(",")
