//! Deductions counted in a number: 每少一次 (a shortfall from a required count), 少于上一年度
//! (below last year's figure), 每发现一起 (per count).

use kaohe_core::Decimal;

use super::Reader;
use super::targets::Measure;
use super::words::{clean_subject, fmt, parse_num, strip_de};
use crate::annex::draft::{DraftKind, DraftRule, Flag, FlagKind, InputKind, Threshold};

regex!(
    SHORTFALL,
    "(?:每)?(?:少|缺|差)(?:一|1)(次|期|场|篇|个|项|人次|批)(?:的)?(?:扣|扣除)NUM分"
);
regex!(
    BELOW,
    "^(.*?)(?:少于|低于|小于|不足|不及)(?:上一?年度?|上年度?|去年|前一年)(?:同期)?(?:水平|数)?的?[，,]?(?:扣|扣除)NUM分"
);
regex!(
    BELOW_CHANGE,
    "^(.*?)(?:比|较|与)(?:上一?年度?|上年度?|去年)(?:同期)?(?:相比)?(?:有所)?(?:减少|下降|降低)的?[，,]?(?:扣|扣除)NUM分"
);
regex!(
    PER_COUNT,
    "^(.*?)(?:每(发现|出现|发生|缺席|迟报|漏报|错报|少报|有|缺)?(?:一|1)?|(缺席|迟报|漏报|错报|发现|出现|发生)(?:一|1))(次|起|例|人次|件|处|宗)([^，。；扣每]{0,20}?)(?:的)?[，,]?(?:扣|扣除)NUM分"
);

impl Reader<'_> {
    pub(super) fn shortfall(&mut self, i: usize, clause: &str) -> bool {
        let Some(c) = SHORTFALL.captures(clause) else {
            return false;
        };
        let Some(each) = parse_num(&c[2]) else {
            return false;
        };
        let unit = c[1].to_string();
        let source = self.span(i, i).to_string();
        let target = self
            .scope_targets()
            .into_iter()
            .rev()
            .find(|t| matches!(t.measure, Measure::Count { .. }));
        let mut rule;
        match target {
            Some(t) => {
                let words = self.text[t.start..t.end].to_string();
                let key = self.input(&t.label, InputKind::Count, Some(&unit), &words);
                let required = match t.threshold {
                    Threshold::AtLeast(n) | Threshold::AtMost(n) => n,
                };
                rule = DraftRule::new(
                    DraftKind::Shortfall {
                        input: key,
                        required: Some(required),
                        each,
                        step: Decimal::ONE,
                        round: "down",
                        max: None,
                    },
                    &source,
                );
                rule.flags.push(Flag::new(
                    FlagKind::Note,
                    format!("应达次数 {} 取自「{words}」", fmt(required)),
                    Some(&words),
                ));
            }
            None => {
                let label = format!(
                    "{}数",
                    strip_de(&clause[..c.get(0).expect("match").start()])
                );
                let label = if label == "数" {
                    "次数".to_string()
                } else {
                    label
                };
                let key = self.input(&label, InputKind::Count, Some(&unit), &source);
                rule = DraftRule::new(
                    DraftKind::Shortfall {
                        input: key,
                        required: None,
                        each,
                        step: Decimal::ONE,
                        round: "down",
                        max: None,
                    },
                    &source,
                );
                rule.flag(
                    FlagKind::Unsettled,
                    "没有读出应达到几次（如“1年2次以上”）：请填上 required = …",
                    Some(&source),
                );
            }
        }
        self.rules.push(rule);
        true
    }

    pub(super) fn below(&mut self, i: usize, clause: &str) -> bool {
        let Some(c) = BELOW
            .captures(clause)
            .or_else(|| BELOW_CHANGE.captures(clause))
        else {
            return false;
        };
        let Some(deduct) = parse_num(&c[2]) else {
            return false;
        };
        let subject = clean_subject(&c[1]);
        if subject.is_empty() {
            return false;
        }
        let source = self.span(i, i).to_string();
        let kind = if subject.ends_with('数') {
            InputKind::Count
        } else {
            InputKind::Decimal
        };
        let input = self.input(&subject, kind, None, &source);
        let reference = self.input(&format!("上一年度{subject}"), kind, None, &source);
        if kind == InputKind::Decimal {
            for key in [&input, &reference] {
                if let Some(inp) = self.inputs.iter_mut().find(|x| &x.key == key) {
                    inp.min = Some(Decimal::ZERO);
                }
            }
        }
        self.rules.push(DraftRule::new(
            DraftKind::Below {
                input,
                reference,
                deduct,
            },
            &source,
        ));
        true
    }

    pub(super) fn per_count(&mut self, i: usize, clause: &str) -> bool {
        let Some(c) = PER_COUNT.captures(clause) else {
            return false;
        };
        let Some(each) = parse_num(&c[6]) else {
            return false;
        };
        let cond = strip_de(&c[1]).to_string();
        if cond.contains('每') || cond.contains("百分点") {
            return false;
        }
        let verb = c
            .get(2)
            .or_else(|| c.get(3))
            .map(|m| m.as_str())
            .unwrap_or("");
        let unit = c[4].to_string();
        let noun = strip_de(&c[5]);
        let label = match (noun.is_empty(), cond.is_empty(), verb.is_empty()) {
            (false, _, _) => format!("{noun}{unit}数"),
            (true, false, _) => format!("{cond}{verb}次数"),
            (true, true, false) => format!("{verb}次数"),
            (true, true, true) => "扣分次数".to_string(),
        };
        let source = self.span(i, i).to_string();
        let key = self.input(&label, InputKind::Count, Some(&unit), &source);
        self.rules.push(DraftRule::new(
            DraftKind::PerCount {
                input: key,
                each,
                max: None,
            },
            &source,
        ));
        true
    }
}
