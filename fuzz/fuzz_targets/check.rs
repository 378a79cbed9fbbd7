//! Arbitrary bytes through parse → check → render → fmt: nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let report = regime::compile::check_source("fuzz.reg", &text, None);
    let _ = report.render(false, 80);
    let _ = report.to_json();
    if let Ok(once) = regime::fmt::format_source("fuzz.reg", &text) {
        let twice = regime::fmt::format_source("fuzz.reg", &once).expect("fmt output parses");
        assert_eq!(once, twice, "fmt is not idempotent");
    }
});
