"""Simplified Chinese of the OEM loop and the webhooks for other systems (read by zh_hans_glossary.py)."""

ZH_HANS = {
    # Contacts and cadence
    "OEM after-sales contact": "厂家售后区域负责人",
    "OEM after-sales contact's e-mail": "厂家售后区域负责人邮箱",
    "The closing report goes here (厂家售后区域负责人); empty: to the regional manager.": (
        "结案报告发往此处（厂家售后区域负责人）；留空则发给区域经理。"
    ),
    "progress report every (working days)": "进展通报间隔（工作日）",
    "How often the OEM hears how a long-running major complaint stands; 0: never.": (
        "处理时间较长的重大投诉，每隔多少个工作日向厂家通报一次进展；0 表示不通报。"
    ),
    "OEM contacts": "厂家联系人",
    # Report kinds
    "Pre-report (预报)": "预报",
    "Progress report": "进展通报",
    "Final result report": "最终处理结果报告",
    "Closing report": "结案报告",
    "Escalation to the OEM region": "升级至厂家区域",
    "sent to": "发送至",
    "Escalated to the OEM region": "已升级至厂家区域",
    # Webhooks for other systems
    "Complaint created": "投诉已创建",
    "Status changed": "状态已变更",
    "Complaint closed": "投诉已结案",
    "URL": "网址",
    "signing secret": "签名密钥",
    "Shared with the receiver; signs each body.": "与接收方共享，用于为每次发送的内容签名。",
    "events": "事件",
    "active": "启用",
    "webhook for other systems": "对外系统推送地址",
    "webhooks for other systems": "对外系统推送地址",
    "webhook": "推送地址",
    "delivery key": "推送编号",
    "body": "推送内容",
    "event": "事件",
    "webhook delivery": "对外推送",
    "webhook deliveries": "对外推送",
    "The delivery %(key)s is being sent again.": "推送 %(key)s 正在重新发送。",
    # The outbox page
    "To the OEM": "发往厂家",
    "To other systems": "发往其他系统",
    "Complaint event": "投诉事件",
    "%(total)s delivery": "共 %(total)s 次推送",
    "No delivery to other systems yet.": "尚无发往其他系统的推送。",
    "Each complaint created, moved or closed, posted to the dealer's webhooks for other systems. A failed delivery "
    "is retried by itself; it can also be sent again here.": (
        "投诉的创建、状态变更和结案，会推送到经销商为其他系统配置的地址。发送失败会自动重试，也可在此重新发送。"
    ),
    "The reports of the OEM loop: the pre-report of a major complaint received directly, the same-day status "
    "report, the result report, progress reports, the final result, the closing report and the escalation to the "
    "OEM region, sent to the OEM's webhook or by e-mail to its contacts. A failed report is retried by itself; it "
    "can also be sent again here.": (
        "与厂家往来的各类报告：经销商直接受理的重大投诉的预报、当日处理状态报告、处理结果报告、进展通报、"
        "最终处理结果、结案报告以及升级至厂家区域，发送到厂家的报告地址，或通过邮件发给厂家联系人。"
        "发送失败会自动重试，也可在此重新发送。"
    ),
}
