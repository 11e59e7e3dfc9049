//! The `kaohe` command line.

mod archive;
mod bench;
mod export;
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
    /// 启动网页服务。首次启动且数据库为空时，自动创建演示数据并在此列出演示账号
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// 监听地址；局域网内访问请用 0.0.0.0:8080
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// 会话 Cookie 只经 HTTPS 发送（服务在 HTTPS 反向代理之后时使用）
        #[arg(long)]
        secure_cookies: bool,
        /// 可信的反向代理地址（可重复）：只有来自这些地址的请求，才按其
        /// X-Forwarded-For 认定用户的来源地址（用于登录失败计数和审计）
        #[arg(long = "trusted-proxy", value_name = "IP")]
        trusted_proxies: Vec<std::net::IpAddr>,
        /// 密码有效期（天）：密码使用超过这么多天须修改后才能继续使用；0 表示不过期
        #[arg(long, value_name = "DAYS", default_value_t = 90)]
        password_max_age: u32,
        /// 会话最长时间（小时）：登录后超过这么久须重新登录，无论期间是否操作（闲置 30 分钟也会退出）
        #[arg(long, value_name = "HOURS", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=168))]
        session_hours: u32,
    },
    /// 正式部署：创建组织单位（区）及其第一个管理员，不含演示数据
    Init {
        #[command(flatten)]
        db: DbArgs,
        /// 组织单位名称，如 “北仑区”
        #[arg(long, value_name = "NAME")]
        organiser: String,
        /// 第一个管理员的用户名
        #[arg(long, default_value = "admin")]
        admin: String,
    },
    /// 生成规模测试数据（性能测试用，写入空数据库）：若干组织单位，每个有成百上千个街道（按区分组）、数年的考核任务（往年已定稿，今年填报中）、台账、佐证材料、审核和审计记录；同样的参数生成同样的数据。账号 s1-admin、s1-office、s1-u0001 等，密码同演示数据
    Demo {
        #[command(flatten)]
        db: DbArgs,
        /// 每个组织单位的街道数
        #[arg(long, value_name = "N")]
        units: usize,
        /// 组织单位数
        #[arg(long, value_name = "K", default_value_t = 1)]
        organisers: usize,
        /// 年数（最后一年为 2026 年，填报中；此前各年已定稿）
        #[arg(long, value_name = "Y", default_value_t = 3)]
        years: usize,
        /// 每个单位每年一份佐证材料的大小（KiB，0 为不上传）
        #[arg(long, value_name = "KIB", default_value_t = 64)]
        evidence_kib: usize,
        /// 随机数种子
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// 性能测试：直接在数据库上反复保存自查项目（不经网页），测存储的上限；bench/load.sh 调用
    #[command(hide = true)]
    BenchWrite(bench::BenchWriteArgs),
    /// 备份数据库（服务运行时也可以）：内置 SQLite 写成一个备份文件并校验；PostgreSQL 请用 pg_dump
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// 备份文件（不能已存在），如 /备份/kaohe-2026-12-01.db
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// 从备份文件恢复内置 SQLite 数据库（请先停止服务）；先校验备份，原数据库改名保留
    Restore {
        /// 数据目录（恢复为其中的 kaohe.db）
        #[arg(long, default_value = "kaohe-data", value_name = "DIR")]
        data: PathBuf,
        /// 备份文件（kaohe backup 写的）
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// 数据目录里已有数据库时替换它（原库改名为 kaohe.db.before-restore-时间）
        #[arg(long)]
        replace: bool,
    },
    /// 审计日志：校验哈希链
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// 佐证材料：删除已定稿考核任务中含个人信息的材料（保存期限届满后）
    Evidence {
        #[command(subcommand)]
        command: EvidenceCommand,
    },
    /// 组织单位（区）管理
    Organiser {
        #[command(subcommand)]
        command: OrganiserCommand,
    },
    /// 评分细则文件：检查、查看、从附件导入
    Rubric {
        #[command(subcommand)]
        command: RubricCommand,
    },
    /// 导出正式文件：单位考核表（Word/Excel）、汇总表（Excel）、通报草稿（Word）
    Export(export::ExportArgs),
    /// 归档：把已定稿的考核任务打包成一个 zip（细则、结果、正式文件、佐证材料、审计记录和链头），附 SHA-256 清单，脱离数据库也能核对
    Archive(archive::ArchiveArgs),
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
        /// 差距分析：这个单位每条失分规则要怎样改进、能提几分（每条单独计算）
        #[arg(long, value_name = "UNIT", conflicts_with_all = ["json", "csv", "detail"])]
        gaps: Option<String>,
        /// 新旧细则对比：事实数据按这份（现行）细则读入，再按 --rubric 的新细则计分，并列各单位的总分、名次及其变化
        #[arg(long, value_name = "OLD", conflicts_with_all = ["json", "csv", "detail", "gaps"])]
        compare: Option<PathBuf>,
        /// 与 --compare 同用：数据对应文件（CSV 或 Excel，每行“新细则的数据代码,往年的数据代码”，往年没有的留空），用于新细则的数据代码与现行细则不同时（如从附件导入的草稿）
        #[arg(long, value_name = "FILE", requires = "compare")]
        map: Option<PathBuf>,
        /// 输出 JSON（分数为精确小数字符串），逐个单位写出
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// 与 --json 同用：只含各项得分、总分和排名，不含每项的理由（批量处理用，体积小得多）
        #[arg(long, requires = "json")]
        compact: bool,
        /// 输出 CSV（带 BOM 的 UTF-8，可直接用 Excel 或 WPS 打开）：排名、各类别、总分、等次和各项得分
        #[arg(long, conflicts_with = "detail")]
        csv: bool,
    },
}

