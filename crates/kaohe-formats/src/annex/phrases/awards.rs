//! Awards: 每录用一篇加N分 (one term each), 分别加a、b、c分 (one level per list part),
//! 获得…的加N分 (counted 0 or 1).

use kaohe_core::Decimal;

use super::Reader;
use super::words::{parse_num, strip_de};
use crate::annex::draft::{DraftInput, DraftKind, DraftRule, DraftTerm, FlagKind, InputKind};
use crate::annex::keys::suggest_key;

regex!(
    TIERED,
    "(?:分别|依次)(加|扣|得|计)([0-9.、，,和及分一二两三四五六七八九十半]+)"
);
regex!(AWARD_EACH, "^(.*?)每([^，。；扣]*?)(?:加|奖励|计)NUM分");
regex!(
    MEASURE,
    "^(.*?)(?:一|1)(篇|次|个|项|件|条|期|人次|人|起|场|家|部|批)(.*)$"
);
regex!(AWARD_ONCE, "^(.*?)[，,]?(?:加|奖励)NUM分");

impl Reader<'_> {
    pub(super) fn tiered(&mut self, i: usize, clause: &str) -> bool {
        let Some(c) = TIERED.captures(clause) else {
            return false;
        };
        let verb = c[1].to_string();
        let values: Vec<Decimal> = c[2]
            .split(['、', '，', ',', '和', '及', '分'])
            .filter(|s| !s.is_empty())
            .filter_map(parse_num)
            .collect();
        let whole = c.get(0).expect("whole match");
        if verb != "加" && verb != "计" || values.len() < 2 {
            return false;
        }
        let own = strip_de(&clause[..whole.start()])
            .trim_end_matches('每')
            .to_string();
        let own_parts = own.split('、').count();
        // 被国家、省、市级媒体报道的，每篇分别加3分、2分、1分: the levels stand in the
        // clause before.
        let (before, first) = match self.scope.last() {
            Some(&last) if own_parts < values.len() => {
                (strip_de(self.clause(last)).to_string(), last)
            }
            _ => (own, i),
        };
        let parts: Vec<&str> = before.split('、').collect();
        if parts.len() < values.len() {
            return false;
        }
        let parts = &parts[parts.len() - values.len()..];
        let (levels, suffix, sure) = levels_of(parts);
        let source = self.span(first, i).to_string();
        if first != i {
            self.scope.pop();
        }
        let mut terms = Vec::new();
        for (level, each) in levels.iter().zip(&values) {
            let label = join_overlap(level, &suffix);
            // 市/省 share a pinyin initial: a level's key ends with its English gloss.
            let key = match gloss(level) {
                Some(g) if !suffix.is_empty() => {
                    let key = self.keys.unique(&format!("{}_{g}", suggest_key(&suffix)));
                    self.inputs.push(DraftInput {
                        key: key.clone(),
                        label: label.clone(),
                        kind: InputKind::Count,
                        unit: None,
                        min: None,
                        max: None,
                        source_text: source.clone(),
                    });
                    key
                }
                _ => self.input(&label, InputKind::Count, None, &source),
            };
            terms.push(DraftTerm {
                input: key,
                each: *each,
                source_text: source.clone(),
            });
        }
        let mut rule = DraftRule::new(
            DraftKind::Tiered {
                levels: terms,
                cap: None,
            },
            &source,
        );
        if !suffix.is_empty() {
            rule.label = Some(suffix.clone());
        }
        // One level per amount, in order: what scores is read; only the levels' names
        // (labels of the inputs, shown on the review page) are guesses.
        if !sure {
            rule.flags.push(crate::annex::draft::Flag::new(
                FlagKind::Note,
                "等级名称按“、”分开的各段拟出，可在审阅时改名",
                None,
            ));
        }
        self.rules.push(rule);
        true
    }

    pub(super) fn award_each(&mut self, i: usize, clause: &str) -> bool {
        let Some(c) = AWARD_EACH.captures(clause) else {
            return false;
        };
        let Some(each) = parse_num(&c[3]) else {
            return false;
        };
        let inner = c[2].to_string();
        let (label, unit) = match MEASURE.captures(&inner) {
            Some(m) => {
                let verb = m[1].trim();
                let noun = strip_de(&m[3]);
                if noun.is_empty() {
                    (format!("{verb}{}数", &m[2]), Some(m[2].to_string()))
                } else {
                    (format!("{verb}{noun}"), Some(m[2].to_string()))
                }
            }
            None => (strip_de(&inner).to_string(), None),
        };
        if label.is_empty() {
            return false;
        }
        let source = self.span(i, i).to_string();
        let key = self.input(&label, InputKind::Count, unit.as_deref(), &source);
        let term = DraftTerm {
            input: key,
            each,
            source_text: source.clone(),
        };
        // Consecutive 每…加N分 clauses are the terms of one rule.
        if let Some(last) = self.last_rule
            && last + 1 == self.rules.len()
            && self.scope.is_empty()
            && let DraftKind::Award { terms, cap: None } = &mut self.rules[last].kind
        {
            terms.push(term);
            self.extend_source(last, i);
            return true;
        }
        self.rules.push(DraftRule::new(
            DraftKind::Award {
                terms: vec![term],
                cap: None,
            },
            &source,
        ));
        true
    }

    pub(super) fn award_once(&mut self, i: usize, clause: &str) -> bool {
        let Some(c) = AWARD_ONCE.captures(clause) else {
            return false;
        };
        let Some(each) = parse_num(&c[2]) else {
            return false;
        };
        let (cond, first) = self.condition(i, c.get(1).map(|m| m.end()).unwrap_or(0));
        if cond.is_empty() || cond.contains('每') || cond.chars().any(|c| c.is_ascii_digit()) {
            return false;
        }
        let source = self.span(first, i).to_string();
        let key = self.input(&cond, InputKind::Count, None, &source);
        if let Some(inp) = self.inputs.last_mut() {
            inp.max = Some(Decimal::ONE);
        }
        let mut rule = DraftRule::new(
            DraftKind::Award {
                terms: vec![DraftTerm {
                    input: key,
                    each,
                    source_text: source.clone(),
                }],
                cap: None,
            },
            &source,
        );
        rule.flag(
            FlagKind::Review,
            format!("「{source}」按有/无计（输入 0 或 1，max = 1）；若每有一次都加，删去该输入的 max = 1"),
            Some(&source),
        );
        self.rules.push(rule);
        true
    }
}

