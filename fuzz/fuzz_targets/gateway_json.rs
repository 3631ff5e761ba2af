//! A body of the console's JSON gateway (`POST /api/v1/{Method}`): a unary method's request
//! in canonical proto3 JSON, decoded as the gateway decodes it (serde_json over the pbjson
//! implementations generated from proto/). The first byte picks the message. Decoding never
//! panics, and a message that decodes encodes to JSON that decodes to the same message.
#![no_main]

use erasure_proto::v1 as pb;
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(body: &[u8]) {
    let Ok(message) = serde_json::from_slice::<T>(body) else {
        return;
    };
    let json = serde_json::to_vec(&message).expect("a decoded message encodes");
    let again: T = serde_json::from_slice(&json).expect("its own JSON decodes");
    assert_eq!(again, message, "{}", String::from_utf8_lossy(&json));
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    match which % 13 {
        0 => round_trip::<pb::SubmitRequest>(body),
        1 => round_trip::<pb::GetRequest>(body),
        2 => round_trip::<pb::ListRequest>(body),
        3 => round_trip::<pb::ExtendRequest>(body),
        4 => round_trip::<pb::RetryRequest>(body),
        5 => round_trip::<pb::RejectRequest>(body),
        6 => round_trip::<pb::GetTreeHeadRequest>(body),
        7 => round_trip::<pb::GetConsistencyProofRequest>(body),
        8 => round_trip::<pb::GetReportRequest>(body),
        9 => round_trip::<pb::CompleteTaskRequest>(body),
        10 => round_trip::<pb::ListTasksRequest>(body),
        11 => round_trip::<pb::StartReplayRequest>(body),
        _ => round_trip::<pb::GetReplayRequest>(body),
    }
});
