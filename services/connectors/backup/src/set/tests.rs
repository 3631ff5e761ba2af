use super::*;

fn entry(id: &str, taken_at: &str, expires: Option<&str>, systems: &[&str]) -> Entry {
    Entry {
        id: Some(id.to_owned()),
        taken_at: Some(taken_at.to_owned()),
        expires: expires.map(str::to_owned),
        systems: systems.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn good() -> Entry {
    entry(
        "crm-full",
        "2026-11-30T02:00:00Z",
        Some("2027-02-28"),
        &["crm"],
    )
}

fn columns() -> Fields {
    Fields::columns(&Columns {
        expires: "delete after".into(),
        ..Columns::default()
    })
}

fn problem(entry: Entry) -> String {
    check(entry, &columns(), "a catalog row").expect_err("refused")
}

#[test]
fn a_good_entry_is_a_set() {
    let set = check(good(), &Fields::settings(), "sets[0]").expect("valid");
    assert_eq!(set.set_id, "crm-full");
    assert_eq!(set.expires_on.to_string(), "2027-02-28");
    assert_eq!(set.systems, ["crm"]);
}

#[test]
fn a_set_kept_forever_is_refused_naming_the_set_and_column() {
    for expires in [None, Some("infinity")] {
        let why = problem(Entry {
            expires: expires.map(str::to_owned),
            ..good()
        });
        assert!(
            why.starts_with("set crm-full: no expiry (column \"delete after\""),
            "{why}"
        );
        assert!(why.contains("forever"), "{why}");
    }
}

#[test]
fn unreadable_times_name_the_set_and_column_not_the_value() {
    let why = problem(Entry {
        taken_at: Some("30.11.2026 kello 2".into()),
        ..good()
    });
    assert!(
        why.starts_with("set crm-full: column \"taken_at\" is not a timestamp"),
        "{why}"
    );
    assert!(!why.contains("kello"), "{why}");
    let why = problem(Entry {
        expires: Some("ensi vuonna".into()),
        ..good()
    });
    assert!(
        why.starts_with("set crm-full: column \"delete after\" is not a date"),
        "{why}"
    );
    assert!(!why.contains("vuonna"), "{why}");
    let why = problem(Entry {
        taken_at: None,
        ..good()
    });
    assert!(why.contains("column \"taken_at\" is empty"), "{why}");
}

#[test]
fn an_entry_must_have_an_id_and_systems() {
    let why = problem(Entry { id: None, ..good() });
    assert_eq!(why, "a catalog row: column \"set_id\" is empty");
    let why = problem(Entry {
        id: Some("a\nb".into()),
        ..good()
    });
    assert!(
        why.starts_with("a catalog row: column \"set_id\" must be"),
        "{why}"
    );
    let why = problem(Entry {
        systems: Vec::new(),
        ..good()
    });
    assert!(why.ends_with("column \"systems\" names no system"), "{why}");
    let why = problem(Entry {
        systems: vec!["CRM".into()],
        ..good()
    });
    assert!(why.contains("not lower-case letters"), "{why}");
}

#[test]
fn every_problem_is_named_and_an_id_twice_is_one() {
    let entries = vec![
        good(),
        Entry {
            expires: None,
            ..good()
        },
        good(),
    ];
    let problems =
        check_all(entries, &Fields::settings(), |i| format!("sets[{i}]")).expect_err("refused");
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("`expires` is missing"), "{problems:?}");
    assert_eq!(problems[1], "set crm-full: listed twice");
}

#[test]
fn systems_are_read_from_commas_and_postgres_arrays() {
    assert_eq!(split_systems("crm, support"), ["crm", "support"]);
    assert_eq!(split_systems("{crm,\"support\"}"), ["crm", "support"]);
    assert_eq!(split_systems("crm"), ["crm"]);
    assert!(split_systems(" {} ").is_empty());
    assert!(split_systems("").is_empty());
}
