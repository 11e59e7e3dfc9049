//! What-if of another rubric (a draft for next year): a unit's facts read for one rubric
//! carried to another by key, each value checked again against the new input (its type
//! and bounds), so the same facts can be scored under both. Pure, no I/O.

use crate::facts::{Facts, Value};
use crate::num::fmt as f;
use crate::rubric::{InputType, Rubric, Slot};

/// Facts carried from one rubric to another.
#[derive(Debug, Clone)]
pub struct Carried {
    /// The facts under the new rubric.
    pub facts: Facts,
    /// New facts with no value: no old fact is mapped to them, or its value does not
    /// fit the new input (`Some(why)`).
    pub missing: Vec<(Slot, Option<String>)>,
    /// Old facts the new rubric does not read (slots of the old rubric).
    pub dropped: Vec<Slot>,
}

/// How a new rubric's fact came to read an old one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// The same key.
    Key,
    /// The same label in the item of the same id, or both unit-level facts.
    Label,
    /// A person chose it (a remembered mapping).
    ByHand,
}

/// For each fact of a new rubric, the old rubric's fact it reads, if any, and how it was
/// found. A person's choice (a fact, or none: "the old rubric has no such fact") comes
/// before the automatic ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// Per slot of the new rubric.
    pub links: Vec<Option<(Slot, Link)>>,
    /// Per slot of the new rubric: a person said the old rubric has no such fact.
    pub none_by_hand: Vec<bool>,
}

impl Mapping {
    /// The mapping found without a person: by key, then by item id and label (a draft
    /// imported from an annex has keys of its own).
    pub fn auto(old: &Rubric, new: &Rubric) -> Mapping {
        let links = (0..new.inputs().len())
            .map(|slot| {
                let input = new.input(slot);
                if let Some(s) = old.slot(&input.key) {
                    return Some((s, Link::Key));
                }
                let item_id = input.item.map(|ii| new.items()[ii].id.as_str());
                old.inputs()
                    .iter()
                    .position(|o| {
                        o.label == input.label
                            && o.item.map(|ii| old.items()[ii].id.as_str()) == item_id
                    })
                    .map(|s| (s, Link::Label))
            })
            .collect();
        Mapping {
            links,
            none_by_hand: vec![false; new.inputs().len()],
        }
    }

    /// The automatic mapping with a person's choices over it: pairs of a new key and the
    /// old key it reads (`None`: no such fact in the old rubric). Keys either rubric does
    /// not have are returned, not applied (the rubrics are the stored versions, so this
    /// only happens to a hand-written pair).
    pub fn with_hand<'a>(
        mut self,
        old: &Rubric,
        new: &Rubric,
        chosen: &'a [(String, Option<String>)],
    ) -> (Mapping, Vec<&'a str>) {
        let mut unknown = Vec::new();
        for (new_key, old_key) in chosen {
            let Some(slot) = new.slot(new_key) else {
                unknown.push(new_key.as_str());
                continue;
            };
            match old_key {
                None => {
                    self.links[slot] = None;
                    self.none_by_hand[slot] = true;
                }
                Some(k) => match old.slot(k) {
                    Some(from) => {
                        self.links[slot] = Some((from, Link::ByHand));
                        self.none_by_hand[slot] = false;
                    }
                    None => unknown.push(k.as_str()),
                },
            }
        }
        (self, unknown)
    }

    /// The old fact a new slot reads.
    pub fn from(&self, slot: Slot) -> Option<Slot> {
        self.links[slot].map(|(s, _)| s)
    }

    /// The new facts with no old fact that no person has ruled on: what a mapping page
    /// asks about.
    pub fn open(&self) -> impl Iterator<Item = Slot> + '_ {
        (0..self.links.len()).filter(|&s| self.links[s].is_none() && !self.none_by_hand[s])
    }
}

/// Whether a value of one input type can stand for another (a count read as a decimal;
/// otherwise the same type).
pub fn compatible(from: InputType, to: InputType) -> bool {
    from == to || matches!((from, to), (InputType::Count, InputType::Decimal))
}

