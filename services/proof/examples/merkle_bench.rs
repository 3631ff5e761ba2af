//! Measures the transparency log's tree: appending leaves, and proofs against historical
//! sizes. Run with `cargo run --release -p erasure-proof --example merkle_bench [LEAVES]`.

use erasure_proof::merkle::{self, MerkleTree};
use erasure_proof::sha256;
use std::time::Instant;

fn main() {
    let leaves: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let started = Instant::now();
    let mut tree = MerkleTree::new();
    for i in 0..leaves {
        tree.push(&sha256(&i.to_be_bytes()));
    }
    let pushed = started.elapsed();
    println!(
        "append {leaves} leaves: {:.2} s ({:.0} leaves/s)",
        pushed.as_secs_f64(),
        leaves as f64 / pushed.as_secs_f64()
    );
    let proofs = 10_000u64;
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |bound: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % bound
    };
    let started = Instant::now();
    for _ in 0..proofs {
        let size = 1 + next(leaves);
        let index = next(size);
        let proof = tree.inclusion_proof(index, size).expect("proof");
        let root = tree.root(size).expect("root");
        let leaf = tree.leaf_hash_at(index).expect("leaf");
        merkle::verify_inclusion(&leaf, index, size, &proof, &root).expect("verifies");
    }
    let each = started.elapsed().as_secs_f64() / proofs as f64;
    println!(
        "inclusion proof + root + verify at a random historical size: {:.1} µs each",
        each * 1e6
    );
    let started = Instant::now();
    for _ in 0..proofs {
        let new = 1 + next(leaves);
        let old = 1 + next(new);
        let proof = tree.consistency_proof(old, new).expect("proof");
        let (a, b) = (tree.root(old).expect("root"), tree.root(new).expect("root"));
        merkle::verify_consistency(old, new, &a, &b, &proof).expect("verifies");
    }
    let each = started.elapsed().as_secs_f64() / proofs as f64;
    println!(
        "consistency proof + two roots + verify between random sizes: {:.1} µs each",
        each * 1e6
    );
}
