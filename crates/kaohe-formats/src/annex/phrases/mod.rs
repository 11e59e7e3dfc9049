//! Reading an item's criteria (评分标准) into draft rules.
//!
//! The text is cut into clauses at Chinese and ASCII punctuation (，。；; , and line
//! breaks; 、 stays inside a clause, since it joins the parts of a list). A clause with
//! points in it (扣N分, 加N分, 酌情扣分, 一票否决, …) is a scoring clause; the clauses
//! before it, back to the previous scoring clause, are its scope — the duties and targets
//! (信息登记率95%以上, 1年2次以上) its condition refers to. Each scoring clause is tried
//! against the phrasings of [`PHRASINGS`], in order; one that matches none is flagged as
//! not read.
//!
//! [`PHRASINGS`] is the one list of what the reader reads: each entry names a phrasing,
//! the rule it drafts, examples (which the tests read with it) and the function that
//! reads it. The readers live by kind of phrase: limits on the rule before
//! (`bounds.rs`), 酌情 amounts (`discretionary.rs`), vetoes (`veto.rs`), counted
//! deductions (`deductions.rs`), awards (`awards.rs`) and checks (`checks.rs`); targets
//! (`targets.rs`) and words (`words.rs`) are what they share.

use kaohe_core::Decimal;
use regex_lite::Regex;

use super::draft::{
    DraftCheck, DraftInput, DraftKind, DraftRule, Flag, FlagKind, InputKind, Threshold, UnitFacts,
};
use super::keys::{KeySet, suggest_key};
use words::{Clause, clauses, strip_de};

const NUM: &str = "([0-9]+(?:\\.[0-9]+)?|[一二两三四五六七八九十半]+)";

fn re(pattern: &str) -> Regex {
    Regex::new(&pattern.replace("NUM", NUM)).expect("valid regex")
}

/// A regex compiled on first use, `NUM` in its pattern standing for a number in digits or
/// Chinese (a capture group).
macro_rules! regex {
    ($vis:vis $name:ident, $pattern:expr) => {
        $vis static $name: ::std::sync::LazyLock<::regex_lite::Regex> =
            ::std::sync::LazyLock::new(|| $crate::annex::phrases::re($pattern));
    };
}

mod awards;
mod bounds;
mod checks;
mod deductions;
mod discretionary;
mod targets;
#[cfg(test)]
mod tests;
mod veto;
mod words;

regex!(
    SCORE,
    "按(?:完成)?(?:比例|进度)(?:得分|计分)|比例(?:得分|计分)|得分\\s*[＝=]|扣NUM分|扣NUM\\s*[-－—~～至到]\\s*NUM分|扣分|扣除|扣减|扣完|加NUM分|加分|(?:分别|依次)[加扣得计]|得NUM分|计NUM分|(?:最高|最多|至多)NUM分|加满NUM分|不超过NUM分|否决|降档|降一档|降低一?个?等次|不得分|不计分|封顶"
);
regex!(
    ONCE_NOTE,
    "^(?:同一(?:事项|项工作|成果|项目|工作)按最高(?:级别|等级|级)(?:计分|加分|计)(?:不重复(?:计分|加分))?|不重复(?:计分|加分)|超额完成的?不(?:另)?(?:加分|计分))$"
);
regex!(NUMBER, "[0-9]+(?:\\.[0-9]+)?");
// After a number that says when or who: 6月, 30日, 2026年, 24小时, 15岁, 8时.
regex!(
    NOT_AMOUNT,
    "^(?:月|日|年|号|时|点|岁|周岁|小时|个月|周|季度)"
);
regex!(
    FLOOR,
    "扣完为止|扣完即止|扣至0分为止|扣至零分为止|直至扣完|扣满为止"
);

/// One way a scoring clause is worded, and the function that reads it.
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "`drafts` and `examples` are read by the tests")
)]
struct Phrasing {
    /// The wording, N standing for a number.
    words: &'static str,
    /// The rule it drafts, by the name of its kind.
    drafts: &'static str,
    /// Criteria worded so: the tests read each with this phrasing.
    examples: &'static [&'static str],
    /// Reads scoring clause `i` (the `&str`); false when the clause is not worded so.
    read: fn(&mut Reader<'_>, usize, &str) -> bool,
}

