"""Writes annex.docx: 临江区安全生产考核评分细则, a Word table with the category cell merged
down its items (vertical merge) and a title paragraph above it. Run: python3 make.py"""
import datetime
import os

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fixed_zip import normalize  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXED_TIME = datetime.datetime(2026, 1, 5, 9, 0, 0)

TITLE = "临江区2026年度安全生产工作目标责任考核评分细则"
HEADER = ["序号", "考核项目", "考核内容", "分值", "评分标准"]

# (category cell, [(序号, 考核内容, 分值, 评分标准), ...])
ROWS = [
    ("责任体系（20分）", [
        ("1", "安委会运行", "8",
         "按规定及时调整安委会组成人员，全年召开安委会全体会议或专题会议4次以上，每少一次扣2分。"),
        ("2", "责任落实", "12",
         "建立安全生产责任清单、签订年度安全生产目标责任书，未落实的扣4分；重大事故隐患整改销号率达到100%，每低1个百分点扣1分，最多扣4分；安全生产“三个必须”责任落实不到位的，酌情扣分，最多扣4分。"),
    ]),
    ("监管执法（35分）", [
        ("3", "执法检查", "15",
         "年度执法检查计划完成率达到100%，每低于目标值1个百分点扣0.5分，不足1个百分点的按比例扣分；完成率低于80%的，本项不得分。"),
        ("4", "安全培训和应急演练", "10",
         "组织开展企业主要负责人和安全管理人员安全培训，培训人数达到辖区工矿商贸企业从业人员数的20%以上，未达到的扣4分；开展“安全生产月”应急演练，未开展的扣4分，开展不足3次的扣2分。"),
        ("5", "重点行业领域专项整治", "10",
         "开展危化品、消防、道路交通、建筑施工等重点行业领域专项整治，发现的问题隐患未按期整改的，每发现一项扣1分，扣完为止。"),
    ]),
    ("事故防控（45分）", [
        ("6", "事故总量控制", "30",
         "生产安全事故起数、死亡人数控制在区下达的控制指标以内；发生一般生产安全事故的，每起扣3分，最多扣12分；企业从业人员千人负伤率高于3‰的扣8分，高于2‰的扣4分；发生较大及以上生产安全事故的，实行一票否决。"),
        ("7", "应急管理", "15",
         "区应急管理局组织的应急处置能力评估得分（满分100分）每少1分扣0.2分，最多扣10分；应急值守信息迟报、漏报的，每次扣1分。"),
    ]),
    ("加分项（不超过5分）", [
        ("8", "宣传报道", "",
         "安全生产工作经验做法在省级、市级媒体刊发的，分别计2分、1分，最高加3分。"),
        ("9", "隐患举报", "",
         "辖区群众举报重大事故隐患经核查属实并完成整改的，每件加0.5分，最高加2分。"),
    ]),
]

NOTES = [
    "注：1. 考核数据统计时间为2026年1月1日至11月30日。",
    "2. 本细则由区安委会办公室负责解释。",
]


def main():
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(10.5)

    doc.add_paragraph("附件1")
    title = doc.add_paragraph(TITLE)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.runs[0].bold = True
    title.runs[0].font.size = Pt(16)

    nrows = 1 + sum(len(items) for _, items in ROWS)
    table = doc.add_table(rows=nrows, cols=len(HEADER))
    table.style = "Table Grid"
    for c, text in enumerate(HEADER):
        table.cell(0, c).text = text

    r = 1
    for category, items in ROWS:
        first = r
        for number, content, points, criteria in items:
            table.cell(r, 0).text = number
            table.cell(r, 2).text = content
            table.cell(r, 3).text = points
            table.cell(r, 4).text = criteria
            r += 1
        top = table.cell(first, 1)
        if r - 1 > first:
            top = top.merge(table.cell(r - 1, 1))
        top.text = category

    for note in NOTES:
        doc.add_paragraph(note)

    props = doc.core_properties
    props.author = props.last_modified_by = "区政府办公室"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    out = os.path.join(HERE, "annex.docx")
    doc.save(out)
    normalize(out)


if __name__ == "__main__":
    main()
