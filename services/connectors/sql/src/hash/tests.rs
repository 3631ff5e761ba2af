use super::*;

fn hasher() -> Hasher {
    Hasher::new(b"0123456789abcdef0123456789abcdef".to_vec()).expect("key")
}

fn old(text: &str) -> Old {
    Some(Sensitive::new(text.as_bytes().to_vec()))
}

#[test]
fn the_digest_is_hmac_sha256_in_lowercase_hex() {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?". The key is
    // shorter than the connector accepts, so it is built here without `new`.
    let jefe = Hasher {
        key: Sensitive::new(b"Jefe".to_vec()),
    };
    assert_eq!(
        jefe.digest(b"what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    let digest = hasher().digest(b"Alice Example");
    assert!(looks_hashed(digest.as_bytes()), "{digest}");
    assert_ne!(digest, hasher().digest(b"Bob Example"));
}

#[test]
fn short_keys_are_refused_and_the_key_never_prints() {
    let err = Hasher::new(b"short".to_vec()).expect_err("refused");
    assert_eq!(err, "holds 5 bytes; the key needs at least 32");
    assert_eq!(format!("{:?}", hasher()), "Hasher(**REDACTED**)");
}

#[test]
fn values_follow_the_columns_that_are_not_nulled() {
    let columns = [
        Anonymised::from("address"),
        Anonymised {
            column: "status".into(),
            with: Replacement::Value("erased".into()),
        },
        Anonymised {
            column: "name".into(),
            with: Replacement::Hash,
        },
    ];
    assert_eq!(hashed(&columns), ["name"]);
    let values = set_values(&columns, &[old("Alice")], Some(&hasher())).expect("values");
    let values: Vec<Option<&str>> = values
        .iter()
        .map(|v| v.as_ref().map(|v| v.expose().as_str()))
        .collect();
    let alice = hasher().digest(b"Alice");
    assert_eq!(values, [Some("erased"), Some(alice.as_str())]);
}

#[test]
fn null_and_hashed_values_are_bound_unchanged() {
    let columns = [Anonymised {
        column: "name".into(),
        with: Replacement::Hash,
    }];
    let done = hasher().digest(b"Alice");
    let again = set_values(&columns, &[old(&done)], Some(&hasher())).expect("values");
    assert_eq!(again, [Some(Sensitive::new(done))]);
    let null = set_values(&columns, &[None], None).expect("values");
    assert_eq!(null, [None]);
    assert_eq!(
        set_values(&columns, &[old("Alice")], None),
        Err("no hash key")
    );
    assert!(!looks_hashed(
        b"0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
    ));
}
