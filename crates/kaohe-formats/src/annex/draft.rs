//! A rubric draft read from an annex: the categories and items of the table, and for each
//! item the rules read from its criteria. Every rule cites the words it came from
//! (`source_text`, an exact substring of the item's criteria) and says how sure the
//! reader is (`confidence`, with `flags` saying why); every scoring phrase the reader
//! could not read is a flag of its own. Nothing is invented: what the reader is unsure of
//! is flagged rather than guessed, and a flag that must be settled leaves the draft
//! unloadable at that spot until a person settles it.
//!
//! [`Draft::to_toml`] writes the draft in the format of docs/rubric-format.md.

use kaohe_core::Decimal;

use super::keys::{KeySet, suggest_key};
use super::{Annex, phrases};

/// How sure the reader is of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// Every part of the rule is stated in the words it came from.
    Sure,
    /// The rule is read, but a part of it is the reader's proposal (which sentences are
    /// checks, a ratio's base, per-check or once): it loads, and a person should check it.
    Review,
    /// A part the rule needs is not stated (a bound, a required count): the draft does not
    /// load until a person fills it in.
    Unsettled,
}

/// What a flag asks of a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagKind {
    /// A person enters the amount when scoring (酌情扣分, 适当加分).
    Discretionary,
    /// A proposal of the reader to check.
    Review,
    /// Must be filled in before the draft loads.
    Unsettled,
    /// A phrase with points the reader could not read as a rule; must be written by hand
    /// (or removed) before the draft loads.
    Unread,
    /// For information only (扣完为止 is the format's default floor; a repeated header row).
    Note,
}

impl FlagKind {
    /// Whether the draft cannot load until this is settled.
    pub fn blocks(self) -> bool {
        matches!(self, FlagKind::Unsettled | FlagKind::Unread)
    }
    /// The words a `# ⚠` comment starts with.
    pub fn word(self) -> &'static str {
        match self {
            FlagKind::Discretionary => "需人工打分",
            FlagKind::Review => "请核对",
            FlagKind::Unsettled => "必须处理",
            FlagKind::Unread => "未读出",
            FlagKind::Note => "注",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub kind: FlagKind,
    pub message: String,
    /// The words it concerns, verbatim, when it concerns some.
    pub source_text: Option<String>,
}

impl Flag {
    pub(crate) fn new(kind: FlagKind, message: impl Into<String>, source: Option<&str>) -> Flag {
        Flag {
            kind,
            message: message.into(),
            source_text: source.map(str::to_string),
        }
    }
}

/// The type of an input, as in the rubric format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Count,
    Percent,
    Decimal,
    Bool,
}

impl InputKind {
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Count => "count",
            InputKind::Percent => "percent",
            InputKind::Decimal => "decimal",
            InputKind::Bool => "bool",
        }
    }
}

/// A fact a unit reports (or, for unit facts, the district sets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftInput {
    /// A suggested key (pinyin initials of the label), unique in its item.
    pub key: String,
    pub label: String,
    pub kind: InputKind,
    pub unit: Option<String>,
    pub min: Option<Decimal>,
    pub max: Option<Decimal>,
    /// The words the input was named from.
    pub source_text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threshold {
    AtLeast(Decimal),
    AtMost(Decimal),
}

/// One check of a `checks`, `indicator` or `veto` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftCheck {
    /// The input checked (a yes/no, a count or a percentage)…
    pub input: Option<String>,
    /// …or a ratio of two inputs (numerator, denominator), compared as a percentage.
    pub ratio: Option<(String, String)>,
    pub threshold: Option<Threshold>,
    pub label: Option<String>,
    /// The words the check was read from.
    pub source_text: String,
}

/// One term of an `award` rule or one level of a `tiered` one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftTerm {
    pub input: String,
    pub each: Decimal,
    pub source_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftKind {
    PerCount {
        input: String,
        each: Decimal,
        max: Option<Decimal>,
    },
    Checks {
        checks: Vec<DraftCheck>,
        each: Decimal,
        /// −each once if any check is unmet (rather than per unmet check).
        once: bool,
    },
    Shortfall {
        input: String,
        /// `None` when the text states no required count (unsettled).
        required: Option<Decimal>,
        each: Decimal,
        /// Per how much short (每低2个百分点): 1 unless stated.
        step: Decimal,
        /// How a part of a step counts: "down" (default), "up", "exact".
        round: &'static str,
        max: Option<Decimal>,
    },
    /// 按完成比例得分: the share of a target reached, of `max` points (None: the item's).
    Proportional {
        input: Option<String>,
        ratio: Option<(String, String)>,
        target: Option<Decimal>,
        max: Option<Decimal>,
    },
    /// 未开展的扣4分，不足3次的扣2分: bands of a value, each with its deduction.
    Tiers {
        input: String,
        /// Bands are `above` (高于N) rather than `below` (低于N).
        above: bool,
        /// (bound, deduct), in the order of the text.
        tiers: Vec<(Decimal, Decimal)>,
    },
    Below {
        input: String,
        reference: String,
        deduct: Decimal,
    },
    Award {
        terms: Vec<DraftTerm>,
        cap: Option<Decimal>,
    },
    Tiered {
        levels: Vec<DraftTerm>,
        cap: Option<Decimal>,
    },
    Discretionary {
        add: bool,
        /// `None`: the item's points for a deduction; unsettled for an addition.
        max: Option<Decimal>,
        /// The input's key when not the default `discretionary` (a second one in an item).
        input: Option<String>,
    },
    Indicator {
        checks: Vec<DraftCheck>,
    },
    Veto {
        checks: Vec<DraftCheck>,
        downgrade: bool,
    },
}