/// The phrasings read, in the order they are tried: the first that reads a scoring
/// clause drafts its rule. A limit (扣完为止, 最多扣N分, 最高得N分) is tried before the
/// phrasings it could be mistaken for, 酌情 before the 扣N分 of its bound, and the
/// general 扣N分 and 加N分 last.
const PHRASINGS: &[Phrasing] = &[
    Phrasing {
        words: "扣完为止",
        drafts: "no rule: the format's default floor (a note)",
        examples: &["每发现一起违规行为扣1分，扣完为止"],
        read: |r, i, clause| r.floor(i, clause),
    },
    Phrasing {
        words: "同一事项按最高级别加分，不重复计分 / 超额完成的不加分",
        drafts: "no rule: how the rule before counts (a note)",
        examples: &[
            "获国家、省、市级表彰的，分别加3分、2分、1分，同一事项按最高级别加分，不重复计分",
            "按完成比例计分，超额完成的不加分",
        ],
        read: |r, _, clause| r.counts_once(clause),
    },
    Phrasing {
        words: "最多扣N分",
        drafts: "the max of the per_count (or the bound of the discretionary deduction) before it",
        examples: &["每发现一起违规行为扣2分，最多扣4分"],
        read: |r, i, clause| r.deduct_max(i, clause),
    },
    Phrasing {
        words: "最高得N分 / 最多加N分",
        drafts: "the cap of the award or tiered rule (or the bound of the discretionary addition) before it",
        examples: &[
            "每录用一篇加0.5分，最高得10分",
            "有创新的适当加分，最多加2分",
        ],
        read: |r, i, clause| r.cap(i, clause),
    },
    Phrasing {
        words: "酌情扣分 (最多扣N分) / 适当加分, 酌情加分",
        drafts: "discretionary, flagged: a deduction (targets in its scope become an indicator); an addition, unsettled unless a bound is stated",
        examples: &["工作不到位的酌情扣分", "有创新的适当加分"],
        read: |r, i, clause| r.discretionary(i, clause),
    },
    Phrasing {
        words: "一票否决 / 降一档",
        drafts: "veto",
        examples: &["发生重大安全事故的，一票否决", "发生群体事件的，考核降一档"],
        read: |r, i, clause| r.veto(i, clause),
    },
    Phrasing {
        words: "市、省、国家…分别加a、b、c分 / 依次加",
        drafts: "tiered, one level per list part",
        examples: &[
            "在市、省、国家主流媒体发表的分别加2、5、8分",
            "获国家、省、市级表彰的依次加5、3、1分，累计加分不超过5分",
            "省级、市级分别计2分、1分",
        ],
        read: |r, i, clause| r.tiered(i, clause),
    },
    Phrasing {
        words: "每低于目标值1个百分点扣N分 / 得分每少1分扣N分",
        drafts: "shortfall per step: the target from 达到95% (or the full score from 满分100分) in its scope; 不足1个百分点的按1个百分点计 rounds up, 按比例扣分 is exact",
        examples: &[
            "完成率达到95%，每低于目标值1个百分点扣0.5分",
            "测评得分（满分100分）每少1分扣0.2分",
        ],
        read: |r, i, clause| r.shortfall_per_step(i, clause),
    },
    Phrasing {
        words: "得分＝A÷B×N分",
        drafts: "proportional, ratio = [A, B] (B a unit-level fact when the district sets it: 下达任务), max = N",
        examples: &[
            "县下达的年度高标准农田建设任务，得分＝实际建成面积÷下达任务面积×5分，最高得5分",
        ],
        read: |r, i, clause| r.formula(i, clause),
    },
    Phrasing {
        words: "按完成比例得分",
        drafts: "proportional, flagged: the measure and its target to check (a rate against 100%, or a count against its task)",
        examples: &["下达的检查任务按完成比例得分"],
        read: |r, i, clause| r.proportional(i, clause),
    },
    Phrasing {
        words: "每少一次扣N分",
        drafts: "shortfall, the required count from 1年2次以上 in its scope",
        examples: &["业务培训1年2次以上，每少一次扣2分"],
        read: |r, i, clause| r.shortfall(i, clause),
    },
    Phrasing {
        words: "少于上一年度的扣N分 / 比上年下降的扣N分 / 比去年同期上升的扣N分",
        drafts: "below (this year's input and last year's; rising: last year's below this year's)",
        examples: &[
            "出租房源数少于上一年度的扣3分",
            "参保人数比上年下降的扣5分",
            "PM2.5年均浓度比去年同期上升的扣2分",
        ],
        read: |r, i, clause| r.below(i, clause),
    },
    Phrasing {
        words: "低于全市平均水平的扣N分",
        drafts: "below, the reference a unit-level fact the district sets (the same for every unit)",
        examples: &[
            "牵头指标得分率低于全市平均水平的扣5分",
            "PM2.5年均浓度高于全区平均值的扣3分",
        ],
        read: |r, i, clause| r.below_district(i, clause),
    },
    Phrasing {
        words: "每次扣N分 / 每发现一起扣N分",
        drafts: "per_count",
        examples: &["未落实的每次扣1分", "每发现一起违规行为扣2分"],
        read: |r, i, clause| r.per_count(i, clause),
    },
    Phrasing {
        words: "…的，扣N分/次",
        drafts: "per_count",
        examples: &[
            "未按时报送的扣1分/次，最多扣6分",
            "问题线索未按期办结的，扣1分/件",
        ],
        read: |r, i, clause| r.per_count_slash(i, clause),
    },
    Phrasing {
        words: "每录用一篇加N分",
        drafts: "award, one term per 每…加 phrase (consecutive ones are one rule)",
        examples: &["每录用一篇加0.5分，每获批示一次加1分"],
        read: |r, i, clause| r.award_each(i, clause),
    },
    Phrasing {
        words: "…的，该项不得分",
        drafts: "checks: the condition, each = the item's points, once",
        examples: &["发生重大安全事故的，该项不得分"],
        read: |r, i, clause| r.no_score(i, clause),
    },
    Phrasing {
        words: "未达标的每项扣N分 / 未落实的扣N分 / 台账不齐全的扣N分",
        drafts: "checks: one per target (or per duty) in scope, or the one the condition names; per unmet check (flagged: or once)",
        examples: &[
            "信息登记率95%以上，发案率控制在2%以下，未达标的每项扣5分",
            "建立台账，开展宣传，未落实的扣2分",
            "台账不齐全的扣2分",
            "经费到位率低于90%的扣6分",
        ],
        read: |r, i, clause| r.checks(i, clause),
    },
    Phrasing {
        words: "获得…的加N分",
        drafts: "award on an input counted 0 or 1 (flagged)",
        examples: &["获得省级表彰的加3分"],
        read: |r, i, clause| r.award_once(i, clause),
    },
];

