//! Work that would stall the async workers — database calls, hashing, reading and writing
//! spreadsheets — runs on the runtime's blocking pool. The one place that names it, so that
//! `service/` stays free of the HTTP framework.

use crate::error::{ApiError, ApiResult};

/// Runs `f` on the blocking pool and waits for it.
pub async fn off_workers<T, F>(f: F) -> ApiResult<T>
where
    F: FnOnce() -> ApiResult<T> + Send + 'static,
    T: Send + 'static,
{
    actix_web::web::block(f).await.map_err(|e| ApiError::internal(format!("blocking task failed: {e}")))?
}

/// Waits without holding a thread (a login slowed down under attack).
pub async fn pause(duration: std::time::Duration) {
    if !duration.is_zero() {
        actix_web::rt::time::sleep(duration).await;
    }
}
