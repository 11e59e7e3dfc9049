//! Facts files: one unit per row (CSV) or per table (TOML, JSON), one fact per column
//! or key. Every value is checked against the rubric; every problem is reported with
//! where it is (row and column, or unit and key), and a file with any problem gives
//! no facts at all, so nothing is scored on half a file.

use std::collections::HashMap;
use std::fmt;

use kaohe_core::rubric::Slot;
use kaohe_core::{Facts, Rubric};

/// The facts of one unit, named as in the file.
#[derive(Debug, Clone)]
pub struct UnitFacts {
    pub unit: String,
    pub facts: Facts,
}

/// Everything wrong with a facts file, one problem a line.
#[derive(Debug, Clone, thiserror::Error)]
pub struct FactsFileError {
    pub file: String,
    pub problems: Vec<String>,
}

impl fmt::Display for FactsFileError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            write!(out, "{}: {p}", self.file)?;
        }
        if self.problems.len() >= MAX_PROBLEMS {
            write!(out, "\n{}: ……（只列出前 {MAX_PROBLEMS} 个问题）", self.file)?;
        }
        Ok(())
    }
}

const MAX_PROBLEMS: usize = 50;

/// Reads a facts file. The format follows the file name's extension (`.csv`, `.toml`,
/// `.json`); without one, the content decides.
pub fn read_facts(
    rubric: &Rubric,
    name: &str,
    bytes: &[u8],
) -> Result<Vec<UnitFacts>, FactsFileError> {
    let text = decode(bytes).map_err(|p| FactsFileError {
        file: name.to_string(),
        problems: vec![p],
    })?;
    let mut units = Vec::new();
    parse(rubric, name, &text, &mut |u| units.push(u))?;
    Ok(units)
}

/// A facts file checked whole, then read again one unit at a time: what a batch of
/// hundreds of thousands of units needs, since it holds the file's text and where each
/// unit is, not every unit's facts. A CSV is re-read from the row's place; TOML and JSON
/// (which nobody writes by the hundred thousand) keep their units as read.
pub struct FactsTable<'r> {
    rubric: &'r Rubric,
    file: String,
    source: Source,
}

enum Source {
    Csv {
        text: String,
        delimiter: u8,
        columns: Vec<Option<Slot>>,
        /// Where each unit's row starts in `text`.
        rows: Vec<csv::Position>,
    },
    Read(Vec<UnitFacts>),
}

impl<'r> FactsTable<'r> {
    /// Reads and checks the whole file; `each` sees every unit in file order as it is
    /// read (to score it on the way: the file is read once before anything is written).
    /// A file with any problem gives none of its units, as [`read_facts`].
    pub fn open(
        rubric: &'r Rubric,
        name: &str,
        bytes: Vec<u8>,
        mut each: impl FnMut(&UnitFacts),
    ) -> Result<Self, FactsFileError> {
        let text = decode_owned(bytes).map_err(|p| FactsFileError {
            file: name.to_string(),
            problems: vec![p],
        })?;
        let file = name.to_string();
        if text.trim().is_empty() || Format::of(name, &text) != Format::Csv {
            let mut units = Vec::new();
            parse(rubric, name, &text, &mut |u| {
                each(&u);
                units.push(u)
            })?;
            return Ok(Self {
                rubric,
                file,
                source: Source::Read(units),
            });
        }
        let mut sink = |u: UnitFacts| each(&u);
        let mut reader = Reader::new(rubric, &mut sink);
        let read = reader.csv(&text);
        let problems = reader.finish();
        let Some((delimiter, columns, rows)) = read.filter(|_| problems.is_empty()) else {
            return Err(FactsFileError { file, problems });
        };
        Ok(Self {
            rubric,
            file,
            source: Source::Csv {
                text,
                delimiter,
                columns,
                rows,
            },
        })
    }

