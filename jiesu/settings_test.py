"""Settings for the test suite: same as production, with a throw-away key and fast hashing."""

import os
import tempfile

os.environ.setdefault("JIESU_SECRET_KEY", "test-secret-key-not-for-production")

from jiesu.settings import *  # noqa: E402, F403
from jiesu.settings import DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ATTACHMENT_ROOT = __import__("pathlib").Path(tempfile.mkdtemp(prefix="jiesu-attachments-"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
