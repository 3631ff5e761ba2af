//! The Merkle tree of RFC 9162 (Certificate Transparency 2.0) §2.1, with SHA-256.
//!
//! Proofs are served for any historical tree size, not only the current one, so a
//! client holding an older signed tree head can still be answered. Verification
//! follows the RFC's iterative algorithms (§2.1.3.2, §2.1.4.2) step by step.
//! A root does not commit to its tree size: sizes are bound by the signed tree head.

use sha2::{Digest, Sha256};

/// A SHA-256 digest: a leaf hash, an interior node hash or a tree root.
pub type Hash = [u8; 32];

/// SHA-256(0x00 || data). The prefix keeps a leaf from posing as an interior node.
pub fn leaf_hash(data: &[u8]) -> Hash {
    sha256(&[&[0x00], data])
}

/// SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    sha256(&[&[0x01], left, right])
}

/// MTH({}) = SHA-256 of the empty string, with no prefix (RFC 9162 §2.1.1).
pub fn empty_root() -> Hash {
    sha256(&[])
}

fn sha256(parts: &[&[u8]]) -> Hash {
    let fold = |hasher: Sha256, part: &&[u8]| hasher.chain_update(part);
    parts.iter().fold(Sha256::new(), fold).finalize().into()
}

/// An append-only tree of leaf hashes. Keeps every complete, aligned subtree hash
/// (levels: level 0 = leaf hashes, level h = hashes of 2^h-leaf subtrees), so roots and
/// proofs for ANY size up to len() cost O(log^2 n) hashes, and push is O(log n) amortised.
/// That is about two hashes stored per leaf.
#[derive(Debug, Clone, Default)]
pub struct MerkleTree {
    levels: Vec<Vec<Hash>>,
}

impl MerkleTree {
    /// An empty tree; its root is [`empty_root`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends the leaf whose *data* is `leaf_data` (it hashes it with leaf_hash); returns its index.
    /// Every subtree the new leaf completes is hashed now, once.
    pub fn push(&mut self, leaf_data: &[u8]) -> u64 {
        let index = self.len();
        let mut hash = leaf_hash(leaf_data);
        for level in 0.. {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            let row = &mut self.levels[level];
            row.push(hash);
            match row.as_slice() {
                [.., left, right] if row.len().is_multiple_of(2) => hash = node_hash(left, right),
                _ => break,
            }
        }
        index
    }

    /// The number of leaves appended so far.
    pub fn len(&self) -> u64 {
        self.levels.first().map_or(0, |leaves| leaves.len() as u64)
    }

    /// True before the first [`push`](Self::push).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The stored leaf hash (not the data, which the tree never keeps); `None` past the end.
    pub fn leaf_hash_at(&self, index: u64) -> Option<Hash> {
        let leaves = self.levels.first()?;
        leaves.get(usize::try_from(index).ok()?).copied()
    }

    /// MTH of the first `size` leaves (size 0 = empty_root()).
    pub fn root(&self, size: u64) -> Result<Hash, MerkleError> {
        self.check_size(size)?;
        match size {
            0 => Ok(empty_root()),
            _ => Ok(self.subtree(0, size)),
        }
    }

    /// PATH(index, D[size]): sibling hashes from the leaf up to the root, in the RFC's order.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, MerkleError> {
        self.check_size(size)?;
        if index >= size {
            return Err(MerkleError::IndexOutOfRange { index, size });
        }
        let (mut start, mut end, mut proof) = (0, size, Vec::new());
        while end - start > 1 {
            let mid = start + split(end - start);
            if index < mid {
                proof.push(self.subtree(mid, end));
                end = mid;
            } else {
                proof.push(self.subtree(start, mid));
                start = mid;
            }
        }
        proof.reverse();
        Ok(proof)
    }

    /// PROOF(old_size, D[new_size]). Equal sizes give an empty proof. An old size of 0 is
    /// an error rather than an empty proof: the RFC defines proofs only for 0 < m, and
    /// every tree is trivially consistent with the empty one, so asking is a caller bug.
    pub fn consistency_proof(
        &self,
        old_size: u64,
        new_size: u64,
    ) -> Result<Vec<Hash>, MerkleError> {
        check_sizes(old_size, new_size)?;
        self.check_size(new_size)?;
        let (mut start, mut end, mut proof) = (0, new_size, Vec::new());
        let mut old_root_is_known = true; // SUBPROOF's b: the old tree's root is a node here.
        while old_size != end {
            let mid = start + split(end - start);
            if old_size <= mid {
                proof.push(self.subtree(mid, end));
                end = mid;
            } else {
                proof.push(self.subtree(start, mid));
                (start, old_root_is_known) = (mid, false);
            }
        }
        if !old_root_is_known {
            proof.push(self.subtree(start, end));
        }
        proof.reverse();
        Ok(proof)
    }

    fn check_size(&self, size: u64) -> Result<(), MerkleError> {
        match self.len() {
            len if size > len => Err(MerkleError::SizeBeyondLog { size, len }),
            _ => Ok(()),
        }
    }

    /// MTH(D[start:end]) for a non-empty range the RFC's recursion reaches: a power-of-two
    /// range there is always aligned, so it is one stored hash.
    fn subtree(&self, start: u64, end: u64) -> Hash {
        let n = end - start;
        if n.is_power_of_two() {
            let h = n.trailing_zeros();
            return self.levels[h as usize][(start >> h) as usize];
        }
        let mid = start + split(n);
        node_hash(&self.subtree(start, mid), &self.subtree(mid, end))
    }
}

