//! The two score columns of a unit: 自查分 from the facts it reported, 考核分 from the
//! verified facts — the reported ones overlaid with the assessors' overrides. The same
//! rules score both.

use std::sync::Arc;

use kaohe_core::{Facts, Rubric, UnitScore, score};
use kaohe_storage::{
    Campaign, Id, ImportedFact, RawFacts, Report, ReportItem, Review, ReviewState, Unit,
};

use crate::AppState;
use crate::http::error::AppResult;
use crate::year::scoring;
use crate::year::snapshot::{FactSource, FactUsed};

/// An item's place in the review. Results snapshots keep it by its label (as they
/// always have).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ReviewStatus {
    /// Nobody has reviewed it; the assessed column uses the unit's facts.
    #[serde(rename = "待审核")]
    Unreviewed,
    #[serde(rename = "已确认")]
    Confirmed,
    /// Returned to the unit and not yet corrected.
    #[serde(rename = "已退回")]
    Returned,
    /// Returned, corrected and resubmitted: to review again.
    #[serde(rename = "待复审")]
    Resubmitted,
}

impl ReviewStatus {
    pub fn label(self) -> &'static str {
        match self {
            ReviewStatus::Unreviewed => "待审核",
            ReviewStatus::Confirmed => "已确认",
            ReviewStatus::Returned => "已退回",
            ReviewStatus::Resubmitted => "待复审",
        }
    }
    pub fn class(self) -> &'static str {
        match self {
            ReviewStatus::Unreviewed => "empty",
            ReviewStatus::Confirmed => "done",
            ReviewStatus::Returned => "late",
            ReviewStatus::Resubmitted => "draft",
        }
    }
}

pub struct UnitAssessment {
    pub unit: Unit,
    pub report: Report,
    pub unit_level: RawFacts,
    pub items: Vec<ReportItem>,
    pub reviews: Vec<Review>,
    pub self_facts: Facts,
    pub self_score: UnitScore,
    pub verified_facts: Facts,
    pub assessed: UnitScore,
    /// The records its facts count, in each column.
    pub records: scoring::Counted,
    /// The verified facts its departments imported from spreadsheets.
    pub imported: Vec<ImportedFact>,
}

impl UnitAssessment {
    /// The facts item `ii`'s assessed score used, each as given and with where it came
    /// from: an assessor's correction (with its reason), the district's unit-level fact,
    /// the unit's report, or nobody.
    pub fn facts_used(&self, rubric: &Rubric, ii: usize) -> Vec<FactUsed> {
        let item = &rubric.items()[ii];
        item.uses
            .iter()
            .map(|&slot| {
                let input = rubric.input(slot);
                let key = input.key.clone();
                let corrected = self.reviews.iter().find_map(|r| r.overrides.get(&key));
                let imported = self.imported.iter().find(|f| f.key == key);
                let reported = self.items.iter().find_map(|i| i.facts.get(&key));
                // As `verified_facts` reads them: corrections apply to item facts only.
                if input.from.as_ref().is_some_and(|f| f.records().is_some()) {
                    let ids = self.records.ids(&key, true).to_vec();
                    return FactUsed {
                        key,
                        value: ids.len().to_string(),
                        source: FactSource::Records { ids },
                    };
                }
                let (value, source) = match (input.item, corrected, imported, reported) {
                    (None, ..) => match self.unit_level.get(&key) {
                        Some(v) => (v.clone(), FactSource::District),
                        None => (String::new(), FactSource::Missing),
                    },
                    (Some(_), Some(o), _, _) => (
                        o.value.clone(),
                        FactSource::Verified {
                            reason: o.reason.clone(),
                        },
                    ),
                    (Some(_), None, Some(i), _) => (
                        i.value.clone(),
                        FactSource::Imported {
                            reason: i.reason.clone(),
                            import: i.import_id,
                        },
                    ),
                    (Some(_), None, None, Some(v)) => (v.clone(), FactSource::Reported),
                    (Some(_), None, None, None) => (String::new(), FactSource::Missing),
                };
                FactUsed { key, value, source }
            })
            .collect()
    }

    /// Whether a fact of `item` was imported after `at`.
    fn imported_since(&self, item: &str, at: i64) -> bool {
        let prefix = format!("{item}.");
        self.imported
            .iter()
            .any(|f| f.imported_at > at && f.key.starts_with(&prefix))
    }

