//! Targets: what the clauses before a scoring phrase ask a unit to reach (信息登记率95%以上,
//! 培训人数达到区域流动人口数30%以上, 业务培训1年2次以上), and the checks made of them.

use kaohe_core::Decimal;

use super::Reader;
use super::words::{clean_subject, strip_de};
use crate::annex::draft::{DraftCheck, DraftKind, DraftRule, Flag, FlagKind, InputKind, Threshold};

regex!(
    RATIO,
    "^(.*?)(?:要|须|应|均|都)?(?:达到|达|占|不低于|不少于)(.{1,24}?(?:数|总数|总量|人口))的?([0-9]+(?:\\.[0-9]+)?)%(以上|及以上)?"
);
// 35岁以下青年党员占当年新发展党员比例达到60%以上: a share of two counts.
regex!(
    SHARE,
    "^(.*?)占(.{1,24}?)的?(?:比例|比重|比率)(?:要|须|应|均)?(?:达到|达|不低于|不少于)([0-9]+(?:\\.[0-9]+)?)%(以上|及以上)?"
);
regex!(
    PERCENT,
    "^(.*?)(达到|达|不低于|不少于|在|控制在|低于|不高于|不超过|小于)?([0-9]+(?:\\.[0-9]+)?)%(以上|及以上|以下|以内)?"
);
// 实现率、压缩比分别达到95%、60%以上: (subjects, verb, levels, tail).
regex!(
    RESPECTIVE,
    "^(.*?)分别(达到|达|不低于|不少于|控制在|低于|不高于|不超过)([0-9]+(?:\\.[0-9]+)?%?(?:、[0-9]+(?:\\.[0-9]+)?%?)+)(以上|及以上|以下|以内)?"
);
// 按期办结率、企业满意率均达到95%以上: (subjects, what each must reach).
regex!(
    ALL,
    "^(.*?、.*?)(?:均|都)(?:应|要|须|需)?((?:达到|达|不低于|不少于|控制在|低于|不高于|不超过).*)$"
);
regex!(
    WITHIN,
    "^(.*?)(?:控制在|不超过|压缩至|压缩到)NUM(个工作日|工作日|天|日|小时|个月)(?:以内|内)?"
);
regex!(
    RHYTHM,
    "每(?:周|月|日|天|季度|季|半年|半月|旬)[^，。；]{0,6}$"
);
regex!(
    COUNT_YEAR,
    "^(.*?)(?:每年|一年|1年|全年|年内|年度内|每年度)(?:内)?(?:至少|不少于|开展|举办|组织|召开|达到|达)?NUM(次|期|场|批|篇|项|个)(以上|及以上)?(?:的)?(.*)$"
);
regex!(
    COUNT_LEAST,
    "^(.*?)(?:至少|不少于)NUM(次|期|场|批|篇|学时|小时|天|件|个|名|人|家|户)(以上|及以上)?(?:的)?(.*)$"
);
regex!(
    COUNT_ABOVE,
    "^(.*?)NUM(次|期|场|批|篇)(以上|及以上)(?:的)?(.*)$"
);

#[derive(Debug, Clone)]
pub(super) enum Measure {
    /// A percentage; `based` when the label names a rate (…率, …比例).
    Percent {
        based: bool,
    },
    /// num / den as a percentage, den a unit-level fact.
    Ratio {
        den: String,
    },
    /// num / den as a percentage, both counted by the unit (青年党员占当年新发展党员比例).
    Share {
        den: String,
    },
    Count {
        unit: String,
    },
    /// A rhythm within the year (每周开放不少于5天, 每月不少于1次): kept or not, a yes/no.
    Rhythm,
}

/// A target stated in the text: 信息登记率95%以上, 业务培训1年2次以上.
#[derive(Debug, Clone)]
pub(super) struct Target {
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub measure: Measure,
    pub threshold: Threshold,
}

pub(super) const RATE_WORDS: &[&str] = &[
    "率",
    "比例",
    "比重",
    "占比",
    "比率",
    "覆盖面",
    "满意度",
    "知晓度",
    "水平",
    "比",
];

/// The targets in one clause (at `offset` in the criteria): those of each part joined by
/// 且 or 并 (综合性应急救援队伍不少于30人且每月开展训练).
pub(super) fn targets_in(text: &str, offset: usize) -> Vec<Target> {
    duties(text)
        .into_iter()
        .flat_map(|(at, part)| part_targets(part, offset + at))
        .collect()
}

