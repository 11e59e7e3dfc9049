//! Form bodies that may carry a file: `multipart/form-data` when a file was chosen, or
//! a plain form when text was pasted. Either way a handler gets the text fields and the
//! files, and checks the CSRF field first like every other form.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;

use crate::http::error::AppError;
use crate::http::form::Form;
use crate::http::layout::human_size;

/// The largest rubric accepted (a file or pasted): a district's rubric is tens of
/// kilobytes.
pub const MAX_RUBRIC_BYTES: usize = 1024 * 1024;
/// The largest table of units or of past results accepted (a file or pasted).
pub const MAX_TABLE_BYTES: usize = 5 * 1024 * 1024;

/// The message for content over its bound, if it is: what it was, its size and the
/// bound, and what to do.
pub fn too_big(what: &str, len: usize, max: usize, hint: &str) -> Option<String> {
    (len > max).then(|| {
        format!(
            "{what}太大（{}），最多 {}；{hint}",
            human_size(len as i64),
            human_size(max as i64)
        )
    })
}

/// A file sent with a form.
pub struct UploadedFile {
    /// The form field it came in.
    pub name: String,
    pub filename: String,
    pub data: Vec<u8>,
}

/// The fields and files of a form, multipart or not.
#[derive(Default)]
pub struct Upload {
    pub fields: Vec<(String, String)>,
    pub files: Vec<UploadedFile>,
}

impl Upload {
    /// A text field's value; empty if it was not sent.
    pub fn field(&self, name: &str) -> &str {
        field(&self.fields, name)
    }

    /// The file sent in field `name`, if one was chosen (a browser sends an empty part
    /// for a file input left empty).
    pub fn file(&self, name: &str) -> Option<&UploadedFile> {
        self.files
            .iter()
            .find(|f| f.name == name && !(f.data.is_empty() && f.filename.is_empty()))
    }
}

/// A field's value in a list of form pairs; empty if it was not sent.
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn unreadable(e: impl std::fmt::Display) -> AppError {
    tracing::info!(error = %e, "unreadable upload");
    AppError::BadRequest(
        "上传的内容不完整或太大，未保存。请返回上一页刷新后重试；文件过大时请拆分后再上传。".into(),
    )
}

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("multipart/form-data"));
        if !multipart {
            let Form(fields) = Form::<Vec<(String, String)>>::from_request(req, state).await?;
            return Ok(Upload {
                fields,
                files: Vec::new(),
            });
        }
        let mut parts = Multipart::from_request(req, state)
            .await
            .map_err(unreadable)?;
        let mut upload = Upload::default();
        while let Some(part) = parts.next_field().await.map_err(unreadable)? {
            let name = part.name().unwrap_or_default().to_string();
            match part.file_name().map(String::from) {
                Some(filename) => {
                    let data = part.bytes().await.map_err(unreadable)?.to_vec();
                    upload.files.push(UploadedFile {
                        name,
                        filename,
                        data,
                    });
                }
                None => {
                    let text = part.text().await.map_err(unreadable)?;
                    upload.fields.push((name, text));
                }
            }
        }
        let fields = upload.fields.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        if let Some(e) = crate::http::form::field_too_long(fields) {
            return Err(e);
        }
        Ok(upload)
    }
}
