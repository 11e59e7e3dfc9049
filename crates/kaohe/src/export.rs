//! `kaohe export`: the official documents from the command line, for batch work — from
//! a campaign's stored results (`--campaign`), or straight from a rubric and facts files
//! (`--rubric`, the same scoring as `kaohe score`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use kaohe_core::{Facts, Rubric, score};
use kaohe_formats::UnitFacts;
use kaohe_formats::export::{self, Results, ScoredUnit};

use crate::DbArgs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Word
    Docx,
    /// Excel
    Xlsx,
}

impl Format {
    fn ext(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
        }
    }
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// 从数据库里这个考核任务最新一次计算的结果导出（编号见网页地址 /c/编号/results）
    #[arg(long, value_name = "ID", conflicts_with_all = ["rubric", "facts", "verified"])]
    campaign: Option<i64>,
    #[command(flatten)]
    db: DbArgs,
    /// 不用数据库：按这个细则文件给 FACTS 打分后导出（同 kaohe score）
    #[arg(long, value_name = "FILE", requires = "facts")]
    rubric: Option<PathBuf>,
    /// 单位填报的事实数据（自查分），CSV、TOML 或 JSON，同 kaohe score
    #[arg(value_name = "FACTS", requires = "rubric")]
    facts: Option<PathBuf>,
    /// 核实后的事实数据（考核分），格式同 FACTS（含单位基础数据）；空格子和未列出的单位沿用填报值；不给则考核分同自查分
    #[arg(long, value_name = "FILE", requires = "rubric")]
    verified: Option<PathBuf>,
    /// 导出这个单位的考核表（不给则 xlsx 为汇总表，docx 为通报草稿）
    #[arg(long, value_name = "UNIT", conflicts_with = "all_units")]
    unit: Option<String>,
    /// 每个单位各导出一份考核表，写入 -o 指定的目录
    #[arg(long, requires = "output")]
    all_units: bool,
    /// 文件格式
    #[arg(long, value_enum)]
    format: Format,
    /// 写入此文件（--all-units 时为目录）；不给则按内容命名，写在当前目录
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,
    /// 文件标题里的考核任务名称（--rubric 时；默认用细则标题）
    #[arg(long, value_name = "TITLE", requires = "rubric")]
    title: Option<String>,
}

/// Runs `kaohe export`; returns what to print.
pub fn run(args: ExportArgs) -> Result<String> {
    let results = match (args.campaign, &args.rubric, &args.facts) {
        (Some(id), _, _) => from_campaign(&args.db, id)?,
        (None, Some(rubric), Some(facts)) => from_facts(
            rubric,
            facts,
            args.verified.as_deref(),
            args.title.as_deref(),
        )?,
        _ => bail!(
            "要导出哪里的结果？用 --campaign 编号（数据库里计算过的结果），或 --rubric 细则文件 加事实数据文件"
        ),
    };
    let name_of = |what: &str| {
        let title = if results.title.is_empty() {
            &results.rubric_title
        } else {
            &results.title
        };
        export::safe_file_name(&format!("{title}-{what}.{}", args.format.ext()))
    };
    if args.all_units {
        let dir = args.output.clone().unwrap_or_default();
        std::fs::create_dir_all(&dir).with_context(|| format!("无法创建目录 {}", dir.display()))?;
        let mut written = Vec::new();
        for u in &results.units {
            let path = dir.join(name_of(&format!("{}-考核表", u.name)));
            write(&path, unit_table(&results, &u.name, args.format)?)?;
            written.push(path.display().to_string());
        }
        return Ok(format!(
            "已写出 {} 个单位的考核表：\n  {}\n",
            written.len(),
            written.join("\n  ")
        ));
    }
    let (bytes, what) = match (&args.unit, args.format) {
        (Some(unit), format) => {
            let unit = find_unit(&results, unit)?;
            (
                unit_table(&results, &unit, format)?,
                format!("{unit}-考核表"),
            )
        }
        (None, Format::Xlsx) => (export::summary_xlsx(&results)?, "考核结果汇总".to_string()),
        (None, Format::Docx) => (
            export::bulletin_docx(&results)?,
            "结果通报（草稿）".to_string(),
        ),
    };
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(name_of(&what)));
    write(&path, bytes)?;
    Ok(format!("已写出 {}\n", path.display()))
}

