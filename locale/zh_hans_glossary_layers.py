"""Simplified Chinese of the 三包 ledger (callbacks.SanbaoWarning)."""

ZH_HANS = {
    "threshold": "阈值",
    "warned at": "预警时间",
    "三包 warning": "三包预警",
    "三包 warnings": "三包预警",
}
