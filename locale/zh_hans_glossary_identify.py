"""Simplified Chinese of the manager's 识别, the staff member complained about (当事人) and the authorisations asked
of the OEM region (客诉授权) (read by zh_hans_glossary.py)."""

ZH_HANS = {
    # Intake: the side of the house and the staff member (seed 003 §4-1)
    "From the category and channel": "按类别和来源自动判断",
    "Sales: anything about the showroom, a salesperson's attitude included; it goes to the showroom manager. "
    "Empty: purchases and sales follow-ups to sales, the rest to after-sales.": (
        "销售：与展厅有关的一切抱怨（包括销售顾问的服务态度），交展厅经理处理。"
        "留空：购车问题和销售回访归销售部，其余归售后。"
    ),
    "Staff member complained about (当事人)": "当事人",
    "Nobody named": "未指明",
    "%(number)s is %(status)s: a closed or cancelled complaint is not corrected.": (
        "%(number)s 状态为“%(status)s”：已结案或已取消的抱怨不能再识别更正。"
    ),
    # The manager's 识别 (seed 003 §5)
    "Identification (识别)": "识别",
    "Identified by the manager (识别)": "经理识别",
    "Correct": "更正",
    "Find the cause and define the scope: correct what intake recorded. The deadlines and the handler follow the "
    "correction.": "识别抱怨原因、界定抱怨范围：更正受理时登记的内容。期限和处理人随更正而调整。",
    "Save the correction": "保存更正",
    "Why the correction": "更正原因",
    "Kept in the history with your name. The deadlines still running are computed again from when their clock "
    "started: the receipt, or the last reopening.": (
        "连同您的姓名记入历史。仍在计时的期限从其起算时刻（受理时间或最近一次重新打开）重新计算。"
    ),
    "Say why the complaint is corrected.": "请说明更正的原因。",
    "Nothing to correct: every value is the one recorded.": "没有需要更正的内容：各项与登记的一致。",
    "%(field)s: %(old)s → %(new)s": "%(field)s：%(old)s → %(new)s",
    "%(number)s corrected.": "%(number)s 已更正。",
    "By staff member complained about": "按当事人",
    "Staff member (当事人)": "当事人",
    # The OEM region's authorisations (seed 000 §五.7)
    "This complaint is already with the director. What exceeds the dealer's authority is asked of the OEM region by "
    "a manager, with the authorisation needed.": (
        "该抱怨已在总监处。超出经销商权限的事项，由经理向厂家区域申请所需授权。"
    ),
    "Rental car (租车费)": "租车费",
    "Transport subsidy (交通补助)": "交通补助",
    "Exchange or refund of the vehicle (退换车)": "退换车",
    "Parts or warranty claim (零件索赔)": "零件索赔",
    "Mediation with a third party (与第三者协调)": "与第三者协调",
    "Granted": "同意",
    "Refused": "不同意",
    "authorisation asked for": "申请的授权",
    "Authorisation asked for": "申请的授权",
    "what is asked of the OEM region": "向厂家区域申请的内容",
    "What is asked of the OEM region": "向厂家区域申请的内容",
    "The amount, the days of rental car, the part, the third party … and why the dealer cannot decide.": (
        "金额、租车天数、零件、第三方……以及经销商无权决定的原因。"
    ),
    "requested at": "申请时间",
    "the region's answer": "区域答复",
    "The region's answer": "区域答复",
    "what the region answered": "区域答复内容",
    "What the region answered": "区域答复内容",
    "answer recorded by": "答复记录人",
    "answer recorded at": "答复记录时间",
    "OEM authorisation request": "厂家授权申请",
    "OEM authorisation requests": "厂家授权申请",
    "OEM region asked: %(kind)s": "已向厂家区域申请：%(kind)s",
    "OEM region answered: %(answer)s (%(kind)s)": "厂家区域答复：%(answer)s（%(kind)s）",
    "Only an open complaint can ask the OEM region.": "只有处理中的抱怨才能向厂家区域申请。",
    "Choose the authorisation asked for.": "请选择申请的授权。",
    "Say what is asked of the OEM region.": "请说明向厂家区域申请的内容。",
    "At most 2000 characters.": "最多 2000 个字符。",
    "The region has not answered the request for “%(kind)s” yet.": "厂家区域尚未答复“%(kind)s”的申请。",
    "Only managers record the OEM region's answer.": "只有经理才能记录厂家区域的答复。",
    "The region's answer to this request is recorded already.": "该申请的区域答复已记录。",
    "Choose what the region answered.": "请选择区域的答复。",
    "Write what the region answered.": "请填写区域答复的内容。",
    "%(number)s: the OEM region is asked.": "%(number)s：已向厂家区域申请。",
    "The OEM region's answer is recorded.": "厂家区域的答复已记录。",
    "OEM region: authorisations": "厂家区域授权",
    "Ask the region": "向区域申请",
    "Only for what exceeds the dealer's authority: compensation, rental car, transport subsidy, exchange or refund, "
    "parts claims, mediation with a third party. The OEM region hears of it at once.": (
        "仅限超出经销商权限的事项：补偿、租车费、交通补助、退换车、零件索赔、与第三者协调。厂家区域会立即收到报告。"
    ),
    "Ask the OEM region": "向厂家区域申请",
    "Waiting for the region's answer": "等待区域答复",
    "Record the answer": "记录答复",
    "Nothing asked of the OEM region.": "尚未向厂家区域申请。",
}
