"""The JSON API: token or session authentication, one error shape, offline Swagger at /api/docs."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from django.http import HttpRequest
from django.utils import timezone
from ninja import NinjaAPI, Swagger
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from jiesu.api import (
    attachments,
    bulk,
    callbacks,
    exclusions,
    exports,
    health,
    intel_hotspots,
    intel_links,
    intel_reply_check,
    intel_sensitive,
    intel_suggestions,
    knowledge,
    kpi,
    notifications,
    reports,
    saved_searches,
    tickets,
    units,
)
from jiesu.api.auth import BearerToken, SessionUser
from jiesu.api.errors import install_error_handlers


class LocalTimeEncoder(NinjaJSONEncoder):
    """Moments go out in Beijing time with their offset (2026-11-21T09:30:00+08:00), as users read them."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime) and timezone.is_aware(o):
            o = timezone.localtime(o)
        return super().default(o)


class StrictJSONParser(Parser):
    """A JSON body is an object, a list or null (no content): a bare `false` or `0` would otherwise
    count as an empty body, and an endpoint whose fields are all optional would accept it."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data: Any = json.loads(request.body)
        if data is None:
            return {}
        if not isinstance(data, dict | list):
            raise ValueError("the body must be a JSON object or array")
        return cast(dict[str, Any], data)  # a list too, as ninja's own parser passes it on


class ChineseJSONRenderer(JSONRenderer):
    encoder_class = LocalTimeEncoder
    # Readable Chinese in bodies and logs instead of \uXXXX escapes.
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="接诉 Jiesu API",
    version="1",
    description="12345 热线工单接口。认证：`Authorization: Bearer <令牌>`（用 `jiesu tokens create` 生成），"
    "或已登录的浏览器会话。所有错误均为 `{code, message, details}`。",
    urls_namespace="api",
    auth=[BearerToken(), SessionUser()],
    renderer=ChineseJSONRenderer(),
    parser=StrictJSONParser(),
    docs=Swagger(settings={"persistAuthorization": True}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("/", health.router)
# Before the ticket router: its /tickets/{number} would otherwise take /tickets/bulk and /tickets/export.
api.add_router("/tickets", bulk.router)
api.add_router("/", exports.router)
api.add_router("/tickets", tickets.router)
api.add_router("/tickets", attachments.router)
api.add_router("/", units.router)
api.add_router("/notifications", notifications.router)
api.add_router("/saved-searches", saved_searches.router)
api.add_router("/knowledge", knowledge.router)
api.add_router("/tickets", knowledge.ticket_router)
api.add_router("/reports", reports.router)
api.add_router("/kpi", kpi.router)
api.add_router("/", callbacks.router)
api.add_router("/", exclusions.router)
api.add_router("/intel", intel_hotspots.router)
api.add_router("/", intel_links.router)
api.add_router("/", intel_reply_check.router)
api.add_router("/intel", intel_sensitive.router)
api.add_router("/tickets", intel_sensitive.ticket_router)
api.add_router("/", intel_suggestions.router)
