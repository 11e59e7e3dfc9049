//! A table as rows of cells, whatever file it came from, and how its rows are read as
//! categories and items.
//!
//! Rows are read by what their cells hold, not by fixed column numbers, because a text
//! copy of a Word table loses the column spans (the seed's header has 5 cells where its
//! rows have 6): the first cell is the category (empty or merged: the category above
//! continues), the longest text after it is the criteria, numbers before the criteria are
//! the category's points then the item's, and 加分项 marks a bonus category.

use std::sync::LazyLock;

use kaohe_core::Decimal;
use regex_lite::Regex;

use super::{Annex, AnnexCategory, AnnexItem, MAX_ROWS};

/// One cell: its text, and whether it only continues a merged cell (a `w:vMerge`
/// continuation, the second column of a `w:gridSpan`, a covered cell of an Excel merge).
#[derive(Debug, Clone, Default)]
pub(crate) struct Cell {
    pub text: String,
    pub merged: bool,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            merged: false,
        }
    }
    pub fn merged() -> Cell {
        Cell {
            text: String::new(),
            merged: true,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Grid {
    /// Paragraphs before the table (docx), or lines before it (text).
    pub preamble: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// True when cells stand in their grid columns (docx with spans expanded, xlsx), so
    /// that a header's column can be trusted for the rows below it.
    pub aligned: bool,
}

const HEADER_WORDS: &[&str] = &[
    "考核内容",
    "考核项目",
    "考核指标",
    "考核类别",
    "类别",
    "项目",
    "指标",
    "分值",
    "分数",
    "标准分",
    "评分标准",
    "考核标准",
    "评分细则",
    "评分办法",
    "考核要求",
    "扣分标准",
    "计分方法",
    "自查分",
    "自评分",
    "考核分",
    "得分",
    "序号",
    "责任部门",
    "责任单位",
    "备注",
];

const CRITERIA_WORDS: &[&str] = &[
    "评分标准",
    "考核标准",
    "评分细则",
    "评分办法",
    "考核要求",
    "扣分标准",
    "计分方法",
];

const BONUS_WORDS: &[&str] = &["加分项", "加分", "附加分", "加分项目", "加分类"];

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn is_header(texts: &[String]) -> bool {
    let words = texts
        .iter()
        .filter(|t| HEADER_WORDS.contains(&squeeze(t).as_str()))
        .count();
    words >= 2 && texts.iter().all(|t| t.chars().count() <= 20)
}

static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[（(]?([0-9]+(?:\.[0-9]+)?)\s*分?[）)]?$").expect("valid regex")
});
/// 基础工作（30分）, 基础工作 30分, 创新工作（加分项）.
static NAME_POINTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.+?)\s*[（(]?\s*([0-9]+(?:\.[0-9]+)?)\s*分\s*[）)]?$").expect("valid regex")
});
static NAME_BONUS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.+?)\s*[（(]\s*(?:加分项|加分|附加分|加分项目)\s*[）)]$").expect("valid regex")
});
static BONUS_CAP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(.+?)\s*[（(]\s*(?:累计)?(?:最高|最多|不超过|至多)\s*(?:加)?\s*([0-9]+(?:\.[0-9]+)?)\s*分\s*[）)]$",
    )
    .expect("valid regex")
});
/// A row that explains the table: 注：…, 说明：….
static NOTE_ROW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:注|说明|备注|附注|注释)\s*[0-9一二三四五六七八九十]*\s*[：:.、]")
        .expect("valid regex")
});
/// 附件1： before a title.
static ANNEX_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^附件\s*[0-9一二三四五六七八九十]*\s*[：:]?\s*").expect("valid regex")
});
/// 一、基础工作（30分） as a row of its own.
static HEADING_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[一二三四五六七八九十]+[、.．]|[0-9]+[、.．]|第[一二三四五六七八九十]+部分[：:]?)\s*",
    )
    .expect("valid regex")
});

fn number(s: &str) -> Option<Decimal> {
    let s = squeeze(s);
    let c = NUMBER.captures(&s)?;
    c[1].parse().ok()
}

