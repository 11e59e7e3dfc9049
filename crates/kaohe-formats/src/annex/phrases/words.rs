//! The words of the criteria: clauses, numbers written in digits or Chinese, and the
//! subject of a phrase with its filler words taken off.

use kaohe_core::Decimal;

/// A small number written in digits or Chinese (两, 十二, 半).
pub(super) fn parse_num(s: &str) -> Option<Decimal> {
    if let Ok(d) = s.parse::<Decimal>() {
        return Some(d);
    }
    if s == "半" {
        return Some(Decimal::new(5, 1));
    }
    let digit = |c: char| match c {
        '一' => Some(1),
        '二' | '两' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        _ => None,
    };
    let chars: Vec<char> = s.chars().collect();
    let n = match chars.as_slice() {
        ['十'] => 10,
        [d] => digit(*d)?,
        ['十', d] => 10 + digit(*d)?,
        [t, '十'] => digit(*t)? * 10,
        [t, '十', d] => digit(*t)? * 10 + digit(*d)?,
        _ => return None,
    };
    Some(Decimal::from(n))
}

pub(super) fn fmt(d: Decimal) -> String {
    kaohe_core::fmt_decimal(d)
}

/// A clause: a byte range of the criteria, trimmed.
#[derive(Debug, Clone, Copy)]
pub(super) struct Clause {
    pub start: usize,
    pub end: usize,
}

/// The clauses of a text, cut at ，。；！？ ; , and line breaks.
pub(super) fn clauses(text: &str) -> Vec<Clause> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut push = |s: usize, e: usize| {
        let part = &text[s..e];
        let lead = part.len() - part.trim_start().len();
        let trail = part.len() - part.trim_end().len();
        if s + lead < e - trail {
            out.push(Clause {
                start: s + lead,
                end: e - trail,
            });
        }
    };
    for (i, c) in text.char_indices() {
        if matches!(c, '，' | '。' | '；' | ';' | ',' | '\n' | '！' | '？') {
            push(start, i);
            start = i + c.len_utf8();
        }
    }
    push(start, text.len());
    out
}

/// The subject of a phrase: 要, 须, 确保, 并 and the like taken off its ends.
pub(super) fn clean_subject(s: &str) -> String {
    let mut s = s.trim().trim_end_matches('的').to_string();
    loop {
        let before = s.clone();
        for w in ["均", "都", "要", "须", "应", "必须", "要求", "需", "需要"] {
            if let Some(t) = s.strip_suffix(w) {
                s = t.to_string();
            }
        }
        for w in [
            "确保", "保证", "实现", "使", "其中", "并", "且", "要求", "做到", "并且", "以及", "和",
        ] {
            if let Some(t) = s.strip_prefix(w) {
                s = t.to_string();
            }
        }
        if s == before {
            break;
        }
    }
    s.trim().to_string()
}

/// A phrase without the 的 (and comma) it ends with.
pub(super) fn strip_de(s: &str) -> &str {
    s.trim()
        .trim_end_matches(['，', ','])
        .trim_end_matches('的')
        .trim()
}

/// A count's subject without the year it is counted in (全年, 年内…): 全年少于4次 names no
/// measure.
pub(super) fn without_year(s: &str) -> String {
    let mut s = s.to_string();
    for w in ["全年", "年内", "年度内", "每年", "一年", "1年", "年度"] {
        if let Some(rest) = s.strip_prefix(w) {
            s = rest.to_string();
        }
    }
    s
}