    /// How many units the file has.
    pub fn len(&self) -> usize {
        match &self.source {
            Source::Csv { rows, .. } => rows.len(),
            Source::Read(units) => units.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `index`th unit of the file (file order, from 0), read again. For many units,
    /// [`FactsTable::rows`] reads them with one reader.
    pub fn unit(&self, index: usize) -> Result<UnitFacts, FactsFileError> {
        self.rows().unit(index)
    }

    /// A reader of the file's units in any order, each read again from its row.
    pub fn rows(&self) -> Rows<'_> {
        let csv = match &self.source {
            Source::Csv {
                text, delimiter, ..
            } => Some(
                csv::ReaderBuilder::new()
                    .delimiter(*delimiter)
                    .has_headers(false)
                    .flexible(false)
                    // A comment line before a row is where the row's place starts.
                    .comment(Some(b'#'))
                    .from_reader(std::io::Cursor::new(text.as_bytes())),
            ),
            Source::Read(_) => None,
        };
        Rows {
            table: self,
            csv,
            record: csv::StringRecord::new(),
        }
    }
}

/// Reads a [`FactsTable`]'s units again, one CSV reader for all (a reader is built once:
/// building one per unit costs more than reading the row).
pub struct Rows<'t> {
    table: &'t FactsTable<'t>,
    csv: Option<csv::Reader<std::io::Cursor<&'t [u8]>>>,
    record: csv::StringRecord,
}

impl Rows<'_> {
    /// The `index`th unit of the file (file order, from 0).
    pub fn unit(&mut self, index: usize) -> Result<UnitFacts, FactsFileError> {
        let t = self.table;
        let fail = |p: String| FactsFileError {
            file: t.file.clone(),
            problems: vec![p],
        };
        let missing = || fail(format!("文件里没有第 {} 个单位", index + 1));
        let (columns, rows) = match &t.source {
            Source::Read(units) => return units.get(index).cloned().ok_or_else(missing),
            Source::Csv { columns, rows, .. } => (columns, rows),
        };
        let (Some(at), Some(rdr)) = (rows.get(index), self.csv.as_mut()) else {
            return Err(missing());
        };
        rdr.seek(at.clone()).map_err(|e| fail(csv_error(&e)))?;
        match rdr.read_record(&mut self.record) {
            Ok(true) => {}
            Ok(false) => return Err(fail(format!("第 {} 行读不到了", at.line()))),
            Err(e) => return Err(fail(csv_error(&e))),
        }
        let mut facts = Facts::new(t.rubric);
        for (i, cell) in self.record.iter().enumerate().skip(1) {
            let Some(slot) = columns.get(i).copied().flatten() else {
                continue;
            };
            let value = t
                .rubric
                .parse_value(slot, cell)
                .map_err(|e| fail(format!("第 {} 行：{e}", at.line())))?;
            facts.set(slot, value);
        }
        Ok(UnitFacts {
            unit: self.record.get(0).unwrap_or("").trim().to_string(),
            facts,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Toml,
    Json,
}

impl Format {
    fn of(name: &str, text: &str) -> Format {
        let lower = name.to_lowercase();
        if lower.ends_with(".toml") {
            Format::Toml
        } else if lower.ends_with(".json") {
            Format::Json
        } else if lower.ends_with(".csv") || lower.ends_with(".txt") || lower.ends_with(".tsv") {
            Format::Csv
        } else {
            let start = text.trim_start();
            if start.starts_with('{')
                || start.starts_with('[') && start.contains('"') && start.contains(':')
            {
                Format::Json
            } else if text.contains("[units") {
                Format::Toml
            } else {
                Format::Csv
            }
        }
    }
}

/// Reads a facts file's text, giving each unit to `each`; all or nothing: the error
/// lists every problem (up to [`MAX_PROBLEMS`]).
fn parse(
    rubric: &Rubric,
    name: &str,
    text: &str,
    each: &mut dyn FnMut(UnitFacts),
) -> Result<(), FactsFileError> {
    let fail = |problems: Vec<String>| FactsFileError {
        file: name.to_string(),
        problems,
    };
    if text.trim().is_empty() {
        return Err(fail(vec![
            "文件是空的；请放入表头（unit, 各输入的 key）和每个单位一行的数据".to_string(),
        ]));
    }
    let mut reader = Reader::new(rubric, each);
    match Format::of(name, text) {
        Format::Toml => reader.toml(text),
        Format::Json => reader.json(text),
        Format::Csv => {
            reader.csv(text);
        }
    }
    let problems = reader.finish();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(fail(problems))
    }
}

/// A table file as text, one line per row, cells separated by tabs (what Excel's copy
/// gives): an Excel or WPS workbook read as [`crate::sheet::read`] reads it (number
/// formats included), or a CSV or text file in any encoding [`decode`] reads.
pub fn table_text(bytes: &[u8]) -> Result<String, String> {
    if !crate::sheet::is_workbook(bytes) {
        return decode(bytes);
    }
    let quote = |text: &String| {
        if text.contains(['\t', '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.clone()
        }
    };
    let lines: Vec<String> = crate::sheet::read(bytes)?
        .iter()
        .map(|row| row.iter().map(quote).collect::<Vec<_>>().join("\t"))
        .collect();
    Ok(lines.join("\n"))
}

/// [`decode`] of bytes the caller gives up: UTF-8 (the common case) becomes the text
/// without a copy, which matters for a file of a few hundred megabytes.
pub fn decode_owned(mut bytes: Vec<u8>) -> Result<String, String> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => decode(e.as_bytes()),
    }
}