/// What reading one item gives.
pub(crate) struct Reading {
    pub rules: Vec<DraftRule>,
    pub inputs: Vec<DraftInput>,
    pub flags: Vec<Flag>,
    /// A bonus item's cap said in its criteria (本项最高加2分, over several awards).
    pub cap: Option<Decimal>,
}

/// Reads one item's criteria. `points` is the item's (None for bonus items); unit-level
/// facts named (a ratio's base) are declared in `units`.
#[cfg(test)]
pub(crate) fn read(
    text: &str,
    points: Option<Decimal>,
    bonus: bool,
    units: &mut UnitFacts,
) -> Reading {
    read_titled(text, None, points, bonus, units)
}

/// [`read`], for an item with a title (建立矛盾纠纷排查化解制度（5分）。未建立的扣5分).
pub(crate) fn read_titled(
    text: &str,
    title: Option<&str>,
    points: Option<Decimal>,
    bonus: bool,
    units: &mut UnitFacts,
) -> Reading {
    let mut r = Reader::new(text, points, bonus, units);
    r.title = title.map(str::to_string);
    r.read_clauses();
    r.finish()
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
    /// Clauses a rule has read as its own (不足1个百分点的按1个百分点计 after a shortfall).
    consumed: Vec<usize>,
    /// The item's title, where it has one: the duty of a bare 未建立的扣5分.
    title: Option<String>,
    /// The scoring clause being read says 每项 (or 缺一项): a deduction per unmet check.
    per_item: bool,
    /// 本项最高加N分 over several awards: the item's cap.
    item_cap: Option<Decimal>,
}