    pub fn review(&self, item: &str) -> Option<&Review> {
        self.reviews.iter().find(|r| r.item_id == item)
    }

    pub fn status(&self, item: &str) -> ReviewStatus {
        match self.review(item) {
            None => ReviewStatus::Unreviewed,
            // A department's import changed one of its facts after the confirmation: it
            // is confirmed again on the new figures.
            Some(r)
                if r.state == ReviewState::Confirmed
                    && self.imported_since(item, r.reviewed_at) =>
            {
                ReviewStatus::Resubmitted
            }
            Some(r) if r.state == ReviewState::Confirmed => ReviewStatus::Confirmed,
            Some(r) => {
                let corrected = self
                    .items
                    .iter()
                    .find(|i| i.item_id == item)
                    .is_some_and(|i| i.updated_at > r.reviewed_at);
                if corrected && self.report.state == kaohe_storage::ReportState::Submitted {
                    ReviewStatus::Resubmitted
                } else {
                    ReviewStatus::Returned
                }
            }
        }
    }
}

/// Verified facts: the unit's facts with the values its departments imported, then
/// every assessor's override applied (an override to an empty value means the assessors
/// found the fact unsupported: not provided), and the records the assessed column counts
/// (`counts`: confirmed ones). A count of records is not overridden: its department
/// confirms or rejects the records instead.
pub fn verified_facts(
    rubric: &Rubric,
    unit_level: &RawFacts,
    items: &[ReportItem],
    imported: &[ImportedFact],
    reviews: &[Review],
    counts: &RawFacts,
) -> Facts {
    let mut facts = scoring::unit_facts(rubric, unit_level, items, counts);
    for fact in imported {
        if let Some(slot) = rubric.slot(&fact.key)
            && rubric.input(slot).item.is_some()
            && rubric.input(slot).from.is_none()
            && let Some(v) = scoring::parse_stored(rubric, slot, &fact.value)
        {
            facts.set(slot, Some(v));
        }
    }
    for review in reviews {
        for (key, o) in &review.overrides {
            if let Some(slot) = rubric.slot(key)
                && rubric.input(slot).item.is_some()
                && rubric.input(slot).from.is_none()
            {
                match o.value.trim() {
                    // An override to an empty value: the fact is found unsupported.
                    "" => facts.set(slot, None),
                    value => {
                        if let Some(v) = scoring::parse_stored(rubric, slot, value) {
                            facts.set(slot, Some(v));
                        }
                    }
                }
            }
        }
    }
    facts
}

/// Both columns of one unit.
pub async fn assess_unit(
    state: &AppState,
    campaign: &Campaign,
    rubric: &Rubric,
    unit_id: Id,
) -> AppResult<UnitAssessment> {
    let unit = state.store.unit(campaign.organiser_id, unit_id).await?;
    let cu = scoring::campaign_unit(state, campaign, rubric, unit_id).await?;
    let report = state.store.report(campaign.id, unit_id).await?;
    let items = state.store.report_items(campaign.id, unit_id).await?;
    let reviews = state.store.reviews(campaign.id, unit_id).await?;
    let imported = state.store.imported_facts(campaign.id, unit_id).await?;
    let records = scoring::counted(state, campaign, rubric, unit_id).await?;
    let self_facts = scoring::unit_facts(rubric, &cu.unit_facts, &items, &records.column(false));
    let self_score = score(rubric, &self_facts);
    let verified = verified_facts(
        rubric,
        &cu.unit_facts,
        &items,
        &imported,
        &reviews,
        &records.column(true),
    );
    let assessed = score(rubric, &verified);
    Ok(UnitAssessment {
        unit,
        report,
        unit_level: cu.unit_facts,
        items,
        reviews,
        self_facts,
        self_score,
        verified_facts: verified,
        assessed,
        records,
        imported,
    })
}

/// Both columns of every unit of a campaign, in the campaign's unit order.
pub async fn assess_all(
    state: &AppState,
    campaign: &Campaign,
) -> AppResult<(Arc<Rubric>, Vec<UnitAssessment>)> {
    let rubric = scoring::rubric(state, campaign.organiser_id, campaign.rubric_id).await?;
    let mut all = Vec::new();
    for cu in state.store.campaign_units(campaign.id).await? {
        all.push(assess_unit(state, campaign, &rubric, cu.unit_id).await?);
    }
    Ok((rubric, all))
}