/// Checks `proof` = PATH(index, D[size]) for the leaf hash (not data) against `root`,
/// with the iterative algorithm of RFC 9162 §2.1.3.2. A proof of the wrong length is
/// rejected first, with its own error, since that is a different mistake.
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), MerkleError> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    let (got, expected) = (proof.len(), steps(index, size - 1));
    if got != expected {
        return Err(MerkleError::InclusionProofLength {
            got,
            index,
            size,
            expected,
        });
    }
    let (mut fn_, mut sn, mut r) = (index, size - 1, *leaf_hash);
    for p in proof {
        if sn == 0 {
            return Err(MerkleError::InclusionRootMismatch);
        }
        let left;
        (left, fn_, sn) = step(fn_, sn);
        r = if left {
            node_hash(p, &r)
        } else {
            node_hash(&r, p)
        };
    }
    if sn != 0 || r != *root {
        return Err(MerkleError::InclusionRootMismatch);
    }
    Ok(())
}

/// Checks `proof` = PROOF(old_size, D[new_size]) between two tree heads with the iterative
/// algorithm of RFC 9162 §2.1.4.2. Equal sizes (outside the RFC's 0 < first < second)
/// need an empty proof and equal roots; an old size of 0 is an error, as in
/// [`MerkleTree::consistency_proof`]. A proof of the wrong length gets its own error.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), MerkleError> {
    check_sizes(old_size, new_size)?;
    let (got, expected) = (proof.len(), consistency_proof_len(old_size, new_size));
    if got != expected {
        return Err(MerkleError::ConsistencyProofLength {
            got,
            old_size,
            new_size,
            expected,
        });
    }
    let (fr, sr) = match old_size == new_size {
        true => (*old_root, *old_root),
        false => consistency_roots(old_size, new_size, old_root, proof)?,
    };
    match (fr == *old_root, sr == *new_root) {
        (false, _) => Err(MerkleError::OldRootMismatch),
        (true, false) => Err(MerkleError::NewRootMismatch),
        (true, true) => Ok(()),
    }
}

/// Steps 1–7 of §2.1.4.2, the sn checks included: the old and new roots `proof` leads to.
fn consistency_roots(
    old: u64,
    new: u64,
    old_root: &Hash,
    proof: &[Hash],
) -> Result<(Hash, Hash), MerkleError> {
    // Steps 1, 2 and 5: a power-of-two old tree is a node of the new one: its root seeds.
    let (seed, rest) = match (old.is_power_of_two(), proof) {
        (_, []) => return Err(MerkleError::NewRootMismatch),
        (true, _) => (*old_root, proof),
        (false, [first, rest @ ..]) => (*first, rest),
    };
    let (mut fn_, mut sn) = skip_set_bits(old - 1, new - 1); // Steps 3 and 4.
    let (mut fr, mut sr) = (seed, seed);
    for c in rest {
        if sn == 0 {
            return Err(MerkleError::NewRootMismatch);
        }
        let left;
        (left, fn_, sn) = step(fn_, sn);
        if left {
            (fr, sr) = (node_hash(c, &fr), node_hash(c, &sr));
        } else {
            sr = node_hash(&sr, c);
        }
    }
    match sn {
        0 => Ok((fr, sr)),
        _ => Err(MerkleError::NewRootMismatch),
    }
}

/// The only length of PROOF(old, D[new]) the algorithm can accept: one hash per step of
/// the walk, plus the seed unless the old root is the seed.
fn consistency_proof_len(old: u64, new: u64) -> usize {
    if old == new {
        return 0;
    }
    let (fn_, sn) = skip_set_bits(old - 1, new - 1);
    steps(fn_, sn) + usize::from(!old.is_power_of_two())
}

/// Step 4 of §2.1.4.2: "right-shift both fn and sn equally until LSB(fn) is not set".
fn skip_set_bits(mut fn_: u64, mut sn: u64) -> (u64, u64) {
    while fn_ & 1 == 1 {
        (fn_, sn) = (fn_ >> 1, sn >> 1);
    }
    (fn_, sn)
}

/// Steps b–c of both verification loops: whether the next proof hash is a left sibling
/// ("LSB(fn) is set, or fn is equal to sn"), and fn, sn after the right shifts.
fn step(mut fn_: u64, mut sn: u64) -> (bool, u64, u64) {
    let left = fn_ & 1 == 1 || fn_ == sn;
    if left {
        while fn_ & 1 == 0 && fn_ != 0 {
            (fn_, sn) = (fn_ >> 1, sn >> 1);
        }
    }
    (left, fn_ >> 1, sn >> 1)
}

