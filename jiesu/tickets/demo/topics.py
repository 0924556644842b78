"""The appeal topics of the demo ledger: category, season, handling unit and Chinese templates.

Weights are shares of a typical day's intake; `windows` raise a topic during its season (heating
from Nov 15 to Mar 15, power and water in summer, school enrolment in spring and summer …) and
`baseline` is its factor outside every window. Templates use the placeholders filled in by
`generator._placeholders`. Titles, details and replies are parallel: the i-th title goes with
the i-th detail and, when there is one, the i-th reply.
"""

from __future__ import annotations

from dataclasses import dataclass

from jiesu.tickets.choices import Kind

Window = tuple[tuple[int, int], tuple[int, int], float]  # (month, day) from, (month, day) to, factor

# Who handles a topic: the township of the address, its district, or an office of the center.
TOWNSHIP, DISTRICT = "township", "district"
AID, ELDERLY, CHILDREN, AFFAIRS = "office:社会救助处", "office:养老服务处", "office:儿童福利处", "office:社会事务处"


@dataclass(frozen=True)
class Topic:
    key: str
    categories: tuple[str, ...]  # candidate paths "一级/二级", best first; the loader takes the first that exists
    weight: float
    handler: str
    kinds: tuple[tuple[str, float], ...]
    titles: tuple[str, ...]
    details: tuple[str, ...]
    replies: tuple[str, ...]
    windows: tuple[Window, ...] = ()
    baseline: float = 1.0
    urgent: float = 0.02
    direct: float = 0.1  # share answered at intake (直接办复)
    reply_days: float = 3.0  # median days from dispatch to reply


DEMANDS = (
    "希望相关部门尽快处理",
    "希望尽快解决",
    "请有关部门核实处理",
    "希望给予答复",
    "要求相关部门监督整改",
    "希望能够协调解决",
)

