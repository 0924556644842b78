"""Errors of the text-intelligence tools, each with a Chinese message for the operator."""

from jiesu.core.errors import ValidationFailed


class IntelError(ValidationFailed):
    code = "intel_error"
    default_message = "文本分类操作未能完成"


class DataFileError(IntelError):
    code = "intel_data_file"
    default_message = "数据文件无法读取"


class ModelFileError(IntelError):
    code = "intel_model_file"
    default_message = "模型文件无法使用"
