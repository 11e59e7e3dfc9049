//! Form bodies. Like axum's `Form`, but a body that does not parse becomes a page that
//! says so, not a bare 422.

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::AppError;

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
