//! `kaohe archive --campaign ID`: a campaign's 归档 package, one zip that can be checked
//! without kaohe or its database. It holds the rubric as frozen for the campaign, the
//! results as computed (JSON) and as documents (the summary workbook, the 通报 draft, each
//! unit's table), every evidence file, the audit rows about the campaign with the chain's
//! anchors taken at each lock, and `manifest.txt`: the SHA-256 of every other file, in the
//! format `sha256sum -c` reads.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use crate::DbArgs;

#[derive(clap::Args)]
pub struct ArchiveArgs {
    /// 考核任务编号（见网页地址 /admin/c/编号）；须已定稿
    #[arg(long, value_name = "ID")]
    campaign: i64,
    #[command(flatten)]
    db: DbArgs,
    /// 写入此文件（.zip，不能已存在）；不给则按任务名称写在当前目录
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

/// A file name without characters a file system refuses.
fn safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if "/\\:*?\"<>|".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect()
}

pub fn run(args: ArchiveArgs) -> Result<String> {
    crate::runtime()?.block_on(async {
        let store = args.db.open().await?;
        let mut found = None;
        for o in store.organisers().await? {
            if let Ok(c) = store.campaign(o.id, args.campaign).await {
                found = Some((o, c));
            }
        }
        let Some((org, campaign)) = found else {
            bail!("没有编号为 {} 的考核任务", args.campaign);
        };
        if !campaign.locked {
            bail!(
                "考核任务“{}”尚未定稿：归档前请先在网页上定稿（定稿后数据不再改变）",
                campaign.title
            );
        }
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        let rubric = store.rubric(org.id, campaign.rubric_id).await?;
        files.push(("评分细则.toml".into(), rubric.source.into_bytes()));
        let run = store
            .latest_result(campaign.id)
            .await?
            .context("这个考核任务还没有计算结果")?;
        let snapshot = serde_json::to_vec_pretty(&run.data)?;
        files.push(("考核结果.json".into(), snapshot));
        let stored = kaohe_web::stored_results(&store, campaign.id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let results = &stored.results;
        use kaohe_formats::export;
        files.push(("考核结果汇总.xlsx".into(), export::summary_xlsx(results)?));
        files.push((
            "结果通报（草稿）.docx".into(),
            export::bulletin_docx(results)?,
        ));
        for u in &results.units {
            let table = export::unit_table_docx(results, &u.name)?;
            files.push((format!("考核表/{}.docx", safe(&u.name)), table));
        }
        let units = store.units(org.id).await?;
        let unit_name = |id: i64| {
            units
                .iter()
                .find(|u| u.id == id)
                .map(|u| safe(&u.name))
                .unwrap_or_else(|| id.to_string())
        };
        for cu in store.campaign_units(campaign.id).await? {
            for e in store.evidence_list(campaign.id, cu.unit_id).await? {
                let file = kaohe_web::safe_evidence_name(&e.filename, &e.content_type);
                let path = format!(
                    "佐证材料/{}/{}/{}-{}",
                    unit_name(cu.unit_id),
                    safe(&e.item_id),
                    e.id,
                    safe(&file)
                );
                // An archive is kept for years; a file listing people is not kept in it,
                // only what identifies it (个人信息保护法: its retention is shorter).
                if e.personal {
                    let note = format!(
                        "此文件含个人信息，不放入归档。\n文件：{}\n大小：{} 字节\nSHA-256：{}\n{}\n",
                        e.filename,
                        e.size,
                        e.sha256,
                        match e.purged_at {
                            Some(at) => format!("已于 {} 按保存期限删除。", kaohe_web::china_time(at)),
                            None => "仍保存在系统中，保存期限届满后用 kaohe evidence purge-personal 删除。".into(),
                        }
                    );
                    files.push((format!("{path}（含个人信息，未归档）.txt"), note.into_bytes()));
                    continue;
                }
                let data = store.evidence_data(e.id).await?;
                files.push((path, data));
            }
        }
        files.push((
            "审计记录.csv".into(),
            audit_rows(&store, org.id, campaign.id).await?,
        ));
        let mut anchors = String::from(
            "定稿时记下的审计链头（可用 kaohe audit verify --expect 序号:哈希 核对）\n",
        );
        for l in store.lock_events(campaign.id).await? {
            anchors.push_str(&format!(
                "{}\t{}\t{}:{}\t{}\n",
                kaohe_web::china_time(l.at),
                if l.lock { "定稿" } else { "解除定稿" },
                l.audit_seq,
                l.audit_hash,
                l.reason.unwrap_or_default()
            ));
        }
        files.push(("审计链头.txt".into(), anchors.into_bytes()));
        store.close().await;

        let out = args
            .output
            .unwrap_or_else(|| PathBuf::from(format!("归档-{}.zip", safe(&campaign.title))));
        let bytes = write_zip(&out, &files)?;
        Ok(format!(
            "已归档到 {}（{} 个文件，{} KB）。校验：解压后在目录里运行 sha256sum -c manifest.txt\n",
            out.display(),
            files.len() + 1,
            bytes / 1024
        ))
    })
}

/// The audit rows about the campaign (its own and its units' and items'), as CSV.
async fn audit_rows(store: &kaohe_storage::Store, org: i64, cid: i64) -> Result<Vec<u8>> {
    let target = format!("campaign:{cid}");
    let filter = kaohe_storage::AuditFilter {
        target: Some(target.clone()),
        ..Default::default()
    };
    let mut csv = String::from("\u{feff}序号,时间,操作人,操作,对象,改动,理由\n");
    let field = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut offset = 0;
    loop {
        let hits = store.audit_search(org, &filter, 500, offset).await?;
        if hits.is_empty() {
            break;
        }
        offset += hits.len() as i64;
        for h in hits {
            let t = &h.row.entry.target;
            if t != &target && !t.starts_with(&format!("{target}/")) {
                continue;
            }
            let e = &h.row.entry;
            csv.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                h.seq.map(|s| s.to_string()).unwrap_or_default(),
                field(&kaohe_web::china_time(h.row.at)),
                field(e.username.as_deref().unwrap_or("")),
                field(&kaohe_web::action_words(&e.action)),
                field(t),
                field(&e.changes.to_string()),
                field(e.reason.as_deref().unwrap_or("")),
            ));
        }
    }
    Ok(csv.into_bytes())
}

/// Writes the files and their manifest into a new zip; returns its size.
fn write_zip(out: &Path, files: &[(String, Vec<u8>)]) -> Result<u64> {
    if out.exists() {
        bail!("{} 已存在；不会覆盖已有的归档", out.display());
    }
    let file = std::fs::File::create_new(out)
        .with_context(|| format!("无法写归档文件 {}", out.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut manifest = String::new();
    for (path, data) in files {
        zip.start_file(path.as_str(), options)?;
        zip.write_all(data)?;
        let sum: String = Sha256::digest(data)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        manifest.push_str(&format!("{sum}  {path}\n"));
    }
    zip.start_file("manifest.txt", options)?;
    zip.write_all(manifest.as_bytes())?;
    zip.finish()?;
    Ok(std::fs::metadata(out)?.len())
}
