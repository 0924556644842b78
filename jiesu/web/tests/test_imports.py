"""Ledger import from the web: upload, background job, progress fragment, summary with row errors."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jiesu.orgs.testing import World
from jiesu.tickets.models import Ticket
from jiesu.web.jobs import ImportJob, _save, import_job_wait
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

LEDGER = (
    "工单编号,来电时间,标题,诉求内容,受理渠道\n"
    "BJ-001,2026-11-02 09:30:00,小区垃圾清运不及时,垃圾桶满溢三天,电话\n"
    "BJ-002,2026-11-03 14:05:00,路灯不亮,东门路灯坏了,电话\n"
    "BJ-003,2026-11-03 15:00:00,,没有标题的一行,电话\n"
)


def upload(name: str = "台账.csv", text: str = LEDGER) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def start(client: Client, **fields: object) -> str:
    data = {"file": upload(), "mapping": "jiesu", "source": "", **fields}
    response = client.post("/tickets/import", data)
    assert response.status_code == 302, page_text(response)
    job_id: str = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    import_job_wait(job_id, timeout=60)
    return job_id


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_import_runs_in_the_background_and_reports_row_errors(login_as: LoginAs, world: World) -> None:
    client = login_as(world.agent)
    form = page_text(client.get("/tickets/import"))
    assert "导入工单台账" in form and "接诉标准台账格式" in form
    job_id = start(client)
    page = page_text(client.get(f"/tickets/import/{job_id}/"))
    assert "导入「台账.csv」" in page
    fragment = page_text(client.get(f"/tickets/import/{job_id}/progress"))
    assert "导入完成" in fragment and "hx-trigger" not in fragment  # finished: polling stops
    assert "新建工单</dt><dd>2</dd>" in fragment and "出错行数</dt><dd>1</dd>" in fragment
    assert "有问题的行（1）" in fragment and "<td>4</td>" in fragment
    assert set(Ticket.objects.values_list("external_number", flat=True)) == {"BJ-001", "BJ-002"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dry_run_checks_without_writing(login_as: LoginAs, world: World) -> None:
    client = login_as(world.agent)
    job_id = start(client, dry_run="on")
    fragment = page_text(client.get(f"/tickets/import/{job_id}/progress"))
    assert "试导入，未写入数据" in fragment and "新建工单</dt><dd>2</dd>" in fragment
    assert not Ticket.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_file_level_problem_fails_the_job_with_a_chinese_message(login_as: LoginAs, world: World) -> None:
    client = login_as(world.agent)
    bad = "编号,内容\n1,没有所需的列\n"
    response = client.post("/tickets/import", {"file": upload(text=bad), "mapping": "jiesu"})
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    import_job_wait(job_id, timeout=60)
    fragment = page_text(client.get(f"/tickets/import/{job_id}/progress"))
    assert "导入失败" in fragment and "系统错误" not in fragment


@pytest.mark.django_db
def test_a_running_job_asks_to_be_polled_every_second(login_as: LoginAs, world: World) -> None:
    job = ImportJob(id="f" * 32, owner_id=world.agent.pk, file_name="a.csv", mapping="jiesu", dry_run=False)
    job.state, job.processed, job.total = "running", 250, 1000
    _save(job)
    client = login_as(world.agent)
    fragment = page_text(client.get(f"/tickets/import/{job.id}/progress"))
    assert 'hx-trigger="every 1s"' in fragment and "已处理 250 / 1000 行" in fragment
    assert 'value="25"' in fragment
    page = page_text(client.get(f"/tickets/import/{job.id}/"))
    assert "htmx-2.min.js" in page
    assert login_as(world.shift_lead).get(f"/tickets/import/{job.id}/progress").status_code == 404  # not theirs


@pytest.mark.django_db
def test_only_csv_and_xlsx_files_are_accepted(login_as: LoginAs, world: World) -> None:
    response = login_as(world.agent).post("/tickets/import", {"file": upload("ledger.pdf"), "mapping": "jiesu"})
    assert response.status_code == 400
    assert "只支持 .csv 和 .xlsx 文件" in page_text(response)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["township_staff", "leader", "outsider"])
def test_only_center_operators_may_import(login_as: LoginAs, world: World, role: str) -> None:
    assert login_as(getattr(world, role)).get("/tickets/import").status_code == 403
