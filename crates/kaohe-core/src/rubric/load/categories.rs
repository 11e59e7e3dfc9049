//! The first pass: categories (考核内容) and their items, with the inputs each item
//! declares. Rules are kept as written for the second pass (`rules.rs`), so that a rule
//! may use an input declared anywhere in the file.

use std::collections::HashMap;

use rust_decimal::Decimal;
use toml::{Spanned, Value};

use super::Ctx;
use super::inputs::{Inputs, ItemHead};
use super::raw::{RawCategory, RawItem, RawRule};
use crate::num::fmt as f;
use crate::rubric::{Category, CategoryKind, Item, ItemMode};

/// What the first pass declares. Items have no rules yet: `rules` holds each item's
/// rules as written, by item index.
pub(super) struct Declared {
    pub(super) categories: Vec<Category>,
    pub(super) items: Vec<Item>,
    pub(super) rules: Vec<Vec<Spanned<RawRule>>>,
    /// The line of each category id and item id, for "already on line N" messages.
    category_ids: HashMap<String, usize>,
    item_ids: HashMap<String, usize>,
}

/// Declares every category, its items and their inputs.
pub(super) fn declare(
    cx: &mut Ctx,
    raw: Vec<Spanned<RawCategory>>,
    inputs: &mut Inputs,
) -> Declared {
    let mut declared = Declared {
        categories: Vec::new(),
        items: Vec::new(),
        rules: Vec::new(),
        category_ids: HashMap::new(),
        item_ids: HashMap::new(),
    };
    for (ci, rc) in raw.into_iter().enumerate() {
        declared.category(cx, inputs, ci, rc.into_inner());
    }
    if declared.categories.is_empty() {
        cx.err(0..0, "细则里没有类别；请加上 [[categories]]");
    }
    declared
}

/// `rubric.total`, when given, must be the sum of the base categories' points (checked
/// only when every base category has points, so that a missing one is reported once).
pub(super) fn check_total(
    cx: &mut Ctx,
    categories: &[Category],
    total: Option<Decimal>,
    written: Option<&Spanned<Value>>,
) {
    let Some(total) = total else {
        return;
    };
    let sum: Decimal = categories.iter().filter_map(|c| c.points).sum();
    let all = categories
        .iter()
        .all(|c| c.kind == CategoryKind::Bonus || c.points.is_some());
    if all && sum != total {
        let span = written.map(|t| t.span()).unwrap_or_default();
        cx.err(
            span,
            format!(
                "rubric.total = {} 与基础类别分值之和 {} 不符；请改正 total 或类别的 points",
                f(total),
                f(sum)
            ),
        );
    }
}

impl Declared {
    fn category(&mut self, cx: &mut Ctx, inputs: &mut Inputs, ci: usize, rc: RawCategory) {
        let cid = rc.id.get_ref().clone();
        if let Some(line) = self.category_ids.get(&cid) {
            cx.err(
                rc.id.span(),
                format!("类别 id {cid} 重复（第 {line} 行已有）；请改用另一个 id"),
            );
        } else {
            let line = cx.line(rc.id.span());
            self.category_ids.insert(cid.clone(), line);
        }
        let kind = category_kind(cx, &rc, &cid);
        let points = category_points(cx, &rc, &cid, kind);
        let (max_deduction, cap) = category_limits(cx, &rc, &cid, kind);
        if rc.items.is_empty() {
            cx.err(
                rc.id.span(),
                format!("类别 {cid} 没有项目；请加上 [[categories.items]]"),
            );
        }
        let first_item = self.items.len();
        let mut item_points_sum = Decimal::ZERO;
        let mut all_item_points = true;
        for ri in rc.items {
            match self.item(cx, inputs, ci, &cid, kind, ri.into_inner()) {
                Some(p) => item_points_sum += p,
                None => all_item_points = false,
            }
        }
        if let (CategoryKind::Base, Some(p), true) = (kind, points, all_item_points)
            && p != item_points_sum
            && first_item != self.items.len()
        {
            let parts: Vec<String> = self.items[first_item..]
                .iter()
                .filter_map(|i| i.points.map(|p| format!("{} {}", i.id, f(p))))
                .collect();
            let span = rc.points.as_ref().map(|p| p.span()).unwrap_or_default();
            cx.err(
                span,
                format!(
                    "类别 {cid} 的分值 {} 与其项目分值之和 {} 不符（{}）；请改正类别或项目的 points",
                    f(p),
                    f(item_points_sum),
                    parts.join(" + ")
                ),
            );
        }
        self.categories.push(Category {
            id: cid,
            name: rc.name.into_inner(),
            kind,
            points,
            max_deduction,
            cap,
            items: first_item..self.items.len(),
        });
    }

