//! Scale data for benchmarks (`kaohe demo --units N`): organisers of many units, each a
//! city of districts of subdistricts, with several years run as kaohe runs them — reports
//! of every item, evidence files with real bytes, records kept during the year, reviews,
//! results, publication, rectification, lock — and this year's campaign half-way through
//! its reporting. Deterministic from a seed: the same arguments give the same data.
//!
//! Written through the same `Work` as the application's handlers, one unit of work (and
//! one audit row) for each change a person would make in one go: a unit's report, its
//! files, its submission, a department's review of a unit.

use kaohe_core::Rubric;
use kaohe_storage::{
    Campaign, CampaignUnit, Id, ItemState, NewEvidence, RawFacts, ReviewState, Role, Store, Work,
};
use sha2::{Digest, Sha256};

use super::{BEILUN_RUBRIC, DEMO_FACTS, DEMO_PASSWORD, Records, demo_records, err, value_text};
use crate::auth::hash_password;
use crate::http::error::AppError;
use crate::year::Action;

/// What to make.
#[derive(Debug, Clone)]
pub struct Scale {
    /// Organisers (cities or districts), each with its own users, rubrics and campaigns.
    pub organisers: usize,
    /// Subdistricts of each organiser, in districts of [`DISTRICT`].
    pub units: usize,
    /// Yearly campaigns, the last this year's (reporting), the others finished and locked.
    pub years: usize,
    /// The evidence file each unit uploads each year, in KiB (0: none).
    pub evidence_kib: usize,
    pub seed: u64,
}

/// Subdistricts in each district.
pub const DISTRICT: usize = 14;

/// The year of the last campaign.
const THIS_YEAR: i64 = 2026;

/// What was made.
#[derive(Debug, Default, Clone)]
pub struct Made {
    pub organisers: usize,
    pub units: usize,
    pub campaigns: usize,
    pub users: usize,
    pub records: usize,
    pub evidence_files: usize,
    pub evidence_bytes: usize,
    pub commits: usize,
}

/// The accounts of organiser `k` (from 0): `s1-admin`, `s1-office` (the office's
/// assessor), `s1-police`, `s1-hr`, `s1-leader`, `s1-auditor`, and `s1-u0001`… for the
/// reporters of its units in order. All have the demo password.
pub fn username(k: usize, who: &str) -> String {
    format!("s{}-{who}", k + 1)
}

/// The password of every account made here.
pub const PASSWORD: &str = DEMO_PASSWORD;

/// A small deterministic generator (xorshift64*): the data depends on the seed only.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Fills an empty database with `scale`, telling `progress` what is done as it goes.
/// Refuses a database that holds anything.
pub async fn generate(
    store: &Store,
    scale: &Scale,
    progress: &mut dyn FnMut(&str),
) -> Result<Made, AppError> {
    if !store.organisers().await?.is_empty() {
        return Err(AppError::BadRequest(
            "数据库里已有数据；规模测试数据只写入空数据库，请换一个数据目录或数据库".into(),
        ));
    }
    if scale.organisers == 0 || scale.units == 0 || scale.years == 0 {
        return Err(AppError::BadRequest(
            "组织单位数、单位数和年数都至少为 1".into(),
        ));
    }
    let hash = hash_password(PASSWORD)?;
    let mut rng = Rng::new(scale.seed);
    let mut made = Made::default();
    for k in 0..scale.organisers {
        let org = Organiser::create(store, k, scale, &hash, &mut made).await?;
        for y in 0..scale.years {
            let year = THIS_YEAR - (scale.years - 1 - y) as i64;
            let started = std::time::Instant::now();
            org.year(store, year, year == THIS_YEAR, scale, &mut rng, &mut made)
                .await?;
            progress(&format!(
                "{}：{year} 年度，{} 个单位，{:.1} 秒",
                org.name,
                org.units.len(),
                started.elapsed().as_secs_f64()
            ));
        }
        made.organisers += 1;
    }
    Ok(made)
}