/// UTF-8 (with or without BOM), UTF-16 with BOM (Excel's “Unicode text”), or GBK
/// (what Chinese Excel writes as CSV), read as GB18030, its superset.
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            return Err(format!(
                "文件以 {} 标记开头，但内容有无法解码的字节；请重新另存为 UTF-8 的 CSV",
                enc.name()
            ));
        }
        return Ok(text.into_owned());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(
            "文件既不是 UTF-8 也不是 GBK 编码；请在 Excel 中另存为“CSV UTF-8（逗号分隔）”"
                .to_string(),
        );
    }
    Ok(text.into_owned())
}

struct Reader<'r, 's> {
    rubric: &'r Rubric,
    problems: Vec<String>,
    /// Where each unit read goes (when the file turns out to have problems, the caller
    /// drops what it was given).
    each: &'s mut dyn FnMut(UnitFacts),
    units: usize,
    /// Each unit's name and where it was first seen.
    seen: HashMap<Box<str>, Box<str>>,
}

impl<'r, 's> Reader<'r, 's> {
    fn new(rubric: &'r Rubric, each: &'s mut dyn FnMut(UnitFacts)) -> Self {
        Reader {
            rubric,
            problems: Vec::new(),
            each,
            units: 0,
            seen: HashMap::new(),
        }
    }

    /// The problems found, with “no units” when there were none at all.
    fn finish(mut self) -> Vec<String> {
        if self.units == 0 && self.problems.is_empty() {
            self.problems.push("文件里没有任何单位的数据".to_string());
        }
        self.problems
    }