fn is_bonus_word(s: &str) -> bool {
    BONUS_WORDS.contains(&squeeze(s).as_str())
}

/// A category name that may carry its points or the bonus mark:
/// (name, points, bonus).
fn split_name(s: &str) -> (String, Option<Decimal>, bool) {
    let s = s.split_whitespace().collect::<Vec<_>>().join("");
    let s = HEADING_NUMBER.replace(&s, "").to_string();
    if let Some(c) = NAME_BONUS.captures(&s) {
        return (c[1].to_string(), None, true);
    }
    if is_bonus_word(&s) {
        return (s, None, true);
    }
    // 加分项（最高5分）, 加分项（不超过5分）, 加分项（最高加5分）: a bonus and its cap.
    if let Some(c) = BONUS_CAP.captures(&s)
        && is_bonus_word(&c[1])
    {
        return (c[1].to_string(), c[2].parse().ok(), true);
    }
    if let Some(c) = NAME_POINTS.captures(&s)
        && let Ok(p) = c[2].parse::<Decimal>()
    {
        return (c[1].trim().to_string(), Some(p), false);
    }
    (s, None, false)
}

/// A row holding only a category heading: 一、基础工作（30分）, 创新工作（加分项）.
fn heading(s: &str) -> Option<(String, Option<Decimal>, bool)> {
    let squeezed = squeeze(s);
    if squeezed.chars().count() > 30 {
        return None;
    }
    let (name, points, bonus) = split_name(&squeezed);
    (points.is_some() || bonus).then_some((name, points, bonus))
}

/// Reads the rows of a table as categories and items. `Err` is a message for a file
/// that holds no rubric table.
pub(crate) fn interpret(grid: Grid, format: &str) -> Result<Annex, String> {
    if grid.rows.len() > MAX_ROWS {
        return Err(format!(
            "表格有 {} 行，超过上限 {MAX_ROWS} 行，不像评分细则；请确认选对了文件或工作表",
            grid.rows.len()
        ));
    }
    let mut table = Table {
        aligned: grid.aligned,
        preamble: grid
            .preamble
            .iter()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect(),
        ..Table::default()
    };
    for (r, row) in grid.rows.iter().enumerate() {
        table.row(r + 1, row);
    }
    let Table {
        preamble,
        mut categories,
        mut notes,
        ..
    } = table;
    categories.retain(|c| {
        if c.items.is_empty() {
            notes.push(format!("类别“{}”下没有项目，已略去", c.name));
        }
        !c.items.is_empty()
    });
    if categories.is_empty() {
        return Err(
            "没有找到评分表：文件里应有一张表格，列出考核内容（类别）、分值和评分标准；若细则在正文段落而非表格里，请先在 Word/WPS 中把它整理成表格（或另存为 Excel）再导入".to_string(),
        );
    }
    settle_points(&mut categories, &mut notes);
    Ok(Annex {
        title: title(&preamble),
        preamble,
        categories,
        notes,
        format: format.to_string(),
    })
}

/// The table as read so far, row by row.
#[derive(Default)]
struct Table {
    /// Whether a header's columns can be trusted for the rows below it ([`Grid::aligned`]).
    aligned: bool,
    preamble: Vec<String>,
    categories: Vec<AnnexCategory>,
    notes: Vec<String>,
    seen_header: bool,
    seen_table: bool,
    criteria_column: Option<usize>,
    /// A 序号 column holds row numbers, not points.
    number_column: Option<usize>,
    /// The 分值 column, which some tables put after the criteria.
    points_column: Option<usize>,
    /// The column holding the category name when it is not the first one (序号 / 考核项目
    /// / 考核内容 / 分值 / 评分标准, the category merged down its items), learnt from the
    /// first row that has two names before its criteria.
    category_column: Option<usize>,
    /// Categories stand in rows of their own (一、组织管理（20分）): an item row's first
    /// cell is then the item's name, not another category.
    heading_rows: bool,
}

