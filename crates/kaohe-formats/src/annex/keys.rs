//! Suggested input keys: ASCII, lower-case, deterministic — the pinyin initials of the
//! label (信息登记率 → `xxdjl`), letters and digits in it kept. An administrator may
//! rename any of them; the rubric only needs them unique within an item.

use std::collections::HashSet;

use pinyin::ToPinyin;

/// Longest suggested key, before a `_2` suffix for a repeat.
const MAX_LEN: usize = 16;

/// The key suggested for a label: its pinyin initials (`信息登记率` → `xxdjl`).
pub fn suggest_key(label: &str) -> String {
    let mut key = String::new();
    for ch in label.chars() {
        if key.len() >= MAX_LEN {
            break;
        }
        if ch.is_ascii_alphanumeric() {
            key.push(ch.to_ascii_lowercase());
        } else if let Some(p) = ch.to_pinyin() {
            key.push_str(p.first_letter());
        }
    }
    if key.is_empty() {
        key.push_str("input");
    }
    if key.starts_with(|c: char| c.is_ascii_digit()) {
        key.insert(0, 'n');
    }
    key
}

/// Keys already given, so that a repeat becomes `key_2`, `key_3`, ….
#[derive(Debug, Default, Clone)]
pub(crate) struct KeySet {
    used: HashSet<String>,
}

impl KeySet {
    pub fn unique(&mut self, base: &str) -> String {
        let mut key = base.to_string();
        let mut n = 2;
        while self.used.contains(&key) {
            key = format!("{base}_{n}");
            n += 1;
        }
        self.used.insert(key.clone());
        key
    }
    pub fn reserve(&mut self, key: &str) {
        self.used.insert(key.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_the_pinyin_initials_of_its_label() {
        assert_eq!(suggest_key("信息登记率"), "xxdjl");
        assert_eq!(suggest_key("一类疫苗接种率"), "ylymjzl");
        assert_eq!(suggest_key("3个月以上"), "n3gyys");
        assert_eq!(suggest_key("“”"), "input");
    }

    #[test]
    fn a_repeated_key_gets_a_number() {
        let mut keys = KeySet::default();
        assert_eq!(keys.unique("a"), "a");
        assert_eq!(keys.unique("a"), "a_2");
        assert_eq!(keys.unique("a"), "a_3");
    }
}
