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
    /// The database cannot be reached for now (restarting, down): try again shortly.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database went away after the request was handled (its session could not be
    /// kept): whatever the request did may or may not have been saved.
    #[error("database unavailable after the request was handled")]
    Interrupted,
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
            other if kaohe_storage::Store::unreachable(&other) => {
                AppError::Unavailable(other.to_string())
            }
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
        use tower_sessions::session::Error::Store;
        use tower_sessions::session_store::Error::Backend;
        match e {
            Store(Backend(m)) if m.starts_with(crate::http::sessions::UNREACHABLE) => {
                AppError::Unavailable(format!("session: {m}"))
            }
            e => AppError::Internal(format!("session: {e}")),
        }
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
            AppError::Unavailable(detail) => {
                tracing::warn!(%detail, "database unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "暂时无法访问",
                    "数据库暂时无法连接，操作未完成、没有保存。请过一两分钟再试：用浏览器的“返回”回到上一页，已填写的内容通常还在，再提交一次即可。".to_string(),
                )
            }
            AppError::Interrupted => (
                StatusCode::SERVICE_UNAVAILABLE,
                "暂时无法访问",
                "数据库暂时无法连接。刚才的操作可能已经完成，也可能没有：请过一两分钟刷新页面，看清结果后再决定是否重新提交。".to_string(),
            ),
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

/// An address or form the framework could not read (a number in the path that is not
/// one, a query or form that does not parse) answers with kaohe's page in Chinese, as
/// every other refusal does, not with the framework's English text.
pub async fn plain_rejection(response: Response) -> Response {
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !plain {
        return response;
    }
    match response.status() {
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => {
            AppError::NotFound.into_response()
        }
        StatusCode::BAD_REQUEST
        | StatusCode::UNPROCESSABLE_ENTITY
        | StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::BadRequest(
            "地址或提交的内容无法识别，未做任何改动。请从页面上的链接或按钮重新进入。".into(),
        )
        .into_response(),
        _ => response,
    }
}

/// A bare 500 from the session layer (its store could not keep the session after the
/// handler answered: the database went away) becomes the page saying so, as a 503.
/// kaohe's own error pages always carry their content type, so nothing else is taken
/// for it.
pub async fn session_failure(response: Response) -> Response {
    if response.status() == StatusCode::INTERNAL_SERVER_ERROR
        && !response
            .headers()
            .contains_key(axum::http::header::CONTENT_TYPE)
    {
        return AppError::Interrupted.into_response();
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_bare_500_from_the_session_layer_becomes_the_unavailable_page() {
        let bare = StatusCode::INTERNAL_SERVER_ERROR.into_response();
        let r = session_failure(bare).await;
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        assert!(String::from_utf8_lossy(&body).contains("刚才的操作可能已经完成"));
        // The framework's English refusal of an address it cannot read becomes a page.
        let english = (
            StatusCode::BAD_REQUEST,
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; charset=utf-8",
            )],
            "Invalid URL: Cannot parse `abc` to a `i64`",
        )
            .into_response();
        let r = plain_rejection(english).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        assert!(String::from_utf8_lossy(&body).contains("地址或提交的内容无法识别"));
        // kaohe's own 500 page is left as it is.
        let own = AppError::Internal("x".into()).into_response();
        assert_eq!(
            session_failure(own).await.status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