    /// Declares one item and its inputs; returns its points, if it has valid ones.
    fn item(
        &mut self,
        cx: &mut Ctx,
        inputs: &mut Inputs,
        ci: usize,
        cid: &str,
        kind: CategoryKind,
        ri: RawItem,
    ) -> Option<Decimal> {
        let iid = ri.id.get_ref().clone();
        if iid.trim().is_empty() || iid.contains(char::is_whitespace) {
            cx.err(
                ri.id.span(),
                format!("项目 id \"{iid}\" 不可为空或含空格；请写如 id = \"{cid}.1\""),
            );
        }
        if let Some(line) = self.item_ids.get(&iid) {
            cx.err(
                ri.id.span(),
                format!("项目 id {iid} 重复（第 {line} 行已有）；每个项目要有自己的 id"),
            );
        } else {
            let line = cx.line(ri.id.span());
            self.item_ids.insert(iid.clone(), line);
        }
        let index = self.items.len();
        let mode = item_mode(cx, &ri, &iid, kind);
        let points = item_points(cx, &ri, &iid, kind);
        let cap = item_cap(cx, &ri, &iid, mode, points);
        if ri.criteria.get_ref().trim().is_empty() {
            cx.err(
                ri.criteria.span(),
                format!("项目 {iid} 的 criteria（评分标准原文）为空；请照录原文"),
            );
        }
        if ri.rules.is_empty() {
            cx.err(
                ri.id.span(),
                format!("项目 {iid} 没有规则；请加上 [[categories.items.rules]]"),
            );
        }
        let first_input = inputs.len();
        let head = ItemHead {
            index,
            id: &iid,
            kind,
            mode,
            points,
        };
        inputs.declare_item_inputs(cx, &ri.inputs, &head);
        for rule in &ri.rules {
            inputs.declare_discretionary(cx, rule, &head);
        }
        self.items.push(Item {
            id: iid,
            name: ri.name,
            number: ri
                .number
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty()),
            category: ci,
            points,
            mode,
            cap,
            criteria: ri.criteria.into_inner(),
            rules: Vec::new(),
            inputs: first_input..inputs.len(),
            uses: Vec::new(),
        });
        self.rules.push(ri.rules);
        points
    }
}

fn category_kind(cx: &mut Ctx, rc: &RawCategory, cid: &str) -> CategoryKind {
    match rc.kind.as_ref().map(|k| k.get_ref().as_str()) {
        None | Some("base") => CategoryKind::Base,
        Some("bonus") => CategoryKind::Bonus,
        Some(other) => {
            let span = rc.kind.as_ref().map(|k| k.span()).unwrap_or_default();
            cx.err(span, format!("类别 {cid} 的 kind = \"{other}\" 未知；可用 \"base\"（基础分）或 \"bonus\"（加分项）"));
            CategoryKind::Base
        }
    }
}

/// A base category's points; a bonus category has none.
fn category_points(
    cx: &mut Ctx,
    rc: &RawCategory,
    cid: &str,
    kind: CategoryKind,
) -> Option<Decimal> {
    match (&rc.points, kind) {
        (Some(p), CategoryKind::Base) => cx.positive(p, &format!("类别 {cid} 的 points")),
        (None, CategoryKind::Base) => {
            cx.err(
                rc.id.span(),
                format!("类别 {cid} 缺少分值；请加上 points = …（加分项请写 kind = \"bonus\"）"),
            );
            None
        }
        (Some(p), CategoryKind::Bonus) => {
            cx.err(
                p.span(),
                format!("加分类别 {cid} 不设 points；要限制加分总额请用 cap = …"),
            );
            None
        }
        (None, CategoryKind::Bonus) => None,
    }
}

