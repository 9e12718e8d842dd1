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
}
