"""Writes annex.docx: 鹤湾区街道生态环境保护工作考核细则, prose in Word paragraphs (no table):
headings 第一部分 …（N分）, items 1.–12. numbered straight through, the points written
（本项N分） / ，满分N分。 / 。分值：N分。 after the item's title; item 1 has its clauses
（1）（2）（3） in paragraphs of their own under a title paragraph, items 6 and 7 run over a
second paragraph; a 加分项 and a 扣分项 section (the latter's cap in a paragraph under its
heading). Run: python3 make.py"""
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

# ("plain" | "title" | "heading" | "body" | "cont", text); "cont" continues the item above
PARAGRAPHS = [
    ("plain", "附件1"),
    ("title", "鹤湾区2026年度街道生态环境保护工作考核细则"),
    ("body", "为深入打好污染防治攻坚战，压紧压实街道生态环境保护属地责任，根据《鹤湾区生态环境保护工作职责规定》，结合我区实际，制定本细则。考核对象为全区各街道，考核内容分为污染防治攻坚、环境监管和风险防范、生态文明建设三个部分，基本分100分，另设加分项和扣分项。考核采取日常督查、季度通报和年终考核相结合的方式进行，由区生态环境保护委员会办公室组织实施。"),
    ("heading", "第一部分　污染防治攻坚（40分）"),
    ("body", "1. 大气污染防治（本项15分）。"),
    ("cont", "（1）建筑工地、拆迁工地落实“六个百分百”扬尘防控措施，区住建、城管执法部门联合检查发现措施不落实的，每发现一处扣0.5分，最多扣5分；"),
    ("cont", "（2）辖区空气质量优良天数比率达到85%以上，每低1个百分点扣1分，最多扣5分；"),
    ("cont", "（3）辖区PM2.5年均浓度高于全区平均值的扣3分，比去年同期上升的扣2分。"),
    ("body", "2. 水污染防治，满分13分。辖区考核断面水质达到年度目标要求，每个断面每出现1个月不达标的扣0.5分，最多扣4分；区下达的年度雨污分流改造任务按完成进度计分，满分6分；黑臭水体出现返黑返臭的，每发现一条次扣1.5分，最多扣3分。"),
    ("body", "3. 噪声和餐饮油烟污染治理。分值：12分。临街餐饮服务单位油烟净化设施安装使用率达到100%，每低1个百分点扣0.5分，不足1个百分点的按1个百分点计，最多扣4分；12345热线环境噪声类投诉按期办结率达到95%以上，未达到的扣3分；夜间施工噪声扰民经查实的，每起扣1分，最多扣3分；噪声污染防治宣传和“宁静小区”创建工作开展不力的，视情扣1—2分。"),
    ("heading", "第二部分　环境监管和风险防范（35分）"),
    ("body", "4. 督察交办和信访办理（本项12分）。中央、省生态环境保护督察交办信访件和区级转办环境信访件按期办结率应达到100%，每逾期一件扣1分，最多扣6分；交办件办理质量不高、群众重复投诉的，酌情扣分，最多扣3分；督察整改进展情况须于每月25日前报区生态环境分局，未按时报送的每次扣0.5分。"),
    ("body", "5. 网格化环境监管，满分10分。建立街道、社区两级生态环境监管网格，配备专（兼）职环境网格员，制定网格巡查和问题上报制度，以上三项每缺一项扣2分；网格员每周巡查不少于1次，巡查记录不全的，酌情扣分，最多扣2分；全年组织开展环境执法联合检查不少于4次，每少一次扣0.5分。"),
    ("body", "6. 环境风险防范。分值：13分。修订街道突发环境事件应急预案并报区生态环境分局备案，未落实的扣3分；全年组织突发环境事件应急演练，未开展的扣3分；建立辖区环境风险源清单、应急物资储备点、应急处置队伍，每缺一项扣1分。"),
    ("cont", "环境风险隐患排查发现问题未按期整改的，每处扣1分，最多扣4分。辖区发生较大及以上突发环境事件的，实行“一票否决”。"),
    ("heading", "第三部分　生态文明建设（25分）"),
    ("body", "7. 生态环境问题整改（本项15分）。上级交办、区级暗访和第三方巡查发现的生态环境问题，整改完成率达到95%以上得满分，每低1个百分点扣1分，不足1个百分点的按比例扣分，最多扣8分；"),
    ("cont", "整改销号后问题出现反弹的，每发现一例扣1分，最多扣4分；整改进度滞后被区生态环境保护委员会办公室书面督办的，每次扣1.5分，最多扣3分；整改销号材料弄虚作假的，本项不得分。"),
    ("body", "8. 生态创建和宣传（满分10分）。辖区绿色社区创建数占社区总数的比例达到60%以上，未达到的扣3分；围绕“六五”环境日、全国低碳日等节点开展生态环境主题宣传活动，全年不少于3次，每少一次扣1分；生态环境志愿服务活动每季度不少于1次，全年未开展的扣4分，开展不足4次的扣2分。"),
    ("heading", "第四部分　加分项（最高加5分）"),
    ("body", "9. 获评国家、省、市级生态文明建设示范区（街道）或“绿水青山就是金山银山”实践创新基地的，分别加3分、2分、1分，同一事项按最高级别加分，不重复计分。"),
    ("body", "10. 在全区生态环境保护工作会议上作典型发言的，加0.5分；经验做法被市级以上生态环境部门发文推广的，每项加1分。本项最高加2分。"),
    ("heading", "第五部分　扣分项"),
    ("body", "以下事项在考核总分中直接扣分，扣分项最多扣10分。"),
    ("body", "11. 因生态环境问题被中央、省级督察或执法检查通报批评的，每次扣3分；被市级通报批评的，每次扣2分；被区级通报批评的，每次扣1分。"),
    ("body", "12. 因生态环境问题被市级以上主流媒体曝光并造成不良影响的，每次扣2分。"),
    ("body", "本细则由区生态环境保护委员会办公室负责解释。"),
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
            run.bold = True
        elif kind in ("body", "cont"):
            p.paragraph_format.first_line_indent = Pt(28)
    props = doc.core_properties
    props.author = props.last_modified_by = "区生态环境分局"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    out = os.path.join(HERE, "annex.docx")
    doc.save(out)
    normalize(out)


if __name__ == "__main__":
    main()