TOPICS: tuple[Topic, ...] = (
    Topic(
        key="heating",
        categories=("供暖/室温不达标", "供暖", "城乡建设/供暖"),
        weight=10.0,
        handler=TOWNSHIP,
        kinds=((Kind.HELP, 0.55), (Kind.COMPLAINT, 0.4), (Kind.CONSULTATION, 0.05)),
        titles=("{place}暖气不热", "{place}暖气不热，室温不足{temp}度", "{place}供暖温度不达标", "{place}暖气漏水"),
        details=(
            "{place}{building}暖气不热，室温不足{temp}度，已持续{days}天，联系物业未解决",
            "{place}{building}{room}室暖气片冰凉，家中有老人和婴儿，室温只有{temp}度",
            "{place}整栋楼供暖温度不达标，室温{temp}度左右，供热公司一直没有上门检修",
            "{place}{building}暖气管道漏水，已影响楼下住户，物业称需等待供热公司处理",
        ),
        replies=(
            "经核实，该楼供暖管线存在气堵，供热公司已于次日上门排气，室温恢复至18度以上，已电话告知来电人",
            "经属地街道协调，供热公司对该户暖气进行了检修，更换了堵塞阀门，来电人表示认可",
            "经现场测温，室内温度为{temp}度，供热单位已调整该楼供水温度，并承诺持续监测",
            "供热公司已对漏水管道进行维修，并协调物业处理楼下住户的损失",
        ),
        windows=(((11, 15), (3, 15), 1.0), ((11, 15), (12, 20), 1.6)),
        baseline=0.03,
        urgent=0.05,
        direct=0.05,
        reply_days=1.5,
    ),
    Topic(
        key="water",
        categories=("供水/停水", "供水"),
        weight=3.0,
        handler=TOWNSHIP,
        kinds=((Kind.HELP, 0.6), (Kind.COMPLAINT, 0.3), (Kind.CONSULTATION, 0.1)),
        titles=("{place}停水", "{place}水压低", "{place}自来水发黄", "{road}供水管线漏水"),
        details=(
            "{place}自{days}天前开始停水，未见任何通知，居民生活受到严重影响",
            "{place}{building}高层水压低，{n}层以上基本无水可用",
            "{place}自来水发黄有异味，担心水质安全",
            "{road}路边供水管线破裂漏水，路面积水结冰存在安全隐患",
        ),
        replies=(
            "经核实，停水系管网维修所致，自来水公司已完成抢修并恢复供水，已向来电人说明情况",
            "经查，该小区二次供水设备故障，物业已联系厂家维修，目前水压已恢复正常",
            "经自来水公司现场取样检测，水质符合标准，发黄系管道老化所致，已对管道进行冲洗",
            "自来水公司已对该处管线进行抢修，漏水问题已解决",
        ),
        windows=(((6, 1), (8, 31), 1.8),),
        baseline=0.8,
        urgent=0.12,
        direct=0.05,
        reply_days=1.0,
    ),
    Topic(
        key="power",
        categories=("公共服务/供电", "供电"),
        weight=2.5,
        handler=TOWNSHIP,
        kinds=((Kind.HELP, 0.7), (Kind.COMPLAINT, 0.25), (Kind.CONSULTATION, 0.05)),
        titles=("{place}停电", "{place}频繁跳闸", "{place}电压不稳"),
        details=(
            "{place}{building}突然停电已超过{n}小时，天气炎热家中有老人，希望尽快恢复供电",
            "{place}近期频繁停电跳闸，空调无法正常使用",
            "{place}电压不稳，家用电器多次损坏",
        ),
        replies=(
            "经核实，停电系小区配电箱故障，供电公司已完成抢修恢复供电",
            "供电公司已对该小区线路进行增容改造，问题已解决，已告知来电人",
        ),
        windows=(((6, 15), (8, 31), 2.5),),
        baseline=0.6,
        urgent=0.15,
        direct=0.05,
        reply_days=1.0,
    ),
    Topic(
        key="property",
        categories=("物业管理/物业服务质量", "物业管理", "住房/物业管理"),
        weight=9.0,
        handler=TOWNSHIP,
        kinds=((Kind.COMPLAINT, 0.65), (Kind.HELP, 0.25), (Kind.CONSULTATION, 0.1)),
        titles=("{place}电梯故障", "{place}物业不作为", "{place}物业乱收费", "{place}楼道堆物"),
        details=(
            "{place}{building}电梯经常故障停运，已{days}天未修好，老人上下楼困难",
            "{place}物业服务差，小区垃圾无人清理，绿地无人养护",
            "{place}物业擅自上调停车管理费，未经业主大会同意",
            "{place}{building}楼道内长期堆放杂物，存在消防隐患，物业不予清理",
        ),
        replies=(
            "经街道协调，物业公司已对电梯进行维修并恢复运行，已向来电人反馈",
            "街道已约谈物业公司，督促其加强小区保洁和绿化养护",
            "经调查，物业收费调整未履行法定程序，已责令物业暂停执行，来电人表示认可",
            "经核实，物业已清理楼道堆物，街道将持续督促物业履行职责",
        ),
        reply_days=4.0,
    ),
    Topic(
        key="noise",
        categories=("环境保护/噪声污染", "城乡建设/施工扰民"),
        weight=6.0,
        handler=TOWNSHIP,
        kinds=((Kind.COMPLAINT, 0.9), (Kind.REPORT, 0.1)),
        titles=("{place}夜间施工扰民", "{place}广场舞噪音扰民", "{road}商户外放音响扰民"),
        details=(
            "{place}附近工地每天夜间施工到凌晨{hour}点，噪音很大，严重影响休息",
            "{place}广场舞音响声音过大，持续到晚上10点以后",
            "{road}沿街商户使用高音喇叭招揽顾客，噪音扰民",
        ),
        replies=(
            "经执法队现场检查，该工地未办理夜间施工许可，已责令停止夜间施工并立案处理",
            "经社区协调，广场舞团队已调低音量并缩短活动时间，来电人表示认可",
            "城管执法人员已对该商户进行教育并责令整改，外放音响已拆除",
        ),
        windows=(((5, 1), (9, 30), 1.7),),
        baseline=0.7,
        reply_days=3.0,
    ),
    Topic(
        key="sanitation",
        categories=("城乡建设/市容环境卫生", "城乡建设"),
        weight=4.0,
        handler=TOWNSHIP,
        kinds=((Kind.COMPLAINT, 0.6), (Kind.HELP, 0.3), (Kind.SUGGESTION, 0.1)),
        titles=("{place}垃圾清运不及时", "{road}积雪未清扫", "{road}路面积水"),
        details=(
            "{place}垃圾桶满溢{days}天无人清运，气味很大",
            "{road}人行道积雪结冰无人清扫，多名老人滑倒",
            "{road}下雨后路面积水严重，行人无法通行",
        ),
        replies=(
            "经核实，街道已安排环卫人员清运垃圾，并增加该点位清运频次",
            "街道已组织人员对该路段积雪进行清扫并撒布融雪剂",
            "经排查，积水系雨水口堵塞所致，已完成疏通",
        ),
        windows=(((12, 1), (2, 28), 1.4), ((7, 1), (8, 31), 1.5)),
        baseline=1.0,
        reply_days=2.0,
    ),
    Topic(
        key="parking",
        categories=("交通管理/违法停车", "交通管理"),
        weight=4.0,
        handler=DISTRICT,
        kinds=((Kind.COMPLAINT, 0.6), (Kind.REPORT, 0.25), (Kind.SUGGESTION, 0.15)),
        titles=("{road}违章停车", "{place}消防通道被占", "{road}共享单车乱停放"),
        details=(
            "{road}路边长期违章停车，早晚高峰严重拥堵",
            "{place}消防通道被私家车长期占用，存在安全隐患",
            "{road}地铁站口共享单车乱停乱放，影响行人通行",
        ),
        replies=(
            "交管部门已加强该路段巡查，对违停车辆依法处罚",
            "经社区协调，已在消防通道处施划禁停标线并安装隔离桩",
            "已通知共享单车企业加派运维人员清理，并设置停放区",
        ),
        reply_days=4.0,
    ),
    Topic(
        key="construction",
        categories=("城乡建设/违法建设", "城乡建设"),
        weight=2.5,
        handler=TOWNSHIP,
        kinds=((Kind.REPORT, 0.7), (Kind.COMPLAINT, 0.3)),
        titles=("{place}私搭乱建", "{place}顶楼违建", "{place}一层住户私开门脸"),
        details=(
            "{place}{building}一层住户私自扩建院落，占用公共绿地",
            "{place}{building}顶楼住户加盖阳光房，影响楼体安全",
            "{place}一层住户破墙开店，影响居民正常生活",
        ),
        replies=(
            "经执法人员现场核查，该处确属违法建设，已下达限期拆除通知书",
            "经核实，该违建已于近日完成拆除，现场已恢复原状",
        ),
        reply_days=6.0,
    ),
    Topic(
        key="enrolment",
        categories=("教育/入学政策", "教育"),
        weight=2.0,
        handler=DISTRICT,
        kinds=((Kind.CONSULTATION, 0.7), (Kind.HELP, 0.2), (Kind.COMPLAINT, 0.1)),
        titles=("咨询{district}小学入学政策", "{school}入学登记问题", "非京籍子女入学材料审核咨询"),
        details=(
            "来电人咨询孩子今年{child_age}岁，户籍在{township}，如何办理{school}入学登记",
            "来电人反映{school}入学信息采集系统无法提交，多次尝试未果",
            "来电人为非京籍家庭，咨询子女在{district}接受义务教育需要哪些证明材料",
        ),
        replies=(
            "已向来电人解释本区义务教育入学政策及登记时间，来电人表示清楚",
            "经区教委核实，系统已修复，已指导来电人完成信息采集",
        ),
        windows=(((4, 1), (8, 31), 3.0), ((5, 1), (6, 30), 5.0)),
        baseline=0.3,
        direct=0.45,
        reply_days=2.0,
    ),
    Topic(
        key="wages",
        categories=("劳动和社会保障/拖欠工资", "劳动和社会保障"),
        weight=2.5,
        handler=DISTRICT,
        kinds=((Kind.HELP, 0.6), (Kind.COMPLAINT, 0.3), (Kind.CONSULTATION, 0.1)),
        titles=("{shop}拖欠工资", "{shop}未缴纳社保", "{shop}违法解除劳动合同"),
        details=(
            "来电人反映在{shop}工作，被拖欠{n}个月工资共计{money}元",
            "来电人反映{shop}入职{n}个月未为其缴纳社会保险",
            "来电人反映被{shop}无故辞退，未支付经济补偿",
        ),
        replies=(
            "劳动监察大队已约谈用人单位，用人单位已支付拖欠工资",
            "已告知来电人可向劳动人事争议仲裁委员会申请仲裁，来电人表示了解",
        ),
        windows=(((12, 1), (2, 10), 2.0),),
        baseline=1.0,
        direct=0.2,
        reply_days=6.0,
    ),
    Topic(
        key="consumer",
        categories=("市场管理/预付卡退费", "市场管理/消费纠纷", "市场管理"),
        weight=4.0,
        handler=DISTRICT,
        kinds=((Kind.COMPLAINT, 0.75), (Kind.REPORT, 0.15), (Kind.CONSULTATION, 0.1)),
        titles=("{shop}预付卡退费难", "{shop}商品质量问题", "{shop}闭店跑路"),
        details=(
            "来电人在{shop}办理预付卡{money}元，现商家拒绝退费",
            "来电人在{shop}购买的商品存在质量问题，商家拒绝退换",
            "{shop}突然闭店，会员卡余额无法使用，涉及会员众多",
        ),
        replies=(
            "经市场监管所调解，商家同意退还剩余预付款，来电人表示认可",
            "已告知来电人通过诉讼途径维权，并对商家进行了行政约谈",
        ),
        reply_days=5.0,
    ),
    Topic(
        key="medical_insurance",
        categories=("医疗卫生/医疗保障", "劳动和社会保障/社会保险"),
        weight=3.0,
        handler=DISTRICT,
        kinds=((Kind.CONSULTATION, 0.8), (Kind.HELP, 0.2)),
        titles=("咨询医保异地报销", "咨询城乡居民医保缴费", "医保卡无法使用"),
        details=(
            "来电人咨询在外地住院如何办理医保异地就医备案及报销",
            "来电人咨询城乡居民基本医疗保险缴费时间和标准",
            "来电人反映医保卡在定点医院无法结算",
        ),
        replies=("已向来电人解答医保异地就医备案流程，来电人表示清楚",),
        windows=(((9, 1), (12, 25), 1.5),),
        direct=0.6,
        reply_days=2.0,
    ),
    Topic(
        key="elderly",
        categories=("民政/养老服务", "民政"),
        weight=4.0,
        handler=ELDERLY,
        kinds=((Kind.CONSULTATION, 0.45), (Kind.HELP, 0.35), (Kind.COMPLAINT, 0.15), (Kind.SUGGESTION, 0.05)),
        titles=("咨询高龄津贴发放", "{township}养老驿站服务问题", "{place}老年人助餐服务", "养老机构收费问题"),
        details=(
            "来电人母亲今年{elder_age}岁，咨询高龄老年人津贴如何申请",
            "来电人反映{township}养老驿站服务时间缩短，老人无处就餐",
            "来电人建议在{place}附近增设老年餐桌",
            "来电人反映父亲所在养老机构擅自上涨床位费",
        ),
        replies=(
            "已向来电人解答高龄津贴申请条件及办理渠道，来电人表示清楚",
            "经核实，养老驿站已恢复正常服务时间，并向来电人致歉",
            "已将来电人建议转属地街道研究，拟在该社区养老驿站增设助餐点",
            "已督促养老机构按照协议收费，多收费用已退还",
        ),
        direct=0.35,
        reply_days=4.0,
    ),
    Topic(
        key="assistance",
        categories=("民政/社会救助", "民政"),
        weight=3.0,
        handler=AID,
        kinds=((Kind.HELP, 0.55), (Kind.CONSULTATION, 0.4), (Kind.COMPLAINT, 0.05)),
        titles=("咨询低保申请条件", "申请临时救助", "低保金未按时发放"),
        details=(
            "来电人咨询家庭人均收入低于多少可以申请最低生活保障",
            "来电人家中突发变故，生活困难，希望申请临时救助",
            "来电人反映本月低保金未按时到账",
        ),
        replies=(
            "已向来电人解答低保申请条件，并告知可向户籍所在地街道提出申请",
            "经街道入户核查，已为来电人办理临时救助{money}元",
            "经核实，因银行账户变更导致发放延迟，现已补发",
        ),
        direct=0.35,
        reply_days=5.0,
    ),
    Topic(
        key="children",
        categories=("民政/儿童福利", "民政/社会救助", "民政"),
        weight=0.8,
        handler=CHILDREN,
        kinds=((Kind.HELP, 0.6), (Kind.CONSULTATION, 0.4)),
        titles=("困境儿童保障咨询", "{township}留守儿童无人照料"),
        details=(
            "来电人咨询困境儿童基本生活保障的申请条件",
            "来电人反映{place}有一名儿童父母外出务工，长期无人照料",
        ),
        replies=("经街道儿童督导员上门走访，已将该儿童纳入困境儿童保障",),
        direct=0.3,
        reply_days=5.0,
    ),
    Topic(
        key="affairs",
        categories=("民政/婚姻登记", "民政"),
        weight=1.5,
        handler=AFFAIRS,
        kinds=((Kind.CONSULTATION, 0.8), (Kind.COMPLAINT, 0.15), (Kind.SUGGESTION, 0.05)),
        titles=("咨询结婚登记预约", "清明节祭扫预约", "墓地收费问题"),
        details=(
            "来电人咨询在{district}婚姻登记处办理结婚登记是否需要预约",
            "来电人咨询清明节期间墓园祭扫是否需要提前预约",
            "来电人反映墓园收取的管理费高于公示标准",
        ),
        replies=("已向来电人解答相关政策及办理流程，来电人表示满意",),
        windows=(((3, 20), (4, 10), 3.0), ((5, 15), (5, 22), 2.0)),
        direct=0.7,
        reply_days=3.0,
    ),
    Topic(
        key="praise",
        categories=("其他/表扬感谢", "其他"),
        weight=0.6,
        handler=TOWNSHIP,
        kinds=((Kind.PRAISE, 1.0),),
        titles=("表扬{township}工作人员", "感谢{township}及时解决问题"),
        details=(
            "来电人表扬{township}工作人员及时解决{place}的问题，工作认真负责",
            "来电人对{township}上门处理暖气问题表示感谢",
        ),
        replies=("已将来电人的表扬转达相关单位",),
        direct=0.9,
        reply_days=1.0,
    ),
)