impl Table {
    /// Reads row number `line`: a header, a category heading, a line before the table, or
    /// an item.
    fn row(&mut self, line: usize, row: &[Cell]) {
        let texts = self.texts(row);
        let filled: Vec<usize> = (0..texts.len()).filter(|&i| !texts[i].is_empty()).collect();
        if filled.is_empty() {
            return;
        }
        if is_header(&texts) {
            self.header(line, &texts);
            return;
        }
        if filled.len() == 1 {
            let t = &texts[filled[0]];
            if self.seen_table && NOTE_ROW.is_match(t) {
                // 注：考核数据来源为…, 说明：各项数据统计截至…: under the table, not an item.
                self.notes.push(format!(
                    "表格第 {line} 行是说明（“{t}”），不是评分条目，已略去"
                ));
                return;
            }
            if self.seen_table
                && let Some((name, points, bonus)) = heading(t)
            {
                self.heading_rows = true;
                self.start_category(line, name, points, bonus);
                return;
            }
            if !self.seen_table {
                self.preamble.push(t.clone());
                return;
            }
        }
        let Some(crit) = self.criteria_cell(&texts, &filled) else {
            if !self.seen_table {
                self.preamble.push(texts.join(" ").trim().to_string());
                return;
            }
            // 统计基础建设 | | 20 | : a category on a row of its own, its points in the
            // 分值 column.
            let names: Vec<&String> = filled
                .iter()
                .map(|&i| &texts[i])
                .filter(|t| number(t).is_none())
                .collect();
            let numbers: Vec<Decimal> = filled.iter().filter_map(|&i| number(&texts[i])).collect();
            if let ([name], [] | [_]) = (names.as_slice(), numbers.as_slice()) {
                let (name, own, bonus) = split_name(name);
                if name == "合计" || name == "总分" || name == "总计" {
                    self.notes
                        .push(format!("表格第 {line} 行是合计，不是评分条目，已略去"));
                    return;
                }
                self.heading_rows = true;
                self.start_category(line, name, own.or(numbers.first().copied()), bonus);
            }
            return;
        };
        if !self.seen_table && texts[crit].chars().count() < 8 {
            self.preamble.push(texts.join(" ").trim().to_string());
            return;
        }
        self.seen_table = true;
        self.item(line, row, &texts, crit);
    }

    /// The cells' texts, trimmed; a merged cell and a row number in the 序号 column are
    /// empty.
    fn texts(&self, row: &[Cell]) -> Vec<String> {
        row.iter()
            .enumerate()
            .map(|(i, c)| {
                if c.merged || Some(i) == self.number_column && number(&c.text).is_some() {
                    String::new()
                } else {
                    c.text.trim().to_string()
                }
            })
            .collect()
    }

    fn header(&mut self, line: usize, texts: &[String]) {
        if self.seen_header {
            self.notes
                .push(format!("表格第 {line} 行是重复的表头（跨页），已跳过"));
        }
        self.seen_header = true;
        self.seen_table = true;
        if self.aligned {
            self.criteria_column = texts
                .iter()
                .position(|t| CRITERIA_WORDS.contains(&squeeze(t).as_str()));
            self.number_column = texts.iter().position(|t| squeeze(t) == "序号");
            self.points_column = texts
                .iter()
                .position(|t| matches!(squeeze(t).as_str(), "分值" | "分数" | "标准分"));
        }
    }

    /// The criteria: the header's column when the cells are aligned, else the longest
    /// text after the first cell that is not a number or the bonus mark.
    fn criteria_cell(&self, texts: &[String], filled: &[usize]) -> Option<usize> {
        let by_header = self
            .criteria_column
            .filter(|&c| c > 0 && c < texts.len() && !texts[c].is_empty());
        let longest = (1..texts.len())
            .filter(|&i| {
                !texts[i].is_empty() && number(&texts[i]).is_none() && !is_bonus_word(&texts[i])
            })
            .max_by_key(|&i| (texts[i].chars().count(), std::cmp::Reverse(i)));
        match (by_header, longest) {
            (Some(c), _) => Some(c),
            (None, Some(i)) => Some(i),
            (None, None) if filled.len() == 1 && self.seen_table => Some(filled[0]),
            (None, None) => None,
        }
    }

