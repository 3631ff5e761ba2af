//! The connector's PostgreSQL connection pool (`deadpool-postgres`, `pool_size`
//! connections, opened lazily): built with the connector, connecting to nothing until a
//! job needs it. Messages name the server as `postgres://user@host:port/database`, never
//! with the password (which comes from `password_file`, never from the URL).

use crate::error::ConfigError;
use crate::postgres::classify;
use crate::result::Failure;
use deadpool_postgres::{
    Client, Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime,
};
use std::error::Error as _;
use std::fmt;
use std::time::Duration;
use tokio_postgres::config::Host;
use tokio_postgres::{Config, NoTls};

/// How long opening one connection may take, unless the URL says (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a job waits for a free connection when all are busy.
const POOL_WAIT: Duration = Duration::from_secs(30);

/// The connector's pool, and how messages name the server.
#[derive(Clone)]
pub struct Database {
    pool: Pool,
    /// `postgres://user@host:port/database`, never a password.
    shown: String,
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl Database {
    /// A pool of `size` connections to `url`, with `password` (from `password_file`).
    /// Connects to nothing yet: the server may be down now and up when work arrives.
    pub fn new(url: &str, password: Option<&[u8]>, size: usize) -> Result<Self, ConfigError> {
        let mut config: Config = url.parse().map_err(|e: tokio_postgres::Error| {
            ConfigError::BadUrl(e.source().map_or_else(|| e.to_string(), |s| s.to_string()))
        })?;
        if config.get_password().is_some() {
            return Err(ConfigError::PasswordInUrl);
        }
        if let Some(password) = password {
            config.password(password);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let shown = show(&config);
        let fast = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let pool = Pool::builder(Manager::from_config(config, NoTls, fast))
            .max_size(size)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_WAIT))
            .build()
            .map_err(|e| ConfigError::Pool(e.to_string()))?;
        Ok(Self { pool, shown })
    }

    /// A connection from the pool.
    pub async fn client(&self) -> Result<Client, Failure> {
        let context = format!("connecting to {}", self.shown);
        self.pool.get().await.map_err(|e| match e {
            PoolError::Backend(e) => classify(&e, &context),
            PoolError::Timeout(_) | PoolError::Closed => {
                Failure::Retryable(format!("{context}: no connection free or opened in time"))
            }
            other => Failure::Permanent(format!("{context}: {other}")),
        })
    }

    /// `postgres://user@host:port/database`.
    pub fn shown(&self) -> &str {
        &self.shown
    }
}

/// `postgres://user@host1,host2:port/database` from what `config` holds.
fn show(config: &Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            Host::Tcp(name) => name.clone(),
            Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let ports: Vec<String> = config.get_ports().iter().map(u16::to_string).collect();
    let user = config.get_user().map_or(String::new(), |u| format!("{u}@"));
    let port = match ports.is_empty() {
        true => String::new(),
        false => format!(":{}", ports.join(",")),
    };
    let db = config.get_dbname().unwrap_or("");
    format!("postgres://{user}{}{port}/{db}", hosts.join(","))
}
