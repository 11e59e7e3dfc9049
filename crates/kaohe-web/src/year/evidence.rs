//! Evidence files (佐证材料): uploaded per item, their type checked from the content,
//! kept in the database (every app server reaches them), downloadable only by those
//! who may see the report, each download written to the audit log.

use crate::http::form::Path;
use crate::http::upload::Upload;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use kaohe_storage::{AuditEntry, Evidence, Id, NewEvidence, Work};
use sha2::{Digest, Sha256};
use tower_sessions::Session;

use crate::AppState;
use crate::audit::{change, record};
use crate::auth::CurrentUser;
use crate::http::csrf::check_csrf;
use crate::http::error::{AppError, AppResult};
use crate::http::form::Form;
use crate::http::layout::human_size;
use crate::year::Action;
use crate::year::self_check::context;

/// What a file is, judged by its bytes: `(content type, a name for people)`.
pub fn sniff(data: &[u8], filename: &str) -> Option<(&'static str, &'static str)> {
    let ext = filename.rsplit('.').next().unwrap_or("").to_lowercase();
    if data.starts_with(b"%PDF-") {
        return Some(("application/pdf", "PDF"));
    }
    if data.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // The old binary Office and WPS formats share one container.
        return Some(match ext.as_str() {
            "xls" | "xlsx" | "xlt" | "et" | "ett" => ("application/vnd.ms-excel", "Excel/WPS 表格"),
            "ppt" | "pptx" | "pot" | "dps" => {
                ("application/vnd.ms-powerpoint", "PowerPoint/WPS 演示")
            }
            _ => ("application/msword", "Word/WPS 文档"),
        });
    }
    if data.starts_with(b"PK\x03\x04") {
        let has = |needle: &[u8]| data.windows(needle.len()).any(|w| w == needle);
        if has(b"OFD.xml") {
            return Some(("application/ofd", "OFD 电子文件"));
        }
        if has(b"word/") {
            return Some((
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "Word/WPS 文档",
            ));
        }
        if has(b"xl/") {
            return Some((
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "Excel/WPS 表格",
            ));
        }
        if has(b"ppt/") {
            return Some((
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                "PowerPoint/WPS 演示",
            ));
        }
        return None;
    }
    match infer::get(data) {
        Some(t) if t.matcher_type() == infer::MatcherType::Image => Some(match t.mime_type() {
            "image/jpeg" => ("image/jpeg", "图片"),
            "image/png" => ("image/png", "图片"),
            "image/gif" => ("image/gif", "图片"),
            "image/bmp" => ("image/bmp", "图片"),
            "image/webp" => ("image/webp", "图片"),
            "image/tiff" => ("image/tiff", "图片"),
            _ => return None,
        }),
        _ => None,
    }
}

/// The extensions a type is known by; the first is the one given to a file whose name
/// says nothing or something else.
fn extensions(content_type: &str) -> &'static [&'static str] {
    match content_type {
        "application/pdf" => &["pdf"],
        "application/msword" => &["doc", "dot", "wps", "wpt"],
        "application/vnd.ms-excel" => &["xls", "xlt", "et", "ett"],
        "application/vnd.ms-powerpoint" => &["ppt", "pot", "dps"],
        "application/ofd" => &["ofd"],
        // Macro-enabled and template files share their format's container.
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
            &["docx", "docm", "dotx", "dotm", "wps"]
        }
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
            &["xlsx", "xlsm", "xltx", "xltm", "et"]
        }
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => {
            &["pptx", "pptm", "potx", "dps"]
        }
        "image/jpeg" => &["jpg", "jpeg"],
        "image/png" => &["png"],
        "image/gif" => &["gif"],
        "image/bmp" => &["bmp"],
        "image/webp" => &["webp"],
        "image/tiff" => &["tif", "tiff"],
        "text/csv" => &["csv", "txt", "tsv"],
        _ => &[],
    }
}