/// One organiser's accounts, departments and units.
struct Organiser {
    id: Id,
    name: String,
    admin: Id,
    /// The office, police and HR departments, with their assessors.
    departments: [(Id, Id); 3],
    /// Each subdistrict with its reporter.
    units: Vec<(Id, String, Id)>,
}

impl Organiser {
    async fn create(
        store: &Store,
        k: usize,
        scale: &Scale,
        hash: &str,
        made: &mut Made,
    ) -> Result<Organiser, AppError> {
        let name = if scale.organisers == 1 {
            "规模测试市".to_string()
        } else {
            format!("规模测试第{}区", k + 1)
        };
        let mut work = store.begin().await?;
        let org = work.create_organiser(&name, false).await?.id;
        let new = |who: &str, display: String, role, department, unit| kaohe_storage::NewUser {
            organiser_id: org,
            username: username(k, who),
            display_name: display,
            role,
            department_id: department,
            unit_id: unit,
            password_hash: hash.to_string(),
            must_change_password: false,
            is_demo: false,
        };
        let admin = work
            .create_user(&new(
                "admin",
                format!("{name}考核办管理员"),
                Role::Admin,
                None,
                None,
            ))
            .await?
            .id;
        let office = work.office(org).await?.id;
        let police = work.create_department(org, "公安局").await?.id;
        let hr = work.create_department(org, "人社局").await?.id;
        let mut departments = [(office, 0), (police, 0), (hr, 0)];
        for ((d, assessor), who) in departments.iter_mut().zip(["office", "police", "hr"]) {
            let display = format!("{name}{who}考核员");
            *assessor = work
                .create_user(&new(who, display, Role::Assessor, Some(*d), None))
                .await?
                .id;
        }
        work.create_user(&new(
            "leader",
            format!("{name}领导"),
            Role::Viewer,
            None,
            None,
        ))
        .await?;
        work.create_user(&new(
            "auditor",
            format!("{name}审计员"),
            Role::Auditor,
            None,
            None,
        ))
        .await?;
        let mut units = Vec::with_capacity(scale.units);
        let mut district = None;
        for n in 0..scale.units {
            if n % DISTRICT == 0 {
                let d = work
                    .create_unit(org, None, &format!("第{}区", n / DISTRICT + 1), None, false)
                    .await?;
                district = Some(d.id);
            }
            let unit_name = format!("第{}区第{}街道", n / DISTRICT + 1, n % DISTRICT + 1);
            let code = format!("{:06}", n + 1);
            let unit = work
                .create_unit(org, district, &unit_name, Some(&code), false)
                .await?;
            let who = format!("u{:04}", n + 1);
            let display = format!("{unit_name}填报员");
            let reporter = work
                .create_user(&new(&who, display, Role::Reporter, None, Some(unit.id)))
                .await?
                .id;
            units.push((unit.id, unit_name, reporter));
        }
        made.users += 6 + scale.units;
        made.units += scale.units;
        commit(
            work,
            org,
            admin,
            Action::OrganiserCreate,
            format!("organiser:{name}"),
            serde_json::json!([{"field": "units", "old": null, "new": scale.units}]),
            made,
        )
        .await?;
        Ok(Organiser {
            id: org,
            name,
            admin,
            departments,
            units,
        })
    }

