//! The retention rules file (deploy/rules/retention.toml's format) as the core parses it.
#![no_main]

use erasure_core::retention::RuleBook;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = RuleBook::from_toml(text);
    }
});
