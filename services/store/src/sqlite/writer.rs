//! The writer: one thread that owns the write side of the database and group-commits.
//!
//! Every write is a job sent to the thread. The thread takes the jobs that are waiting,
//! opens one IMMEDIATE transaction, runs each job inside its own savepoint (a job that
//! fails, such as an append that lost its version race, is rolled back alone), commits
//! once, and only then answers each job with its result. Under load, many appends share
//! one commit and one wake-up of the thread; alone, a job costs what a transaction of its
//! own did. No job is answered before the commit that holds it is durable to the degree
//! `synchronous` gives, as before.
//!
//! A few jobs cannot run inside a transaction (a WAL checkpoint): they run alone, after
//! the group before them committed.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use super::{Context, lock};
use crate::StoreError;

/// Jobs committed together at most; the rest wait for the next commit.
const MAX_GROUP: usize = 256;

/// What a grouped job leaves for after the commit: its answer, given the commit's result.
type Reply = Box<dyn FnOnce(Result<(), &StoreError>) + Send>;

/// A grouped job: given the connection inside its savepoint (or why there is none),
/// does its work and says whether to keep it.
type Grouped = Box<dyn FnOnce(Result<&Connection, &StoreError>) -> (bool, Reply) + Send>;

enum Job {
    /// Runs in a savepoint of the group's transaction; `true` keeps its changes.
    Grouped(Grouped),
    /// Runs outside any transaction, after the group before it committed.
    Alone(Box<dyn FnOnce(&mut Connection) + Send>),
}

/// The sending side; dropping it stops the thread once it has answered every job.
pub(super) struct Writer {
    jobs: Option<mpsc::UnboundedSender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the thread on `conn`, which the caller may still lock for reads of an
    /// in-memory database (the thread holds the lock only while it runs a group).
    pub(super) fn start(conn: Arc<Mutex<Connection>>, name: &str) -> Result<Self, StoreError> {
        let (tx, rx) = mpsc::unbounded_channel();
        let thread = std::thread::Builder::new()
            .name(format!("sqlite-writer {name}"))
            .spawn(move || run(&conn, rx))
            .map_err(|e| StoreError::Unavailable(format!("cannot start the writer: {e}")))?;
        Ok(Self {
            jobs: Some(tx),
            thread: Some(thread),
        })
    }

    /// Runs `f` in the next group commit; its result once that committed.
    pub(super) async fn grouped<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job = Job::Grouped(Box::new(move |conn: Result<&Connection, &StoreError>| {
            let outcome = match conn {
                Ok(conn) => f(conn),
                Err(why) => Err(copy(why)),
            };
            match outcome {
                Ok(value) => (
                    true,
                    Box::new(move |committed: Result<(), &StoreError>| {
                        let _ = tx.send(committed.map(|()| value).map_err(copy));
                    }) as Reply,
                ),
                Err(e) => (false, Box::new(move |_| drop(tx.send(Err(e))))),
            }
        }));
        self.send(job, rx).await
    }

    /// Runs `f` outside any transaction, in the order of the jobs sent.
    pub(super) async fn alone<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job = Job::Alone(Box::new(move |conn| drop(tx.send(f(conn)))));
        self.send(job, rx).await
    }

    async fn send<T>(
        &self,
        job: Job,
        answer: oneshot::Receiver<Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let gone = || StoreError::Unavailable("the store's writer has stopped".to_owned());
        let jobs = self.jobs.as_ref().ok_or_else(gone)?;
        jobs.send(job).map_err(|_| gone())?;
        // A job that panicked drops its answer unsent: the writer logged it.
        answer.await.map_err(|_| {
            StoreError::Unavailable("the store's writer failed on this call".to_owned())
        })?
    }
}

impl Drop for Writer {
    /// Stops the thread and waits for it, so the connection is closed (and the WAL
    /// checkpointed) when the store is gone.
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(conn: &Mutex<Connection>, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let mut group = Vec::new();
    let mut next = jobs.blocking_recv();
    while let Some(job) = next.take() {
        match job {
            Job::Alone(f) => {
                let mut conn = lock(conn);
                if catch_unwind(AssertUnwindSafe(|| f(&mut conn))).is_err() {
                    tracing::error!("a store write panicked; it was not done");
                }
            }
            Job::Grouped(f) => {
                group.push(f);
                while group.len() < MAX_GROUP {
                    match jobs.try_recv() {
                        Ok(Job::Grouped(f)) => group.push(f),
                        Ok(alone) => {
                            next = Some(alone);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                commit(&lock(conn), group.drain(..));
            }
        }
        if next.is_none() {
            next = jobs.blocking_recv();
        }
    }
}

/// One transaction for `group`, a savepoint per job; answers every job after the commit.
fn commit(conn: &Connection, group: impl Iterator<Item = Grouped>) {
    let mut replies = Vec::new();
    if let Err(e) = run_sql(conn, "BEGIN IMMEDIATE").ctx("begin write") {
        // Nothing can be written: each job is told why.
        for f in group {
            f(Err(&e)).1(Ok(()));
        }
        return;
    }
    for f in group {
        if let Err(e) = run_sql(conn, "SAVEPOINT job").ctx("open savepoint") {
            f(Err(&e)).1(Ok(()));
            continue;
        }
        match catch_unwind(AssertUnwindSafe(|| f(Ok(conn)))) {
            Ok((true, reply)) => {
                replies.push(reply);
                release(conn, false);
            }
            Ok((false, reply)) => {
                release(conn, true);
                // A refused job's answer does not depend on the commit.
                reply(Ok(()));
            }
            Err(_) => {
                tracing::error!("a store write panicked; it was rolled back");
                release(conn, true);
            }
        }
    }
    let committed = run_sql(conn, "COMMIT").ctx("commit");
    if committed.is_err() {
        let _ = run_sql(conn, "ROLLBACK");
    }
    for reply in replies {
        reply(committed.as_ref().copied());
    }
}

/// Ends the current job's savepoint, undoing what it did if `undo`.
fn release(conn: &Connection, undo: bool) {
    let undone = if undo {
        run_sql(conn, "ROLLBACK TO job")
    } else {
        Ok(())
    };
    if let Err(e) = undone.and_then(|()| run_sql(conn, "RELEASE job")) {
        tracing::error!(error = %e, "cannot end a savepoint");
    }
}

/// Runs one statement without parameters, prepared once per connection.
fn run_sql(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

/// The same error for every job of a group whose commit failed.
fn copy(e: &StoreError) -> StoreError {
    StoreError::Unavailable(e.to_string())
}