    /// One yearly campaign: on a rubric of its own year, every unit's report and records;
    /// past years reviewed, computed, published, rectified and locked; this year two
    /// units in three submitted, half of those reviewed, the rest still filling in.
    async fn year(
        &self,
        store: &Store,
        year: i64,
        current: bool,
        scale: &Scale,
        rng: &mut Rng,
        made: &mut Made,
    ) -> Result<(), AppError> {
        let text = BEILUN_RUBRIC
            .replace("id = \"beilun-2026\"", &format!("id = \"beilun-{year}\""))
            .replace("year = 2026", &format!("year = {year}"));
        let rubric = Rubric::from_toml(&text, "scale.toml").map_err(err)?;
        let demo =
            kaohe_formats::read_facts(&rubric, "beilun-2026-demo.csv", DEMO_FACTS.as_bytes())
                .map_err(err)?;
        let mut work = store.begin().await?;
        let version = work
            .add_rubric_version(
                self.id,
                rubric.id(),
                rubric.title(),
                &text,
                rubric.hash(),
                Some(self.admin),
            )
            .await?;
        let deadline = if current {
            format!("{year}-12-31")
        } else {
            format!("{year}-11-30")
        };
        let title = format!("{year}年度街道流动人口服务管理考核");
        let campaign = work
            .create_campaign(self.id, year, &title, version.id, &deadline, false)
            .await?;
        work.issue_campaign(self.id, campaign.id).await?;
        // Management and service items are the police's and HR's; the rest the office's.
        let department_of = |category: &str| match category {
            "management" => 1,
            "service" => 2,
            _ => 0,
        };
        for item in rubric.items() {
            let d = department_of(&rubric.categories()[item.category].id);
            if d > 0 {
                work.set_item_department(campaign.id, &item.id, Some(self.departments[d].0))
                    .await?;
            }
        }
        made.campaigns += 1;
        commit(
            work,
            self.id,
            self.admin,
            Action::CampaignIssue,
            format!("campaign:{}", campaign.id),
            serde_json::json!([{"field": "campaign", "old": null, "new": title}]),
            made,
        )
        .await?;
        for (n, (unit, name, reporter)) in self.units.iter().enumerate() {
            // Each item's figures are one demo unit's, chosen by the seed: totals vary
            // from unit to unit as they do in a real year.
            let raw_of = |facts: &kaohe_core::Facts, slots: &mut dyn Iterator<Item = usize>| {
                let mut raw = RawFacts::new();
                for slot in slots.filter(|s| rubric.input(*s).from.is_none()) {
                    if let Some(v) = facts.get(slot) {
                        raw.insert(rubric.input(slot).key.clone(), value_text(v));
                    }
                }
                raw
            };
            let own = pick(&demo, rng);
            let mut work = store.begin().await?;
            work.set_campaign_unit(&CampaignUnit {
                campaign_id: campaign.id,
                unit_id: *unit,
                unit_facts: raw_of(own, &mut rubric.unit_inputs().map(|(s, _)| s)),
                deadline: None,
            })
            .await?;
            let by = Records {
                reporter: *reporter,
                confirmer: Some(self.departments[0].1),
                admin: self.admin,
                pending: if current { n % 3 } else { 0 },
            };
            made.records +=
                demo_records(&mut work, self.id, &rubric, (*unit, name), own, year, by).await?;
            commit(
                work,
                self.id,
                *reporter,
                Action::RecordDeclare,
                format!("unit:{unit}"),
                serde_json::json!([{"field": "records", "old": null, "new": year}]),
                made,
            )
            .await?;
            // This year the last unit in three is still filling in: a third of its
            // items left untouched.
            let filling = current && n % 3 == 2;
            let mut work = store.begin().await?;
            for (ii, item) in rubric.items().iter().enumerate() {
                if filling && ii % 3 == 2 {
                    continue;
                }
                let facts = pick(&demo, rng);
                let state = if filling && ii % 3 == 1 {
                    ItemState::Draft
                } else {
                    ItemState::Done
                };
                work.save_report_item(
                    campaign.id,
                    *unit,
                    &item.id,
                    &raw_of(facts, &mut item.inputs.clone()),
                    state,
                    0,
                    Some(*reporter),
                )
                .await?;
            }
            if scale.evidence_kib > 0 {
                let data = file_bytes(rng, scale.evidence_kib * 1024);
                let sha256 = Sha256::digest(&data)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                made.evidence_bytes += data.len();
                made.evidence_files += 1;
                let item = &rubric.items()[rng.below(rubric.items().len())].id;
                work.add_evidence(&NewEvidence {
                    campaign_id: campaign.id,
                    unit_id: *unit,
                    item_id: item.clone(),
                    filename: format!("{name}{year}年度工作台账.pdf"),
                    content_type: "application/pdf".into(),
                    sha256,
                    data,
                    uploaded_by: Some(*reporter),
                    appeal_id: None,
                    problem_id: None,
                    personal: false,
                })
                .await?;
            }
            commit(
                work,
                self.id,
                *reporter,
                Action::ItemDone,
                format!("campaign:{}/unit:{unit}", campaign.id),
                serde_json::json!([{"field": "items", "old": null, "new": rubric.items().len()}]),
                made,
            )
            .await?;
            if filling {
                continue;
            }
            let mut work = store.begin().await?;
            work.submit_report(
                campaign.id,
                *unit,
                &format!("{name}填报员"),
                "0574-86780000",
                "分管副主任",
                *reporter,
            )
            .await?;
            commit(
                work,
                self.id,
                *reporter,
                Action::ReportSubmit,
                format!("campaign:{}/unit:{unit}", campaign.id),
                serde_json::json!([]),
                made,
            )
            .await?;
            // Each department reviews its items of the unit in one sitting; this year
            // half the submitted reports wait for review.
            if current && n % 2 == 1 {
                continue;
            }
            for (d, (_, assessor)) in self.departments.iter().enumerate() {
                let mut work = store.begin().await?;
                for item in rubric.items() {
                    if department_of(&rubric.categories()[item.category].id) != d {
                        continue;
                    }
                    work.save_review(
                        campaign.id,
                        *unit,
                        &item.id,
                        &Default::default(),
                        None,
                        ReviewState::Confirmed,
                        None,
                        *assessor,
                        0,
                    )
                    .await?;
                }
                commit(
                    work,
                    self.id,
                    *assessor,
                    Action::ReviewConfirm,
                    format!("campaign:{}/unit:{unit}", campaign.id),
                    serde_json::json!([]),
                    made,
                )
                .await?;
            }
        }
        if !current {
            self.finish(store, &campaign, made).await?;
        }
        Ok(())
    }

