//! The Finnish personal identity code (henkilötunnus, HETU): `DDMMYYCZZZQ`.
//!
//! `C` is the century sign: `+` for the 1800s; `-` and, since 1 January 2023, `Y`, `X`,
//! `W`, `V`, `U` for the 1900s; `A` and, since 2023, `B`, `C`, `D`, `E`, `F` for the 2000s
//! (Valtioneuvoston asetus väestötietojärjestelmästä 128/2010, as amended by 1080/2022).
//! `ZZZ` is the individual number, 002–899 (900–999 for temporary codes). `Q` is the check
//! character: the nine digits `DDMMYYZZZ` as a number, modulo 31, indexed into
//! `0123456789ABCDEFHJKLMNPRSTUVWXY`.

use chrono::NaiveDate;

const CHECK: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

/// The code in its one written form (upper case), if it is a valid henkilötunnus.
pub fn normalise(raw: &str) -> Option<String> {
    let code = raw.trim().to_ascii_uppercase();
    let b = code.as_bytes();
    if b.len() != 11 {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = code.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())
            .flatten()
    };
    let (day, month, yy) = (digits(0..2)?, digits(2..4)?, digits(4..6)?);
    let individual = digits(7..10)?;
    let century = match b[6] {
        b'+' => 1800,
        b'-' | b'Y' | b'X' | b'W' | b'V' | b'U' => 1900,
        b'A'..=b'F' => 2000,
        _ => return None,
    };
    NaiveDate::from_ymd_opt(century + yy as i32, month, day)?;
    if individual < 2 {
        return None;
    }
    let number = day * 10_000_000 + month * 100_000 + yy * 1000 + individual;
    (CHECK[(number % 31) as usize] == b[10]).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn valid_codes_of_every_century_sign() {
        // Examples of the Digital and Population Data Services Agency (DVV).
        for code in [
            "131052-308T",
            "010594Y9021",
            "020594X903P",
            "020594X902N",
            "030594W903B",
            "030694W9024",
            "040594V9030",
            "040594V902Y",
            "050594U903M",
            "050594U902L",
            "010516B903X",
            "010516B902W",
            "020516C903K",
            "020516C902J",
            "030516D9037",
            "030516D9026",
            "010501E9032",
            "020502E902X",
            "020503F9037",
            "020504A902E",
            "020504B904H",
            "010101+002S",
        ] {
            assert_eq!(normalise(code).as_deref(), Some(code), "{code}");
        }
        assert_eq!(normalise(" 131052-308t ").as_deref(), Some("131052-308T"));
    }

    #[test]
    fn bad_codes_are_refused() {
        for code in [
            "131052-308U", // check character
            "131052308T",  // too short
            "131052Z308T", // no such century sign
            "310252-308T", // 31 February
            "131052-001W", // individual number below 002 (check character right)
            "13105A-308T", // a letter in the date
            "",
        ] {
            assert_eq!(normalise(code), None, "{code}");
        }
    }
}