const LEVELS: &[&str] = &[
    "国务院",
    "省委",
    "省政府",
    "市委",
    "市政府",
    "区委",
    "区政府",
    "县委",
    "县政府",
    "国家级",
    "国家",
    "中央",
    "全国",
    "国际",
    "部级",
    "部委",
    "省级",
    "省部级",
    "省",
    "市级",
    "市",
    "区级",
    "区",
    "县级",
    "县",
    "街道",
    "乡镇",
    "镇",
];

/// The levels of a list such as 在市、省、国家主流媒体发表 → ([市, 省, 国家], 主流媒体发表):
/// the first part ends with its level, the last starts with its level and goes on with
/// what all levels share. The bool says whether level words were found at both ends.
pub(super) fn levels_of(parts: &[&str]) -> (Vec<String>, String, bool) {
    let n = parts.len();
    let mut levels: Vec<String> = parts.iter().map(|p| p.trim().to_string()).collect();
    let mut sure = true;
    // The first part: from its last level word on.
    let first = parts[0];
    let found = LEVELS
        .iter()
        .filter_map(|w| first.rfind(w).map(|at| (at, w)))
        .max_by_key(|(at, w)| (*at, w.len()));
    match found {
        Some((at, _)) => levels[0] = first[at..].to_string(),
        None => sure = false,
    }
    // The last part: its level word, then the shared rest.
    let last = parts[n - 1];
    let lead = LEVELS
        .iter()
        .filter(|w| last.starts_with(**w))
        .max_by_key(|w| w.len());
    let suffix = match lead {
        Some(w) => {
            levels[n - 1] = w.to_string();
            last[w.len()..].to_string()
        }
        None => {
            sure = false;
            String::new()
        }
    };
    (levels, suffix, sure)
}

/// The English gloss of the level word a level starts with (区主要领导 → district).
fn gloss(level: &str) -> Option<&'static str> {
    const GLOSS: &[(&str, &str)] = &[
        ("国家级", "national"),
        ("国家", "national"),
        ("全国", "national"),
        ("中央", "central"),
        ("国际", "international"),
        ("省部级", "province"),
        ("部级", "ministry"),
        ("部委", "ministry"),
        ("省级", "province"),
        ("省", "province"),
        ("市级", "city"),
        ("市", "city"),
        ("区级", "district"),
        ("区", "district"),
        ("县级", "county"),
        ("县", "county"),
        ("街道", "subdistrict"),
        ("乡镇", "town"),
        ("镇", "town"),
    ];
    GLOSS
        .iter()
        .find(|(w, _)| level.starts_with(w))
        .map(|(_, g)| *g)
}

/// 区主要领导 + 领导批示 → 区主要领导批示; 市 + 主流媒体发表 → 市主流媒体发表.
pub(super) fn join_overlap(level: &str, suffix: &str) -> String {
    let chars: Vec<char> = suffix.chars().collect();
    for k in (1..=chars.len()).rev() {
        let head: String = chars[..k].iter().collect();
        if level.ends_with(&head) {
            return format!("{level}{}", chars[k..].iter().collect::<String>());
        }
    }
    format!("{level}{suffix}")
}
