//! The audit log in words: a row's target (`campaign:1/unit:3/item:basic.1`) read as the
//! names people know (the campaign's title, the unit, 基础工作第1项), who did it by name,
//! and each changed field by its label. The codes stay in the rows and on the page one
//! click away; only what is shown first is translated.

use std::collections::HashMap;
use std::sync::Arc;

use kaohe_core::Rubric;
use kaohe_storage::Id;

use crate::AppState;
use crate::http::error::AppResult;
use crate::year::scoring;

/// What the organiser's names are, read once for a page of rows.
pub struct Words {
    campaigns: HashMap<Id, (String, Arc<Rubric>)>,
    units: HashMap<Id, String>,
    users: HashMap<String, String>,
    user_ids: HashMap<Id, String>,
    departments: HashMap<Id, String>,
    rubrics: HashMap<Id, String>,
}

impl Words {
    pub async fn load(state: &AppState, organiser_id: Id) -> AppResult<Words> {
        let mut campaigns = HashMap::new();
        for c in state.store.campaigns(organiser_id).await? {
            let rubric = scoring::rubric(state, organiser_id, c.rubric_id).await?;
            campaigns.insert(c.id, (c.title, rubric));
        }
        let users = state.store.users(organiser_id).await?;
        Ok(Words {
            campaigns,
            units: (state.store.units(organiser_id).await?)
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect(),
            user_ids: users
                .iter()
                .map(|u| (u.id, u.display_name.clone()))
                .collect(),
            users: users
                .into_iter()
                .map(|u| (u.username, u.display_name))
                .collect(),
            departments: (state.store.departments(organiser_id).await?)
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect(),
            rubrics: (state.store.rubrics(organiser_id).await?)
                .into_iter()
                .map(|r| (r.id, format!("{} 第 {} 版", r.title, r.version)))
                .collect(),
        })
    }

    /// Every item of the organiser's campaigns, `(id, how people refer to it)`, as the
    /// newest campaign names it, for choosing one.
    pub fn items(&self) -> Vec<(String, String)> {
        let mut newest: Vec<(&Id, &(String, Arc<Rubric>))> = self.campaigns.iter().collect();
        newest.sort_by_key(|(id, _)| std::cmp::Reverse(**id));
        let mut out: Vec<(String, String)> = Vec::new();
        for (_, (_, r)) in newest {
            for (ii, item) in r.items().iter().enumerate() {
                if !out.iter().any(|(id, _)| *id == item.id) {
                    let name = item.name.clone().unwrap_or_default();
                    out.push((item.id.clone(), format!("{} {name}", r.item_ref(ii))));
                }
            }
        }
        out
    }

    /// Who did it: their name and account (`区考核办考核员（kaoheban）`).
    pub fn who(&self, username: &str) -> String {
        match self.users.get(username) {
            Some(name) if name != username => format!("{name}（{username}）"),
            _ => username.to_string(),
        }
    }

    /// The rubric of the campaign a target is about, if it names one.
    fn rubric_of(&self, target: &str) -> Option<&Rubric> {
        let cid = segments(target).find(|(k, _)| *k == "campaign")?.1;
        self.campaigns
            .get(&cid.parse().ok()?)
            .map(|(_, r)| r.as_ref())
    }

