//! The 自查表 on A4 paper: the annex's layout with the 自查分 filled in and the 考核分
//! left for the assessors, the people who filled it in, and the lines for the seal and
//! the leader's signature, to print before submitting (or after, for the files).
use super::*;

use crate::http::form::Path;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use kaohe_formats::export::{Results, ScoredUnit};
use kaohe_storage::{Id, ItemState};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::error::{AppError, AppResult};
use crate::http::layout::china_time;
use crate::year::exports::PrintUnit;
use crate::year::scoring;

/// What the 自查表 is signed with: the unit's seal, its leader, the date.
const SIGNATURES: [&str; 3] = ["填报单位（盖章）：", "审核领导（签字）：", "日期："];

pub async fn print(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((cid, uid)): Path<(Id, Id)>,
) -> AppResult<Response> {
    let cx = context(&state, &me, cid, uid).await?;
    let (rubric, facts, s, items) = scoring::self_score(&state, &cx.campaign, uid).await?;
    let mut r = Results::from_scores(
        &rubric,
        &[ScoredUnit {
            name: &cx.unit.name,
            self_facts: &facts,
            self_score: &s,
            facts: &facts,
            score: &s,
        }],
    );
    r.title = cx.campaign.title.clone();
    let shown = |ii: usize| {
        let id = &rubric.items()[ii].id;
        cx.visible.as_ref().is_none_or(|v| v.contains(id))
    };
    let u = r
        .units
        .first()
        .ok_or_else(|| AppError::Internal("no unit scored".into()))?;
    let (mut rows, totals) = PrintUnit::rows(&r, u, false, &shown);
    // Not filled is not a score: rows come in the rubric's order of the items shown.
    let filled = |ii: usize| items.iter().any(|i| i.item_id == rubric.items()[ii].id);
    for (row, ii) in rows
        .iter_mut()
        .zip((0..rubric.items().len()).filter(|ii| shown(*ii)))
    {
        if !filled(ii) {
            row.self_score = "未填".into();
        }
    }
    let done = items
        .iter()
        .filter(|i| i.state == ItemState::Done && shown_id(&rubric, &cx, &i.item_id))
        .count();
    let count = (0..rubric.items().len()).filter(|ii| shown(*ii)).count();
    let meta = match cx.report.submitted_at {
        Some(at) => format!("{} 提交", china_time(at)),
        None if done < count => format!("自查中，自查分暂计（已完成 {done}/{count} 项）"),
        None => "自查中，尚未提交".to_string(),
    };
    let note = cx.report.filler_name.as_ref().map(|name| {
        format!(
            "填报人：{name}　联系电话：{}　审核领导：{}",
            cx.report.filler_phone.clone().unwrap_or_default(),
            cx.report.approver.clone().unwrap_or_default()
        )
    });
    let title = if cx.visible.is_some() {
        format!("{}（本部门负责的项目）", r.title)
    } else {
        r.title.clone()
    };
    Ok(PrintUnit {
        rubric_title: r.rubric_title.clone(),
        title,
        unit: cx.unit.name.clone(),
        meta,
        rows,
        totals,
        note,
        signatures: SIGNATURES,
        back: format!("/c/{cid}/u/{uid}"),
    }
    .into_response())
}

fn shown_id(rubric: &kaohe_core::Rubric, cx: &Context, id: &str) -> bool {
    rubric.item(id).is_some()
        && cx
            .visible
            .as_ref()
            .is_none_or(|v| v.iter().any(|x| x == id))
}
