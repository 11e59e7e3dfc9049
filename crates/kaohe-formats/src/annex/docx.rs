//! The annex as a Word document (.docx): the tables of `word/document.xml`, read with
//! quick-xml so that merged cells are seen. A cell continuing a vertical merge
//! (`w:vMerge` without `restart`) and the columns a cell spans beyond its first
//! (`w:gridSpan`) become merged cells; a cell's paragraphs are joined by line breaks;
//! deleted text (`w:delText`) and the fallback copy of alternate content are left out.
//! Paragraphs before the first table are the preamble (附件1：, the title).

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::Annex;
use super::grid::{Cell, Grid, interpret};

#[derive(PartialEq)]
enum VMerge {
    None,
    Restart,
    Continue,
}

fn val(e: &BytesStart) -> Option<String> {
    e.attributes()
        .flatten()
        .find_map(|a| (a.key.local_name().as_ref() == "val").then(|| a.value.to_string()))
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix('x') {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

pub(crate) fn read(xml: &[u8]) -> Result<Annex, String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut doc = Document::default();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| broken(&e))?;
        let go_on = match event {
            Event::Eof => false,
            Event::Start(e) => {
                doc.start(&e);
                true
            }
            Event::Empty(e) => {
                doc.empty(&e);
                true
            }
            Event::Text(t) if doc.in_text && doc.fallback == 0 => {
                doc.paragraph.push_str(&t.xml10_content());
                true
            }
            Event::GeneralRef(r) if doc.in_text && doc.fallback == 0 => {
                if let Some(c) = entity(&r.xml10_content()) {
                    doc.paragraph.push(c);
                }
                true
            }
            Event::End(e) => doc.end(e.local_name().as_ref()),
            _ => true,
        };
        if !go_on {
            break;
        }
        buf.clear();
    }
    if doc.tables == 0 {
        if super::prose::looks_like_prose(&doc.grid.preamble) {
            return super::prose::read(&doc.grid.preamble, "docx");
        }
        return Err(
            "Word 文档里没有表格：评分细则应是一张列出考核内容、分值和评分标准的表格；若细则写在正文段落里，请先在 Word/WPS 中把它整理成表格再导入".to_string(),
        );
    }
    interpret(doc.grid, "docx")
}

fn broken(e: &dyn std::fmt::Display) -> String {
    format!(
        "Word 文档的内容已损坏（XML 有误：{e}）；请在 Word/WPS 中打开它，重新另存为 .docx 后再导入"
    )
}

/// The document as read so far: the rows of its top-level tables (a nested table's text
/// joins the cell it stands in), the paragraphs before them, and where the reader is.
struct Document {
    grid: Grid,
    /// Tables open.
    depth: usize,
    /// Top-level tables closed.
    tables: usize,
    row: Option<Vec<Cell>>,
    cell: Option<String>,
    span: usize,
    vmerge: VMerge,
    hmerge_continue: bool,
    paragraph: String,
    in_text: bool,
    /// `mc:Fallback` elements open: their content is a copy, left out.
    fallback: usize,
}

impl Default for Document {
    fn default() -> Document {
        Document {
            grid: Grid {
                aligned: true,
                ..Grid::default()
            },
            depth: 0,
            tables: 0,
            row: None,
            cell: None,
            span: 1,
            vmerge: VMerge::None,
            hmerge_continue: false,
            paragraph: String::new(),
            in_text: false,
            fallback: 0,
        }
    }
}

impl Document {
    fn start(&mut self, e: &BytesStart) {
        let depth = self.depth;
        match e.local_name().as_ref() {
            "Fallback" => self.fallback += 1,
            _ if self.fallback > 0 => {}
            "tbl" => self.depth += 1,
            "tr" if depth == 1 => self.row = Some(Vec::new()),
            "tc" if depth == 1 => {
                self.cell = Some(String::new());
                self.span = 1;
                self.vmerge = VMerge::None;
                self.hmerge_continue = false;
            }
            "p" => self.paragraph.clear(),
            "t" => self.in_text = true,
            "vMerge" if depth == 1 => self.vmerge = vmerge_of(e),
            "gridSpan" if depth == 1 => self.span = span_of(e),
            _ => {}
        }
    }

    fn empty(&mut self, e: &BytesStart) {
        let depth = self.depth;
        match e.local_name().as_ref() {
            _ if self.fallback > 0 => {}
            "vMerge" if depth == 1 => self.vmerge = vmerge_of(e),
            "hMerge" if depth == 1 => self.hmerge_continue = val(e).as_deref() != Some("restart"),
            "gridSpan" if depth == 1 => self.span = span_of(e),
            "gridBefore" if depth == 1 => {
                if let Some(r) = self.row.as_mut() {
                    let n = span_of(e);
                    r.extend((0..n).map(|_| Cell::merged()));
                }
            }
            "br" | "cr" => self.paragraph.push('\n'),
            "tab" if in_paragraph(e) => self.paragraph.push(' '),
            _ => {}
        }
    }

