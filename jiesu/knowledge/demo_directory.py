"""Demo liaison directory, sector issue list and responsibility list (see demo_content.py for the
rules these texts follow: written for the demo, "演示" document numbers, unallocated phone numbers)."""

from __future__ import annotations

from typing import Any

from jiesu.knowledge.demo_content import (
    AFFAIRS,
    CA,
    CENTER,
    CHAOYANG,
    CHILDREN,
    EDU,
    ELDERLY,
    HAIDIAN,
    RELIEF,
    WANGJING,
    XUEYUANLU,
)


def _contact(name: str, role: str, phone: str, email: str = "") -> dict[str, str]:
    return {"name": name, "role": role, "phone": phone, "mobile": "", "email": email}


LIAISONS: list[dict[str, Any]] = [
    {
        "title": "民政12345分中心值班室",
        "unit": CENTER,
        "contacts": [_contact("值班长", "当班班长", "010-0012 3400")],
        "duty_phone": "010-0012 3401",
        "wecom_group": "民政分中心·四级联动群",
        "body": "全天值守；紧急救助类诉求先电话联系，再派单。",
    },
    {
        "title": "社会救助处联络人",
        "unit": RELIEF,
        "contacts": [_contact("周文", "科员", "010-0012 3411"), _contact("吴倩", "副处长", "010-0012 3412")],
        "duty_phone": "010-0012 3410",
        "body": "低保、特困、临时救助政策口径问题。",
    },
    {
        "title": "养老服务处联络人",
        "unit": ELDERLY,
        "contacts": [_contact("郑海", "科员", "010-0012 3421 转 8021")],
        "duty_phone": "010-0012 3420",
        "body": "养老机构、养老服务补贴和高龄津贴。",
    },
    {
        "title": "儿童福利处联络人",
        "unit": CHILDREN,
        "contacts": [_contact("冯蕾", "科员", "010-0012 3431")],
        "duty_phone": "010-0012 3430",
    },
    {
        "title": "社会事务处联络人",
        "unit": AFFAIRS,
        "contacts": [_contact("韩松", "科员", "010-0012 3441", "demo-affairs@example.org")],
        "duty_phone": "010-0012 3440",
        "body": "婚姻登记、殡葬管理、社会组织登记。",
    },
    {
        "title": "朝阳区民政局",
        "unit": CHAOYANG,
        "contacts": [_contact("曹宁", "办公室主任", "010-0051 0001"), _contact("许可", "12345 专员", "010-0051 0002")],
        "duty_phone": "010-0051 0000",
        "wecom_group": "朝阳民政·接诉即办",
        "category": (CA, "社会救助"),
    },
    {
        "title": "朝阳区教育委员会",
        "unit": CHAOYANG,
        "contacts": [_contact("彭悦", "12345 专员", "010-0051 0102")],
        "duty_phone": "010-0051 0100",
        "wecom_group": "朝阳教委·接诉即办",
        "category": (EDU, "入学政策"),
        "body": "入学、校外培训、课后服务诉求的区级接口。",
    },
    {
        "title": "望京街道民生保障办公室",
        "unit": WANGJING,
        "contacts": [_contact("杨静", "接诉即办专员", "010-0052 6001")],
        "duty_phone": "010-0052 6000",
        "wecom_group": "望京街道·接诉即办",
    },
    {
        "title": "海淀区民政局",
        "unit": HAIDIAN,
        "contacts": [_contact("蒋涛", "12345 专员", "010-0062 0001")],
        "duty_phone": "010-0062 0000",
    },
    {
        "title": "学院路街道社区建设办公室",
        "unit": XUEYUANLU,
        "contacts": [],
        "duty_phone": "010-0062 1000",
        "status": "draft",
    },
]