/// Where the data lives.
#[derive(clap::Args)]
struct DbArgs {
    /// 数据目录（内置 SQLite 数据库 kaohe.db 存放于此）
    #[arg(long, default_value = "kaohe-data", value_name = "DIR")]
    data: PathBuf,
    /// 使用 PostgreSQL 等外部数据库，如 postgres://user@host/kaohe（优先于 --data）
    #[arg(long, env = "KAOHE_DATABASE_URL", value_name = "URL")]
    database_url: Option<String>,
}

impl DbArgs {
    fn url(&self) -> Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data)
            .with_context(|| format!("无法创建数据目录 {}", self.data.display()))?;
        Ok(format!("sqlite://{}", self.data.join("kaohe.db").display()))
    }

    async fn open(&self) -> Result<kaohe_storage::Store> {
        let url = self.url()?;
        kaohe_storage::Store::open(&url)
            .await
            .with_context(|| format!("无法打开数据库 {}", redact(&url)))
    }
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].find(':') {
            Some(c) => format!("{}:***{}", &url[..s + 3 + c], &url[at..]),
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}

#[derive(Subcommand)]
enum AuditCommand {
    /// 重算整条审计日志哈希链，发现被改动或删除的记录；--expect 核对此前记下的链头
    Verify {
        #[command(flatten)]
        db: DbArgs,
        /// 此前记下的链头（序号:哈希，如定稿时记录的），核对最新记录没有被删
        #[arg(long, value_name = "SEQ:HASH")]
        expect: Option<String>,
    },
    /// 查看或设定审计日志哈希链所用的算法：sha256（默认）或 sm3（国密，密评用）；设定后新写入的记录按新算法成链，此前的记录不变、仍可核验
    Hash {
        #[command(flatten)]
        db: DbArgs,
        /// sm3 或 sha256；不写则显示当前算法
        alg: Option<String>,
    },
}

#[derive(Subcommand)]
enum EvidenceCommand {
    /// 删除一个已定稿（锁定）考核任务中标为“含个人信息”的佐证材料的文件内容；登记信息（名称、大小、SHA-256、删除时间）保留，删除记入审计日志
    PurgePersonal {
        #[command(flatten)]
        db: DbArgs,
        /// 考核任务编号（见网页地址 /c/编号）
        #[arg(long, value_name = "ID")]
        campaign: i64,
    },
}

