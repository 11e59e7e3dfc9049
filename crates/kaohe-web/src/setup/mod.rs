//! Setting up a deployment: the demo that `kaohe serve` starts with on an empty
//! database, real organisers with their first admin (`kaohe init`), and data at scale for
//! benchmarks (`scale`, `kaohe demo`).

pub mod scale;

use kaohe_core::Rubric;
use kaohe_storage::{
    Campaign, CampaignUnit, Id, ItemState, NewUser, RawFacts, ReviewState, Role, StorageError,
    Store, Work,
};

use crate::auth::{hash_password, password_problem};
use crate::http::error::AppError;
use crate::year::Action;

/// The Beilun rubric and the demo facts, shipped in the binary.
pub const BEILUN_RUBRIC: &str = include_str!("../../../../rubrics/beilun-2026.toml");
/// Next year's draft (征求意见稿): 信息登记率 97% instead of 95%, a new bonus item; for
/// the what-if (新旧细则对比) against this year's facts. Written with this year's keys,
/// so a copy of the year can take it.
pub const BEILUN_DRAFT: &str = include_str!("../../../../rubrics/beilun-2027-draft.toml");
/// The same draft as the annex the district office circulated, imported as it came
/// (keys of its own): its what-if maps last year's facts on the 数据对应 page.
pub const BEILUN_DRAFT_ANNEX: &[u8] =
    include_bytes!("../../../../rubrics/source/beilun-2027-draft-annex.txt");
const DEMO_FACTS: &str = include_str!("../../../../examples/beilun-2026-demo.csv");
/// The demo's previous year, a campaign run in kaohe.
const PREVIOUS_TITLE: &str = "2025年度街道流动人口服务管理考核";

/// The one password of every demo account (printed at start; demo data only).
pub const DEMO_PASSWORD: &str = "kaohe-demo-2026";

/// The demo's district. Demo data is marked where people look (the banner of every
/// page, the header of every document), not in its names.
pub const DEMO_ORGANISER: &str = "北仑区";

/// A demo account to print on the console.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: String,
    pub role: Role,
    pub note: String,
}

/// Each Beilun subdistrict's demo reporter account.
pub const DEMO_UNITS: [(&str, &str); 11] = [
    ("新碶街道", "xinqi"),
    ("小港街道", "xiaogang"),
    ("大碶街道", "daqi"),
    ("霞浦街道", "xiapu"),
    ("柴桥街道", "chaiqiao"),
    ("戚家山街道", "qijiashan"),
    ("春晓街道", "chunxiao"),
    ("梅山街道", "meishan"),
    ("白峰街道", "baifeng"),
    ("郭巨街道", "guoju"),
    ("大榭街道", "daxie"),
];

/// The demo unit left empty for a newcomer to fill in.
pub const DEMO_EMPTY_UNIT: &str = "新碶街道";