fn unit_table(r: &Results, unit: &str, format: Format) -> Result<Vec<u8>> {
    Ok(match format {
        Format::Docx => export::unit_table_docx(r, unit)?,
        Format::Xlsx => export::unit_table_xlsx(r, unit)?,
    })
}

fn write(path: &Path, bytes: Vec<u8>) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("无法写入 {}", path.display()))
}

/// The unit a name means: itself, or an error that suggests the closest name.
fn find_unit(r: &Results, name: &str) -> Result<String> {
    let name = name.trim();
    if r.units.iter().any(|u| u.name == name) {
        return Ok(name.to_string());
    }
    let names: Vec<&str> = r.units.iter().map(|u| u.name.as_str()).collect();
    let hint = crate::show::closest_name(name, &names)
        .map(|n| format!("是否指 “{n}”？"))
        .unwrap_or_else(|| format!("结果里的单位：{}", names.join("、")));
    bail!("结果里没有单位 “{name}”；{hint}")
}

/// The campaign's latest stored results; the export is written to the audit log, as a
/// download from the web pages is.
fn from_campaign(db: &DbArgs, id: i64) -> Result<Results> {
    crate::runtime()?.block_on(async {
        let store = db.open().await?;
        let stored = kaohe_web::stored_results(&store, id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        store
            .audit(&kaohe_storage::AuditEntry {
                organiser_id: Some(stored.organiser_id),
                user_id: None,
                username: None,
                action: kaohe_web::year::Action::ResultsExport.code().into(),
                target: format!("campaign:{}/results:{}", stored.campaign_id, stored.run_id),
                reason: Some("命令行导出（kaohe export）".into()),
                changes: serde_json::json!([]),
            })
            .await?;
        Ok(stored.results)
    })
}

/// Scores the facts files as `kaohe score` does: the reported facts give 自查分, the
/// reported facts overlaid with the verified ones give 考核分.
fn from_facts(
    rubric_path: &Path,
    facts: &Path,
    verified: Option<&Path>,
    title: Option<&str>,
) -> Result<Results> {
    let rubric = crate::load_rubric(rubric_path)?;
    let reported = read(&rubric, facts)?;
    let mut checked: Vec<Facts> = reported.iter().map(|u| u.facts.clone()).collect();
    if let Some(path) = verified {
        for v in read(&rubric, path)? {
            let Some(k) = reported.iter().position(|u| u.unit == v.unit) else {
                bail!(
                    "{}：单位 “{}” 不在填报的事实数据 {} 里",
                    path.display(),
                    v.unit,
                    facts.display()
                );
            };
            for slot in 0..rubric.inputs().len() {
                if let Some(value) = v.facts.get(slot) {
                    checked[k].set(slot, Some(value.clone()));
                }
            }
        }
    }
    let self_scores: Vec<_> = reported.iter().map(|u| score(&rubric, &u.facts)).collect();
    let scores: Vec<_> = checked.iter().map(|f| score(&rubric, f)).collect();
    let units: Vec<ScoredUnit> = reported
        .iter()
        .enumerate()
        .map(|(k, u)| ScoredUnit {
            name: &u.unit,
            self_facts: &u.facts,
            self_score: &self_scores[k],
            facts: &checked[k],
            score: &scores[k],
        })
        .collect();
    let mut results = Results::from_scores(&rubric, &units);
    results.title = title.unwrap_or_default().to_string();
    Ok(results)
}

fn read(rubric: &Rubric, path: &Path) -> Result<Vec<UnitFacts>> {
    let bytes = crate::read_input(path, "事实数据文件")?;
    kaohe_formats::read_facts(rubric, &path.display().to_string(), &bytes)
        .map_err(|e| anyhow::anyhow!("事实数据有误，未导出：\n{e}"))
}
