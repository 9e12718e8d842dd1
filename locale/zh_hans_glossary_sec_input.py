"""Simplified Chinese of one submit, one record (cac/security/once.py) and of the services' choice checks (cac/platform/validation.py)."""

ZH_HANS = {
    "This form has expired or was opened by someone else. Check it and submit it again.": (
        "此表单已过期或由他人打开，请核对后重新提交。"
    ),
    "“%(value)s” is not a valid choice for %(field)s.": "“%(value)s”不是%(field)s的有效选项。",
    "This file was imported already.": "该文件已导入。",
    "token": "令牌",
    "submitted by": "提交人",
    "submitted at": "提交时间",
    "submitted form": "已提交的表单",
    "submitted forms": "已提交的表单",
}
