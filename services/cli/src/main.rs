//! `erasure`: the orchestrator's server and client in one binary.
//!
//! - `serve`: the coordinator (embedded default: SQLite, in-process bus and connectors).
//! - `connector`: one connector as its own process (distributed mode).
//! - `submit`, `status`, `list`, `watch`, `certificate`, `extend`, `retry`, `reject`: clients of a
//!   running server.
//! - `explain`: the dates the law gives (holds, deadlines), with the reasoning; offline.
//! - `verify`: offline verification of a certificate file, or of two tree heads.
//! - `log`: the transparency log's tree heads and consistency proofs; `report`: the
//!   period report for regulators (clients of a running server).
//! - `keys rotate`: replace a signing key, keeping what it signed verifiable.
//! - `load`: a bounded load against a running server, printing throughput and latency;
//!   `bench`: an open-loop benchmark at a fixed rate, with the server's CPU and memory.
//! - `receipt`: the receipt for the person (Art. 12(3)) in fi, sv, en or de, as text or HTML.
//! - `task`: manual tasks (recipients with no API) closed by an operator with evidence;
//!   `replay`: erasures dispatched again after a backup was restored.

mod bench;
mod client;
mod explain;
mod load;
mod local;
mod operator;
mod progress;
mod receipt;
mod report;
mod transparency;

