"""Writes annex.docx: 云港区生活垃圾分类考核细则, prose in Word paragraphs (no table): headings
（一）… with the section's points, items with （N分） before the text or （本项N分）/（满分N分）
after a title, a 加分项 and a 扣分项 section, and a 一票否决 line. Run: python3 make.py"""
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

# ("plain" | "title" | "heading" | "body", text)
PARAGRAPHS = [
    ("plain", "附件3"),
    ("title", "云港区2026年度生活垃圾分类工作考核细则"),
    ("body", "为深入推进生活垃圾分类工作，根据《云港区生活垃圾分类管理办法》，制定本细则。考核实行百分制，由区分类办会同第三方测评机构每季度开展一次检查，年终汇总计分，另设加分项和扣分项。"),
    ("heading", "（一）分类投放（35分）"),
    ("body", "1.（10分）小区、单位按标准设置分类投放点，桶身标识清晰、规范，投放点设置不规范的，每发现一处扣0.5分。"),
    ("body", "2. 居民分类投放准确率（满分15分）：居民分类投放准确率达到90%，每低于目标值1个百分点扣0.5分。"),
    ("body", "3. 桶边督导（本项10分）：实行定时定点投放的小区，督导员在岗率达到90%以上，未达到的扣5分；督导台账齐全且每日记录完整，未做到的扣2分；投放点周边环境脏乱的，视情扣分。"),
    ("heading", "（二）分类收运（35分）"),
    ("body", "1.（20分）厨余垃圾分出量完成区下达的年度目标任务，按完成比例得分。"),
    ("body", "2. 收运规范（满分15分）：收运车辆全部实行密闭化、标识化，收运台账于每月5日前报区分类办；发现混装混运的，每起扣2分，此项最多扣6分；对督查通报问题逾期未整改的，每个问题扣1分。"),
    ("heading", "（三）宣传发动（30分）"),
    ("body", "1.（10分）全年开展垃圾分类主题宣传活动12次以上，每少一次扣1分。"),
    ("body", "2. 测评成绩（本项20分）：市级第三方测评得分（百分制）每少1分扣0.3分；居民垃圾分类知晓率达到95%以上，未达到的扣5分。"),
    ("heading", "（四）加分项（10分）"),
    ("body", "1. 工作经验做法被国家、省、市级媒体报道的，每篇分别加3分、2分、1分，加满为止。"),
    ("heading", "（五）扣分项（最多扣10分）"),
    ("body", "以下扣分直接从考核总分中扣除。"),
    ("body", "1. 因垃圾分类工作被市级以上媒体曝光的，每次扣2分，最多扣6分。"),
    ("body", "2. 被市级以上部门书面通报批评的，每次扣2分，最多扣4分。"),
    ("heading", "（六）一票否决"),
    ("body", "年度内发生因生活垃圾收运、处置不当引发重大环境污染事件或群体性事件的，实行一票否决，取消年度评先评优资格。"),
]


def main():
    doc = Document()
    doc.styles["Normal"].font.size = Pt(14)
    for kind, text in PARAGRAPHS:
        p = doc.add_paragraph()
        run = p.add_run(text)
        if kind == "title":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.bold = True
            run.font.size = Pt(20)
        elif kind == "heading":
            p.paragraph_format.first_line_indent = Pt(28)
            run.bold = True
        elif kind == "body":
            p.paragraph_format.first_line_indent = Pt(28)
    props = doc.core_properties
    props.author = props.last_modified_by = "区政府办公室"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    out = os.path.join(HERE, "annex.docx")
    doc.save(out)
    normalize(out)


if __name__ == "__main__":
    main()