    fn problem(&mut self, p: String) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        }
    }

    fn unknown_key(&self, key: &str) -> String {
        match self.rubric.closest_key(key) {
            Some(c) => format!("细则里没有 “{key}”；是否指 “{c}”？"),
            None => format!("细则里没有 “{key}”；可用 kaohe rubric show 查看所有输入的 key"),
        }
    }

    /// Starts a unit; refuses a name seen before (`at` says where it was).
    fn begin_unit(&mut self, name: &str, at: String) -> bool {
        let name = name.trim();
        if name.is_empty() {
            self.problem(format!("{at}：单位名称为空；请在第一列填写单位名称"));
            return false;
        }
        if let Some(first) = self.seen.get(name) {
            let msg = format!("{at}：单位 “{name}” 重复（{first}已有）；每个单位只能有一行");
            self.problem(msg);
            return false;
        }
        self.seen.insert(name.into(), at.into());
        true
    }

    /// Checks cross-fact problems and keeps the unit. `refused` are the slots whose
    /// values were already reported as wrong, which need no second message.
    fn finish_unit(&mut self, unit: String, facts: Facts, at: &str, refused: &[Slot]) {
        for (slot, message) in facts.problems(self.rubric) {
            if refused.contains(&slot) {
                continue;
            }
            // The file's own words: the column the problem is in.
            let key = &self.rubric.input(slot).key;
            self.problem(format!("{at}（{unit}）：{message}（列 {key}）"));
        }
        self.units += 1;
        (self.each)(UnitFacts { unit, facts });
    }

    /// Reads a CSV; gives back its delimiter, each column's slot and where each unit's
    /// row starts, for [`FactsTable`] to read a row again.
    #[allow(clippy::type_complexity)]
    fn csv(&mut self, text: &str) -> Option<(u8, Vec<Option<Slot>>, Vec<csv::Position>)> {
        let (mut rdr, delimiter) = csv_reader(text);
        let columns = self.csv_columns(&mut rdr)?;
        let mut rows = Vec::new();
        let mut record = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let before = self.units;
                    self.csv_row(&record, &columns);
                    if self.units > before
                        && let Some(at) = record.position()
                    {
                        rows.push(at.clone());
                    }
                }
                Err(e) => self.problem(csv_error(&e)),
            }
            if self.problems.len() >= MAX_PROBLEMS {
                return None;
            }
        }
        Some((delimiter, columns, rows))
    }

    /// The slot of each column, from the header row; None when the header has a problem,
    /// since a misspelt column must never read as a missing fact.
    fn csv_columns(&mut self, rdr: &mut csv::Reader<&[u8]>) -> Option<Vec<Option<Slot>>> {
        let headers = match rdr.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.problem(format!("无法读取表头：{e}"));
                return None;
            }
        };
        let first = headers.get(0).unwrap_or("").trim();
        if first != "unit" && first != "单位" {
            self.problem(format!(
                "第 1 行第 1 列应为 “unit” 或 “单位”（单位名称列），而不是 “{first}”"
            ));
            return None;
        }
        let mut columns: Vec<Option<Slot>> = vec![None];
        let mut header_ok = true;
        let mut seen_cols: HashMap<&str, usize> = HashMap::new();
        for (i, h) in headers.iter().enumerate().skip(1) {
            let h = h.trim();
            let col = i + 1;
            if h.is_empty() {
                self.problem(format!(
                    "第 1 行第 {col} 列的表头为空；请填写输入的 key 或删除这一列"
                ));
                header_ok = false;
                columns.push(None);
                continue;
            }
            if let Some(prev) = seen_cols.insert(h, col) {
                self.problem(format!(
                    "第 1 行：列 “{h}” 出现了两次（第 {prev} 列和第 {col} 列）"
                ));
                header_ok = false;
            }
            match self.rubric.slot(h) {
                Some(slot) => columns.push(Some(slot)),
                None => {
                    let msg = format!("第 1 行第 {col} 列：{}", self.unknown_key(h));
                    self.problem(msg);
                    header_ok = false;
                    columns.push(None);
                }
            }
        }
        header_ok.then_some(columns)
    }

    /// One unit's row: its name in the first column, a fact in each column after it.
    fn csv_row(&mut self, record: &csv::StringRecord, columns: &[Option<Slot>]) {
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|c| c.trim().is_empty()) {
            return;
        }
        let unit = record.get(0).unwrap_or("").trim().to_string();
        let at = format!("第 {line} 行");
        if !self.begin_unit(&unit, at.clone()) {
            return;
        }
        let mut facts = Facts::new(self.rubric);
        let mut refused = Vec::new();
        for (i, cell) in record.iter().enumerate().skip(1) {
            let Some(slot) = columns[i] else { continue };
            match self.rubric.parse_value(slot, cell) {
                Ok(v) => facts.set(slot, v),
                Err(e) => {
                    refused.push(slot);
                    let key = &self.rubric.input(slot).key;
                    let msg = format!(
                        "第 {line} 行（{unit}）列 “{key}” 的值 “{}”：{e}",
                        cell.trim()
                    );
                    self.problem(msg);
                }
            }
        }
        self.finish_unit(unit, facts, &at, &refused);
    }

    fn toml(&mut self, text: &str) {
        let table: toml::Table = match toml::from_str(text) {
            Ok(t) => t,
            Err(e) => {
                let line = e
                    .span()
                    .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                    .unwrap_or(1);
                self.problem(format!(
                    "第 {line} 行：TOML 格式错误：{}",
                    e.message().trim()
                ));
                return;
            }
        };
        for key in table.keys() {
            if key != "units" {
                self.problem(format!(
                    "顶层只应有 [units.\"单位名称\"] 表，而不是 “{key}”"
                ));
            }
        }
        let Some(units) = table.get("units") else {
            self.problem("缺少 [units.\"单位名称\"] 表；例如：[units.\"新碶街道\"] 下写 \"basic.1.misses\" = 2".to_string());
            return;
        };
        let Some(units) = units.as_table() else {
            self.problem("units 应是表：[units.\"单位名称\"]".to_string());
            return;
        };
        for (unit, value) in units {
            let at = format!("单位 “{unit}”");
            if !self.begin_unit(unit, at.clone()) {
                continue;
            }
            let mut flat = Vec::new();
            match value.as_table() {
                Some(t) => flatten_toml("", t, &mut flat),
                None => {
                    self.problem(format!("{at} 应是一张表，而不是 {value}"));
                    continue;
                }
            }
            let cells = flat.into_iter().map(|(k, v)| (k, toml_cell(&v))).collect();
            self.unit_from_pairs(unit.trim().to_string(), cells, &at);
        }
    }

    fn json(&mut self, text: &str) {
        let value: serde_json::Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                self.problem(format!("第 {} 行：JSON 格式错误：{e}", e.line()));
                return;
            }
        };
        let units = match &value {
            serde_json::Value::Object(o) => o.get("units").cloned(),
            serde_json::Value::Array(_) => Some(value.clone()),
            _ => None,
        };
        match units {
            Some(serde_json::Value::Object(map)) => {
                for (unit, facts) in map {
                    let at = format!("单位 “{unit}”");
                    if !self.begin_unit(&unit, at.clone()) {
                        continue;
                    }
                    let Some(obj) = facts.as_object() else {
                        self.problem(format!("{at} 应是一个对象 {{\"key\": 值}}"));
                        continue;
                    };
                    let mut flat = Vec::new();
                    flatten_json("", obj, &mut flat);
                    self.unit_from_pairs(unit.trim().to_string(), flat, &at);
                }
            }
            Some(serde_json::Value::Array(list)) => {
                for (i, entry) in list.iter().enumerate() {
                    let Some(obj) = entry.as_object() else {
                        self.problem(format!("units 的第 {} 项应是对象", i + 1));
                        continue;
                    };
                    let name = obj
                        .get("unit")
                        .or_else(|| obj.get("单位"))
                        .and_then(|v| v.as_str())
                        .unwrap_or("")
                        .to_string();
                    let at = format!("units 的第 {} 项", i + 1);
                    if !self.begin_unit(&name, at.clone()) {
                        continue;
                    }
                    let mut rest = obj.clone();
                    rest.remove("unit");
                    rest.remove("单位");
                    let mut flat = Vec::new();
                    flatten_json("", &rest, &mut flat);
                    self.unit_from_pairs(name.trim().to_string(), flat, &at);
                }
            }
            _ => self.problem(
                "JSON 应为 {\"units\": {\"单位名称\": {\"basic.1.misses\": 2, …}}} 或 {\"units\": [{\"unit\": \"单位名称\", …}]}"
                    .to_string(),
            ),
        }
    }

    fn unit_from_pairs(
        &mut self,
        unit: String,
        pairs: Vec<(String, Result<String, String>)>,
        at: &str,
    ) {
        let mut facts = Facts::new(self.rubric);
        let before = self.problems.len();
        for (key, cell) in pairs {
            let Some(slot) = self.rubric.slot(&key) else {
                let msg = format!("{at} 的 {}", self.unknown_key(&key));
                self.problem(msg);
                continue;
            };
            let cell = match cell {
                Ok(c) => c,
                Err(what) => {
                    self.problem(format!(
                        "{at} 的 “{key}”：不能是 {what}；请写数字、是/否或文字"
                    ));
                    continue;
                }
            };
            match self.rubric.parse_value(slot, &cell) {
                Ok(v) => facts.set(slot, v),
                Err(e) => self.problem(format!("{at} 的 “{key}” 的值 “{cell}”：{e}")),
            }
        }
        if self.problems.len() == before {
            self.finish_unit(unit, facts, at, &[]);
        }
    }
}

