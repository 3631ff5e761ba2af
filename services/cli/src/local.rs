//! The commands that run here rather than against a server: `serve`, `connector`,
//! `keys rotate` and `example-data`. Their work is the runtime's; this is their arguments
//! and what they print.

use anyhow::Result;
use erasure_runtime::connector::{self, ConnectorOptions};
use erasure_runtime::keys::{self, Rotation};
use erasure_runtime::serve::{self, ServeOptions};
use erasure_runtime::signal::shutdown_signal;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Configuration file (TOML). Without it: the built-in example inventory.
    #[arg(long, env = "ERASURE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Where events, keys and connector state live.
    #[arg(long, env = "ERASURE_DATA_DIR", default_value = "erasure-data")]
    pub data_dir: PathBuf,
    /// gRPC listen address [default: from the configuration, else 127.0.0.1:50051].
    #[arg(long, env = "ERASURE_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// HTTP listen address for the web console and `/metrics` [default: from the
    /// configuration, else none].
    #[arg(long, env = "ERASURE_HTTP_LISTEN")]
    pub http_listen: Option<SocketAddr>,
    /// Create the example systems' data even with --config (to try a changed example).
    #[arg(long)]
    pub with_example_data: bool,
}

pub async fn serve(args: ServeArgs) -> Result<()> {
    let options = ServeOptions {
        config: args.config,
        data_dir: args.data_dir,
        listen: args.listen,
        http_listen: args.http_listen,
        with_example_data: args.with_example_data,
    };
    serve::run(options, shutdown_signal()).await
}

#[derive(Debug, clap::Args)]
pub struct ConnectorArgs {
    /// The connector's configuration (TOML); relative paths in it resolve against its directory.
    #[arg(long, env = "ERASURE_CONNECTOR_CONFIG")]
    pub config: PathBuf,
    /// Add this connector's public key to a trust file (created if missing) and exit.
    #[arg(long, value_name = "TRUST_FILE")]
    pub register: Option<PathBuf>,
}

