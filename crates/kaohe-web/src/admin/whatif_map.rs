//! Mapping a draft's facts to last year's by hand (数据对应), for the what-if: a draft
//! imported from an annex has keys of its own, so only the facts with the same key or
//! the same label in the same item are carried without a person. The page lists every
//! fact of the draft with the old fact it reads, how that was found, and a suggestion
//! where one is likely (the same item by its criteria, the fact by its label); a person
//! confirms or changes each, or says the old rubric has no such fact, and the mapping is
//! kept for the pair of versions (one audit row naming each change).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_core::Rubric;
use kaohe_core::compare::{Link, compatible, suggest};
use kaohe_core::rubric::{InputType, Slot};
use tower_sessions::Session;

use crate::AppState;
use crate::admin::whatif::{Pair, WhatIfQuery, pair};
use crate::audit::{change, record};
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::AppResult;
use crate::http::form::{Form, Opt};
use crate::http::layout::Layout;
use crate::http::upload::field;
use crate::year::Action;

/// The choice meaning "the old rubric has no such fact".
const NONE: &str = "~none";

struct Row {
    /// The form field: `m.` and the draft's key.
    name: String,
    label: String,
    how: &'static str,
    how_class: &'static str,
    options: Vec<Opt>,
    error: Option<String>,
}

