use super::*;

fn first(ids: &Identifiers, kind: IdentifierKind) -> Option<&str> {
    ids.values(kind).next()
}

#[test]
fn normalises_email_and_phone() {
    let ids = Identifiers::parse(Some(" Alice@Example.COM "), Some("+358 40-123 4567"), None)
        .expect("valid");
    assert_eq!(
        first(&ids, IdentifierKind::Email),
        Some("alice@example.com")
    );
    assert_eq!(first(&ids, IdentifierKind::Phone), Some("+358401234567"));
    assert_eq!(first(&ids, IdentifierKind::CustomerId), None);
}

#[test]
fn refuses_bad_input_without_echoing_it() {
    for (email, phone, cid, want) in [
        (None, None, None, IdentifierError::Missing),
        (Some(""), Some("  "), None, IdentifierError::Missing),
        (
            Some("not-an-email"),
            None,
            None,
            IdentifierError::InvalidEmail,
        ),
        (
            Some("a@localhost"),
            None,
            None,
            IdentifierError::InvalidEmail,
        ),
        (
            None,
            Some("0401234567"),
            None,
            IdentifierError::InvalidPhone,
        ),
        (None, Some("+12"), None, IdentifierError::InvalidPhone),
        (None, Some("+35840abc"), None, IdentifierError::InvalidPhone),
        (
            None,
            None,
            Some("C 1001; drop"),
            IdentifierError::InvalidCustomerId,
        ),
    ] {
        let err = Identifiers::parse(email, phone, cid).expect_err("must be refused");
        assert_eq!(err, want);
        let msg = err.to_string();
        for raw in [email, phone, cid]
            .into_iter()
            .flatten()
            .filter(|r| r.len() > 2)
        {
            assert!(!msg.contains(raw.trim()), "message {msg:?} echoes input");
        }
    }
}

#[test]
fn canonical_bytes_are_ordered_and_complete() {
    let ids = Identifiers::parse(Some("a@b.fi"), None, Some("C-1")).expect("valid");
    assert_eq!(ids.canonical_bytes(), b"email=a@b.fi\ncustomer_id=C-1\n");
}

#[test]
fn several_values_of_a_kind_each_once_in_canonical_order() {
    use IdentifierKind::*;
    let ids = Identifiers::from_raw(
        [
            (CustomerId, "C-2"),
            (Email, "b@example.com"),
            (CustomerId, "C-1"),
            (Email, "B@Example.com "),
            (Email, "a@example.com"),
            (IpAddress, "2001:DB8:0:0:0:0:0:1"),
            (DeviceId, "SN-00001"),
            (NationalId, "131052-308t"),
            (AccountId, "aino.v@app"),
        ],
        None,
    )
    .expect("valid");
    assert_eq!(ids.count(Email), 2);
    assert_eq!(
        String::from_utf8(ids.canonical_bytes()).expect("text"),
        "email=a@example.com\nemail=b@example.com\ncustomer_id=C-1\ncustomer_id=C-2\n\
         national_id=131052-308T\ndevice_id=SN-00001\naccount_id=aino.v@app\n\
         ip_address=2001:db8::1\n"
    );
}

#[test]
fn a_national_phone_number_is_read_in_the_jurisdiction() {
    let phone = |raw, region| {
        Identifiers::from_raw([(IdentifierKind::Phone, raw)], region)
            .map(|ids| first(&ids, IdentifierKind::Phone).map(str::to_owned))
    };
    assert_eq!(
        phone("040 123 4567", Some("FI")),
        Ok(Some("+358401234567".into()))
    );
    assert_eq!(
        phone("0151 12345678", Some("DE")),
        Ok(Some("+4915112345678".into()))
    );
    assert_eq!(
        phone("+358 40 123 4567", Some("DE")),
        Ok(Some("+358401234567".into()))
    );
    for (raw, region) in [
        ("040 123 4567", None),
        ("040 123", Some("FI")),
        ("+358 12", Some("FI")),
        ("040 123 4567", Some("XX")),
    ] {
        assert_eq!(
            phone(raw, region),
            Err(IdentifierError::InvalidPhone),
            "{raw}"
        );
    }
}

#[test]
fn new_kinds_refuse_what_is_not_theirs() {
    use IdentifierKind::*;
    for (kind, raw, want) in [
        (
            NationalId,
            "131052-308U",
            IdentifierError::InvalidNationalId,
        ),
        (DeviceId, "SN 0001", IdentifierError::InvalidDeviceId),
        (AccountId, "a/b", IdentifierError::InvalidAccountId),
        (IpAddress, "10.0.0.256", IdentifierError::InvalidIpAddress),
    ] {
        let err = Identifiers::from_raw([(kind, raw)], None).expect_err(raw);
        assert_eq!(err, want);
        assert!(!err.to_string().contains(raw), "{err} echoes the value");
    }
    let many: Vec<String> = (0..=MAX_VALUES_PER_KIND)
        .map(|i| format!("C-{i}"))
        .collect();
    let err = Identifiers::from_raw(many.iter().map(|c| (CustomerId, c.as_str())), None)
        .expect_err("too many");
    assert_eq!(err, IdentifierError::TooMany(CustomerId));
}
