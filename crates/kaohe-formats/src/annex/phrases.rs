//! Reading an item's criteria (评分标准) into draft rules.
//!
//! The text is cut into clauses at Chinese and ASCII punctuation (，。；; , and line
//! breaks; 、 stays inside a clause, since it joins the parts of a list). A clause with
//! points in it (扣N分, 加N分, 酌情扣分, 一票否决, …) is a scoring clause; the clauses
//! before it, back to the previous scoring clause, are its scope — the duties and targets
//! (信息登记率95%以上, 1年2次以上) its condition refers to. Each scoring clause is tried
//! against the phrasings below, in order; one that matches none is flagged as not read.
//!
//! | phrasing | rule |
//! |---|---|
//! | 扣完为止 | none: the format's default floor (a note) |
//! | 最高得N分 / 最多加N分 | the cap of the award rule before it |
//! | 最多扣N分 | the max of the per_count rule before it |
//! | 酌情扣分 (最多扣N分) | discretionary deduction, flagged; targets in its scope become an indicator |
//! | 适当加分 / 酌情加分 | discretionary addition, flagged; unsettled unless a bound is stated |
//! | 一票否决 / 降一档 | veto |
//! | 市、省、国家…分别加a、b、c分 | tiered, one level per list part |
//! | 每少一次扣N分 | shortfall, the required count from 1年2次以上 in its scope |
//! | 少于上一年度的扣N分 | below |
//! | 每次扣N分 / 每发现一起扣N分 (最多扣M分) | per_count |
//! | 每录用一篇加N分 | award (consecutive ones are one rule) |
//! | …的不得分 | checks: the condition, each = the item's points, once |
//! | 未达标的每项扣N分 | checks, one per target (or per duty) in scope |
//! | 未落实的扣N分 | checks, per unmet check (flagged: or once) |
//! | 获得…的加N分 | award, an input counted 0 or 1 |

use std::sync::LazyLock;

use kaohe_core::Decimal;
use regex_lite::Regex;

use super::draft::*;
use super::keys::{KeySet, suggest_key};

/// What reading one item gives.
pub(crate) struct Reading {
    pub rules: Vec<DraftRule>,
    pub inputs: Vec<DraftInput>,
    pub flags: Vec<Flag>,
}

const NUM: &str = "([0-9]+(?:\\.[0-9]+)?|[一二两三四五六七八九十半]+)";

fn re(pattern: &str) -> Regex {
    Regex::new(&pattern.replace("NUM", NUM)).expect("valid regex")
}

macro_rules! regex {
    ($name:ident, $pattern:expr) => {
        static $name: LazyLock<Regex> = LazyLock::new(|| re($pattern));
    };
}

regex!(
    SCORE,
    "扣NUM分|扣分|扣除|扣减|扣完|加NUM分|加分|分别[加扣得计]|得NUM分|计NUM分|(?:最高|最多|至多)NUM分|否决|降档|降一档|降低一?个?等次|不得分|不计分|封顶"
);
regex!(
    FLOOR,
    "扣完为止|扣完即止|扣至0分为止|扣至零分为止|直至扣完|扣满为止"
);
regex!(
    DEDUCT_MAX,
    "(?:最多|最高|至多|累计最多|累计最高)(?:扣|扣除)NUM分|扣分(?:累计)?(?:不超过|最多|最高)NUM分"
);
regex!(
    CAP,
    "(?:最高|最多|至多)(?:可得|可加|得|加|计)?NUM分|(?:加分|得分)上限为?NUM分|NUM分封顶|封顶NUM分|加满NUM分为止|以NUM分为限"
);
regex!(
    DISC_DEDUCT,
    "(?:酌情|视情|视情况|根据情况)(?:扣分|扣减|扣除|扣)"
);
regex!(DISC_ADD, "(?:适当|酌情|视情|视情况)(?:给予)?加分");
regex!(
    BOUND,
    "(?:最多|最高|至多|不超过|上限为?)(?:扣|加|扣除)?NUM分|(?:扣|加)NUM分以内|NUM\\s*[-－—~～至到]\\s*NUM分"
);
regex!(VETO, "一票否决");
regex!(
    DOWNGRADE,
    "(?:等次)?降(?:低)?(?:一|1)?(?:个)?(?:档|等次|档次|级)"
);
regex!(
    TIERED,
    "分别(加|扣|得|计)([0-9.、，,和及分一二两三四五六七八九十半]+)"
);
regex!(
    SHORTFALL,
    "(?:每)?(?:少|缺|差)(?:一|1)(次|期|场|篇|个|项|人次|批)(?:的)?(?:扣|扣除)NUM分"
);
regex!(
    BELOW,
    "^(.*?)(?:少于|低于|小于|不足|不及)(?:上一?年度?|上年度?|去年|前一年)(?:同期)?(?:水平|数)?的?[，,]?(?:扣|扣除)NUM分"
);
regex!(
    BELOW_CHANGE,
    "^(.*?)(?:比|较|与)(?:上一?年度?|上年度?|去年)(?:同期)?(?:相比)?(?:有所)?(?:减少|下降|降低)的?[，,]?(?:扣|扣除)NUM分"
);
regex!(
    PER_COUNT,
    "^(.*?)(?:每(发现|出现|发生|缺席|迟报|漏报|错报|少报|有|缺)?(?:一|1)?|(缺席|迟报|漏报|错报|发现|出现|发生)(?:一|1))(次|起|例|人次|件|处|宗)([^，。；扣每]{0,20}?)(?:的)?[，,]?(?:扣|扣除)NUM分"
);
regex!(AWARD_EACH, "^(.*?)每([^，。；扣]*?)(?:加|奖励|计)NUM分");
regex!(
    MEASURE,
    "^(.*?)(?:一|1)(篇|次|个|项|件|条|期|人次|人|起|场|家|部|批)(.*)$"
);
regex!(
    NO_SCORE,
    "^(.*?)[，,]?(?:该项|此项|本项|该指标)?(?:不得分|不计分|得0分|计0分|记0分|为0分|得零分)"
);
regex!(
    CHECKS_EACH,
    "^(.*?)[，,]?每(?:一)?(?:项|条|个方面|处)(?:扣|扣除)NUM分"
);
regex!(DEDUCT, "^(.*?)[，,]?(?:扣|扣除)NUM分");
regex!(AWARD_ONCE, "^(.*?)[，,]?(?:加|奖励)NUM分");