#[derive(Subcommand)]
enum OrganiserCommand {
    /// 再添加一个组织单位（区）及其第一个管理员
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// 组织单位名称
        #[arg(long, value_name = "NAME")]
        name: String,
        /// 第一个管理员的用户名
        #[arg(long)]
        admin: String,
    },
    /// 列出所有组织单位
    List {
        #[command(flatten)]
        db: DbArgs,
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
    /// 从正式附件（Word .docx、Excel .xlsx 或文本；旧版 .doc/.wps 需装 LibreOffice）读出细则草稿（TOML），需人工处理的地方标 ⚠
    Import {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// 草稿写入此文件（不给则打印到标准输出）
        #[arg(short = 'o', long = "output", value_name = "OUT.toml")]
        output: Option<PathBuf>,
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
        Command::Serve {
            db,
            addr,
            secure_cookies,
            trusted_proxies,
            password_max_age,
            session_hours,
        } => {
            let config = kaohe_web::Config {
                secure_cookies,
                trusted_proxies,
                password_max_age: (password_max_age > 0)
                    .then(|| time::Duration::days(password_max_age.into())),
                session_lifetime: time::Duration::hours(session_hours.into()),
                ..Default::default()
            };
            runtime()?.block_on(serve(db, addr, config))
        }
        Command::Init {
            db,
            organiser,
            admin,
        } => runtime()?.block_on(init(db, organiser, admin)),
        Command::Audit {
            command: AuditCommand::Verify { db, expect },
        } => runtime()?.block_on(audit_verify(db, expect)),
        Command::Audit {
            command: AuditCommand::Hash { db, alg },
        } => runtime()?.block_on(audit_hash(db, alg)),
        Command::Evidence {
            command: EvidenceCommand::PurgePersonal { db, campaign },
        } => runtime()?.block_on(purge_personal(db, campaign)),
        Command::Demo {
            db,
            units,
            organisers,
            years,
            evidence_kib,
            seed,
        } => runtime()?.block_on(async {
            let store = db.open().await?;
            let scale = kaohe_web::setup::scale::Scale {
                organisers,
                units,
                years,
                evidence_kib,
                seed,
            };
            let started = std::time::Instant::now();
            let made = kaohe_web::setup::scale::generate(&store, &scale, &mut |line| {
                eprintln!("{line}")
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            out(&format!(
                "已生成：{} 个组织单位，{} 个街道，{} 个考核任务，{} 个账号，{} 条台账，{} 份佐证材料（{} MiB），{} 次提交（审计记录），用时 {:.1} 秒。\n账号 s1-admin、s1-office、s1-u0001 等，密码 {}\n",
                made.organisers,
                made.units,
                made.campaigns,
                made.users,
                made.records,
                made.evidence_files,
                made.evidence_bytes / (1024 * 1024),
                made.commits,
                started.elapsed().as_secs_f64(),
                kaohe_web::setup::scale::PASSWORD,
            ))
        }),
        Command::BenchWrite(args) => out(&runtime()?.block_on(bench::run(args))?),
        Command::Backup { db, to } => runtime()?.block_on(backup(db, to)),
        Command::Restore {
            data,
            from,
            replace,
        } => runtime()?.block_on(restore(data, from, replace)),
        Command::Organiser { command } => runtime()?.block_on(async {
            match command {
                OrganiserCommand::Add { db, name, admin } => {
                    let store = db.open().await?;
                    let password = admin_password(&admin)?;
                    kaohe_web::setup::add_organiser(&store, &name, &admin, &password)
                        .await
                        .map_err(|e| anyhow::anyhow!(e))?;
                    out(&format!("已创建组织单位 “{name}” 及管理员 {admin}。\n"))
                }
                OrganiserCommand::List { db } => {
                    let store = db.open().await?;
                    let mut text = String::new();
                    for o in store.organisers().await? {
                        let demo = if o.is_demo { "（演示）" } else { "" };
                        text.push_str(&format!("{}\t{}{demo}\n", o.id, o.name));
                    }
                    out(&text)
                }
            }
        }),
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
            RubricCommand::Import { file, output } => import_annex(&file, output.as_deref()),
        },
        Command::Export(args) => out(&export::run(args)?),
        Command::Archive(args) => out(&archive::run(args)?),
        Command::Score {
            rubric,
            facts,
            detail,
            gaps,
            compare,
            map,
            json,
            compact,
            csv,
        } => {
            if let Some(old) = compare {
                return compare_rubrics(rubric, old, map, facts);
            }
            let form = match (json, compact, csv) {
                (true, false, _) => Output::Json { explain: true },
                (true, true, _) => Output::Json { explain: false },
                (_, _, true) => Output::Csv,
                _ => match (detail, gaps) {
                    (Some(unit), _) => Output::Detail(unit),
                    (_, Some(unit)) => Output::Gaps(unit),
                    _ => Output::Table,
                },
            };
            score(rubric, facts, form)
        }
    }
}

/// `kaohe init`: the first organiser and its admin, on an empty database.
async fn init(db: DbArgs, organiser: String, admin: String) -> Result<()> {
    let store = db.open().await?;
    let existing = store.organisers().await?;
    if existing.iter().any(|o| o.is_demo) {
        bail!("这个数据库里是演示数据；正式部署请用新的数据目录（--data 新目录）或新的数据库");
    }
    if !existing.is_empty() {
        bail!("已经初始化过了；要再添加组织单位，请用 kaohe organiser add");
    }
    let password = admin_password(&admin)?;
    kaohe_web::setup::add_organiser(&store, &organiser, &admin, &password)
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    out(&format!(
        "已创建组织单位 “{organiser}” 及管理员 {admin}。\n启动服务：kaohe serve{}\n",
        db_flags(&db)
    ))
}

/// `kaohe backup`: a consistent copy of the embedded database while it may be in use,
/// checked (SQLite's integrity check, the audit chain) before it is reported written.
async fn backup(db: DbArgs, to: PathBuf) -> Result<()> {
    if db.database_url.is_some() {
        bail!(
            "PostgreSQL 数据库请用它自己的工具备份：pg_dump -Fc -f kaohe.dump 数据库URL（恢复用 pg_restore；见 docs/deployment.md）"
        );
    }
    if to.exists() {
        bail!(
            "备份文件 {} 已存在；请换一个文件名，不会覆盖已有的备份",
            to.display()
        );
    }
    let store = db.open().await?;
    store
        .backup_to(&to)
        .await
        .with_context(|| format!("无法写备份文件 {}", to.display()))?;
    store.close().await;
    let summary = check_database(&to)
        .await
        .with_context(|| format!("备份文件 {} 校验未通过，请勿使用", to.display()))?;
    out(&format!("已备份到 {}：{summary}\n", to.display()))
}

/// `kaohe restore`: the backup is checked first (on a copy), then put in place of the
/// data folder's database; a database already there is kept under another name.
async fn restore(data: PathBuf, from: PathBuf, replace: bool) -> Result<()> {
    if !from.is_file() {
        bail!("找不到备份文件 {}", from.display());
    }
    std::fs::create_dir_all(&data)
        .with_context(|| format!("无法创建数据目录 {}", data.display()))?;
    let target = data.join("kaohe.db");
    if target.exists() && !replace {
        bail!(
            "数据目录 {} 里已有数据库。请先停止服务，再加 --replace 恢复（原数据库会改名保留，不会删除）",
            data.display()
        );
    }
    let staged = data.join("kaohe.db.restoring");
    std::fs::copy(&from, &staged)
        .with_context(|| format!("无法复制备份文件 {}", from.display()))?;
    let summary = match check_database(&staged).await {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e.context(format!("备份文件 {} 校验未通过，未恢复", from.display())));
        }
    };
    let mut kept = String::new();
    if target.exists() {
        let stamp = kaohe_storage::now_ms() / 1000;
        for suffix in ["", "-wal", "-shm"] {
            let old = data.join(format!("kaohe.db{suffix}"));
            if old.exists() {
                let to = data.join(format!("kaohe.db{suffix}.before-restore-{stamp}"));
                std::fs::rename(&old, &to)?;
            }
        }
        kept = format!("；原数据库已改名为 kaohe.db.before-restore-{stamp}");
    }
    std::fs::rename(&staged, &target)?;
    out(&format!(
        "已从 {} 恢复到 {}：{summary}{kept}\n",
        from.display(),
        target.display()
    ))
}

