"""Knowledge-base search at 50,000 entries: p50 / p95 of `knowledge_search` (target p95 ≤ 100 ms).

    .venv/bin/python bench/bench_knowledge_search.py [--entries 50000] [--queries 200]

Entries of all five libraries are generated from fragments of everyday hotline matter (subjects,
places, actions, conditions) picked with a skewed distribution, so that a few terms occur in most
entries and most terms in few, as in real text. Each fragment is segmented once and an entry's
postings are the sum of its fragments' terms, so filling needs no per-entry jieba run; rows are
bulk-inserted (COPY on PostgreSQL). The queries are 1–4 words from the same vocabulary (one in ten
of generic words only, such as 申请 办理, the heaviest case), half of them with a library,
category or validity filter, measured end to end (ranking, loading, highlighting).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.db import connection

SUBJECTS = [
    "最低生活保障",
    "低保",
    "临时救助",
    "特困供养",
    "医疗救助",
    "城乡居民医保",
    "医保报销",
    "异地就医",
    "养老金",
    "养老保险",
    "高龄津贴",
    "助餐补贴",
    "残疾人补贴",
    "公租房",
    "保障性住房",
    "住房公积金",
    "租房提取",
    "物业费",
    "加装电梯",
    "老旧小区改造",
    "供暖",
    "采暖费",
    "燃气",
    "停水",
    "停电",
    "义务教育入学",
    "随迁子女",
    "幼儿园",
    "校外培训",
    "学生资助",
    "噪音扰民",
    "施工噪声",
    "广场舞",
    "占道停车",
    "共享单车",
    "垃圾分类",
    "油烟",
    "违规养犬",
    "违章建筑",
    "道路破损",
    "路灯",
    "井盖",
    "工资拖欠",
    "劳动合同",
    "社保缴费",
    "失业保险",
    "就业补贴",
    "户口迁移",
    "居住证",
    "身份证",
    "不动产登记",
    "婚姻登记",
    "殡葬服务",
    "退役军人优待",
    "献血",
    "疫苗接种",
    "食品安全",
    "消费维权",
    "预付卡退费",
    "网约车",
    "出租车",
    "公交线路",
]
PLACES = [
    "朝阳区",
    "海淀区",
    "丰台区",
    "西城区",
    "东城区",
    "石景山区",
    "通州区",
    "顺义区",
    "昌平区",
    "大兴区",
    "房山区",
    "门头沟区",
    "怀柔区",
    "平谷区",
    "密云区",
    "延庆区",
    "望京街道",
    "回龙观",
    "天通苑",
    "亦庄",
    "方庄",
    "劲松",
    "双井",
    "中关村",
    "上地",
    "清河",
    "西红门",
    "马家堡",
    "和平里",
    "安贞",
    "酒仙桥",
    "潘家园",
]
ACTIONS = [
    "申请",
    "办理",
    "审核",
    "确认",
    "发放",
    "补发",
    "暂停",
    "恢复",
    "提取",
    "缴纳",
    "退费",
    "投诉",
    "举报",
    "查处",
    "协调",
    "核实",
    "公示",
    "备案",
    "认证",
    "登记",
    "转办",
    "答复",
]
SENTENCES = [
    "{s}由户籍所在地街道受理，区{d}部门审核确认后按月{a}。",
    "申请人应当提交身份证件、户口簿和相关证明材料，材料不全的一次性告知补正。",
    "{p}居民反映{s}问题，经核实情况属实，已由{d}部门牵头{a}。",
    "对不符合{s}条件的，应当书面告知理由，当事人可以申请复核。",
    "办理时限为二十个工作日，情况复杂的可以延长十个工作日并告知申请人。",
    "{s}标准每年调整一次，调整后的标准自公布之日起执行。",
    "可以通过线上服务平台、手机应用或者社区服务站{a}。",
    "涉及{s}的诉求，先由属地街道核查，需要跨部门处理的报区级协调。",
    "逾期未{a}的，暂停相关待遇，补办手续后恢复并补发。",
    "工作人员应当耐心解释政策，做好记录，不得推诿。",
    "{p}{s}相关投诉较多，请属地加强巡查并及时反馈结果。",
    "当事人对处理结果不满意的，可以依法申请行政复议或者提起行政诉讼。",
    "{p}部分小区{s}落实不到位，居民多次来电，建议{d}部门专项督办。",
    "夜间值班人员接到{s}诉求后，应当在两小时内联系属地。",
    "本办法自印发之日起施行，原有规定与本办法不一致的，以本办法为准。",
    "属于行业问题的，按照清单认定后可以申请剔除考核。",
    "{d}部门联络人负责{s}类工单的签收、转派和回访。",
    "经与来电人沟通，其对{s}的处理方式表示理解。",
    "{s}所需费用由财政资金保障，专款专用，不得挪用。",
    "老年人、残疾人等特殊群体可以委托他人代为{a}。",
    "{p}试点{s}便民措施，运行平稳后在全市推广。",
    "请在答复中说明法律依据和办理进度，避免使用模糊表述。",
    "企业未按规定履行{s}义务的，由{d}部门责令限期改正。",
    "涉及个人信息的材料应当妥善保管，不得泄露。",
]
DEPARTMENTS = ["民政", "人社", "住建", "教育", "卫健", "医保", "城管", "交通", "市场监管", "公安", "生态环境", "残联"]
SUFFIXES = ["管理办法", "实施细则", "办理指南", "答复口径", "工作规程", "通知", "问题清单", "职责", "联络人", "说明"]
GROUPS = [
    "城乡",
    "困难家庭",
    "高龄老人",
    "独居老人",
    "新生儿",
    "外来务工人员",
    "退役军人",
    "残疾人",
    "小微企业",
    "个体工商户",
    "在校学生",
    "失独家庭",
    "低收入群体",
    "灵活就业人员",
    "新就业形态劳动者",
    "农村居民",
]
# Street names out of two syllables each: hundreds of rare place names for the long tail.
STREETS = [a + b + "街道" for a in "青石红柳金桥白云长乐安和东坝南湖北苑" for b in "园岭庄门河湾坊营屯桥"]
LIBRARIES = ["policy", "liaison", "standard_answer", "sector_issue", "responsibility"]


def _skewed(rng: random.Random, items: list[str], power: float = 2.2) -> str:
    """A pick favouring the head of the list: term frequencies end up long-tailed."""
    return items[int(len(items) * rng.random() ** power)]


class _Segmenter:
    """index_terms of each distinct fragment, computed once."""

    def __init__(self) -> None:
        self.cache: dict[str, Counter[str]] = {}

    def __call__(self, text: str) -> Counter[str]:
        from jiesu.knowledge.search.segment import index_terms

        found = self.cache.get(text)
        if found is None:
            found = self.cache[text] = index_terms(text)
        return found


def _entry(rng: random.Random, number: int, seg: _Segmenter) -> tuple[dict[str, Any], Counter[str], Counter[str]]:
    subject = _skewed(rng, SUBJECTS, 1.5)
    if rng.random() < 0.5:
        subject = _skewed(rng, GROUPS, 1.3) + subject
    place = _skewed(rng, PLACES, 1.5) if rng.random() < 0.5 else rng.choice(STREETS)
    title_parts = [place, subject, rng.choice(SUFFIXES)] if rng.random() < 0.6 else [subject, rng.choice(SUFFIXES)]
    sentences = []
    for _ in range(rng.randint(3, 8)):
        template = rng.choice(SENTENCES)
        sentences.append(
            template.format(
                s=_skewed(rng, SUBJECTS, 1.5) if rng.random() < 0.3 else subject,
                p=_skewed(rng, PLACES, 1.5) if rng.random() < 0.6 else rng.choice(STREETS),
                d=rng.choice(DEPARTMENTS),
                a=rng.choice(ACTIONS),
            )
        )
    document_number = f"京{rng.choice(DEPARTMENTS)}发〔{2015 + number % 11}〕{1 + number % 97}号"
    title_terms: Counter[str] = Counter()
    for part in title_parts:
        title_terms.update(seg(part))
    body_terms: Counter[str] = Counter()
    for part in [*sentences, document_number]:
        body_terms.update(seg(part))
    valid_from = date(2018, 1, 1) + timedelta(days=number % 2900)
    columns = {
        "library": LIBRARIES[number % 5],
        "status": "published" if number % 10 else "draft",
        "title": "".join(title_parts),
        "body": "".join(sentences),
        "document_number": document_number,
        "valid_from": valid_from if number % 3 == 0 else None,
        "valid_to": valid_from + timedelta(days=365 * (1 + number % 5)) if number % 6 == 0 else None,
    }
    return columns, title_terms, body_terms


def _insert_postings(rows: list[tuple[int, str, str, int]]) -> None:
    from jiesu.knowledge.models import IndexTerm

    table = IndexTerm._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} (entry_id, term, field, frequency) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {table} (entry_id, term, field, frequency) VALUES (%s, %s, %s, %s)",
                rows,
            )


def _fill(entries: int, categories: list[Any], batch: int = 5000) -> None:
    from django.db import transaction

    from jiesu.knowledge.models import KnowledgeEntry
    from jiesu.knowledge.search.index import TITLE_WEIGHT

    have = KnowledgeEntry.objects.count()
    rng = random.Random(have)
    seg = _Segmenter()
    for start in range(have, entries, batch):
        made: list[tuple[KnowledgeEntry, Counter[str], Counter[str]]] = []
        for number in range(start, min(entries, start + batch)):
            columns, title_terms, body_terms = _entry(rng, number, seg)
            length = TITLE_WEIGHT * sum(title_terms.values()) + sum(body_terms.values())
            entry = KnowledgeEntry(**columns, category=categories[number % len(categories)], indexed_length=length)
            made.append((entry, title_terms, body_terms))
        with transaction.atomic():
            KnowledgeEntry.objects.bulk_create([entry for entry, _, _ in made], batch_size=1000)
            _insert_postings(
                [
                    (entry.pk, term, field, frequency)
                    for entry, title_terms, body_terms in made
                    for field, terms in (("title", title_terms), ("body", body_terms))
                    for term, frequency in terms.items()
                ]
            )
    with connection.cursor() as cursor:
        # As autovacuum would: statistics for the planner, and the visibility map that lets
        # PostgreSQL answer from the (term, entry) index without visiting the table.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _categories() -> list[Any]:
    from jiesu.tickets.models import Category

    made = []
    for code, name in (("bench-kb-welfare", "社会保障"), ("bench-kb-city", "城市管理"), ("bench-kb-housing", "住房")):
        category, _ = Category.objects.get_or_create(code=code, defaults={"name": name, "level": 1})
        if not category.path:
            category.path, category.full_name = f"/{category.pk}/", name
            category.save(update_fields=["path", "full_name"])
        made.append(category)
    return made


def _query(rng: random.Random, categories: list[Any]) -> tuple[str, dict[str, Any]]:
    if rng.random() < 0.1:  # generic words only: the heaviest searches
        words = rng.sample(ACTIONS, rng.randint(1, 2))
    else:
        words = [_skewed(rng, SUBJECTS, 1.5)]
        for _ in range(rng.randint(0, 3)):
            pool = [_skewed(rng, SUBJECTS, 1.5), rng.choice(ACTIONS), _skewed(rng, PLACES), rng.choice(GROUPS)]
            words.append(rng.choice([*pool, rng.choice(STREETS)]))
    filters: dict[str, Any] = {}
    roll = rng.random()
    if roll < 0.2:
        filters["libraries"] = [rng.choice(LIBRARIES)]
    elif roll < 0.35:
        filters["category"] = rng.choice(categories)
    elif roll < 0.5:
        filters["valid_on"] = date(2020, 1, 1) + timedelta(days=rng.randint(0, 2500))
    return " ".join(words), filters


def _covering_index() -> str:
    """Whether the postings have an index that holds every column a search reads."""
    from jiesu.knowledge.models import IndexTerm

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, IndexTerm._meta.db_table)
    wanted = ["term", "entry_id", "field", "frequency"]
    return "yes" if any(c["index"] and c["columns"][:4] == wanted for c in found.values()) else "no"


def run(entries: int = 50_000, queries: int = 200, seed: int = 11) -> list[dict[str, Any]]:
    from jiesu.knowledge.search.query import knowledge_search

    name = "knowledge search"
    categories = _categories()
    started = time.perf_counter()
    _fill(entries, categories)
    fill_seconds = time.perf_counter() - started
    rng = random.Random(seed)
    knowledge_search("低保 申请", viewer=None)  # jieba's dictionary loads once per process
    timings: list[float] = []
    hits = 0
    for _ in range(queries):
        text, filters = _query(rng, categories)
        t0 = time.perf_counter()
        page = knowledge_search(text, viewer=None, **filters)
        timings.append((time.perf_counter() - t0) * 1000)
        hits += page.total
    timings.sort()
    return [
        {"benchmark": name, "metric": "entries", "value": entries},
        {"benchmark": name, "metric": "fill seconds", "value": round(fill_seconds, 1)},
        {"benchmark": name, "metric": "covering index", "value": _covering_index()},
        {"benchmark": name, "metric": "mean hits", "value": round(hits / queries)},
        {"benchmark": name, "metric": "p50 ms", "value": round(statistics.median(timings), 2)},
        {
            "benchmark": name,
            "metric": "p95 ms",
            "value": round(timings[int(len(timings) * 0.95) - 1], 2),
            "target": "≤ 100",
        },
    ]


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.common import django_setup, print_table

    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    django_setup()
    print_table(run(entries=args.entries, queries=args.queries))
