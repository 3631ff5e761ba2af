//! The connector's state file: one row per task, its [`TaskState`] as JSON, found by task
//! id or by its callback token; and the latest checked callback of each call, written by
//! the listener without waiting for the task (a work order may be following it), read by
//! the task at its next look. SQLite, one connection behind a mutex, every call on the
//! blocking pool (as the SDK's idempotency cache).

use crate::task::{Status, TaskState};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS processor_tasks (
    task_id TEXT PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    document TEXT NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS processor_callbacks (
    task_id TEXT NOT NULL,
    call INTEGER NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (task_id, call)
)";

/// A state file failure; names the file's role, never a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the connector's state file: {0}")]
pub struct StateError(String);

#[derive(Debug, Clone)]
pub struct StateStore {
    conn: Arc<Mutex<Connection>>,
}

impl StateStore {
    /// Opens (creating it and its directory) the state file at `path`.
    pub fn open(path: &Path) -> Result<Self, StateError> {
        let failed = |e: &dyn std::fmt::Display| StateError(e.to_string());
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| failed(&e))?;
        }
        let conn = Connection::open(path).map_err(|e| failed(&e))?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(|e| failed(&e))?;
        conn.execute_batch(SCHEMA).map_err(|e| failed(&e))?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// The task's state, if the connector has seen it.
    pub async fn load(&self, task_id: &str) -> Result<Option<TaskState>, StateError> {
        let task_id = task_id.to_owned();
        let text = self
            .blocking(move |conn| {
                conn.query_row(
                    "SELECT document FROM processor_tasks WHERE task_id = ?1",
                    params![task_id],
                    |row| row.get::<_, String>(0),
                )
                .optional()
            })
            .await?;
        text.map(|t| serde_json::from_str(&t).map_err(|e| StateError(e.to_string())))
            .transpose()
    }

    /// Writes the task's state.
    pub async fn save(&self, task_id: &str, state: &TaskState) -> Result<(), StateError> {
        let document = serde_json::to_string(state).map_err(|e| StateError(e.to_string()))?;
        let (task_id, token) = (task_id.to_owned(), state.token.clone());
        let now = chrono::Utc::now().timestamp_millis();
        self.blocking(move |conn| {
            conn.execute(
                "INSERT INTO processor_tasks (task_id, token, document, updated_at_ms)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (task_id) DO UPDATE
                 SET document = excluded.document, updated_at_ms = excluded.updated_at_ms",
                params![task_id, token, document, now],
            )
            .map(drop)
        })
        .await
    }

    /// The task whose callback token is `token`.
    pub async fn task_of_token(&self, token: &str) -> Result<Option<String>, StateError> {
        let token = token.to_owned();
        self.blocking(move |conn| {
            conn.query_row(
                "SELECT task_id FROM processor_tasks WHERE token = ?1",
                params![token],
                |row| row.get(0),
            )
            .optional()
        })
        .await
    }

    /// Keeps a checked callback as the latest status of call `index` of the task.
    pub async fn save_callback(
        &self,
        task_id: &str,
        index: usize,
        status: &Status,
    ) -> Result<(), StateError> {
        let text = serde_json::to_string(status).map_err(|e| StateError(e.to_string()))?;
        let (task_id, index) = (task_id.to_owned(), index as i64);
        self.blocking(move |conn| {
            conn.execute(
                "INSERT INTO processor_callbacks (task_id, call, status) VALUES (?1, ?2, ?3)
                 ON CONFLICT (task_id, call) DO UPDATE SET status = excluded.status",
                params![task_id, index, text],
            )
            .map(drop)
        })
        .await
    }

    /// The latest checked callback of call `index` of the task.
    pub async fn callback(
        &self,
        task_id: &str,
        index: usize,
    ) -> Result<Option<Status>, StateError> {
        let (task_id, index) = (task_id.to_owned(), index as i64);
        let text = self
            .blocking(move |conn| {
                conn.query_row(
                    "SELECT status FROM processor_callbacks WHERE task_id = ?1 AND call = ?2",
                    params![task_id, index],
                    |row| row.get::<_, String>(0),
                )
                .optional()
            })
            .await?;
        text.map(|t| serde_json::from_str(&t).map_err(|e| StateError(e.to_string())))
            .transpose()
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StateError> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let conn = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&conn).map_err(|e| StateError(e.to_string()))
        })
        .await
        .map_err(|e| StateError(format!("task failed: {e}")))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_task_is_found_by_id_and_by_token_after_a_restart() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state/processor.sqlite");
        let store = StateStore::open(&path).expect("open");
        assert_eq!(store.load("r1/p").await, Ok(None));
        let mut state = TaskState::new(chrono::Utc::now());
        state.call(1).reference = Some("job-2".into());
        store.save("r1/p", &state).await.expect("save");
        state.accepted = 1;
        store.save("r1/p", &state).await.expect("save again");
        drop(store);

        let store = StateStore::open(&path).expect("reopen");
        let loaded = store.load("r1/p").await.expect("load").expect("found");
        assert_eq!(loaded, state);
        assert_eq!(loaded.calls.len(), 2);
        let task = store.task_of_token(&state.token).await.expect("lookup");
        assert_eq!(task.as_deref(), Some("r1/p"));
        assert_eq!(store.task_of_token("other").await, Ok(None));
    }
}
