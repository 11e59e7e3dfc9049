//! From stored rows to scores: the campaign's frozen rubric, the unit's facts, the score.

use std::collections::BTreeMap;
use std::sync::Arc;

use kaohe_core::{Facts, Rubric, UnitScore, score};
use kaohe_storage::{Campaign, Id, RawFacts, Record, ReportItem};

use crate::AppState;
use crate::http::error::{AppError, AppResult};

/// A rubric version, parsed once per app server (versions never change).
pub async fn rubric(state: &AppState, organiser_id: Id, rubric_id: Id) -> AppResult<Arc<Rubric>> {
    if let Some(r) = state.rubrics.lock().expect("rubric cache").get(&rubric_id) {
        return Ok(r.clone());
    }
    let row = state.store.rubric(organiser_id, rubric_id).await?;
    let parsed = Rubric::from_toml(&row.source, &format!("{} v{}", row.code, row.version))
        .map_err(|e| {
            AppError::Internal(format!("stored rubric {rubric_id} no longer loads: {e}"))
        })?;
    let parsed = Arc::new(parsed);
    state
        .rubrics
        .lock()
        .expect("rubric cache")
        .insert(rubric_id, parsed.clone());
    Ok(parsed)
}

/// Sets the facts of `raw` that parse; stored facts were checked when saved, so a value
/// that no longer parses is left out (and shows as missing) rather than failing a page.
pub fn apply(rubric: &Rubric, facts: &mut Facts, raw: &RawFacts) {
    for (key, value) in raw {
        if let Some(slot) = rubric.slot(key)
            && let Some(v) = parse_stored(rubric, slot, value)
        {
            facts.set(slot, Some(v));
        }
    }
}

/// A stored value read as it was read when it was saved. Before commas were read
/// strictly, every comma was dropped (`1,5` was 15): such a value keeps that reading, so
/// recomputing results never changes a score computed from it without anyone noticing;
/// whoever edits the item now is asked what they meant (`是否指 1.5？`).
pub fn parse_stored(rubric: &Rubric, slot: usize, value: &str) -> Option<kaohe_core::Value> {
    match rubric.parse_value(slot, value) {
        Ok(v) => v,
        Err(_) if value.contains([',', '，']) => rubric
            .parse_value(slot, &value.replace([',', '，'], ""))
            .ok()
            .flatten(),
        Err(_) => None,
    }
}