    /// Closes element `name`; false when enough rows are read.
    fn end(&mut self, name: &str) -> bool {
        let depth = self.depth;
        match name {
            "Fallback" => self.fallback = self.fallback.saturating_sub(1),
            _ if self.fallback > 0 => {}
            "t" => self.in_text = false,
            "p" => self.end_paragraph(),
            "tc" if depth == 1 => self.end_cell(),
            "tr" if depth == 1 => {
                if let Some(r) = self.row.take() {
                    self.grid.rows.push(r);
                    if self.grid.rows.len() > super::MAX_ROWS {
                        return false;
                    }
                }
            }
            "tbl" => {
                self.depth = self.depth.saturating_sub(1);
                if self.depth == 0 {
                    self.tables += 1;
                }
            }
            _ => {}
        }
        true
    }

    /// A paragraph joins its cell's text on a line of its own, or, before the first
    /// table, the preamble.
    fn end_paragraph(&mut self) {
        let text = std::mem::take(&mut self.paragraph);
        match self.cell.as_mut() {
            Some(c) => {
                if !c.is_empty() {
                    c.push('\n');
                }
                c.push_str(text.trim_end());
            }
            None if self.depth == 0 && self.tables == 0 => self.grid.preamble.push(text),
            None => {}
        }
    }

    /// A cell joins its row, followed by a merged cell for each column it spans beyond
    /// its first.
    fn end_cell(&mut self) {
        let text = self.cell.take().unwrap_or_default();
        if let Some(r) = self.row.as_mut() {
            let merged = self.vmerge == VMerge::Continue || self.hmerge_continue;
            r.push(Cell {
                text: if merged {
                    String::new()
                } else {
                    text.trim().to_string()
                },
                merged,
            });
            r.extend((1..self.span).map(|_| Cell::merged()));
        }
    }
}

/// `w:tab` inside a run is a tab character; inside `w:tabs` (paragraph properties) it is
/// a tab stop, which has a `w:pos`.
fn in_paragraph(e: &BytesStart) -> bool {
    !e.attributes()
        .flatten()
        .any(|a| a.key.local_name().as_ref() == "pos")
}

fn vmerge_of(e: &BytesStart) -> VMerge {
    match val(e).as_deref() {
        Some("restart") => VMerge::Restart,
        _ => VMerge::Continue,
    }
}

fn span_of(e: &BytesStart) -> usize {
    val(e)
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, 64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tc(props: &str, text: &str) -> String {
        format!("<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>")
    }

    /// Word writes a vertical merge's continuation as a bare `<w:vMerge/>` (LibreOffice
    /// writes `w:val="continue"`); deleted text and the fallback copy of alternate content
    /// are not part of the cell.
    #[test]
    fn word_style_merges_deletions_and_fallbacks_are_read_as_word_shows_them() {
        let header = format!(
            "<w:tr>{}{}{}</w:tr>",
            tc("", "考核内容"),
            tc("<w:gridSpan w:val=\"2\"/>", "分值"),
            tc("", "评分标准")
        );
        let first = format!(
            "<w:tr>{}{}{}<w:tc><w:p><w:r><w:t>未落实的每次扣1分。</w:t></w:r><w:del><w:r><w:delText>删去的字</w:delText></w:r></w:del><mc:AlternateContent><mc:Choice><w:r><w:t></w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>备用副本</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p></w:tc></w:tr>",
            tc("<w:vMerge w:val=\"restart\"/>", "基础工作"),
            tc("<w:vMerge w:val=\"restart\"/>", "10"),
            tc("", "6"),
        );
        let second = format!(
            "<w:tr>{}{}{}{}</w:tr>",
            tc("<w:vMerge/>", ""),
            tc("<w:vMerge/>", ""),
            tc("", "4"),
            tc("", "台账不齐全的扣2分&amp;扣完为止。")
        );
        let xml = format!(
            "<w:document xmlns:w=\"w\" xmlns:mc=\"mc\"><w:body><w:p><w:r><w:t>附件2：示例细则</w:t></w:r></w:p><w:tbl>{header}{first}{second}</w:tbl></w:body></w:document>"
        );
        let annex = read(xml.as_bytes()).unwrap();
        assert_eq!(annex.title.as_deref(), Some("示例细则"));
        assert_eq!(annex.categories.len(), 1);
        let c = &annex.categories[0];
        assert_eq!((c.name.as_str(), c.points), ("基础工作", Some(10.into())));
        let items: Vec<(Option<kaohe_core::Decimal>, &str)> = c
            .items
            .iter()
            .map(|i| (i.points, i.criteria.as_str()))
            .collect();
        assert_eq!(
            items,
            [
                (Some(6.into()), "未落实的每次扣1分。"),
                (Some(4.into()), "台账不齐全的扣2分&扣完为止。")
            ]
        );
    }

    #[test]
    fn a_document_without_a_table_says_so() {
        let xml = "<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>通知</w:t></w:r></w:p></w:body></w:document>";
        assert!(read(xml.as_bytes()).unwrap_err().contains("没有表格"));
    }

    #[test]
    fn broken_xml_says_the_document_is_damaged() {
        let xml = "<w:document><w:body><w:tbl><w:tr></w:tc></w:body>";
        let err = read(xml.as_bytes()).unwrap_err();
        assert!(err.contains("损坏") || err.contains("没有表格"), "{err}");
    }
}