fn err(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

/// The demo accounts, if the database holds the demo.
pub async fn demo_logins(store: &Store) -> Result<Option<Vec<DemoLogin>>, AppError> {
    let Some(org) = store.organisers().await?.into_iter().find(|o| o.is_demo) else {
        return Ok(None);
    };
    let units = store.units(org.id).await?;
    let logins = store
        .users(org.id)
        .await?
        .into_iter()
        .filter(|u| u.is_demo)
        .map(|u| {
            let note = match (u.role, u.unit_id, &u.department) {
                (Role::Reporter, Some(uid), _) => units
                    .iter()
                    .find(|x| x.id == uid)
                    .map(|x| {
                        if x.name == DEMO_EMPTY_UNIT {
                            format!("{}（空白，供您试填）", x.name)
                        } else {
                            x.name.clone()
                        }
                    })
                    .unwrap_or_default(),
                (Role::Assessor, _, Some(d)) => d.clone(),
                _ => String::new(),
            };
            DemoLogin {
                username: u.username,
                role: u.role,
                note,
            }
        })
        .collect();
    Ok(Some(logins))
}

/// On an empty database, creates the demo: the Beilun rubric, its eleven subdistricts,
/// a campaign with invented figures (every unit but one already reporting, a few
/// submitted), last year's campaign finished (results, publication, rectification under
/// way, lock), next year's draft rubric, and demo accounts of every role. Returns
/// whether it did.
pub async fn seed_demo_if_empty(store: &Store) -> Result<bool, AppError> {
    if !store.organisers().await?.is_empty() {
        finish_demo_previous_year(store).await?;
        return Ok(false);
    }
    let rubric = Rubric::from_toml(BEILUN_RUBRIC, "beilun-2026.toml").map_err(err)?;
    // Hashed before the write begins: the seed holds the write lock as briefly as it can.
    let hash = hash_password(DEMO_PASSWORD)?;
    let mut work = store.begin().await?;
    let org = match work.create_organiser(DEMO_ORGANISER, true).await {
        Ok(o) => o,
        // Another app server seeded it at the same moment.
        Err(StorageError::Duplicate(_)) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    let mut seed = Seed {
        work,
        org: org.id,
        hash,
        rubric: &rubric,
        reporters: Vec::new(),
    };
    let admin = seed
        .user("admin", "区考核办管理员", Role::Admin, None, None)
        .await?;
    let campaign = seed.campaign(admin).await?;
    let [office, police, hr] = seed.departments(&campaign).await?;
    let mut assessors = Vec::new();
    for (username, name, role, department) in [
        ("kaoheban", "区考核办考核员", Role::Assessor, Some(office)),
        ("gongan", "区公安分局考核员", Role::Assessor, Some(police)),
        ("renshe", "区人社局考核员", Role::Assessor, Some(hr)),
        ("lingdao", "区领导", Role::Viewer, None),
        ("shenji", "区审计员", Role::Auditor, None),
    ] {
        let id = seed.user(username, name, role, department, None).await?;
        if let Some(d) = department {
            assessors.push((d, id));
        }
    }
    // The office confirms the records (its items count them).
    let confirmer = assessors
        .iter()
        .find(|(d, _)| *d == office)
        .map(|(_, u)| *u)
        .unwrap_or(admin);
    let units = seed.units(&campaign, admin, confirmer).await?;
    seed.previous_year(admin, &units, &[office, police, hr], &assessors)
        .await?;
    seed.next_year_draft(admin).await?;
    // The whole demo is one change: a server stopped half-way leaves nothing to trip on.
    seed.work
        .commit(&kaohe_storage::AuditEntry {
            organiser_id: Some(org.id),
            user_id: None,
            username: Some("(演示数据)".into()),
            action: Action::DemoSeed.code().into(),
            target: format!("organiser:{DEMO_ORGANISER}"),
            reason: Some("首次启动，创建演示数据".into()),
            changes: serde_json::json!([{"field": "campaign", "old": null, "new": campaign.title}]),
        })
        .await?;
    finish_demo_previous_year(store).await?;
    Ok(true)
}

/// The demo being written, in one unit of work.
struct Seed<'r> {
    work: Work,
    org: Id,
    /// The demo password's hash, shared by every demo account.
    hash: String,
    rubric: &'r Rubric,
    /// Each unit's reporter, in the order of [`DEMO_UNITS`].
    reporters: Vec<Id>,
}

impl Seed<'_> {
    async fn user(
        &mut self,
        username: &str,
        name: &str,
        role: Role,
        department: Option<Id>,
        unit_id: Option<Id>,
    ) -> Result<Id, AppError> {
        let user = self
            .work
            .create_user(&NewUser {
                organiser_id: self.org,
                username: username.into(),
                display_name: name.into(),
                role,
                department_id: department,
                unit_id,
                password_hash: self.hash.clone(),
                must_change_password: false,
                is_demo: true,
            })
            .await?;
        Ok(user.id)
    }

    /// This year's campaign on the Beilun rubric, issued, due in thirty days.
    async fn campaign(&mut self, admin: Id) -> Result<Campaign, AppError> {
        let rubric = self.rubric;
        let version = self
            .work
            .add_rubric_version(
                self.org,
                rubric.id(),
                rubric.title(),
                BEILUN_RUBRIC,
                rubric.hash(),
                Some(admin),
            )
            .await?;
        let deadline = {
            let d = time::OffsetDateTime::now_utc()
                .to_offset(time::UtcOffset::from_hms(8, 0, 0).map_err(err)?)
                + time::Duration::days(30);
            format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
        };
        let campaign = self
            .work
            .create_campaign(
                self.org,
                rubric.year().unwrap_or(2026),
                "2026年度街道流动人口服务管理考核",
                version.id,
                &deadline,
                true,
            )
            .await?;
        // The demo's campaign is running: issued to its units.
        self.work.issue_campaign(self.org, campaign.id).await?;
        Ok(campaign)
    }

    /// The office and two departments, which review the management and service items.
    async fn departments(&mut self, campaign: &Campaign) -> Result<[Id; 3], AppError> {
        // The office is named after the organiser when it is made; the demo's says what
        // offices call themselves.
        let office = self.work.office(self.org).await?;
        self.work
            .rename_department(self.org, office.id, "区考核办")
            .await?;
        let police = self.work.create_department(self.org, "区公安分局").await?;
        let hr = self.work.create_department(self.org, "区人社局").await?;
        let departments = [("management", police.id), ("service", hr.id)];
        for item in self.rubric.items() {
            let category = &self.rubric.categories()[item.category].id;
            if let Some((_, d)) = departments.iter().find(|(c, _)| c == category) {
                self.work
                    .set_item_department(campaign.id, &item.id, Some(*d))
                    .await?;
            }
        }
        Ok([office.id, police.id, hr.id])
    }

    /// The eleven subdistricts with their reporters and the demo figures: every unit but
    /// one has filled in, the first six have submitted.
    async fn units(
        &mut self,
        campaign: &Campaign,
        admin: Id,
        confirmer: Id,
    ) -> Result<Vec<(Id, String)>, AppError> {
        let rubric = self.rubric;
        let demo = kaohe_formats::read_facts(rubric, "beilun-2026-demo.csv", DEMO_FACTS.as_bytes())
            .map_err(err)?;
        let mut units = Vec::new();
        for (n, (name, username)) in DEMO_UNITS.iter().enumerate() {
            let unit = self
                .work
                .create_unit(self.org, None, name, None, true)
                .await?;
            units.push((unit.id, unit.name.clone()));
            let filler = format!("{name}填报员");
            let reporter = self
                .user(username, &filler, Role::Reporter, None, Some(unit.id))
                .await?;
            self.reporters.push(reporter);
            let facts = demo.iter().find(|u| u.unit == *name).map(|u| &u.facts);
            let raw_of = |slots: &mut dyn Iterator<Item = usize>| -> RawFacts {
                let mut raw = RawFacts::new();
                // A count of records is kaohe's, never typed: the records follow.
                for slot in slots.filter(|s| rubric.input(*s).from.is_none()) {
                    if let Some(v) = facts.and_then(|f| f.get(slot)) {
                        raw.insert(rubric.input(slot).key.clone(), value_text(v));
                    }
                }
                raw
            };
            self.work
                .set_campaign_unit(&CampaignUnit {
                    campaign_id: campaign.id,
                    unit_id: unit.id,
                    unit_facts: raw_of(&mut rubric.unit_inputs().map(|(s, _)| s)),
                    deadline: None,
                })
                .await?;
            // The year's records behind the figures (kept during the year, so the unit
            // left empty has them too), confirmed by the office as they came; the empty
            // unit's last two articles still wait for it.
            if let Some(facts) = facts {
                let by = Records {
                    reporter,
                    confirmer: Some(confirmer),
                    admin,
                    pending: if *name == DEMO_EMPTY_UNIT { 2 } else { 0 },
                };
                demo_records(
                    &mut self.work,
                    self.org,
                    rubric,
                    (unit.id, name),
                    facts,
                    2026,
                    by,
                )
                .await?;
                // What a department meets besides: one article declared twice (flagged,
                // counted once until someone decides), one it could not confirm.
                if n == 1 || n == 2 {
                    demo_extra_record(
                        &mut self.work,
                        self.org,
                        unit.id,
                        n == 1,
                        reporter,
                        confirmer,
                    )
                    .await?;
                }
            }
            if *name == DEMO_EMPTY_UNIT {
                continue;
            }
            for item in rubric.items() {
                let raw = raw_of(&mut item.inputs.clone());
                self.work
                    .save_report_item(
                        campaign.id,
                        unit.id,
                        &item.id,
                        &raw,
                        ItemState::Done,
                        0,
                        Some(reporter),
                    )
                    .await?;
            }
            // The first few complete units have submitted; the rest are still filling in.
            if n <= 5 {
                self.work
                    .submit_report(
                        campaign.id,
                        unit.id,
                        &filler,
                        "0574-86780000",
                        "分管副主任",
                        reporter,
                    )
                    .await?;
            }
        }
        Ok(units)
    }

    /// Next year's draft rubric, used by no campaign yet: first imported from the annex
    /// as it came, then written with this year's keys (the newest, which a copy of the
    /// year takes).
    async fn next_year_draft(&mut self, admin: Id) -> Result<(), AppError> {
        let imported =
            kaohe_formats::annex::import_annex("beilun-2027-draft-annex.txt", BEILUN_DRAFT_ANNEX)
                .map_err(|e| AppError::Internal(format!("demo annex: {e}")))?
                .to_toml();
        let annex = Rubric::from_toml(&imported, "beilun-2027-draft-annex.toml").map_err(err)?;
        self.work
            .add_rubric_version(
                self.org,
                annex.id(),
                annex.title(),
                &imported,
                annex.hash(),
                Some(admin),
            )
            .await?;
        let draft = Rubric::from_toml(BEILUN_DRAFT, "beilun-2027-draft.toml").map_err(err)?;
        self.work
            .add_rubric_version(
                self.org,
                draft.id(),
                draft.title(),
                BEILUN_DRAFT,
                draft.hash(),
                Some(admin),
            )
            .await?;
        Ok(())
    }

    /// Last year's campaign, run as a year is in kaohe: on the previous version of the
    /// rubric (one threshold differed), every unit reported (each with another unit's
    /// demo figures, so that ranks move between the years) and submitted, every item
    /// confirmed by its department. Its results, publication, rectification and lock
    /// follow once this is committed ([`finish_demo_previous_year`]).
    async fn previous_year(
        &mut self,
        admin: Id,
        units: &[(Id, String)],
        departments: &[Id; 3],
        assessors: &[(Id, Id)],
    ) -> Result<(), AppError> {
        let previous = BEILUN_RUBRIC
            .replace("id = \"beilun-2026\"", "id = \"beilun-2025\"")
            .replace("year = 2026", "year = 2025")
            .replace(
                "{ input = \"registration_rate\", at_least = 95 }",
                "{ input = \"registration_rate\", at_least = 90 }",
            );
        let old = Rubric::from_toml(&previous, "beilun-2025.toml").map_err(err)?;
        let version = self
            .work
            .add_rubric_version(
                self.org,
                old.id(),
                old.title(),
                &previous,
                old.hash(),
                Some(admin),
            )
            .await?;
        let campaign = self
            .work
            .create_campaign(
                self.org,
                2025,
                PREVIOUS_TITLE,
                version.id,
                "2025-11-30",
                true,
            )
            .await?;
        self.work.issue_campaign(self.org, campaign.id).await?;
        let [_, police, hr] = *departments;
        let department_of = |category: &str| match category {
            "management" => Some(police),
            "service" => Some(hr),
            _ => None,
        };
        for item in old.items() {
            let d = department_of(&old.categories()[item.category].id);
            if d.is_some() {
                self.work
                    .set_item_department(campaign.id, &item.id, d)
                    .await?;
            }
        }
        let reviewer = |item: &kaohe_core::rubric::Item| {
            let d = department_of(&old.categories()[item.category].id).unwrap_or(departments[0]);
            assessors
                .iter()
                .find(|(dept, _)| *dept == d)
                .map(|(_, u)| *u)
                .unwrap_or(admin)
        };
        let demo = kaohe_formats::read_facts(&old, "beilun-2026-demo.csv", DEMO_FACTS.as_bytes())
            .map_err(err)?;
        for (n, (unit, name)) in units.iter().enumerate() {
            // Last year's figures: another unit's of this year's demo.
            let Some(facts) = demo.get((n + 3) % demo.len()).map(|u| &u.facts) else {
                continue;
            };
            let by = Records {
                reporter: self.reporters.get(n).copied().unwrap_or(admin),
                confirmer: Some(reviewer(&old.items()[0])),
                admin,
                pending: 0,
            };
            demo_records(
                &mut self.work,
                self.org,
                &old,
                (*unit, name),
                facts,
                2025,
                by,
            )
            .await?;
            let raw_of = |slots: &mut dyn Iterator<Item = usize>| -> RawFacts {
                let mut raw = RawFacts::new();
                for slot in slots.filter(|s| old.input(*s).from.is_none()) {
                    if let Some(v) = facts.get(slot) {
                        raw.insert(old.input(slot).key.clone(), value_text(v));
                    }
                }
                raw
            };
            self.work
                .set_campaign_unit(&CampaignUnit {
                    campaign_id: campaign.id,
                    unit_id: *unit,
                    unit_facts: raw_of(&mut old.unit_inputs().map(|(s, _)| s)),
                    deadline: None,
                })
                .await?;
            for item in old.items() {
                let raw = raw_of(&mut item.inputs.clone());
                self.work
                    .save_report_item(campaign.id, *unit, &item.id, &raw, ItemState::Done, 0, None)
                    .await?;
            }
            let filler = format!("{name}填报员");
            self.work
                .submit_report(
                    campaign.id,
                    *unit,
                    &filler,
                    "0574-86780000",
                    "分管副主任",
                    admin,
                )
                .await?;
            for item in old.items() {
                self.work
                    .save_review(
                        campaign.id,
                        *unit,
                        &item.id,
                        &Default::default(),
                        None,
                        ReviewState::Confirmed,
                        None,
                        reviewer(item),
                        0,
                    )
                    .await?;
            }
        }
        Ok(())
    }
}

