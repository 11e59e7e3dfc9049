//! A department's spreadsheet of facts for many units: read as people typed it (a cell
//! formatted as a percentage, GBK CSV, headers by key or by the template's titles), all
//! or nothing, every refused cell named as Excel names it.

use kaohe_core::{Rubric, Value};
use kaohe_formats::import::{column_title, unit_rows};
use kaohe_formats::sheet;

const RUBRIC: &str = include_str!("../../../../rubrics/beilun-2026.toml");

fn rubric() -> Rubric {
    Rubric::from_toml(RUBRIC, "beilun-2026.toml").unwrap()
}

fn any(_: usize) -> Result<(), String> {
    Ok(())
}

#[test]
fn a_percentage_cell_reads_as_the_percentage_it_shows() {
    let r = rubric();
    let slot = r.slot("management.5.registration_rate").unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    let pct = rust_xlsxwriter::Format::new().set_num_format("0.0%");
    ws.write(0, 0, "公安分局 2026 年流动人口登记数据").unwrap();
    ws.write(2, 0, "单位").unwrap();
    ws.write(2, 1, column_title(&r, slot)).unwrap();
    ws.write(3, 0, "新碶街道").unwrap();
    ws.write_with_format(3, 1, 0.932, &pct).unwrap();
    ws.write(4, 0, "大碶街道").unwrap();
    // Typed as text by someone who wrote the sign.
    ws.write(4, 1, "96%").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let cells = sheet::read(&bytes).unwrap();
    let rows = unit_rows(&r, &cells, &any).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].unit, "新碶街道");
    assert_eq!(rows[0].line, 4);
    assert_eq!(rows[0].values[0].typed, "93.2%");
    assert_eq!(rows[0].values[0].cell, "B4");
    assert_eq!(
        rows[0].values[0].value,
        Value::Number("93.2".parse().unwrap())
    );
    assert_eq!(rows[1].values[0].value, Value::Number(96.into()));
}

#[test]
fn a_gbk_csv_with_one_bad_cell_gives_nothing_and_names_the_cell() {
    let r = rubric();
    let text = "单位,management.5.registration_rate,management.5.accuracy_rate,理由\n\
                新碶街道,96,92,\n\
                大碶街道,\"9,5\",91,按系统数据\n";
    let (gbk, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    let cells = sheet::read(&gbk).unwrap();
    let problems = unit_rows(&r, &cells, &any).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("B3 单元格（大碶街道，“信息登记率”）"),
        "{}",
        problems[0]
    );
    assert!(problems[0].contains("是否指 9.5"), "{}", problems[0]);
}

#[test]
fn headers_are_read_by_key_title_or_label_and_others_refused_with_why() {
    let r = rubric();
    let cells = sheet::text_cells(
        "序号,单位名称,信息准确率,基础工作第3项 录用信息（篇）,management.5.registration_rate,登记率\n\
         1,新碶街道,91,,95,\n",
    )
    .unwrap();
    let records = |slot: usize| match r.input(slot).from {
        Some(_) => Err("由台账记录计数，不能导入".to_string()),
        None => Ok(()),
    };
    let problems = unit_rows(&r, &cells, &records).unwrap_err();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].starts_with("表头 D1“基础工作第3项 录用信息（篇）”：由台账记录计数"),
        "{problems:?}"
    );
    assert!(
        problems[1].starts_with("表头 F1“登记率”：细则里没有这项数据"),
        "{problems:?}"
    );
    let cells = sheet::text_cells("单位名称,信息准确率,,理由\n新碶街道,91,,复核\n,,,\n").unwrap();
    let rows = unit_rows(&r, &cells, &records).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].reason.as_deref(), Some("复核"));
    assert_eq!(
        r.input(rows[0].values[0].slot).key,
        "management.5.accuracy_rate"
    );
}

#[test]
fn duplicate_units_and_cells_outside_the_header_are_refused() {
    let r = rubric();
    let cells = sheet::text_cells(
        "单位,management.5.registration_rate\n新碶街道,96\n新碶街道,97\n大碶街道,95,多出来的\n",
    )
    .unwrap();
    let problems = unit_rows(&r, &cells, &any).unwrap_err();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("第 3 行：单位“新碶街道”在第 2 行已有"));
    assert!(problems[1].starts_with("C4 单元格在表头之外"));
}

#[test]
fn the_template_reads_back_as_the_values_it_was_written_with() {
    let r = rubric();
    let slots: Vec<usize> = [
        "management.5.registration_rate",
        "management.4.law_enforcement",
    ]
    .iter()
    .map(|k| r.slot(k).unwrap())
    .collect();
    let rows = vec![(
        "新碶街道".to_string(),
        vec![
            Some(Value::Number("97.3".parse().unwrap())),
            Some(Value::Bool(true)),
        ],
    )];
    let bytes = kaohe_formats::import::template_xlsx("t", "n", &slots, &r, &rows).unwrap();
    let cells = sheet::read(&bytes).unwrap();
    let back = unit_rows(&r, &cells, &any).unwrap();
    assert_eq!(back[0].values.len(), 2, "{cells:?}");
    assert_eq!(back[0].values[0].typed, "97.3");
    assert_eq!(back[0].values[1].value, Value::Bool(true));
}