/// Opens a database file and checks it whole: SQLite's integrity check and the audit
/// chain. Says what it holds.
async fn check_database(path: &Path) -> Result<String> {
    let store = kaohe_storage::Store::open(&format!("sqlite://{}", path.display())).await?;
    let mut problems = store.integrity_check().await?;
    let check = store.audit_verify().await?;
    problems.extend(check.problems.iter().cloned());
    store.close().await;
    if !problems.is_empty() {
        bail!("{}", problems.join("；"));
    }
    Ok(format!(
        "数据库完整，审计日志 {} 条记录，链头 {}",
        check.rows, check.head
    ))
}

/// `kaohe evidence purge-personal --campaign ID`: a locked campaign's evidence holding
/// personal data loses its bytes (its retention has run), in one unit of work with its
/// audit row naming every file.
async fn purge_personal(db: DbArgs, campaign: i64) -> Result<()> {
    let store = db.open().await?;
    let mut work = store.begin().await?;
    let files = match work.purge_personal_evidence(campaign).await {
        Ok(f) => f,
        Err(kaohe_storage::StorageError::Conflict) => bail!(
            "考核任务 {campaign} 尚未定稿（锁定）：定稿前材料还可能用于审核和申诉，不能删除；定稿后再执行"
        ),
        Err(kaohe_storage::StorageError::NotFound) => bail!("没有编号为 {campaign} 的考核任务"),
        Err(e) => return Err(e.into()),
    };
    if files.is_empty() {
        return out(&format!(
            "考核任务 {campaign} 没有尚未删除的含个人信息的材料\n"
        ));
    }
    let organiser = campaign_organiser(&store, campaign).await?;
    work.commit(&kaohe_storage::AuditEntry {
        organiser_id: organiser,
        user_id: None,
        username: Some("kaohe evidence purge-personal".into()),
        action: "evidence.purge_personal".into(),
        target: format!("campaign:{campaign}"),
        reason: Some("含个人信息的材料保存期限届满，依《个人信息保护法》删除".into()),
        changes: serde_json::Value::Array(
            files
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "field": format!("evidence:{}", e.id),
                        "old": format!("{}（{} 字节，SHA-256 {}）", e.filename, e.size, e.sha256),
                        "new": null,
                    })
                })
                .collect(),
        ),
    })
    .await?;
    out(&format!(
        "已删除考核任务 {campaign} 中 {} 个含个人信息的材料的文件内容；名称、大小和 SHA-256 仍有记录，删除已记入审计日志\n",
        files.len()
    ))
}

