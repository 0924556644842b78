from django.db import models


class Library(models.TextChoices):
    POLICY = "policy", "政策库"
    LIAISON = "liaison", "政务联络库"
    STANDARD_ANSWER = "standard_answer", "标准化工作库"
    SECTOR_ISSUE = "sector_issue", "行业问题清单库"
    RESPONSIBILITY = "responsibility", "权责清单"


class EntryStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    REVIEW = "review", "待审核"
    PUBLISHED = "published", "已发布"
    EXPIRED = "expired", "已失效"


class IndexField(models.TextChoices):
    """Where a search term was found; a match in the title weighs more."""

    TITLE = "title", "标题"
    BODY = "body", "正文"
