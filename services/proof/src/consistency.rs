//! `erasure verify --tree-heads A B --proof P`: two signed tree heads — from tree head
//! files, or the heads that certificate and supplement files prove against — and the
//! consistency proof that the larger log extends the smaller one.

use crate::certificate::{self, CertificateFile};
use crate::keys::TrustStore;
use crate::merkle;
use crate::supplement::{self, SupplementFile};
use crate::transparency::{
    CONSISTENCY_FORMAT, ConsistencyFile, LogProof, TREE_HEAD_FILE_FORMAT, TreeHeadFile,
    TreeHeadView, VerifiedHead, hashes, verify_head,
};
use crate::verification::{Verification, check_eq};
use crate::view::rfc3339;

/// Verifies two tree heads and the consistency between them, in either order. Without
/// `trust`, each file's own keys are used (the result says so).
pub fn verify_tree_heads(
    a: &str,
    b: &str,
    proof: Option<&str>,
    trust: Option<&TrustStore>,
) -> Verification {
    let mut v = Verification {
        self_declared_keys: trust.is_none(),
        ..Verification::default()
    };
    let first = head_of(&mut v, "first tree head", a, trust);
    let second = head_of(&mut v, "second tree head", b, trust);
    let (Some(x), Some(y)) = (first, second) else {
        return v;
    };
    let (old, new) = if x.tree_size <= y.tree_size {
        (x, y)
    } else {
        (y, x)
    };
    v.record("consistency proof", consistency(&old, &new, proof));
    v
}

/// The signed head a file carries, with the keys to check it by.
struct Carried {
    signed_tree_head: String,
    view: TreeHeadView,
    keys: TrustStore,
}

fn head_of(
    v: &mut Verification,
    name: &str,
    json: &str,
    trust: Option<&TrustStore>,
) -> Option<VerifiedHead> {
    let result = carried(json).and_then(|c| {
        verify_head(trust.unwrap_or(&c.keys), &c.signed_tree_head, &c.view).map(|h| {
            let detail = format!(
                "tree size {}, root {}, signed {} by {}",
                h.tree_size,
                hex::encode(h.root),
                rfc3339(h.timestamp_ms),
                c.view.key_id
            );
            (h, detail)
        })
    });
    match result {
        Ok((head, detail)) => {
            v.record(name, Ok(detail));
            Some(head)
        }
        Err(e) => {
            v.record(name, Err(e));
            None
        }
    }
}

fn carried(json: &str) -> Result<Carried, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let format = value
        .get("format")
        .and_then(|f| f.as_str())
        .unwrap_or_default()
        .to_owned();
    let from_log = |log: Option<LogProof>, keys: TrustStore, what: &str| {
        let log = log.ok_or_else(|| format!("the {what} carries no tree head (field `log`)"))?;
        Ok(Carried {
            signed_tree_head: log.signed_tree_head,
            view: log.tree_head,
            keys,
        })
    };
    let bad = |e: serde_json::Error| format!("not a {format} file: {e}");
    match format.as_str() {
        TREE_HEAD_FILE_FORMAT => {
            let f: TreeHeadFile = serde_json::from_value(value).map_err(bad)?;
            Ok(Carried {
                signed_tree_head: f.signed_tree_head,
                view: f.tree_head,
                keys: f.keys,
            })
        }
        certificate::FILE_FORMAT => {
            let f: CertificateFile = serde_json::from_value(value).map_err(bad)?;
            from_log(f.log, f.keys, "certificate")
        }
        supplement::SUPPLEMENT_FILE_FORMAT => {
            let f: SupplementFile = serde_json::from_value(value).map_err(bad)?;
            from_log(f.log, f.keys, "supplement")
        }
        other => Err(format!(
            "format {other:?} is not a tree head, certificate or supplement file"
        )),
    }
}

fn consistency(
    old: &VerifiedHead,
    new: &VerifiedHead,
    proof: Option<&str>,
) -> Result<String, String> {
    let (m, n) = (old.tree_size, new.tree_size);
    if m == n {
        return if old.root == new.root {
            Ok(format!(
                "both heads are of tree size {m} with the same root"
            ))
        } else {
            Err(format!(
                "two different roots for tree size {m}: the log was rewritten"
            ))
        };
    }
    if m == 0 {
        return check_empty(old);
    }
    let proof = proof.ok_or_else(|| {
        format!(
            "a proof is needed from {m} to {n}: erasure log consistency --from {m} --to {n} -o FILE"
        )
    })?;
    let file: ConsistencyFile =
        serde_json::from_str(proof).map_err(|e| format!("not a consistency proof file: {e}"))?;
    check_eq("format", &file.format, CONSISTENCY_FORMAT)?;
    if (file.from_size, file.to_size) != (m, n) {
        return Err(format!(
            "the proof is from {} to {}, the heads are of {m} and {n}",
            file.from_size, file.to_size
        ));
    }
    let hashes = hashes(&file.proof, "consistency proof")?;
    merkle::verify_consistency(m, n, &old.root, &new.root, &hashes)
        .map_err(|e| e.to_string())
        .map(|()| format!("the log of {n} leaves extends the log of {m}"))
}

fn check_empty(old: &VerifiedHead) -> Result<String, String> {
    if old.root == merkle::empty_root() {
        Ok("the empty log is a prefix of every log".into())
    } else {
        Err("a head of tree size 0 whose root is not the empty tree's".into())
    }
}