impl DraftKind {
    /// The rule's `kind` in the rubric format.
    pub fn name(&self) -> &'static str {
        match self {
            DraftKind::PerCount { .. } => "per_count",
            DraftKind::Checks { .. } => "checks",
            DraftKind::Shortfall { .. } => "shortfall",
            DraftKind::Below { .. } => "below",
            DraftKind::Award { .. } => "award",
            DraftKind::Tiered { .. } => "tiered",
            DraftKind::Discretionary { .. } => "discretionary",
            DraftKind::Indicator { .. } => "indicator",
            DraftKind::Veto { .. } => "veto",
            DraftKind::Proportional { .. } => "proportional",
            DraftKind::Tiers { .. } => "tiers",
        }
    }

    /// Whether the rule adds points (an award item's kind of rule).
    pub fn adds(&self) -> bool {
        matches!(
            self,
            DraftKind::Award { .. }
                | DraftKind::Tiered { .. }
                | DraftKind::Discretionary { add: true, .. }
        )
    }

    /// Whether the rule takes points off.
    pub fn deducts(&self) -> bool {
        matches!(
            self,
            DraftKind::PerCount { .. }
                | DraftKind::Checks { .. }
                | DraftKind::Shortfall { .. }
                | DraftKind::Below { .. }
                | DraftKind::Tiers { .. }
                | DraftKind::Discretionary { add: false, .. }
        )
    }
}

/// A rule read from the criteria.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftRule {
    pub kind: DraftKind,
    pub label: Option<String>,
    /// The words the rule came from: an exact substring of the item's criteria.
    pub source_text: String,
    pub confidence: Confidence,
    pub flags: Vec<Flag>,
}

impl DraftRule {
    pub(crate) fn new(kind: DraftKind, source: &str) -> DraftRule {
        DraftRule {
            kind,
            label: None,
            source_text: source.to_string(),
            confidence: Confidence::Sure,
            flags: Vec::new(),
        }
    }

    /// The confidence the rule's flags imply, after a flag was taken back.
    pub(crate) fn recompute(&mut self) {
        self.confidence = self
            .flags
            .iter()
            .map(|f| implied(f.kind))
            .max()
            .unwrap_or(Confidence::Sure);
    }

    /// Adds a flag, lowering the confidence to what it implies.
    pub(crate) fn flag(
        &mut self,
        kind: FlagKind,
        message: impl Into<String>,
        source: Option<&str>,
    ) {
        self.confidence = self.confidence.max(implied(kind));
        self.flags.push(Flag::new(kind, message, source));
    }
}