/// Characters that change how a name reads without being seen: bidirectional controls
/// (a right-to-left override turns `fdp.exe` into `exe.pdf` on screen), zero-width and
/// other format characters.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// The name a file is stored and served under: its last path segment, without invisible
/// characters, ending in an extension of the type its content shows. A trailing
/// extension of another type (`评分材料.pdf.bat`, `report.hta`) is dropped, so a file is
/// never handed out under a name that a computer would run.
pub fn safe_name(filename: &str, content_type: &str) -> String {
    let known = extensions(content_type);
    let mut name: String = filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !invisible(*c))
        .take(200)
        .collect::<String>()
        .trim()
        .trim_end_matches('.')
        .to_string();
    while let Some((stem, ext)) = name.rsplit_once('.') {
        let ext = ext.to_ascii_lowercase();
        if known.contains(&ext.as_str()) && !stem.trim().is_empty() {
            return name;
        }
        // Only what looks like an extension is one: `2026.第三季度` and `整改报告2024.1`
        // keep their dots.
        if ext.is_empty()
            || ext.len() > 5
            || !ext.chars().all(|c| c.is_ascii_alphanumeric())
            || !ext.chars().any(|c| c.is_ascii_alphabetic())
        {
            break;
        }
        name = stem.trim_end_matches('.').to_string();
    }
    let stem = if name.trim().is_empty() {
        "佐证材料"
    } else {
        name.as_str()
    };
    match known.first() {
        Some(ext) => format!("{stem}.{ext}"),
        None => stem.to_string(),
    }
}

const ACCEPTED: &str =
    "PDF、图片（JPG、PNG 等）、Word/Excel/WPS 文档（doc、docx、xls、xlsx、wps、et）和 OFD 电子文件";

/// The chosen file of an upload form, refused with a message when over `max` bytes.
pub fn chosen_file(form: &Upload, max: usize) -> AppResult<Option<(String, Vec<u8>)>> {
    match form.file("file") {
        Some(f) if f.data.len() > max => Err(AppError::BadRequest(format!(
            "文件太大：“{}”有 {}，单个文件不能超过 {}。请压缩或拆分后再上传。",
            f.filename,
            human_size(f.data.len() as i64),
            human_size(max as i64)
        ))),
        Some(f) if !f.data.is_empty() => Ok(Some((f.filename.clone(), f.data.clone()))),
        _ => Ok(None),
    }
}

/// Checks an uploaded file by its content; returns the evidence row to store (without
/// its place: campaign, unit, item, appeal) and a name for its kind.
pub fn checked_file(filename: &str, data: Vec<u8>) -> AppResult<(NewEvidence, &'static str)> {
    // The type of an old Office file depends on its extension: read it without the
    // characters that hide what the name says.
    let visible: String = filename.chars().filter(|c| !invisible(*c)).collect();
    let Some((content_type, kind)) = sniff(&data, visible.trim()) else {
        return Err(AppError::BadRequest(format!(
            "“{filename}” 的类型不支持（按文件内容判断，而不是文件名）。可上传：{ACCEPTED}。"
        )));
    };
    let filename = safe_name(filename, content_type);
    let sha256: String = Sha256::digest(&data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((
        NewEvidence {
            campaign_id: 0,
            unit_id: 0,
            item_id: String::new(),
            filename,
            content_type: content_type.into(),
            sha256,
            data,
            uploaded_by: None,
            appeal_id: None,
            problem_id: None,
            personal: false,
        },
        kind,
    ))
}

/// Every file chosen in an upload form's `file` field (one or several), each checked by
/// its content; refused, naming the file, when one is over `max` bytes or of a type not
/// accepted, so that either all of them are stored or none.
pub fn chosen_files(form: &Upload, max: usize) -> AppResult<Vec<(NewEvidence, &'static str)>> {
    form.files
        .iter()
        .filter(|f| f.name == "file" && !f.data.is_empty())
        .map(|f| {
            if f.data.len() > max {
                return Err(AppError::BadRequest(format!(
                    "文件太大：“{}” 超过了单个文件的上限 {}。请压缩或拆分后再上传。",
                    f.filename,
                    human_size(max as i64)
                )));
            }
            // 所选文件含个人信息: the form's box holds for every file it sends.
            checked_file(&f.filename, f.data.clone()).map(|(mut new, kind)| {
                new.personal = form.field("personal") == "1";
                (new, kind)
            })
        })
        .collect()
}

/// Stores checked files as the evidence of a unit's item within a unit of work, and
/// returns the audit row's fields for them (each file's id, name, type, size and
/// SHA-256), so they land with the action that brought them.
pub async fn attach(
    work: &mut Work,
    me: &CurrentUser,
    (cid, uid, item): (Id, Id, &str),
    files: Vec<(NewEvidence, &'static str)>,
) -> AppResult<Vec<serde_json::Value>> {
    let mut changes = Vec::new();
    for (mut new, kind) in files {
        new.campaign_id = cid;
        new.unit_id = uid;
        new.item_id = item.to_string();
        new.uploaded_by = Some(me.user.id);
        let e = work.add_evidence(&new).await?;
        changes.extend([
            change("evidence", serde_json::Value::Null, e.id),
            change("file", serde_json::Value::Null, new.filename.as_str()),
            change("type", serde_json::Value::Null, kind),
            change("size", serde_json::Value::Null, new.data.len()),
            change("sha256", serde_json::Value::Null, new.sha256.as_str()),
        ]);
    }
    Ok(changes)
}

/// Uploads files to an item without saving its form (the item page's own form saves
/// both at once).
pub async fn upload(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid, item)): Path<(Id, Id, String)>,
    form: Upload,
) -> AppResult<Response> {
    check_csrf(&session, form.field("csrf")).await?;
    let cx = context(&state, &me, cid, uid).await?;
    if !cx.can_edit(&item) {
        return Err(cx.refusal(Action::EvidenceUpload));
    }
    let rubric = crate::year::scoring::rubric(&state, me.org(), cx.campaign.rubric_id).await?;
    if rubric.item(&item).is_none() {
        return Err(AppError::NotFound);
    }
    let files = chosen_files(&form, state.config.max_upload)?;
    if files.is_empty() {
        return Err(AppError::BadRequest("请先选择要上传的文件。".into()));
    }
    let n = files.len();
    let mut work = state.store.begin().await?;
    let changes = attach(&mut work, &me, (cid, uid, &item), files).await?;
    let target = format!("campaign:{cid}/unit:{uid}/item:{item}");
    record(work, &me, Action::EvidenceUpload, target, changes).await?;
    Ok(Redirect::to(&format!(
        "/c/{cid}/u/{uid}/i/{item}?saved=evidence&files={n}"
    ))
    .into_response())
}