struct Group {
    item: String,
    rows: Vec<Row>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/whatif_map.html")]
struct MapPage {
    layout: Layout,
    old: String,
    new: String,
    query: String,
    rubric: String,
    campaign: String,
    groups: Vec<Group>,
    linked: usize,
    suggested: usize,
    /// Open and with no suggestion.
    open: usize,
    only_open: bool,
    error: Option<String>,
}

pub async fn mapping_page(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Query(q): Query<WhatIfQuery>,
) -> AppResult<Response> {
    // Without a draft and a campaign of the admin's, the what-if page is where to pick them.
    let Some(p) = pair(&state, &me, &q).await? else {
        return Ok(Redirect::to("/admin/whatif").into_response());
    };
    let chosen = current(&p);
    let only_open = q.only.as_deref() == Some("open");
    render(&state, &session, &me, &p, &chosen, &[], None, only_open).await
}

/// What the page shows chosen for each slot of the draft: a person's choice, else the
/// automatic link, else the suggestion, else nothing (`""`).
fn current(p: &Pair) -> Vec<String> {
    let suggested = suggest(&p.old, &p.new, &p.mapping);
    (0..p.new.inputs().len())
        .map(|slot| {
            if p.mapping.none_by_hand[slot] {
                return NONE.to_string();
            }
            match p.mapping.links[slot] {
                Some((from, _)) => p.old.input(from).key.clone(),
                None => suggested
                    .iter()
                    .find(|(s, _)| *s == slot)
                    .map(|(_, from)| p.old.input(*from).key.clone())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// A fact as people name it, with its item: `管理工作第5项 · 信息登记率（百分比）`.
fn fact_words(r: &Rubric, slot: Slot) -> String {
    let input = r.input(slot);
    let kind = match input.ty {
        InputType::Count => "数量",
        InputType::Percent => "百分比",
        InputType::Decimal => "数值",
        InputType::Bool => "是/否",
        InputType::Text => "文字",
    };
    let place = match input.item {
        Some(ii) => r.item_ref(ii),
        None => "单位基础数据".to_string(),
    };
    format!("{place} · {}（{kind}）", input.label)
}

/// The page; with `only_open`, only the facts not yet mapped or ruled on (the others
/// are not on the form, so saving it keeps them as they are).
#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    p: &Pair,
    chosen: &[String],
    errors: &[(Slot, String)],
    error: Option<String>,
    only_open: bool,
) -> AppResult<Response> {
    let suggested = suggest(&p.old, &p.new, &p.mapping);
    let auto = kaohe_core::compare::Mapping::auto(&p.old, &p.new);
    let mut groups: Vec<Group> = Vec::new();
    let (mut linked, mut open) = (0, 0);
    for (slot, input) in p.new.inputs().iter().enumerate() {
        let (how, how_class) = if p.mapping.none_by_hand[slot] {
            ("往年没有（人工确认）", "done")
        } else {
            match p.mapping.links[slot] {
                Some((_, Link::Key)) => ("代码相同", "done"),
                Some((_, Link::Label)) => ("名称相同", "done"),
                Some((_, Link::ByHand)) => ("人工对应", "done"),
                None if suggested.iter().any(|(s, _)| *s == slot) => ("建议，请核对", "draft"),
                None => ("未对应", "late"),
            }
        };
        if p.mapping.links[slot].is_some() {
            linked += 1;
        } else if !p.mapping.none_by_hand[slot] {
            open += 1;
        }
        if only_open && how_class == "done" && !errors.iter().any(|(s, _)| *s == slot) {
            continue;
        }
        // A fact found by its key or label is undone by saying last year had none;
        // leaving it open is offered only where nothing was found.
        let mut options = Vec::new();
        if auto.from(slot).is_none() {
            options.push(Opt {
                value: String::new(),
                label: "（未对应：按未填计）".into(),
                selected: chosen[slot].is_empty(),
            });
        }
        options.push(Opt {
            value: NONE.into(),
            label: "（往年没有这项数据）".into(),
            selected: chosen[slot] == NONE,
        });
        options.extend(
            (0..p.old.inputs().len())
                .filter(|&o| compatible(p.old.input(o).ty, input.ty))
                .map(|o| Opt {
                    value: p.old.input(o).key.clone(),
                    label: fact_words(&p.old, o),
                    selected: chosen[slot] == p.old.input(o).key,
                }),
        );
        let item = match input.item {
            Some(ii) => format!(
                "{} {}",
                p.new.item_ref(ii),
                p.new.items()[ii].name.clone().unwrap_or_default()
            ),
            None => "单位基础数据".into(),
        };
        let row = Row {
            name: format!("m.{}", input.key),
            label: input.label.clone(),
            how,
            how_class,
            options,
            error: errors
                .iter()
                .find(|(s, _)| *s == slot)
                .map(|(_, e)| e.clone()),
        };
        match groups.last_mut() {
            Some(g) if g.item == item => g.rows.push(row),
            _ => groups.push(Group {
                item,
                rows: vec![row],
            }),
        }
    }
    let named = |r: &Rubric| format!("《{}》", r.title());
    let rubric = p.new_id.to_string();
    let campaign = p.campaign.id.to_string();
    Ok(MapPage {
        layout: Layout::new(state, session, me, "数据对应").await?,
        old: named(&p.old),
        new: named(&p.new),
        query: format!("rubric={rubric}&campaign={campaign}"),
        rubric,
        campaign,
        groups,
        linked,
        suggested: suggested.len(),
        open: open - suggested.len(),
        only_open,
        error,
    }
    .into_response())
}

pub async fn mapping_save(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    check_csrf(&session, field(&pairs, "csrf")).await?;
    let q = WhatIfQuery {
        rubric: field(&pairs, "rubric").parse().ok(),
        campaign: field(&pairs, "campaign").parse().ok(),
        ..WhatIfQuery::default()
    };
    let Some(p) = pair(&state, &me, &q).await? else {
        return Ok(Redirect::to("/admin/whatif").into_response());
    };
    let auto = kaohe_core::compare::Mapping::auto(&p.old, &p.new);
    let mut chosen = current(&p);
    let mut keep: Vec<(String, Option<String>)> = Vec::new();
    let mut errors: Vec<(Slot, String)> = Vec::new();
    for (slot, input) in p.new.inputs().iter().enumerate() {
        let name = format!("m.{}", input.key);
        let Some((_, value)) = pairs.iter().find(|(k, _)| *k == name) else {
            // Not on the form that was sent: as it was.
            if p.mapping.none_by_hand[slot] {
                keep.push((input.key.clone(), None));
            } else if let Some((from, Link::ByHand)) = p.mapping.links[slot] {
                keep.push((input.key.clone(), Some(p.old.input(from).key.clone())));
            }
            continue;
        };
        chosen[slot] = value.clone();
        let auto_key = auto.from(slot).map(|s| p.old.input(s).key.as_str());
        match value.as_str() {
            // Left open: nothing kept, unless it undoes an automatic link.
            "" if auto_key.is_some() => keep.push((input.key.clone(), None)),
            "" => {}
            NONE => keep.push((input.key.clone(), None)),
            key => match p.old.slot(key) {
                None => errors.push((slot, "往年细则里没有所选的数据，请重新选择。".into())),
                Some(from) if !compatible(p.old.input(from).ty, input.ty) => errors.push((
                    slot,
                    format!(
                        "所选的“{}”与“{}”类型不同，不能对应，请重新选择。",
                        p.old.input(from).label,
                        input.label
                    ),
                )),
                Some(_) if auto_key == Some(key) => {}
                Some(_) => keep.push((input.key.clone(), Some(key.to_string()))),
            },
        }
    }
    if !errors.is_empty() {
        let message = format!(
            "{}：{} 项的选择有误，请按提示改正。",
            Action::WhatIfMapping.refused(),
            errors.len()
        );
        return render(
            &state,
            &session,
            &me,
            &p,
            &chosen,
            &errors,
            Some(message),
            false,
        )
        .await;
    }
    let before: Vec<(String, Option<String>)> = state
        .store
        .fact_mappings(me.org(), p.campaign.rubric_id, p.new_id)
        .await?
        .into_iter()
        .map(|m| (m.new_key, m.old_key))
        .collect();
    let words = |key: &Option<String>| -> serde_json::Value {
        match key.as_deref().and_then(|k| p.old.slot(k)) {
            Some(s) => fact_words(&p.old, s).into(),
            None if key.is_none() => "往年没有这项数据".into(),
            None => serde_json::Value::Null,
        }
    };
    let mut changes = Vec::new();
    for (slot, input) in p.new.inputs().iter().enumerate() {
        let was = before.iter().find(|(k, _)| *k == input.key).map(|(_, v)| v);
        let now = keep.iter().find(|(k, _)| *k == input.key).map(|(_, v)| v);
        if was != now {
            changes.push(change(
                &fact_words(&p.new, slot),
                was.map_or(serde_json::Value::Null, words),
                now.map_or(serde_json::Value::Null, words),
            ));
        }
    }
    let back = format!(
        "/admin/whatif?rubric={}&campaign={}&saved=map",
        p.new_id, p.campaign.id
    );
    if changes.is_empty() {
        return Ok(Redirect::to(&back).into_response());
    }
    let mut work = state.store.begin().await?;
    work.set_fact_mappings(me.org(), p.campaign.rubric_id, p.new_id, &keep, me.user.id)
        .await?;
    record(
        work,
        &me,
        Action::WhatIfMapping,
        format!("whatif:rubric:{}/campaign:{}", p.new_id, p.campaign.id),
        changes,
    )
    .await?;
    Ok(Redirect::to(&back).into_response())
}