/// A CSV reader for a facts table: comma- or tab-separated (as the first line that is
/// not a comment shows), with a header row; lines starting with # are comments (a note
/// such as “figures are invented”).
fn csv_reader(text: &str) -> (csv::Reader<&[u8]>, u8) {
    let first_line = text.lines().find(|l| !l.starts_with('#')).unwrap_or("");
    let delimiter = if first_line.contains('\t') && !first_line.contains(',') {
        b'\t'
    } else {
        b','
    };
    let reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(false)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    (reader, delimiter)
}

/// What is wrong with a row the CSV reader refused.
fn csv_error(e: &csv::Error) -> String {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("第 {line} 行有 {len} 列，表头有 {expected_len} 列；请检查是否多了或少了逗号"),
        _ => format!("第 {line} 行无法读取：{e}"),
    }
}

fn flatten_toml(prefix: &str, table: &toml::Table, out: &mut Vec<(String, toml::Value)>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten_toml(&key, t, out),
            _ => out.push((key, v.clone())),
        }
    }
}

fn toml_cell(v: &toml::Value) -> Result<String, String> {
    match v {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Integer(i) => Ok(i.to_string()),
        // Shortest text that reads back as the same float: the decimal the author wrote.
        toml::Value::Float(x) => Ok(x.to_string()),
        toml::Value::Boolean(b) => Ok(b.to_string()),
        toml::Value::Datetime(_) => Err("日期".to_string()),
        toml::Value::Array(_) => Err("数组".to_string()),
        toml::Value::Table(_) => Err("表".to_string()),
    }
}

