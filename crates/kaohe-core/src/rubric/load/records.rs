//! Kinds of record (`[[records]]`) and the facts that count them
//! (`from = { records = "…", where = { … } }`).

use std::collections::HashSet;

use toml::{Spanned, Value};

use super::Ctx;
use super::inputs::valid_key;
use super::raw::RawRecordKind;
use crate::records::{FieldType, RecordCount, RecordField, RecordKind};

/// The `[[records]]` tables, checked; a kind with a mistake is left out (and reported).
pub(super) fn load(cx: &mut Ctx, raw: &[Spanned<RawRecordKind>]) -> Vec<RecordKind> {
    let mut kinds: Vec<RecordKind> = Vec::new();
    let mut ids = HashSet::new();
    for rk in raw {
        let r = rk.get_ref();
        let id = r.id.get_ref();
        if !valid_key(id) {
            cx.err(
                r.id.span(),
                format!("记录种类 id \"{id}\" 只能用小写字母、数字和下划线，如 id = \"media\""),
            );
            continue;
        }
        if !ids.insert(id.clone()) {
            cx.err(r.id.span(), format!("记录种类 {id} 重复；请改用另一个 id"));
            continue;
        }
        if r.name.get_ref().trim().is_empty() {
            cx.err(r.name.span(), format!("记录种类 {id} 的 name 不能为空"));
            continue;
        }
        if let Some(kind) = load_kind(cx, r) {
            kinds.push(kind);
        }
    }
    kinds
}

