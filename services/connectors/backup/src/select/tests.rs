use super::*;

fn set(id: &str, taken_at: &str, expires_on: &str, systems: &[&str]) -> BackupCopy {
    BackupCopy {
        set_id: id.to_owned(),
        taken_at: time(taken_at),
        expires_on: day(expires_on),
        systems: systems.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("time").to_utc()
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn catalog() -> Vec<BackupCopy> {
    vec![
        set("later", "2026-11-20T12:00:00.001Z", "2027-02-20", &["crm"]),
        set(
            "weekly",
            "2026-11-15T02:00:00Z",
            "2027-02-15",
            &["crm", "support"],
        ),
        set("gone", "2026-08-01T02:00:00Z", "2026-11-19", &["crm"]),
        set("last-day", "2026-08-20T02:00:00Z", "2026-11-20", &["crm"]),
        set(
            "cameras",
            "2026-11-10T02:00:00Z",
            "2026-12-10",
            &["cameras"],
        ),
        set(
            "monthly",
            "2026-11-01T02:00:00Z",
            "2027-11-01",
            &["support"],
        ),
    ]
}

fn ids(choice: &Choice) -> Vec<&str> {
    choice.copies.iter().map(|c| c.set_id.as_str()).collect()
}

const MOMENT: &str = "2026-11-20T12:00:00Z";

#[test]
fn taken_by_the_moment_and_kept_on_as_of() {
    let choice = choose(&catalog(), &[], time(MOMENT), day("2026-11-20"));
    assert_eq!(ids(&choice), ["last-day", "monthly", "cameras", "weekly"]);
    assert_eq!(
        (choice.in_catalog, choice.taken_later, choice.expired),
        (6, 1, 1)
    );
    assert_eq!(choice.other_systems, 0);
    assert_eq!(choice.until(), Some(day("2027-11-01")));
}

#[test]
fn a_set_taken_at_the_moment_counts() {
    let choice = choose(
        &catalog(),
        &[],
        time("2026-11-20T12:00:00.001Z"),
        day("2026-11-20"),
    );
    assert!(ids(&choice).contains(&"later"), "{:?}", ids(&choice));
}

#[test]
fn covers_keeps_sets_holding_one_of_the_systems() {
    let covers = ["crm".to_owned()];
    let choice = choose(&catalog(), &covers, time(MOMENT), day("2026-11-20"));
    assert_eq!(ids(&choice), ["last-day", "weekly"]);
    assert_eq!(choice.other_systems, 2);
    assert_eq!(choice.until(), Some(day("2027-02-15")));
}

#[test]
fn nothing_left_is_an_empty_choice() {
    let choice = choose(&catalog(), &[], time(MOMENT), day("2028-01-01"));
    assert!(choice.copies.is_empty());
    assert_eq!(choice.until(), None);
    assert_eq!(choice.expired, 5);
}