SECTOR_ISSUES: list[dict[str, Any]] = [
    {
        "title": "要求提高最低生活保障标准",
        "unit": RELIEF,
        "category": (CA, "社会救助"),
        "body": "低保标准由市政府统一制定并向社会公布，不属于单位个案可调整事项。解释政策并记录意见建议。",
        "excludable": True,
    },
    {
        "title": "低保复核后停发或减发",
        "unit": WANGJING,
        "category": (CA, "社会救助"),
        "body": "由街道说明复核依据和家庭经济状况核对结果；诉求人不服的，告知可申请复查。",
        "excludable": False,
    },
    {
        "title": "养老机构收费和服务纠纷",
        "unit": ELDERLY,
        "category": (CA, "养老服务"),
        "body": "先核实是否按合同和公示价格收费；涉及服务质量的由属地民政部门检查，必要时约谈机构。",
        "excludable": False,
    },
    {
        "title": "婚姻登记特殊日期预约号源不足",
        "unit": AFFAIRS,
        "category": (CA, "婚姻登记"),
        "body": "属正常供需矛盾，解释预约规则并建议选择其他日期；登记机关应提前公布号源安排。",
        "excludable": True,
    },
    {
        "title": "经营性公墓价格过高",
        "unit": AFFAIRS,
        "category": (CA, "殡葬管理"),
        "body": "经营性公墓价格实行市场调节，告知可选择公益性骨灰安放设施；存在价格欺诈线索的转市场监管部门。",
        "excludable": True,
    },
    {
        "title": "对义务教育划片范围不满",
        "unit": CHAOYANG,
        "category": (EDU, "入学政策"),
        "body": "划片依据区教委公布的入学政策确定，解释政策依据；个别家庭的特殊困难由区教委个案研究。",
        "excludable": True,
    },
    {
        "title": "校外培训机构停业拒不退费",
        "unit": CHAOYANG,
        "category": (EDU, "校外培训"),
        "body": "区教委联系机构负责人、核查资金监管账户；涉众的及时报告并会同相关部门处置。",
        "excludable": False,
    },
    {
        "title": "课后服务强制参加或收费不规范",
        "unit": CHAOYANG,
        "category": (EDU, "学校管理"),
        "body": "区教委督促学校落实自愿原则，核查收费依据，违规收取的督促退还。",
        "excludable": False,
    },
    {
        "title": "以社会组织名义募捐敛财",
        "unit": AFFAIRS,
        "body": "核实组织是否依法登记；未登记的按非法社会组织线索处理，涉嫌诈骗的告知报警。",
        "excludable": False,
        "status": "review",
    },
]

RESPONSIBILITIES: list[dict[str, Any]] = [
    {
        "title": "最低生活保障的受理和审核确认",
        "unit": WANGJING,
        "category": (CA, "社会救助"),
        "legal_basis": "《社会救助暂行办法》关于最低生活保障的规定；本市最低生活保障审核确认办法。",
        "body": "街道（乡镇）负责受理、调查、评议和确认，区民政部门负责监督指导。",
    },
    {
        "title": "特困人员认定和救助供养",
        "unit": WANGJING,
        "category": (CA, "社会救助"),
        "legal_basis": "《社会救助暂行办法》关于特困人员供养的规定。",
    },
    {
        "title": "临时救助的审批和先行救助",
        "unit": WANGJING,
        "category": (CA, "社会救助"),
        "legal_basis": "《社会救助暂行办法》关于临时救助的规定。",
    },
    {
        "title": "高龄津贴和养老服务补贴的发放",
        "unit": ELDERLY,
        "category": (CA, "养老服务"),
        "legal_basis": "《中华人民共和国老年人权益保障法》；本市养老服务补贴津贴管理办法。",
    },
    {
        "title": "养老机构的监督检查",
        "unit": CHAOYANG,
        "category": (CA, "养老服务"),
        "legal_basis": "《中华人民共和国老年人权益保障法》；《养老机构管理办法》。",
    },
    {
        "title": "婚姻登记",
        "unit": CHAOYANG,
        "category": (CA, "婚姻登记"),
        "legal_basis": "《中华人民共和国民法典》婚姻家庭编；《婚姻登记条例》。",
        "body": "由区民政局婚姻登记机关办理。",
    },
    {
        "title": "殡葬服务和殡葬设施的管理",
        "unit": AFFAIRS,
        "category": (CA, "殡葬管理"),
        "legal_basis": "《殡葬管理条例》。",
    },
    {
        "title": "社会组织的登记和年度检查",
        "unit": AFFAIRS,
        "legal_basis": "《社会团体登记管理条例》；《民办非企业单位登记管理暂行条例》；《基金会管理条例》。",
    },
    {
        "title": "义务教育入学的组织和划片",
        "unit": CHAOYANG,
        "category": (EDU, "入学政策"),
        "legal_basis": "《中华人民共和国义务教育法》。",
        "body": "由区教育委员会组织实施。",
    },
    {
        "title": "校外培训机构的审批和监管",
        "unit": CHAOYANG,
        "category": (EDU, "校外培训"),
        "legal_basis": "《中华人民共和国民办教育促进法》及校外培训监管的有关规定。",
        "body": "由区教育委员会会同相关部门实施。",
    },
]