/// `filename*=` of RFC 6266, so Chinese names arrive intact.
pub(crate) fn disposition(filename: &str) -> String {
    let encoded: String = filename
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"evidence\"; filename*=UTF-8''{encoded}")
}

pub async fn download(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((cid, uid, eid)): Path<(Id, Id, Id)>,
) -> AppResult<Response> {
    let cx = context(&state, &me, cid, uid).await?;
    let e = state.store.evidence(eid).await?;
    if e.campaign_id != cid || e.unit_id != uid {
        return Err(AppError::NotFound);
    }
    if cx.visible.as_ref().is_some_and(|v| !v.contains(&e.item_id)) {
        return Err(AppError::Forbidden);
    }
    if e.personal {
        personal_allowed(&me, &e)?;
    }
    let target = format!(
        "campaign:{cid}/unit:{uid}/item:{}/evidence:{eid}",
        e.item_id
    );
    send(&state, &me, &e, Action::EvidenceDownload, target).await
}

/// A file holding personal data opens only for the unit's own people and the assessors
/// of the item's department (whose pages already limit them to their items): not for
/// the office's admin, leaders or the auditor, who read results and logs, not lists of
/// people. Once its retention has run, its bytes are gone and it opens for no one.
fn personal_allowed(me: &CurrentUser, e: &Evidence) -> AppResult<()> {
    if e.purged_at.is_some() {
        return Err(AppError::BadRequest(format!(
            "“{}”含个人信息，考核定稿后已于 {} 按保存期限删除；其名称、大小和 SHA-256 仍有记录。",
            e.filename,
            crate::http::layout::china_time(e.purged_at.unwrap_or_default())
        )));
    }
    let own_unit =
        me.user.role == kaohe_storage::Role::Reporter && me.user.unit_id == Some(e.unit_id);
    let assessor = me.user.role == kaohe_storage::Role::Assessor;
    if own_unit || assessor {
        return Ok(());
    }
    Err(AppError::BadRequest(format!(
        "“{}”含个人信息，只有本单位和负责本项目的考核人员能打开。如确需查看，请联系该单位或负责该项目的部门。",
        e.filename
    )))
}

