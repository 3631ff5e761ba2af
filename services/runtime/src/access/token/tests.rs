use super::*;
use jsonwebtoken::{EncodingKey, Header, encode};
use std::path::PathBuf;

const SECRET: &str = "a test secret of at least thirty-two bytes";

fn config(secret_file: PathBuf) -> AuthConfig {
    AuthConfig {
        issuer: "https://idp.test".into(),
        audience: "erasure".into(),
        hs256_secret_file: Some(secret_file),
        hs256_secret_env: None,
        jwks_file: None,
        roles_claim: "realm.roles".into(),
        controller_claim: "controller".into(),
        leeway_seconds: 0,
        client_certificates: Default::default(),
    }
}

fn verifier() -> (Verifier, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("secret");
    std::fs::write(&path, format!("{SECRET}\n")).expect("secret written");
    (Verifier::from_config(&config(path)).expect("verifier"), dir)
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn token(claims: serde_json::Value, secret: &str) -> String {
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()).expect("key"),
    )
    .expect("token")
}

fn claims(exp: i64, iss: &str, aud: &str) -> serde_json::Value {
    serde_json::json!({
        "sub": "alice", "iss": iss, "aud": aud, "exp": exp,
        "realm": {"roles": ["supervisor", "operator", "admin"]},
    })
}

#[test]
fn a_valid_token_gives_its_subject_and_known_roles() {
    let (v, _dir) = verifier();
    let t = token(claims(now() + 60, "https://idp.test", "erasure"), SECRET);
    let p = v.verify(&t).expect("accepted");
    assert_eq!(p.subject, "alice");
    assert_eq!(p.roles, [Role::Operator, Role::Supervisor]);
}

#[test]
fn expired_wrong_issuer_audience_or_signature_are_refused_with_the_reason() {
    let (v, _dir) = verifier();
    let cases = [
        (
            claims(now() - 10, "https://idp.test", "erasure"),
            SECRET,
            "expired",
        ),
        (
            claims(now() + 60, "https://other", "erasure"),
            SECRET,
            "issuer",
        ),
        (
            claims(now() + 60, "https://idp.test", "other"),
            SECRET,
            "audience",
        ),
        (
            claims(now() + 60, "https://idp.test", "erasure"),
            "another secret of at least thirty-two bytes",
            "signature",
        ),
    ];
    for (claims, secret, why) in cases {
        let t = token(claims, secret);
        let Refused(reason) = v.verify(&t).expect_err("refused");
        assert!(reason.contains(why), "{why}: {reason}");
    }
    assert_eq!(v.verify("not a token"), Err(Refused("malformed token")));
}

#[test]
fn a_token_without_subject_is_refused() {
    let (v, _dir) = verifier();
    let mut c = claims(now() + 60, "https://idp.test", "erasure");
    c.as_object_mut().expect("object").remove("sub");
    assert!(v.verify(&token(c, SECRET)).is_err());
}

#[test]
fn a_short_secret_or_two_key_sources_are_configuration_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("secret");
    std::fs::write(&path, "short").expect("written");
    let e = Verifier::from_config(&config(path.clone())).expect_err("short");
    assert!(e.to_string().contains("at least 32 bytes"), "{e}");
    let mut two = config(path);
    two.hs256_secret_env = Some("X".into());
    let e = Verifier::from_config(&two).expect_err("two sources");
    assert!(e.to_string().contains("exactly one"), "{e}");
}