pub async fn connector(args: ConnectorArgs) -> Result<()> {
    let options = ConnectorOptions {
        config: args.config,
    };
    let Some(trust) = args.register else {
        return connector::run(options, shutdown_signal()).await;
    };
    let r = connector::register(&options, &trust)?;
    println!(
        "registered connector {} key {} in {}",
        r.system,
        r.key_id,
        trust.display()
    );
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct RotateArgs {
    /// Rotate the coordinator's key (in the data directory).
    #[arg(long, conflicts_with_all = ["connector", "key_file"])]
    coordinator: bool,
    /// Rotate the key of this in-process connector (in the data directory).
    #[arg(long, value_name = "SYSTEM", conflicts_with = "key_file")]
    connector: Option<String>,
    /// Rotate the key file of a connector that runs elsewhere (with --system and --record).
    #[arg(long, requires_all = ["system", "record"])]
    key_file: Option<PathBuf>,
    /// The system whose connector signs with --key-file.
    #[arg(long)]
    system: Option<String>,
    /// The trusted connector keys file the coordinator reads ([keys] trusted_connectors).
    #[arg(long)]
    record: Option<PathBuf>,
    #[arg(long, env = "ERASURE_DATA_DIR", default_value = "erasure-data")]
    data_dir: PathBuf,
}

pub fn rotate(args: RotateArgs) -> Result<()> {
    let rotation = match (args.key_file, args.connector, args.coordinator) {
        (Some(key_file), _, _) => Rotation::KeyFile {
            key_file,
            system: args.system.unwrap_or_default(),
            record: args.record.unwrap_or_default(),
        },
        (None, Some(system), _) => Rotation::Connector {
            data_dir: args.data_dir,
            system,
        },
        (None, None, true) => Rotation::Coordinator {
            data_dir: args.data_dir,
        },
        (None, None, false) => {
            anyhow::bail!("say which key: --coordinator, --connector SYSTEM or --key-file FILE")
        }
    };
    let r = keys::rotate(rotation)?;
    println!("retired {} (valid until {})", r.old_key_id, r.at);
    println!(
        "new key {} (valid from {}) in {}",
        r.new_key_id,
        r.at,
        r.key_file.display()
    );
    println!("rotation recorded in {}", r.record.display());
    println!("restart the server (or the connector) to sign with the new key");
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// A coordinator configuration, or a standalone connector's file.
    file: PathBuf,
    /// Also ask every connector whether its system holds what the file names (tables and
    /// columns, a bucket).
    #[arg(long)]
    connect: bool,
    /// Where a coordinator configuration's relative paths resolve (as for serve).
    #[arg(long, env = "ERASURE_DATA_DIR", default_value = "erasure-data")]
    data_dir: PathBuf,
}

pub async fn check(args: CheckArgs) -> Result<()> {
    let checked = erasure_runtime::check::check(&args.file, &args.data_dir, args.connect).await?;
    for problem in &checked.problems {
        println!("{problem}");
    }
    match checked.problems.len() {
        0 => {
            let connected = if args.connect {
                ", systems reached"
            } else {
                ""
            };
            println!("ok: {}{connected}", checked.what);
            Ok(())
        }
        n => anyhow::bail!("{} has {n} problem(s)", args.file.display()),
    }
}

#[derive(Debug, clap::Args)]
pub struct ExampleArgs {
    dir: PathBuf,
    /// Also create the customer register in this PostgreSQL database (the distributed
    /// example's CRM).
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,
    /// Also create the camera pictures in a versioned bucket of this S3 endpoint (the
    /// distributed example's cameras); credentials from AWS_ACCESS_KEY_ID and
    /// AWS_SECRET_ACCESS_KEY.
    #[arg(long, value_name = "ENDPOINT")]
    s3: Option<String>,
    #[arg(long, default_value = "cameras")]
    s3_bucket: String,
    /// Also add N synthetic people PREFIX-0, PREFIX-1, ... to the SQLite systems and the
    /// camera folders (for `erasure bench --prefix PREFIX` against a server of DIR).
    #[arg(long, default_value_t = 0, value_name = "N")]
    people: usize,
    #[arg(long, default_value = "BENCH")]
    prefix: String,
    /// Also append N copies of the completed requests already in DIR's event log (the
    /// embedded default), each under its own request id and certificate leaf: a long
    /// history to measure start-up and memory against. Never on a real deployment.
    #[arg(long, default_value_t = 0, value_name = "N")]
    history: usize,
}

pub async fn example_data(args: ExampleArgs) -> Result<()> {
    let said = |created: bool, place: &str| {
        let what = if created { "created" } else { "already there" };
        println!("example data {what} in {place}");
    };
    said(
        erasure_runtime::example::seed_into(&args.dir)?,
        &args.dir.display().to_string(),
    );
    if args.people > 0 {
        erasure_runtime::example::synthetic::seed_people(&args.dir, &args.prefix, args.people)?;
        println!(
            "{} synthetic people {}-0 .. {}-{} added",
            args.people,
            args.prefix,
            args.prefix,
            args.people - 1
        );
    }
    if let Some(url) = &args.postgres {
        said(
            erasure_runtime::example::postgres::seed_crm(url).await?,
            "PostgreSQL (crm)",
        );
    }
    if let Some(endpoint) = args.s3 {
        let env = |name: &str| std::env::var(name).unwrap_or_else(|_| "erasure-example".into());
        let target = erasure_runtime::example::s3::Target {
            endpoint,
            bucket: args.s3_bucket.clone(),
            region: "us-east-1".into(),
            access_key_id: env("AWS_ACCESS_KEY_ID"),
            secret_access_key: env("AWS_SECRET_ACCESS_KEY"),
        };
        let created = erasure_runtime::example::s3::seed_cameras(&target).await?;
        said(created, &format!("S3 bucket {}", args.s3_bucket));
    }
    if args.history > 0 {
        let store = erasure_runtime::wiring::open_store(
            &erasure_runtime::config::StoreConfig::Sqlite { path: None },
            &args.dir,
        )
        .await?;
        let bar = crate::progress::bar("requests", args.history as u64);
        let added = erasure_runtime::bench::history::multiply(store, args.history, |n| {
            if let Some(bar) = &bar {
                bar.set_position(n);
            }
        })
        .await?;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        println!(
            "{} requests ({} events) copied from {} completed ones into the event log",
            added.requests, added.events, added.templates
        );
    }
    Ok(())
}
