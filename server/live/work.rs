//! `Work`: the one bounded pool for request work that can take long (manual steps,
//! the batch fallback, building a problem at configure), with a deadline per request
//! and cancellation when the client goes away.
//!
//! A job runs on a tokio blocking thread once it holds one of the pool's permits, so
//! at most `workers` such jobs run at once however many requests arrive. A request
//! that cannot get a permit before its deadline is answered 503 (busy), never left
//! waiting. The job gets a [`Cancel`]: it turns true at the deadline, or as soon as the
//! request's future is dropped, which is what hyper does when the client hangs up
//! mid-request; jobs check it between chunks of steps and stop.
//!
//! Stream frames do not go through this pool: each is bounded to a quarter second
//! ([`super::session::MAX_FRAME_TIME`]) and a session runs at most one at a time, so
//! they cannot pile up, and a teacher's live view must not wait behind a long
//! manual step of someone else's session.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use tokio::sync::Semaphore;

use super::error::LiveError;

/// The pool: a handle, cheap to clone.
#[derive(Clone)]
pub struct Work {
    permits: Arc<Semaphore>,
}

/// A job's stop signal: the client went away or the deadline passed.
#[derive(Clone)]
pub struct Cancel {
    dropped: Arc<AtomicBool>,
    deadline: Instant,
}

impl Cancel {
    /// A signal that turns true at `deadline` (and never before, unless cancelled).
    pub fn at(deadline: Instant) -> Self {
        Cancel { dropped: Arc::new(AtomicBool::new(false)), deadline }
    }

    /// The job should stop now.
    pub fn is_cancelled(&self) -> bool {
        self.dropped.load(Ordering::Relaxed) || Instant::now() >= self.deadline
    }

    /// The deadline.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }
}

/// Sets the cancel flag when dropped (the request future went away) unless disarmed.
struct OnDrop(Option<Arc<AtomicBool>>);

impl Drop for OnDrop {
    fn drop(&mut self) {
        if let Some(flag) = self.0.take() {
            flag.store(true, Ordering::Relaxed);
        }
    }
}

impl Work {
    /// A pool of `workers` (at least one).
    pub fn new(workers: usize) -> Self {
        Work { permits: Arc::new(Semaphore::new(workers.max(1))) }
    }

    /// The default size: every core but one, so stream frames and the reactor keep a
    /// core however much long work is queued (one on a single core).
    pub fn default_workers() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1)).max(1)
    }

    /// Run `job` on a blocking thread once a worker is free, by `deadline`; 503 if
    /// none frees up in time. The job sees a [`Cancel`] that turns true at the
    /// deadline or when the returned future is dropped.
    pub async fn run<T: Send + 'static>(
        &self,
        deadline: Instant,
        job: impl FnOnce(&Cancel) -> T + Send + 'static,
    ) -> Result<T, LiveError> {
        let permit = tokio::time::timeout_at(deadline.into(), self.permits.clone().acquire_owned())
            .await
            .map_err(|_| LiveError::Busy)?
            .map_err(|_| LiveError::Busy)?;
        let cancel = Cancel::at(deadline);
        let mut on_drop = OnDrop(Some(cancel.dropped.clone()));
        let result = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            job(&cancel)
        })
        .await
        .map_err(|e| LiveError::Failed(e.to_string()));
        on_drop.0 = None;
        result
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_job_that_cannot_start_by_its_deadline_is_busy() {
        let work = Work::new(1);
        let (started, wait) = tokio::sync::oneshot::channel::<()>();
        let long = {
            let work = work.clone();
            tokio::spawn(async move {
                work.run(Instant::now() + Duration::from_secs(30), move |cancel| {
                    let _ = started.send(());
                    while !cancel.is_cancelled() {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                })
                .await
            })
        };
        wait.await.unwrap();
        let second = work.run(Instant::now() + Duration::from_millis(50), |_| ()).await;
        assert!(matches!(second, Err(LiveError::Busy)));
        long.abort();
    }

    #[tokio::test]
    async fn dropping_the_request_cancels_its_job() {
        let work = Work::new(1);
        let (tx, rx) = std::sync::mpsc::channel();
        let request = work.run(Instant::now() + Duration::from_secs(30), move |cancel| {
            while !cancel.is_cancelled() {
                std::thread::sleep(Duration::from_millis(1));
            }
            tx.send(()).unwrap();
        });
        // Poll once so the job starts, then drop the request as hyper does.
        let _ = tokio::time::timeout(Duration::from_millis(50), request).await;
        rx.recv_timeout(Duration::from_secs(20)).expect("the job saw the cancel and stopped");
    }
}
