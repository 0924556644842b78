from jiesu.core.errors import DomainError


class HandoverRefused(DomainError):
    """A backup, restore, export or import that cannot go ahead; nothing was changed."""

    code = "handover_refused"
    status = 409
    default_message = "操作被拒绝"


class HandoverFailed(DomainError):
    """A restore or import that ran but did not end in a verified state."""

    code = "handover_failed"
    status = 500
    default_message = "操作未能完成"
