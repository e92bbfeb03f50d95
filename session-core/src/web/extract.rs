//! The axum extractor: `Session<T>` and `Option<Session<T>>`.

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use crate::schema::Schema;
use crate::session::{Handle, Session};
use crate::web::slot::LazySession;

/// Why a session could not be extracted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionRejection {
    /// The handler asks for a session but no [`SessionLayer`] runs in front
    /// of it: a programming error, answered with a loud 500.
    ///
    /// [`SessionLayer`]: crate::web::SessionLayer
    #[error(
        "a session extractor was used, but no `session_core::web::SessionLayer` runs in front of this route: \
         add `.layer(SessionLayer::new(...))` to the Router (after the routes that use sessions)"
    )]
    MissingLayer,
    /// The backend failed to load the session (503 for an unavailable
    /// store). The layer passes the error to the app's error handler.
    #[error("session could not be loaded ({0})")]
    Backend(StatusCode),
}

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        match self {
            SessionRejection::MissingLayer => {
                tracing::error!("{self}");
                (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
            }
            SessionRejection::Backend(status) => {
                let body = if status == StatusCode::SERVICE_UNAVAILABLE {
                    "session store unavailable, try again shortly"
                } else {
                    "session error"
                };
                (status, body).into_response()
            }
        }
    }
}

async fn load(parts: &Parts) -> Result<Handle, SessionRejection> {
    let slot = parts
        .extensions
        .get::<LazySession>()
        .ok_or(SessionRejection::MissingLayer)?;
    slot.handle(&parts.headers)
        .await
        .map_err(SessionRejection::Backend)
}

/// Extracts the request's session, typed by schema `T`; loads it on first
/// use (one store round trip or one cookie verification per request).
impl<S: Send + Sync, T: Schema> FromRequestParts<S> for Session<T> {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Session::from_handle(load(parts).await?))
    }
}

/// `Option<Session<T>>`: `None` when the request has no live session (no
/// cookie, or one that did not load); it never starts one, so a handler can
/// read "who is logged in" without creating sessions. A missing layer is
/// still a 500, and a failing store still a 503.
impl<S: Send + Sync, T: Schema> OptionalFromRequestParts<S> for Session<T> {
    type Rejection = SessionRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        let handle = load(parts).await?;
        let live = !handle.lock().is_new();
        Ok(live.then(|| Session::from_handle(handle)))
    }
}

/// Extracts the untyped [`Handle`] (for session-wide operations such as
/// [`crate::auth::login`] without a schema).
impl<S: Send + Sync> FromRequestParts<S> for Handle {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        load(parts).await
    }
}
