//! Records kept during the year (台账): adopted articles, media reports, leaders'
//! instructions, recorded misses. A rubric declares each kind of record (`[[records]]`)
//! with the fields written down for one, and a fact can be the count of records of a
//! kind, filtered by a field (`from = { records = "media", where = { level = "省" } }`).
//!
//! This module is pure: it reads a record's fields as typed text, decides whether a
//! fact counts a record, and tells two records that may be one (declared twice, or one
//! piece of work reported at several levels). Storing, confirming and dating records is
//! the application's.

use std::collections::BTreeMap;

/// The fields of one record as stored: field key → text (`是`/`否` for yes-or-no).
pub type RecordFields = BTreeMap<String, String>;

/// A kind of record, declared by a `[[records]]` table.
#[derive(Debug, Clone)]
pub struct RecordKind {
    /// The code in files (`info`); never shown to people.
    pub id: String,
    /// What people call it (`信息录用`).
    pub name: String,
    /// The word after a count (`篇`).
    pub unit: Option<String>,
    pub fields: Vec<RecordField>,
    /// The field that names a record (a title, a summary): shown wherever a record is
    /// listed, and compared to find one record declared twice.
    pub title: usize,
    /// Fields that, with the date, must be equal for two records to be one declared
    /// twice (the outlet of an article).
    pub same: Vec<usize>,
    /// A choice field whose options go from low to high (市, 省, 国家): one piece of
    /// work recorded at several of them counts once, at its highest.
    pub level: Option<usize>,
    /// Only the district enters records of this kind (a miss found at an inspection);
    /// units see them but do not declare them.
    pub district_only: bool,
}

#[derive(Debug, Clone)]
pub struct RecordField {
    pub key: String,
    pub label: String,
    pub ty: FieldType,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// Free text (a title, an outlet); a title field may not be empty.
    Text,
    /// Yes or no, stored as `是`/`否`.
    Bool,
    /// One of the options, in their order (low to high for a level field).
    Choice(Vec<String>),
}

/// Two records that may be one, so that only one of them counts until a person decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Likeness {
    /// The same record declared twice: same date, same `same` fields, the same title
    /// (after removing spaces, punctuation and 《》, or at most two characters apart).
    Twice,
    /// One piece of work at two levels: the same title, different levels.
    Levels,
}

impl Likeness {
    /// The word stored with a flagged record.
    pub fn code(self) -> &'static str {
        match self {
            Likeness::Twice => "twice",
            Likeness::Levels => "levels",
        }
    }

    /// The likeness stored as `code`, if kaohe wrote it.
    pub fn parse(code: &str) -> Option<Likeness> {
        [Likeness::Twice, Likeness::Levels]
            .into_iter()
            .find(|l| l.code() == code)
    }

    pub fn words(self) -> &'static str {
        match self {
            Likeness::Twice => "疑似重复申报",
            Likeness::Levels => "疑似同一工作在不同级别重复计分",
        }
    }
}

/// Most characters a record's text field may hold.
pub const MAX_FIELD: usize = 500;

impl RecordKind {
    pub fn field(&self, key: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.key == key)
    }

    /// The record's title (its naming field), as stored.
    pub fn title_of<'a>(&self, fields: &'a RecordFields) -> &'a str {
        fields
            .get(&self.fields[self.title].key)
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The count's word, or `条`.
    pub fn unit(&self) -> &str {
        self.unit.as_deref().unwrap_or("条")
    }

    /// Reads the fields of a record as typed (field key → text): every field of the
    /// kind checked and normalised (yes-or-no as `是`/`否`, a choice among its options,
    /// text trimmed and bounded, the title not empty). Keys the kind does not declare
    /// are refused. The message names the field by its label and says what to do.
    pub fn parse(&self, typed: &BTreeMap<String, String>) -> Result<RecordFields, String> {
        if let Some(unknown) = typed.keys().find(|k| self.field(k).is_none()) {
            return Err(format!("“{}”没有“{unknown}”这一栏", self.name));
        }
        let mut out = RecordFields::new();
        for (i, field) in self.fields.iter().enumerate() {
            let text = typed.get(&field.key).map(|s| s.trim()).unwrap_or("");
            let value = match &field.ty {
                FieldType::Text => {
                    if text.is_empty() && i == self.title {
                        return Err(format!("请填写“{}”", field.label));
                    }
                    let n = text.chars().count();
                    if n > MAX_FIELD {
                        return Err(format!(
                            "“{}”太长（{n} 个字，最多 {MAX_FIELD} 个字）；请精简",
                            field.label
                        ));
                    }
                    text.to_string()
                }
                FieldType::Bool => match yes_no(text) {
                    Some(b) => if b { "是" } else { "否" }.to_string(),
                    None => {
                        return Err(format!("“{}”应填“是”或“否”，而不是“{text}”", field.label));
                    }
                },
                FieldType::Choice(options) => {
                    if let Some(o) = options.iter().find(|o| o.as_str() == text) {
                        o.clone()
                    } else if text.is_empty() {
                        return Err(format!("请选择“{}”（{}）", field.label, options.join("、")));
                    } else {
                        return Err(format!(
                            "“{}”应为 {} 之一，而不是“{text}”",
                            field.label,
                            options.join("、")
                        ));
                    }
                }
            };
            out.insert(field.key.clone(), value);
        }
        Ok(out)
    }

    /// The level of a record: its place among the level field's options.
    pub fn level_of(&self, fields: &RecordFields) -> Option<usize> {
        let f = &self.fields[self.level?];
        let FieldType::Choice(options) = &f.ty else {
            return None;
        };
        let v = fields.get(&f.key)?;
        options.iter().position(|o| o == v)
    }

    /// Whether records `a` (dated `date_a`) and `b` may be one: declared twice, or one
    /// piece of work at two levels. Never decides for a person: the application flags
    /// the pair and counts one of them until someone says.
    pub fn likeness(
        &self,
        date_a: &str,
        a: &RecordFields,
        date_b: &str,
        b: &RecordFields,
    ) -> Option<Likeness> {
        if !similar_titles(self.title_of(a), self.title_of(b)) {
            return None;
        }
        let (la, lb) = (self.level_of(a), self.level_of(b));
        if self.level.is_some() && la != lb {
            return Some(Likeness::Levels);
        }
        let same_fields = self.same.iter().all(|&i| {
            let key = &self.fields[i].key;
            normalise(a.get(key).map(String::as_str).unwrap_or(""))
                == normalise(b.get(key).map(String::as_str).unwrap_or(""))
        });
        (date_a == date_b && same_fields).then_some(Likeness::Twice)
    }
}

