//! The configuration file of `erasure serve` as it is parsed and checked.
#![no_main]

use erasure_runtime::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Config::parse(text, "fuzz.toml");
    }
});
