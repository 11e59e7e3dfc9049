//! Old binary formats (.doc, .wps, .xls, .et) and RTF, converted to .docx/.xlsx by
//! LibreOffice (`soffice --headless --convert-to …`) when it is installed. The program to
//! run is `soffice` (or `libreoffice`) on the PATH, or the one named by `KAOHE_SOFFICE`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one conversion may take.
const TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    Docx,
    Xlsx,
}

impl Target {
    fn ext(self) -> &'static str {
        match self {
            Target::Docx => "docx",
            Target::Xlsx => "xlsx",
        }
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn soffice() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KAOHE_SOFFICE") {
        let p = PathBuf::from(p);
        return (!p.as_os_str().is_empty()
            && (p.is_file() || on_path(&p.to_string_lossy()).is_some()))
        .then_some(p);
    }
    on_path("soffice").or_else(|| on_path("libreoffice"))
}

fn not_installed(from: &str, target: Target) -> String {
    let (program, kind) = match target {
        Target::Docx => ("Word 或 WPS", "libreoffice-writer-nogui"),
        Target::Xlsx => ("Excel 或 WPS 表格", "libreoffice-calc-nogui"),
    };
    format!(
        "这是旧版 .{from} 文件，需先转换为 .{to} 才能读取，但本机没有安装 LibreOffice，无法自动转换。请任选其一：① 安装 LibreOffice（如 apt-get install {kind}）后重新导入；② 在 {program} 中打开它，“另存为” .{to} 后再导入",
        to = target.ext()
    )
}

/// Converts `bytes` (an old-format file of type `from`: doc, wps, xls, rtf) to `target`
/// through LibreOffice in a scratch directory, which is removed afterwards.
pub(crate) fn convert(bytes: &[u8], target: Target, from: &str) -> Result<Vec<u8>, String> {
    let Some(program) = soffice() else {
        return Err(not_installed(from, target));
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("kaohe-annex-{}-{nanos}", std::process::id()));
    let result = convert_in(&dir, &program, bytes, target, from);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn convert_in(
    dir: &Path,
    program: &Path,
    bytes: &[u8],
    target: Target,
    from: &str,
) -> Result<Vec<u8>, String> {
    let failed = |why: String| {
        format!(
            "用 LibreOffice 把 .{from} 转换为 .{} 失败（{why}）；请在 Word/WPS 中打开它，“另存为” .{} 后再导入",
            target.ext(),
            target.ext()
        )
    };
    std::fs::create_dir_all(dir.join("out"))
        .map_err(|e| failed(format!("无法创建临时目录：{e}")))?;
    let input = dir.join(format!("annex.{from}"));
    std::fs::write(&input, bytes).map_err(|e| failed(format!("无法写临时文件：{e}")))?;
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("profile").display()
    );
    let mut child = Command::new(program)
        .arg(profile)
        .args([
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            target.ext(),
            "--outdir",
        ])
        .arg(dir.join("out"))
        .arg(&input)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| failed(format!("无法运行 {}：{e}", program.display())))?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(failed(format!("超过 {} 秒未完成", TIMEOUT.as_secs())));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(failed(e.to_string())),
        }
    }
    let output = dir.join("out").join(format!("annex.{}", target.ext()));
    std::fs::read(&output).map_err(|_| failed("没有生成转换结果，文件可能已损坏".to_string()))
}
