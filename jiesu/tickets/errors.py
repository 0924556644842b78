from jiesu.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
    default_message = "当前状态下不能执行该操作"


class ReasonRequired(ValidationFailed):
    code = "reason_required"
    default_message = "必须填写原因或说明"


class GuardFailed(Conflict):
    code = "guard_failed"


class StaleTicket(Conflict):
    code = "stale_ticket"
    default_message = "该工单已被他人处理（状态已变化），请刷新页面后查看最新情况"


class ActionForbidden(PermissionDenied):
    code = "action_forbidden"


class TicketInvalid(ValidationFailed):
    code = "ticket_invalid"


def from_refusal(code: str, message: str) -> DomainError:
    mapping: dict[str, type[DomainError]] = {
        "transition_not_allowed": TransitionNotAllowed,
        "reason_required": ReasonRequired,
        "guard_failed": GuardFailed,
    }
    return mapping.get(code, TransitionNotAllowed)(message)
