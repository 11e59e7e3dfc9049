//! Form bodies. Like axum's `Form`, but a body that does not parse becomes a page that
//! says so, not a bare 422.

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::http::error::AppError;

pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(Form(v)),
            Err(e) => {
                tracing::info!(error = %e, "unreadable form");
                Err(AppError::BadRequest(
                    "提交的表单内容不完整或格式不对，未保存。请返回上一页刷新后重试。".into(),
                ))
            }
        }
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
