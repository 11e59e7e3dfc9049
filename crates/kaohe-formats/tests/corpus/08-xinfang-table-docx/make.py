"""Writes annex.docx: 石岭区镇（街道）信访工作考核评分细则, a Word table whose category rows
are rows of their own merged across the full width (一、信访秩序（30分）), under a title
paragraph, with notes below. Run: python3 make.py"""
import os

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fixed_zip import normalize  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

TITLE = "石岭区2026年度镇（街道）信访工作考核评分细则"
HEADER = ["序号", "考核项目", "考核内容及评分标准", "分值", "责任单位"]

# (category row, [(序号, 考核项目, 考核内容及评分标准, 分值, 责任单位), ...]); 分值 "" is blank
ROWS = [
    ("一、信访秩序（30分）", [
        ("1", "进京赴省非正常上访",
         "严格落实信访工作属地责任，依法处置非正常上访行为。辖区人员进京非正常上访的，每人次扣3分；赴省非正常上访的，每人次扣1分；发生进京赴省集体访（5人以上）的，年度考核实行一票否决。",
         "15", "各镇（街道）"),
        ("2", "越级上访和重复信访",
         "重复信访率控制在10%以内，超过的扣5分；发生到市越级集体上访并被市信访局通报的，每起扣2分，最多扣6分；信访秩序维护不力、造成不良社会影响的，酌情扣分。",
         "15", "各镇（街道）、区信访局"),
    ]),
    ("二、信访事项办理（40分）", [
        ("3", "受理和办结",
         "信访事项及时受理率、按期办结率均应达到100%，每低1个百分点扣0.5分，不足1个百分点的按1个百分点计，每项最多扣5分。",
         "10", "各镇（街道）"),
        ("4", "网上信访和群众满意度",
         "大力推行网上信访，网上信访占比达到80%以上，未达到的扣3分；信访事项群众满意率达到90%以上，每低于目标值1个百分点扣0.5分，不足1个百分点的按比例扣分，最多扣7分。",
         "10", "各镇（街道）"),
        ("5", "领导干部接访下访",
         "镇（街道）党政主要领导每月至少公开接访1次，全年接访12次以上，每少一次扣0.5分；领导干部包案的信访积案未按期化解的，每件扣2分。",
         "10", "各镇（街道）"),
        ("6", "信访信息系统应用",
         "信访事项全部录入信访信息系统，录入率达到95%以上，未达到的扣4分；抽查发现受理、转送、答复程序不规范或办理资料缺失的，每件扣1分，最多扣4分；出具处理意见书超过法定期限的，每件扣0.5分，最多扣2分。",
         "10", "各镇（街道）"),
    ]),
    ("三、基础业务（30分）", [
        ("7", "工作机制",
         "建立矛盾纠纷排查化解、领导干部包案、信访工作联席会议三项制度，未建立的每项扣3分；每季度召开信访形势分析研判会，未召开的扣4分，召开不足4次的扣2分；专职信访工作人员少于2名的扣2分。",
         "15", "各镇（街道）"),
        ("8", "信息报送",
         "及时报送信访工作动态信息，全年报送24篇以上，每少1篇扣0.5分，最多扣6分；重大、紧急信访信息迟报、漏报的，每次扣3分，最多扣9分。",
         "15", "各镇（街道）"),
    ]),
    ("四、加分项（最高加5分）", [
        ("9", "经验推广",
         "信访工作经验做法在省级、市级信访工作简报或媒体刊发的，分别计2分、1分。",
         "", "区信访局"),
        ("10", "积案化解",
         "成功化解重大疑难信访积案并经区信访工作联席会议认定的，每件加1分，最高加3分。",
         "", "区信访局"),
    ]),
]

NOTES = [
    "注：1. 考核周期为2026年1月1日至12月31日。",
    "2. 信访事项相关数据以信访信息系统统计为准。",
]


def main():
    doc = Document()
    doc.styles["Normal"].font.size = Pt(10.5)

    doc.add_paragraph("附件1")
    title = doc.add_paragraph(TITLE)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.runs[0].bold = True
    title.runs[0].font.size = Pt(16)

    nrows = 1 + sum(1 + len(items) for _, items in ROWS)
    table = doc.add_table(rows=nrows, cols=len(HEADER))
    table.style = "Table Grid"
    for c, text in enumerate(HEADER):
        table.cell(0, c).text = text

    r = 1
    for category, items in ROWS:
        merged = table.cell(r, 0).merge(table.cell(r, len(HEADER) - 1))
        merged.text = category
        merged.paragraphs[0].runs[0].bold = True
        r += 1
        for cells in items:
            for c, text in enumerate(cells):
                table.cell(r, c).text = text
            r += 1

    for note in NOTES:
        doc.add_paragraph(note)

    out = os.path.join(HERE, "annex.docx")
    doc.save(out)
    normalize(out)


if __name__ == "__main__":
    main()
