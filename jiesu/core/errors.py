"""Domain errors: a stable machine code, a Chinese message for people, an HTTP-like status."""

from typing import Any


class DomainError(Exception):
    """Base of every business-rule violation. `api` maps `status`; `web` shows `message`."""

    code = "domain_error"
    status = 400
    default_message = "操作未能完成"

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = "对象不存在或无权访问"


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    default_message = "无权执行此操作"


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = "数据已被他人修改，请刷新后重试"


class ValidationFailed(DomainError):
    code = "validation_failed"
    status = 400
    default_message = "输入有误"