impl<'a> Reader<'a> {
    fn new(
        text: &'a str,
        points: Option<Decimal>,
        bonus: bool,
        units: &'a mut UnitFacts,
    ) -> Reader<'a> {
        let mut keys = KeySet::default();
        for f in &units.facts {
            keys.reserve(&f.key);
        }
        keys.reserve("discretionary");
        keys.reserve("discretionary_reason");
        Reader {
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
            consumed: Vec::new(),
            title: None,
            per_item: false,
            item_cap: None,
        }
    }

    /// Reads every clause: a scoring clause by the first phrasing that reads it (or
    /// flagged as not read), any other into the scope of the next. Returns the phrasings
    /// that read the scoring clauses, in order.
    fn read_clauses(&mut self) -> Vec<&'static str> {
        let text = self.text;
        let mut read_by = Vec::new();
        for i in 0..self.clauses.len() {
            let c = self.clauses[i];
            let clause = &text[c.start..c.end];
            if self.consumed.contains(&i) {
                continue;
            }
            if !(SCORE.is_match(clause) || FLOOR.is_match(clause)) {
                self.scope.push(i);
                continue;
            }
            let before = self.rules.len();
            match PHRASINGS.iter().find(|p| (p.read)(self, i, clause)) {
                Some(p) => {
                    read_by.push(p.words);
                    if self.rules.len() > before {
                        self.last_rule = Some(self.rules.len() - 1);
                    }
                }
                None => {
                    self.flags.push(Flag::new(
                        FlagKind::Unread,
                        format!("未能读成规则：「{clause}」；请按 docs/rubric-format.md 写出这条规则，或确认它不计分后删去占位行"),
                        Some(clause),
                    ));
                    self.last_rule = None;
                }
            }
            self.unused_targets();
            self.scope.clear();
        }
        read_by
    }

    fn finish(mut self) -> Reading {
        self.unused_targets();
        self.merge_tiers();
        self.unused_numbers();
        if self.rules.is_empty() && self.flags.iter().all(|f| f.kind == FlagKind::Note) {
            self.flags.push(Flag::new(
                FlagKind::Unread,
                "评分标准里没有读到扣分或加分的句子；请为本项写出规则",
                None,
            ));
        }
        Reading {
            rules: self.rules,
            inputs: self.inputs,
            flags: self.flags,
            cap: self.item_cap,
        }
    }
}