use clap::{Parser, Subcommand};
use erasure_runtime::verify::{self, Verified};
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
    #[command(flatten)]
    credentials: client::Credentials,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the coordinator (with no config: embedded default and example systems).
    Serve(local::ServeArgs),
    /// Run one connector as its own process (distributed mode).
    Connector(local::ConnectorArgs),
    /// Submit an erasure request; prints its id.
    Submit(client::SubmitArgs),
    /// Show a request's state.
    Status { id: String },
    /// List requests, newest first.
    List(client::ListArgs),
    /// Follow a request until it is final.
    Watch { id: String },
    /// Fetch a completed request's certificate (JSON), or a supplement to it.
    Certificate {
        id: String,
        /// The Nth supplement (issued when held data was erased after its hold ended).
        #[arg(long)]
        supplement: Option<usize>,
        /// A readable HTML page (with the supplements) instead of the JSON file.
        #[arg(long, conflicts_with = "supplement")]
        html: bool,
        /// Write it to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// The receipt for the person, in their language: what was erased and when, what is
    /// kept under which law until when, the extension, the recipients told, and where to
    /// complain (text, or --html).
    Receipt(receipt::ReceiptArgs),
    /// Extend a request's deadline by 1 or 2 months (once, within the first month).
    Extend {
        id: String,
        #[arg(long)]
        months: u32,
        /// Why: recorded, shown in the certificate, and owed to the person (Art. 12(3)).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Refuse a request as manifestly unfounded or excessive (GDPR Art. 12(5)), before any
    /// system has erased anything; supervisors only. Final: no certificate.
    Reject {
        id: String,
        /// Why: recorded, and owed to the person (Art. 12(4)).
        #[arg(long)]
        reason: String,
    },
    /// Dispatch a failed task again (every failed task of the request without --system).
    Retry {
        id: String,
        #[arg(long)]
        system: Option<String>,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Explain a date the law gives: a hold's end, a request's deadline (offline).
    #[command(subcommand)]
    Explain(explain::Explain),
    /// Create the example systems' data (crm, billing, telemetry, support, cameras, uploads) in DIR.
    ExampleData(local::ExampleArgs),
    /// Measure: submit many requests and report throughput and latency (use --release).
    Load(load::LoadArgs),
    /// Benchmark: requests at a fixed rate (open loop), latency percentiles from when each
    /// was due, the server's CPU per request and peak memory (--start: a server of its own).
    Bench(bench::BenchArgs),
    /// Verify a certificate or supplement file offline, or two tree heads (--tree-heads).
    Verify {
        #[arg(required_unless_present = "tree_heads")]
        file: Option<PathBuf>,
        /// Trust file with the public keys you trust (the server's data-dir/trust.json).
        #[arg(long)]
        trust: Option<PathBuf>,
        /// For a supplement: the certificate file it supplements (checks the link).
        #[arg(long)]
        certificate: Option<PathBuf>,
        /// SYSTEM=FILE: the trust file of the processor (another orchestrator, over
        /// OpenDSR) that SYSTEM stands for; checks the proof its acknowledgment nests.
        /// Repeatable; needs --trust.
        #[arg(long, value_name = "SYSTEM=FILE", value_parser = erasure_runtime::verify::processor_trust)]
        processor_trust: Vec<(String, PathBuf)>,
        /// Two tree heads (tree head, certificate or supplement files): checks both
        /// signatures and that the larger log extends the smaller one.
        #[arg(long, num_args = 2, value_names = ["A", "B"], conflicts_with_all = ["file", "certificate"])]
        tree_heads: Option<Vec<PathBuf>>,
        /// With --tree-heads: the consistency proof (`erasure log consistency`).
        #[arg(long, requires = "tree_heads")]
        proof: Option<PathBuf>,
    },
    /// The transparency log: signed tree heads and consistency proofs.
    #[command(subcommand)]
    Log(transparency::LogCommand),
    /// The period report for regulators (JSON or HTML).
    Report(report::ReportArgs),
    /// Signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Configurations.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Manual tasks: recipients with no API, told by an operator who closes the task with
    /// evidence.
    #[command(subcommand)]
    Task(operator::TaskCommand),
    /// After restoring a backup: dispatch again every erasure finished since it was taken,
    /// so that nobody comes back (runs on the server; resumable).
    Replay(operator::ReplayArgs),
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate a coordinator configuration (inventory) or a connector's file without
    /// starting anything; exit 1 listing each problem.
    Check(local::CheckArgs),
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Replace a signing key (server stopped); what the old key signed still verifies.
    Rotate(local::RotateArgs),
}

/// Runs a long-lived process with tracing installed; its last spans are exported before
/// it returns.
async fn traced(run: impl std::future::Future<Output = anyhow::Result<()>>) -> anyhow::Result<()> {
    let tracing = erasure_telemetry::init()?;
    let result = run.await;
    tracing.shutdown();
    result
}

/// Many small, short-lived allocations (events decoded, states folded) and a large
/// long-lived projection: mimalloc spends less CPU on both and returns freed memory.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let target = match cli.credentials.target(&cli.server) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command {
        Command::Serve(args) => traced(local::serve(args)).await,
        Command::Connector(args) => traced(local::connector(args)).await,
        Command::Submit(args) => client::submit(&target, args).await,
        Command::Status { id } => client::status(&target, id).await,
        Command::List(args) => client::list(&target, args).await,
        Command::Extend { id, months, reason } => client::extend(&target, id, months, reason).await,
        Command::Retry { id, system, reason } => client::retry(&target, id, system, reason).await,
        Command::Explain(e) => explain::run(e),
        Command::Reject { id, reason } => client::reject(&target, id, reason).await,
        Command::Watch { id } => client::watch(&target, id).await,
        Command::Certificate {
            id,
            supplement,
            html,
            output,
        } => client::certificate(&target, id, supplement, html, output).await,
        Command::Receipt(args) => receipt::run(&target, args).await,
        Command::ExampleData(args) => local::example_data(args).await,
        Command::Load(args) => load::run(&target, args).await,
        Command::Bench(args) => bench::run(&target, args).await,
        Command::Verify {
            file,
            trust,
            certificate,
            processor_trust,
            tree_heads,
            proof,
        } => match (file, tree_heads.as_deref()) {
            (_, Some([a, b])) => verify::tree_heads(a, b, proof.as_deref(), trust.as_deref())
                .and_then(|v| print_verified(&v)),
            (Some(file), _) => verify::file(
                &file,
                trust.as_deref(),
                certificate.as_deref(),
                &processor_trust,
            )
            .and_then(|v| print_verified(&v)),
            _ => Err(anyhow::anyhow!("give a FILE, or --tree-heads A B")),
        },
        Command::Log(command) => transparency::run(&target, command).await,
        Command::Report(args) => report::run(&target, args).await,
        Command::Keys(KeysCommand::Rotate(args)) => local::rotate(args),
        Command::Config(ConfigCommand::Check(args)) => local::check(args).await,
        Command::Task(command) => operator::task(&target, command).await,
        Command::Replay(args) => operator::replay(&target, args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Prints every check; fails naming the failed ones.
fn print_verified(v: &Verified) -> anyhow::Result<()> {
    let Verified {
        verification,
        subject,
    } = v;
    for c in &verification.checks {
        let mark = if c.ok { "ok  " } else { "FAIL" };
        println!("{mark}  {}: {}", c.name, c.detail);
    }
    if verification.self_declared_keys {
        println!(
            "note: keys were taken from the files themselves; pass --trust FILE to check them against keys you trust"
        );
    }
    if !verification.is_valid() {
        let failed: Vec<_> = verification.failures().map(|c| c.name.as_str()).collect();
        anyhow::bail!("{subject} NOT valid: {}", failed.join("; "));
    }
    println!("{subject} valid");
    Ok(())
}
