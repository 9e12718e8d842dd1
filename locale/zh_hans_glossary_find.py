"""Simplified Chinese of the finding-things part: the global search, the triage board, the follow-up worklist, the
call desk's day and the unknown caller kept."""

ZH_HANS = {
    # The global search.
    "Search": "搜索",
    "Phone, name, plate, VIN, complaint number, OEM reference or repair order": "电话、姓名、车牌、车架号、抱怨编号、厂家编号或维修工单号",
    "Nothing matches “%(query)s”.": "没有与“%(query)s”匹配的结果。",
    # The caller kept.
    "caller's name": "来电人姓名",
    "The name the caller gave, kept for a caller who is not (yet) a customer.": "来电人报的姓名，来电人尚不是客户时保留。",
    # The triage board.
    "Every unresolved complaint of your department that is not simply on track: escalated, reopened, breached or due soon first, then those without a handler or not yet acknowledged, then the new ones acknowledged but not yet investigated.": "本部门所有未解决且未按正常进度推进的抱怨：已升级、重新打开、已超时或即将到期的排在最前，其次是未分配处理人或未受理的，最后是已受理但尚未开始调查的新抱怨。",
    "Nothing to triage: no complaint is new, escalated, reopened, at risk or waiting for a handler.": "没有需要分派的抱怨：没有新的、已升级、重新打开、有超时风险或等待处理人的抱怨。",
    "Escalated, reopened or at risk": "已升级、重新打开或有超时风险",
    "New: acknowledged, not yet investigated": "新抱怨：已受理，尚未调查",
    # The call desk's day.
    "Prospects to contact": "待联系潜在客户",
    "%(age)s ago": "%(age)s前",
    "Owed by": "负责回电",
    # The caller kept.
    "Caller": "来电人",
    "Unknown caller": "未知来电人",
    "Other calls from this number": "该号码的其他来电",
    "No other call from this number.": "该号码没有其他来电。",
    # The follow-up worklist.
    "Due today first, then the overdue of earlier days, each by due time; customers already tried in the current time slot go last. After no answer, try again in another slot: three failed slots make the customer unreachable.": "今天到期的排在最前，其次是之前各天已逾期的，各按到期时间排列；本时段已拨打过的客户排在最后。未接通时请换一个时段再拨：三个不同时段都未接通即为联系不上。",
    "Overdue from earlier days": "之前已逾期",
    "All kinds": "全部类型",
    "Customer name or phone": "客户姓名或电话",
    "%(total)s follow-up: one call covers it": "%(total)s 个回访：一通电话即可全部完成",
}
