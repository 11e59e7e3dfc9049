//! The fuzz targets' corpora (`fuzz/corpus/`: the seeds, and every input a fuzzing run
//! found that once made a reader panic) replayed through the same code on stable, so a
//! panic fixed stays fixed without nightly.

use std::path::PathBuf;

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} has seeds", dir.display());
    files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

fn replay(target: &str, body: fn(&[u8])) {
    for (name, bytes) in corpus(target) {
        let caught = std::panic::catch_unwind(|| body(&bytes));
        assert!(caught.is_ok(), "{name} panics in {target}");
    }
}

#[test]
fn the_rubric_corpus_loads_or_is_refused() {
    replay("rubric_toml", kaohe_formats::fuzzing::rubric_toml);
}

#[test]
fn the_facts_corpus_is_read_or_refused() {
    replay("facts_file", kaohe_formats::fuzzing::facts_file);
}

#[test]
fn the_annex_corpus_is_drafted_or_refused() {
    replay("annex", kaohe_formats::fuzzing::annex);
}
