//! The bodies of the fuzz targets (`fuzz/`, cargo-fuzz): what reads a person's files,
//! given any bytes. Each returns normally whatever the input — refused with a message or
//! read — and whatever it reads is used the way kaohe uses it (scored, explained,
//! drafted and loaded again). Here, not in `fuzz/`, so that the ordinary tests replay
//! the committed corpora through the same code on stable.

use std::sync::OnceLock;

use kaohe_core::{Facts, Rubric};

use crate::{annex, facts_file, fill_in, import, sheet};

const BEILUN: &str = include_str!("../../../rubrics/beilun-2026.toml");

fn beilun() -> &'static Rubric {
    static R: OnceLock<Rubric> = OnceLock::new();
    R.get_or_init(|| {
        Rubric::from_toml(BEILUN, "beilun-2026.toml").expect("the shipped rubric loads")
    })
}

/// Scores and explains a unit's facts under a rubric, and asks the gap advisor: what a
/// page does with facts once they are read.
fn use_facts(rubric: &Rubric, facts: &Facts) {
    let score = kaohe_core::score(rubric, facts);
    for item in 0..rubric.items().len() {
        let _ = kaohe_core::explain::explain_item(rubric, facts, &score, item);
    }
    let _ = kaohe_core::gaps::gaps(rubric, facts, &score);
}

/// Any bytes as a rubric file.
pub fn rubric_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(rubric) = Rubric::from_toml(text, "fuzz.toml") {
        use_facts(&rubric, &Facts::new(&rubric));
    }
}

/// Any bytes as a file of facts for the Beilun rubric, the first byte choosing how it is
/// named (CSV, TOML, JSON), and as a spreadsheet a department or a unit imports.
pub fn facts_file(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let rubric = beilun();
    let name = ["units.csv", "units.toml", "units.json"][pick as usize % 3];
    if let Ok(units) = facts_file::read_facts(rubric, name, bytes) {
        for u in units.iter().take(20) {
            use_facts(rubric, &u.facts);
        }
    }
    if let Ok(cells) = sheet::read(bytes) {
        let any = |_| Ok(());
        let _ = import::unit_rows(rubric, &cells, &any);
        let _ = fill_in::read_fill_in(rubric, &cells, &any);
        for kind in rubric.record_kinds() {
            let _ = import::record_rows(kind, &cells);
        }
    }
}

/// Any bytes as an annex to import, the first byte choosing its name (text, Word,
/// Excel). Old binary formats and RTF, which go to LibreOffice, are left out: they are
/// LibreOffice's to read.
pub fn annex(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) || bytes.starts_with(b"{\\rtf") {
        return;
    }
    let name = ["附件.txt", "附件.docx", "附件.xlsx"][pick as usize % 3];
    if let Ok(draft) = annex::import_annex(name, bytes) {
        let text = draft.to_toml();
        if let Ok(rubric) = Rubric::from_toml(&text, "draft.toml") {
            use_facts(&rubric, &Facts::new(&rubric));
        }
    }
}
