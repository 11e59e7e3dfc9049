//! See kaohe_formats::fuzzing::annex: any bytes, never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kaohe_formats::fuzzing::annex(data);
});
