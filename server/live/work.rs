//! `Work`: the one bounded pool for request work that can take long (manual steps,
//! the batch fallback, building a problem at configure, checking a plan, a task's
//! record), with a deadline per request, cancellation when the client goes away,
//! and a fair share per client.
//!
//! A job runs on a tokio blocking thread once it holds one of the pool's permits, so
//! at most `workers` such jobs run at once however many requests arrive (plus
//! [`RESERVED`] for the teacher). A request that cannot get a permit before its
//! deadline is answered 503 (busy), never left waiting. The job gets a [`Cancel`]:
//! it turns true at the deadline, or as soon as the request's future is dropped,
//! which is what hyper does when the client hangs up mid-request; jobs check it
//! between chunks of steps and stop.
//!
//! # Shares
//!
//! Every request runs inside its [`Client`]'s scope ([`Client::scope`], set by the
//! HTTP edge from the peer address and the server key), so this pool knows who asks
//! without any handler passing it along:
//!
//! * one client address holds at most [`Work::per_client`] workers at once (half
//!   the pool, at least one); its further jobs wait for its own earlier ones, behind
//!   nobody else's, so a student looping the batch fallback queues behind himself;
//!   waiters are served first come, first served, at most `per_client` per address,
//!   so each waiting address gets its turn;
//! * the teacher (the holder of the server key) also has [`RESERVED`] workers of
//!   his own beyond the pool, and no per-address limit: with every shared worker
//!   busy, his step still runs at once.
//!
//! Stream frames do not go through this pool: each is bounded to a quarter second
//! ([`super::session::MAX_FRAME_TIME`]) and a session runs at most one at a time, so
//! they cannot pile up, and a teacher's live view must not wait behind a long
//! manual step of someone else's session.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::LiveError;

/// Workers kept for the teacher beyond the shared pool.
pub const RESERVED: usize = 1;

tokio::task_local! {
    static CLIENT: Client;
}

/// Who a request comes from, as far as the pool's shares go.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Client {
    /// The peer's address (`None`: unknown, e.g. work started outside a request).
    pub addr: Option<IpAddr>,
    /// The request carries the server key: the teacher.
    pub teacher: bool,
}

impl Client {
    /// Run `future` (a request's handling) as this client's: the pool's jobs it
    /// starts count against this client's share.
    pub async fn scope<F: Future>(self, future: F) -> F::Output {
        CLIENT.scope(self, future).await
    }

    /// The client of the request being handled (a default, anonymous one outside any).
    pub fn current() -> Client {
        CLIENT.try_with(Client::clone).unwrap_or_default()
    }
}

/// The pool: a handle, cheap to clone.
#[derive(Clone)]
pub struct Work {
    shared: Arc<Shared>,
}

struct Shared {
    workers: usize,
    per_client: usize,
    permits: Arc<Semaphore>,
    reserved: Arc<Semaphore>,
    /// Per address with a job waiting or running, its own permits.
    clients: Mutex<HashMap<IpAddr, Arc<Semaphore>>>,
    running: AtomicUsize,
    waiting: AtomicUsize,
}

/// How busy the pool is (for `/health`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Load {
    /// Shared workers.
    pub workers: usize,
    /// Workers kept for the teacher.
    pub reserved: usize,
    /// Most workers one client address holds at once.
    pub per_client: usize,
    /// Jobs running now.
    pub running: usize,
    /// Requests waiting for a worker.
    pub waiting: usize,
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

/// Counts one while alive.
struct Counted<'a>(&'a AtomicUsize);

