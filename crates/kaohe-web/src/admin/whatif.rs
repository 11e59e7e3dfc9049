//! What-if of a draft rubric (新旧细则对比): the admin picks a rubric version and a past
//! campaign; the campaign's final facts (as verified) are scored under both, side by
//! side — each unit's total and rank, the rank changes (a slope chart), grade changes,
//! the items whose points moved most, and the facts the draft needs that the data lacks.
//! Nothing is stored.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use kaohe_core::compare::{Mapping, compare_with, suggest};
use kaohe_core::explain::grade_text;
use kaohe_core::{Facts, Rubric, fmt_decimal as f, fmt_delta};
use kaohe_storage::Id;
use serde_json::json;
use tower_sessions::Session;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::error::AppResult;
use crate::http::form::Opt;
use crate::http::layout::Layout;
use crate::year::assess::{assess, unit_rows};
use crate::year::{Phase, Year, scoring};

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct WhatIfQuery {
    pub(crate) rubric: Option<Id>,
    pub(crate) campaign: Option<Id>,
    /// `map`: back from saving the mapping.
    pub(crate) saved: Option<String>,
    /// `open`: the mapping page shows only the facts a person still has to look at.
    pub(crate) only: Option<String>,
}

struct Row {
    unit: String,
    /// The two totals exactly, for the workbook.
    totals: (kaohe_core::Decimal, kaohe_core::Decimal),
    before: String,
    rank_before: usize,
    after: String,
    rank_after: usize,
    delta: String,
    moved: String,
    moved_class: &'static str,
    grade: String,
}

