//! Connecting to a running `erasure serve` over gRPC, with errors a person can act on.

use anyhow::{Context, Result};
use erasure_proto::v1::erasure_service_client::ErasureServiceClient;
use tonic::transport::Channel;

/// A client of the `erasure.v1` API.
pub type Client = ErasureServiceClient<Channel>;

/// Where the client commands look for a server by default.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:50051";

/// Connects to `server`, or says that nothing answers there and how to start a server.
pub async fn connect(server: &str) -> Result<Client> {
    let endpoint = Channel::from_shared(server.to_owned())
        .with_context(|| format!("invalid server address {server:?}"))?;
    let channel = endpoint.connect_timeout(std::time::Duration::from_secs(5)).connect().await.map_err(|_| {
        anyhow::anyhow!("no erasure server answers at {server} (start one with `erasure serve`, or set --server / ERASURE_SERVER)")
    })?;
    Ok(ErasureServiceClient::new(channel))
}

/// A gRPC error as one line: its message, which the server keeps free of personal data.
pub fn rpc(e: tonic::Status) -> anyhow::Error {
    anyhow::anyhow!("{}", e.message())
}