    /// An item whose criteria stand in cell `crit`: the cells before it name its
    /// category (or continue the one above) and give the points.
    fn item(&mut self, line: usize, row: &[Cell], texts: &[String], crit: usize) {
        let criteria = row[crit].text.trim().to_string();
        let pre = &texts[..crit];
        let is_name = |t: &String| !t.is_empty() && number(t).is_none() && !is_bonus_word(t);
        if self.category_column.is_none()
            && !self.heading_rows
            && pre.first().is_some_and(|t| t.is_empty())
        {
            let names: Vec<usize> = (1..pre.len()).filter(|&i| is_name(&pre[i])).collect();
            if names.len() >= 2 {
                self.category_column = Some(names[0]);
            }
        }
        let cat_col = self.category_column.unwrap_or(0);
        let mut name = pre.get(cat_col).cloned().unwrap_or_default();
        let mut numbers = Vec::new();
        let mut bonus = false;
        let mut item_name = None;
        if self.heading_rows && is_name(&name) && heading(&name).is_none_or(|h| h.1.is_none()) {
            // 组织机构和经费保障 | 10 | … under 一、组织管理（20分）: the item's name.
            item_name = Some(squeeze(&name));
            name = String::new();
        }
        let rest = pre
            .iter()
            .enumerate()
            .filter(|(i, t)| *i != cat_col && (*i > cat_col || t.is_empty() || number(t).is_some()))
            .map(|(_, t)| t);
        for t in rest.filter(|t| !t.is_empty()) {
            if let Some(n) = number(t) {
                numbers.push(n);
            } else if is_bonus_word(t) {
                bonus = true;
            } else if item_name.is_none() {
                item_name = Some(squeeze(t));
            }
        }
        let points = if !name.is_empty() && number(&name).is_none() {
            self.named_category(line, &name, &numbers, bonus)
        } else {
            if !name.is_empty() {
                // A number in the first column: a 序号 column, or points without a name.
                numbers.insert(0, number(&name).unwrap_or_default());
            }
            self.continue_category(line);
            numbers.last().copied()
        };
        // A 分值 column after the criteria (序号 / 考核项目 / 考核内容及评分标准 / 分值).
        let points = points.or_else(|| {
            self.points_column
                .filter(|&c| c > crit)
                .and_then(|c| texts.get(c))
                .and_then(|t| number(t))
        });
        let category = self
            .categories
            .last_mut()
            .expect("a category was started above");
        category.items.push(AnnexItem {
            name: item_name,
            points,
            criteria,
        });
    }

    /// Starts (or continues) the category a row names, which may carry its points or the
    /// bonus mark; returns the item's points among the numbers before the criteria.
    fn named_category(
        &mut self,
        line: usize,
        name: &str,
        numbers: &[Decimal],
        bonus: bool,
    ) -> Option<Decimal> {
        let (cat_name, name_points, name_bonus) = split_name(name);
        let bonus = bonus || name_bonus;
        let (cat_points, points) = match (numbers, name_points) {
            ([c, i, ..], _) => (Some(*c), Some(*i)),
            ([i], Some(c)) => (Some(c), Some(*i)),
            ([i], None) => (None, Some(*i)),
            ([], c) => (c, None),
        };
        self.start_category(line, cat_name, cat_points, bonus);
        points
    }

    /// A row without a category name continues the category above, or one named
    /// “未写明类别” when there is none yet.
    fn continue_category(&mut self, line: usize) {
        if self.categories.is_empty() {
            self.notes.push(format!(
                "表格第 {line} 行之前没有类别名称，已放入“未写明类别”；请补上类别名称"
            ));
            self.categories.push(AnnexCategory {
                name: "未写明类别".to_string(),
                points: None,
                bonus: false,
                max_deduction: None,
                items: Vec::new(),
            });
        }
    }

