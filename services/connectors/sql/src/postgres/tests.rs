use super::*;

fn kind(code: &str) -> &'static str {
    match classify_code(code, "", "table t") {
        Failure::Retryable(_) => "retryable",
        Failure::Permanent(_) => "permanent",
    }
}

#[test]
fn transient_conditions_are_retryable() {
    for code in [
        "08000", "08001", "08006", "40001", "40P01", "55P03", "57P01", "57P02", "57P03", "57014",
        "53000", "53100", "53200", "53300",
    ] {
        assert_eq!(kind(code), "retryable", "{code}");
    }
}

#[test]
fn configuration_problems_are_permanent() {
    for code in [
        "42P01", "42703", "42501", "28P01", "28000", "3D000", "22P02", "23503", "XX000",
    ] {
        assert_eq!(kind(code), "permanent", "{code}");
    }
}

#[test]
fn details_quote_the_server_only_for_undefined_tables_and_columns() {
    let missing = classify_code(
        "42P01",
        "relation \"readings\" does not exist",
        "table readings",
    );
    assert_eq!(
        missing,
        Failure::Permanent("table readings: relation \"readings\" does not exist".into())
    );
    // A data exception's message may quote the value: only the SQLSTATE is kept.
    let bad = classify_code(
        "22P02",
        "invalid input syntax for type bigint: \"C-1001\"",
        "table t",
    );
    assert_eq!(
        bad,
        Failure::Permanent("table t: SQLSTATE 22P02 (a value does not fit a column's type)".into())
    );
    let password = classify_code(
        "28P01",
        "password authentication failed for user \"u\"",
        "connecting",
    );
    assert_eq!(
        password,
        Failure::Permanent(
            "connecting: SQLSTATE 28P01 (password authentication failed: check `password_file`)"
                .into()
        )
    );
}

#[test]
fn text_parameters_never_print() {
    let secret = Text(Some("alice@example.com"));
    assert_eq!(format!("{secret:?}"), "**REDACTED**");
    assert!(<Text<'_> as ToSql>::accepts(&Type::INT8));
    assert!(matches!(secret.encode_format(&Type::TID), Format::Text));
}
