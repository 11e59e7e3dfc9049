//! The one error type of the web layer. Every error a person can cause becomes a page
//! that says what happened and what to do; internal errors are logged and shown as an
//! opaque message, never as a stack trace.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use kaohe_storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// Not logged in (or the session timed out) on a request that cannot redirect.
    #[error("unauthorized")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    /// The form's CSRF token is missing or stale.
    #[error("csrf")]
    Csrf,
    /// A request a person can fix, with what to do.
    #[error("{0}")]
    BadRequest(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> AppError {
        match e {
            StorageError::NotFound => AppError::NotFound,
            // Storage refuses these inside the change's transaction, after the handler's
            // own check passed: the campaign was locked, or the report submitted, at the
            // same moment.
            StorageError::Locked => AppError::BadRequest(
                "未保存：考核已定稿，任何内容都不能再修改；如确需更改，请管理员先解除定稿（须写明理由）。"
                    .into(),
            ),
            StorageError::Submitted => AppError::BadRequest(
                "未保存：报告刚刚已提交，考核组退回后才能修改。".into(),
            ),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> AppError {
        AppError::Internal(format!("template: {e}"))
    }
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(e: tower_sessions::session::Error) -> AppError {
        AppError::Internal(format!("session: {e}"))
    }
}

#[derive(Template)]
#[template(path = "http/error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

/// A refusal, marked on its response so that the route guard counts it as a security
/// event (`SecurityKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No right to what was asked (403).
    Access,
    /// A stale or forged form (CSRF).
    Csrf,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title, message) = match &self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "找不到该页面",
                "您要找的内容不存在，或不属于您的单位。请从首页重新进入。".to_string(),
            ),
            AppError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "请重新登录",
                "登录已过期（长时间未操作会自动退出），此次操作未保存。请重新登录后再操作。"
                    .to_string(),
            ),
            AppError::Forbidden => (
                StatusCode::FORBIDDEN,
                "无权访问",
                "您的账号没有访问此页面的权限。如需权限，请联系管理员。".to_string(),
            ),
            AppError::Csrf => (
                StatusCode::FORBIDDEN,
                "页面已过期",
                "表单已过期或来源不明，未保存任何内容。请返回上一页，刷新后重新提交。".to_string(),
            ),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, "无法完成操作", m.clone()),
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "系统出错",
                    "系统内部出错，操作未完成。请稍后重试；如仍不行，请联系管理员。".to_string(),
                )
            }
        };
        let body = ErrorPage {
            title,
            message: &message,
        }
        .render()
        .unwrap_or_else(|_| message.clone());
        let mut response = (status, Html(body)).into_response();
        match self {
            AppError::Forbidden => response.extensions_mut().insert(Refused::Access),
            AppError::Csrf => response.extensions_mut().insert(Refused::Csrf),
            _ => None,
        };
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
