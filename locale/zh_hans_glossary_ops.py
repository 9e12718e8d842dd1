"""Simplified Chinese of the operations strings: the DMS import run by a worker, missing files, stuck reports."""

ZH_HANS = {
    # The DMS import as background work
    "Importing": "导入中",
    "Imported": "已导入",
    "Import failed": "导入失败",
    "DMS import": "DMS导入",
    "DMS imports": "DMS导入",
    "good rows only": "仅导入正确行",
    "import started at": "导入开始时间",
    "generation started at": "开始生成时间",
    "already present": "已存在",
    "bad rows": "错误行",
    "row errors": "错误行明细",
    "No such import.": "没有这个导入记录。",
    "Importing… this page shows the result when it is done.": "正在导入……完成后本页显示结果。",
    "Queued for import… this page shows the result when it is done.": "已排队等待导入……完成后本页显示结果。",
    "The import failed: nothing was written. Correct the file if needed and upload it again.": (
        "导入失败：未写入任何数据。如有需要请修改文件后重新上传。"
    ),
    # Files in the shared storage
    "The PDF of this report is missing from the file storage; request the report again.": (
        "文件存储中找不到此报表的PDF，请重新生成报表。"
    ),
}
