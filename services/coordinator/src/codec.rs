//! The store's rows for domain events: [`erasure_proto::convert::events`] does the
//! conversion; this is only the store's shape around it.

use erasure_core::Event;
use erasure_proto::convert::{DecodeError, EncodedEvent, decode_event};
use erasure_store::{NewEvent, RecordedEvent};

pub use erasure_proto::convert::SCHEMA_VERSION;

/// The row to append for `event`.
pub fn encode(event: &Event) -> NewEvent {
    let encoded = EncodedEvent::from(event);
    NewEvent {
        event_type: encoded.event_type.to_owned(),
        version: encoded.version,
        payload: encoded.payload,
    }
}

/// The row to append for a message of a stream that is not a request's (the
/// transparency log, replays), stored under its message name.
pub fn message_event(event_type: &str, message: &impl prost::Message) -> NewEvent {
    NewEvent {
        event_type: event_type.into(),
        version: SCHEMA_VERSION,
        payload: message.encode_to_vec(),
    }
}

/// The event a recorded row holds.
pub fn decode(recorded: &RecordedEvent) -> Result<Event, DecodeError> {
    decode_event(&recorded.event_type, recorded.version, &recorded.payload)
}