/// A unit's facts: the district's unit-level facts, everything the unit reported, and
/// the counts of its records (`counts`, one column's: see [`Counted::column`]). A fact
/// that counts records is never taken from what was typed.
pub fn unit_facts(
    rubric: &Rubric,
    unit_level: &RawFacts,
    items: &[ReportItem],
    counts: &RawFacts,
) -> Facts {
    let mut facts = Facts::new(rubric);
    for item in items {
        apply(rubric, &mut facts, &item.facts);
    }
    for (slot, _, _) in rubric.record_inputs() {
        facts.set(slot, None);
    }
    apply(rubric, &mut facts, counts);
    // Unit-level facts last: a unit cannot override what the district set.
    let district: RawFacts = unit_level
        .iter()
        .filter(|(k, _)| {
            rubric
                .slot(k)
                .is_some_and(|s| rubric.input(s).item.is_none())
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    apply(rubric, &mut facts, &district);
    facts
}

/// The records a unit's facts count, in each column (by the facts' keys). A rubric with
/// no records has none.
#[derive(Debug, Clone, Default)]
pub struct Counted {
    /// Fact key → the records counted in the self-check column (declared and
    /// confirmed) and in the assessed column (confirmed), by id.
    pub by_key: BTreeMap<String, (Vec<Id>, Vec<Id>)>,
}

impl Counted {
    /// One column's counts as facts (key → count), for [`unit_facts`].
    pub fn column(&self, assessed: bool) -> RawFacts {
        self.by_key
            .iter()
            .map(|(k, (s, a))| {
                let n = if assessed { a.len() } else { s.len() };
                (k.clone(), n.to_string())
            })
            .collect()
    }

    /// The records counted for `key` in a column.
    pub fn ids(&self, key: &str, assessed: bool) -> &[Id] {
        match self.by_key.get(key) {
            Some((s, a)) => {
                if assessed {
                    a
                } else {
                    s
                }
            }
            None => &[],
        }
    }
}

/// What each fact that counts records counts among `records` (one unit's), for a
/// campaign's period.
pub fn count(rubric: &Rubric, campaign: &Campaign, records: &[Record]) -> Counted {
    let mut by_key = BTreeMap::new();
    for (_, input, what) in rubric.record_inputs() {
        let kind = &rubric.record_kinds()[what.kind];
        let of_fact = || {
            records.iter().filter(|r| {
                r.kind == kind.id && campaign.in_period(&r.day) && what.matches(kind, &r.fields)
            })
        };
        let ids = |assessed: bool| {
            of_fact()
                .filter(|r| r.counts(assessed))
                .map(|r| r.id)
                .collect::<Vec<_>>()
        };
        by_key.insert(input.key.clone(), (ids(false), ids(true)));
    }
    Counted { by_key }
}

/// The records a unit's facts count in a campaign, as of now.
pub async fn counted(
    state: &AppState,
    campaign: &Campaign,
    rubric: &Rubric,
    unit_id: Id,
) -> AppResult<Counted> {
    if rubric.record_kinds().is_empty() {
        return Ok(Counted::default());
    }
    let records = state
        .store
        .unit_records(campaign.organiser_id, unit_id)
        .await?;
    Ok(count(rubric, campaign, &records))
}

/// A unit's place in a campaign with its district facts as scoring reads them: what the
/// district set, and the facts kaohe computes (`from` in the rubric: last year's
/// problems not rectified), as of now. A unit not in the campaign is `NotFound`.
pub async fn campaign_unit(
    state: &AppState,
    campaign: &Campaign,
    rubric: &Rubric,
    unit_id: Id,
) -> AppResult<kaohe_storage::CampaignUnit> {
    let cu = state.store.campaign_unit(campaign.id, unit_id).await?;
    with_unrectified(state, campaign, rubric, cu).await
}

/// A unit's place as stored (read already for the request), with the facts kaohe counts
/// for it ([`campaign_unit`]).
pub async fn with_unrectified(
    state: &AppState,
    campaign: &Campaign,
    rubric: &Rubric,
    mut cu: kaohe_storage::CampaignUnit,
) -> AppResult<kaohe_storage::CampaignUnit> {
    let unit_id = cu.unit_id;
    if reads_unrectified(rubric) {
        let n = crate::year::rectify::unrectified(state, campaign, unit_id).await?;
        set_unrectified(rubric, &mut cu, n);
    }
    Ok(cu)
}

/// Every unit's place in a campaign, as [`campaign_unit`] reads one, in a few queries.
pub async fn campaign_units(
    state: &AppState,
    campaign: &Campaign,
    rubric: &Rubric,
) -> AppResult<Vec<kaohe_storage::CampaignUnit>> {
    let mut all = state.store.campaign_units(campaign.id).await?;
    all_with_unrectified(state, campaign, rubric, &mut all).await?;
    Ok(all)
}

/// [`with_unrectified`] for many units' places read already, in one query.
pub async fn all_with_unrectified(
    state: &AppState,
    campaign: &Campaign,
    rubric: &Rubric,
    places: &mut [kaohe_storage::CampaignUnit],
) -> AppResult<()> {
    if reads_unrectified(rubric) {
        let open = crate::year::rectify::unrectified_all(state, campaign).await?;
        for cu in places {
            let n = open.get(&cu.unit_id).copied().unwrap_or(0);
            set_unrectified(rubric, cu, n);
        }
    }
    Ok(())
}

/// Whether a unit-level fact of the rubric is last year's problems not rectified.
fn reads_unrectified(rubric: &Rubric) -> bool {
    rubric.inputs().iter().any(|i| {
        i.item.is_none()
            && matches!(
                i.from,
                Some(kaohe_core::rubric::FactSource::LastYearUnrectified)
            )
    })
}

fn set_unrectified(rubric: &Rubric, cu: &mut kaohe_storage::CampaignUnit, n: usize) {
    for input in rubric.inputs().iter().filter(|i| i.item.is_none()) {
        if let Some(kaohe_core::rubric::FactSource::LastYearUnrectified) = &input.from {
            cu.unit_facts.insert(input.key.clone(), n.to_string());
        }
    }
}

/// The self-check score of a unit in a campaign, with its facts.
pub async fn self_score(
    state: &AppState,
    campaign: &Campaign,
    unit_id: Id,
) -> AppResult<(Arc<Rubric>, Facts, UnitScore, Vec<ReportItem>)> {
    let rubric = rubric(state, campaign.organiser_id, campaign.rubric_id).await?;
    let cu = campaign_unit(state, campaign, &rubric, unit_id).await?;
    let items = state.store.report_items(campaign.id, unit_id).await?;
    let records = counted(state, campaign, &rubric, unit_id).await?;
    let facts = unit_facts(&rubric, &cu.unit_facts, &items, &records.column(false));
    let s = score(&rubric, &facts);
    Ok((rubric, facts, s, items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_stored_under_the_old_comma_reading_keeps_it() {
        let rubric = Rubric::from_toml(
            include_str!("../../../../rubrics/beilun-2026.toml"),
            "beilun-2026.toml",
        )
        .unwrap();
        let slot = rubric.slot("basic.1.misses").unwrap();
        // Typed now, it is refused with a question; stored before, it reads as it did.
        assert!(rubric.parse_value(slot, "1,5").is_err());
        assert_eq!(
            parse_stored(&rubric, slot, "1,5"),
            rubric.parse_value(slot, "15").unwrap()
        );
        assert_eq!(
            parse_stored(&rubric, slot, "2"),
            rubric.parse_value(slot, "2").unwrap()
        );
        assert_eq!(parse_stored(&rubric, slot, "abc"), None);
    }
}
