//! See kaohe_formats::fuzzing::rubric_toml: any bytes, never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kaohe_formats::fuzzing::rubric_toml(data);
});
