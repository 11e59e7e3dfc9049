//! The two score columns of a unit: 自查分 from the facts it reported, 考核分 from the
//! verified facts — the reported ones overlaid with the assessors' overrides. The same
//! rules score both.

use std::collections::HashMap;
use std::sync::Arc;

use kaohe_core::{Facts, Rubric, UnitScore, score};
use kaohe_storage::{
    Campaign, CampaignUnit, Id, ImportedFact, RawFacts, Record, Report, ReportItem, Review,
    ReviewState, Unit,
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

    pub fn review(&self, item: &str) -> Option<&Review> {
        self.reviews.iter().find(|r| r.item_id == item)
    }

    pub fn status(&self, item: &str) -> ReviewStatus {
        let saved_at = self
            .items
            .iter()
            .find(|i| i.item_id == item)
            .map(|i| i.updated_at);
        review_status(&self.report, &self.reviews, &self.imported, item, saved_at)
    }
}

/// An item's place in the review, from the unit's report, its reviews and imported
/// facts, and when the unit last saved the item (`saved_at`): all a queue of many units
/// needs to read, without their facts.
fn review_status(
    report: &Report,
    reviews: &[Review],
    imported: &[ImportedFact],
    item: &str,
    saved_at: Option<i64>,
) -> ReviewStatus {
    // Whether a fact of `item` was imported after `at`.
    let imported_since = |at: i64| {
        let prefix = format!("{item}.");
        imported
            .iter()
            .any(|f| f.imported_at > at && f.key.starts_with(&prefix))
    };
    match reviews.iter().find(|r| r.item_id == item) {
        None => ReviewStatus::Unreviewed,
        // A department's import changed one of its facts after the confirmation: it is
        // confirmed again on the new figures.
        Some(r) if r.state == ReviewState::Confirmed && imported_since(r.reviewed_at) => {
            ReviewStatus::Resubmitted
        }
        Some(r) if r.state == ReviewState::Confirmed => ReviewStatus::Confirmed,
        Some(r) => {
            let corrected = saved_at.is_some_and(|at| at > r.reviewed_at);
            if corrected && report.state == kaohe_storage::ReportState::Submitted {
                ReviewStatus::Resubmitted
            } else {
                ReviewStatus::Returned
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

/// What one unit's two columns are computed from, as stored.
pub struct UnitRows {
    pub unit: Unit,
    pub campaign_unit: CampaignUnit,
    pub report: Report,
    pub items: Vec<ReportItem>,
    pub reviews: Vec<Review>,
    pub imported: Vec<ImportedFact>,
    /// The unit's records (those of the campaign's period are counted).
    pub records: Vec<Record>,
}

/// Both columns of a unit from its rows: the one computation behind [`assess_unit`] and
/// [`assess_all`].
pub fn assess(rubric: &Rubric, campaign: &Campaign, rows: UnitRows) -> UnitAssessment {
    let records = scoring::count(rubric, campaign, &rows.records);
    let unit_level = rows.campaign_unit.unit_facts;
    let self_facts = scoring::unit_facts(rubric, &unit_level, &rows.items, &records.column(false));
    let self_score = score(rubric, &self_facts);
    let verified = verified_facts(
        rubric,
        &unit_level,
        &rows.items,
        &rows.imported,
        &rows.reviews,
        &records.column(true),
    );
    let assessed = score(rubric, &verified);
    UnitAssessment {
        unit: rows.unit,
        report: rows.report,
        unit_level,
        items: rows.items,
        reviews: rows.reviews,
        self_facts,
        self_score,
        verified_facts: verified,
        assessed,
        records,
        imported: rows.imported,
    }
}

/// Both columns of one unit.
pub async fn assess_unit(
    state: &AppState,
    campaign: &Campaign,
    rubric: &Rubric,
    unit_id: Id,
) -> AppResult<UnitAssessment> {
    let store = &state.store;
    let rows = UnitRows {
        unit: store.unit(campaign.organiser_id, unit_id).await?,
        campaign_unit: scoring::campaign_unit(state, campaign, rubric, unit_id).await?,
        report: store.report(campaign.id, unit_id).await?,
        items: store.report_items(campaign.id, unit_id).await?,
        reviews: store.reviews(campaign.id, unit_id).await?,
        imported: store.imported_facts(campaign.id, unit_id).await?,
        records: if rubric.record_kinds().is_empty() {
            Vec::new()
        } else {
            store.unit_records(campaign.organiser_id, unit_id).await?
        },
    };
    Ok(assess(rubric, campaign, rows))
}

/// Every unit's rows of a campaign, in the campaign's unit order: one query per table,
/// whatever the number of units.
pub async fn unit_rows(
    state: &AppState,
    campaign: &Campaign,
    rubric: &Rubric,
) -> AppResult<Vec<UnitRows>> {
    unit_rows_of(state, campaign, rubric, None).await
}

/// [`unit_rows`] of some units only (`only`: a page of them), in the campaign's order;
/// their items and records are read for those units alone.
pub async fn unit_rows_of(
    state: &AppState,
    campaign: &Campaign,
    rubric: &Rubric,
    only: Option<&[Id]>,
) -> AppResult<Vec<UnitRows>> {
    let store = &state.store;
    let units = units_by_id(state, campaign).await?;
    let mut reports: HashMap<Id, Report> = store
        .reports(campaign.id)
        .await?
        .into_iter()
        .map(|r| (r.unit_id, r))
        .collect();
    let mut items = group(store.report_items_of(campaign.id, only).await?);
    let mut reviews = group(store.reviews_of(campaign.id, only).await?);
    let mut imported = group(store.campaign_imported_facts(campaign.id).await?);
    let mut records = if rubric.record_kinds().is_empty() {
        HashMap::new()
    } else {
        let (start, end) = campaign.period();
        group(
            store
                .unit_records_between(campaign.organiser_id, only, &start, &end)
                .await?
                .into_iter()
                .map(|r| (r.unit_id, r))
                .collect(),
        )
    };
    let mut all = Vec::new();
    for cu in scoring::campaign_units(state, campaign, rubric).await? {
        let id = cu.unit_id;
        if only.is_some_and(|o| !o.contains(&id)) {
            continue;
        }
        let Some(unit) = units.get(&id).cloned() else {
            return Err(missing_unit(campaign, id));
        };
        all.push(UnitRows {
            unit,
            report: reports
                .remove(&id)
                .unwrap_or_else(|| Report::empty(campaign.id, id)),
            items: items.remove(&id).unwrap_or_default(),
            reviews: reviews.remove(&id).unwrap_or_default(),
            imported: imported.remove(&id).unwrap_or_default(),
            records: records.remove(&id).unwrap_or_default(),
            campaign_unit: cu,
        });
    }
    Ok(all)
}

/// One unit's place in a campaign's review, read without its facts.
#[derive(Clone)]
pub struct UnitReview {
    pub unit: Unit,
    pub campaign_unit: CampaignUnit,
    pub report: Report,
    pub reviews: Vec<Review>,
    pub imported: Vec<ImportedFact>,
    /// When each item returned to the unit was last saved.
    returned_saved_at: HashMap<String, i64>,
}

impl UnitReview {
    pub fn review(&self, item: &str) -> Option<&Review> {
        self.reviews.iter().find(|r| r.item_id == item)
    }

    pub fn status(&self, item: &str) -> ReviewStatus {
        let at = self.returned_saved_at.get(item).copied();
        review_status(&self.report, &self.reviews, &self.imported, item, at)
    }
}

/// Every unit's place in a campaign's review, in the campaign's unit order, read without
/// facts (reports, reviews, imported facts, when returned items were saved): what a list
/// of many units counts and filters by before it scores a page of them (the review
/// queue, progress).
pub async fn unit_reviews(state: &AppState, campaign: &Campaign) -> AppResult<Vec<UnitReview>> {
    let (store, cid) = (&state.store, campaign.id);
    let units = units_by_id(state, campaign).await?;
    let mut reports: HashMap<Id, Report> = store
        .reports(cid)
        .await?
        .into_iter()
        .map(|r| (r.unit_id, r))
        .collect();
    let mut reviews = group(store.campaign_reviews(cid).await?);
    let mut imported = group(store.campaign_imported_facts(cid).await?);
    let mut saved = group(
        store
            .returned_item_times(cid)
            .await?
            .into_iter()
            .map(|(u, item, at)| (u, (item, at)))
            .collect(),
    );
    store
        .campaign_units(cid)
        .await?
        .into_iter()
        .map(|cu| {
            let id = cu.unit_id;
            let Some(unit) = units.get(&id).cloned() else {
                return Err(missing_unit(campaign, id));
            };
            Ok(UnitReview {
                unit,
                report: reports
                    .remove(&id)
                    .unwrap_or_else(|| Report::empty(cid, id)),
                reviews: reviews.remove(&id).unwrap_or_default(),
                imported: imported.remove(&id).unwrap_or_default(),
                returned_saved_at: saved.remove(&id).unwrap_or_default().into_iter().collect(),
                campaign_unit: cu,
            })
        })
        .collect()
}

/// [`unit_rows_of`] for units whose review state [`unit_reviews`] read already (a page
/// of the queue): only their report items and records are read; their unit, report,
/// place, reviews and imported facts are taken as read.
pub async fn unit_rows_from(
    state: &AppState,
    campaign: &Campaign,
    rubric: &Rubric,
    page: Vec<UnitReview>,
) -> AppResult<Vec<UnitRows>> {
    let store = &state.store;
    let ids: Vec<Id> = page.iter().map(|u| u.unit.id).collect();
    let mut items = group(store.report_items_of(campaign.id, Some(&ids)).await?);
    let mut records = if rubric.record_kinds().is_empty() {
        HashMap::new()
    } else {
        let (start, end) = campaign.period();
        group(
            store
                .unit_records_between(campaign.organiser_id, Some(&ids), &start, &end)
                .await?
                .into_iter()
                .map(|r| (r.unit_id, r))
                .collect(),
        )
    };
    let mut places: Vec<CampaignUnit> = page.iter().map(|u| u.campaign_unit.clone()).collect();
    scoring::all_with_unrectified(state, campaign, rubric, &mut places).await?;
    Ok(page
        .into_iter()
        .zip(places)
        .map(|(u, place)| {
            let id = u.unit.id;
            UnitRows {
                unit: u.unit,
                campaign_unit: place,
                report: u.report,
                items: items.remove(&id).unwrap_or_default(),
                reviews: u.reviews,
                imported: u.imported,
                records: records.remove(&id).unwrap_or_default(),
            }
        })
        .collect())
}

/// The campaign's organiser's units, by id.
async fn units_by_id(state: &AppState, campaign: &Campaign) -> AppResult<HashMap<Id, Unit>> {
    Ok(state
        .store
        .units(campaign.organiser_id)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// A campaign unit its organiser does not have: the database contradicts itself.
fn missing_unit(campaign: &Campaign, id: Id) -> crate::http::error::AppError {
    crate::http::error::AppError::Internal(format!(
        "campaign {} has unit {id}, which its organiser does not",
        campaign.id
    ))
}

/// Rows of many units, by unit.
fn group<T>(rows: Vec<(Id, T)>) -> HashMap<Id, Vec<T>> {
    let mut by: HashMap<Id, Vec<T>> = HashMap::new();
    for (id, row) in rows {
        by.entry(id).or_default().push(row);
    }
    by
}

/// Both columns of every unit of a campaign, in the campaign's unit order.
pub async fn assess_all(
    state: &AppState,
    campaign: &Campaign,
) -> AppResult<(Arc<Rubric>, Vec<UnitAssessment>)> {
    let rubric = scoring::rubric(state, campaign.organiser_id, campaign.rubric_id).await?;
    let all = unit_rows(state, campaign, &rubric)
        .await?
        .into_iter()
        .map(|rows| assess(&rubric, campaign, rows))
        .collect();
    Ok((rubric, all))
}
