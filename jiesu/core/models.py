from django.db import models


class BaseModel(models.Model):
    """Common timestamps for every mutable record."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class JobLease(models.Model):
    """Which worker runs a periodic job, and when it last ran.

    A worker claims a due job with a conditional UPDATE on this row, so two workers started
    by mistake never run the same job at the same time, and a restart resumes from here.
    """

    name = models.CharField(max_length=128, unique=True)
    next_run_at = models.DateTimeField()
    leased_until = models.DateTimeField(null=True, blank=True)
    owner = models.CharField(max_length=128, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    runs = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.name
