"""Liveness for load balancers and monitoring: no authentication, one trivial query."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest
from ninja import Router, Status

from jiesu.api.schemas import HealthOut

router = Router(tags=["运维"])
logger = logging.getLogger(__name__)


@router.get("/health", auth=None, response={200: HealthOut, 503: HealthOut}, summary="健康检查")
def health_endpoint(request: HttpRequest) -> Status[HealthOut]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("health check: database unavailable")
        return Status(503, HealthOut(status="error", database="error"))
    return Status(200, HealthOut(status="ok", database="ok"))