/// The organiser a campaign belongs to, for its audit row.
async fn campaign_organiser(store: &kaohe_storage::Store, campaign: i64) -> Result<Option<i64>> {
    for org in store.organisers().await? {
        if store
            .campaigns(org.id)
            .await?
            .iter()
            .any(|c| c.id == campaign)
        {
            return Ok(Some(org.id));
        }
    }
    Ok(None)
}

/// `kaohe audit hash [sm3|sha256]`: the chain's algorithm for new rows, shown or set (the
/// change itself chained as a row).
async fn audit_hash(db: DbArgs, alg: Option<String>) -> Result<()> {
    use kaohe_storage::HashAlg;
    let store = db.open().await?;
    let now = store.audit_hash().await?;
    let Some(alg) = alg else {
        return out(&format!("审计日志哈希算法：{}\n", now.name()));
    };
    let Some(to) = HashAlg::parse(&alg) else {
        bail!("不认识的算法“{alg}”：请写 sm3 或 sha256");
    };
    if to == now {
        return out(&format!("审计日志哈希算法已是 {}，未改动\n", now.name()));
    }
    store
        .set_audit_hash(
            to,
            &kaohe_storage::AuditEntry {
                organiser_id: None,
                user_id: None,
                username: Some("kaohe audit hash".into()),
                action: "audit.hash".into(),
                target: "audit_head".into(),
                reason: None,
                changes: serde_json::json!([{"field": "alg", "old": now.name(), "new": to.name()}]),
            },
        )
        .await?;
    out(&format!(
        "审计日志哈希算法由 {} 改为 {}：此后的记录按 {} 成链，此前的记录不变；kaohe audit verify 核验整条链\n",
        now.name(),
        to.name(),
        to.name()
    ))
}

/// `kaohe audit verify`: the audit chain is whole, and (with `--expect`) still holds the
/// head written down at a lock.
async fn audit_verify(db: DbArgs, expect: Option<String>) -> Result<()> {
    let store = db.open().await?;
    let check = store.audit_verify().await?;
    let mut problems = check.problems.clone();
    if let Some(expect) = expect {
        let (seq, hash) = expect
            .split_once(':')
            .and_then(|(s, h)| Some((s.trim().parse::<i64>().ok()?, h.trim().to_string())))
            .ok_or_else(|| anyhow::anyhow!("--expect 应为 序号:哈希，如 42:9f86d0…"))?;
        let found = store.audit_verify_at(seq).await?;
        match found {
            Some(h) if h == hash => {}
            Some(_) => problems.push(format!(
                "第 {seq} 条记录的哈希与记下的链头不符：此后的记录被改写过"
            )),
            None => problems.push(format!(
                "记下的链头是第 {seq} 条，但日志里已没有这一条：记录被删除"
            )),
        }
    }
    if problems.is_empty() {
        out(&format!(
            "审计日志完整：{} 条记录，链头 {}\n",
            check.rows, check.head
        ))
    } else {
        bail!(
            "审计日志被改动过（{} 条记录，链头 {}）：\n  {}",
            check.rows,
            check.head,
            problems.join("\n  ")
        )
    }
}

