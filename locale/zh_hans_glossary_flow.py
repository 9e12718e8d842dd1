"""Simplified Chinese of the complaint workflow's closing, reopening and cause rules (read by zh_hans_glossary.py)."""

ZH_HANS = {
    # How a complaint was closed (seed 000, seed 003 §7)
    "Satisfied on the follow-up call": "回访确认满意",
    "Customer unreachable": "客户无法联系",
    "Not satisfied but accepts (不满意但是能接受)": "不满意但是能接受",
    "how it was closed": "结案方式",
    "How it was closed": "结案方式",
    "Why close without a satisfied follow-up?": "未经回访确认满意而结案的原因",
    "Choose why the complaint is closed without a satisfied follow-up.": "请选择未经回访确认满意而结案的原因。",
    "“%(step)s” is not a step to take by hand for %(number)s (status “%(status)s”): the follow-up call "
    "closes it when it finds the customer satisfied.": "%(number)s（状态“%(status)s”）不能手动执行“%(step)s”："
    "回访确认客户满意后自动结案。",
    # Cause classes (原因分析)
    "People": "人员",
    "Organisation": "组织",
    "Technical": "技术",
    "Product": "产品",
    "Price": "价格",
    "cause class": "原因类别",
    "Cause class": "原因类别",
    "Choose the class of the cause.": "请选择原因类别。",
    "People, organisation, technical, product or price.": "人员、组织、技术、产品或价格。",
    "prevention measure recorded at": "预防措施记录时间",
    # What the customer was told, who was complained about
    "answer promised to the customer by": "承诺答复客户的时间",
    "Answer promised to the customer by": "承诺答复客户的时间",
    "When the customer was told to expect the countermeasure; empty: the resolution deadline.": (
        "告诉客户拟定对策所需的时间；留空则为处理期限。"
    ),
    "The answer promised must be a time still to come.": "承诺答复的时间必须在将来。",
    "%(number)s: the answer promised to the customer by %(due)s is overdue": "%(number)s：承诺在 %(due)s 前答复客户，已超时",
    "staff member complained about (当事人)": "当事人",
    # The dissatisfied follow-up call
    "What is the customer dissatisfied with?": "客户对哪方面不满意？",
    "Only when the customer is dissatisfied: the category of the complaint it opens.": "仅在客户不满意时填写：新建抱怨的类别。",
    "Choose what the customer is dissatisfied with.": "请选择客户不满意的方面。",
    "Follow-up call with {customer} completed. The customer is dissatisfied: complaint "
    '<a href="{url}">{number}</a> was opened and sent to {manager}.': "与{customer}的回访已完成。客户不满意："
    '已新建抱怨 <a href="{url}">{number}</a>，交{manager}处理。',
    "Follow-up call with {customer} completed. The customer is dissatisfied: complaint "
    '<a href="{url}">{number}</a> was reopened and sent to {manager}.': "与{customer}的回访已完成。客户不满意："
    '抱怨 <a href="{url}">{number}</a> 已重新打开，交{manager}处理。',
    "no manager yet": "尚无经理",
    # The monthly report
    "… satisfied on the follow-up call": "…其中回访确认满意",
    "… by a manager: customer unreachable": "…其中经理结案：客户无法联系",
    "… by a manager: not satisfied but accepts": "…其中经理结案：不满意但是能接受",
}
