//! What an operator does beyond single requests: closing manual tasks (recipients with no
//! API) with evidence, and replaying erasures after a backup was restored.

use crate::client::{Client, Target, connect, rpc};
use crate::progress;
use anyhow::{Context, Result, bail};
use erasure_proto::v1 as pb;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, clap::Subcommand)]
pub enum TaskCommand {
    /// The manual tasks waiting for an operator, oldest first.
    List,
    /// Close a manual task: say what was done, with evidence (recorded with your name and
    /// shown in the certificate as attested by an operator).
    Complete(CompleteArgs),
}

#[derive(Debug, clap::Args)]
pub struct CompleteArgs {
    /// The request.
    pub id: String,
    /// The manual system whose task is done.
    #[arg(long)]
    pub system: String,
    /// What was done, e.g. "Deletion confirmed by the vendor's e-mail of 2026-12-04, ticket
    /// 5512". Goes into the certificate: never the person's identifiers (refused if it
    /// holds one).
    #[arg(long)]
    pub evidence: String,
    /// A file kept as evidence (the vendor's confirmation, a shredding receipt). Only its
    /// name, SHA-256 and size are recorded; keep the file where such records belong.
    #[arg(long)]
    pub attachment: Option<PathBuf>,
    /// The recipient held nothing of the person's (instead of: erased).
    #[arg(long)]
    pub nothing_found: bool,
    /// Who did it (open mode; a server with authentication records the token's subject
    /// and role instead).
    #[arg(long, env = "ERASURE_OPERATOR")]
    pub by: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// When the restored backup was taken (RFC 3339, or a date for its midnight UTC):
    /// every erasure finished since then is dispatched again.
    #[arg(long, required_unless_present = "resume", conflicts_with = "resume")]
    pub since: Option<String>,
    /// A system that was restored (repeat the flag); every system with a connector when
    /// absent.
    #[arg(long = "system", conflicts_with = "resume")]
    pub systems: Vec<String>,
    /// Follow a replay started earlier (it runs on the server; this shows its progress).
    #[arg(long, value_name = "REPLAY_ID")]
    pub resume: Option<String>,
    /// Who asks, for the record (open mode; a server with authentication records the
    /// token's subject and role instead).
    #[arg(long, env = "ERASURE_OPERATOR")]
    pub by: Option<String>,
    /// Start it and print its id without following it.
    #[arg(long)]
    pub no_wait: bool,
}

/// The operator's name: `--by`, `ERASURE_OPERATOR`, else the login name.
fn operator(by: Option<String>) -> Result<String> {
    by.or_else(|| std::env::var("USER").ok())
        .filter(|b| !b.trim().is_empty())
        .context("say who you are: --by NAME (or ERASURE_OPERATOR)")
}

pub async fn task(server: &Target, command: TaskCommand) -> Result<()> {
    match command {
        TaskCommand::List => list(server).await,
        TaskCommand::Complete(args) => complete(server, args).await,
    }
}