    /// A past year's results, publication, rectification and lock.
    async fn finish(
        &self,
        store: &Store,
        campaign: &Campaign,
        made: &mut Made,
    ) -> Result<(), AppError> {
        let end = super::year_end(store, self.id, campaign, self.admin).await?;
        let mut work = store.begin().await?;
        let reason = format!("{} 年度已定稿", campaign.year);
        let problems = super::finish_in(&mut work, campaign, self.admin, &end, &reason).await?;
        commit(
            work,
            self.id,
            self.admin,
            Action::CampaignLock,
            format!("campaign:{}", campaign.id),
            serde_json::json!([{"field": "problems", "old": null, "new": problems}]),
            made,
        )
        .await
    }
}

/// One demo unit's facts, chosen by the generator.
fn pick<'d>(demo: &'d [kaohe_formats::UnitFacts], rng: &mut Rng) -> &'d kaohe_core::Facts {
    &demo[rng.below(demo.len())].facts
}

/// A file of `len` bytes that starts as a PDF does, the rest from the generator (so it
/// does not compress: the database and its backup grow as with real scans).
fn file_bytes(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut data = b"%PDF-1.4\n".to_vec();
    while data.len() < len {
        data.extend_from_slice(&rng.next().to_le_bytes());
    }
    data.truncate(len);
    data
}

async fn commit(
    work: Work,
    org: Id,
    user: Id,
    action: Action,
    target: String,
    changes: serde_json::Value,
    made: &mut Made,
) -> Result<(), AppError> {
    work.commit(&kaohe_storage::AuditEntry {
        organiser_id: Some(org),
        user_id: Some(user),
        username: Some("(规模测试数据)".into()),
        action: action.code().into(),
        target,
        reason: None,
        changes,
    })
    .await?;
    made.commits += 1;
    Ok(())
}
