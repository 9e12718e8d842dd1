"""Simplified Chinese for the strings of the clock rules: call slots outside hours, the state calendar and its
yearly load, the dealers' own calendar days."""

ZH_HANS = {
    "Follow-up calls are made in the call slots of the day; the next one starts %(when)s.": (
        "回访只能在当天的拨打时段内进行；下一个时段从 %(when)s 开始。"
    ),
    "Calls are made in the call slots of the day; the next one starts %(when)s.": (
        "只能在当天的拨打时段内拨打电话；下一个时段从 %(when)s 开始。"
    ),
}