/// A stored file as an attachment under its safe name (files stored before names were
/// made safe too), never sniffed or cached, after the download's audit row (`action` on
/// `target`, the file's name as its field).
pub(crate) async fn send(
    state: &AppState,
    me: &CurrentUser,
    e: &Evidence,
    action: Action,
    target: String,
) -> AppResult<Response> {
    let data = state.store.evidence_data(e.id).await?;
    state
        .store
        .audit(&AuditEntry {
            organiser_id: Some(me.org()),
            user_id: Some(me.user.id),
            username: Some(me.user.username.clone()),
            action: action.code().into(),
            target,
            reason: None,
            changes: if e.personal {
                serde_json::json!([
                    {"field": "file", "old": null, "new": e.filename},
                    {"field": "personal", "old": null, "new": true},
                ])
            } else {
                serde_json::json!([{"field": "file", "old": null, "new": e.filename}])
            },
        })
        .await?;
    // A file holding personal data leaves marked with who took it and when.
    let name = safe_name(&e.filename, &e.content_type);
    let name = if e.personal {
        marked(&name, &me.user.username, kaohe_storage::now_ms())
    } else {
        name
    };
    Ok((
        [
            (header::CONTENT_TYPE, e.content_type.clone()),
            (header::CONTENT_DISPOSITION, disposition(&name)),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        data,
    )
        .into_response())
}

/// `孕产妇名单.xlsx` taken by xinqi on 2026-12-01 → `孕产妇名单（个人信息·xinqi·2026-12-01下载）.xlsx`.
pub(crate) fn marked(name: &str, username: &str, at_ms: i64) -> String {
    let day = &crate::http::layout::china_time(at_ms)[..10];
    let mark = format!("（个人信息·{username}·{day}下载）");
    match name.rfind('.') {
        Some(dot) if dot > 0 => format!("{}{mark}{}", &name[..dot], &name[dot..]),
        _ => format!("{name}{mark}"),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DeleteForm {
    csrf: String,
}

pub async fn delete(
    State(state): State<AppState>,
    session: Session,
    me: CurrentUser,
    Path((cid, uid, eid)): Path<(Id, Id, Id)>,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let cx = context(&state, &me, cid, uid).await?;
    let e = state.store.evidence(eid).await?;
    // A rectification's files are part of its record: never deleted here.
    if e.campaign_id != cid || e.unit_id != uid || e.problem_id.is_some() {
        return Err(AppError::NotFound);
    }
    if !cx.can_edit(&e.item_id) {
        return Err(cx.refusal(Action::EvidenceDelete));
    }
    let mut work = state.store.begin().await?;
    work.delete_evidence(eid).await?;
    work.commit(&AuditEntry {
        organiser_id: Some(me.org()),
        user_id: Some(me.user.id),
        username: Some(me.user.username.clone()),
        action: Action::EvidenceDelete.code().into(),
        target: format!(
            "campaign:{cid}/unit:{uid}/item:{}/evidence:{eid}",
            e.item_id
        ),
        reason: None,
        changes: serde_json::json!([{"field": "file", "old": e.filename, "new": null}]),
    })
    .await?;
    Ok(Redirect::to(&format!("/c/{cid}/u/{uid}/i/{}", e.item_id)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];

    #[test]
    fn names_keep_an_extension_of_their_type_and_lose_any_other() {
        let pdf = "application/pdf";
        for (sent, kept) in [
            (".pdf", "佐证材料.pdf"),
            ("", "佐证材料.pdf"),
            ("整改报告2024.1", "整改报告2024.1.pdf"),
            ("2026.03.pdf", "2026.03.pdf"),
            ("a.PDF", "a.PDF"),
            ("x.pdf.bat.exe", "x.pdf"),
            ("C:\\\\材料\\\\说明.pdf", "说明.pdf"),
            ("名\u{200B}单.pdf\u{202E}", "名单.pdf"),
        ] {
            assert_eq!(safe_name(sent, pdf), kept, "{sent:?}");
        }
        let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        assert_eq!(safe_name("台账.xlsm", xlsx), "台账.xlsm");
        assert_eq!(safe_name("台账.xltx", xlsx), "台账.xltx");
    }

    #[test]
    fn an_old_office_file_is_typed_by_its_visible_extension() {
        let (new, kind) = checked_file("表格.xlsx", OLE.to_vec()).unwrap();
        assert_eq!(new.content_type, "application/vnd.ms-excel", "{kind}");
        assert_eq!(new.filename, "表格.xls");
        let (new, _) = checked_file("表格.xls\u{200B}", OLE.to_vec()).unwrap();
        assert_eq!(new.content_type, "application/vnd.ms-excel");
        assert_eq!(new.filename, "表格.xls");
        let (new, _) = checked_file("通知.doc", OLE.to_vec()).unwrap();
        assert_eq!(new.filename, "通知.doc");
    }
}
