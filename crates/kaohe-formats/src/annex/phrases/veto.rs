//! 一票否决 and 降一档: a veto on the conditions before it.

use super::Reader;
use super::checks::{GENERIC, named_check};
use crate::annex::draft::{DraftCheck, DraftKind, DraftRule, FlagKind, InputKind};

regex!(VETO, "一票否决");
regex!(
    DOWNGRADE,
    "(?:等次)?降(?:低)?(?:一|1)?(?:个)?(?:档|等次|档次|级)"
);

impl Reader<'_> {
    pub(super) fn veto(&mut self, i: usize, clause: &str) -> bool {
        let (m, downgrade) = match (VETO.find(clause), DOWNGRADE.find(clause)) {
            (Some(m), _) => (m, false),
            (None, Some(m)) => (m, true),
            (None, None) => return false,
        };
        let mut at = m.start();
        // 年度考核实行一票否决, 考核等次降一档: the words before it that are not a condition.
        loop {
            let before = at;
            for w in [
                "年度考核",
                "综合考核",
                "考核",
                "实行",
                "予以",
                "给予",
                "该单位",
                "“",
                "\"",
            ] {
                if let Some(h) = clause[..at].strip_suffix(w) {
                    at = h.len();
                }
            }
            if at == before {
                break;
            }
        }
        let (cond, first) = self.condition(i, at);
        let source = self.span(first, i).to_string();
        let (checks, review) = if GENERIC.is_match(&cond) {
            let (checks, _) = self.scope_checks(&cond);
            (checks, true)
        } else if named_check(&cond).is_some() {
            // 发生重大事故或对事故迟报造成严重后果的: either one vetoes (unless 或 only
            // joins two nouns: 发生重大环境污染事件或群体性事件).
            let split = cond.split('或').all(|p| named_check(p).is_some());
            let parts: Vec<&str> = if split {
                cond.split('或').collect()
            } else {
                vec![cond.as_str()]
            };
            let mut checks = Vec::new();
            for part in parts {
                let label = named_check(part).expect("checked above");
                let key = self.input(&label, InputKind::Bool, None, part);
                checks.push(DraftCheck {
                    input: Some(key),
                    ratio: None,
                    threshold: None,
                    label: None,
                    source_text: part.to_string(),
                });
            }
            (checks, false)
        } else {
            return false;
        };
        let mut rule = DraftRule::new(
            DraftKind::Veto {
                checks: checks.clone(),
                downgrade,
            },
            &source,
        );
        if review {
            rule.flag(
                FlagKind::Review,
                "否决条件按前文各句拟出，请核对：删去不应否决的",
                None,
            );
        }
        if checks.is_empty() {
            rule.flag(
                FlagKind::Unsettled,
                "没有读出否决的条件：请在 checks 中写明",
                Some(&source),
            );
        }
        self.rules.push(rule);
        true
    }
}