    /// What a row is about, in names: `2026年度…考核 · 新碶街道 · 基础工作第1项 · 佐证材料`.
    /// Parts kaohe does not know are left out (the code is one click away).
    pub fn target(&self, target: &str) -> String {
        let rubric = self.rubric_of(target);
        let id = |v: &str| v.parse::<Id>().ok();
        segments(target)
            .filter_map(|(kind, value)| match kind {
                "campaign" => id(value)
                    .and_then(|i| self.campaigns.get(&i))
                    .map(|(t, _)| t.clone()),
                "unit" => id(value).and_then(|i| self.units.get(&i)).cloned(),
                "item" => Some(
                    match rubric.and_then(|r| {
                        r.items()
                            .iter()
                            .position(|i| i.id == value)
                            .map(|ii| (r, ii))
                    }) {
                        Some((r, ii)) => format!(
                            "{} {}",
                            r.item_ref(ii),
                            r.items()[ii].name.clone().unwrap_or_default()
                        ),
                        None => "一个考核项目".to_string(),
                    },
                ),
                "evidence" => Some("佐证材料".to_string()),
                "appeal" => Some("申诉".to_string()),
                "problem" => Some("整改问题".to_string()),
                "record" => Some("台账记录".to_string()),
                "results" => Some("考核结果".to_string()),
                // Accounts are named by their user name in newer rows, by id in older ones.
                "user" | "password" => id(value)
                    .and_then(|i| self.user_ids.get(&i))
                    .cloned()
                    .or_else(|| Some(format!("账号 {value}"))),
                "department" => id(value).and_then(|i| self.departments.get(&i)).cloned(),
                "rubric" => id(value.split_whitespace().next().unwrap_or(value))
                    .and_then(|i| self.rubrics.get(&i))
                    .cloned(),
                "account" => Some(format!("账号 {value}")),
                _ if target == "audit_log" => Some("审计日志".to_string()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// A changed field's name as people read it: a fact's label, or the field's words.
    pub fn field(&self, target: &str, field: &str) -> String {
        if let Some(r) = self.rubric_of(target)
            && let Some(slot) = r.slot(field)
        {
            return r.input(slot).label.clone();
        }
        FIELDS
            .iter()
            .find(|(code, _)| *code == field)
            .map(|(_, words)| words.to_string())
            .unwrap_or_else(|| field.to_string())
    }
}

/// The stored field names and their words.
const FIELDS: &[(&str, &str)] = &[
    ("state", "状态"),
    ("filler_name", "填报人"),
    ("filler_phone", "联系电话"),
    ("approver", "审核领导"),
    ("self_score", "自查分"),
    ("evidence", "佐证材料编号"),
    ("file", "文件"),
    ("type", "类型"),
    ("size", "大小（字节）"),
    ("sha256", "SHA-256"),
    ("title", "名称"),
    ("deadline", "截止日期"),
    ("overall_weight", "计入综合考核的分值"),
    ("unconfirmed", "未确认项目数"),
    ("department", "责任部门"),
    ("role", "角色"),
    ("active", "启用"),
    ("password", "密码"),
    ("must_change_password", "登录后须先改密码"),
    ("display_name", "姓名"),
    ("username", "用户名"),
    ("name", "名称"),
    ("rectify_state", "整改状态"),
    ("rectify_deadline", "整改期限"),
    ("found", "存在问题"),
    ("measures", "整改措施"),
    ("responsible", "责任人"),
    ("planned_date", "计划完成日期"),
    ("report", "整改情况"),
    ("answer", "审核意见"),
    ("problems", "整改问题"),
    ("merged_into", "并入"),
    ("predecessor", "上一年度任务"),
    ("record", "记录内容"),
    ("period", "台账记录期间"),
    ("record_state", "记录状态"),
    ("like", "重复判定"),
];

/// A stored state's words.
pub fn state_words(v: &str) -> Option<&'static str> {
    Some(match v {
        "draft" => "草稿",
        "done" => "已完成",
        "submitted" => "已提交",
        "returned" => "已退回",
        "confirmed" => "已确认",
        "open" => "待答复",
        "accepted" => "采纳",
        "rejected" => "不予采纳",
        _ => return None,
    })
}

/// `kind:value` parts of a target.
fn segments(target: &str) -> impl Iterator<Item = (&str, &str)> {
    target.split('/').filter_map(|s| s.split_once(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_and_a_target_read_as_words() {
        assert_eq!(state_words("submitted"), Some("已提交"));
        assert_eq!(state_words("x"), None);
        let parts: Vec<_> = segments("campaign:1/unit:3/item:basic.1").collect();
        assert_eq!(
            parts,
            vec![("campaign", "1"), ("unit", "3"), ("item", "basic.1")]
        );
    }
}
