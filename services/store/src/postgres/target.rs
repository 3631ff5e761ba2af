//! What messages say about the server: `postgres://user@host:port/database`, never the
//! password. Every message that could carry connection details passes through
//! [`Target::redact`], which also scrubs the password as written in the URL and decoded.

use std::fmt;

use deadpool_postgres::PoolError;
use tokio_postgres::Config;
use tokio_postgres::config::Host;

use super::error::describe;
use crate::StoreError;

/// The server a store talks to, for messages.
pub(super) struct Target {
    /// `postgres://user@host:port/database`.
    shown: String,
    /// Every spelling of the password to scrub from messages.
    secrets: Vec<String>,
}

/// Parses a URL or `key=value` string. A malformed one is the caller's mistake
/// ([`StoreError::Invalid`]); the message quotes it with the password scrubbed.
pub(super) fn parse(url: &str) -> Result<(Config, Target), StoreError> {
    let raw: Vec<&str> = url_password(url).into_iter().collect();
    match url.parse::<Config>() {
        Ok(config) => {
            let target = Target::new(&config, &raw);
            Ok((config, target))
        }
        Err(e) => {
            let secrets = raw.iter().map(|s| (*s).to_owned()).collect();
            let scrub = Target {
                shown: String::new(),
                secrets,
            };
            let message = format!("invalid PostgreSQL URL {url}: {}", describe(&e));
            Err(StoreError::Invalid(scrub.redact(&message)))
        }
    }
}

impl Target {
    /// `raw` are spellings of the password that `config` no longer shows (percent-encoded
    /// in the URL).
    pub(super) fn new(config: &Config, raw: &[&str]) -> Self {
        let decoded = config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned());
        let secrets = decoded
            .into_iter()
            .chain(raw.iter().map(|s| (*s).to_owned()))
            .filter(|s| !s.is_empty())
            .collect();
        Self {
            shown: show(config),
            secrets,
        }
    }

    /// `{doing} {target}: {cause}`, as [`StoreError::Unavailable`], password scrubbed.
    pub(super) fn unavailable(&self, doing: &str, cause: impl fmt::Display) -> StoreError {
        let message = format!("{doing} {}: {cause}", self.shown);
        StoreError::Unavailable(self.redact(&message))
    }

    /// No connection could be had: the server is down, refuses us, or every connection
    /// is busy for longer than the pool waits.
    pub(super) fn pool_error(&self, e: PoolError) -> StoreError {
        match e {
            PoolError::Backend(e) => self.unavailable("cannot connect to", describe(&e)),
            other => self.unavailable("no connection to", other),
        }
    }

    pub(super) fn redact(&self, message: &str) -> String {
        self.secrets
            .iter()
            .fold(message.to_owned(), |m, s| m.replace(s.as_str(), "***"))
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
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
    let port = if ports.is_empty() {
        String::new()
    } else {
        format!(":{}", ports.join(","))
    };
    let db = config.get_dbname().unwrap_or("");
    format!("postgres://{user}{}{port}/{db}", hosts.join(","))
}

/// The password as written in a `postgres://user:password@...` URL (still
/// percent-encoded), or after `password=` in the `key=value` form.
fn url_password(url: &str) -> Option<&str> {
    if let Some(rest) = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
    {
        let authority = rest.split(['/', '?']).next().unwrap_or("");
        let userinfo = authority.rsplit_once('@')?.0;
        return userinfo.split_once(':').map(|(_, p)| p);
    }
    let start = url.find("password=")? + "password=".len();
    let value = &url[start..];
    match value.strip_prefix('\'') {
        Some(quoted) => quoted.split('\'').next(),
        None => value.split(' ').next(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_password_in_both_forms() {
        assert_eq!(url_password("postgres://u:p%40ss@h:1/db"), Some("p%40ss"));
        assert_eq!(url_password("postgresql://u:pw@h/db?x=1"), Some("pw"));
        assert_eq!(url_password("postgres://u@h/db"), None);
        assert_eq!(url_password("host=h password=pw user=u"), Some("pw"));
        assert_eq!(url_password("host=h password='p w' user=u"), Some("p w"));
    }

    #[test]
    fn shows_host_port_database_and_user_but_not_the_password() {
        let (config, target) = parse("postgres://u:p%40ss@db.example:5433/erasure").expect("url");
        assert_eq!(config.get_password(), Some(&b"p@ss"[..]));
        assert_eq!(
            format!("{target:?}"),
            "postgres://u@db.example:5433/erasure"
        );
        let m = target.redact("auth failed for p@ss (p%40ss)");
        assert_eq!(m, "auth failed for *** (***)");
    }
}
