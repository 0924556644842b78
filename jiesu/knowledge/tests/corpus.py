"""A fixture corpus of 40 knowledge entries (written for these tests; any resemblance to real
documents is in the subject matter only), and the relevance cases run against it.

Entries are created directly with `KnowledgeEntry.objects.create` and indexed with
`entry_reindex`, so that search is tested without the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from jiesu.knowledge.choices import EntryStatus, Library
from jiesu.knowledge.models import KnowledgeEntry
from jiesu.knowledge.search.index import entry_reindex
from jiesu.tickets.models import Category

# X: sector issue list (I reads like 1)
P, L, S, X, R = (
    Library.POLICY,
    Library.LIAISON,
    Library.STANDARD_ANSWER,
    Library.SECTOR_ISSUE,
    Library.RESPONSIBILITY,
)

# key: (library, category key, title, body, extra columns)
ENTRIES: dict[str, tuple[str, str | None, str, str, dict[str, Any]]] = {
    "p_dibao": (P, "dibao", "关于进一步规范城乡最低生活保障审核确认工作的通知",
        "城乡低保申请以家庭为单位，由户主或者其代理人向户籍所在地街道办事处或乡镇人民政府提出书面申请。"
        "家庭人均收入低于本市低保标准且家庭财产符合规定的，可以认定为低保家庭。街道应当在受理之日起"
        "三十个工作日内完成审核确认，对已纳入保障的家庭每年复核一次。",
        {"document_number": "京民发〔2024〕12号", "issuing_body": "北京市民政局",
         "valid_from": date(2024, 3, 1), "valid_to": date(2029, 2, 28), "tags": ["社会救助", "低保"]}),
    "p_dibao_level": (P, "dibao", "本市城乡低保标准调整说明",
        "自七月一日起，城乡最低生活保障标准统一调整，已经领取保障金的家庭无需重新申请，由区民政部门"
        "按新标准自动核算差额并发放到账。",
        {"valid_from": date(2025, 7, 1), "valid_to": date(2026, 6, 30)}),
    "p_temp_aid": (P, "aid", "临时救助实施办法",
        "因火灾、交通事故等意外事件，或者家庭成员突发重大疾病，导致基本生活暂时出现严重困难的家庭，"
        "可以向街道申请临时救助。情况紧急的，可以先行救助，事后补办手续。", {}),
    "p_medicare_pay": (P, "medicare", "城乡居民基本医疗保险参保缴费通知",
        "城乡居民医保的年度集中缴费期为每年九月至十二月。学生儿童、劳动年龄内居民和老年人分别按不同"
        "标准缴费，可以通过银行网点、手机银行或社区服务站缴纳。逾期缴费的设置待遇等待期。", {}),
    "p_medicare_remote": (P, "medicare", "跨省异地就医直接结算办理指南",
        "参保人员跨省异地就医前，应当通过国家医保服务平台或者经办窗口办理异地就医备案。备案后在定点"
        "医疗机构住院的费用可以直接结算，未备案的须先行垫付，再回参保地按规定报销。", {}),
    "p_pension_cert": (P, "pension", "城乡居民养老保险待遇领取资格认证",
        "领取城乡居民养老保险待遇的人员每年应当完成一次资格认证。可以通过手机刷脸认证，也可以到社区"
        "服务站由工作人员协助认证。逾期未认证的暂停发放，补办认证后恢复发放并补发。", {}),
    "p_pension_raise": (P, "pension", "调整退休人员基本养老金的通知",
        "按照国家统一部署，本年度企业和机关事业单位退休人员的基本养老金总体上调，采取定额调整、挂钩"
        "调整与适当倾斜相结合的办法，调整增加的金额于八月底前发放到位。", {}),
    "p_school_enroll": (P, "school", "义务教育阶段入学登记工作意见",
        "适龄儿童入学登记在网上进行，家长须提交户口簿、居住证明等材料。非本市户籍的随迁子女按照居住"
        "证、就业证明、住房证明等要求办理，由区教委审核后统筹安排学位。", {}),
    "p_preschool_fee": (P, "school", "普惠性幼儿园收费管理办法",
        "普惠性幼儿园的保教费实行政府指导价。幼儿因病连续请假超过一个月的，按规定减收保教费；中途"
        "退园的，幼儿园应当按剩余天数退费，不得以任何名义收取赞助费。", {}),
    "p_public_rental": (P, "housing", "公共租赁住房申请审核及配租管理办法",
        "申请公租房的家庭应当在本市无住房或者人均住房面积低于规定标准，家庭收入和资产符合条件。申请经"
        "街道初审、区住房保障部门复审并公示后进入轮候，按照轮候顺序配租。", {}),
    "p_housing_fund": (P, "housing", "住房公积金提取业务办理指引",
        "职工在本市无自有住房且租房居住的，可以按月或者按季提取住房公积金支付房租；购买自住住房的，"
        "可以提取公积金支付购房款。提取申请可以在线上办理。", {}),
    "p_heating_subsidy": (P, "aid", "冬季供暖费补贴发放办法",
        "对享受最低生活保障待遇的低保户、特困人员和领取困难残疾人生活补贴的家庭，在供暖季发放采暖补贴，"
        "补贴资金由街道统一核定后打卡发放。", {}),
    "p_noise_old": (P, "noise", "关于加强建筑施工夜间噪音管理的通告",
        "二十二时至次日六时，禁止在居民区附近进行产生噪声的建筑施工作业。因工艺要求必须连续施工的，"
        "应当取得夜间施工证明并公告附近居民。",
        {"valid_from": date(2019, 1, 1), "valid_to": date(2023, 12, 31)}),
    "p_noise_new": (P, "noise", "建筑施工噪声污染防治规定",
        "建设单位应当在施工现场公示噪声污染防治措施。夜间连续施工须经批准并公告，施工扰民引发投诉的，"
        "由住建部门会同城管执法部门调查处理。", {"valid_from": date(2024, 1, 1)}),
    "p_elderly_meal": (P, "pension", "老年人助餐服务补贴办法",
        "年满六十周岁的本市户籍老年人在养老助餐点用餐，可以享受每餐定额补贴，高龄、失能老年人补贴"
        "标准适当提高。助餐点由街道统一认定。", {}),
    "p_disability": (P, "aid", "残疾人两项补贴申领办法",
        "困难残疾人生活补贴和重度残疾人护理补贴由本人或者监护人向户籍所在地街道提出申请，经区残联和"
        "民政部门审核后按月发放。", {}),
    "l_chaoyang_aid": (L, "aid", "朝阳区民政局社会救助科",
        "负责本区城乡低保、特困供养和临时救助类工单的接收、转办与协调。",
        {"contacts": [{"name": "张丽", "role": "科长"}, {"name": "王海", "role": "联络员"}],
         "duty_phone": "010-65990001", "wecom_group": "朝阳区社会救助联络群"}),
    "l_haidian_school": (L, "school", "海淀区教委入学服务中心",
        "受理本区义务教育入学登记、转学和学位咨询类工单。",
        {"contacts": [{"name": "李明", "role": "联络员"}], "duty_phone": "010-62990002"}),
    "l_xicheng_housing": (L, "housing", "西城区住房保障事务中心",
        "负责公租房、保障性住房资格审核与配租相关诉求的协调处理。",
        {"contacts": [{"name": "赵敏", "role": "副主任"}], "wecom_group": "西城住房保障群"}),
    "l_wangjing": (L, "noise", "望京街道城市管理办公室",
        "负责辖区施工扰民、占道经营和环境秩序类诉求的现场核查，夜间由值班人员处置。",
        {"contacts": [{"name": "孙强", "role": "值班主任"}], "duty_phone": "010-64990003"}),
    "l_dongcheng_medicare": (L, "medicare", "东城区医疗保障局经办科",
        "负责本区医保缴费、待遇审核和异地就医备案类工单。",
        {"contacts": [{"name": "周静", "role": "联络员"}]}),
    "s_dibao_apply": (S, "dibao", "低保如何申请",
        "申请城乡低保由户主向户籍所在地街道提出，需要提供身份证件、户口簿、家庭收入和财产情况说明。"
        "街道受理后入户调查并公示，审核确认后按月发放保障金。",
        {"question": "家里生活困难，怎样申请城乡低保？",
         "script": "您好，申请低保需要由户主到户籍所在地街道提出，我们已把材料清单发送给您。"}),
    "s_pension_cert": (S, "pension", "养老金资格认证方式",
        "领取养老金的老人每年认证一次，可以用手机刷脸自助认证，行动不便的可以预约社区工作人员上门认证。",
        {"question": "每年的养老金认证怎么做？"}),
    "s_noise_reply": (S, "noise", "夜间施工噪音扰民答复口径",
        "经核实，该工地已按要求公示夜间施工证明；城管执法部门已要求施工单位合理安排工序、降低噪声，"
        "今后将加强夜间巡查。",
        {"question": "夜里工地施工太吵怎么办？"}),
    "s_school_docs": (S, "school", "随迁子女入学所需材料答复口径",
        "非本市户籍的适龄儿童入学，家长需准备居住证、在京就业证明、住房证明和户口簿，具体以所在区"
        "教委公布的要求为准。",
        {"question": "外地孩子在本地上小学要什么材料？"}),
    "s_medicare_card": (S, "medicare", "医保卡丢失补办答复口径",
        "医保卡丢失后，请先通过电话或手机应用挂失，再持身份证件到合作银行网点补办，补办期间就医可以"
        "使用医保电子凭证。", {}),
    "s_fund_rent": (S, "housing", "公积金租房提取答复口径",
        "无房职工租房可以提取公积金，在线上提交申请后按月到账，每月提取额度按本市规定执行。", {}),
    "s_heating_cold": (S, "heating", "供暖不热的处理答复",
        "已通知供热单位上门测温，室温低于规定标准的，由供热单位排查管网并整改，必要时按规定退还部分"
        "采暖费。", {}),
    "i_heating_temp": (X, "heating", "老旧小区冬季室温不达标",
        "部分老旧小区管网老化，末端住户室温偏低。供热单位应当上门测温、排查管线，属于用户自行改装"
        "暖气的，应当告知用户自行整改。", {"excludable": False}),
    "i_elevator": (X, "housing", "老旧小区加装电梯意见分歧",
        "加装电梯需征得本单元业主同意，低层住户因采光、噪音等原因反对的，属于业主之间的民事协商，"
        "街道可以组织协调。", {"excludable": True}),
    "i_property_fee": (X, "housing", "物业服务费收费争议",
        "业主对物业费标准或者服务质量有异议的，引导通过业主委员会协商，物业企业不得以停水停电方式"
        "催缴物业费。", {"excludable": True}),
    "i_parking": (X, "noise", "小区周边占道停车",
        "小区周边道路车辆乱停，影响通行。属于城市道路的由交通管理部门处理，小区内部的由物业管理。",
        {"excludable": False}),
    "i_square_dance": (X, "noise", "广场舞音响声音过大",
        "晚间广场舞音响声音过大影响居民休息，由街道协调活动时间和音量，必要时公安机关依法处理。",
        {"excludable": False}),
    "i_wage": (X, None, "农民工工资拖欠",
        "施工企业拖欠农民工工资的，由人力社保部门劳动监察机构受理投诉，建设单位承担先行垫付责任。",
        {"excludable": False}),
    "r_dibao": (R, "dibao", "最低生活保障审核确认",
        "负责辖区内最低生活保障的受理、调查、审核确认和动态管理。",
        {"legal_basis": "《社会救助暂行办法》关于最低生活保障的规定"}),
    "r_noise_night": (R, "noise", "建筑施工夜间噪声扰民查处",
        "对未取得夜间施工证明擅自在夜间进行产生噪声的施工作业的行为进行查处。",
        {"legal_basis": "《中华人民共和国噪声污染防治法》有关建筑施工噪声的条款"}),
    "r_enroll": (R, "school", "义务教育入学服务与学位安排",
        "负责适龄儿童入学登记审核、学位统筹和转学办理。", {"legal_basis": "《中华人民共和国义务教育法》"}),
    "r_medicare": (R, "medicare", "基本医疗保险待遇审核",
        "负责医疗保险待遇审核、费用结算和异地就医备案管理。", {"legal_basis": "《中华人民共和国社会保险法》"}),
    "r_rental": (R, "housing", "公共租赁住房资格审核",
        "负责公租房申请家庭的资格复审、轮候管理和配租。", {}),
    "r_dog": (R, "noise", "违规养犬查处",
        "对未办理养犬登记、携犬出户未束犬链等违规养犬行为进行查处。", {"legal_basis": "本市养犬管理规定"}),
}  # fmt: skip

# (category key, parent key, name)
CATEGORIES = [
    ("welfare", None, "社会保障"),
    ("aid", "welfare", "社会救助"),
    ("dibao", "aid", "最低生活保障"),
    ("medicare", "welfare", "医疗保险"),
    ("pension", "welfare", "养老保险"),
    ("city", None, "城市管理"),
    ("noise", "city", "噪音扰民"),
    ("heating", "city", "供暖"),
    ("housing", None, "住房保障"),
    ("school", None, "教育"),
]


@dataclass(frozen=True)
class Case:
    query: str
    expected: str
    within: int = 1  # 1: must be the top hit; 3: among the top three


CASES = [
    Case("低保怎么申请", "s_dibao_apply"),
    Case("京民发〔2024〕12号", "p_dibao"),
    Case("京民发", "p_dibao"),
    Case("养老金资格认证", "s_pension_cert"),
    Case("公租房申请条件", "p_public_rental", within=3),
    Case("公积金租房提取", "s_fund_rent"),
    Case("夜间施工噪音", "s_noise_reply", within=3),
    Case("随迁子女入学材料", "s_school_docs"),
    Case("异地就医备案", "p_medicare_remote", within=3),
    Case("加装电梯", "i_elevator"),
    Case("广场舞", "i_square_dance"),
    Case("拖欠工资", "i_wage"),
    Case("望京街道", "l_wangjing"),
    Case("张丽", "l_chaoyang_aid"),
    Case("残疾人护理补贴", "p_disability"),
    Case("供暖费补贴", "p_heating_subsidy"),
    Case("养犬", "r_dog"),
    Case("幼儿园退费", "p_preschool_fee"),
    Case("医保卡丢了怎么补办", "s_medicare_card"),
    Case("物业费", "i_property_fee", within=3),
]


def build_categories() -> dict[str, Category]:
    made: dict[str, Category] = {}
    for key, parent_key, name in CATEGORIES:
        parent = made[parent_key] if parent_key else None
        category = Category.objects.create(
            code=f"kb-{key}", name=name, level=(parent.level + 1) if parent else 1, parent=parent
        )
        category.path = f"{parent.path if parent else '/'}{category.pk}/"
        category.full_name = f"{parent.full_name}/{name}" if parent else name
        category.save(update_fields=["path", "full_name"])
        made[key] = category
    return made


def build_corpus(status: str = EntryStatus.PUBLISHED) -> dict[str, KnowledgeEntry]:
    """Every corpus entry, created and indexed; keyed as in ENTRIES."""
    categories = build_categories()
    made: dict[str, KnowledgeEntry] = {}
    for key, (library, category_key, title, body, extra) in ENTRIES.items():
        entry = KnowledgeEntry.objects.create(
            library=library,
            status=status,
            title=title,
            body=body,
            category=categories[category_key] if category_key else None,
            **extra,
        )
        entry_reindex(entry)
        made[key] = entry
    return made
