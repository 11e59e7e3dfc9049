//! Where the points went (差距分析) on the pages: a unit's best improvements (its
//! self-check page before review, its results page after), and the district's view —
//! points lost per unit and item, and the rules that cost most across units. The advice
//! is the core's (`kaohe_core::gaps`); this module only chooses and words it.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use kaohe_core::gaps::{Gap, Remedy, describe, gaps};
use kaohe_core::{Decimal, Facts, Rubric, UnitScore, fmt_decimal as f};
use kaohe_storage::Id;
use tower_sessions::Session;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::error::{AppError, AppResult};
use crate::http::form::Path;
use crate::http::layout::Layout;
use crate::year::Year;
use crate::year::assess::{assess, unit_rows};
use crate::year::results::visibility;
use crate::year::scoring;

/// Where a cause is: its item, its rule in the item, and the check of a checks rule.
type Cause3 = (usize, usize, Option<usize>);

/// One improvement as a page lists it.
pub struct GapLine {
    pub item_id: String,
    /// `基础工作第3项 宣传和信息报送`.
    pub item: String,
    /// The change in the unit's words, with its gain.
    pub text: String,
    /// The points it gains alone.
    pub gain: Decimal,
}

/// The numbers of a unit's gap bars (JSON for `charts.js`): each improvement's item and
/// gain, best first.
pub fn bars(lines: &[GapLine]) -> String {
    serde_json::json!({
        // Each bar named by its change (an item may have two), without the gain.
        "gaps": lines
            .iter()
            .map(|l| l.text.split(" → ").next().unwrap_or_default().to_string())
            .collect::<Vec<_>>(),
        "gains": lines.iter().map(|l| f(l.gain)).collect::<Vec<_>>(),
    })
    .to_string()
}

/// A unit's best `n` improvements (changes of facts that gain points), of the items
/// `shown`, best first.
pub fn best(
    rubric: &Rubric,
    facts: &Facts,
    scored: &UnitScore,
    shown: &dyn Fn(usize) -> bool,
    n: usize,
) -> Vec<GapLine> {
    gaps(rubric, facts, scored)
        .into_iter()
        .filter(|g| matches!(g.remedy, Remedy::Change(_)) && g.gain > Decimal::ZERO)
        .filter(|g| shown(g.item))
        .take(n)
        .map(|g| line(rubric, &g))
        .collect()
}

fn line(rubric: &Rubric, g: &Gap) -> GapLine {
    let it = &rubric.items()[g.item];
    GapLine {
        item_id: it.id.clone(),
        item: format!(
            "{} {}",
            rubric.item_ref(g.item),
            it.name.clone().unwrap_or_default()
        ),
        text: describe(rubric, g),
        gain: g.gain,
    }
}

struct HeatRow {
    unit: String,
    total: String,
    /// Points lost on each item (empty when none), and a shade 0–4.
    cells: Vec<(String, u8)>,
}

/// A rule that cost the district points: its item, what it asks, how many units it
/// cost, and what meeting it would regain in all (each unit alone).
pub struct Cause {
    pub item: String,
    pub what: String,
    pub units: usize,
    pub gain: Decimal,
}

/// The causes of lost points across units, gathered unit by unit.
#[derive(Default)]
pub struct Causes {
    // (item, rule, check) → (words, units, gain in all)
    found: BTreeMap<Cause3, (String, usize, Decimal)>,
}

impl Causes {
    /// Adds a unit's gaps: a rule may have several remedies (one per award term), so a
    /// unit counts once per rule, with its best.
    pub fn add(&mut self, rubric: &Rubric, facts: &Facts, scored: &UnitScore) {
        let mut mine: BTreeMap<Cause3, (String, Decimal)> = BTreeMap::new();
        for g in gaps(rubric, facts, scored) {
            if g.gain <= Decimal::ZERO {
                continue;
            }
            let e = mine
                .entry((g.item, g.rule, g.check))
                .or_insert_with(|| (rule_words(rubric, &g), Decimal::ZERO));
            e.1 = e.1.max(g.gain);
        }
        for (key, (words, gain)) in mine {
            let e = self.found.entry(key).or_insert((words, 0, Decimal::ZERO));
            e.1 += 1;
            e.2 += gain;
        }
    }

    /// The `n` that would regain most, most first.
    pub fn top(self, rubric: &Rubric, n: usize) -> Vec<Cause> {
        let mut out: Vec<Cause> = self
            .found
            .into_iter()
            .map(|((ii, _, _), (what, units, gain))| Cause {
                item: format!(
                    "{} {}",
                    rubric.item_ref(ii),
                    rubric.items()[ii].name.clone().unwrap_or_default()
                ),
                what,
                units,
                gain,
            })
            .collect();
        out.sort_by_key(|c| std::cmp::Reverse(c.gain));
        out.truncate(n);
        out
    }
}