/// A category's `max_deduction` (base categories only) and `cap` (bonus only).
fn category_limits(
    cx: &mut Ctx,
    rc: &RawCategory,
    cid: &str,
    kind: CategoryKind,
) -> (Option<Decimal>, Option<Decimal>) {
    let max_deduction = match (&rc.max_deduction, kind) {
        (Some(v), CategoryKind::Base) => cx.positive(v, &format!("类别 {cid} 的 max_deduction")),
        (Some(v), CategoryKind::Bonus) => {
            cx.err(
                v.span(),
                format!("max_deduction 只用于基础类别；加分类别 {cid} 请用 cap"),
            );
            None
        }
        (None, _) => None,
    };
    let cap = match (&rc.cap, kind) {
        (Some(v), CategoryKind::Bonus) => cx.positive(v, &format!("类别 {cid} 的 cap")),
        (Some(v), CategoryKind::Base) => {
            cx.err(
                v.span(),
                format!(
                    "cap 只用于加分类别；基础类别 {cid} 的分值已是上限，限制扣分请用 max_deduction"
                ),
            );
            None
        }
        (None, _) => None,
    };
    (max_deduction, cap)
}

/// Where the item's score starts; by default, deduct in a base category and award in a
/// bonus one.
fn item_mode(cx: &mut Ctx, ri: &RawItem, iid: &str, kind: CategoryKind) -> ItemMode {
    match ri.mode.as_ref().map(|m| m.get_ref().as_str()) {
        None => match kind {
            CategoryKind::Base => ItemMode::Deduct,
            CategoryKind::Bonus => ItemMode::Award,
        },
        Some("deduct") if kind == CategoryKind::Base => ItemMode::Deduct,
        Some("deduct") => {
            let span = ri.mode.as_ref().map(|m| m.span()).unwrap_or_default();
            cx.err(
                span,
                format!("加分项目 {iid} 不能用 mode = \"deduct\"；加分项从 0 起加"),
            );
            ItemMode::Award
        }
        Some("award") => ItemMode::Award,
        Some(other) => {
            let span = ri.mode.as_ref().map(|m| m.span()).unwrap_or_default();
            cx.err(span, format!("项目 {iid} 的 mode = \"{other}\" 未知；可用 \"deduct\"（从满分起扣）或 \"award\"（从 0 起加）"));
            ItemMode::Deduct
        }
    }
}

/// A base item's points; a bonus item has none. A base item without points is noted in
/// `cx`, so that its rules are not refused a second time for the same reason.
fn item_points(cx: &mut Ctx, ri: &RawItem, iid: &str, kind: CategoryKind) -> Option<Decimal> {
    match (&ri.points, kind) {
        (Some(p), CategoryKind::Base) => cx.positive(p, &format!("项目 {iid} 的 points")),
        (None, CategoryKind::Base) => {
            cx.err(
                ri.id.span(),
                format!("项目 {iid} 缺少分值；请加上 points = …"),
            );
            cx.items_without_points.insert(iid.to_string());
            None
        }
        (Some(p), CategoryKind::Bonus) => {
            cx.err(
                p.span(),
                format!("加分项目 {iid} 不设 points；要设上限请用 cap = …"),
            );
            None
        }
        (None, CategoryKind::Bonus) => None,
    }
}

/// The most the item can score: an award item's `cap` (not above its points), else its
/// points. A deduct item's ceiling is its points, so it takes no `cap`.
fn item_cap(
    cx: &mut Ctx,
    ri: &RawItem,
    iid: &str,
    mode: ItemMode,
    points: Option<Decimal>,
) -> Option<Decimal> {
    match (&ri.cap, mode) {
        (Some(c), ItemMode::Award) => {
            let c = cx.positive(c, &format!("项目 {iid} 的 cap"));
            if let (Some(c), Some(p)) = (c, points)
                && c > p
            {
                let span = ri.cap.as_ref().map(|c| c.span()).unwrap_or_default();
                cx.err(
                    span,
                    format!("项目 {iid} 的 cap {} 超过其分值 {}", f(c), f(p)),
                );
            }
            c.or(points)
        }
        (Some(c), ItemMode::Deduct) => {
            cx.err(
                c.span(),
                format!("扣分项目 {iid} 的上限就是其分值，不设 cap"),
            );
            points
        }
        (None, _) => points,
    }
}
