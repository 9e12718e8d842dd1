"""Simplified Chinese for the strings of the clock rules: call slots outside hours, the state calendar and its
yearly load, the dealers' own calendar days."""

ZH_HANS = {
    "Follow-up calls are made in the call slots of the day; the next one starts %(when)s.": (
        "回访只能在当天的拨打时段内进行；下一个时段从 %(when)s 开始。"
    ),
    "Calls are made in the call slots of the day; the next one starts %(when)s.": (
        "只能在当天的拨打时段内拨打电话；下一个时段从 %(when)s 开始。"
    ),
    "open on this day": "当天营业",
    "Open although the state calendar or the weekend closes the day; unticked, the dealer is closed.": (
        "即使国家法定假日或周末休息也照常营业；不勾选则当天休息。"
    ),
    "state calendar day": "国家法定节假日安排",
    "state calendar days": "国家法定节假日安排",
    "working day": "工作日",
    "The official calendar of %(year)s is not known yet": "%(year)s 年的国家法定节假日安排尚未发布",
    "The chinesecalendar library installed does not have the public holidays and make-up working days of "
    "%(year)s. Until it is updated (pip install of its new release) and `python manage.py "
    "load_state_calendar --year %(year)s` is run, deadlines in %(year)s count only weekends as days off; "
    "a dealer can mark its own days in the admin meanwhile.": (
        "已安装的 chinesecalendar 库尚无 %(year)s 年的法定节假日和调休上班日。在更新该库（安装其新版本）并运行 "
        "`python manage.py load_state_calendar --year %(year)s` 之前，%(year)s 年的时限只把周末算作休息日；"
        "在此期间，经销商可在管理后台标记自己的营业日和休息日。"
    ),
}