fn flatten_json(
    prefix: &str,
    obj: &serde_json::Map<String, serde_json::Value>,
    out: &mut Vec<(String, Result<String, String>)>,
) {
    for (k, v) in obj {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let cell = match v {
            serde_json::Value::Object(o) => {
                flatten_json(&key, o, out);
                continue;
            }
            serde_json::Value::Null => Ok(String::new()),
            serde_json::Value::String(s) => Ok(s.clone()),
            serde_json::Value::Number(n) => Ok(n.to_string()),
            serde_json::Value::Bool(b) => Ok(b.to_string()),
            serde_json::Value::Array(_) => Err("数组".to_string()),
        };
        out.push((key, cell));
    }
}

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn a_workbook_reads_as_the_rows_excel_would_copy() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write(0, 0, "单位").unwrap();
        ws.write(0, 1, "区域流动人口数").unwrap();
        ws.write(1, 0, "小港街道").unwrap();
        ws.write(1, 1, 12000).unwrap();
        ws.write(2, 0, "新碶\t街道").unwrap();
        ws.write(2, 1, 95.5).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        assert_eq!(
            table_text(&bytes).unwrap(),
            "单位\t区域流动人口数\n小港街道\t12000\n\"新碶\t街道\"\t95.5"
        );
        // Not a workbook: text in its encoding.
        assert_eq!(table_text("单位,人数".as_bytes()).unwrap(), "单位,人数");
        assert!(
            table_text(b"PK\x03\x04broken")
                .unwrap_err()
                .contains("Excel 文件打不开")
        );
    }
}