/// The demo's previous year, finished as a year is: results computed from its reviewed
/// facts, published, every lost point handed to rectification (most signed off, some
/// waiting for the department, some planned and never finished), then locked. Runs right after the seed,
/// and at every start until it is done: a server stopped between the two leaves it to
/// the next start, and two servers starting at once finish it once (the second finds it
/// locked and changes nothing).
pub async fn finish_demo_previous_year(store: &Store) -> Result<(), AppError> {
    let Some(org) = store.organisers().await?.into_iter().find(|o| o.is_demo) else {
        return Ok(());
    };
    let Some(campaign) = store
        .campaigns(org.id)
        .await?
        .into_iter()
        .find(|c| c.is_demo && c.title == PREVIOUS_TITLE)
    else {
        return Ok(());
    };
    if store.has_results(campaign.id).await? {
        return Ok(());
    }
    let Some(admin) = store
        .user_by_username("admin")
        .await?
        .filter(|u| u.organiser_id == org.id)
    else {
        return Ok(());
    };
    let end = year_end(store, org.id, &campaign, admin.id).await?;
    let mut work = store.begin().await?;
    let done = finish_in(
        &mut work,
        &campaign,
        admin.id,
        &end,
        "演示：2025 年度已定稿",
    );
    match done.await {
        Ok(problems) => {
            work.commit(&kaohe_storage::AuditEntry {
                organiser_id: Some(org.id),
                user_id: None,
                username: Some("(演示数据)".into()),
                action: Action::DemoSeed.code().into(),
                target: format!("campaign:{}", campaign.id),
                reason: Some("演示数据：上一年度的结果、公示、整改和定稿".into()),
                changes: serde_json::json!([
                    {"field": "results", "old": null, "new": "首次计算"},
                    {"field": "problems", "old": null, "new": format!("{problems} 个")},
                ]),
            })
            .await?;
            Ok(())
        }
        // Another server finished it meanwhile: this work is dropped, nothing changes.
        Err(StorageError::Conflict | StorageError::Duplicate(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// What finishing a reported and reviewed year needs, worked out before its unit of
/// work: the results, the problems they find, who signs each item's problems off.
struct YearEnd {
    unconfirmed: Vec<String>,
    data: crate::year::snapshot::Snapshot,
    found: Vec<(Id, Vec<kaohe_storage::NewProblem>)>,
    /// Each item's signer: an assessor of its department, or the admin.
    signers: Vec<(String, Id)>,
}

/// The results of `campaign` computed as the admin's 计算结果 does, and their problems.
async fn year_end(
    store: &Store,
    org: Id,
    campaign: &Campaign,
    admin: Id,
) -> Result<YearEnd, AppError> {
    let state = crate::AppState::new(store.clone(), crate::Config::default());
    let (unconfirmed, data) = crate::year::results::compute(&state, campaign).await?;
    let rubric = crate::year::scoring::rubric(&state, org, campaign.rubric_id).await?;
    let found = crate::year::rectify::found(&rubric, &data, None);
    let assignment = store.assignment(org, campaign.id).await?;
    let users = store.users(org).await?;
    let signers = rubric
        .items()
        .iter()
        .map(|i| {
            let d = assignment.of(&i.id).id;
            let signer = users
                .iter()
                .find(|u| u.role == Role::Assessor && u.department_id == Some(d))
                .map(|u| u.id)
                .unwrap_or(admin);
            (i.id.clone(), signer)
        })
        .collect();
    Ok(YearEnd {
        unconfirmed,
        data,
        found,
        signers,
    })
}

/// A year finished in `work`: its results added, published in December, every lost point
/// handed to rectification (due by March; most signed off, some waiting for the
/// department, some planned and never finished), locked. The problems made.
async fn finish_in(
    work: &mut Work,
    campaign: &Campaign,
    admin: Id,
    end: &YearEnd,
    lock_reason: &str,
) -> Result<usize, StorageError> {
    let (unconfirmed, data, found, signers) =
        (&end.unconfirmed, &end.data, &end.found, &end.signers);
    let year = campaign.year;
    // A second server finishing it at the same moment: on SQLite it waits for this
    // write; on PostgreSQL its problems collide with these (`Duplicate`) or its lock
    // finds the campaign locked (`Conflict`), and its work is dropped.
    work.add_result_text(
        campaign.id,
        Some(admin),
        "首次计算",
        unconfirmed,
        &data.to_text(),
    )
    .await?;
    work.publish(
        campaign.id,
        &format!("{year}-12-20"),
        &format!("{year}-12-26"),
        false,
    )
    .await?;
    work.set_rectify_deadline(campaign.id, &format!("{}-03-31", year + 1))
        .await?;
    let mut problems = 0;
    for (_, list) in found {
        for (k, new) in list.iter().enumerate() {
            let p = work.add_problem(campaign.id, new, Some(admin)).await?;
            problems += 1;
            // A year on, most are signed off; some wait for the department, some were
            // planned and never finished (what this year's rubric may deduct for).
            work.plan_problem(
                p.id,
                "对照细则逐项整改，建立台账，每月检查",
                "分管副主任",
                &format!("{}-03-15", year + 1),
            )
            .await?;
            if k % 3 == 2 {
                continue;
            }
            work.report_problem(p.id, "已按计划完成整改，台账和记录见附件")
                .await?;
            if k % 3 == 1 {
                continue;
            }
            let signer = signers
                .iter()
                .find(|(item, _)| *item == new.item_id)
                .map(|(_, u)| *u)
                .unwrap_or(admin);
            work.answer_problem(p.id, true, "整改到位，予以销号", signer)
                .await?;
        }
    }
    work.set_locked(campaign.id, true, Some(lock_reason), Some(admin))
        .await?;
    Ok(problems)
}

/// Who keeps a unit's demo records: its reporter declares them, the department confirms
/// them (`None`: they wait), the admin enters the district's own.
struct Records {
    reporter: Id,
    confirmer: Option<Id>,
    admin: Id,
    /// How many of the unit's last ordinary articles still wait for confirmation.
    pending: usize,
}

/// The records behind the counts of a unit's demo figures (信息录用, 媒体报道, 领导批示,
/// 未落实记录), dated in `year`: as many as each fact counts, with invented titles. Returns
/// how many it made.
async fn demo_records(
    work: &mut Work,
    org: Id,
    rubric: &Rubric,
    (unit, name): (Id, &str),
    facts: &kaohe_core::Facts,
    year: i64,
    by: Records,
) -> Result<usize, AppError> {
    const TOPICS: [&str; 12] = [
        "推行流动人口积分制管理",
        "开展出租房屋消防安全专项整治",
        "建成新居民服务驿站",
        "组织新居民子女暑期托管",
        "上线e乡北仑智能服务平台",
        "开展流动人口信息登记百日攻坚",
        "成立新居民志愿服务队",
        "举办新居民技能培训班",
        "推进融合性社会组织标准化建设",
        "试点出租房屋旅馆式管理",
        "开展新居民参与社区治理议事会",
        "落实企业流动人口管理主体责任",
    ];
    const MISSES: [&str; 4] = [
        "季度工作总结未按时报送",
        "未参加区里召开的季度工作例会",
        "季度工作计划未部署到社区",
        "季度督查检查未留记录",
    ];
    let mut n = 0usize;
    for (slot, _, what) in rubric.record_inputs() {
        let kind = &rubric.record_kinds()[what.kind];
        let count = match facts.get(slot) {
            Some(kaohe_core::Value::Number(c)) => c.to_string().parse::<usize>().unwrap_or(0),
            _ => 0,
        };
        for i in 0..count {
            n += 1;
            let day = format!("{year:04}-{:02}-{:02}", 1 + (n * 5) % 10, 1 + (n * 7) % 27);
            let mut fields = RawFacts::new();
            for (fi, value) in &what.filter {
                fields.insert(kind.fields[*fi].key.clone(), value.clone());
            }
            let topic = TOPICS[(n + unit as usize) % TOPICS.len()];
            let title = match kind.id.as_str() {
                "miss" => format!("第{}季度：{}", 1 + i % 4, MISSES[i % MISSES.len()]),
                "instruction" => format!("{name}{topic}的做法（第{n}件）"),
                _ if fields.get("typical").is_some_and(|t| t == "是") => {
                    format!("{name}{topic}的经验做法（第{n}篇）")
                }
                _ => format!("{name}{topic}（第{n}篇）"),
            };
            fields.insert(kind.fields[kind.title].key.clone(), title);
            for f in &kind.fields {
                let filler = match f.key.as_str() {
                    "outlet" => match fields.get("level").map(String::as_str) {
                        Some("国家") => "人民日报",
                        Some("省") => "浙江日报",
                        Some("市") => "宁波日报",
                        _ => "北仑区流动人口工作简报",
                    },
                    "found_by" => "区考核办季度检查",
                    _ => continue,
                };
                fields
                    .entry(f.key.clone())
                    .or_insert_with(|| filler.to_string());
            }
            let new = kaohe_storage::NewRecord {
                unit_id: unit,
                kind: kind.id.clone(),
                day,
                fields,
                by_district: kind.district_only,
            };
            let maker = if kind.district_only {
                by.admin
            } else {
                by.reporter
            };
            let r = work.add_record(org, &new, None, maker).await?;
            let waits = what.kind == 0
                && what.filter.iter().all(|(_, v)| v == "否")
                && i + by.pending >= count;
            if let (false, false, Some(confirmer)) = (kind.district_only, waits, by.confirmer) {
                work.answer_record(r.id, kaohe_storage::RecordState::Confirmed, None, confirmer)
                    .await?;
            }
        }
    }
    Ok(n)
}

/// A record that counts nowhere: the unit's first article declared again (flagged as
/// declared twice, waiting for a person), or an article the office did not confirm.
async fn demo_extra_record(
    work: &mut Work,
    org: Id,
    unit: Id,
    twice: bool,
    reporter: Id,
    confirmer: Id,
) -> Result<(), AppError> {
    let mine = work.unit_records(org, unit).await?;
    let Some(first) = mine
        .iter()
        .find(|r| r.kind == "info" && r.day.starts_with("2026"))
    else {
        return Ok(());
    };
    let mut fields = first.fields.clone();
    if twice {
        let title = fields.get("title").cloned().unwrap_or_default();
        fields.insert("title".into(), format!("《{title}》"));
    } else {
        fields.insert(
            "title".into(),
            "关于做好春节期间流动人口返乡服务的通知（转发）".into(),
        );
    }
    let new = kaohe_storage::NewRecord {
        unit_id: unit,
        kind: "info".into(),
        day: first.day.clone(),
        fields,
        by_district: false,
    };
    let like = twice.then_some(kaohe_storage::Like {
        flagged: 0,
        of: first.id,
        likeness: kaohe_core::records::Likeness::Twice.code(),
    });
    let r = work.add_record(org, &new, like, reporter).await?;
    if !twice {
        work.answer_record(
            r.id,
            kaohe_storage::RecordState::Rejected,
            Some("转发的通知不是录用的信息，不计分"),
            confirmer,
        )
        .await?;
    }
    Ok(())
}

fn value_text(v: &kaohe_core::Value) -> String {
    match v {
        kaohe_core::Value::Number(n) => kaohe_core::fmt_decimal(*n),
        kaohe_core::Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        kaohe_core::Value::Text(t) => t.to_string(),
    }
}

/// Creates an organiser (a district) and its first admin. The password must be strong.
pub async fn add_organiser(
    store: &Store,
    name: &str,
    admin_username: &str,
    admin_password: &str,
) -> Result<(), String> {
    let name = name.trim();
    let admin_username = admin_username.trim();
    if name.is_empty() {
        return Err("组织单位名称不能为空".into());
    }
    if admin_username.is_empty() || admin_username.contains(char::is_whitespace) {
        return Err("管理员用户名不能为空，也不能含空格".into());
    }
    if let Some(p) = password_problem(admin_password, admin_username) {
        return Err(p);
    }
    if store
        .user_by_username(admin_username)
        .await
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Err(format!("用户名 {admin_username} 已被使用；请换一个"));
    }
    let hash = hash_password(admin_password).map_err(|e| e.to_string())?;
    let mut work = store.begin().await.map_err(|e| e.to_string())?;
    let org = match work.create_organiser(name, false).await {
        Ok(o) => o,
        Err(StorageError::Duplicate(_)) => return Err(format!("组织单位 “{name}” 已存在")),
        Err(e) => return Err(e.to_string()),
    };
    work.create_user(&NewUser {
        organiser_id: org.id,
        username: admin_username.into(),
        display_name: format!("{name}管理员"),
        role: Role::Admin,
        department_id: None,
        unit_id: None,
        password_hash: hash,
        must_change_password: false,
        is_demo: false,
    })
    .await
    .map_err(|e| e.to_string())?;
    work.commit(&kaohe_storage::AuditEntry {
        organiser_id: Some(org.id),
        user_id: None,
        username: Some("(命令行)".into()),
        action: Action::OrganiserCreate.code().into(),
        target: format!("organiser:{name}"),
        reason: None,
        changes: serde_json::json!([
            {"field": "organiser", "old": null, "new": name},
            {"field": "admin", "old": null, "new": admin_username},
        ]),
    })
    .await
    .map_err(|e| e.to_string())?;
    Ok(())
}
