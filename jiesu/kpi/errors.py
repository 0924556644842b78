from jiesu.core.errors import NotFound, ValidationFailed


class UnknownScheme(NotFound):
    code = "kpi_unknown_scheme"
    default_message = "考核方案不存在或在该期间未生效"


class UnknownIndicator(NotFound):
    code = "kpi_unknown_indicator"
    default_message = "指标不存在"


class BadWindow(ValidationFailed):
    code = "kpi_bad_window"
    default_message = "考核期间有误：开始日期不能晚于结束日期"


class UnknownGrouping(ValidationFailed):
    code = "kpi_unknown_grouping"
    default_message = "分组方式无效：可选 all、unit、district、township、category、kind、agent"