// Targets in the scope of a scoring clause.
regex!(
    RATIO,
    "^(.*?)(?:要|须|应|均|都)?(?:达到|达|占|不低于|不少于)(.{1,24}?(?:数|总数|总量|人口))的?([0-9]+(?:\\.[0-9]+)?)%(以上|及以上)?"
);
regex!(
    PERCENT,
    "^(.*?)(达到|达|不低于|不少于|在|控制在|低于|不高于|不超过|小于)?([0-9]+(?:\\.[0-9]+)?)%(以上|及以上|以下|以内)?"
);
regex!(
    COUNT_YEAR,
    "^(.*?)(?:每年|一年|1年|全年|年内|年度内|每年度)(?:内)?(?:至少|不少于|开展|举办|组织|召开|达到|达)?NUM(次|期|场|批|篇|项|个)(以上|及以上)?(?:的)?(.*)$"
);
regex!(
    COUNT_LEAST,
    "^(.*?)(?:至少|不少于)NUM(次|期|场|批|篇)(以上|及以上)?(?:的)?(.*)$"
);
regex!(
    COUNT_ABOVE,
    "^(.*?)NUM(次|期|场|批|篇)(以上|及以上)(?:的)?(.*)$"
);
// A target stated in a condition: 信息登记率低于95%的扣2分.
regex!(
    COND_PERCENT,
    "^(.*?)(低于|不足|未达到|达不到|小于|不到|高于|超过|大于)([0-9]+(?:\\.[0-9]+)?)%"
);
regex!(
    COND_COUNT,
    "^(.*?)(?:少于|不足|不到|低于)NUM(次|期|场|篇|个)"
);
// A condition that only says "not done": the checks are the duties before it.
regex!(
    GENERIC,
    "^(?:凡|如|若|对|否则)?(?:有)?(?:未|没有|没|不)?(?:按要求|按时|及时|全面)?(?:落实|开展|完成|达到|达标|做到|执行|建立|到位|实施)?(?:到位)?(?:要求|标准|目标|任务|规定)?(?:的)?(?:或(?:落实|完成|开展|执行)?(?:不佳|不力|不到位))?(?:的)?$"
);

