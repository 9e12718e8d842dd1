"""Simplified Chinese of the texts kept as data, the language preference and the notification filters."""

ZH_HANS = {
    "%(kind)s: %(result)s": "%(kind)s：%(result)s",
    "%(kind)s: %(result)s — %(note)s": "%(kind)s：%(result)s — %(note)s",
    "Prospect %(name)s: %(result)s — %(note)s": "潜在客户 %(name)s：%(result)s — %(note)s",
    "%(number)s · %(customer)s · %(category)s": "%(number)s · %(customer)s · %(category)s",
    "%(number)s %(category)s": "%(number)s %(category)s",
    "summary as data": "摘要（数据）",
    "texts as data": "文字（数据）",
    "reasons as data": "原因（数据）",
    "The language of the e-mails sent to this user.": "发给该用户的邮件所用的语言。",
    "The report of %(month)s is already there; it is offered below.": "%(month)s 的报告已经有了，见下方。",
    "The report of %(month)s is already there.": "%(month)s 的报告已经有了。",
    "Open it": "打开",
    "Regenerate": "重新生成",
    "The report was deleted.": "报告已删除。",
    "Only the person who requested a report may delete it.": "只有申请该报告的人可以删除它。",
    "Only a failed report or a second copy of the same report may be deleted.": "只能删除生成失败的报告或同一报告的重复副本。",
}
