from django.db import models

# The stages that carry a time limit are defined once, by sla, and re-exported here.
from jiesu.sla.choices import Stage as Stage


class TicketStatus(models.TextChoices):
    RECEIVED = "received", "已受理"
    ACKNOWLEDGED = "acknowledged", "已签收"
    TRIAGED = "triaged", "待派单"
    DISPATCHED = "dispatched", "已派单待签收"
    HANDLING = "handling", "办理中"
    RETURN_REQUESTED = "return_requested", "退单审核中"
    SUSPENDED = "suspended", "已挂起"
    REPLIED = "replied", "已反馈待审核"
    CLOSED = "closed", "已办结"
    RETURNED_TO_CITY = "returned_to_city", "已退回上级平台"
    MERGED = "merged", "已并单"


class EventKind(models.TextChoices):
    RECEIVED = "received", "受理"
    ACKNOWLEDGED = "acknowledged", "签收"
    CONTACTED = "contacted", "联系诉求人"
    TRIAGED = "triaged", "分类审核"
    SELF_HANDLED = "self_handled", "自办（直接答复）"
    DISPATCHED = "dispatched", "派单"
    FORWARDED = "forwarded", "下派"
    REDISPATCHED = "redispatched", "改派"
    UNIT_ACKNOWLEDGED = "unit_acknowledged", "承办单位签收"
    RETURN_REQUESTED = "return_requested", "申请退单"
    RETURN_APPROVED = "return_approved", "同意退单（重新分拣）"
    RETURNED_TO_CITY = "returned_to_city", "退回上级平台"
    RETURN_REJECTED = "return_rejected", "驳回退单"
    URGED = "urged", "催办"
    SUPERVISED = "supervised", "督办"
    EXTENSION_REQUESTED = "extension_requested", "申请延期"
    EXTENSION_APPROVED = "extension_approved", "同意延期"
    EXTENSION_REJECTED = "extension_rejected", "驳回延期"
    SUSPENDED = "suspended", "挂起"
    RESUMED = "resumed", "恢复办理"
    REPLIED = "replied", "反馈办理结果"
    CLOSED = "closed", "审核通过并办结"
    REPLY_SENT_BACK = "reply_sent_back", "审核退回重办"
    CALLBACK_RECORDED = "callback_recorded", "回访"
    CALLBACK_ATTEMPTED = "callback_attempted", "回访未成功"
    REWORK = "rework", "二次办理"
    REOPENED = "reopened", "重新分拣"
    MERGED = "merged", "并单"
    EXCLUSION_REQUESTED = "exclusion_requested", "申请剔除"
    EXCLUSION_APPROVED = "exclusion_approved", "剔除查是"
    EXCLUSION_REJECTED = "exclusion_rejected", "剔除查否"
    UNREASONABLE_REQUESTED = "unreasonable_requested", "申请认定不合理诉求"
    UNREASONABLE_APPROVED = "unreasonable_approved", "不合理诉求查是"
    UNREASONABLE_REJECTED = "unreasonable_rejected", "不合理诉求查否"
    SECTOR_PUSHED = "sector_pushed", "推送行业确认"
    SECTOR_CONFIRMED = "sector_confirmed", "行业工单确认"
    NOTE_ADDED = "note_added", "备注"
    FLAGGED = "flagged", "智能标记"


class Channel(models.TextChoices):
    PHONE = "phone", "电话"
    WEB = "web", "网站"
    APP = "app", "APP"
    WECHAT = "wechat", "微信"
    MAILBOX = "mailbox", "信箱"
    MESSAGE_BOARD = "message_board", "留言板"
    CITY_PLATFORM = "city_platform", "市级平台"
    PUBLIC_LINE = "public_line", "对外联系电话"


class Kind(models.TextChoices):
    CONSULTATION = "consultation", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"
    SUGGESTION = "suggestion", "建议"
    PRAISE = "praise", "表扬"
    OTHER = "other", "其他"


class Urgency(models.TextChoices):
    URGENT = "urgent", "紧急"
    NORMAL = "normal", "一般"


class AssessmentScope(models.TextChoices):
    FULL = "full", "全部考核"
    RESPONSE_ONLY = "response_only", "只考核响应率"
    EXCLUDED = "excluded", "不纳入考核"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    FAIRLY_SATISFIED = "fairly_satisfied", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class CallbackOutcome(models.TextChoices):
    """How one callback attempt ended; only a reached requester gives the callback's answers."""

    REACHED = "reached", "已接通"
    NO_ANSWER = "no_answer", "无人接听"
    BUSY = "busy", "占线"
    POWERED_OFF = "powered_off", "关机/停机"
    WRONG_NUMBER = "wrong_number", "号码错误/空号"
    REFUSED = "refused", "拒绝回访"
    HUNG_UP = "hung_up", "中途挂断"


class ExclusionKind(models.TextChoices):
    EXCLUSION = "exclusion", "剔除（考核申诉）"
    UNREASONABLE = "unreasonable", "不合理诉求认定"


class ExclusionDecision(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "查是（同意）"
    REJECTED = "rejected", "查否（驳回）"


class SectorAnswer(models.TextChoices):
    YES = "yes", "是"
    NO = "no", "否"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "主办"
    ASSISTING = "assisting", "协办"


class AttachmentKind(models.TextChoices):
    DOCUMENT = "document", "文档"
    PHOTO = "photo", "图片"
    RECORDING = "recording", "录音"
    OTHER = "other", "其他"


FINAL_STATUSES = frozenset({TicketStatus.RETURNED_TO_CITY, TicketStatus.MERGED})
