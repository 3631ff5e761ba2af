//! Certificate and supplement files as `erasure verify` reads them: the input is the file
//! (and, after a NUL byte, the certificate file a supplement names, `--certificate`),
//! verified with the test trust (`--trust`) and with the keys the file declares.
#![no_main]

use erasure_fuzz::{parts, trust};
use erasure_proof::verify_any;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static TRUST: LazyLock<erasure_proof::TrustStore> = LazyLock::new(trust);

fuzz_target!(|data: &[u8]| {
    let parts = parts(data, 2);
    let file = parts[0].as_str();
    let certificate = parts.get(1).map(String::as_str);
    let _ = verify_any(file, Some(&TRUST), certificate);
    let _ = verify_any(file, None, None);
});
