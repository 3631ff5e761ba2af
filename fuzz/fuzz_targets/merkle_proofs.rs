//! Inclusion and consistency proofs (RFC 9162) with arbitrary sizes, indices and hashes:
//! verifying never panics, and the proofs the log itself makes for a tree of up to 200
//! leaves always verify, while a proof with one hash changed never does.
#![no_main]

use erasure_proof::merkle::{Hash, MerkleTree, verify_consistency, verify_inclusion};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

fn hashes(u: &mut Unstructured) -> Result<Vec<Hash>> {
    let n = u.int_in_range(0..=70)?;
    (0..n).map(|_| u.arbitrary::<Hash>()).collect()
}

fn arbitrary_proofs(u: &mut Unstructured) -> Result<()> {
    let (index, size, old, new) = (
        u.arbitrary()?,
        u.arbitrary()?,
        u.arbitrary()?,
        u.arbitrary()?,
    );
    let (leaf, root, other): (Hash, Hash, Hash) = (u.arbitrary()?, u.arbitrary()?, u.arbitrary()?);
    let proof = hashes(u)?;
    let _ = verify_inclusion(&leaf, index, size, &proof, &root);
    let _ = verify_consistency(old, new, &root, &other, &proof);
    Ok(())
}

fn own_proofs(u: &mut Unstructured) -> Result<()> {
    let n: u64 = u.int_in_range(1..=200)?;
    let mut tree = MerkleTree::new();
    for i in 0..n {
        tree.push(&i.to_be_bytes());
    }
    let size = u.int_in_range(1..=n)?;
    let index = u.int_in_range(0..=size - 1)?;
    let old = u.int_in_range(1..=size)?;
    let root = tree.root(size).expect("size <= n");
    let leaf = tree.leaf_hash_at(index).expect("index < n");
    let mut inclusion = tree.inclusion_proof(index, size).expect("index < size");
    assert_eq!(
        verify_inclusion(&leaf, index, size, &inclusion, &root),
        Ok(())
    );
    let old_root = tree.root(old).expect("old <= n");
    let mut consistency = tree.consistency_proof(old, size).expect("old <= size");
    assert_eq!(
        verify_consistency(old, size, &old_root, &root, &consistency),
        Ok(())
    );
    let flip: u8 = u.arbitrary()?;
    if let Some(h) = inclusion.first_mut() {
        h[usize::from(flip) % 32] ^= 1 | flip;
        assert!(verify_inclusion(&leaf, index, size, &inclusion, &root).is_err());
    }
    if let Some(h) = consistency.last_mut() {
        h[usize::from(flip) % 32] ^= 1 | flip;
        assert!(verify_consistency(old, size, &old_root, &root, &consistency).is_err());
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let _ = match u.arbitrary::<bool>() {
        Ok(true) => own_proofs(&mut u),
        _ => arbitrary_proofs(&mut u),
    };
});
