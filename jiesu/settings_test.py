"""Settings for the test suite: same as production, with a throw-away key and fast hashing."""

import os
import tempfile

os.environ.setdefault("JIESU_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("JIESU_FIELD_KEY", "000102030405060708090a0b0c0d0e0f")  # test field key

from jiesu.settings import *  # noqa: F403
from jiesu.settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ATTACHMENT_ROOT = __import__("pathlib").Path(tempfile.mkdtemp(prefix="jiesu-attachments-"))
EXPORT_ROOT = __import__("pathlib").Path(tempfile.mkdtemp(prefix="jiesu-exports-"))
REPORT_ROOT = __import__("pathlib").Path(tempfile.mkdtemp(prefix="jiesu-reports-"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not shared-cache memory) so that concurrent tests see SQLite's real locking, as in
    # production; pytest-django appends the xdist worker id to the name.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"jiesu-test-{os.getpid()}.sqlite3")}
INTEL_MODEL_ROOT = __import__("pathlib").Path(tempfile.mkdtemp(prefix="jiesu-intel-"))
# Screening on intake is switched on by the tests of jiesu.intel and of the pages that show it,
# so that other apps' tests count only their own events and notices.
INTEL_SCREENING = False
STATIC_ROOT = __import__("pathlib").Path(tempfile.mkdtemp(prefix="jiesu-static-"))
