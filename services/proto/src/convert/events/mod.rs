//! `events.proto`: every domain event to and from its stored form, the protobuf message of
//! the same name at schema version [`SCHEMA_VERSION`].

mod decode;
mod encode;

pub use decode::decode_event;
pub use encode::{EncodedEvent, SCHEMA_VERSION};

#[cfg(test)]
mod tests;