struct Outcome {
    old: String,
    new: String,
    rows: Vec<Row>,
    graded: bool,
    moves: Vec<(String, String)>,
    /// The moves exactly, for the workbook.
    move_values: Vec<(String, kaohe_core::Decimal)>,
    lacking: Vec<String>,
    dropped: Vec<String>,
    /// The draft's facts no old fact is mapped to and no person ruled on, and how many
    /// of them have a suggestion on the mapping page.
    open: usize,
    suggested: usize,
    chart: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/whatif.html")]
struct WhatIfPage {
    layout: Layout,
    rubrics: Vec<Opt>,
    campaigns: Vec<Opt>,
    /// The query of the comparison shown, for its download.
    query: String,
    saved: bool,
    outcome: Option<Outcome>,
}

pub async fn whatif(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Query(q): Query<WhatIfQuery>,
) -> AppResult<Response> {
    let versions = state.store.rubrics(me.org()).await?;
    let campaigns = with_facts(&state, &me).await?;
    let outcome = tried(&state, &me, &q).await?;
    let rubrics = versions
        .iter()
        .map(|v| Opt {
            value: v.id.to_string(),
            label: crate::admin::rubrics::version_label(v),
            selected: q.rubric == Some(v.id),
        })
        .collect();
    Ok(WhatIfPage {
        layout: Layout::new(&state, &session, &me, "新旧细则对比").await?,
        rubrics,
        campaigns: campaigns
            .iter()
            .map(|c| Opt {
                value: c.id.to_string(),
                label: c.title.clone(),
                selected: q.campaign == Some(c.id),
            })
            .collect(),
        query: match (q.rubric, q.campaign) {
            (Some(r), Some(c)) => format!("rubric={r}&campaign={c}"),
            _ => String::new(),
        },
        saved: q.saved.as_deref() == Some("map"),
        outcome,
    }
    .into_response())
}

/// A draft and a past campaign to try it on, with the mapping of facts between the
/// campaign's rubric and the draft.
pub(crate) struct Pair {
    pub campaign: kaohe_storage::Campaign,
    pub new_id: Id,
    pub old: std::sync::Arc<Rubric>,
    pub new: std::sync::Arc<Rubric>,
    /// The automatic mapping with a person's choices over it.
    pub mapping: Mapping,
}

/// The pair the query names, when the admin has both.
pub(crate) async fn pair(
    state: &AppState,
    me: &CurrentUser,
    q: &WhatIfQuery,
) -> AppResult<Option<Pair>> {
    let (Some(rid), Some(cid)) = (q.rubric, q.campaign) else {
        return Ok(None);
    };
    let versions = state.store.rubrics(me.org()).await?;
    let campaigns = with_facts(state, me).await?;
    let Some(campaign) = campaigns.into_iter().find(|c| c.id == cid) else {
        return Ok(None);
    };
    if !versions.iter().any(|v| v.id == rid) {
        return Ok(None);
    }
    let old = scoring::rubric(state, me.org(), campaign.rubric_id).await?;
    let new = scoring::rubric(state, me.org(), rid).await?;
    let chosen: Vec<(String, Option<String>)> = state
        .store
        .fact_mappings(me.org(), campaign.rubric_id, rid)
        .await?
        .into_iter()
        .map(|m| (m.new_key, m.old_key))
        .collect();
    // Versions never change, so a kept key is always there; one that is not is skipped.
    let (mapping, _) = Mapping::auto(&old, &new).with_hand(&old, &new, &chosen);
    Ok(Some(Pair {
        campaign,
        new_id: rid,
        old,
        new,
        mapping,
    }))
}

/// The what-if asked for, when the query names a version and a campaign the admin has.
async fn tried(state: &AppState, me: &CurrentUser, q: &WhatIfQuery) -> AppResult<Option<Outcome>> {
    let Some(p) = pair(state, me, q).await? else {
        return Ok(None);
    };
    let mut names = Vec::new();
    let mut facts: Vec<Facts> = Vec::new();
    for rows in unit_rows(state, &p.campaign, &p.old).await? {
        let a = assess(&p.old, &p.campaign, rows);
        names.push(a.unit.name.clone());
        facts.push(a.verified_facts);
    }
    Ok(Some(outcome(&p.old, &p.new, &p.mapping, &names, &facts)))
}

/// The campaigns whose facts can be tried: reported ones (not drafts, not past years
/// imported as totals).
pub(crate) async fn with_facts(
    state: &AppState,
    me: &CurrentUser,
) -> AppResult<Vec<kaohe_storage::Campaign>> {
    let mut out = Vec::new();
    for c in state.store.campaigns(me.org()).await? {
        let phase = Year::of(state, c.clone()).await?.phase;
        if !matches!(phase, Phase::Draft | Phase::PastYear) {
            out.push(c);
        }
    }
    Ok(out)
}

/// The what-if as a workbook (the page's 下载对比表).
pub async fn whatif_xlsx(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<WhatIfQuery>,
) -> AppResult<Response> {
    let Some(o) = tried(&state, &me, &q).await? else {
        return Err(crate::http::error::AppError::BadRequest(
            "请先选择要试算的细则和往年考核任务。".into(),
        ));
    };
    let sheet = kaohe_formats::export::Comparison {
        old: o.old.clone(),
        new: o.new.clone(),
        rows: o
            .rows
            .iter()
            .map(|r| kaohe_formats::export::CompareRow {
                unit: r.unit.clone(),
                before: r.totals.0,
                rank_before: r.rank_before,
                after: r.totals.1,
                rank_after: r.rank_after,
                grade: r.grade.clone(),
            })
            .collect(),
        moves: o.move_values.clone(),
        lacking: o.lacking.clone(),
        demo: me.organiser.is_demo,
    };
    let filename = kaohe_formats::export::safe_file_name("新旧细则对比.xlsx");
    let target = format!(
        "whatif:rubric:{}/campaign:{}",
        q.rubric.unwrap_or_default(),
        q.campaign.unwrap_or_default()
    );
    crate::year::exports::send(
        &state,
        &me,
        target,
        filename,
        kaohe_formats::export::comparison_xlsx(&sheet),
    )
    .await
}

fn outcome(
    old: &Rubric,
    new: &Rubric,
    mapping: &Mapping,
    names: &[String],
    facts: &[Facts],
) -> Outcome {
    let (units, moves) = compare_with(old, new, mapping, facts);
    let graded = !old.grades().is_empty() || !new.grades().is_empty();
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by_key(|&k| (units[k].rank_after, units[k].rank_before));
    let rows = order
        .iter()
        .map(|&k| {
            let u = &units[k];
            let moved = u.rank_before as i64 - u.rank_after as i64;
            let (g0, g1) = (grade_text(old, &u.before), grade_text(new, &u.after));
            Row {
                unit: names[k].clone(),
                totals: (u.before.total, u.after.total),
                before: f(u.before.total),
                rank_before: u.rank_before,
                after: f(u.after.total),
                rank_after: u.rank_after,
                delta: fmt_delta(u.after.total - u.before.total),
                moved: match moved {
                    0 => "—".to_string(),
                    m if m > 0 => format!("↑{m}"),
                    m => format!("↓{}", -m),
                },
                moved_class: match moved {
                    0 => "same",
                    m if m > 0 => "up",
                    _ => "down",
                },
                grade: if g0 == g1 {
                    String::new()
                } else {
                    format!("{g0} → {g1}")
                },
            }
        })
        .collect();
    let move_values: Vec<(String, kaohe_core::Decimal)> =
        moves.iter().map(|m| (m.name(old, new), m.delta)).collect();
    let moves = move_values
        .iter()
        .take(8)
        .map(|(w, d)| (w.clone(), fmt_delta(*d)))
        .collect();
    let mut lacking: Vec<String> = Vec::new();
    for (slot, why) in units.iter().flat_map(|u| u.carried.missing.iter()) {
        let input = new.input(*slot);
        let line = match why {
            None if mapping.none_by_hand[*slot] => format!("{}（新增数据，往年没有）", input.label),
            None => format!("{}（往年数据里没有）", input.label),
            Some(w) => format!("{}：{w}", input.label),
        };
        if !lacking.contains(&line) {
            lacking.push(line);
        }
    }
    let dropped = units
        .first()
        .map(|u| {
            u.carried
                .dropped
                .iter()
                .map(|s| old.input(*s).label.clone())
                .collect()
        })
        .unwrap_or_default();
    let chart = json!({
        "units": names,
        "before": units.iter().map(|u| u.rank_before).collect::<Vec<_>>(),
        "after": units.iter().map(|u| u.rank_after).collect::<Vec<_>>(),
    })
    .to_string();
    let named = |r: &Rubric| match r.year() {
        Some(y) => format!("《{}》（{y} 年度）", r.title()),
        None => format!("《{}》", r.title()),
    };
    Outcome {
        old: named(old),
        new: named(new),
        rows,
        graded,
        moves,
        move_values,
        lacking,
        dropped,
        open: mapping.open().count(),
        suggested: suggest(old, new, mapping).len(),
        chart,
    }
}
