"""Fake but plausible people and places for the demo ledger. Pure: every draw takes the caller's rng."""

from __future__ import annotations

import functools
import random

# The most common surnames, roughly in order of frequency, so that draws look like a real ledger.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华玉兰志强桂兰海燕淑"
    "珍红梅文春梅丹丽华鹏飞宇浩然子涵欣怡晨阳思远佳琪雨轩梓萱俊杰一鸣"
)
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180", "181", "182",
    "183", "185", "186", "187", "188", "189", "198", "199",
)  # fmt: skip
URBAN_PLACES = ("家园", "小区", "嘉园", "花园", "北里", "西里", "南里", "东里", "新村", "佳苑", "一区", "二区", "公寓")
RURAL_PLACES = ("村", "新村", "家园", "中心村", "小区")
ROADS = ("路", "街", "大街", "东路", "西路", "南路", "北路", "中路")
SHOPS = (
    "某健身房",
    "某美容美发店",
    "某教育培训机构",
    "某餐饮公司",
    "某物流公司",
    "某装修公司",
    "某游泳馆",
    "某超市",
    "某建筑劳务公司",
    "某保洁公司",
)
SCHOOLS = ("第一小学", "中心小学", "实验小学", "第二小学")
TOWNSHIP_SUFFIXES = ("街道", "地区", "镇", "乡")


@functools.cache
def township_stem(name: str) -> str:
    """ "望京街道" → "望京", "南磨房地区" → "南磨房": the part used to name places nearby."""
    for suffix in TOWNSHIP_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def is_rural(name: str) -> bool:
    return name.endswith(("镇", "乡"))


def person_name(rng: random.Random) -> str:
    """A surname with one or two given characters; a fifth of callers give only 先生/女士."""
    surname = SURNAMES[min(int(rng.expovariate(1 / 18)), len(SURNAMES) - 1)]
    roll = rng.random()
    if roll < 0.2:
        return surname + ("先生" if roll < 0.1 else "女士")
    if roll < 0.45:
        return surname + rng.choice(GIVEN)
    return surname + rng.choice(GIVEN) + rng.choice(GIVEN)


def mobile_number(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def place_name(rng: random.Random, township: str) -> str:
    stem = township_stem(township)
    suffixes = RURAL_PLACES if is_rural(township) else URBAN_PLACES
    return stem + rng.choice(suffixes)


def road_name(rng: random.Random, township: str) -> str:
    return township_stem(township) + rng.choice(ROADS)


def school_name(rng: random.Random, township: str) -> str:
    return township_stem(township) + rng.choice(SCHOOLS)