/// `是`/`否` and the usual ways of writing them.
pub fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "是" | "有" | "y" | "yes" | "true" | "1" | "√" | "✓" => Some(true),
        "否" | "无" | "n" | "no" | "false" | "0" | "×" | "" => Some(false),
        _ => None,
    }
}

/// A title as compared: without whitespace, punctuation and 《》.
pub fn normalise(title: &str) -> String {
    title
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation() && !is_cjk_punctuation(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_cjk_punctuation(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}'   // 、。《》「」【】〔〕…
        | '\u{FF01}'..='\u{FF0F}' // ！＂＃…／
        | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}'
        | '\u{2010}'..='\u{2027}' // dashes, quotes, ……
        | '\u{00B7}'
    )
}

/// Two titles that are one: equal after [`normalise`], or at most two characters apart.
pub fn similar_titles(a: &str, b: &str) -> bool {
    let (a, b) = (normalise(a), normalise(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    a == b || strsim::levenshtein(&a, &b) <= 2
}

/// What a fact counts: records of kind `kind` (an index into the rubric's kinds) whose
/// fields equal each `(field index, stored text)` of `filter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordCount {
    pub kind: usize,
    pub filter: Vec<(usize, String)>,
}

impl RecordCount {
    /// Whether a record of this fact's kind, with these fields, is counted by the fact.
    pub fn matches(&self, kind: &RecordKind, fields: &RecordFields) -> bool {
        self.filter
            .iter()
            .all(|(i, want)| fields.get(&kind.fields[*i].key).is_some_and(|v| v == want))
    }

    /// The filter in words: `级别为省`, empty without one.
    pub fn words(&self, kind: &RecordKind) -> String {
        self.filter
            .iter()
            .map(|(i, v)| format!("{}为{v}", kind.fields[*i].label))
            .collect::<Vec<_>>()
            .join("，")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind() -> RecordKind {
        RecordKind {
            id: "media".into(),
            name: "媒体报道".into(),
            unit: Some("篇".into()),
            fields: vec![
                RecordField {
                    key: "title".into(),
                    label: "标题".into(),
                    ty: FieldType::Text,
                },
                RecordField {
                    key: "outlet".into(),
                    label: "媒体".into(),
                    ty: FieldType::Text,
                },
                RecordField {
                    key: "level".into(),
                    label: "级别".into(),
                    ty: FieldType::Choice(vec!["市".into(), "省".into(), "国家".into()]),
                },
            ],
            title: 0,
            same: vec![1],
            level: Some(2),
            district_only: false,
        }
    }

    fn rec(title: &str, outlet: &str, level: &str) -> RecordFields {
        let typed = [("title", title), ("outlet", outlet), ("level", level)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        kind().parse(&typed).unwrap()
    }

    #[test]
    fn titles_compare_without_punctuation_and_within_two_characters() {
        assert!(similar_titles(
            "《流动人口服务》新举措",
            "流动人口服务新举措"
        ));
        assert!(similar_titles(
            "新碶街道流动人口积分管理",
            "新碶街道流动人口积分制管理"
        ));
        assert!(!similar_titles(
            "新碶街道积分管理经验",
            "大碶街道出租房屋整治成效"
        ));
        assert!(!similar_titles("", ""));
    }

    #[test]
    fn twice_needs_the_same_date_and_outlet_levels_need_different_levels() {
        let k = kind();
        let a = rec("积分制管理见成效", "宁波日报", "市");
        let b = rec("《积分制管理见成效》", "宁波日报", "市");
        assert_eq!(
            k.likeness("2026-03-01", &a, "2026-03-01", &b),
            Some(Likeness::Twice)
        );
        assert_eq!(k.likeness("2026-03-01", &a, "2026-03-02", &b), None);
        let c = rec("积分制管理见成效", "浙江日报", "省");
        assert_eq!(
            k.likeness("2026-03-01", &a, "2026-04-01", &c),
            Some(Likeness::Levels)
        );
        assert_eq!(k.level_of(&c), Some(1));
    }

    #[test]
    fn fields_are_read_as_typed_and_refused_with_their_label() {
        let k = kind();
        let mut typed = BTreeMap::new();
        typed.insert("title".to_string(), " ".to_string());
        assert_eq!(k.parse(&typed).unwrap_err(), "请填写“标题”");
        typed.insert("title".to_string(), "x".to_string());
        typed.insert("level".to_string(), "区".to_string());
        assert!(k.parse(&typed).unwrap_err().contains("市、省、国家"));
        typed.insert("nope".to_string(), "1".to_string());
        assert!(k.parse(&typed).unwrap_err().contains("nope"));
    }
}
