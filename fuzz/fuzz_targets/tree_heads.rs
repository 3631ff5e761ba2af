//! Tree head files and consistency proofs as `erasure verify --tree-heads A B --proof P`
//! reads them: the input is A, B and P separated by NUL bytes, verified with the test trust
//! and with the keys the files declare.
#![no_main]

use erasure_fuzz::{parts, trust};
use erasure_proof::consistency::verify_tree_heads;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static TRUST: LazyLock<erasure_proof::TrustStore> = LazyLock::new(trust);

fuzz_target!(|data: &[u8]| {
    let p = parts(data, 3);
    let (a, b) = (p[0].as_str(), p.get(1).map_or("", String::as_str));
    let proof = p.get(2).map(String::as_str);
    let _ = verify_tree_heads(a, b, proof, Some(&TRUST));
    let _ = verify_tree_heads(a, b, proof, None);
});