/// `kaohe score`: the ranking, one unit's detail, or everything as JSON.
/// What `kaohe score` prints.
enum Output {
    Table,
    Detail(String),
    Gaps(String),
    Json { explain: bool },
    Csv,
}

/// `kaohe score`: the ranking, one unit's detail, JSON or CSV. The file is read and
/// checked whole first (nothing is scored on half a file), keeping each unit's total and,
/// for the table and the CSV, its line of output; then the lines are written in ranked
/// order (JSON reads and scores each unit again, its explanations being too large to
/// keep), so memory holds the file's text and a few dozen bytes a unit, never every
/// unit's scores.
fn score(rubric: PathBuf, facts: PathBuf, output: Output) -> Result<()> {
    let rubric = load_rubric(&rubric)?;
    let bytes = read_input(&facts, "事实数据文件")?;
    let form = match output {
        Output::Table => show::Form::Table,
        Output::Csv => show::Form::Csv,
        _ => show::Form::Nothing,
    };
    let mut tally = show::Tally::new(&rubric, form);
    let file = kaohe_formats::FactsTable::open(&rubric, &facts.display().to_string(), bytes, |u| {
        tally.add(&rubric, u)
    })
    .map_err(|e| anyhow::anyhow!("事实数据有误，未计分：\n{e}"))?;
    let stdout = std::io::stdout().lock();
    let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout);
    match output {
        Output::Json { explain } => {
            show::write_json(&mut w, &rubric, &file, &tally.ranking(), explain)?
        }
        Output::Csv => show::write_csv(&mut w, &rubric, &tally)?,
        Output::Detail(unit) => {
            let r = unit_named(&rubric, &file, &tally.ranking(), &unit)?;
            w.write_all(show::detail_text(&rubric, &r, file.len()).as_bytes())?;
        }
        Output::Gaps(unit) => {
            let r = unit_named(&rubric, &file, &tally.ranking(), &unit)?;
            w.write_all(show::gaps_text(&rubric, &r, file.len()).as_bytes())?;
        }
        Output::Table => show::write_ranking(&mut w, &rubric, &tally)?,
    }
    w.flush()?;
    Ok(())
}

/// `kaohe score --rubric NEW --compare OLD FACTS`: the facts (written for OLD) scored
/// under both rubrics, side by side.
fn compare_rubrics(new: PathBuf, old: PathBuf, map: Option<PathBuf>, facts: PathBuf) -> Result<()> {
    let new = load_rubric(&new)?;
    let old = load_rubric(&old)?;
    let chosen = match &map {
        Some(path) => {
            let bytes = read_input(path, "数据对应文件")?;
            mapping_file(&old, &new, &bytes).map_err(|e| {
                anyhow::anyhow!("数据对应文件 {} 有误，未计分：\n{e}", path.display())
            })?
        }
        None => Vec::new(),
    };
    let (mapping, _) =
        kaohe_core::compare::Mapping::auto(&old, &new).with_hand(&old, &new, &chosen);
    let bytes = read_input(&facts, "事实数据文件")?;
    let units = kaohe_formats::read_facts(&old, &facts.display().to_string(), &bytes)
        .map_err(|e| anyhow::anyhow!("事实数据（按 --compare 的现行细则读）有误，未计分：\n{e}"))?;
    out(&show::compare_text(&old, &new, &mapping, units))
}