/// The parts of a clause joined by 且 or 并, each a duty, with their byte offsets.
pub(super) fn duties(text: &str) -> Vec<(usize, &str)> {
    let mut v = Vec::new();
    let mut s = 0;
    for (i, c) in text.char_indices() {
        if c == '且' || c == '并' {
            if !text[s..i].trim().is_empty() {
                v.push((s, &text[s..i]));
            }
            s = i + c.len_utf8();
        }
    }
    if !text[s..].trim().is_empty() {
        v.push((s, &text[s..]));
    }
    v
}

fn part_targets(text: &str, offset: usize) -> Vec<Target> {
    if let Some(list) = listed(text, offset) {
        return list;
    }
    let one = |at: usize, part: &str| {
        let base = offset + at;
        ratio(part, base)
            .or_else(|| percent(part, base))
            .or_else(|| count(part, base))
    };
    // 召开党员大会不少于4次、讲党课不少于4次: parts that each hold a target are several
    // targets.
    let parts = parts(text);
    if parts.len() > 1 {
        let each: Vec<Option<Target>> = parts.iter().map(|(at, p)| one(*at, p)).collect();
        if each.iter().all(Option::is_some) {
            return each.into_iter().flatten().collect();
        }
        if text.matches('%').count() >= 2 {
            return each.into_iter().flatten().collect();
        }
    }
    one(0, text).into_iter().collect()
}

/// Measures listed with 、 and one level for all (按期办结率、企业满意率均达到95%以上) or one
/// each (实现率、压缩比分别达到95%、60%以上): a target per measure, each citing the whole.
fn listed(text: &str, offset: usize) -> Option<Vec<Target>> {
    let (subjects, levels, tail) = if let Some(c) = RESPECTIVE.captures(text) {
        // 95、60%: the last level's % holds for all.
        let percent = c[3].ends_with('%');
        let levels: Vec<String> = c[3]
            .split('、')
            .map(|l| {
                let l = l.trim_end_matches('%');
                format!("{}{l}{}", &c[2], if percent { "%" } else { "" })
            })
            .collect();
        (
            c[1].to_string(),
            levels,
            c.get(4).map_or("", |m| m.as_str()).to_string(),
        )
    } else if let Some(c) = ALL.captures(text) {
        (c[1].to_string(), Vec::new(), c[2].to_string())
    } else {
        return None;
    };
    let names: Vec<&str> = subjects.split('、').map(str::trim).collect();
    // Each name a measure, not a target of its own (信息登记率95%以上、信息准确率均达90%以上).
    if names.len() < 2
        || names
            .iter()
            .any(|n| n.is_empty() || n.contains(|c: char| c.is_ascii_digit() || c == '%'))
    {
        return None;
    }
    if !levels.is_empty() && levels.len() != names.len() {
        return None;
    }
    let whole = text.trim_end();
    let mut out = Vec::new();
    for (k, name) in names.iter().enumerate() {
        let said = if levels.is_empty() {
            format!("{name}{tail}")
        } else {
            format!("{name}{}{tail}", levels[k])
        };
        let t = ratio(&said, 0)
            .or_else(|| percent(&said, 0))
            .or_else(|| count(&said, 0))?;
        out.push(Target {
            start: offset + first_char(text, &subjects),
            end: offset + whole.len(),
            ..t
        });
    }
    Some(out)
}

/// The parts of a clause joined by 、, with their byte offsets.
fn parts(text: &str) -> Vec<(usize, &str)> {
    let mut v = Vec::new();
    let mut s = 0;
    for (i, c) in text.char_indices() {
        if c == '、' {
            v.push((s, &text[s..i]));
            s = i + c.len_utf8();
        }
    }
    v.push((s, &text[s..]));
    v
}

/// 培训人数达到区域流动人口数30%以上: a ratio to a unit-level fact; 青年党员占新发展党员
/// 比例达到60%: a share of two counts.
fn ratio(part: &str, base: usize) -> Option<Target> {
    // (subject, base, percentage) captured by either wording, and what the base is.
    let of = |re: &regex_lite::Regex, share: bool| {
        let c = re.captures(part)?;
        let label = clean_subject(&c[1]);
        let den = c[2].trim().to_string();
        let n = c[3].parse().ok()?;
        if label.is_empty() || den.is_empty() {
            return None;
        }
        Some(Target {
            start: base + first_char(part, &c[1]),
            end: base + c.get(0).expect("whole match").end(),
            label,
            measure: if share {
                Measure::Share { den }
            } else {
                Measure::Ratio { den }
            },
            threshold: Threshold::AtLeast(n),
        })
    };
    of(&SHARE, true).or_else(|| of(&RATIO, false))
}