impl Reader<'_> {
    /// 同一事项按最高级别加分 after levels, 超额完成的不加分 after a proportion: how the
    /// rule before counts, which it already does (one level entered per piece of work; a
    /// share at most 100%). Noted.
    fn counts_once(&mut self, clause: &str) -> bool {
        if !ONCE_NOTE.is_match(clause) || self.rules.is_empty() {
            return false;
        }
        self.flags.push(Flag::new(
            FlagKind::Note,
            format!("「{clause}」：填报时同一事项只按一次（最高一级）计，超额部分不计"),
            Some(clause),
        ));
        true
    }

    /// Every number of the criteria is used by a rule (in the words it cites, its checks',
    /// terms' or inputs') or shown in a flag; one that is neither may be a threshold or an
    /// amount the reader dropped, and is flagged with its clause. Dates (6月30日, 2026年),
    /// ages, hotlines (12345) and times of day say when or who, not how much, and are left.
    fn unused_numbers(&mut self) {
        let text = self.text;
        let mut words: Vec<&str> = Vec::new();
        for r in &self.rules {
            words.push(&r.source_text);
            words.extend(r.flags.iter().filter_map(|f| f.source_text.as_deref()));
            match &r.kind {
                DraftKind::Checks { checks, .. }
                | DraftKind::Indicator { checks }
                | DraftKind::Veto { checks, .. } => {
                    words.extend(checks.iter().map(|c| c.source_text.as_str()));
                }
                DraftKind::Award { terms, .. } | DraftKind::Tiered { levels: terms, .. } => {
                    words.extend(terms.iter().map(|t| t.source_text.as_str()));
                }
                _ => {}
            }
        }
        words.extend(self.inputs.iter().map(|i| i.source_text.as_str()));
        words.extend(self.flags.iter().filter_map(|f| f.source_text.as_deref()));
        let spans: Vec<(usize, usize)> = words
            .iter()
            .filter(|w| !w.is_empty())
            .flat_map(|w| text.match_indices(*w).map(|(at, m)| (at, at + m.len())))
            .collect();
        let mut clauses: Vec<String> = Vec::new();
        for m in NUMBER.find_iter(text) {
            if spans.iter().any(|&(a, b)| a <= m.start() && m.end() <= b) {
                continue;
            }
            let after = &text[m.end()..];
            let before = &text[..m.start()];
            // 每月开展1次, 每千人4批次: a rhythm or a rate of the work, not an amount.
            let rhythm = before
                .rfind('每')
                .map(|at| &before[at..])
                .is_some_and(|run| {
                    run.chars().count() <= 9 && !run.contains(['，', '；', '。', '扣', '加'])
                });
            // （1）、1. numbering the parts of an item.
            let numbering = before.ends_with(['（', '(']) && after.starts_with(['）', ')'])
                || (before.is_empty() || before.ends_with(['。', '；', '\n']))
                    && after.starts_with(['.', '．', '、']);
            if NOT_AMOUNT.is_match(after)
                || rhythm
                || numbering
                || before.ends_with('第')
                || m.as_str().len() >= 5
                || before.ends_with("附件")
            {
                continue;
            }
            if let Some(c) = self
                .clauses
                .iter()
                .find(|c| c.start <= m.start() && m.end() <= c.end)
            {
                let clause = text[c.start..c.end].to_string();
                if !clauses.contains(&clause) {
                    clauses.push(clause);
                }
            }
        }
        for clause in clauses {
            self.flags.push(Flag::new(
                FlagKind::Review,
                format!("「{clause}」里的数字没有读进任何规则；若它是指标或分值，请补上规则，若不计分可不理会"),
                Some(&clause),
            ));
        }
    }

    /// Two checks in a row on one measure, the second a milder band of the first, are one
    /// `tiers` rule: 未开展的扣4分，开展不足3次的扣2分 (0 → −4, 1–2 → −2, not −6);
    /// 高于3‰的扣6分，高于2‰的扣3分.
    fn merge_tiers(&mut self) {
        let mut k = 0;
        while k + 1 < self.rules.len() {
            if let Some(merged) = self.tiers_of(k) {
                let (rule, drop) = merged;
                self.inputs.retain(|i| !drop.contains(&i.key));
                self.rules.splice(k..k + 2, [rule]);
            }
            k += 1;
        }
    }

    fn tiers_of(&self, k: usize) -> Option<(DraftRule, Vec<String>)> {
        let one = |r: &DraftRule| match &r.kind {
            DraftKind::Checks {
                checks, each, once, ..
            } if checks.len() == 1 && !*once => Some((checks[0].clone(), *each)),
            _ => None,
        };
        let (a, b) = (&self.rules[k], &self.rules[k + 1]);
        let ((ca, ea), (cb, eb)) = (one(a)?, one(b)?);
        // Adjacent in the text.
        let end_a = self.text.find(&a.source_text)? + a.source_text.len();
        let start_b = self.text[end_a..].find(&b.source_text)? + end_a;
        if self.text[end_a..start_b].chars().count() > 2 {
            return None;
        }
        let label = |c: &DraftCheck| {
            let key = c.input.as_ref()?;
            self.inputs
                .iter()
                .find(|i| &i.key == key)
                .map(|i| (i.label.clone(), i.kind))
        };
        let ((la, ka), (lb, kb)) = (label(&ca)?, label(&cb)?);
        let same = la.contains(&lb) || lb.contains(&la);
        let (input, above, tiers, drop) = match (ca.threshold, cb.threshold) {
            // 未开展的扣4分，开展不足3次的扣2分.
            (None, Some(Threshold::AtLeast(m))) if ka == InputKind::Bool && same && ea > eb => (
                cb.input.clone()?,
                false,
                vec![(Decimal::ONE, ea), (m, eb)],
                vec![ca.input.clone()?],
            ),
            // 高于3‰的扣6分，高于2‰的扣3分.
            (Some(Threshold::AtMost(x)), Some(Threshold::AtMost(y)))
                if la == lb && ka == kb && x > y && ea > eb =>
            {
                (
                    ca.input.clone()?,
                    true,
                    vec![(x, ea), (y, eb)],
                    vec![cb.input.clone()?],
                )
            }
            // 低于80%的扣6分，低于90%的扣3分.
            (Some(Threshold::AtLeast(x)), Some(Threshold::AtLeast(y)))
                if la == lb && ka == kb && x < y && ea > eb =>
            {
                (
                    ca.input.clone()?,
                    false,
                    vec![(x, ea), (y, eb)],
                    vec![cb.input.clone()?],
                )
            }
            _ => return None,
        };
        let source =
            self.text[end_a - a.source_text.len()..start_b + b.source_text.len()].to_string();
        let mut rule = DraftRule::new(
            DraftKind::Tiers {
                input,
                above,
                tiers,
            },
            &source,
        );
        rule.flags = a
            .flags
            .iter()
            .chain(&b.flags)
            .filter(|f| f.kind == FlagKind::Note)
            .cloned()
            .collect();
        Some((rule, drop))
    }

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
            let mut cond = strip_de(self.clause(last)).to_string();
            self.scope.pop();
            // 发生重大食品安全事故，或者对事故迟报造成严重后果的: both clauses.
            if let Some(rest) = cond
                .strip_prefix("或者")
                .or_else(|| cond.strip_prefix('或'))
                && let Some(&prev) = self.scope.last()
            {
                cond = format!("{}或{rest}", self.clause(prev));
                self.scope.pop();
                return (cond, prev);
            }
            return (cond, last);
        }
        (own, i)
    }

    /// Rule `r` now cites its words through the end of clause `i` (its bound or its next
    /// term), when its words stand before that clause.
    fn extend_source(&mut self, r: usize, i: usize) {
        let rule = &mut self.rules[r];
        if let Some(s) = self.text[..self.clauses[i].start].rfind(&rule.source_text) {
            rule.source_text = self.text[s..self.clauses[i].end].to_string();
        }
    }
}
