"""Simplified Chinese of the upload check (cac/security/uploads.py), and of the admin's history list
(templates/simple_history/object_history_list.html, which the project now holds)."""

ZH_HANS = {
    "This file must be one of: %(types)s.": "文件必须是以下类型之一：%(types)s。",
    "The content of this file is not %(extension)s: it cannot be accepted under that name.": (
        "此文件的内容不是 %(extension)s 格式，不能以这个名字上传。"
    ),
    "Object": "记录对象",
    "Date/time": "日期/时间",
    "Comment": "备注",
    "Changed by": "修改人",
    "Change reason": "修改原因",
    "Changes": "改动",
    "entry": "条记录",
}
