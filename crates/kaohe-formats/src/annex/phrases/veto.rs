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
        for w in [
            "年度考核",
            "综合考核",
            "考核",
            "实行",
            "予以",
            "给予",
            "该单位",
        ] {
            if let Some(h) = clause[..at].strip_suffix(w) {
                at = h.len();
            }
        }
        let (cond, first) = self.condition(i, at);
        let source = self.span(first, i).to_string();
        let (checks, review) = if GENERIC.is_match(&cond) {
            let (checks, _) = self.scope_checks(&cond);
            (checks, true)
        } else if let Some(label) = named_check(&cond) {
            let key = self.input(&label, InputKind::Bool, None, &source);
            let check = DraftCheck {
                input: Some(key),
                ratio: None,
                threshold: None,
                label: None,
                source_text: cond.clone(),
            };
            (vec![check], false)
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
