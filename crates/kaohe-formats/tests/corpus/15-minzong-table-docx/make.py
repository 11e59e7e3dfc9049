"""Writes annex.docx: 雁回区街道民族宗教工作考核评分细则, a Word table with the 分值 column
last (序号 / 考核内容 / 评分标准 / 分值): each category is a row of its own whose first three
cells are merged (一、组织领导) and whose 分值 cell holds the category's points; a 合计 row
closes the table; title paragraphs above it, notes below. Run: python3 make.py"""
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

TITLE = "雁回区2026年度街道民族宗教工作考核评分细则"
HEADER = ["序号", "考核内容", "评分标准", "分值"]

# ((category row text, its 分值 cell), [(序号, 考核内容, 评分标准, 分值), ...]); 分值 "" is blank
ROWS = [
    (("一、组织领导", "20"), [
        ("1", "工作责任落实",
         "成立民族宗教工作领导小组、明确分管领导、配备专（兼）职民族宗教工作干部，未落实的每项扣2分；街道党工委全年专题研究民族宗教工作不少于2次，每少一次扣2分。",
         "10"),
        ("2", "基础台账",
         "建立少数民族流动人口服务管理台账、宗教活动场所基本信息台账，未建立的每项扣3分；台账信息不准确、更新不及时的，酌情扣分，最多扣4分。",
         "10"),
    ]),
    (("二、民族工作", "35"), [
        ("3", "铸牢中华民族共同体意识宣传教育",
         "开展铸牢中华民族共同体意识宣传教育进机关、进社区、进学校、进企业活动，全年不少于4次，每少一次扣1.5分，最多扣6分；辖区中小学校民族团结进步教育覆盖率达到100%，未达到的扣3分；宣传阵地建设不规范的，每处扣0.5分，最多扣3分。",
         "12"),
        ("4", "民族团结进步创建",
         "区下达的年度民族团结进步示范创建任务，按完成比例得分；已命名的示范单位复查不合格的，每个扣2分，最多扣4分；创建工作中弄虚作假的，本项不得分。",
         "13"),
        ("5", "少数民族流动人口服务管理",
         "少数民族流动人口信息登记率达到90%以上，每低1个百分点扣0.3分，最多扣3分；涉及民族因素的矛盾纠纷排查化解率达到100%，未达到的扣4分；因处置不当引发涉民族因素群体性事件的，每起扣3分；造成严重影响的，考核等次降一档。",
         "10"),
    ]),
    (("三、宗教工作", "45"), [
        ("6", "宗教活动场所管理",
         "宗教活动场所落实人员、资产、财务、安全、消防、档案管理制度，未落实的每项扣1分；场所安全隐患每季度排查1次以上，排查发现问题未按期整改的，每处扣1分，最多扣4分；未经批准擅自新建、扩建宗教活动场所或露天宗教造像的，每发现一处扣3分，最多扣6分。",
         "16"),
        ("7", "依法管理宗教事务",
         "对群众举报和上级交办的非法宗教活动线索，核查处置率达到100%，未达到的扣4分；辖区出现私设聚会点、非法宗教聚会未及时发现制止的，每例扣2分，最多扣6分；网上涉宗教舆情未及时发现报告的，扣1分/次，最多扣4分；发生利用宗教进行渗透破坏活动并造成严重后果的，实行一票否决。",
         "14"),
        ("8", "宗教界人士和场所规范管理",
         "对宗教教职人员、宗教活动场所负责人开展政策法规培训，未开展的扣4分，开展不足2次的扣2分；宗教教职人员备案率达到100%，未达到的扣3分；街道领导班子成员每人至少联系1名宗教界代表人士，未落实的扣3分；宗教活动场所财务收支每半年公布一次，未按时公布的，每次扣1分，最多扣2分；宗教工作“三级网络两级责任制”评估得分（满分100分）每少1分扣0.1分，最多扣3分。",
         "15"),
    ]),
    (("四、加分项（累计不超过5分）", ""), [
        ("9", "经验推广",
         "民族宗教工作经验做法被中央、省、市级民族宗教工作部门推广的，分别加3分、2分、1分。",
         ""),
        ("10", "典型交流",
         "在全市以上民族宗教工作会议上作典型发言或书面交流的，每次加1分，最高加2分。",
         ""),
    ]),
]

TOTAL_ROW = ("合计", "100")

NOTES = [
    "注：1. 考核采取日常检查与年终考核相结合的方式进行，各项数据统计截至2026年11月30日。",
    "2. 考核结果分为优秀（90分及以上）、良好（80—89分）、一般（60—79分）、较差（60分以下）四个等次。",
    "3. 本细则由区委统战部（区民族宗教事务局）负责解释。",
]


def spanning_row(table, r, text, points):
    """A row whose first three cells are merged into one, the 分值 cell apart."""
    merged = table.cell(r, 0).merge(table.cell(r, len(HEADER) - 2))
    merged.text = text
    merged.paragraphs[0].runs[0].bold = True
    table.cell(r, len(HEADER) - 1).text = points


def main():
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(10.5)

    doc.add_paragraph("附件2")
    title = doc.add_paragraph(TITLE)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.runs[0].bold = True
    title.runs[0].font.size = Pt(16)

    nrows = 1 + sum(1 + len(items) for _, items in ROWS) + 1
    table = doc.add_table(rows=nrows, cols=len(HEADER))
    table.style = "Table Grid"
    for c, text in enumerate(HEADER):
        table.cell(0, c).text = text

    r = 1
    for (category, points), items in ROWS:
        spanning_row(table, r, category, points)
        r += 1
        for cells in items:
            for c, text in enumerate(cells):
                table.cell(r, c).text = text
            r += 1
    spanning_row(table, r, *TOTAL_ROW)

    for note in NOTES:
        doc.add_paragraph(note)

    props = doc.core_properties
    props.author = props.last_modified_by = "区委统战部"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    out = os.path.join(HERE, "annex.docx")
    doc.save(out)
    normalize(out)


if __name__ == "__main__":
    main()
