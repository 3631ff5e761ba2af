//! Generated code for the `erasure.v1` protobuf package (`proto/erasure/v1`).
//!
//! Messages are always available; gRPC client and server stubs need the `grpc` feature,
//! so that pure crates (proof) can use the messages without pulling in tonic.
//!
//! [`convert`] is the one conversion layer between these messages and the domain types
//! of `erasure-core`.

pub mod convert;

/// `erasure.v1`: API, events, wire protocol to connectors, certificates.
#[allow(missing_debug_implementations, clippy::all)]
pub mod v1 {
    include!(concat!(env!("OUT_DIR"), "/erasure.v1.rs"));
    // `Serialize`/`Deserialize` in canonical proto3 JSON (lowerCamelCase names, enums by
    // name, 64-bit integers as strings, bytes in base64), as the JSON gateway speaks it.
    include!(concat!(env!("OUT_DIR"), "/erasure.v1.serde.rs"));
}

/// Encoded `FileDescriptorSet` of every `erasure.v1` file, for gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/erasure_descriptor.bin"));
