//! `verify_any`: one entry point for both kinds of file.

use super::*;
use crate::testing::{
    certificate_with_hold, failed_checks, file_json, fixture, supplement, supplement_json,
};

fn check_names(v: &Verification) -> Vec<&str> {
    v.checks.iter().map(|c| c.name.as_str()).collect()
}

#[test]
fn a_certificate_file_is_verified_as_a_certificate() {
    let f = fixture();
    let v = verify_any(
        &file_json(&f, &certificate_with_hold(&f, "r1")),
        Some(&f.trust),
        None,
    );
    assert!(v.is_valid(), "{:?}", failed_checks(&v));
    assert!(check_names(&v).contains(&"readable certificate"));
}

#[test]
fn a_supplement_file_is_verified_as_a_supplement_with_its_certificate() {
    let f = fixture();
    let cert = certificate_with_hold(&f, "r1");
    let json = supplement_json(&f, &supplement(&f, &cert));
    let v = verify_any(&json, Some(&f.trust), Some(&file_json(&f, &cert)));
    assert!(v.is_valid(), "{:?}", failed_checks(&v));
    let names = check_names(&v);
    assert!(names.contains(&"readable supplement") && names.contains(&"supplements certificate"));
}

#[test]
fn a_certificate_given_as_what_a_certificate_supplements_is_refused() {
    let f = fixture();
    let json = file_json(&f, &certificate_with_hold(&f, "r1"));
    let v = verify_any(&json, Some(&f.trust), Some(&json));
    let failures = failed_checks(&v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].starts_with("supplements certificate"));
}

#[test]
fn an_unknown_format_is_one_failed_check_naming_it() {
    let v = verify_any(r#"{"format": "erasure-certificate-file/v9"}"#, None, None);
    let failures = failed_checks(&v);
    assert_eq!(v.checks.len(), 1);
    assert!(
        failures[0].starts_with("file format")
            && failures[0].contains("erasure-certificate-file/v9")
    );
    for garbage in ["{not json", "[1, 2]", r#"{"format": 3}"#] {
        let v = verify_any(garbage, None, None);
        assert_eq!((v.checks.len(), v.is_valid()), (1, false), "{garbage}");
    }
}
