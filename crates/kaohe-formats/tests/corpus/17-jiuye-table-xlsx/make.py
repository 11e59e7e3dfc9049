"""Writes annex.xlsx: 桂川区镇（街道）就业创业工作目标考核评分表, a table in Excel with the
columns 一级指标 / 二级指标 / 分值 / 评分标准 / 责任科室 and no 序号: the 一级指标 cell
(its points in its name) is merged down its items; a 一票否决 row of its own (no points)
after the base rows; a 加分项 一级指标 whose 分值 cells are blank; a 合计 row; and one
说明 cell merged across under the table, its three notes on lines of their own (the bonus
cap among them). Run: python3 make.py (with openpyxl installed)"""
import datetime
import os

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fixed_zip import normalize  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXED_TIME = datetime.datetime(2026, 1, 5, 9, 0, 0)

TITLE = "桂川区2026年度镇（街道）就业创业工作目标考核评分表"
HEADER = ["一级指标", "二级指标", "分值", "评分标准", "责任科室"]

# (一级指标 cell, [(二级指标, 分值, 评分标准, 责任科室), ...]); 分值 None: blank cell
ROWS = [
    ("就业目标任务（40分）", [
        ("城镇新增就业", 12,
         "新增城镇就业人数完成区下达的年度目标任务数，按完成进度计分，超额完成的不加分。",
         "就业促进科"),
        ("重点群体就业", 10,
         "城镇失业人员再就业人数、就业困难人员实现就业人数分别完成年度目标任务，每项未完成的扣3分；零就业家庭实行动态清零，发现未及时援助的，每户扣2分，最多扣4分。",
         "就业促进科"),
        ("城镇登记失业率", 8,
         "城镇登记失业率控制在3.5%以内，超过的每0.1个百分点扣1分，最多扣4分；就业失业登记信息录入准确率达到98%以上，每低1个百分点扣0.5分，最多扣4分。",
         "就业促进科"),
        ("高校毕业生等青年就业", 10,
         "离校未就业高校毕业生实名登记率达到95%以上，每低1个百分点扣0.5分，不足1个百分点的按1个百分点计，最多扣3分；募集就业见习岗位完成区下达任务数，完成率100%的得4分，90%（含）至100%的得3分，80%（含）至90%的得2分，80%以下的不得分；对有就业意愿的离校未就业高校毕业生落实“1131”实名服务，服务不到位的酌情扣分，最多扣3分。",
         "就业促进科"),
    ]),
    ("创业服务（20分）", [
        ("创业带动就业", 10,
         "创业担保贷款发放额完成区下达年度任务的得4分，未完成的不得分；新增创业实体数比去年同期下降的扣3分；组织开展创业培训不少于2期，每少1期扣1.5分。",
         "创业服务科"),
        ("创业载体建设", 10,
         "辖区创业孵化基地（众创空间）年度在孵实体不少于20户，每少1户扣0.5分，最多扣4分；孵化基地运营管理不规范、服务台账不健全的，视情扣1至3分；创业沙龙、项目路演等创业服务活动每季度至少开展1场，未开展的季度每个扣0.75分。",
         "创业服务科"),
    ]),
    ("公共就业服务（25分）", [
        ("基层服务平台", 15,
         "镇（街道）人社服务所人员、场地、经费、制度、台账“五到位”，每缺一项扣1分；村（社区）就业服务站覆盖率达到100%，未达到的扣3分；全年举办（承办）公益性招聘活动不少于6场，每少一场扣1分，最多扣4分；零工市场和“就业地图”岗位信息每周更新，更新不及时的每次扣0.5分，最多扣3分。",
         "就业促进科"),
        ("职业技能培训", 10,
         "补贴性职业技能培训人数完成区下达年度任务的，按完成比例计分，满分6分；培训合格率达到90%以上，每低5个百分点扣1分，最多扣4分；培训补贴资金发现虚报冒领的，本项不得分。",
         "职业能力建设科"),
    ]),
    ("劳动关系和社会保障（15分）", [
        ("根治欠薪", 8,
         "建立欠薪隐患排查化解台账，每月排查1次以上，未建立台账的扣2分；欠薪线索按期核处率达到100%，未达到的扣3分；因欠薪问题引发群体性事件的，每发现一例扣2分，最多扣6分。",
         "劳动保障监察大队"),
        ("社会保险和争议调解", 7,
         "城乡居民基本养老保险适龄人员参保率达到95%以上，每低1个百分点扣0.5分，最多扣3分；劳动人事争议调解成功率达到60%以上，未达到的扣2分；被区人社局通报养老保险待遇领取资格认证逾期未完成的，每次扣1分，最多扣2分。",
         "社会保险科、劳动关系科"),
    ]),
    ("一票否决", [
        (None, None,
         "辖区发生因拖欠农民工工资引发的极端事件或重大群体性事件，造成恶劣社会影响的，年度考核实行“一票否决”。",
         "劳动保障监察大队"),
    ]),
    ("加分项", [
        ("示范创建", None,
         "获评国家级、省级、市级创业孵化示范基地或充分就业社区的，分别加2分、1分、0.5分，本项最高加3分。",
         "创业服务科"),
        ("超额完成任务", None,
         "城镇新增就业人数超额完成年度目标任务的，每超额1个百分点加0.1分，最高加1分。",
         "就业促进科"),
    ]),
]

TOTAL_ROW = ("合计", None, 100, None, None)

NOTE = "\n".join([
    "说明：1. 加分项累计最高加5分，考核总得分为基本分与加分之和。",
    "2. 新增城镇就业人数、城镇登记失业率等数据以区人力社保局审核认定结果为准，统计截至2026年12月20日。",
    "3. 本评分表由区人力资源和社会保障局负责解释。",
])


def main():
    wb = Workbook()
    ws = wb.active
    ws.title = "就业创业"
    wrap = Alignment(wrap_text=True, vertical="center")
    ncols = len(HEADER)

    ws.cell(row=1, column=1, value="附件2")
    ws.cell(row=2, column=1, value=TITLE).font = Font(bold=True, size=16)
    ws.cell(row=2, column=1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)
    for c, text in enumerate(HEADER, start=1):
        ws.cell(row=3, column=c, value=text).font = Font(bold=True)

    r = 4
    for category, items in ROWS:
        first = r
        for name, points, criteria, office in items:
            for c, value in enumerate((name, points, criteria, office), start=2):
                if value is not None:
                    ws.cell(row=r, column=c, value=value).alignment = wrap
            r += 1
        ws.cell(row=first, column=1, value=category).alignment = wrap
        if r - 1 > first:
            ws.merge_cells(start_row=first, start_column=1, end_row=r - 1, end_column=1)

    for c, value in enumerate(TOTAL_ROW, start=1):
        if value is not None:
            ws.cell(row=r, column=c, value=value)
    r += 1

    ws.cell(row=r, column=1, value=NOTE).alignment = wrap
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)

    for col, width in zip("ABCDE", (16, 18, 6, 72, 16)):
        ws.column_dimensions[col].width = width
    wb.properties.creator = "区人力资源和社会保障局"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    out = os.path.join(HERE, "annex.xlsx")
    wb.save(out)
    normalize(out)


if __name__ == "__main__":
    main()
