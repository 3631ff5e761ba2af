//! `erasure log head` and `erasure log consistency`: the transparency log's signed tree
//! heads and the consistency proofs between them, as files `erasure verify --tree-heads`
//! checks offline.

use crate::client::{Target, connect, emit, rpc};
use anyhow::Result;
use clap::Subcommand;
use erasure_proto::v1 as pb;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// The latest signed tree head (or the published one of --size N).
    Head {
        /// A published head of this tree size.
        #[arg(long, conflicts_with = "publish")]
        size: Option<u64>,
        /// Sign a head over every certificate logged so far, now.
        #[arg(long)]
        publish: bool,
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// The consistency proof that the log of --to leaves extends the log of --from leaves.
    Consistency {
        #[arg(long)]
        from: u64,
        #[arg(long)]
        to: u64,
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

pub async fn run(server: &Target, command: LogCommand) -> Result<()> {
    let mut client = connect(server).await?;
    match command {
        LogCommand::Head {
            size,
            publish,
            output,
        } => {
            let head = client
                .get_tree_head(pb::GetTreeHeadRequest {
                    tree_size: size.unwrap_or(0),
                    publish,
                })
                .await
                .map_err(rpc)?
                .into_inner();
            eprintln!(
                "tree size {}, root {}",
                head.tree_size,
                hex::encode(&head.root_hash)
            );
            emit("tree head", &head.tree_head_json, output)
        }
        LogCommand::Consistency { from, to, output } => {
            let proof = client
                .get_consistency_proof(pb::GetConsistencyProofRequest {
                    from_size: from,
                    to_size: to,
                })
                .await
                .map_err(rpc)?
                .into_inner();
            emit("consistency proof", &proof.proof_json, output)
        }
    }
}