async fn list(server: &Target) -> Result<()> {
    let mut client = connect(server).await?;
    let mut tasks = Vec::new();
    let mut token = String::new();
    loop {
        let page = client
            .list_tasks(pb::ListTasksRequest {
                page_size: 0,
                page_token: token,
            })
            .await
            .map_err(rpc)?
            .into_inner();
        tasks.extend(page.tasks);
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    if tasks.is_empty() {
        println!("no manual task is waiting");
        return Ok(());
    }
    println!(
        "{:<38} {:<16} {:<11} {:<24} RECIPIENT",
        "REQUEST", "SYSTEM", "DEADLINE", "OPENED"
    );
    for t in &tasks {
        let deadline = if t.overdue {
            format!("{} OVERDUE", t.deadline)
        } else {
            t.deadline.clone()
        };
        println!(
            "{:<38} {:<16} {:<11} {:<24} {}",
            t.request_id, t.system_id, deadline, t.opened_at, t.recipient
        );
        if !t.instructions.is_empty() {
            println!("    to do: {}", t.instructions);
        }
    }
    println!(
        "close one: erasure task complete REQUEST --system SYSTEM --evidence \"what was done\" [--attachment FILE]"
    );
    Ok(())
}

async fn complete(server: &Target, a: CompleteArgs) -> Result<()> {
    let by = operator(a.by)?;
    let attachment = a.attachment.as_deref().map(describe).transpose()?;
    let outcome = if a.nothing_found {
        pb::Outcome::NothingFound
    } else {
        pb::Outcome::Erased
    };
    let mut client = connect(server).await?;
    let r = client
        .complete_task(pb::CompleteTaskRequest {
            request_id: a.id,
            system_id: a.system.clone(),
            outcome: outcome as i32,
            operator: by.clone(),
            evidence: a.evidence,
            attachment,
        })
        .await
        .map_err(rpc)?
        .into_inner();
    println!(
        "task of {} closed by {by}; request {} is {}",
        a.system,
        r.request_id,
        erasure_runtime::render::text::status_name(r.status)
    );
    Ok(())
}

/// A file as the record keeps it: name, SHA-256 and size.
fn describe(path: &Path) -> Result<pb::Attachment> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the attachment {}", path.display()))?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .context("the attachment needs a file name")?;
    Ok(pb::Attachment {
        name: name.to_owned(),
        sha256: Sha256::digest(&bytes).to_vec(),
        size: bytes.len() as u64,
    })
}

pub async fn replay(server: &Target, a: ReplayArgs) -> Result<()> {
    let mut client = connect(server).await?;
    let replay = match (&a.resume, &a.since) {
        (Some(id), _) => client
            .get_replay(pb::GetReplayRequest {
                replay_id: id.clone(),
            })
            .await
            .map_err(rpc)?
            .into_inner(),
        (None, Some(since)) => {
            let r = client
                .start_replay(pb::StartReplayRequest {
                    since: since.clone(),
                    system_ids: a.systems.clone(),
                    operator: operator(a.by.clone())?,
                })
                .await
                .map_err(rpc)?
                .into_inner();
            println!(
                "replay {} started: {} request(s) with an erasure since {} on {}",
                r.replay_id,
                r.total,
                r.since,
                r.system_ids.join(", ")
            );
            println!(
                "(it runs on the server; follow it again with: erasure replay --resume {})",
                r.replay_id
            );
            r
        }
        (None, None) => bail!("give --since TIME, or --resume REPLAY_ID"),
    };
    if a.no_wait {
        return Ok(());
    }
    follow(&mut client, replay).await
}

/// Follows the replay until every request was dispatched again and answered; its
/// progress on a terminal.
async fn follow(client: &mut Client, mut r: pb::Replay) -> Result<()> {
    let bar = progress::bar("requests", u64::from(r.total));
    loop {
        if let Some(bar) = &bar {
            bar.set_length(u64::from(r.total));
            bar.set_position(u64::from(r.skipped + r.acknowledged + r.failed));
            bar.set_message(format!(
                "dispatched {}  skipped {}  answered {}  failed {}",
                r.dispatched, r.skipped, r.acknowledged, r.failed
            ));
        }
        if r.dispatch_finished && r.acknowledged + r.failed >= r.dispatched {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        r = client
            .get_replay(pb::GetReplayRequest {
                replay_id: r.replay_id.clone(),
            })
            .await
            .map_err(rpc)?
            .into_inner();
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    println!(
        "replay {}: {} request(s), {} dispatched again, {} skipped (nothing to re-apply), {} answered, {} failed",
        r.replay_id, r.total, r.dispatched, r.skipped, r.acknowledged, r.failed
    );
    if r.failed > 0 {
        bail!(
            "{} request(s) failed to replay: `erasure list --status completed` and `erasure status ID` show which system, `erasure retry ID --system S` tries again",
            r.failed
        );
    }
    Ok(())
}
