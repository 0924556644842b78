"""Test helpers for accounts that need the second factor, built through the real services."""

from __future__ import annotations

import time

from django.test import Client

from jiesu.orgs.models import User
from jiesu.orgs.security.mfa import totp_enrol_confirm, totp_enrol_start
from jiesu.orgs.security.sessions import session_mark_second_factor
from jiesu.orgs.security.totp import secret_from_base32, totp


def totp_enrolled(user: User) -> bytes:
    """Enrol an authenticator for `user` as the enrolment page does; returns the secret."""
    key = secret_from_base32(totp_enrol_start(user=user).secret)
    totp_enrol_confirm(user=user, code=totp(key, time.time()))
    return key


def client_with_second_factor(user: User) -> Client:
    """A client logged in as `user` whose session passed the second factor (enrolling if needed),
    as after the two-step login."""
    if not user.totp_enabled:
        totp_enrolled(user)
    client = Client()
    client.force_login(user)
    session = client.session
    session_mark_second_factor(session)
    session.save()
    return client