/// A small number written in digits or Chinese (两, 十二, 半).
pub(crate) fn parse_num(s: &str) -> Option<Decimal> {
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

fn fmt(d: Decimal) -> String {
    kaohe_core::fmt_decimal(d)
}

/// A clause: a byte range of the criteria, trimmed.
#[derive(Debug, Clone, Copy)]
struct Clause {
    start: usize,
    end: usize,
}

fn clauses(text: &str) -> Vec<Clause> {
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

#[derive(Debug, Clone)]
enum Measure {
    /// A percentage; `based` when the label names a rate (…率, …比例).
    Percent {
        based: bool,
    },
    /// num / den as a percentage, den a unit-level fact.
    Ratio {
        den: String,
    },
    Count {
        unit: String,
    },
}

/// A target stated in the text: 信息登记率95%以上, 业务培训1年2次以上.
#[derive(Debug, Clone)]
struct Target {
    start: usize,
    end: usize,
    label: String,
    measure: Measure,
    threshold: Threshold,
}

const RATE_WORDS: &[&str] = &[
    "率",
    "比例",
    "比重",
    "占比",
    "比率",
    "覆盖面",
    "满意度",
    "知晓度",
];

fn clean_subject(s: &str) -> String {
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

fn strip_de(s: &str) -> &str {
    s.trim()
        .trim_end_matches(['，', ','])
        .trim_end_matches('的')
        .trim()
}

/// The targets in one clause (at `offset` in the criteria).
fn targets_in(text: &str, offset: usize) -> Vec<Target> {
    let mut out = Vec::new();
    // Two percentages in one clause are two targets joined by 、.
    let parts: Vec<(usize, &str)> = if text.matches('%').count() >= 2 {
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
    } else {
        vec![(0, text)]
    };
    for (at, part) in parts {
        let base = offset + at;
        if let Some(c) = RATIO.captures(part) {
            let label = clean_subject(&c[1]);
            let den = c[2].trim().to_string();
            if !label.is_empty()
                && let Ok(n) = c[3].parse()
            {
                let m = c.get(0).expect("whole match");
                out.push(Target {
                    start: base + first_char(part, &c[1]),
                    end: base + m.end(),
                    label,
                    measure: Measure::Ratio { den },
                    threshold: Threshold::AtLeast(n),
                });
                continue;
            }
        }
        if let Some(c) = PERCENT.captures(part) {
            let verb = c.get(2).map(|m| m.as_str()).unwrap_or("");
            let tail = c.get(4).map(|m| m.as_str()).unwrap_or("");
            let at_least =
                matches!(verb, "达到" | "达" | "不低于" | "不少于") || tail.contains("以上");
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
                out.push(Target {
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
                continue;
            }
        }
        let count = COUNT_YEAR
            .captures(part)
            .or_else(|| COUNT_LEAST.captures(part))
            .or_else(|| COUNT_ABOVE.captures(part));
        if let Some(c) = count
            && let Some(n) = parse_num(&c[2])
        {
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
            out.push(Target {
                start: base,
                end: base + part.len(),
                label,
                measure: Measure::Count {
                    unit: c[3].to_string(),
                },
                threshold: Threshold::AtLeast(n),
            });
        }
    }
    out
}

/// Byte offset in `part` where the subject's text starts (after leading words dropped).
fn first_char(part: &str, subject: &str) -> usize {
    let cleaned = clean_subject(subject);
    part.find(cleaned.as_str()).unwrap_or(0)
}

/// A condition's check: 登记点不规范 → 登记点规范; 发生重大安全事故 → 未发生重大安全事故.
fn named_check(cond: &str) -> Option<String> {
    if cond.contains('每') || cond.contains("百分点") || cond.chars().any(|c| c.is_ascii_digit())
    {
        return None;
    }
    for event in ["发生", "出现", "被"] {
        if cond.starts_with(event) {
            return Some(format!("未{cond}"));
        }
    }
    if let Some(rest) = cond.strip_prefix('有') {
        return Some(format!("无{rest}"));
    }
    for neg in ["没有", "未", "不", "无", "没"] {
        if let Some(i) = cond.find(neg) {
            let rest = format!("{}{}", &cond[..i], &cond[i + neg.len()..]);
            return (!rest.trim().is_empty()).then(|| rest.trim().to_string());
        }
    }
    None
}

struct Reader<'a> {
    text: &'a str,
    points: Option<Decimal>,
    bonus: bool,
    clauses: Vec<Clause>,
    rules: Vec<DraftRule>,
    inputs: Vec<DraftInput>,
    flags: Vec<Flag>,
    keys: KeySet,
    units: &'a mut UnitFacts,
    /// Clauses since the last scoring clause.
    scope: Vec<usize>,
    /// Index in `rules` of the rule the previous clause made, for a cap or max after it.
    last_rule: Option<usize>,
    discretionary: usize,
}

/// Reads one item's criteria. `points` is the item's (None for bonus items); unit-level
/// facts named (a ratio's base) are declared in `units`.
pub(crate) fn read(
    text: &str,
    points: Option<Decimal>,
    bonus: bool,
    units: &mut UnitFacts,
) -> Reading {
    let mut keys = KeySet::default();
    for f in &units.facts {
        keys.reserve(&f.key);
    }
    keys.reserve("discretionary");
    keys.reserve("discretionary_reason");
    let mut r = Reader {
        text,
        points,
        bonus,
        clauses: clauses(text),
        rules: Vec::new(),
        inputs: Vec::new(),
        flags: Vec::new(),
        keys,
        units,
        scope: Vec::new(),
        last_rule: None,
        discretionary: 0,
    };
    for i in 0..r.clauses.len() {
        let c = r.clauses[i];
        let clause = &text[c.start..c.end];
        if SCORE.is_match(clause) || FLOOR.is_match(clause) {
            let before = r.rules.len();
            if !r.scoring(i) {
                r.flags.push(Flag::new(
                    FlagKind::Unread,
                    format!("未能读成规则：「{clause}」；请按 docs/rubric-format.md 写出这条规则，或确认它不计分后删去占位行"),
                    Some(clause),
                ));
                r.last_rule = None;
            } else if r.rules.len() > before {
                r.last_rule = Some(r.rules.len() - 1);
            }
            r.unused_targets();
            r.scope.clear();
        } else {
            r.scope.push(i);
        }
    }
    r.unused_targets();
    if r.rules.is_empty() && r.flags.iter().all(|f| f.kind == FlagKind::Note) {
        r.flags.push(Flag::new(
            FlagKind::Unread,
            "评分标准里没有读到扣分或加分的句子；请为本项写出规则",
            None,
        ));
    }
    Reading {
        rules: r.rules,
        inputs: r.inputs,
        flags: r.flags,
    }
}

impl Reader<'_> {
    fn clause(&self, i: usize) -> &str {
        let c = self.clauses[i];
        &self.text[c.start..c.end]
    }

    /// The criteria from the start of clause `a` to the end of clause `b`.
    fn span(&self, a: usize, b: usize) -> &str {
        &self.text[self.clauses[a].start..self.clauses[b].end]
    }

    fn input(&mut self, label: &str, kind: InputKind, unit: Option<&str>, source: &str) -> String {
        let key = self.keys.unique(&suggest_key(label));
        self.inputs.push(DraftInput {
            key: key.clone(),
            label: label.to_string(),
            kind,
            unit: unit.map(str::to_string),
            min: None,
            max: None,
            source_text: source.to_string(),
        });
        key
    }

    fn scope_targets(&self) -> Vec<Target> {
        self.scope
            .iter()
            .flat_map(|&i| targets_in(self.clause(i), self.clauses[i].start))
            .collect()
    }

    /// Targets of the scope that no rule took: flagged, since a target with no points
    /// stated is not a rule.
    fn unused_targets(&mut self) {
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

    /// The condition before a scoring phrase at byte `at` of clause `i`: the words before
    /// it in the clause, or, when there are none, the scope's last clause if it ends with
    /// 的 (发生重大安全事故的，一票否决). Returns (condition, index of the first clause).
    fn condition(&mut self, i: usize, at: usize) -> (String, usize) {
        let clause = self.clause(i);
        let own = strip_de(&clause[..at]).to_string();
        if own.is_empty()
            && let Some(&last) = self.scope.last()
            && self.clause(last).ends_with('的')
        {
            let cond = strip_de(self.clause(last)).to_string();
            self.scope.pop();
            return (cond, last);
        }
        (own, i)
    }

    /// Checks from the scope for a condition that only says "not done" (未落实的…):
    /// targets-only when the condition speaks of reaching (未达到, 未达标, 未完成) and the
    /// scope has targets, else every clause (a target as a numeric check, any other as a
    /// yes/no duty). Returns the checks and the clauses left out.
    fn scope_checks(&mut self, cond: &str) -> (Vec<DraftCheck>, Vec<String>) {
        let targets = self.scope_targets();
        let reaching = ["达到", "达标", "完成", "达不到"]
            .iter()
            .any(|w| cond.contains(w));
        let mut checks = Vec::new();
        let mut left_out = Vec::new();
        for &i in &self.scope.clone() {
            let clause = self.clause(i).to_string();
            let start = self.clauses[i].start;
            let own: Vec<Target> = targets
                .iter()
                .filter(|t| t.start >= start && t.end <= self.clauses[i].end)
                .cloned()
                .collect();
            if own.is_empty() {
                if reaching && !targets.is_empty() {
                    left_out.push(clause);
                } else {
                    let label = strip_de(&clause).to_string();
                    let key = self.input(&label, InputKind::Bool, None, &clause);
                    checks.push(DraftCheck {
                        input: Some(key),
                        ratio: None,
                        threshold: None,
                        label: None,
                        source_text: clause,
                    });
                }
            } else {
                for t in own {
                    checks.push(self.target_check(&t));
                }
            }
        }
        (checks, left_out)
    }

    /// The check (and its inputs) for a target.
    fn target_check(&mut self, t: &Target) -> DraftCheck {
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

    fn flag_unbased(&self, rule: &mut DraftRule, checks: &[DraftCheck]) {
        for c in checks {
            if let (Some(key), Some(_)) = (&c.input, &c.threshold)
                && let Some(input) = self.inputs.iter().find(|i| &i.key == key)
                && input.kind == InputKind::Percent
                && input.label.ends_with("占比")
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
            if c.ratio.is_some() {
                rule.flag(
                    FlagKind::Review,
                    format!(
                        "「{}」的分母拟为单位级事实（由区里为每个单位设定，单位不能改）；若由单位填报，改为本项的输入",
                        c.source_text
                    ),
                    Some(&c.source_text),
                );
            }
        }
    }

    /// Tries each phrasing on scoring clause `i`; false when none reads it.
    fn scoring(&mut self, i: usize) -> bool {
        let clause = self.clause(i).to_string();
        let mut handled = false;
        if let Some(m) = FLOOR.find(&clause) {
            self.flags.push(Flag::new(
                FlagKind::Note,
                "“扣完为止”即本格式的默认：扣分项最低 0 分，不需要规则",
                Some(m.as_str()),
            ));
            let rest = format!("{}{}", &clause[..m.start()], &clause[m.end()..]);
            if !SCORE.is_match(&rest) {
                return true;
            }
            handled = true;
        }
        let read = self.deduct_max(i, &clause)
            || self.cap(i, &clause)
            || self.discretionary(i, &clause)
            || self.veto(i, &clause)
            || self.tiered(i, &clause)
            || self.shortfall(i, &clause)
            || self.below(i, &clause)
            || self.per_count(i, &clause)
            || self.award_each(i, &clause)
            || self.no_score(i, &clause)
            || self.checks(i, &clause)
            || self.award_once(i, &clause);
        read || handled && !SCORE.is_match(&FLOOR.replace(&clause, ""))
    }

    fn deduct_max(&mut self, i: usize, clause: &str) -> bool {
        if DISC_DEDUCT.is_match(clause) {
            return false;
        }
        let Some(c) = DEDUCT_MAX.captures(clause) else {
            return false;
        };
        let Some(n) = c
            .get(1)
            .or_else(|| c.get(2))
            .and_then(|m| parse_num(m.as_str()))
        else {
            return false;
        };
        let Some(last) = self.last_rule else {
            return false;
        };
        let start = self.text[..self.clauses[i].start].rfind(&self.rules[last].source_text);
        let rule = &mut self.rules[last];
        match &mut rule.kind {
            DraftKind::PerCount { max, .. } if max.is_none() => *max = Some(n),
            DraftKind::Discretionary {
                add: false, max, ..
            } if max.is_none() => {
                *max = Some(n);
                for f in rule
                    .flags
                    .iter_mut()
                    .filter(|f| f.kind == FlagKind::Discretionary)
                {
                    if let Some(at) = f.message.rfind('，') {
                        f.message = format!("{}，最多 {} 分", &f.message[..at], fmt(n));
                    }
                }
                rule.flags.retain(|f| f.kind != FlagKind::Unsettled);
                rule.recompute();
            }
            _ => return false,
        }
        if let Some(s) = start {
            rule.source_text = self.text[s..self.clauses[i].end].to_string();
        }
        true
    }

    fn cap(&mut self, i: usize, clause: &str) -> bool {
        if clause.contains('扣') {
            return false;
        }
        let Some(c) = CAP.captures(clause) else {
            return false;
        };
        let Some(n) = (1..c.len())
            .find_map(|g| c.get(g))
            .and_then(|m| parse_num(m.as_str()))
        else {
            return false;
        };
        if let Some(last) = self.last_rule
            && let DraftKind::Discretionary { add: true, max, .. } = &mut self.rules[last].kind
            && max.is_none()
        {
            *max = Some(n);
            let start = self.text[..self.clauses[i].start].rfind(&self.rules[last].source_text);
            let rule = &mut self.rules[last];
            if let Some(s) = start {
                rule.source_text = self.text[s..self.clauses[i].end].to_string();
            }
            rule.flags.retain(|f| f.kind != FlagKind::Unsettled);
            rule.recompute();
            return true;
        }
        let Some(last) = self
            .rules
            .iter()
            .rposition(|r| matches!(r.kind, DraftKind::Award { .. } | DraftKind::Tiered { .. }))
        else {
            return false;
        };
        let start = self.text[..self.clauses[i].start].rfind(&self.rules[last].source_text);
        let rule = &mut self.rules[last];
        match &mut rule.kind {
            DraftKind::Award { cap, .. } | DraftKind::Tiered { cap, .. } if cap.is_none() => {
                *cap = Some(n)
            }
            _ => return false,
        }
        if let Some(s) = start {
            rule.source_text = self.text[s..self.clauses[i].end].to_string();
        }
        if let (Some(p), false) = (self.points, self.bonus)
            && n > p
        {
            rule.flag(
                FlagKind::Review,
                format!(
                    "最高 {} 分超过本项分值 {}；本项得分不会超过其分值",
                    fmt(n),
                    fmt(p)
                ),
                None,
            );
        }
        self.last_rule = Some(last);
        true
    }

    fn discretionary(&mut self, i: usize, clause: &str) -> bool {
        let (add, m) = match (DISC_ADD.find(clause), DISC_DEDUCT.find(clause)) {
            (Some(m), _) => (true, m),
            (None, Some(m)) => (false, m),
            (None, None) => return false,
        };
        let bound = BOUND.captures(clause).and_then(|c| {
            (1..c.len())
                .rev()
                .find_map(|g| c.get(g))
                .and_then(|m| parse_num(m.as_str()))
        });
        let (cond, first) = self.condition(i, m.start());
        // Targets in scope with no points of their own: shown beside the discretionary
        // amount as an indicator.
        let targets = if add {
            Vec::new()
        } else {
            self.scope_targets()
        };
        if !targets.is_empty() {
            let checks: Vec<DraftCheck> = targets.iter().map(|t| self.target_check(t)).collect();
            let source = &self.text[targets[0].start..targets[targets.len() - 1].end];
            let mut rule = DraftRule::new(
                DraftKind::Indicator {
                    checks: checks.clone(),
                },
                source,
            );
            rule.flag(
                FlagKind::Review,
                format!("「{source}」没有写明达不到时扣几分：拟为指标（只显示、提示，不计分），扣多少由酌情扣分定；若应按项扣分，改为 checks 并写明 each"),
                Some(source),
            );
            self.flag_unbased(&mut rule, &checks);
            self.rules.push(rule);
        }
        self.discretionary += 1;
        let input = (self.discretionary > 1).then(|| {
            let key = format!("discretionary_{}", self.discretionary);
            self.keys.reserve(&key);
            key
        });
        let source = self.span(first, i).to_string();
        let mut rule = DraftRule::new(
            DraftKind::Discretionary {
                add,
                max: bound,
                input,
            },
            &source,
        );
        let words = m.as_str().to_string();
        rule.label = Some(if cond.is_empty() {
            words.clone()
        } else {
            format!("{cond}，{words}")
        });
        if add {
            rule.flag(
                FlagKind::Discretionary,
                format!("「{words}」：由考核人员酌情给分并写明理由"),
                Some(&words),
            );
            if bound.is_none() {
                rule.flag(
                    FlagKind::Unsettled,
                    "原文没有写明最多加几分：请填上上限 max = …（如 max = 5），否则不能加载",
                    Some(&words),
                );
            }
        } else {
            let limit = match (bound, self.points) {
                (Some(b), _) => format!("最多 {} 分", fmt(b)),
                (None, Some(p)) => format!("上限按本项分值 {} 分", fmt(p)),
                (None, None) => "上限未定".to_string(),
            };
            rule.flag(
                FlagKind::Discretionary,
                format!("「{words}」：由考核人员酌情扣分并写明理由，{limit}"),
                Some(&words),
            );
            if bound.is_none() && self.points.is_none() {
                rule.flag(
                    FlagKind::Unsettled,
                    "加分项目里的酌情扣分没有上限：请填上 max = …",
                    Some(&words),
                );
            }
        }
        self.rules.push(rule);
        true
    }

    fn veto(&mut self, i: usize, clause: &str) -> bool {
        let (m, downgrade) = match (VETO.find(clause), DOWNGRADE.find(clause)) {
            (Some(m), _) => (m, false),
            (None, Some(m)) => (m, true),
            (None, None) => return false,
        };
        let mut at = m.start();
        for w in [
            "年度考核",
            "综合考核",
            "考核",
            "实行",
            "予以",
            "给予",
            "该单位",
        ] {
            if let Some(h) = clause[..at].strip_suffix(w) {
                at = h.len();
            }
        }
        let (cond, first) = self.condition(i, at);
        let source = self.span(first, i).to_string();
        let (checks, review) = if GENERIC.is_match(&cond) {
            let (checks, _) = self.scope_checks(&cond);
            (checks, true)
        } else if let Some(label) = named_check(&cond) {
            let key = self.input(&label, InputKind::Bool, None, &source);
            let check = DraftCheck {
                input: Some(key),
                ratio: None,
                threshold: None,
                label: None,
                source_text: cond.clone(),
            };
            (vec![check], false)
        } else {
            return false;
        };
        let mut rule = DraftRule::new(
            DraftKind::Veto {
                checks: checks.clone(),
                downgrade,
            },
            &source,
        );
        if review {
            rule.flag(
                FlagKind::Review,
                "否决条件按前文各句拟出，请核对：删去不应否决的",
                None,
            );
        }
        if checks.is_empty() {
            rule.flag(
                FlagKind::Unsettled,
                "没有读出否决的条件：请在 checks 中写明",
                Some(&source),
            );
        }
        self.rules.push(rule);
        true
    }

    fn tiered(&mut self, i: usize, clause: &str) -> bool {
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
        let before = strip_de(&clause[..whole.start()]);
        let parts: Vec<&str> = before.split('、').collect();
        if parts.len() < values.len() {
            return false;
        }
        let parts = &parts[parts.len() - values.len()..];
        let (levels, suffix, sure) = levels_of(parts);
        let source = self.span(i, i).to_string();
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
        if !sure {
            rule.flag(
                FlagKind::Review,
                "等级名称按“、”分开的各段拟出，请核对各级的名称",
                None,
            );
        }
        self.rules.push(rule);
        true
    }

    fn shortfall(&mut self, i: usize, clause: &str) -> bool {
        let Some(c) = SHORTFALL.captures(clause) else {
            return false;
        };
        let Some(each) = parse_num(&c[2]) else {
            return false;
        };
        let unit = c[1].to_string();
        let source = self.span(i, i).to_string();
        let target = self
            .scope_targets()
            .into_iter()
            .rev()
            .find(|t| matches!(t.measure, Measure::Count { .. }));
        let mut rule;
        match target {
            Some(t) => {
                let words = self.text[t.start..t.end].to_string();
                let key = self.input(&t.label, InputKind::Count, Some(&unit), &words);
                let required = match t.threshold {
                    Threshold::AtLeast(n) | Threshold::AtMost(n) => n,
                };
                rule = DraftRule::new(
                    DraftKind::Shortfall {
                        input: key,
                        required: Some(required),
                        each,
                    },
                    &source,
                );
                rule.flags.push(Flag::new(
                    FlagKind::Note,
                    format!("应达次数 {} 取自「{words}」", fmt(required)),
                    Some(&words),
                ));
            }
            None => {
                let label = format!(
                    "{}数",
                    strip_de(&clause[..c.get(0).expect("match").start()])
                );
                let label = if label == "数" {
                    "次数".to_string()
                } else {
                    label
                };
                let key = self.input(&label, InputKind::Count, Some(&unit), &source);
                rule = DraftRule::new(
                    DraftKind::Shortfall {
                        input: key,
                        required: None,
                        each,
                    },
                    &source,
                );
                rule.flag(
                    FlagKind::Unsettled,
                    "没有读出应达到几次（如“1年2次以上”）：请填上 required = …",
                    Some(&source),
                );
            }
        }
        self.rules.push(rule);
        true
    }

    fn below(&mut self, i: usize, clause: &str) -> bool {
        let Some(c) = BELOW
            .captures(clause)
            .or_else(|| BELOW_CHANGE.captures(clause))
        else {
            return false;
        };
        let Some(deduct) = parse_num(&c[2]) else {
            return false;
        };
        let subject = clean_subject(&c[1]);
        if subject.is_empty() {
            return false;
        }
        let source = self.span(i, i).to_string();
        let kind = if subject.ends_with('数') {
            InputKind::Count
        } else {
            InputKind::Decimal
        };
        let input = self.input(&subject, kind, None, &source);
        let reference = self.input(&format!("上一年度{subject}"), kind, None, &source);
        if kind == InputKind::Decimal {
            for key in [&input, &reference] {
                if let Some(inp) = self.inputs.iter_mut().find(|x| &x.key == key) {
                    inp.min = Some(Decimal::ZERO);
                }
            }
        }
        self.rules.push(DraftRule::new(
            DraftKind::Below {
                input,
                reference,
                deduct,
            },
            &source,
        ));
        true
    }

    fn per_count(&mut self, i: usize, clause: &str) -> bool {
        let Some(c) = PER_COUNT.captures(clause) else {
            return false;
        };
        let Some(each) = parse_num(&c[6]) else {
            return false;
        };
        let cond = strip_de(&c[1]).to_string();
        if cond.contains('每') || cond.contains("百分点") {
            return false;
        }
        let verb = c
            .get(2)
            .or_else(|| c.get(3))
            .map(|m| m.as_str())
            .unwrap_or("");
        let unit = c[4].to_string();
        let noun = strip_de(&c[5]);
        let label = match (noun.is_empty(), cond.is_empty(), verb.is_empty()) {
            (false, _, _) => format!("{noun}{unit}数"),
            (true, false, _) => format!("{cond}{verb}次数"),
            (true, true, false) => format!("{verb}次数"),
            (true, true, true) => "扣分次数".to_string(),
        };
        let source = self.span(i, i).to_string();
        let key = self.input(&label, InputKind::Count, Some(&unit), &source);
        self.rules.push(DraftRule::new(
            DraftKind::PerCount {
                input: key,
                each,
                max: None,
            },
            &source,
        ));
        true
    }

    fn award_each(&mut self, i: usize, clause: &str) -> bool {
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
            if let Some(s) = self.text[..self.clauses[i].start].rfind(&self.rules[last].source_text)
            {
                self.rules[last].source_text = self.text[s..self.clauses[i].end].to_string();
            }
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

    fn no_score(&mut self, i: usize, clause: &str) -> bool {
        let Some(c) = NO_SCORE.captures(clause) else {
            return false;
        };
        let Some(points) = self.points.filter(|_| !self.bonus) else {
            return false;
        };
        let at = c.get(1).map(|m| m.end()).unwrap_or(0);
        self.make_checks(i, clause, at, points, true)
    }

    fn checks(&mut self, i: usize, clause: &str) -> bool {
        let (c, per_item) = match CHECKS_EACH.captures(clause) {
            Some(c) => (c, true),
            None => match DEDUCT.captures(clause) {
                Some(c) => (c, false),
                None => return false,
            },
        };
        let Some(each) = parse_num(&c[2]) else {
            return false;
        };
        let at = c.get(1).map(|m| m.end()).unwrap_or(0);
        if !self.make_checks(i, clause, at, each, false) {
            return false;
        }
        let rule = self.rules.last_mut().expect("make_checks pushed a rule");
        if let DraftKind::Checks { checks, .. } = &rule.kind
            && checks.len() > 1
            && !per_item
        {
            let words = clause.to_string();
            rule.flag(
                FlagKind::Review,
                format!(
                    "「{words}」读作每项未做到各扣 {} 分；若指有一项未做到即扣 {} 分（只扣一次），改为 apply = \"once\"",
                    fmt(each),
                    fmt(each)
                ),
                Some(&words),
            );
        }
        true
    }

    /// A checks rule for the condition before byte `at` of clause `i`.
    fn make_checks(
        &mut self,
        i: usize,
        clause: &str,
        at: usize,
        each: Decimal,
        once: bool,
    ) -> bool {
        let (cond, first) = self.condition(i, at);
        let source = self.span(first, i).to_string();
        let mut flags = Vec::new();
        let checks = if GENERIC.is_match(&cond) {
            let (checks, left_out) = self.scope_checks(&cond);
            let bools = checks.iter().filter(|c| c.threshold.is_none()).count();
            if bools > 0 {
                flags.push((
                    FlagKind::Review,
                    format!(
                        "检查项按前文各句拟出（{} 项），请核对：删去不考核的，拆分或合并句子",
                        checks.len()
                    ),
                ));
            }
            if !left_out.is_empty() {
                flags.push((
                    FlagKind::Review,
                    format!(
                        "只把有指标的句子列为检查项；以下句子未列入，若也应考核请加上：{}",
                        left_out
                            .iter()
                            .map(|c| format!("「{c}」"))
                            .collect::<Vec<_>>()
                            .join("")
                    ),
                ));
            }
            if checks.is_empty() {
                flags.push((
                    FlagKind::Unsettled,
                    format!(
                        "「{clause}」前没有读出检查项：请在 checks 中列出（如 {{ input = \"…\" }}）"
                    ),
                ));
            }
            checks
        } else if let Some(c) = COND_PERCENT.captures(&cond) {
            let label = clean_subject(&c[1]);
            let Ok(n) = c[3].parse::<Decimal>() else {
                return false;
            };
            if label.is_empty() {
                return false;
            }
            let threshold = if matches!(&c[2], "高于" | "超过" | "大于") {
                Threshold::AtMost(n)
            } else {
                Threshold::AtLeast(n)
            };
            let based = RATE_WORDS.iter().any(|w| label.ends_with(w));
            let t = Target {
                start: 0,
                end: 0,
                label,
                measure: Measure::Percent { based },
                threshold,
            };
            let mut check = self.target_check(&t);
            check.source_text = cond.clone();
            if let Some(inp) = self.inputs.last_mut() {
                inp.source_text = cond.clone();
            }
            vec![check]
        } else if let Some(c) = COND_COUNT.captures(&cond) {
            let label = clean_subject(&c[1]);
            let Some(n) = parse_num(&c[2]) else {
                return false;
            };
            if label.is_empty() {
                return false;
            }
            let key = self.input(&label, InputKind::Count, Some(&c[3]), &cond);
            vec![DraftCheck {
                input: Some(key),
                ratio: None,
                threshold: Some(Threshold::AtLeast(n)),
                label: None,
                source_text: cond.clone(),
            }]
        } else if let Some(label) = named_check(&cond) {
            let key = self.input(&label, InputKind::Bool, None, &cond);
            vec![DraftCheck {
                input: Some(key),
                ratio: None,
                threshold: None,
                label: None,
                source_text: cond.clone(),
            }]
        } else {
            return false;
        };
        let n = checks.len();
        let mut rule = DraftRule::new(
            DraftKind::Checks {
                checks: checks.clone(),
                each,
                once,
            },
            &source,
        );
        for (kind, message) in flags {
            rule.flag(kind, message, None);
        }
        self.flag_unbased(&mut rule, &checks);
        if let Some(p) = self.points
            && !once
            && n > 1
            && Decimal::from(n) * each > p
        {
            rule.flag(
                FlagKind::Review,
                format!(
                    "{n} 项 × {} 分 = {} 分，超过本项分值 {}（扣完为止）；请核对是否有句子不是检查项",
                    fmt(each),
                    fmt(Decimal::from(n) * each),
                    fmt(p)
                ),
                None,
            );
        }
        if once {
            rule.label = Some("不得分".to_string());
        }
        self.rules.push(rule);
        true
    }

    fn award_once(&mut self, i: usize, clause: &str) -> bool {
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
fn levels_of(parts: &[&str]) -> (Vec<String>, String, bool) {
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
fn join_overlap(level: &str, suffix: &str) -> String {
    let chars: Vec<char> = suffix.chars().collect();
    for k in (1..=chars.len()).rev() {
        let head: String = chars[..k].iter().collect();
        if level.ends_with(&head) {
            return format!("{level}{}", chars[k..].iter().collect::<String>());
        }
    }
    format!("{level}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str, points: Option<Decimal>) -> Vec<&'static str> {
        let mut units = UnitFacts::default();
        read(text, points, points.is_none(), &mut units)
            .rules
            .iter()
            .map(|r| r.kind.name())
            .collect()
    }

    #[test]
    fn chinese_numerals_are_read() {
        assert_eq!(parse_num("两"), Some(Decimal::from(2)));
        assert_eq!(parse_num("十二"), Some(Decimal::from(12)));
        assert_eq!(parse_num("0.5"), Some(Decimal::new(5, 1)));
        assert_eq!(parse_num("半"), Some(Decimal::new(5, 1)));
    }

    #[test]
    fn levels_share_the_words_after_the_last_level() {
        let (levels, suffix, sure) = levels_of(&["获区主要领导", "市", "省", "中央领导批示"]);
        assert!(sure);
        assert_eq!(levels, ["区主要领导", "市", "省", "中央"]);
        assert_eq!(suffix, "领导批示");
        assert_eq!(join_overlap("区主要领导", &suffix), "区主要领导批示");
        assert_eq!(join_overlap("市", &suffix), "市领导批示");
    }

    #[test]
    fn a_per_count_with_a_maximum_is_one_rule() {
        let ten = Some(Decimal::from(10));
        assert_eq!(
            kinds("每发现一起违规行为扣1分，最多扣5分。", ten),
            ["per_count"]
        );
    }

    #[test]
    fn a_named_condition_becomes_one_check() {
        let mut units = UnitFacts::default();
        let r = read(
            "台账不齐全的扣2分。",
            Some(Decimal::from(4)),
            false,
            &mut units,
        );
        assert_eq!(r.inputs[0].label, "台账齐全");
        assert_eq!(r.rules[0].confidence, Confidence::Sure);
    }
}
