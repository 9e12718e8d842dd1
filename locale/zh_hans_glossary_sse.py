"""Simplified Chinese of the follow-up SMS as it is: queued when the call is recorded, sent by a worker after."""

ZH_HANS = {
    "%(customer)s declined phone follow-up: an SMS follow-up is queued to be sent, and SMS is now their preferred"
    " channel.": "%(customer)s 拒绝电话回访：短信回访已排队等待发送，并将其首选联系方式改为短信。",
    "%(customer)s is unreachable: an SMS follow-up is queued to be sent.": "%(customer)s 无法联系：短信回访已排队等待发送。",
    "The customer prefers SMS; an SMS follow-up was queued to be sent (whether it was delivered is on the customer's"
    " page).": "客户希望通过短信联系，短信回访已排队等待发送（是否送达见客户页面）。",
    "No answer in enough different time slots (or a wrong number); an SMS follow-up was queued to be sent (whether it"
    " was delivered is on the customer's page).": "在多个不同时段均无人接听（或号码错误），短信回访已排队等待发送（是否送达见客户页面）。",
}
