"""The fixed demo data of DESIGN §6, as data."""

PROVINCE = ("440000", "广东省", "guangdong")

CITIES = [
    ("440100", "广州市", "guangzhou"),
    ("440200", "韶关市", "shaoguan"),
    ("440300", "深圳市", "shenzhen"),
    ("440400", "珠海市", "zhuhai"),
    ("440500", "汕头市", "shantou"),
    ("440600", "佛山市", "foshan"),
    ("440700", "江门市", "jiangmen"),
    ("440800", "湛江市", "zhanjiang"),
    ("440900", "茂名市", "maoming"),
    ("441200", "肇庆市", "zhaoqing"),
    ("441300", "惠州市", "huizhou"),
    ("441400", "梅州市", "meizhou"),
    ("441500", "汕尾市", "shanwei"),
    ("441600", "河源市", "heyuan"),
    ("441700", "阳江市", "yangjiang"),
    ("441800", "清远市", "qingyuan"),
    ("441900", "东莞市", "dongguan"),
    ("442000", "中山市", "zhongshan"),
    ("445100", "潮州市", "chaozhou"),
    ("445200", "揭阳市", "jieyang"),
    ("445300", "云浮市", "yunfu"),
]

# The short names of the cities in the formal numbers of their papers (穗应急罚〔2018〕101号).
CITY_SHORT = {
    "guangzhou": "穗",
    "shaoguan": "韶",
    "shenzhen": "深",
    "zhuhai": "珠",
    "shantou": "汕",
    "foshan": "佛",
    "jiangmen": "江",
    "zhanjiang": "湛",
    "maoming": "茂",
    "zhaoqing": "肇",
    "huizhou": "惠",
    "meizhou": "梅",
    "shanwei": "汕尾",
    "heyuan": "河",
    "yangjiang": "阳",
    "qingyuan": "清",
    "dongguan": "东",
    "zhongshan": "中",
    "chaozhou": "潮",
    "jieyang": "揭",
    "yunfu": "云",
}
# The agency's part of those numbers, by the kind of agency that fines.
NUMBER_MARK = {"safety_regulator": "应急", "market_regulator": "市监"}

# slug suffix → (kind, name suffix); the same for every city.
CITY_AGENCIES = [
    ("safety", "safety_regulator", "应急管理局"),
    ("police", "police", "公安局"),
    ("market", "market_regulator", "市场监督管理局"),
    ("cyber", "cyberspace", "委网信办"),
    ("committee", "committee_office", "安全生产委员会办公室"),
    ("procuratorate", "procuratorate", "人民检察院"),
]

PROVINCE_AGENCIES = [
    ("gd-committee", "committee_office", "广东省安全生产委员会办公室"),
    ("gd-safety", "safety_regulator", "广东省应急管理厅"),
    ("gd-police", "police", "广东省公安厅"),
    ("gd-procuratorate", "procuratorate", "广东省人民检察院"),
    ("gd-market", "market_regulator", "广东省市场监督管理局"),
    ("gd-cyber", "cyberspace", "广东省委网信办"),
    ("gd-industry", "industry", "广东省经济和信息化委员会"),
]

# user suffix → (agency suffix, role, display name suffix)
CITY_USERS = [
    ("officer1", "safety", "officer", "执法人员一"),
    ("officer2", "safety", "officer", "执法人员二"),
    ("head", "safety", "head", "应急管理局负责人"),
    # Of the legal office (法制机构): reviews penalty decisions (第58条) and presides over hearings; never
    # investigates (行政处罚法 第64条).
    ("legal", "safety", "officer", "法制审核人员"),
    ("police", "police", "officer", "公安民警"),
    ("police_head", "police", "head", "公安局负责人"),
    ("market", "market", "officer", "市场监管执法人员"),
    ("market_head", "market", "head", "市场监管负责人"),
    ("cyber", "cyber", "officer", "网信办工作人员"),
    ("supervisor", "committee", "supervisor", "安委办督查人员"),
    ("procurator", "procuratorate", "officer", "检察官"),
]

PROVINCE_USERS = [
    ("gd.supervisor", "gd-committee", "supervisor", "省安委办督查人员"),
    ("gd.procurator", "gd-procuratorate", "officer", "省检察院检察官"),
]

# The demo's keeper of the certificate registry (the permission certificates.import_certificates).
REGISTRY_KEEPER = "guangzhou.head"

CAMPAIGN_2018 = {
    "slug": "gd-2018-cert",
    "title": "广东省打击假冒特种作业操作证专项治理行动（粤安办〔2018〕108号）",
    "starts_on": "2018-07-10",
    "ends_on": "2018-12-31",
    "report_due_day": 25,
    # 从８月份起，每月25日前报送 (LEGAL.md §4): the month closes on the 25th; the plan by the end of
    # July (7月底前), the final summary by 12-25.
    "cutoff_day": 25,
    "first_report_month": "2018-08-01",
    "plan_due_on": "2018-07-31",
    "summary_due_on": "2018-12-25",
    "phases": [
        {"name": "动员部署", "starts_on": "2018-07-10", "ends_on": "2018-07-31"},
        {"name": "自查自纠", "starts_on": "2018-08-01", "ends_on": "2018-08-31"},
        {"name": "集中整治", "starts_on": "2018-09-01", "ends_on": "2018-11-30"},
        {"name": "总结巩固", "starts_on": "2018-12-01", "ends_on": "2018-12-31"},
    ],
}

DEFAULT_PASSWORD = "xianjie-demo"  # noqa: S105 - printed for the demo; --password sets another