    fn start_category(&mut self, line: usize, name: String, points: Option<Decimal>, bonus: bool) {
        let notes = &mut self.notes;
        if let Some(last) = self.categories.last_mut()
            && last.name == name
        {
            // The category row repeated after a page break: the same category goes on.
            let same = points.is_none() || last.points.is_none() || points == last.points;
            if same {
                notes.push(format!(
                    "表格第 {line} 行重复了类别“{name}”（跨页），接续同一类别"
                ));
                if last.points.is_none() {
                    last.points = points;
                }
            } else {
                notes.push(format!(
                    "表格第 {line} 行重复了类别“{name}”，但分值不同（{} 与 {}）；按同一类别接续，分值取前者，请核对原表",
                    last.points.map(kaohe_core::fmt_decimal).unwrap_or_default(),
                    points.map(kaohe_core::fmt_decimal).unwrap_or_default()
                ));
            }
            last.bonus |= bonus;
            return;
        }
        if self.categories.iter().any(|c| c.name == name) {
            notes.push(format!(
                "表格第 {line} 行的类别“{name}”在前面已出现过，又与前一类别隔开；作为另一个类别读入，请核对"
            ));
        }
        self.categories.push(AnnexCategory {
            name,
            points,
            bonus,
            max_deduction: None,
            items: Vec::new(),
        });
    }
}

/// A category without points stated takes its items' sum; a stated one that differs from
/// the sum is noted.
fn settle_points(categories: &mut [AnnexCategory], notes: &mut Vec<String>) {
    for c in categories.iter_mut().filter(|c| !c.bonus) {
        let points: Option<Decimal> = c.items.iter().map(|i| i.points).sum();
        match (c.points, points) {
            (None, Some(sum)) => {
                notes.push(format!(
                    "类别“{}”的分值未写明，按其项目分值之和 {} 计",
                    c.name,
                    kaohe_core::fmt_decimal(sum)
                ));
                c.points = Some(sum);
            }
            (Some(p), Some(sum)) if p != sum => notes.push(format!(
                "类别“{}”的分值 {} 与其项目分值之和 {} 不符；请核对原表",
                c.name,
                kaohe_core::fmt_decimal(p),
                kaohe_core::fmt_decimal(sum)
            )),
            _ => {}
        }
    }
}

/// The title among the lines before the table: the one that reads like a rubric's
/// (细则, 标准, 办法, 考核), else the longest, 附件1： taken off.
pub(crate) fn title(preamble: &[String]) -> Option<String> {
    preamble
        .iter()
        .map(|p| ANNEX_PREFIX.replace(p, "").trim().to_string())
        .filter(|t| !t.is_empty())
        .max_by_key(|t| {
            let key = ["细则", "标准", "办法", "考核"]
                .iter()
                .any(|w| t.contains(w));
            (key, t.chars().count().min(60))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<Cell> {
        cells.iter().map(|c| Cell::new(*c)).collect()
    }

    #[test]
    fn a_category_may_carry_its_points_in_its_name() {
        assert_eq!(
            split_name("一、基础工作（30分）"),
            ("基础工作".to_string(), Some(Decimal::from(30)), false)
        );
        assert_eq!(
            split_name("创新工作（加分项）"),
            ("创新工作".to_string(), None, true)
        );
    }

    #[test]
    fn heading_rows_start_categories_and_numbered_columns_are_not_names() {
        let grid = Grid {
            preamble: vec![],
            rows: vec![
                row(&["序号", "考核项目", "分值", "评分标准"]),
                row(&["一、平安建设（10分）"]),
                row(&["1", "矛盾调处", "10", "每发生一起越级上访扣2分。"]),
            ],
            aligned: true,
        };
        let annex = interpret(grid, "test").unwrap();
        assert_eq!(annex.categories.len(), 1);
        assert_eq!(annex.categories[0].name, "平安建设");
        let item = &annex.categories[0].items[0];
        assert_eq!(item.points, Some(Decimal::from(10)));
        assert_eq!(item.name.as_deref(), Some("矛盾调处"));
    }
}
