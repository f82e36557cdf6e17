//! argon2 work on a bounded pool. Each hash takes ~19 MiB and tens of milliseconds of a core on
//! purpose; a login storm run on the general blocking pool would take every core and starve the
//! requests that only read. At most `workers` hashes run at once; up to `queue` more wait their
//! turn (without holding a thread); beyond that the caller gets 503 with `Retry-After`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use actix_web::http::StatusCode;
use tokio::sync::Semaphore;

use super::password::{hash_password, verify_password};
use crate::error::{ApiError, ApiResult};

#[derive(Clone)]
pub struct HashingPool {
    permits: Arc<Semaphore>,
    /// Hashes running or waiting.
    inside: Arc<AtomicUsize>,
    capacity: usize,
}

/// Leaves the count when the request ends, also when the client goes away while waiting.
struct Inside(Arc<AtomicUsize>);

impl Drop for Inside {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl HashingPool {
    pub fn new(workers: usize, queue: usize) -> HashingPool {
        let workers = workers.max(1);
        HashingPool {
            permits: Arc::new(Semaphore::new(workers)),
            inside: Default::default(),
            capacity: workers + queue,
        }
    }

    /// Runs `work` when a hashing slot is free.
    pub async fn run<T, F>(&self, work: F) -> ApiResult<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let now_inside = self.inside.fetch_add(1, Ordering::SeqCst) + 1;
        let _inside = Inside(self.inside.clone());
        if now_inside > self.capacity {
            let mut err = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "too many logins at once; try again in a moment",
            );
            err.retry_after = Some(1);
            return Err(err);
        }
        let _permit = self.permits.acquire().await.map_err(|_| ApiError::internal("hashing pool closed"))?;
        actix_web::web::block(work).await.map_err(|e| ApiError::internal(format!("hashing task failed: {e}")))
    }

    /// Hashes running or waiting.
    pub fn in_use(&self) -> usize {
        self.inside.load(Ordering::SeqCst)
    }
}

/// Hashes (argon2id, deliberately slow) on the bounded hashing pool, never on an async worker.
pub async fn hash_off_thread(hashing: &HashingPool, password: String) -> ApiResult<String> {
    hashing.run(move || hash_password(&password)).await?.map_err(ApiError::internal)
}

pub async fn verify_off_thread(hashing: &HashingPool, password: String, hash: String) -> ApiResult<bool> {
    hashing.run(move || verify_password(&password, &hash)).await
}
