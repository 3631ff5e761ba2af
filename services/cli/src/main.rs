//! `erasure`: the orchestrator's server and client in one binary.
//!
//! - `serve`: the coordinator (embedded default: SQLite, in-process bus and connectors).
//! - `connector`: one connector as its own process (distributed mode).
//! - `submit`, `status`, `list`, `watch`, `certificate`: clients of a running server.
//! - `verify`: offline verification of a certificate file.
//! - `load`: a bounded load against a running server, printing throughput and latency.

mod client;
mod config;
mod connector;
mod example;
mod load;
mod serve;
mod verify;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "erasure",
    version,
    about = "GDPR Art. 17 erasure orchestrator: erase a person everywhere, and prove it"
)]
struct Cli {
    /// Server of the client commands.
    #[arg(long, global = true, env = "ERASURE_SERVER", default_value = client::DEFAULT_SERVER)]
    server: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the coordinator (with no config: embedded default and example systems).
    Serve(serve::ServeArgs),
    /// Run one connector as its own process (distributed mode).
    Connector(connector::ConnectorArgs),
    /// Submit an erasure request; prints its id.
    Submit(client::SubmitArgs),
    /// Show a request's state.
    Status { id: String },
    /// List requests, newest first.
    List {
        /// in-progress, completed or failed.
        #[arg(long)]
        status: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Follow a request until it is final.
    Watch { id: String },
    /// Fetch a completed request's certificate (JSON).
    Certificate {
        id: String,
        /// Write it to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Create the example systems' data (crm, telemetry, support, cameras, uploads) in DIR.
    ExampleData { dir: PathBuf },
    /// Measure: submit many requests and report throughput and latency (use --release).
    Load(load::LoadArgs),
    /// Verify a certificate file offline.
    Verify {
        file: PathBuf,
        /// Trust file with the public keys you trust (the server's data-dir/trust.json).
        #[arg(long)]
        trust: Option<PathBuf>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => {
            erasure_telemetry::init();
            serve::run(args).await
        }
        Command::Connector(args) => {
            erasure_telemetry::init();
            connector::run(args).await
        }
        Command::Submit(args) => client::submit(&cli.server, args).await,
        Command::Status { id } => client::status(&cli.server, id).await,
        Command::List { status, limit } => client::list(&cli.server, status, limit.max(1)).await,
        Command::Watch { id } => client::watch(&cli.server, id).await,
        Command::Certificate { id, output } => client::certificate(&cli.server, id, output).await,
        Command::ExampleData { dir } => example::seed_into(&dir).map(|created| {
            let what = if created { "created" } else { "already there" };
            println!("example data {what} in {}", dir.display());
        }),
        Command::Load(args) => load::run(&cli.server, args).await,
        Command::Verify { file, trust } => verify::run(&file, trust.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
