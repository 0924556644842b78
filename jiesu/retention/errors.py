"""Refusals of the retention rules, with their stable codes and Chinese messages."""

from jiesu.core.errors import Conflict, DomainError, ValidationFailed


class RetentionNotReached(Conflict):
    code = "retention_not_reached"
    default_message = "未到保存期限，不能删除"


class AttachmentAlreadyPurged(Conflict):
    code = "attachment_already_purged"
    default_message = "该附件已被清理"


class AttachmentPurged(DomainError):
    """A download of a file removed under the retention policy: gone on purpose, not missing."""

    code = "attachment_purged"
    status = 410
    default_message = "该附件已按保存期限清理，文件不可再下载"


class AttachmentFileMissing(DomainError):
    code = "attachment_file_missing"
    status = 404
    default_message = "附件文件不存在，请联系系统管理员"


class PolicyBelowFloor(ValidationFailed):
    code = "retention_below_floor"
    default_message = "保存期限低于规定的最短保存期"


class PolicyImmutable(DomainError):
    code = "retention_policy_immutable"
    status = 403
    default_message = "保存期限策略生效后不能修改或删除，请新增一个版本"
