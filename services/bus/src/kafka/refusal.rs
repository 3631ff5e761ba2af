//! Broker errors that retrying cannot cure: SASL credentials the broker refuses, a TLS
//! handshake that fails (the broker's certificate does not chain to the configured CA, or
//! does not name the host). librdkafka reports them, like every error, on the client's
//! event queue and keeps retrying; the transport's producer (which connects as soon as it
//! is made) carries this context, so the start-up step that waits for the broker
//! ([`super::KafkaTransport::ensure_topics`]) stops at once with the reason instead.

use rdkafka::client::ClientContext;
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaErrorCode;
use tokio::sync::watch;

/// The producer's context: logs every error as librdkafka's default context does, and
/// publishes the first refusal.
pub(crate) struct Refusals {
    first: watch::Sender<Option<String>>,
}

impl Refusals {
    pub(crate) fn new() -> (Self, watch::Receiver<Option<String>>) {
        let (first, seen) = watch::channel(None);
        (Self { first }, seen)
    }
}

impl ClientContext for Refusals {
    fn error(&self, error: KafkaError, reason: &str) {
        tracing::error!(target: "librdkafka", "{error}: {reason}");
        if let Some(what) = refusal(&error) {
            self.first.send_if_modified(|first| {
                first.is_none() && {
                    *first = Some(format!("{what}: {reason}"));
                    true
                }
            });
        }
    }
}

/// What an error means, when it is one the configuration must fix. librdkafka's reasons
/// name the broker and the mechanism, never the password.
fn refusal(error: &KafkaError) -> Option<&'static str> {
    match error.rdkafka_error_code()? {
        RDKafkaErrorCode::Authentication => Some(
            "the broker refused the SASL credentials (check [bus.sasl] username, mechanism and password)",
        ),
        RDKafkaErrorCode::SSL => Some(
            "TLS to the broker failed (check [bus.tls] ca_file, and that the broker's certificate names the host)",
        ),
        _ => None,
    }
}

/// Waits for the first refusal; pending forever when there is none.
pub(crate) async fn refused(mut seen: watch::Receiver<Option<String>>) -> String {
    match seen.wait_for(Option::is_some).await {
        Ok(first) => first.clone().unwrap_or_default(),
        Err(_) => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_configuration_must_fix_is_a_refusal() {
        let global = |code| KafkaError::Global(code);
        assert!(refusal(&global(RDKafkaErrorCode::Authentication)).is_some());
        assert!(refusal(&global(RDKafkaErrorCode::SSL)).is_some());
        // A broker that is away comes back: waited for, not refused.
        assert!(refusal(&global(RDKafkaErrorCode::AllBrokersDown)).is_none());
        assert!(refusal(&global(RDKafkaErrorCode::BrokerTransportFailure)).is_none());
    }

    #[tokio::test]
    async fn the_first_refusal_is_kept() {
        let (context, seen) = Refusals::new();
        context.error(KafkaError::Global(RDKafkaErrorCode::AllBrokersDown), "away");
        context.error(
            KafkaError::Global(RDKafkaErrorCode::Authentication),
            "first",
        );
        context.error(KafkaError::Global(RDKafkaErrorCode::SSL), "second");
        let reason = refused(seen).await;
        assert!(reason.ends_with(": first"), "{reason}");
        assert!(reason.contains("SASL credentials"), "{reason}");
    }
}