impl<'a> Counted<'a> {
    fn new(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Counted(counter)
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One of a client address's own permits; the address is forgotten when its last
/// job ends, so the map holds only addresses with work.
struct ClientSlot {
    shared: Arc<Shared>,
    addr: IpAddr,
    semaphore: Option<Arc<Semaphore>>,
    permit: Option<OwnedSemaphorePermit>,
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut clients = self.shared.clients();
        self.permit = None;
        if let Some(semaphore) = self.semaphore.take() {
            // Every clone is made under this lock: the map's and this one are the last.
            if Arc::strong_count(&semaphore) <= 2 {
                clients.remove(&self.addr);
            }
        }
    }
}

impl Shared {
    fn clients(&self) -> MutexGuard<'_, HashMap<IpAddr, Arc<Semaphore>>> {
        self.clients.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Work {
    /// A pool of `workers` (at least one) shared workers, plus [`RESERVED`] for the teacher.
    pub fn new(workers: usize) -> Self {
        let workers = workers.max(1);
        Work {
            shared: Arc::new(Shared {
                workers,
                per_client: (workers / 2).max(1),
                permits: Arc::new(Semaphore::new(workers)),
                reserved: Arc::new(Semaphore::new(RESERVED)),
                clients: Mutex::default(),
                running: AtomicUsize::new(0),
                waiting: AtomicUsize::new(0),
            }),
        }
    }

    /// The default size: every core but one, so stream frames and the reactor keep a
    /// core however much long work is queued (one on a single core).
    pub fn default_workers() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1)).max(1)
    }

    /// Most workers one client address holds at once.
    pub fn per_client(&self) -> usize {
        self.shared.per_client
    }

    /// How busy the pool is now.
    pub fn load(&self) -> Load {
        Load {
            workers: self.shared.workers,
            reserved: RESERVED,
            per_client: self.shared.per_client,
            running: self.shared.running.load(Ordering::Relaxed),
            waiting: self.shared.waiting.load(Ordering::Relaxed),
        }
    }

    /// Run `job` on a blocking thread once a worker is free for the current
    /// [`Client`] (its share, see the module doc), by `deadline`; 503 if none frees
    /// up in time. The job sees a [`Cancel`] that turns true at the deadline or when
    /// the returned future is dropped.
    pub async fn run<T: Send + 'static>(
        &self,
        deadline: Instant,
        job: impl FnOnce(&Cancel) -> T + Send + 'static,
    ) -> Result<T, LiveError> {
        let client = Client::current();
        let (slot, permit) = {
            let _waiting = Counted::new(&self.shared.waiting);
            let slot = self.client_slot(&client, deadline).await?;
            (slot, self.worker(&client, deadline).await?)
        };
        let cancel = Cancel::at(deadline);
        let mut on_drop = OnDrop(Some(cancel.dropped.clone()));
        let shared = self.shared.clone();
        let result = tokio::task::spawn_blocking(move || {
            let _running = Counted::new(&shared.running);
            let (_permit, _slot) = (permit, slot);
            job(&cancel)
        })
        .await
        .map_err(|e| LiveError::Failed(e.to_string()));
        on_drop.0 = None;
        result
    }

    /// The client address's own permit (none needed for the teacher or an unknown address).
    async fn client_slot(&self, client: &Client, deadline: Instant) -> Result<Option<ClientSlot>, LiveError> {
        let Some(addr) = client.addr.filter(|_| !client.teacher) else { return Ok(None) };
        let semaphore = self
            .shared
            .clients()
            .entry(addr)
            .or_insert_with(|| Arc::new(Semaphore::new(self.shared.per_client)))
            .clone();
        let mut slot =
            ClientSlot { shared: self.shared.clone(), addr, semaphore: Some(semaphore), permit: None };
        let semaphore = slot.semaphore.clone().unwrap_or_else(|| Arc::new(Semaphore::new(1)));
        let permit = tokio::time::timeout_at(deadline.into(), semaphore.acquire_owned())
            .await
            .map_err(|_| LiveError::Busy)?
            .map_err(|_| LiveError::Busy)?;
        slot.permit = Some(permit);
        Ok(Some(slot))
    }

    /// A worker: a shared one, or for the teacher whichever of a shared and a
    /// reserved one frees first.
    async fn worker(&self, client: &Client, deadline: Instant) -> Result<OwnedSemaphorePermit, LiveError> {
        let shared = self.shared.permits.clone().acquire_owned();
        let acquired = if client.teacher {
            let reserved = self.shared.reserved.clone().acquire_owned();
            tokio::time::timeout_at(deadline.into(), async {
                tokio::select! {
                    biased;
                    p = shared => p,
                    p = reserved => p,
                }
            })
            .await
        } else {
            tokio::time::timeout_at(deadline.into(), shared).await
        };
        acquired.map_err(|_| LiveError::Busy)?.map_err(|_| LiveError::Busy)
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
    /// A long job of `client`'s that runs until cancelled; resolves once it runs.
    async fn hold(work: &Work, client: Client) -> tokio::task::JoinHandle<Result<(), LiveError>> {
        let (started, wait) = tokio::sync::oneshot::channel::<()>();
        let work = work.clone();
        let handle = tokio::spawn(client.scope(async move {
            work.run(Instant::now() + Duration::from_secs(30), move |cancel| {
                let _ = started.send(());
                while !cancel.is_cancelled() {
                    std::thread::sleep(Duration::from_millis(1));
                }
            })
            .await
        }));
        wait.await.expect("the job started");
        handle
    }

    fn at(last: u8, teacher: bool) -> Client {
        Client { addr: Some(IpAddr::from([127, 0, 0, last])), teacher }
    }

    #[tokio::test]
    async fn the_teacher_runs_while_a_stranger_holds_every_worker() {
        let work = Work::new(1);
        let stranger = hold(&work, at(2, false)).await;
        let soon = Instant::now() + Duration::from_secs(10);
        let other = at(3, false).scope(work.run(Instant::now() + Duration::from_millis(50), |_| ())).await;
        assert!(matches!(other, Err(LiveError::Busy)), "the one shared worker is taken");
        let teacher = at(1, true).scope(work.run(soon, |_| 7)).await;
        assert_eq!(teacher.unwrap(), 7);
        stranger.abort();
    }

    #[tokio::test]
    async fn one_address_holds_at_most_its_share_and_others_still_run() {
        let work = Work::new(4);
        assert_eq!(work.per_client(), 2);
        let first = hold(&work, at(2, false)).await;
        let second = hold(&work, at(2, false)).await;
        assert_eq!(work.load().running, 2);
        let third = at(2, false).scope(work.run(Instant::now() + Duration::from_millis(50), |_| ())).await;
        assert!(matches!(third, Err(LiveError::Busy)), "a third job of one address waits for its own");
        let other = at(3, false).scope(work.run(Instant::now() + Duration::from_secs(10), |_| 3)).await;
        assert_eq!(other.unwrap(), 3, "another address gets a free worker");
        first.abort();
        second.abort();
    }

    #[tokio::test]
    async fn an_address_is_forgotten_when_its_jobs_end() {
        let work = Work::new(2);
        for last in 2..50 {
            at(last, false).scope(work.run(Instant::now() + Duration::from_secs(10), |_| ())).await.unwrap();
        }
        assert!(work.shared.clients().is_empty());
        assert_eq!(work.load().running, 0);
        assert_eq!(work.load().waiting, 0);
    }
}
