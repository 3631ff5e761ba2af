//! `send`: one record per message, returned only once the broker has acknowledged it.

use super::trace::ensure_traceparent;
use crate::{BusError, Message};
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use std::time::Duration;

/// How long `send` waits for room in librdkafka's local queue when it is full.
const QUEUE_FULL_WAIT: Duration = Duration::from_secs(5);

/// Produces `message` (key = request id, headers as given plus a `traceparent`) and waits
/// for the delivery report: `Ok` means every in-sync replica has the record.
pub(crate) async fn produce(
    producer: &FutureProducer<super::refusal::Refusals>,
    brokers: &str,
    mut message: Message,
) -> Result<(), BusError> {
    ensure_traceparent(&mut message.headers);
    let record = FutureRecord::to(&message.topic)
        .key(message.key.as_bytes())
        .payload(message.payload.as_slice())
        .headers(headers(&message.headers));
    match producer.send(record, QUEUE_FULL_WAIT).await {
        Ok(_) => Ok(()),
        Err((err, _unsent)) => Err(unavailable(brokers, &message.topic, &err)),
    }
}

fn headers(pairs: &[(String, String)]) -> OwnedHeaders {
    pairs
        .iter()
        .fold(OwnedHeaders::new_with_capacity(pairs.len()), |h, (k, v)| {
            h.insert(Header {
                key: k,
                value: Some(v),
            })
        })
}

/// Names the broker and the topic; never the payload, which may hold personal data.
fn unavailable(brokers: &str, topic: &str, err: &KafkaError) -> BusError {
    BusError::Unavailable(format!(
        "kafka at {brokers}: producing to topic {topic} failed: {err}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::message::Headers;
    use rdkafka::types::RDKafkaErrorCode;

    #[test]
    fn headers_keep_order_and_values() {
        let pairs = vec![
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "".to_owned()),
        ];
        let h = headers(&pairs);
        let back: Vec<(&str, Option<&[u8]>)> = h.iter().map(|h| (h.key, h.value)).collect();
        assert_eq!(back, vec![("a", Some(&b"1"[..])), ("b", Some(&b""[..]))]);
    }

    #[test]
    fn errors_name_broker_and_topic() {
        let err = KafkaError::MessageProduction(RDKafkaErrorCode::MessageTimedOut);
        let BusError::Unavailable(text) = unavailable("127.0.0.1:1", "erasure.v1.acks", &err)
        else {
            panic!("not Unavailable");
        };
        assert!(text.contains("127.0.0.1:1"), "{text}");
        assert!(text.contains("erasure.v1.acks"), "{text}");
    }
}