fn implied(kind: FlagKind) -> Confidence {
    match kind {
        FlagKind::Review => Confidence::Review,
        FlagKind::Unsettled | FlagKind::Unread => Confidence::Unsettled,
        FlagKind::Discretionary | FlagKind::Note => Confidence::Sure,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftItem {
    pub id: String,
    pub name: Option<String>,
    /// The item's points; bonus items have none.
    pub points: Option<Decimal>,
    /// Starts at 0 and gains (every rule adds), rather than starting at its points.
    pub award: bool,
    /// Bonus items: the most the item can score, where the table gives it points.
    pub cap: Option<Decimal>,
    pub criteria: String,
    pub inputs: Vec<DraftInput>,
    pub rules: Vec<DraftRule>,
    /// Flags of the item as a whole: phrases not read, notes such as 扣完为止.
    pub flags: Vec<Flag>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftCategory {
    pub id: String,
    pub name: String,
    pub bonus: bool,
    pub points: Option<Decimal>,
    /// A bonus category's cap (加分项（最高加5分）).
    pub cap: Option<Decimal>,
    /// A base category's limit on what it can lose (a 扣分项 section's 最多扣N分).
    pub max_deduction: Option<Decimal>,
    pub items: Vec<DraftItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The file read, as named to the reader.
    pub file: String,
    pub id: String,
    pub title: String,
    pub year: Option<i64>,
    pub source: Option<String>,
    pub total: Option<Decimal>,
    /// Unit-level facts named by the criteria (the base of a ratio: 区域流动人口数).
    pub unit_facts: Vec<DraftInput>,
    pub categories: Vec<DraftCategory>,
    /// Flags of the document as a whole (how the table was read).
    pub flags: Vec<Flag>,
}

/// Unit-level facts shared by the items of a draft, one per label.
#[derive(Debug, Default)]
pub(crate) struct UnitFacts {
    pub facts: Vec<DraftInput>,
    pub keys: KeySet,
}

impl UnitFacts {
    /// The key of the unit fact with this label, declared on first use.
    pub fn key_for(&mut self, label: &str, source: &str) -> String {
        if let Some(f) = self.facts.iter().find(|f| f.label == label) {
            return f.key.clone();
        }
        let key = self.keys.unique(&suggest_key(label));
        self.facts.push(DraftInput {
            key: key.clone(),
            label: label.to_string(),
            kind: InputKind::Count,
            unit: None,
            min: Some(Decimal::ONE),
            max: None,
            source_text: source.to_string(),
        });
        key
    }
}

impl Draft {
    /// Drafts the rules of every item of an annex. `file` names the file in the draft.
    pub fn from_annex(annex: &Annex, file: &str) -> Draft {
        let mut units = UnitFacts::default();
        let mut category_keys = KeySet::default();
        let mut flags: Vec<Flag> = annex
            .notes
            .iter()
            .map(|n| Flag::new(FlagKind::Note, n.clone(), None))
            .collect();
        let mut categories = Vec::new();
        for cat in &annex.categories {
            let base = suggest_key(&cat.name);
            let id = category_keys.unique(&base);
            let mut items = Vec::new();
            for (n, item) in cat.items.iter().enumerate() {
                let reading = phrases::read_titled(
                    &item.criteria,
                    item.name.as_deref(),
                    item.points,
                    cat.bonus,
                    &mut units,
                );
                let mut item_flags = reading.flags;
                let award = reading.rules.iter().any(|r| r.kind.adds())
                    && !reading.rules.iter().any(|r| r.kind.deducts());
                if reading.rules.iter().any(|r| r.kind.adds())
                    && reading.rules.iter().any(|r| r.kind.deducts())
                {
                    item_flags.push(Flag::new(
                        FlagKind::Review,
                        "本项既有加分规则又有扣分规则；按从满分起扣读（加分不超过满分），若应从 0 起加，改为 mode = \"award\"",
                        None,
                    ));
                }
                if !cat.bonus && item.points.is_none() {
                    item_flags.push(Flag::new(
                        FlagKind::Unsettled,
                        "表中本项没有分值；请填上 points = …",
                        None,
                    ));
                }
                items.push(DraftItem {
                    id: format!("{id}.{}", n + 1),
                    name: item.name.clone(),
                    points: if cat.bonus { None } else { item.points },
                    award,
                    cap: if cat.bonus {
                        item.points.or(reading.cap)
                    } else {
                        None
                    },
                    criteria: item.criteria.clone(),
                    inputs: reading.inputs,
                    rules: reading.rules,
                    flags: item_flags,
                });
            }
            categories.push(DraftCategory {
                id,
                name: cat.name.clone(),
                bonus: cat.bonus,
                points: if cat.bonus { None } else { cat.points },
                cap: if cat.bonus { cat.points } else { None },
                max_deduction: cat.max_deduction,
                items,
            });
        }
        place_veto_sections(&mut categories, &mut flags);
        let base: Vec<&DraftCategory> = categories.iter().filter(|c| !c.bonus).collect();
        let total = if !base.is_empty() && base.iter().all(|c| c.points.is_some()) {
            Some(base.iter().filter_map(|c| c.points).sum())
        } else {
            None
        };
        let text = annex
            .title
            .iter()
            .chain(annex.preamble.iter())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
        let year = year_in(&text);
        let title = match &annex.title {
            Some(t) => t.clone(),
            None => {
                flags.push(Flag::new(
                    FlagKind::Review,
                    "文件里没有找到标题；已用文件名代替，请改为细则的标题",
                    None,
                ));
                file_stem(file)
            }
        };
        let source = (!annex.preamble.is_empty()).then(|| annex.preamble.join(" "));
        Draft {
            file: file.to_string(),
            id: match year {
                Some(y) => format!("annex-{y}"),
                None => "annex-draft".to_string(),
            },
            title,
            year,
            source,
            total,
            unit_facts: units.facts,
            categories,
            flags,
        }
    }

    /// Every item, in order.
    pub fn items(&self) -> impl Iterator<Item = &DraftItem> {
        self.categories.iter().flat_map(|c| c.items.iter())
    }

    pub fn items_mut(&mut self) -> impl Iterator<Item = &mut DraftItem> {
        self.categories.iter_mut().flat_map(|c| c.items.iter_mut())
    }

    /// Every flag: the document's, each item's and each rule's, with the item's id
    /// (`None` for the document's).
    pub fn all_flags(&self) -> Vec<(Option<&str>, &Flag)> {
        let mut out: Vec<(Option<&str>, &Flag)> = self.flags.iter().map(|f| (None, f)).collect();
        for item in self.items() {
            out.extend(item.flags.iter().map(|f| (Some(item.id.as_str()), f)));
            for rule in &item.rules {
                out.extend(rule.flags.iter().map(|f| (Some(item.id.as_str()), f)));
            }
        }
        out
    }

    /// How many flags of a kind the draft has.
    pub fn count(&self, kind: FlagKind) -> usize {
        self.all_flags()
            .iter()
            .filter(|(_, f)| f.kind == kind)
            .count()
    }

    /// Whether nothing must be settled before the draft loads (flags to review and
    /// discretionary rules may remain).
    pub fn is_settled(&self) -> bool {
        !self.all_flags().iter().any(|(_, f)| f.kind.blocks())
            && self
                .items()
                .flat_map(|i| i.rules.iter())
                .all(|r| r.confidence != Confidence::Unsettled)
    }
}

/// A section of its own for 一票否决 (a prose annex's last heading) holds no points: its
/// vetoes move into the first item, where they act the same (a veto acts on the unit's
/// grade, whatever item holds it), each with a note saying where it came from.
fn place_veto_sections(categories: &mut Vec<DraftCategory>, flags: &mut Vec<Flag>) {
    let is_veto_section = |c: &DraftCategory| {
        !c.bonus
            && c.name.contains("否决")
            && c.items.iter().all(|i| {
                i.points.is_none()
                    && !i.rules.is_empty()
                    && i.rules
                        .iter()
                        .all(|r| matches!(r.kind, DraftKind::Veto { .. }))
            })
    };
    let Some(at) = categories.iter().position(is_veto_section) else {
        return;
    };
    let Some(target) = categories
        .iter()
        .position(|c| !c.bonus && !is_veto_section(c) && !c.items.is_empty())
    else {
        return;
    };
    let section = categories.remove(at);
    let target = if target > at { target - 1 } else { target };
    let first = &mut categories[target].items[0];
    for item in section.items {
        let mut renamed: Vec<(String, String)> = Vec::new();
        for mut input in item.inputs {
            let mut key = input.key.clone();
            let mut n = 2;
            while first.inputs.iter().any(|i| i.key == key) {
                key = format!("{}_{n}", input.key);
                n += 1;
            }
            if key != input.key {
                renamed.push((input.key.clone(), key.clone()));
                input.key = key;
            }
            first.inputs.push(input);
        }
        for mut rule in item.rules {
            if let DraftKind::Veto { checks, .. } = &mut rule.kind {
                for c in checks {
                    if let Some(k) = &c.input
                        && let Some((_, new)) = renamed.iter().find(|(old, _)| old == k)
                    {
                        c.input = Some(new.clone());
                    }
                }
            }
            rule.flags.push(Flag::new(
                FlagKind::Note,
                format!(
                    "原文在“{}”一节，已放在本项；一票否决作用于整个单位的等次，放在哪一项都一样",
                    section.name
                ),
                None,
            ));
            first.rules.push(rule);
        }
        // The section's lack of points is not the item's.
        first.flags.extend(
            item.flags
                .into_iter()
                .filter(|f| !(f.kind == FlagKind::Unsettled && f.message.contains("没有分值"))),
        );
    }
    flags.push(Flag::new(
        FlagKind::Note,
        format!("“{}”一节的条款已并入第一项（{}）", section.name, first.id),
        None,
    ));
}

fn year_in(text: &str) -> Option<i64> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(4).enumerate().find_map(|(i, w)| {
        let s: String = w.iter().collect();
        let before_digit = i > 0 && chars[i - 1].is_ascii_digit();
        let after_digit = chars.get(i + 4).is_some_and(|c| c.is_ascii_digit());
        (s.starts_with("20")
            && s.chars().all(|c| c.is_ascii_digit())
            && !before_digit
            && !after_digit)
            .then(|| s.parse().ok())
            .flatten()
    })
}

fn file_stem(file: &str) -> String {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let stem = base.rsplit_once('.').map(|(s, _)| s).unwrap_or(base);
    if stem.trim().is_empty() {
        "评分细则".to_string()
    } else {
        stem.to_string()
    }
}
