//! The results snapshot: a campaign's results as computed (and published) at one
//! moment, one versioned type. It is written in two places only, computing results and
//! importing a past year, and read back once ([`Snapshot::of`]) into this type; the
//! pages, the documents (`From` it) and year over year read the type, never the JSON.
//!
//! Snapshots stored before the type existed (no `version`) read as version 1: the same
//! fields, without the facts used.

use kaohe_core::Decimal;
use std::sync::Arc;

use kaohe_storage::{Id, ResultRun};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::http::error::{AppError, AppResult};
use crate::year::assess::ReviewStatus;

/// The layout written now. 1: before the type (no facts); 2: each item keeps the facts
/// its assessed score used and where each came from.
pub const VERSION: u32 = 2;

fn version_one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    #[serde(default = "version_one")]
    pub version: u32,
    /// A past year imported from a spreadsheet: totals and category scores only.
    #[serde(default)]
    pub imported: bool,
    /// The rubric the scores came from (not kept for an imported past year).
    #[serde(default)]
    pub rubric: Option<RubricRef>,
    pub categories: Vec<Category>,
    /// Every item of the rubric, in order (none for an imported past year).
    #[serde(default)]
    pub items: Vec<Item>,
    /// Units in ranked order.
    pub units: Vec<UnitResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RubricRef {
    pub title: String,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub id: String,
    pub name: String,
    /// `None` for a bonus category (加分项).
    #[serde(default)]
    pub points: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// The annex's own numbering, where the rubric gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The name of its category.
    pub category: String,
    #[serde(default)]
    pub points: Option<Decimal>,
    pub criteria: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitResult {
    pub unit_id: Id,
    pub unit: String,
    pub rank: usize,
    /// Shares its rank with another unit (并列).
    #[serde(default)]
    pub tie: bool,
    #[serde(default)]
    pub base: Option<Decimal>,
    #[serde(default)]
    pub bonus: Option<Decimal>,
    pub total: Decimal,
    /// The grade in words (with a veto or downgrade said), when the rubric has grades.
    #[serde(default)]
    pub grade: Option<String>,
    /// The self-check's total (自查分); not kept for an imported past year.
    #[serde(default)]
    pub self_total: Option<Decimal>,
    /// Assessed minus self-checked.
    #[serde(default)]
    pub gap: Option<Decimal>,
    #[serde(default)]
    pub categories: Vec<UnitCategory>,
    /// One per item of [`Snapshot::items`], in the same order (none when imported).
    #[serde(default)]
    pub items: Vec<UnitItem>,
    #[serde(default)]
    pub imported: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitCategory {
    pub id: String,
    pub name: String,
    pub score: Decimal,
    #[serde(rename = "self", default)]
    pub self_score: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitItem {
    pub id: String,
    #[serde(rename = "self")]
    pub self_score: Decimal,
    pub score: Decimal,
    pub status: ReviewStatus,
    /// Why the assessed score differs from the self-score.
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub self_explanation: Vec<String>,
    #[serde(default)]
    pub explanation: Vec<String>,
    /// The facts the assessed score used, each with where it came from (version 2).
    #[serde(default)]
    pub facts: Vec<FactUsed>,
}

impl UnitItem {
    /// The records the item's assessed score counted, by id.
    pub fn records(&self) -> impl Iterator<Item = Id> + '_ {
        self.facts
            .iter()
            .flat_map(|f| match &f.source {
                FactSource::Records { ids } => ids.as_slice(),
                _ => &[],
            })
            .copied()
    }
}

/// A fact as the assessed column used it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactUsed {
    pub key: String,
    /// As typed; empty when nobody gave it.
    pub value: String,
    pub source: FactSource,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FactSource {
    /// Reported by the unit in its self-check.
    Reported,
    /// Set by the district for the unit (a unit-level fact).
    District,
    /// Corrected by an assessor, with the reason they gave.
    Verified { reason: String },
    /// Imported by the responsible department from its spreadsheet, with the reason it
    /// gave (and the import, whose file is kept).
    Imported { reason: String, import: Id },
    /// Not given by anyone.
    Missing,
    /// The count of the unit's records the assessed column counted (confirmed, or
    /// entered by the district), by their ids.
    Records { ids: Vec<Id> },
}

/// A campaign's latest computation of results (its `data` left out) and its snapshot.
pub struct Latest {
    pub run: ResultRun,
    pub snapshot: Snapshot,
}

/// The snapshots an app server keeps read, newest first, by the id of their computation.
pub type Kept = std::collections::VecDeque<(Id, Arc<Latest>)>;

/// How many snapshots an app server keeps read: a campaign's pages, its predecessor's
/// (year over year) and a unit's history of a few years. A snapshot of 1,400 units is
/// about 13 MB as stored.
const KEPT: usize = 4;

/// The latest computation of a campaign's results, read once per app server: a page of
/// results asks only for its id, and reads and parses the snapshot (megabytes at a
/// province's scale) only when that computation is new to this server.
pub async fn latest(state: &AppState, campaign_id: Id) -> AppResult<Option<Arc<Latest>>> {
    let Some(id) = state.store.latest_result_id(campaign_id).await? else {
        return Ok(None);
    };
    if let Some(found) = kept(state, id) {
        return Ok(Some(found));
    }
    let (run, text) = state.store.result_text(id).await?;
    let snapshot = Snapshot::read(&run, &text)?;
    let latest = Arc::new(Latest { run, snapshot });
    let mut kept = state.snapshots.lock().expect("snapshot cache");
    kept.retain(|(k, _)| *k != id);
    kept.push_front((id, latest.clone()));
    kept.truncate(KEPT);
    Ok(Some(latest))
}

fn kept(state: &AppState, id: Id) -> Option<Arc<Latest>> {
    let mut kept = state.snapshots.lock().expect("snapshot cache");
    let pos = kept.iter().position(|(k, _)| *k == id)?;
    let found = kept.remove(pos)?;
    kept.push_front(found.clone());
    Some(found.1)
}

impl Snapshot {
    /// Reads a computation's snapshot from the text stored.
    pub fn read(run: &ResultRun, text: &str) -> Result<Snapshot, AppError> {
        serde_json::from_str(text).map_err(|e| {
            AppError::Internal(format!(
                "results {} of campaign {} cannot be read: {e}",
                run.id, run.campaign_id
            ))
        })
    }

    /// Reads a stored computation of results.
    pub fn of(run: &ResultRun) -> Result<Snapshot, AppError> {
        serde_json::from_value(run.data.clone()).map_err(|e| {
            AppError::Internal(format!(
                "results {} of campaign {} cannot be read: {e}",
                run.id, run.campaign_id
            ))
        })
    }

    /// The snapshot as stored, written straight to text.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).expect("a snapshot is plain data")
    }

    /// The snapshot as stored.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a snapshot is plain data")
    }

    pub fn unit(&self, unit_id: Id) -> Option<&UnitResult> {
        self.units.iter().find(|u| u.unit_id == unit_id)
    }

    /// How people refer to the item with id `id` (`基础工作第1项`, or the annex's
    /// numbering), as [`kaohe_core::Rubric::item_ref`] does; the id itself only for an
    /// item the snapshot does not know.
    pub fn item_ref(&self, id: &str) -> String {
        let Some(pos) = self.items.iter().position(|i| i.id == id) else {
            return id.to_string();
        };
        let item = &self.items[pos];
        let place = self.items[..pos]
            .iter()
            .filter(|i| i.category == item.category)
            .count();
        kaohe_core::rubric::item_ref(&item.category, place, item.number.as_deref())
    }

    /// A stored `unit item` pair (the unconfirmed items of a computation) in words.
    pub fn unit_item_words(&self, pair: &str) -> String {
        match pair.rsplit_once(' ') {
            Some((unit, id)) => format!("{unit} {}", self.item_ref(id)),
            None => pair.to_string(),
        }
    }

    /// The category's points, by its name (what items name).
    pub fn category_points(&self, name: &str) -> Option<Decimal> {
        self.categories
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.points)
    }
}

