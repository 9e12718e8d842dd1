"""Simplified Chinese of the roles' homes: the managers' queue health, the agent's day on the call desk, and the
list filters their figures link to."""

ZH_HANS = {
    # The managers' home.
    "Queue health": "队列状况",
    "as of %(when)s": "截至 %(when)s",
    "Triage board": "分派看板",
    "Breached now": "当前已超时",
    "At risk now (due soon)": "当前有超时风险（即将到期）",
    "Escalated today": "今日升级",
    "Follow-ups overdue": "逾期回访",
    "Open complaints by age": "未结投诉账龄",
    "days since received, in the dealer's calendar": "自受理日起的天数，按经销商日历计",
    "Open complaints by handler": "各处理人的未结投诉",
    "Open complaints": "未结投诉",
    "Follow-up calls overdue by agent": "各专员的逾期回访",
    "No follow-up call is overdue.": "没有逾期的回访。",
    "No handler yet": "尚未指派处理人",
    # The ageing buckets and the list filters behind the figures.
    "< 1 day": "不到 1 天",
    "1–3 days": "1–3 天",
    "3–7 days": "3–7 天",
    "> 7 days": "超过 7 天",
    "Age": "账龄",
    "Escalated on": "升级日期",
    "Call slot": "通话时段",
    "Overdue now": "当前已逾期",
    "Left in this slot": "本时段待回访",
    "%(total)s call": "%(total)s 通电话",
    # The agent's day.
    "My day": "我的今天",
    "Call slot now: %(slot)s": "当前通话时段：%(slot)s",
    "No call slot now; the next one starts %(when)s.": "当前不在通话时段；下一时段 %(when)s 开始。",
    "Calls handled today": "今日处理来电",
    "Follow-ups made in this slot": "本时段已回访",
    "Follow-ups left in this slot": "本时段待回访",
    "Missed calls to return": "待回拨的未接来电",
    "My open complaints": "我的未结投诉",
}