/// How many proof hashes the walk from (fn, sn) consumes before sn reaches 0. A proof of
/// any other length fails the walk anyway; checking first gives the clearer error.
fn steps(mut fn_: u64, mut sn: u64) -> usize {
    let mut count = 0;
    while sn != 0 {
        (_, fn_, sn) = step(fn_, sn);
        count += 1;
    }
    count
}

/// The largest power of two strictly smaller than `n` (n >= 2): the RFC's split point k.
fn split(n: u64) -> u64 {
    1 << (n - 1).ilog2()
}

fn check_sizes(old_size: u64, new_size: u64) -> Result<(), MerkleError> {
    if old_size == 0 {
        return Err(MerkleError::ZeroOldSize);
    }
    if old_size > new_size {
        return Err(MerkleError::OldSizeLarger { old_size, new_size });
    }
    Ok(())
}

/// Why a Merkle request or proof failed. Each message names the numbers involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("tree size {size} is beyond the log's {len} leaves")]
    SizeBeyondLog { size: u64, len: u64 },
    #[error(
        "inclusion proof has {got} hashes, a leaf at index {index} of a tree of size {size} needs {expected}"
    )]
    InclusionProofLength {
        got: usize,
        index: u64,
        size: u64,
        expected: usize,
    },
    #[error(
        "consistency proof has {got} hashes, one from size {old_size} to size {new_size} needs {expected}"
    )]
    ConsistencyProofLength {
        got: usize,
        old_size: u64,
        new_size: u64,
        expected: usize,
    },
    #[error("the inclusion proof does not lead to the tree head's root")]
    InclusionRootMismatch,
    #[error("the consistency proof does not lead to the old root")]
    OldRootMismatch,
    #[error("the consistency proof does not lead to the new root")]
    NewRootMismatch,
    #[error("a consistency proof needs an old size of at least 1")]
    ZeroOldSize,
    #[error("old size {old_size} is larger than new size {new_size}")]
    OldSizeLarger { old_size: u64, new_size: u64 },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6962's test leaves (hex, `|`-separated), as in transparency-dev/merkle and Chromium.
    const LEAVES: &str =
        "|00|10|2021|3031|40414243|5051525354555657|606162636465666768696a6b6c6d6e6f";
    /// The roots of the first 1..=8 of them; also the proof hashes H0, H01, H0123.
    const ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    const H1: &str = "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7";
    const H23: &str = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e";
    const H4567: &str = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4";
    const H4: &str = "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b";
    const H5: &str = "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a";
    const H6: &str = "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f";
    const H67: &str = "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0";
    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn tree() -> MerkleTree {
        let mut tree = MerkleTree::new();
        for leaf in LEAVES.split('|') {
            tree.push(&hex::decode(leaf).expect("hex"));
        }
        tree
    }

    fn hashes(hexes: &[&str]) -> Vec<Hash> {
        let decode = |h: &&str| hex::decode(h).expect("hex").try_into().expect("32 bytes");
        hexes.iter().map(decode).collect()
    }

    #[test]
    fn roots_match_rfc_6962_vectors() {
        let tree = tree();
        assert_eq!((tree.len(), hex::encode(empty_root())), (8, EMPTY.into()));
        assert_eq!(tree.root(0), Ok(empty_root()));
        for (size, root) in (1..).zip(ROOTS) {
            assert_eq!(hex::encode(tree.root(size).expect("root")), root);
        }
    }

    #[test]
    fn inclusion_proofs_match_vectors() {
        let (tree, [h0, h01, _, h0123, ..]) = (tree(), ROOTS);
        let cases = [
            (0, 8, vec![H1, H23, H4567]),
            (5, 8, vec![H4, H67, h0123]),
            (2, 3, vec![h01]),
            (1, 5, vec![h0, H23, H4]),
        ];
        for (index, size, proof) in cases {
            let proof = hashes(&proof);
            assert_eq!(tree.inclusion_proof(index, size), Ok(proof.clone()));
            let (leaf, root) = (tree.leaf_hash_at(index), tree.root(size));
            let (leaf, root) = (leaf.expect("leaf"), root.expect("root"));
            assert_eq!(verify_inclusion(&leaf, index, size, &proof, &root), Ok(()));
        }
    }

    #[test]
    fn consistency_proofs_match_vectors() {
        let (tree, h0123) = (tree(), ROOTS[3]);
        let cases = [
            (1, 8, vec![H1, H23, H4567]),
            (6, 8, vec![H5, H67, h0123]),
            (2, 5, vec![H23, H4]),
            (6, 7, vec![H5, H6, h0123]),
        ];
        for (old, new, proof) in cases {
            let proof = hashes(&proof);
            assert_eq!(tree.consistency_proof(old, new), Ok(proof.clone()));
            let (m, n) = (tree.root(old).expect("old"), tree.root(new).expect("new"));
            assert_eq!(verify_consistency(old, new, &m, &n, &proof), Ok(()));
        }
    }
}
