"""Simplified Chinese for personal information under the PIPL (个人信息保护法): masked numbers, the access log and
erasure on request. Read by locale/zh_hans_glossary.py after the main glossary."""

ZH_HANS = {
    # Models and permissions
    "personal data erased at": "个人信息删除时间",
    "On the customer's request: name, numbers, address and call contents were removed.": (
        "应顾客本人要求：姓名、电话、地址和通话内容已删除。"
    ),
    "Can see customers' whole phone numbers": "可查看顾客完整电话号码",
    "Can erase a customer's personal data on request": "可应顾客要求删除其个人信息",
    "Whole phone number revealed": "查看完整号码",
    "CSV export": "导出 CSV",
    "XLSX export": "导出 XLSX",
    "Report downloaded": "下载报告",
    "Recording played": "播放录音",
    "when": "时间",
    "action": "操作",
    "record type": "记录类型",
    "record id": "记录编号",
    "IP address": "IP 地址",
    "browser": "浏览器",
    "access log entry": "个人信息访问记录",
    "access log": "个人信息访问日志",
    # Reveal
    "Why (optional)": "原因（选填）",
    "Show the whole number": "显示完整号码",
    "Numbers are masked for your role; showing one is recorded in the access log.": (
        "您的角色只能看到隐藏部分数字的号码；查看完整号码会记入访问日志。"
    ),
    "Shown for this view only, and recorded in the access log.": "仅本次显示，并已记入访问日志。",
    # Erasure
    "Erase personal data": "删除个人信息",
    "Erase personal data (on the customer's request)": "删除个人信息（应顾客要求）",
    "Personal data erased on request": "已应本人要求删除个人信息",
    "Select exactly one customer to erase.": "请只选择一位要删除个人信息的顾客。",
    "You may not erase customers' personal data.": "您无权删除顾客的个人信息。",
    "Give the reason for the erasure (the customer's request).": "请填写删除原因（顾客的请求）。",
    "For example: the customer's request of 2 December by phone, ticket number.": (
        "例如：顾客 12 月 2 日来电要求，工单号。"
    ),
    "I understand that this cannot be undone.": "我了解此操作无法撤销。",
    "The customer's personal data was erased.": "该顾客的个人信息已删除。",
    "This customer's personal data was erased on %(when)s.": "该顾客的个人信息已于 %(when)s 删除。",
    "At the customer's request (PIPL art. 47): the name, phone numbers, address, birthday, notes and plates are "
    "removed, and so are what was said in their calls and the recordings, also in the history. Complaints and "
    "follow-up calls stay with their figures, so past reports do not change. The customer can no longer be found by "
    "name or number.": (
        "应顾客本人要求（《个人信息保护法》第四十七条）：删除姓名、电话号码、地址、生日、备注和车牌，"
        "以及其通话内容和录音，历史记录中的也一并删除。投诉和回访记录及其统计数据保留，以往的报告不变。"
        "此后无法再按姓名或号码找到该顾客。"
    ),
}