/// 信息登记率95%以上, 发案率控制在2%以下: a percentage with its direction.
fn percent(part: &str, base: usize) -> Option<Target> {
    let c = PERCENT.captures(part)?;
    let verb = c.get(2).map(|m| m.as_str()).unwrap_or("");
    let tail = c.get(4).map(|m| m.as_str()).unwrap_or("");
    let at_least = matches!(verb, "达到" | "达" | "不低于" | "不少于") || tail.contains("以上");
    let at_most = matches!(verb, "控制在" | "低于" | "不高于" | "不超过" | "小于")
        || tail.contains("以下")
        || tail.contains("以内");
    let label = clean_subject(&c[1]);
    if (at_least ^ at_most)
        && !label.is_empty()
        && let Ok(n) = c[3].parse::<Decimal>()
        && n <= Decimal::ONE_HUNDRED
    {
        let m = c.get(0).expect("whole match");
        let based = RATE_WORDS.iter().any(|w| label.ends_with(w));
        return Some(Target {
            start: base + first_char(part, &c[1]),
            end: base + m.end(),
            label,
            measure: Measure::Percent { based },
            threshold: if at_least {
                Threshold::AtLeast(n)
            } else {
                Threshold::AtMost(n)
            },
        });
    }
    None
}

/// 业务培训1年2次以上, 至少开展3场: a count of times.
fn count(part: &str, base: usize) -> Option<Target> {
    // 审批全流程用时控制在30个工作日以内: a time at most.
    if let Some(c) = WITHIN.captures(part) {
        let n = super::words::parse_num(&c[2])?;
        let label = clean_subject(&c[1]);
        if label.is_empty() {
            return None;
        }
        let m = c.get(0).expect("whole match");
        return Some(Target {
            start: base + first_char(part, &c[1]),
            end: base + m.end(),
            label: format!("{label}（{}）", &c[3]),
            measure: Measure::Count {
                unit: c[3].to_string(),
            },
            threshold: Threshold::AtMost(n),
        });
    }
    let c = COUNT_YEAR
        .captures(part)
        .or_else(|| COUNT_LEAST.captures(part))
        .or_else(|| COUNT_ABOVE.captures(part))?;
    let n = super::words::parse_num(&c[2])?;
    if RHYTHM.is_match(&c[1]) {
        return Some(Target {
            start: base,
            end: base + part.len(),
            label: strip_de(part.trim()).to_string(),
            measure: Measure::Rhythm,
            threshold: Threshold::AtLeast(n),
        });
    }
    let tail = c
        .get(5)
        .or_else(|| c.get(4))
        .map(|m| m.as_str())
        .unwrap_or("");
    let tail = tail.trim_start_matches(['以', '上', '的']);
    let head = clean_subject(&c[1]);
    let label = if !strip_de(tail).is_empty() && tail.chars().count() <= 20 {
        strip_de(tail).to_string()
    } else if !head.is_empty() {
        head
    } else {
        "次数".to_string()
    };
    Some(Target {
        start: base,
        end: base + part.len(),
        label,
        measure: Measure::Count {
            unit: c[3].to_string(),
        },
        threshold: Threshold::AtLeast(n),
    })
}

/// Byte offset in `part` where the subject's text starts (after leading words dropped).
fn first_char(part: &str, subject: &str) -> usize {
    let cleaned = clean_subject(subject);
    part.find(cleaned.as_str()).unwrap_or(0)
}

