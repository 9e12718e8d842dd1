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
}