/// The district's causes of lost points in a campaign, on the verified facts.
pub async fn district_causes(
    state: &AppState,
    campaign: &kaohe_storage::Campaign,
    rubric: &Rubric,
    n: usize,
) -> AppResult<Vec<Cause>> {
    let mut causes = Causes::default();
    for rows in unit_rows(state, campaign, rubric).await? {
        let a = assess(rubric, campaign, rows);
        causes.add(rubric, &a.verified_facts, &a.assessed);
    }
    Ok(causes.top(rubric, n))
}

#[derive(Template, WebTemplate)]
#[template(path = "year/results/gaps.html")]
struct GapsPage {
    layout: Layout,
    campaign_id: Id,
    title: String,
    /// Items with points, as column heads: `(short place, full name)`.
    items: Vec<(String, String)>,
    rows: Vec<HeatRow>,
    /// Points lost per item across all units.
    lost: Vec<String>,
    causes: Vec<Cause>,
}

/// The district's view: points lost per unit and item (a heat table), and the rules
/// that cost most across units, each with what meeting it would regain in all.
pub async fn district(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path(cid): Path<Id>,
) -> AppResult<Response> {
    let year = Year::for_request(&state, &me, cid).await?;
    let campaign = year.campaign.clone();
    if !visibility(&me, &campaign)?.all {
        return Err(AppError::Forbidden);
    }
    let rubric = scoring::rubric(&state, me.org(), campaign.rubric_id).await?;
    let _turn = state.wide().await?;
    let with_points: Vec<usize> = (0..rubric.items().len())
        .filter(|ii| rubric.items()[*ii].points.is_some())
        .collect();
    let mut rows = Vec::new();
    let mut lost = vec![Decimal::ZERO; with_points.len()];
    let mut causes = Causes::default();
    for unit in unit_rows(&state, &campaign, &rubric).await? {
        let a = assess(&rubric, &campaign, unit);
        let mut cells = Vec::new();
        for (k, &ii) in with_points.iter().enumerate() {
            let points = rubric.items()[ii].points.unwrap_or_default();
            let gone = (points - a.assessed.items[ii].score).max(Decimal::ZERO);
            lost[k] += gone;
            // A quarter of the item's points lost or less is 1, all of them 4.
            let quarters = gone * Decimal::from(4);
            let shade = match () {
                _ if gone.is_zero() => 0,
                _ if quarters <= points => 1,
                _ if quarters <= points * Decimal::TWO => 2,
                _ if quarters <= points * Decimal::from(3) => 3,
                _ => 4,
            };
            cells.push((
                if gone.is_zero() {
                    String::new()
                } else {
                    f(gone)
                },
                shade,
            ));
        }
        causes.add(&rubric, &a.verified_facts, &a.assessed);
        rows.push(HeatRow {
            unit: a.unit.name.clone(),
            total: f(a.assessed.total),
            cells,
        });
    }
    let causes = causes.top(&rubric, 10);
    Ok(GapsPage {
        layout: Layout::new(
            &state,
            &session,
            &me,
            &format!("{} · 失分分析", campaign.title),
        )
        .await?,
        campaign_id: cid,
        title: campaign.title,
        items: with_points
            .iter()
            .map(|&ii| {
                let it = &rubric.items()[ii];
                let cat = &rubric.categories()[it.category].name;
                let short: String = cat.chars().take(2).collect();
                (
                    format!(
                        "{short}{}",
                        ii - rubric.categories()[it.category].items.start + 1
                    ),
                    format!(
                        "{} {}",
                        rubric.item_ref(ii),
                        it.name.clone().unwrap_or_default()
                    ),
                )
            })
            .collect(),
        rows,
        lost: lost.into_iter().map(f).collect(),
        causes,
    }
    .into_response())
}

/// What a rule (or one of its checks) asks, in words, for the district's list of causes.
fn rule_words(rubric: &Rubric, g: &Gap) -> String {
    let rule = &rubric.items()[g.item].rules[g.rule];
    match (&rule.kind, g.check) {
        (kaohe_core::rubric::RuleKind::Checks { checks, .. }, Some(c)) => {
            format!("未做到“{}”", checks[c].label)
        }
        _ => kaohe_core::explain::describe_rule(rubric, g.item, g.rule),
    }
}