impl Reader<'_> {
    /// The targets of the clauses in scope.
    pub(super) fn scope_targets(&self) -> Vec<Target> {
        self.scope
            .iter()
            .flat_map(|&i| targets_in(self.clause(i), self.clauses[i].start))
            .collect()
    }

    /// Targets of the scope that no rule took: flagged, since a target with no points
    /// stated is not a rule.
    pub(super) fn unused_targets(&mut self) {
        let used: Vec<String> = self
            .rules
            .iter()
            .flat_map(|r| match &r.kind {
                DraftKind::Checks { checks, .. }
                | DraftKind::Indicator { checks }
                | DraftKind::Veto { checks, .. } => checks
                    .iter()
                    .map(|c| c.source_text.clone())
                    .collect::<Vec<_>>(),
                DraftKind::Shortfall { .. } => r
                    .flags
                    .iter()
                    .filter_map(|f| f.source_text.clone())
                    .collect(),
                _ => Vec::new(),
            })
            .chain(self.inputs.iter().map(|i| i.source_text.clone()))
            .collect();
        for t in self.scope_targets() {
            let words = &self.text[t.start..t.end];
            if !used
                .iter()
                .any(|u| u.contains(words) || words.contains(u.as_str()) && !u.is_empty())
            {
                // A rhythm (河长每月不少于1次) says how a duty is done; with no points of
                // its own it is shown, not asked about.
                if matches!(t.measure, Measure::Rhythm) {
                    self.flags.push(Flag::new(
                        FlagKind::Note,
                        format!("「{words}」是工作频次，没有写明扣分，未单独计分"),
                        Some(words),
                    ));
                    continue;
                }
                self.flags.push(Flag::new(
                    FlagKind::Review,
                    format!(
                        "目标「{words}」没有写明达不到时扣几分，未生成规则；若应计分，请补上规则"
                    ),
                    Some(words),
                ));
            }
        }
    }

    /// The check (and its inputs) for a target.
    pub(super) fn target_check(&mut self, t: &Target) -> DraftCheck {
        let source = self.text[t.start..t.end].to_string();
        match &t.measure {
            Measure::Percent { based } => {
                let label = if *based {
                    t.label.clone()
                } else {
                    format!("{}占比", t.label)
                };
                let key = self.input(&label, InputKind::Percent, None, &source);
                DraftCheck {
                    input: Some(key),
                    ratio: None,
                    threshold: Some(t.threshold),
                    label: None,
                    source_text: source,
                }
            }
            Measure::Ratio { den } => {
                let unit = if t.label.ends_with("人数") || den.contains("人口") {
                    Some("人")
                } else {
                    None
                };
                let num = self.input(&t.label, InputKind::Count, unit, &source);
                let den_key = self.units.key_for(den, &source);
                self.keys.reserve(&den_key);
                DraftCheck {
                    input: None,
                    ratio: Some((num, den_key)),
                    threshold: Some(t.threshold),
                    label: Some(format!("{}占{}", t.label, den)),
                    source_text: source,
                }
            }
            Measure::Share { den } => {
                let num = self.input(&t.label, InputKind::Count, None, &source);
                let den_key = self.input(den, InputKind::Count, None, &source);
                DraftCheck {
                    input: None,
                    ratio: Some((num, den_key)),
                    threshold: Some(t.threshold),
                    label: Some(format!("{}占{}的比例", t.label, den)),
                    source_text: source,
                }
            }
            Measure::Rhythm => {
                let key = self.input(&t.label, InputKind::Bool, None, &source);
                DraftCheck {
                    input: Some(key),
                    ratio: None,
                    threshold: None,
                    label: None,
                    source_text: source,
                }
            }
            Measure::Count { unit } => {
                let key = self.input(&t.label, InputKind::Count, Some(unit), &source);
                DraftCheck {
                    input: Some(key),
                    ratio: None,
                    threshold: Some(t.threshold),
                    label: None,
                    source_text: source,
                }
            }
        }
    }

    /// Flags the checks of `rule` whose base a person should confirm: a percentage of
    /// nothing stated, a ratio to a unit-level fact.
    pub(super) fn flag_unbased(&self, rule: &mut DraftRule, checks: &[DraftCheck]) {
        for c in checks {
            // 占比 added by the reader (the text names no base), not said in the text.
            if let (Some(key), Some(_)) = (&c.input, &c.threshold)
                && let Some(input) = self.inputs.iter().find(|i| &i.key == key)
                && input.kind == InputKind::Percent
                && input.label.ends_with("占比")
                && !c.source_text.contains(input.label.as_str())
            {
                rule.flag(
                    FlagKind::Review,
                    format!(
                        "「{}」没写明是占什么的比例：拟为百分比输入「{}」（由填报者填比例）；若应由两个数相除，改为 ratio = [\"分子\", \"分母\"] 并声明这两个输入",
                        c.source_text, input.label
                    ),
                    Some(&c.source_text),
                );
            }
            if let Some((_, den)) = &c.ratio
                && let Some(fact) = self.units.facts.iter().find(|f| &f.key == den)
            {
                // A population the district counts (辖区常住人口, 从业人员数) is its
                // figure; anything else may as well be the unit's own.
                let district = ["人口", "从业人员"].iter().any(|w| fact.label.contains(w))
                    || fact.label.starts_with("辖区");
                rule.flag(
                    if district {
                        FlagKind::Note
                    } else {
                        FlagKind::Review
                    },
                    format!(
                        "「{}」的分母拟为单位级事实（由区里为每个单位设定，单位不能改）；若由单位填报，改为本项的输入",
                        c.source_text
                    ),
                    Some(&c.source_text),
                );
            }
        }
    }
}
