//! Form bodies. Like axum's `Form`, but a body that does not parse becomes a page that
//! says so, not a bare 422, and no field may be longer than [`MAX_FIELD`] characters
//! (except the documents our own forms carry: a pasted table or rubric, field `text`,
//! with its bounds in `upload`, and an annex draft's review, field `review`, bounded by
//! the body's limit).

use axum::extract::{FromRequest, RawForm, Request};
use serde::de::DeserializeOwned;

use crate::http::error::AppError;

/// The longest text accepted in one form field: a long explanation, not a document
/// (documents are uploaded as evidence).
pub const MAX_FIELD: usize = 10_000;

/// Fields that carry a document rather than something typed.
const DOCUMENT_FIELDS: [&str; 2] = ["text", "review"];

/// The refusal of a field over [`MAX_FIELD`], if one is: fields are named by codes,
/// so the message says what to do rather than which.
pub fn field_too_long<'a>(
    fields: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Option<AppError> {
    let n = fields
        .into_iter()
        .filter(|(name, _)| !DOCUMENT_FIELDS.contains(name))
        .map(|(_, value)| value.chars().count())
        .max()?;
    (n > MAX_FIELD).then(|| {
        AppError::BadRequest(format!(
            "表单中有一栏填写的内容太长（{n} 个字，最多 {MAX_FIELD} 个字），未保存。请精简后再提交；长的说明请作为附件上传。"
        ))
    })
}

fn unreadable(e: impl std::fmt::Display) -> AppError {
    tracing::info!(error = %e, "unreadable form");
    AppError::BadRequest("提交的表单内容不完整或格式不对，未保存。请返回上一页刷新后重试。".into())
}

pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let RawForm(bytes) = RawForm::from_request(req, state)
            .await
            .map_err(unreadable)?;
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(unreadable)?;
        if let Some(e) = field_too_long(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
            return Err(e);
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(Form)
            .map_err(unreadable)
    }
}

/// Path parameters. Like axum's `Path`, but a malformed one (`/c/abc/…`) is a page that
/// says nothing is there, not a bare 400.
pub struct Path<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(_) => Err(AppError::NotFound),
        }
    }
}

/// A form field as typed, with the message shown beside it.
#[derive(Debug, Clone, Default)]
pub struct FieldView {
    pub value: String,
    pub error: Option<String>,
}

impl FieldView {
    pub fn new(value: impl Into<String>) -> FieldView {
        FieldView {
            value: value.into(),
            error: None,
        }
    }
}

/// One option of a select (or one checkbox of a list).
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD` (what a date input sends).
pub fn valid_date(s: &str) -> bool {
    crate::year::parse_date(s).is_some_and(|d| (2000..=2100).contains(&d.year()))
}

/// A value for a query string, percent-encoded (unreserved characters kept).
pub fn query_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A list's filters as a query string (`unit=3&state=declared`), the empty ones left
/// out: what its links to other pages keep.
pub fn query_of(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", query_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The message for a date that is not one.
pub const DATE_HINT: &str = "请填写日期，格式如 2026-12-31";

#[cfg(test)]
mod tests {
    use super::valid_date;

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert!(valid_date("2026-12-31"));
        assert!(valid_date("2028-02-29"));
        assert!(!valid_date("2026-02-29"));
        assert!(!valid_date("2026-13-01"));
        assert!(!valid_date("2026-1-1"));
        assert!(!valid_date("明天"));
        assert!(!valid_date(""));
    }
}
