"""Writes annex.xlsx: 万川区优化营商环境考核评分表, a table in Excel with a title row above it
and the category cell merged down its items. Run: python3 make.py"""
import datetime
import os

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fixed_zip import normalize  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXED_TIME = datetime.datetime(2026, 1, 5, 9, 0, 0)

TITLE = "万川区2026年度优化营商环境工作考核评分表"
HEADER = ["序号", "考核项目", "考核内容", "分值", "评分标准", "牵头单位"]

# (category cell, [(序号, 考核内容, 分值, 评分标准, 牵头单位), ...]); 分值 None: blank cell
ROWS = [
    ("政务服务（30分）", [
        (1, "政务服务事项办理", 10,
         "依申请政务服务事项“一网通办”实现率、承诺时限压缩比分别达到95%、60%以上，每项未达到的扣3分；窗口服务被12345热线投诉经查实的，每件扣1分，最多扣4分。",
         "区行政审批服务局"),
        (2, "政务服务“好差评”", 10,
         "差评整改率达到100%，每低于目标值1个百分点扣0.2分，最多扣5分；差评率控制在0.5%以内，超过的扣5分。",
         "区行政审批服务局"),
        (3, "工程建设项目审批", 10,
         "社会投资一般工业项目审批全流程用时控制在30个工作日以内，未达到的扣5分；审批数据于每月10日前推送至市工程建设项目审批管理系统，未按时推送的每次扣1分。",
         "区住房和城乡建设局"),
    ]),
    ("企业服务（40分）", [
        (4, "涉企诉求办理", 15,
         "通过“企业服务直通车”受理的涉企诉求按期办结率、企业满意率均达到95%以上，未达到的每项扣3分；对涉企诉求推诿扯皮、久拖不决的，视情节扣1至5分。",
         "区发展和改革局"),
        (5, "惠企政策兑现", 15,
         "惠企政策应兑尽兑，按已兑现事项数占应兑现事项数的比例计分。",
         "区财政局"),
        (6, "政企沟通", 10,
         "建立领导干部联系服务企业制度，定期开展政企恳谈会，未开展的扣5分，全年少于4次的扣2分。",
         "区工商联"),
    ]),
    ("法治与市场环境（30分）", [
        (7, "涉企执法", 15,
         "推行涉企行政检查“综合查一次”，未建立涉企检查计划备案制度的扣3分；涉企行政处罚案件被复议纠错或诉讼败诉的，每件扣2分，扣完为止。",
         "区司法局"),
        (8, "营商环境评价", 15,
         "全省营商环境评价中本单位牵头指标得分率低于全市平均水平的扣5分；经营主体数量少于上年的扣3分；企业开办“一件事”1个工作日内办结率达到100%，未达到的扣2分。",
         "区发展和改革局"),
    ]),
    ("加分项（最高5分）", [
        (9, "改革创新", None,
         "改革创新事项被国务院办公厅、省政府通报表扬或作为典型经验推广的，分别加3分、2分。",
         "区发展和改革局"),
        (10, "最佳实践案例", None,
         "入选全省营商环境最佳实践案例的，每个加2分，累计加分不超过4分。",
         "区发展和改革局"),
    ]),
]

NOTE = "注：考核数据来源为省一体化政务服务平台、第三方测评报告及各牵头单位年度工作台账。"


def main():
    wb = Workbook()
    ws = wb.active
    ws.title = "考核评分表"
    wrap = Alignment(wrap_text=True, vertical="center")

    ws["A1"] = "附件2"
    ws["A2"] = TITLE
    ws.merge_cells("A2:F2")
    ws["A2"].font = Font(bold=True, size=16)
    ws["A2"].alignment = Alignment(horizontal="center")
    for c, text in enumerate(HEADER, start=1):
        ws.cell(row=3, column=c, value=text).font = Font(bold=True)

    r = 4
    for category, items in ROWS:
        first = r
        for number, content, points, criteria, owner in items:
            ws.cell(row=r, column=1, value=number)
            ws.cell(row=r, column=3, value=content)
            ws.cell(row=r, column=4, value=points)
            ws.cell(row=r, column=5, value=criteria).alignment = wrap
            ws.cell(row=r, column=6, value=owner)
            r += 1
        ws.cell(row=first, column=2, value=category).alignment = wrap
        if r - 1 > first:
            ws.merge_cells(start_row=first, start_column=2, end_row=r - 1, end_column=2)

    ws.cell(row=r, column=1, value=NOTE)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=6)

    for col, width in zip("ABCDEF", (6, 14, 18, 6, 70, 18)):
        ws.column_dimensions[col].width = width
    wb.properties.creator = "区发展和改革局"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    out = os.path.join(HERE, "annex.xlsx")
    wb.save(out)
    normalize(out)


if __name__ == "__main__":
    main()