/// A mapping file's pairs (the new rubric's key, the old one's or none), each row
/// checked: both keys known, the types compatible. A first row that names no key of
/// the new rubric is a header; empty rows are skipped. Every problem is listed.
fn mapping_file(
    old: &Rubric,
    new: &Rubric,
    bytes: &[u8],
) -> std::result::Result<Vec<(String, Option<String>)>, String> {
    let rows = kaohe_formats::sheet::read(bytes)?;
    let mut pairs = Vec::new();
    let mut problems = Vec::new();
    for (n, row) in rows.iter().enumerate() {
        let cell = |i: usize| row.get(i).map_or("", |c| c.trim());
        let (to, from) = (cell(0), cell(1));
        if to.is_empty() || (n == 0 && new.slot(to).is_none()) {
            continue;
        }
        let line = n + 1;
        let Some(slot) = new.slot(to) else {
            problems.push(format!("第 {line} 行：新细则里没有数据代码“{to}”。"));
            continue;
        };
        if from.is_empty() || from == "无" {
            pairs.push((to.to_string(), None));
            continue;
        }
        match old.slot(from) {
            None => problems.push(format!("第 {line} 行：现行细则里没有数据代码“{from}”。")),
            Some(o) if !kaohe_core::compare::compatible(old.input(o).ty, new.input(slot).ty) => {
                problems.push(format!(
                    "第 {line} 行：“{}”与“{}”类型不同，不能对应。",
                    new.input(slot).label,
                    old.input(o).label
                ))
            }
            Some(_) => pairs.push((to.to_string(), Some(from.to_string()))),
        }
    }
    if problems.is_empty() {
        Ok(pairs)
    } else {
        Err(problems.join("\n"))
    }
}

