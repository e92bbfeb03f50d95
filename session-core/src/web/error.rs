//! The layer's error, and how it becomes a response by default.

use std::sync::Arc;

use http::{HeaderValue, Response, StatusCode, header};

use crate::error::{FieldError, SessionError, StoreError};

/// A session could not be loaded or saved during a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The store failed (unavailable, corrupt, ...). By default an
    /// unavailable store is a 503 and no cookie is set or deleted (G2, G3).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The session was deleted (logout elsewhere) while this request used
    /// it; it is not re-created (H1). A 400 by default.
    #[error("session was deleted while this request used it")]
    Interrupted,
    /// A field did not encode.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// No free id could be drawn.
    #[error("could not draw a free session id after {0} attempts")]
    IdsExhausted(u32),
    /// The session cookie would be larger than browsers keep (F1).
    #[error(
        "session cookie `{name}` would be {size} bytes (name=value), over the {limit}-byte limit browsers keep; \
         store less in the session (move large data to a server-side store and keep its key here), \
         or use a server-side session store"
    )]
    TooLarge {
        /// The cookie name.
        name: String,
        /// `name=value` length in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Another backend-specific failure.
    #[error("session backend error: {0}")]
    Backend(#[source] crate::error::BoxError),
}

impl From<SessionError> for Error {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::Store(StoreError::Deleted) => Error::Interrupted,
            SessionError::Store(s) => Error::Store(s),
            SessionError::Field(f) => Error::Field(f),
            SessionError::IdsExhausted(n) => Error::IdsExhausted(n),
        }
    }
}

impl Error {
    /// The default status: 503 for an unavailable store, 400 for an
    /// interrupted session, 500 otherwise.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::Store(e) if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            Error::Interrupted => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The default response: the status, and an opaque plain-text body that
    /// names no internals (G3).
    pub fn to_response(&self) -> Response<String> {
        let body = match self.status() {
            StatusCode::SERVICE_UNAVAILABLE => "session store unavailable, try again shortly",
            StatusCode::BAD_REQUEST => "session ended during this request; please retry",
            _ => "session error",
        };
        let mut r = Response::new(body.to_owned());
        *r.status_mut() = self.status();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        r
    }
}

/// Maps a session [`Error`] to the response sent instead of the handler's.
pub type ErrorHandler = Arc<dyn Fn(&Error) -> Response<String> + Send + Sync>;