fn load_kind(cx: &mut Ctx, r: &RawRecordKind) -> Option<RecordKind> {
    let id = r.id.get_ref();
    let mut fields = Vec::new();
    let mut ok = true;
    for rf in &r.fields {
        let f = rf.get_ref();
        let key = f.key.get_ref();
        if !valid_key(key) {
            cx.err(
                f.key.span(),
                format!("记录种类 {id} 的栏目 key \"{key}\" 只能用小写字母、数字和下划线"),
            );
            ok = false;
            continue;
        }
        if fields.iter().any(|x: &RecordField| &x.key == key) {
            cx.err(f.key.span(), format!("记录种类 {id} 的栏目 {key} 重复"));
            ok = false;
            continue;
        }
        let ty = match (f.ty.get_ref().as_str(), &f.options) {
            ("text", None) => FieldType::Text,
            ("bool", None) => FieldType::Bool,
            ("choice", Some(options)) if !options.is_empty() => {
                let list: Vec<String> = options
                    .iter()
                    .map(|o| o.get_ref().trim().to_string())
                    .collect();
                let unique: HashSet<&String> = list.iter().collect();
                if unique.len() != list.len() || list.iter().any(String::is_empty) {
                    cx.err(
                        rf.span(),
                        format!("记录种类 {id} 的栏目 {key}：选项不能为空，也不能重复"),
                    );
                    ok = false;
                    continue;
                }
                FieldType::Choice(list)
            }
            ("choice", _) => {
                cx.err(
                    f.ty.span(),
                    format!(
                        "记录种类 {id} 的栏目 {key} 是 choice，需要 options = [\"市\", \"省\", …]"
                    ),
                );
                ok = false;
                continue;
            }
            ("text" | "bool", Some(_)) => {
                cx.err(
                    rf.span(),
                    format!("记录种类 {id} 的栏目 {key}：只有 choice 栏目有 options"),
                );
                ok = false;
                continue;
            }
            (other, _) => {
                cx.err(
                    f.ty.span(),
                    format!("记录种类 {id} 的栏目 {key} 的 type = \"{other}\" 未知；可用 text（文字）、bool（是/否）、choice（选项，配 options）"),
                );
                ok = false;
                continue;
            }
        };
        fields.push(RecordField {
            key: key.clone(),
            label: f.label.get_ref().trim().to_string(),
            ty,
        });
    }
    if !ok {
        return None;
    }
    if fields.is_empty() {
        cx.err(r.id.span(), format!("记录种类 {id} 没有栏目；请写 fields = [{{ key = \"title\", label = \"标题\", type = \"text\" }}]"));
        return None;
    }
    let find = |cx: &mut Ctx, s: &Spanned<String>, what: &str| -> Option<usize> {
        let at = fields.iter().position(|f| &f.key == s.get_ref());
        if at.is_none() {
            cx.err(
                s.span(),
                format!(
                    "记录种类 {id} 的 {what} = \"{}\" 不是它的栏目；可用：{}",
                    s.get_ref(),
                    fields
                        .iter()
                        .map(|f| f.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        at
    };
    let title = find(cx, &r.title, "title")?;
    if fields[title].ty != FieldType::Text {
        cx.err(
            r.title.span(),
            format!("记录种类 {id} 的 title 应是文字（text）栏目"),
        );
        return None;
    }
    let mut same = Vec::new();
    for s in &r.same {
        same.push(find(cx, s, "same")?);
    }
    let level = match &r.level {
        None => None,
        Some(l) => {
            let at = find(cx, l, "level")?;
            if !matches!(fields[at].ty, FieldType::Choice(_)) {
                cx.err(
                    l.span(),
                    format!("记录种类 {id} 的 level 应是选项（choice）栏目，选项从低到高"),
                );
                return None;
            }
            Some(at)
        }
    };
    let district_only = match r.entered_by.as_ref().map(|e| (e, e.get_ref().as_str())) {
        None | Some((_, "unit")) => false,
        Some((_, "district")) => true,
        Some((e, other)) => {
            cx.err(
                e.span(),
                format!("记录种类 {id} 的 entered_by = \"{other}\" 未知；可用 \"unit\"（单位申报、部门确认）或 \"district\"（只由区里录入）"),
            );
            return None;
        }
    };
    Some(RecordKind {
        id: id.clone(),
        name: r.name.get_ref().trim().to_string(),
        unit: r.unit.clone(),
        fields,
        title,
        same,
        level,
        district_only,
    })
}

/// `from = { records = "media", where = { level = "省" } }` read against the kinds;
/// `None` (reported) when it names no kind or a filter does not fit.
pub(super) fn count_of(
    cx: &mut Ctx,
    kinds: &[RecordKind],
    local: &str,
    from: &Spanned<Value>,
) -> Option<RecordCount> {
    let Value::Table(table) = from.get_ref() else {
        return None;
    };
    let span = from.span();
    if let Some(unknown) = table.keys().find(|k| *k != "records" && *k != "where") {
        cx.err(
            span,
            format!("输入 {local} 的 from 里有未知的 {unknown}；可用 records（记录种类）和 where（筛选）"),
        );
        return None;
    }
    let Some(Value::String(kid)) = table.get("records") else {
        cx.err(
            span,
            format!("输入 {local} 的 from 需要 records = \"记录种类 id\""),
        );
        return None;
    };
    let Some((ki, kind)) = kinds.iter().enumerate().find(|(_, k)| &k.id == kid) else {
        let known: Vec<&str> = kinds.iter().map(|k| k.id.as_str()).collect();
        cx.err(
            span,
            if known.is_empty() {
                format!("输入 {local} 计数的记录种类 {kid} 没有声明；请先写 [[records]]")
            } else {
                format!(
                    "输入 {local} 计数的记录种类 {kid} 没有声明；已声明的有：{}",
                    known.join(", ")
                )
            },
        );
        return None;
    };
    let mut filter = Vec::new();
    match table.get("where") {
        None => {}
        Some(Value::Table(w)) => {
            for (key, value) in w {
                let Some(fi) = kind.field(key) else {
                    cx.err(
                        span.clone(),
                        format!("输入 {local}：记录种类 {kid} 没有栏目 {key}"),
                    );
                    return None;
                };
                let stored = match (&kind.fields[fi].ty, value) {
                    (FieldType::Bool, Value::Boolean(b)) => {
                        if *b { "是" } else { "否" }.to_string()
                    }
                    (FieldType::Choice(options), Value::String(s)) if options.contains(s) => {
                        s.clone()
                    }
                    (FieldType::Choice(options), _) => {
                        cx.err(
                            span.clone(),
                            format!(
                                "输入 {local}：where 里 {key} 应为 {} 之一",
                                options.join("、")
                            ),
                        );
                        return None;
                    }
                    (FieldType::Bool, _) => {
                        cx.err(
                            span.clone(),
                            format!("输入 {local}：where 里 {key} 是是/否栏目，应写 true 或 false"),
                        );
                        return None;
                    }
                    (FieldType::Text, _) => {
                        cx.err(
                            span.clone(),
                            format!(
                                "输入 {local}：where 只能按是/否或选项栏目筛选，{key} 是文字栏目"
                            ),
                        );
                        return None;
                    }
                };
                filter.push((fi, stored));
            }
        }
        Some(_) => {
            cx.err(
                span,
                format!("输入 {local}：where 应是一个表，如 where = {{ level = \"省\" }}"),
            );
            return None;
        }
    }
    Some(RecordCount { kind: ki, filter })
}
