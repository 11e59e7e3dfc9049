"""Writes annex.xlsx: 清川县乡镇（街道）乡村振兴实绩考核评分表, a table in Excel with the
category cell merged down its items (its points in brackets), a 加分项 category whose 分值
cells say 加分项 or are blank, a title row above and a note row below. Run: python3 make.py"""
import os

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fixed_zip import normalize  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

TITLE = "清川县2026年度乡镇（街道）乡村振兴实绩考核评分表"
HEADER = ["类别", "序号", "考核内容", "分值", "评分标准", "牵头单位"]

# (category cell, [(序号, 考核内容, 分值, 评分标准, 牵头单位), ...]); 分值 None: blank cell
ROWS = [
    ("产业振兴（30分）", [
        (1, "粮食安全", 10,
         "全面完成县下达的粮食播种面积任务，按完成比例得分（以统计部门年报数据为准）。",
         "县农业农村局"),
        (2, "产业发展", 10,
         "年内新增市级以上农业龙头企业、示范性家庭农场或农民专业合作社示范社，未新增的扣3分；村级集体经济年经营性收入低于20万元的村，每个扣1分，最多扣4分；农文旅融合项目推进缓慢的，酌情扣分，最多扣3分。",
         "县农业农村局"),
        (3, "衔接资金项目", 10,
         "衔接资金项目须于6月30日前全部开工、11月30日前完工验收，未按时完成的，本项不得分；衔接资金支出进度达到95%以上，每低1个百分点扣0.5分，最多扣5分。",
         "县乡村振兴局"),
    ]),
    ("生态宜居（20分）", [
        (4, "人居环境整治", 12,
         "县每季度开展农村人居环境整治“红黑榜”评比，被列入“黑榜”的每次扣3分，最多扣6分；农村卫生户厕普及率达到95%以上，未达到的扣3分；农村生活污水处理设施运行不正常的，酌情扣分，最多扣3分。",
         "县农业农村局"),
        (5, "生态保护", 8,
         "秸秆综合利用率、畜禽粪污资源化利用率分别达到92%、85%以上，未达到的每项扣3分；发生露天焚烧秸秆被卫星遥感监测通报的，每起扣1分，最多扣2分。",
         "县生态环境分局"),
    ]),
    ("乡风文明（15分）", [
        (6, "乡村治理和乡风文明", 15,
         "村规民约修订完善、村务公开规范、“积分制”管理覆盖所有行政村，未落实的扣3分；农村婚丧喜事大操大办问题经查实的，每发现一起扣1分，最多扣4分；农村实用人才培训人数达到农业从业人员数的10%以上，未达到的扣4分；“村晚”、农民丰收节等群众性文化活动全年开展4次以上，每少一次扣1分。",
         "县委宣传部、县委组织部"),
    ]),
    ("农民增收（35分）", [
        (7, "农民收入", 15,
         "农村居民人均可支配收入增幅比上年下降的扣3分；脱贫人口人均纯收入增幅低于全县农村居民人均可支配收入增幅的扣4分；农村劳动力技能培训后转移就业率达到60%以上，未达到的扣4分；促进农民增收措施落实不力的，酌情扣分，最多扣4分。",
         "县统计局、县人力社保局"),
        (8, "防止返贫", 20,
         "防止返贫监测对象帮扶措施落实率达到100%，未达到的扣5分；国家、省级考核评估或暗访中发现问题的，每个问题扣2分，最多扣10分；存在返贫致贫风险的农户识别纳入不及时的，每户扣1分，最多扣5分；发生规模性返贫的，实行一票否决。",
         "县乡村振兴局"),
    ]),
    ("加分项（5分）", [
        (9, "示范创建", "加分项",
         "获评省级以上乡村振兴示范乡镇、示范村或美丽乡村精品村的，每个加2分，加满为止。",
         "县农业农村局"),
        (10, "农业招商", None,
         "农业招商项目实际到位资金每1000万元加0.5分，最高加2分。",
         "县投资促进中心"),
    ]),
]

NOTE = "说明：各项数据统计截至2026年12月31日，以县级主管部门认定结果为准。"


def main():
    wb = Workbook()
    ws = wb.active
    ws.title = "评分表"
    wrap = Alignment(wrap_text=True, vertical="center")
    ncols = len(HEADER)

    ws.cell(row=1, column=1, value="附件4")
    ws.cell(row=2, column=1, value=TITLE).font = Font(bold=True, size=16)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)
    ws.cell(row=2, column=1).alignment = Alignment(horizontal="center")
    for c, text in enumerate(HEADER, start=1):
        ws.cell(row=3, column=c, value=text).font = Font(bold=True)

    r = 4
    for category, items in ROWS:
        first = r
        for number, content, points, criteria, lead in items:
            for c, value in enumerate((None, number, content, points, criteria, lead), start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value).alignment = wrap
            r += 1
        ws.cell(row=first, column=1, value=category).alignment = wrap
        if r - 1 > first:
            ws.merge_cells(start_row=first, start_column=1, end_row=r - 1, end_column=1)

    ws.cell(row=r, column=1, value=NOTE)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)

    for col, width in zip("ABCDEF", (14, 6, 16, 8, 70, 18)):
        ws.column_dimensions[col].width = width

    out = os.path.join(HERE, "annex.xlsx")
    wb.save(out)
    normalize(out)


if __name__ == "__main__":
    main()
