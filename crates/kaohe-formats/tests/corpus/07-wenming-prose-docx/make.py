"""Writes annex.docx: 桐溪区文明城市创建工作考核评分细则, prose in Word paragraphs (no table):
headings 一、…（N分）, items 1. whose first sentence ends with （N分）, some items running
over a second paragraph, and a 加分项 section. Run: python3 make.py"""
import os

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fixed_zip import normalize  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

TITLE = "桐溪区2026年度全国文明城市创建工作考核评分细则"

# ("heading" | "body" | "cont", text); "cont" is a paragraph that continues the item above
PARAGRAPHS = [
    ("body", "为巩固全国文明城市创建成果，推动创建工作常态长效，对各街道（镇）创建工作实行百分制考核。考核采取日常督查、第三方测评和年终集中考核相结合的方式进行，另设加分项。"),
    ("heading", "一、组织领导（20分）"),
    ("body", "1. 健全创建工作推进机制，压实属地创建责任（12分）。成立创建工作领导小组、建立创建工作例会制度、明确专职联络员，未落实的每项扣2分；创建工作经费列入本级年度预算且足额拨付到位，未落实的扣2分。"),
    ("cont", "每季度至少召开1次创建工作推进会，全年召开少于4次的扣4分。"),
    ("body", "2. 营造浓厚创建宣传氛围（8分）。在主次干道、公园广场、建筑工地围挡等处设置“讲文明树新风”公益广告，区文明办年初下达的公益广告设置任务，按完成比例得分。"),
    ("heading", "二、城市环境秩序（35分）"),
    ("body", "3. 持续开展市容环境卫生整治，保持城市干净整洁有序（15分）。区城管局每月组织暗访检查，主次干道、背街小巷存在乱堆乱放、乱贴乱画、占道经营等问题的，每发现一处扣0.5分，最多扣8分。"),
    ("cont", "农贸市场环境秩序以第三方测评结果为准，测评得分（满分100分）每少1分扣0.1分，最多扣7分。"),
    ("body", "4. 规范城市交通秩序（10分）。主要路口设置文明交通劝导岗并常态化运行，机动车礼让斑马线率达到95%以上，未达到的扣3分；群众通过12345热线反映非机动车乱停乱放问题且经核实的，每起扣1分，最多扣4分；共享单车停放管理不到位的，酌情扣分。"),
    ("body", "5. 深化不文明行为专项治理（10分）。围绕乱扔垃圾、随地吐痰、不文明养犬等突出问题开展专项治理行动，未开展的扣4分，开展不足3次的扣2分；未建立专项治理工作台账或台账记录缺失的，扣3分；治理成效不明显、问题反弹回潮的，酌情扣分，最多扣3分。"),
    ("heading", "三、文明实践与志愿服务（45分）"),
    ("body", "6. 推进新时代文明实践阵地建设（15分）。街道（镇）新时代文明实践所、社区（村）新时代文明实践站建成率应达到100%，建成率每低于目标值1个百分点扣0.5分，最多扣5分；实践所（站）落实专人管理且每周开放不少于5天，未落实的扣5分。"),
    ("cont", "各实践站活动开展情况须于次月5日前录入“文明桐溪”平台，逾期未录入的每次扣1分，最多扣5分。"),
    ("body", "7. 壮大志愿服务队伍（15分）。注册志愿者人数达到辖区常住人口的13%以上，未达到的扣5分；志愿服务项目化、品牌化运作不到位的，酌情扣分，最多扣5分；年度志愿服务活动计划完成率低于80%的，本项不得分。"),
    ("body", "8. 加强未成年人思想道德建设（15分）。社区（村）“四点半课堂”覆盖率达到90%以上，未达到的扣5分；学校周边200米范围内存在网吧、歌舞娱乐场所违规接纳未成年人的，每发现一家扣2分，最多扣6分；校园周边环境整治不到位的，酌情扣分。"),
    ("heading", "四、加分项（最高加5分）"),
    ("body", "9. 创建工作获全国、省、市级表彰的，依次加5分、3分、1分，同一事项按最高级别计分。"),
    ("body", "10. 创建工作创新做法获区委、区政府主要领导批示肯定的，适当加分，最多加2分。"),
    ("body", "本细则由区文明办负责解释，自印发之日起施行。"),
]


def main():
    doc = Document()
    doc.styles["Normal"].font.size = Pt(12)

    doc.add_paragraph("附件2")
    title = doc.add_paragraph(TITLE)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.runs[0].bold = True
    title.runs[0].font.size = Pt(16)

    for kind, text in PARAGRAPHS:
        p = doc.add_paragraph(text)
        if kind == "heading":
            p.runs[0].bold = True
        else:
            p.paragraph_format.first_line_indent = Pt(24)

    out = os.path.join(HERE, "annex.docx")
    doc.save(out)
    normalize(out)


if __name__ == "__main__":
    main()
