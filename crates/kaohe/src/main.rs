//! The `kaohe` command line.

mod show;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use kaohe_core::Rubric;

#[derive(Parser)]
#[command(
    name = "kaohe",
    version,
    about = "kaohe 考核：按评分细则计算自查分与考核分，每一分都有理由",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 评分细则文件：检查、查看
    Rubric {
        #[command(subcommand)]
        command: RubricCommand,
    },
    /// 按细则给一个或多个单位打分并排名（事实数据来自 CSV、TOML 或 JSON 文件）
    Score {
        /// 评分细则文件（TOML），如 rubrics/beilun-2026.toml
        #[arg(long, value_name = "FILE")]
        rubric: PathBuf,
        /// 事实数据文件：CSV（第一列 unit 或 单位，其余每列一个输入 key；UTF-8 或 GBK）、TOML 或 JSON
        #[arg(value_name = "FACTS")]
        facts: PathBuf,
        /// 列出这个单位每一项的得分和理由
        #[arg(long, value_name = "UNIT", conflicts_with = "json")]
        detail: Option<String>,
        /// 输出 JSON（分数为精确小数字符串）
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum RubricCommand {
    /// 检查细则文件，列出所有错误（文件:行号）
    Check {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// 以表格形式显示细则：类别、项目、分值、规则、输入和评分标准原文
    Show {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // Output piped into `head` that stops reading is not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Rubric { command } => match command {
            RubricCommand::Check { file } => {
                let rubric = load_rubric(&file)?;
                let items = rubric.items().len();
                let inputs = rubric.inputs().len();
                out(&format!(
                    "{}: 细则有效 —— {}（{}）：{} 个类别，{} 个项目，{} 个输入；内容哈希 {}\n",
                    file.display(),
                    rubric.title(),
                    rubric.id(),
                    rubric.categories().len(),
                    items,
                    inputs,
                    rubric.hash()
                ))
            }
            RubricCommand::Show { file } => {
                let rubric = load_rubric(&file)?;
                out(&show::rubric_text(&rubric))
            }
        },
        Command::Score {
            rubric,
            facts,
            detail,
            json,
        } => {
            let rubric = load_rubric(&rubric)?;
            let bytes = std::fs::read(&facts)
                .with_context(|| format!("无法读取事实数据文件 {}", facts.display()))?;
            let units = kaohe_formats::read_facts(&rubric, &facts.display().to_string(), &bytes)
                .map_err(|e| anyhow::anyhow!("事实数据有误，未计分：\n{e}"))?;
            let results = show::score_all(&rubric, units);
            if json {
                out(&(serde_json::to_string_pretty(&show::json(&rubric, &results))? + "\n"))?;
            } else if let Some(unit) = detail {
                let Some(r) = results.iter().find(|r| r.unit == unit.trim()) else {
                    let names: Vec<&str> = results.iter().map(|r| r.unit.as_str()).collect();
                    let hint = show::closest_name(&unit, &names)
                        .map(|n| format!("是否指 “{n}”？"))
                        .unwrap_or_else(|| format!("文件里的单位：{}", names.join("、")));
                    bail!("事实数据里没有单位 “{unit}”；{hint}");
                };
                out(&show::detail_text(&rubric, r, results.len()))?;
            } else {
                out(&show::ranking_text(&rubric, &results))?;
            }
            Ok(())
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Prints to stdout, returning an error (rather than panicking) when the reader is gone.
fn out(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

fn load_rubric(path: &Path) -> Result<Rubric> {
    let source = std::fs::read_to_string(path).with_context(|| {
        format!(
            "无法读取细则文件 {}（须为 UTF-8 编码的 TOML）",
            path.display()
        )
    })?;
    Rubric::from_toml(&source, &path.display().to_string())
        .map_err(|e| anyhow::anyhow!("细则文件有误：\n{e}"))
}