/// The unit of that name in the file, scored, or why not (with the closest name).
fn unit_named(
    rubric: &Rubric,
    file: &kaohe_formats::FactsTable,
    ranking: &show::Ranking,
    unit: &str,
) -> Result<show::Scored> {
    let mut names = Vec::with_capacity(file.len());
    let mut rows = file.rows();
    for i in 0..file.len() {
        let u = rows.unit(i)?;
        if u.unit == unit.trim() {
            let score = kaohe_core::score(rubric, &u.facts);
            return Ok(show::Scored {
                unit: u.unit,
                facts: u.facts,
                score,
                rank: ranking.rank_of(i),
            });
        }
        names.push(u.unit);
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let hint = show::closest_name(unit, &names)
        .map(|n| format!("是否指 “{n}”？"))
        .unwrap_or_else(|| match names.len() {
            0..=20 => format!("文件里的单位：{}", names.join("、")),
            n => format!("文件里的单位：{} 等 {n} 个", names[..20].join("、")),
        });
    anyhow::bail!("事实数据里没有单位 “{unit}”；{hint}")
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("无法启动异步运行时")
}

fn db_flags(db: &DbArgs) -> String {
    match &db.database_url {
        Some(_) => " --database-url …".to_string(),
        None if db.data == Path::new("kaohe-data") => String::new(),
        None => format!(" --data {}", db.data.display()),
    }
}

/// The first admin's password: from `KAOHE_ADMIN_PASSWORD`, or asked for twice on the
/// terminal without echo.
fn admin_password(admin: &str) -> Result<String> {
    if let Ok(p) = std::env::var("KAOHE_ADMIN_PASSWORD") {
        if let Some(problem) = kaohe_web::password_problem(&p, admin) {
            bail!("KAOHE_ADMIN_PASSWORD 不够安全：{problem}");
        }
        return Ok(p);
    }
    loop {
        let p = rpassword::prompt_password(format!("管理员 {admin} 的密码："))
            .context("无法读取密码；也可用环境变量 KAOHE_ADMIN_PASSWORD 提供")?;
        if let Some(problem) = kaohe_web::password_problem(&p, admin) {
            eprintln!("{problem}，请重输。");
            continue;
        }
        let again = rpassword::prompt_password("再输一次：")?;
        if again != p {
            eprintln!("两次输入不一致，请重输。");
            continue;
        }
        return Ok(p);
    }
}

async fn serve(db: DbArgs, addr: std::net::SocketAddr, config: kaohe_web::Config) -> Result<()> {
    give_memory_back();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let store = db.open().await?;
    let seeded = kaohe_web::setup::seed_demo_if_empty(&store)
        .await
        .map_err(|e| anyhow::anyhow!("无法创建演示数据：{e}"))?;
    let mut banner = String::new();
    if let Some(logins) = kaohe_web::setup::demo_logins(&store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        banner.push_str(if seeded {
            "\n已创建演示数据（所有数字均为虚构）。演示账号，密码都是 "
        } else {
            "\n演示数据（所有数字均为虚构）。演示账号，密码都是 "
        });
        banner.push_str(kaohe_web::setup::DEMO_PASSWORD);
        banner.push_str("：\n");
        for l in logins {
            banner.push_str(&format!(
                "  {:<10} {}  {}\n",
                l.username,
                l.role.label(),
                l.note
            ));
        }
    }
    let state = kaohe_web::AppState::new(store, config);
    kaohe_web::serve(state, addr, |bound| {
        let host = if bound.ip().is_unspecified() {
            format!("localhost:{}", bound.port())
        } else {
            bound.to_string()
        };
        println!("{banner}\nkaohe 已启动：请用浏览器打开 http://{host}/ （按 Ctrl+C 停止）");
    })
    .await
    .with_context(|| format!("无法在 {addr} 上启动服务（端口被占用？可用 --addr 换一个）"))
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

/// `kaohe rubric import`: the draft to OUT (or stdout), a summary of what needs a person
/// on stderr.
fn import_annex(file: &Path, output: Option<&Path>) -> Result<()> {
    use kaohe_formats::annex::FlagKind;
    let bytes = read_input(file, "附件文件")?;
    let draft = kaohe_formats::annex::import_annex(&file.display().to_string(), &bytes)
        .map_err(|e| anyhow::anyhow!("附件读不出评分表：\n{e}"))?;
    let toml = draft.to_toml();
    let items = draft.items().count();
    let rules: usize = draft.items().map(|i| i.rules.len()).sum();
    let blocking = draft.count(FlagKind::Unsettled) + draft.count(FlagKind::Unread);
    let summary = format!(
        "读出 {} 个类别、{items} 个项目、{rules} 条规则；⚠ 必须处理或未读出 {blocking} 处，请核对 {} 处，需人工打分 {} 处。",
        draft.categories.len(),
        draft.count(FlagKind::Review),
        draft.count(FlagKind::Discretionary)
    );
    match output {
        Some(path) => {
            std::fs::write(path, &toml)
                .with_context(|| format!("无法写入草稿文件 {}", path.display()))?;
            let next = if blocking == 0 {
                format!(
                    "草稿可以直接加载；核对 ⚠ 后用 kaohe rubric check {} 检查。",
                    path.display()
                )
            } else {
                format!(
                    "请先处理标 ⚠ 必须处理、⚠ 未读出 的地方，再用 kaohe rubric check {} 检查。",
                    path.display()
                )
            };
            out(&format!(
                "已写出细则草稿 {}：{summary}\n{next}\n",
                path.display()
            ))
        }
        None => {
            eprintln!("{summary}");
            out(&toml)
        }
    }
}

/// A file a person named on the command line, or why it cannot be read, in words (not
/// the system's English).
pub(crate) fn read_input(path: &Path, what: &str) -> Result<Vec<u8>> {
    use std::io::ErrorKind;
    std::fs::read(path).map_err(|e| {
        let p = path.display();
        match e.kind() {
            ErrorKind::NotFound => anyhow::anyhow!("找不到{what} {p}；请检查文件名和所在的文件夹"),
            ErrorKind::PermissionDenied => anyhow::anyhow!("没有读取{what} {p} 的权限"),
            ErrorKind::IsADirectory => anyhow::anyhow!("{p} 是文件夹，不是{what}"),
            _ => anyhow::anyhow!("无法读取{what} {p}（{e}）"),
        }
    })
}

fn load_rubric(path: &Path) -> Result<Rubric> {
    let source = String::from_utf8(read_input(path, "细则文件")?).map_err(|_| {
        anyhow::anyhow!(
            "细则文件 {} 不是 UTF-8 编码；请用文本编辑器另存为 UTF-8 编码的 TOML",
            path.display()
        )
    })?;
    Rubric::from_toml(&source, &path.display().to_string())
        .map_err(|e| anyhow::anyhow!("细则文件有误：\n{e}"))
}

/// glibc's allocator, told to give large blocks back to the operating system: a block of
/// 128 KiB or more (a results snapshot read, a page, a workbook) is its own mapping,
/// returned when freed — by default the threshold grows to the largest block freed, so a
/// server that once read a 13 MB snapshot kept such blocks in its heap — and the threads
/// share at most two arenas a core. Measured at 1,400 units (BENCHMARKS.md): 151 → 94 MB
/// after the results pages, 492 → 369 MB after the heavy pages at 32 clients.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn give_memory_back() {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    // SAFETY: mallopt only sets the allocator's parameters; it is called before the
    // server's work starts, and a refused setting (0) leaves glibc's default.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, i32::try_from(2 * cores).unwrap_or(8));
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn give_memory_back() {}