impl UnitResult {
    /// `3` or `3（并列）`.
    pub fn rank_text(&self) -> String {
        if self.tie {
            format!("{}（并列）", self.rank)
        } else {
            self.rank.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A snapshot as the code before this type stored it (results.rs `compute`, trimmed
    /// to one unit and one item), and an imported past year as `history` stored it.
    const STORED_COMPUTED: &str = r#"{
        "rubric": {"title": "北仑区街道流动人口服务管理考核评分细则", "hash": "ab12"},
        "categories": [{"id": "basic", "name": "基础工作", "points": "20"},
                       {"id": "innovation", "name": "创新工作", "points": null}],
        "items": [{"id": "basic.1", "name": "信息采集", "category": "基础工作", "points": "6",
                   "criteria": "未落实的每次扣1分"}],
        "units": [{"unit_id": 3, "unit": "新碶街道", "rank": 1, "tie": true, "base": "95.5",
                   "bonus": "2", "total": "97.5", "grade": "优秀", "self_total": "98",
                   "gap": "-0.5",
                   "categories": [{"id": "basic", "name": "基础工作", "score": "19", "self": "20"}],
                   "items": [{"id": "basic.1", "self": "6", "score": "5", "status": "已确认",
                              "reason": "核实少报一次", "self_explanation": ["本项得分 6"],
                              "explanation": ["未落实 1 次 → −1"]}]}]
    }"#;
    const STORED_IMPORTED: &str = r#"{
        "imported": true,
        "units": [{"unit_id": 3, "unit": "新碶街道", "rank": 2, "tie": false, "total": "88",
                   "base": null, "bonus": null,
                   "categories": [{"id": "basic", "name": "基础工作", "score": "18"}],
                   "items": [], "imported": true}],
        "categories": [{"id": "basic", "name": "基础工作", "points": "20"}],
        "items": []
    }"#;

    fn run(json: &str) -> ResultRun {
        ResultRun {
            id: 1,
            campaign_id: 1,
            computed_at: 0,
            computed_by: None,
            reason: String::new(),
            unconfirmed: Vec::new(),
            data: serde_json::from_str(json).unwrap(),
        }
    }

    #[test]
    fn snapshots_stored_before_the_type_still_load() {
        let s = Snapshot::of(&run(STORED_COMPUTED)).unwrap();
        assert_eq!(s.version, 1);
        let u = s.unit(3).unwrap();
        assert_eq!(u.total, Decimal::new(975, 1));
        assert_eq!(u.rank_text(), "1（并列）");
        assert_eq!(u.items[0].status, ReviewStatus::Confirmed);
        assert_eq!(u.items[0].self_score, Decimal::from(6));
        assert!(u.items[0].facts.is_empty());
        assert_eq!(s.categories[1].points, None);
        assert_eq!(s.category_points("基础工作"), Some(Decimal::from(20)));

        let past = Snapshot::of(&run(STORED_IMPORTED)).unwrap();
        assert!(past.imported && past.units[0].imported);
        assert_eq!(past.units[0].self_total, None);
        assert_eq!(past.units[0].categories[0].self_score, None);
    }

    #[test]
    fn a_snapshot_reads_back_as_it_was_written() {
        let mut s = Snapshot::of(&run(STORED_COMPUTED)).unwrap();
        s.version = VERSION;
        s.units[0].items[0].facts = vec![
            FactUsed {
                key: "basic.1.misses".into(),
                value: "1".into(),
                source: FactSource::Verified {
                    reason: "台账显示 1 次".into(),
                },
            },
            FactUsed {
                key: "floating_population".into(),
                value: "52000".into(),
                source: FactSource::District,
            },
            FactUsed {
                key: "basic.3.articles".into(),
                value: "2".into(),
                source: FactSource::Records { ids: vec![7, 9] },
            },
        ];
        let again = Snapshot::of(&run(&s.to_json().to_string())).unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn an_unknown_status_is_an_error_not_a_guess() {
        let broken = STORED_COMPUTED.replace("已确认", "大概确认了");
        assert!(Snapshot::of(&run(&broken)).is_err());
    }
}
