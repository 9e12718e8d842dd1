"""Simplified Chinese of the corrective and preventive actions (纠正预防措施) of the monthly analysis."""

ZH_HANS = {
    "Action": "措施",
    "What will be done to remove the cause, e.g. retrain the advisors on explaining the invoice.": "为消除原因要做什么，例如：对服务顾问进行结算单解释培训。",
    "Complaints it answers": "针对的投诉",
    "Complaint numbers, separated by spaces or commas.": "投诉编号，以空格或逗号分隔。",
    "Done": "已完成",
    "Dropped": "已取消",
    "The first day of the month whose analysis decided it.": "作出该措施的月度分析所在月份的第一天。",
    "due on": "完成期限",
    "corrective action": "纠正预防措施",
    "corrective actions": "纠正预防措施",
    "Say what will be done.": "请写明要采取的措施。",
    "Choose an active user of %(dealer)s.": "请选择%(dealer)s的在职用户。",
    "The due date cannot be before the month the action answers.": "完成期限不能早于措施所针对的月份。",
    "Set a due date within a year.": "完成期限请设在一年以内。",
    "No complaint of %(dealer)s has the number %(numbers)s.": "%(dealer)s没有编号为 %(numbers)s 的投诉。",
    "Say what the action achieved.": "请写明措施的效果。",
    "Say why the action is dropped.": "请写明取消措施的原因。",
    "This action is already closed.": "该措施已关闭。",
    "Open, overdue": "未完成，已逾期",
    "Corrective and preventive actions": "纠正预防措施",
    "Review of last month's actions (%(month)s)": "上月措施回顾（%(month)s）",
    "The action is planned.": "措施已制定。",
    "The action is closed.": "措施已关闭。",
    "What it achieved, or why it is dropped": "措施效果，或取消原因",
    "Drop": "取消措施",
    "No action.": "暂无措施。",
    "What the month's complaint analysis calls for: each action with its owner and due date, for the complaints it answers. The month's report lists them; the next month's report reviews them.": "月度投诉分析所要求的改进：每项措施的负责人、完成期限及针对的投诉。当月报表列出这些措施，次月报表进行回顾。",
    "Decided on the analysis of %(month)s": "根据 %(month)s 分析制定",
    "Under review: decided on %(month)s": "回顾：%(month)s 制定的措施",
    "Plan an action": "制定措施",
    "Plan the action": "制定措施",
    "Corrective actions": "纠正预防措施",
}
# The action's states, under their context (pgettext "action status"): "Open" elsewhere is a button (打开).
ZH_HANS.update(
    {
        "action status\x04Open": "未完成",
        "action status\x04Done": "已完成",
        "action status\x04Dropped": "已取消",
    }
)

# The management's instruments of the dashboard: the complaint rates (抱怨率) and the rework rate (返修率).
ZH_HANS.update(
    {
        "Sales complaints per 100 deliveries": "销售抱怨率（每百台交车）",
        "After-sales complaints per 100 repair orders": "售后抱怨率（每百张工单）",
        "Rework rate (repair orders)": "返修率（工单）",
    }
)
