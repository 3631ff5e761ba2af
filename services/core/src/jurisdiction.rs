//! Jurisdictions: ISO 3166-1 alpha-2 country codes.
//!
//! The list is the 249 officially assigned codes of ISO 3166-1 (as of 2024). It changes a
//! few times a decade; a table this small is easier to audit than a dependency. Reserved
//! and user-assigned codes (`EU`, `UK`, `XK`, `ZZ`...) are not jurisdictions here.

/// The officially assigned ISO 3166-1 alpha-2 codes, in alphabetical order.
const ALPHA2: &str = "\
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ \
EC EE EG EH ER ES ET \
FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY \
HK HM HN HR HT HU \
ID IE IL IM IN IO IQ IR IS IT \
JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ \
LA LB LC LI LK LR LS LT LU LV LY \
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
NA NC NE NF NG NI NL NO NP NR NU NZ \
OM \
PA PE PF PG PH PK PL PM PN PR PS PT PW PY \
QA \
RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ \
UA UG UM US UY UZ \
VA VC VE VG VI VN VU \
WF WS \
YE YT \
ZA ZM ZW";

/// Whether `code` is an officially assigned ISO 3166-1 alpha-2 code (upper case).
pub fn is_alpha2(code: &str) -> bool {
    code.len() == 2
        && code.bytes().all(|b| b.is_ascii_uppercase())
        && ALPHA2.split(' ').any(|c| c == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_the_249_codes_once_each_in_order() {
        let codes: Vec<&str> = ALPHA2.split(' ').collect();
        assert_eq!(codes.len(), 249);
        assert!(codes.windows(2).all(|w| w[0] < w[1]), "sorted, no repeat");
        assert!(codes.iter().all(|c| c.len() == 2));
    }

    #[test]
    fn real_codes_pass_and_others_do_not() {
        for code in ["FI", "DE", "SE", "US", "AX", "GB"] {
            assert!(is_alpha2(code), "{code}");
        }
        for code in ["XX", "EU", "UK", "ZZ", "fi", "FIN", "", "F"] {
            assert!(!is_alpha2(code), "{code}");
        }
    }

    /// A cross-check with an independent list: the phone number metadata knows nearly
    /// every code here as a region, and the three regions it has that ISO 3166-1 does not
    /// assign (Ascension, Tristan da Cunha, Kosovo) are refused.
    #[test]
    fn the_phone_regions_agree_with_the_table() {
        use std::str::FromStr;
        let mut known = 0;
        for code in ALPHA2.split(' ') {
            if phonenumber::country::Id::from_str(code).is_ok() {
                known += 1;
            }
        }
        assert!(known > 230, "{known}");
        for code in ["AC", "TA", "XK"] {
            assert!(phonenumber::country::Id::from_str(code).is_ok());
            assert!(!is_alpha2(code));
        }
    }
}