/// Suggestions for the new facts the mapping leaves open, for a person to confirm: the
/// old item matched to the new one (same id, else the criteria text most alike, at
/// least half of its character pairs shared), and in it the unused fact of a compatible
/// type whose label is most alike (or the only one left); unit-level facts among the
/// old unit-level facts by label. Never applied without a person.
pub fn suggest(old: &Rubric, new: &Rubric, mapping: &Mapping) -> Vec<(Slot, Slot)> {
    let mut used: Vec<bool> = vec![false; old.inputs().len()];
    for (s, _) in mapping.links.iter().flatten() {
        used[*s] = true;
    }
    let item_match = items_matched(old, new);
    let open: Vec<Slot> = mapping.open().collect();
    let candidates = |slot: Slot| -> Vec<Slot> {
        let input = new.input(slot);
        let all: Vec<Slot> = match input.item {
            Some(ni) => match item_match[ni] {
                Some(oi) => old.items()[oi].inputs.clone().collect(),
                None => Vec::new(),
            },
            None => (0..old.inputs().len())
                .filter(|&s| old.input(s).item.is_none())
                .collect(),
        };
        all.into_iter()
            .filter(|&s| compatible(old.input(s).ty, input.ty))
            .collect()
    };
    // Within each matched item (and among unit-level facts), the pairing that is most
    // alike in all, each fact once: the best pair alone can take the fact another
    // needs (上一年度…供应量 is close to 本年度…供应量 too).
    let mut groups: Vec<(Option<usize>, Vec<Slot>)> = Vec::new();
    for &slot in &open {
        let key = new.input(slot).item.map(|ni| item_match[ni]);
        let key = match key {
            Some(None) => continue,
            Some(Some(oi)) => Some(oi),
            None => None,
        };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slots)) => slots.push(slot),
            None => groups.push((key, vec![slot])),
        }
    }
    let mut out = Vec::new();
    for (_, slots) in groups {
        let olds: Vec<Slot> = candidates(slots[0])
            .into_iter()
            .chain(slots.iter().flat_map(|&s| candidates(s)))
            .filter(|&s| !used[s])
            .fold(Vec::new(), |mut v, s| {
                if !v.contains(&s) {
                    v.push(s);
                }
                v
            });
        let score: Vec<Vec<f64>> = slots
            .iter()
            .map(|&slot| {
                let wanted = grams(&new.input(slot).label);
                olds.iter()
                    .map(|&from| {
                        let d = dice(&wanted, &grams(&old.input(from).label));
                        if d >= 0.3 && compatible(old.input(from).ty, new.input(slot).ty) {
                            d
                        } else {
                            0.0
                        }
                    })
                    .collect()
            })
            .collect();
        for (k, o) in pairing(&score) {
            out.push((slots[k], olds[o]));
        }
    }
    out.sort_unstable();
    out
}

/// The pairing of rows to columns with the largest sum of scores (each used once, a
/// zero score never paired): exact over the subsets of columns when there are at most
/// 12 (an item has a handful of facts), else the best pairs first.
fn pairing(score: &[Vec<f64>]) -> Vec<(usize, usize)> {
    let cols = score.first().map_or(0, |r| r.len());
    if cols <= 12 {
        // best[k][mask]: the largest sum for rows k.. with the columns in mask taken,
        // and the column row k takes for it.
        let states = 1usize << cols;
        let mut best = vec![vec![0.0f64; states]; score.len() + 1];
        let mut choice = vec![vec![None; states]; score.len()];
        for k in (0..score.len()).rev() {
            for mask in 0..states {
                let (mut b, mut pick) = (best[k + 1][mask], None);
                for (c, &sc) in score[k].iter().enumerate() {
                    if sc > 0.0 && mask & (1 << c) == 0 && sc + best[k + 1][mask | (1 << c)] > b {
                        b = sc + best[k + 1][mask | (1 << c)];
                        pick = Some(c);
                    }
                }
                best[k][mask] = b;
                choice[k][mask] = pick;
            }
        }
        let (mut mask, mut out) = (0usize, Vec::new());
        for (k, row) in choice.iter().enumerate() {
            if let Some(c) = row[mask] {
                mask |= 1 << c;
                out.push((k, c));
            }
        }
        out
    } else {
        let mut pairs: Vec<(f64, usize, usize)> = score
            .iter()
            .enumerate()
            .flat_map(|(k, row)| row.iter().enumerate().map(move |(c, &sc)| (sc, k, c)))
            .filter(|(sc, _, _)| *sc > 0.0)
            .collect();
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
        let (mut rows, mut taken, mut out) =
            (vec![false; score.len()], vec![false; cols], Vec::new());
        for (_, k, c) in pairs {
            if !rows[k] && !taken[c] {
                rows[k] = true;
                taken[c] = true;
                out.push((k, c));
            }
        }
        out
    }
}

