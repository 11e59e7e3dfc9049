//! `kaohe bench-write` (hidden): the storage limit beside the load benchmark. The write a
//! reporter's save makes — the version check, the item's new version with its history row,
//! and the audit row, in one transaction — done straight on the database by N concurrent
//! writers through the same pool as `kaohe serve`, with no HTTP, session, CSRF or page.
//! `bench/load.sh` runs it in the same run as the save endpoint, so the endpoint is read
//! as a share of what its storage allows.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use kaohe_storage::{AuditEntry, Id, ItemState, RawFacts, ReportState, Store};

#[derive(clap::Args)]
pub struct BenchWriteArgs {
    #[command(flatten)]
    db: crate::DbArgs,
    /// The campaign whose open reports' items are saved again and again (default: every
    /// campaign without results, of every organiser)
    #[arg(long, value_name = "ID")]
    campaign: Option<Id>,
    /// Concurrent writers
    #[arg(long, default_value_t = 1)]
    clients: usize,
    /// How long to write
    #[arg(long, default_value_t = 5)]
    seconds: u64,
}

/// One saved item: where it is, what it holds, the version the next save edits.
#[derive(Clone)]
struct Slot {
    organiser: Id,
    campaign: Id,
    unit: Id,
    item: String,
    facts: RawFacts,
    version: i64,
    user: Option<Id>,
}

pub async fn run(args: BenchWriteArgs) -> Result<String> {
    let store = args.db.open().await?;
    let mut slots = Vec::new();
    for o in store.organisers().await? {
        for c in store.campaigns(o.id).await? {
            let chosen = match args.campaign {
                Some(id) => id == c.id,
                None => !store.has_results(c.id).await?,
            };
            if chosen {
                slots.extend(open_items(&store, o.id, c.id).await?);
            }
        }
    }
    if slots.len() < args.clients {
        bail!(
            "只有 {} 个可保存的项目（未提交的自查报告中已保存的项目），少于 {} 个并发写入者",
            slots.len(),
            args.clients
        );
    }
    let until = Instant::now() + Duration::from_secs(args.seconds);
    let mut writers = Vec::new();
    for w in 0..args.clients {
        let mine: Vec<Slot> = slots
            .iter()
            .skip(w)
            .step_by(args.clients)
            .cloned()
            .collect();
        writers.push(tokio::spawn(write(store.clone(), mine, until)));
    }
    let mut latencies = Vec::new();
    for w in writers {
        latencies.extend(w.await??);
    }
    latencies.sort_unstable();
    let n = latencies.len();
    let at = |q: f64| latencies[((n as f64 * q) as usize).min(n.saturating_sub(1))];
    Ok(format!(
        "{} writes in {} s: {:.0} writes/s, p50 {:.2} ms, p99 {:.2} ms\n",
        n,
        args.seconds,
        n as f64 / args.seconds as f64,
        at(0.5).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0
    ))
}

/// The saved items of a campaign's reports not yet submitted.
async fn open_items(store: &Store, organiser: Id, campaign: Id) -> Result<Vec<Slot>> {
    let submitted: Vec<Id> = store
        .reports(campaign)
        .await?
        .into_iter()
        .filter(|r| r.state == ReportState::Submitted)
        .map(|r| r.unit_id)
        .collect();
    Ok(store
        .campaign_report_items(campaign)
        .await?
        .into_iter()
        .filter(|(unit, _)| !submitted.contains(unit))
        .map(|(unit, i)| Slot {
            organiser,
            campaign,
            unit,
            item: i.item_id,
            facts: i.facts,
            version: i.version,
            user: i.updated_by,
        })
        .collect())
}

/// One writer: its items saved in turn until `until`, each save timed.
async fn write(store: Store, mut mine: Vec<Slot>, until: Instant) -> Result<Vec<Duration>> {
    let mut latencies = Vec::new();
    let (mut k, n) = (0, mine.len());
    while Instant::now() < until {
        let slot = &mut mine[k % n];
        k += 1;
        let started = Instant::now();
        let mut work = store.begin().await?;
        slot.version = work
            .save_report_item(
                slot.campaign,
                slot.unit,
                &slot.item,
                &slot.facts,
                ItemState::Draft,
                slot.version,
                slot.user,
            )
            .await?;
        work.commit(&AuditEntry {
            organiser_id: Some(slot.organiser),
            user_id: slot.user,
            username: Some("(bench-write)".into()),
            action: "report.item.draft".into(),
            target: format!(
                "campaign:{}/unit:{}/item:{}",
                slot.campaign, slot.unit, slot.item
            ),
            reason: None,
            changes: serde_json::json!([]),
        })
        .await?;
        latencies.push(started.elapsed());
    }
    Ok(latencies)
}
