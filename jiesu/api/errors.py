"""Every error of the API has one JSON shape: {"code", "message" (Chinese), "details"}.

DomainError keeps its own code and status; ninja's validation errors become 422 `invalid_input`
with the field errors in `details.errors`; missing or bad credentials become 401.
The same shapes are declared on every endpoint (`responses()`), so the OpenAPI spec is honest.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from jiesu.api.schemas import ErrorOut
from jiesu.core.errors import DomainError

E = TypeVar("E", bound=Exception)

# Statuses every authenticated endpoint may answer with, whatever it does.
COMMON_ERRORS = (401, 403, 422, 429)

HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("malformed_request", "请求内容无法解析，请检查格式（应为 JSON）"),
    401: ("unauthenticated", "未登录或访问令牌无效"),
    403: ("csrf_failed", "安全校验失败，请刷新页面后重试"),
    404: ("not_found", "请求的地址不存在"),
    429: ("throttled", "请求过于频繁，请稍后再试"),
}

FIELD_MESSAGES: dict[str, str] = {
    "missing": "必填",
    "string_type": "必须是字符串",
    "string_too_short": "长度不能少于{min_length}个字符",
    "string_too_long": "长度不能超过{max_length}个字符",
    "int_type": "必须是整数",
    "int_parsing": "必须是整数",
    "int_from_float": "必须是整数",
    "bool_type": "必须是布尔值（true/false）",
    "bool_parsing": "必须是布尔值（true/false）",
    "enum": "取值无效，可选值：{expected}",
    "literal_error": "取值无效，可选值：{expected}",
    "greater_than_equal": "不能小于{ge}",
    "less_than_equal": "不能大于{le}",
    "greater_than": "必须大于{gt}",
    "less_than": "必须小于{lt}",
    "datetime_type": "必须是 ISO-8601 日期时间",
    "datetime_parsing": "必须是 ISO-8601 日期时间（如 2026-11-21T09:30:00+08:00）",
    "datetime_from_date_parsing": "必须是 ISO-8601 日期时间（如 2026-11-21T09:30:00+08:00）",
    "timezone_aware": "必须带时区（如 +08:00）",
    "list_type": "必须是数组",
    "dict_type": "必须是对象",
    "model_type": "必须是对象",
    "model_attributes_type": "必须是对象",
    "too_long": "元素个数不能超过{max_length}个",
    "int_from_string": "必须是整数",
    "json_invalid": "不是有效的 JSON",
    "extra_forbidden": "不支持该字段",
    "string_pattern_mismatch": "格式不符合要求（不能包含空字符）",
    "string_unicode": "包含无法识别的字符",
}


def error_body(code: str, message: str, **details: Any) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details}


def responses(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    """The response map of an endpoint: its success schemas plus the error statuses it can return."""
    result: dict[int, Any] = dict(ok)
    for status in sorted({*COMMON_ERRORS, *errors}):
        result[status] = ErrorOut
    return result


def _field_message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    template = FIELD_MESSAGES.get(kind, "取值无效")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def _field_name(loc: Sequence[Any]) -> str:
    # ninja prefixes the source ("body", "query", "path") and, for bodies, the parameter name.
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    elif parts:
        parts = parts[1:]
    return ".".join(parts) or "请求体"


def _validation_details(exc: ValidationError) -> list[dict[str, Any]]:
    details = []
    for error in exc.errors:
        loc = list(error.get("loc", ()))
        details.append(
            {
                "loc": [str(p) for p in loc],
                "field": _field_name(loc),
                "type": str(error.get("type", "")),
                "message": _field_message(error),
            }
        )
    return details


def _handle(api: NinjaAPI, exc_class: type[E], handler: Callable[[HttpRequest, E], HttpResponse]) -> None:
    # ninja's annotation also admits the exception class itself; it only ever passes instances.
    api.add_exception_handler(exc_class, handler)  # type: ignore[arg-type]


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default error bodies with Jiesu's single error shape."""

    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(request, exc.as_dict(), status=exc.status)

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = _validation_details(exc)
        summary = "；".join(f"{e['field']}：{e['message']}" for e in errors[:3])
        body = error_body("invalid_input", f"输入有误：{summary}", errors=errors)
        return api.create_response(request, body, status=422)

    def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        code, message = HTTP_ERRORS[401]
        response = api.create_response(request, error_body(code, message), status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code, message = HTTP_ERRORS.get(exc.status_code, ("http_error", "请求未能处理"))
        response = api.create_response(request, error_body(code, message), status=exc.status_code)
        if isinstance(exc, Throttled) and exc.wait:
            response["Retry-After"] = str(math.ceil(exc.wait))
        return response

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        code, message = HTTP_ERRORS[404]
        return api.create_response(request, error_body(code, message), status=404)

    _handle(api, DomainError, on_domain_error)
    _handle(api, ValidationError, on_validation_error)
    _handle(api, AuthenticationError, on_authentication_error)
    _handle(api, HttpError, on_http_error)
    _handle(api, Http404, on_not_found)