/// For each item of the new rubric, the old rubric's item it continues: the same id,
/// else (a draft imported from an annex has ids of its own) the item whose criteria
/// text is most alike, at least half of its characters and pairs shared, each old item
/// taken once (the most alike pairs first).
pub fn items_matched(old: &Rubric, new: &Rubric) -> Vec<Option<usize>> {
    let mut out: Vec<Option<usize>> = new
        .items()
        .iter()
        .map(|item| old.items().iter().position(|o| o.id == item.id))
        .collect();
    let mut taken: Vec<bool> = vec![false; old.items().len()];
    for oi in out.iter().flatten() {
        taken[*oi] = true;
    }
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (ni, item) in new.items().iter().enumerate() {
        if out[ni].is_some() {
            continue;
        }
        let wanted = grams(&item.criteria);
        for (oi, o) in old.items().iter().enumerate() {
            let d = dice(&wanted, &grams(&o.criteria));
            if !taken[oi] && d >= 0.5 {
                pairs.push((d, ni, oi));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    for (_, ni, oi) in pairs {
        if out[ni].is_none() && !taken[oi] {
            out[ni] = Some(oi);
            taken[oi] = true;
        }
    }
    out
}

/// A text's characters and pairs of adjacent characters, punctuation and spaces left
/// out: pairs weigh the order of words, single characters tell 市 from 省.
type Gram = (char, Option<char>);

fn grams(text: &str) -> Vec<Gram> {
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
    let mut out: Vec<Gram> = chars.iter().map(|&c| (c, None)).collect();
    out.extend(chars.windows(2).map(|w| (w[0], Some(w[1]))));
    out.sort_unstable();
    out
}

/// How alike two texts' character pairs are (Dice's coefficient, 0 to 1): a ranking
/// for suggestions, not a score, so a float does no harm here.
fn dice(a: &[Gram], b: &[Gram]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    2.0 * shared as f64 / (a.len() + b.len()) as f64
}

/// Carries `facts` (for `old`) to `new`, by key, then by item and label.
pub fn carry(old: &Rubric, facts: &Facts, new: &Rubric) -> Carried {
    carry_with(old, facts, new, &Mapping::auto(old, new))
}

/// Carries `facts` (for `old`) to `new` as `mapping` says.
pub fn carry_with(old: &Rubric, facts: &Facts, new: &Rubric, mapping: &Mapping) -> Carried {
    let mut out = Facts::new(new);
    let mut missing = Vec::new();
    let mut read = vec![false; old.inputs().len()];
    for (slot, input) in new.inputs().iter().enumerate() {
        let Some(from) = mapping.from(slot) else {
            missing.push((slot, None));
            continue;
        };
        read[from] = true;
        let Some(value) = facts.get(from) else {
            continue;
        };
        let text = match (value, input.ty) {
            (Value::Number(n), InputType::Percent) => format!("{}%", f(*n)),
            (Value::Number(n), _) => f(*n),
            (Value::Bool(b), _) => if *b { "是" } else { "否" }.to_string(),
            (Value::Text(t), _) => t.to_string(),
        };
        match new.parse_value(slot, &text) {
            Ok(v) => out.set(slot, v),
            Err(e) => missing.push((slot, Some(e.message))),
        }
    }
    let dropped = (0..old.inputs().len()).filter(|s| !read[*s]).collect();
    Carried {
        facts: out,
        missing,
        dropped,
    }
}

/// One unit under both rubrics.
#[derive(Debug, Clone)]
pub struct UnitCompare {
    pub before: crate::engine::UnitScore,
    pub after: crate::engine::UnitScore,
    pub rank_before: usize,
    pub rank_after: usize,
    pub carried: Carried,
}

/// An item whose points moved across all units: in both rubrics (matched by
/// [`items_matched`]), only in the new one (added) or only in the old one (dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemMove {
    pub old_item: Option<usize>,
    pub new_item: Option<usize>,
    /// The new sum over units minus the old.
    pub delta: rust_decimal::Decimal,
}

/// Units' facts (for `old`) scored under both rubrics, in the given order, and the
/// items whose points moved, largest move first.
pub fn compare(old: &Rubric, new: &Rubric, facts: &[Facts]) -> (Vec<UnitCompare>, Vec<ItemMove>) {
    compare_with(old, new, &Mapping::auto(old, new), facts)
}

/// [`compare`] with the facts carried as `mapping` says.
pub fn compare_with(
    old: &Rubric,
    new: &Rubric,
    mapping: &Mapping,
    facts: &[Facts],
) -> (Vec<UnitCompare>, Vec<ItemMove>) {
    use crate::engine::score;
    use rust_decimal::Decimal;
    let before: Vec<_> = facts.iter().map(|f| score(old, f)).collect();
    let carried: Vec<Carried> = facts
        .iter()
        .map(|f| carry_with(old, f, new, mapping))
        .collect();
    let after: Vec<_> = carried.iter().map(|c| score(new, &c.facts)).collect();
    let ranks_before = crate::rank(&before.iter().map(|s| s.total).collect::<Vec<_>>());
    let ranks_after = crate::rank(&after.iter().map(|s| s.total).collect::<Vec<_>>());
    let mut moves = Vec::new();
    let sum = |scores: &[crate::engine::UnitScore], ii: usize| -> Decimal {
        scores.iter().map(|s| s.items[ii].score).sum()
    };
    let matched = items_matched(old, new);
    for (ni, &old_item) in matched.iter().enumerate() {
        let delta = sum(&after, ni) - old_item.map_or(Decimal::ZERO, |oi| sum(&before, oi));
        if !delta.is_zero() || old_item.is_none() {
            moves.push(ItemMove {
                old_item,
                new_item: Some(ni),
                delta,
            });
        }
    }
    for oi in 0..old.items().len() {
        if !matched.contains(&Some(oi)) {
            moves.push(ItemMove {
                old_item: Some(oi),
                new_item: None,
                delta: -sum(&before, oi),
            });
        }
    }
    moves.sort_by_key(|m| std::cmp::Reverse(m.delta.abs()));
    let units = before
        .into_iter()
        .zip(after)
        .zip(carried)
        .enumerate()
        .map(|(k, ((before, after), carried))| UnitCompare {
            before,
            after,
            rank_before: ranks_before[k],
            rank_after: ranks_after[k],
            carried,
        })
        .collect();
    (units, moves)
}

impl ItemMove {
    /// The item as people name it (`管理工作第5项 网格化管理和信息登记`), said to be new
    /// or gone where it is.
    pub fn name(&self, old: &Rubric, new: &Rubric) -> String {
        let named = |r: &Rubric, ii: usize| match &r.items()[ii].name {
            Some(name) => format!("{} {name}", r.item_ref(ii)),
            None => r.item_ref(ii),
        };
        match (self.old_item, self.new_item) {
            (None, Some(ni)) => format!("{}（新增项目）", named(new, ni)),
            (Some(_), Some(ni)) => named(new, ni),
            (Some(oi), None) => format!("{}（新细则中没有）", named(old, oi)),
            (None, None) => String::new(),
        }
    }
}
