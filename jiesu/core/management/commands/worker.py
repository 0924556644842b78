import signal
import threading
from typing import Any

from django.core.management.base import CommandParser
from django.db import close_old_connections

from jiesu.core.jobs import configured_jobs, job_run_once, worker_identity
from jiesu.core.management.base import JiesuCommand


class Command(JiesuCommand):
    help = "后台任务进程：到期提醒、行业确认自动确认、定时报表与重试（状态保存在数据库中）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="每个到期任务只运行一次后退出")
        parser.add_argument("--poll", type=float, default=5.0, help="轮询间隔（秒）")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = threading.Event()

        def stop(signum: int, frame: object) -> None:
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        owner = worker_identity()
        jobs = configured_jobs()
        self.stdout.write(f"worker {owner} 已启动，{len(jobs)} 个任务")
        while not stopping.is_set():
            for spec in jobs:
                if stopping.is_set():
                    break
                handled = job_run_once(spec, owner=owner)
                if handled:
                    self.stdout.write(f"{spec.name}: {handled}")
            close_old_connections()
            if options["once"]:
                break
            stopping.wait(options["poll"])
        self.stdout.write("worker 已停止")
