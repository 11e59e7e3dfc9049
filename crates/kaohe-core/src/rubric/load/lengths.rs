//! Every text of a rubric within a bound, so that a rubric cannot carry a title of
//! millions of characters into every page that lists it. Counted in characters, each
//! problem at the line of the text (or of the table holding it).

use std::ops::Range;

use toml::Spanned;

use super::Ctx;
use super::raw::{RawFile, RawInput, RawRule};

/// Titles, names and labels: a line on a page.
pub(crate) const MAX_NAME: usize = 200;
/// Ids and keys.
pub(crate) const MAX_ID: usize = 64;
/// An item's criteria (评分标准) and notes: a paragraph or a few.
pub(crate) const MAX_TEXT: usize = 5_000;
/// A unit of measure (人, %, 次).
pub(crate) const MAX_UNIT: usize = 20;

fn bound(cx: &mut Ctx, span: Range<usize>, what: &str, text: &str, max: usize) {
    let n = text.chars().count();
    if n > max {
        cx.err(
            span,
            format!("{what}太长（{n} 个字，最多 {max} 个字）；请精简"),
        );
    }
}

fn spanned(cx: &mut Ctx, s: &Spanned<String>, what: &str, max: usize) {
    bound(cx, s.span(), what, s.get_ref(), max);
}

fn optional(cx: &mut Ctx, span: &Range<usize>, what: &str, text: &Option<String>, max: usize) {
    if let Some(t) = text {
        bound(cx, span.clone(), what, t, max);
    }
}

/// Checks every text of the file against its bound.
pub(super) fn check(cx: &mut Ctx, raw: &RawFile) {
    let meta = raw.rubric.get_ref();
    let at = raw.rubric.span();
    spanned(cx, &meta.id, "rubric.id", MAX_ID);
    spanned(cx, &meta.title, "rubric.title", MAX_NAME);
    optional(cx, &at, "rubric.source", &meta.source, MAX_TEXT);
    optional(cx, &at, "rubric.note", &meta.note, MAX_TEXT);
    for kind in &raw.records {
        let at = kind.span();
        let k = kind.get_ref();
        spanned(cx, &k.id, "记录种类 id", MAX_ID);
        spanned(cx, &k.name, "记录种类名称", MAX_NAME);
        optional(cx, &at, "计量单位（unit）", &k.unit, MAX_UNIT);
        optional(cx, &at, "记录种类备注", &k.note, MAX_TEXT);
        for field in &k.fields {
            let f = field.get_ref();
            spanned(cx, &f.key, "记录栏目 key", MAX_ID);
            spanned(cx, &f.label, "记录栏目名称", MAX_NAME);
            for o in f.options.iter().flatten() {
                spanned(cx, o, "选项", MAX_NAME);
            }
        }
    }
    for input in &raw.unit_facts {
        check_input(cx, input);
    }
    for grade in &raw.grades {
        spanned(cx, &grade.get_ref().name, "等级名称", MAX_NAME);
    }
    for category in &raw.categories {
        let c = category.get_ref();
        spanned(cx, &c.id, "类别 id", MAX_ID);
        spanned(cx, &c.name, "类别名称", MAX_NAME);
        for item in &c.items {
            let at = item.span();
            let i = item.get_ref();
            spanned(cx, &i.id, "项目 id", MAX_ID);
            optional(cx, &at, "项目名称", &i.name, MAX_NAME);
            optional(cx, &at, "项目编号", &i.number, MAX_NAME);
            spanned(cx, &i.criteria, "评分标准（criteria）", MAX_TEXT);
            optional(cx, &at, "项目备注", &i.note, MAX_TEXT);
            for input in &i.inputs {
                check_input(cx, input);
            }
            for rule in &i.rules {
                check_rule(cx, rule);
            }
        }
    }
}

fn check_input(cx: &mut Ctx, input: &Spanned<RawInput>) {
    let at = input.span();
    let i = input.get_ref();
    spanned(cx, &i.key, "输入 key", MAX_ID);
    bound(cx, at.clone(), "输入名称（label）", &i.label, MAX_NAME);
    optional(cx, &at, "计量单位（unit）", &i.unit, MAX_UNIT);
    optional(cx, &at, "输入备注", &i.note, MAX_TEXT);
}

fn check_rule(cx: &mut Ctx, rule: &Spanned<RawRule>) {
    let at = rule.span();
    let r = rule.get_ref();
    optional(cx, &at, "规则名称（label）", &r.label, MAX_NAME);
    optional(cx, &at, "规则备注", &r.note, MAX_TEXT);
    for check in r.checks.iter().flatten() {
        let label = &check.get_ref().label;
        optional(cx, &check.span(), "检查项名称（label）", label, MAX_NAME);
    }
    for term in r.terms.iter().chain(r.levels.iter()).flatten() {
        let label = &term.get_ref().label;
        optional(cx, &term.span(), "分项名称（label）", label, MAX_NAME);
    }
}
