//! 酌情扣分 and 适当加分: an amount an assessor enters with a reason, flagged for a person.

use kaohe_core::Decimal;

use super::Reader;
use super::words::{fmt, parse_num};
use crate::annex::draft::{DraftCheck, DraftKind, DraftRule, FlagKind};

regex!(
    pub(super) DISC_DEDUCT,
    "(?:酌情|视情节轻重|视情节|视情况|视情|根据情节|根据情况)(?:扣分|扣减|扣除|扣)"
);
regex!(DISC_ADD, "(?:适当|酌情|视情|视情况)(?:给予)?加分");
regex!(
    BOUND,
    "(?:最多|最高|至多|不超过|上限为?)(?:扣|加|扣除)?NUM分|(?:扣|加)NUM分以内|NUM\\s*[-－—~～至到]\\s*NUM分"
);

impl Reader<'_> {
    pub(super) fn discretionary(&mut self, i: usize, clause: &str) -> bool {
        let (add, m) = match (DISC_ADD.find(clause), DISC_DEDUCT.find(clause)) {
            (Some(m), _) => (true, m),
            (None, Some(m)) => (false, m),
            (None, None) => return false,
        };
        let bound = BOUND.captures(clause).and_then(|c| {
            (1..c.len())
                .rev()
                .find_map(|g| c.get(g))
                .and_then(|m| parse_num(m.as_str()))
        });
        let (cond, first) = self.condition(i, m.start());
        if !add {
            self.indicator();
        }
        self.discretionary += 1;
        let input = (self.discretionary > 1).then(|| {
            let key = format!("discretionary_{}", self.discretionary);
            self.keys.reserve(&key);
            key
        });
        let source = self.span(first, i).to_string();
        let mut rule = DraftRule::new(
            DraftKind::Discretionary {
                add,
                max: bound,
                input,
            },
            &source,
        );
        let words = m.as_str().to_string();
        rule.label = Some(if cond.is_empty() {
            words.clone()
        } else {
            format!("{cond}，{words}")
        });
        if add {
            flag_addition(&mut rule, &words, bound);
        } else {
            self.flag_deduction(&mut rule, &words, bound);
        }
        self.rules.push(rule);
        true
    }

    /// Targets in scope with no points of their own: shown beside the discretionary
    /// amount as an indicator.
    fn indicator(&mut self) {
        let targets = self.scope_targets();
        if targets.is_empty() {
            return;
        }
        let checks: Vec<DraftCheck> = targets.iter().map(|t| self.target_check(t)).collect();
        let source = &self.text[targets[0].start..targets[targets.len() - 1].end];
        let mut rule = DraftRule::new(
            DraftKind::Indicator {
                checks: checks.clone(),
            },
            source,
        );
        rule.flag(
            FlagKind::Review,
            format!("「{source}」没有写明达不到时扣几分：拟为指标（只显示、提示，不计分），扣多少由酌情扣分定；若应按项扣分，改为 checks 并写明 each"),
            Some(source),
        );
        self.flag_unbased(&mut rule, &checks);
        self.rules.push(rule);
    }

    fn flag_deduction(&self, rule: &mut DraftRule, words: &str, bound: Option<Decimal>) {
        let limit = match (bound, self.points) {
            (Some(b), _) => format!("最多 {} 分", fmt(b)),
            (None, Some(p)) => format!("上限按本项分值 {} 分", fmt(p)),
            (None, None) => "上限未定".to_string(),
        };
        rule.flag(
            FlagKind::Discretionary,
            format!("「{words}」：由考核人员酌情扣分并写明理由，{limit}"),
            Some(words),
        );
        if bound.is_none() && self.points.is_none() {
            rule.flag(
                FlagKind::Unsettled,
                "加分项目里的酌情扣分没有上限：请填上 max = …",
                Some(words),
            );
        }
    }
}

fn flag_addition(rule: &mut DraftRule, words: &str, bound: Option<Decimal>) {
    rule.flag(
        FlagKind::Discretionary,
        format!("「{words}」：由考核人员酌情给分并写明理由"),
        Some(words),
    );
    if bound.is_none() {
        rule.flag(
            FlagKind::Unsettled,
            "原文没有写明最多加几分：请填上上限 max = …（如 max = 5），否则不能加载",
            Some(words),
        );
    }
}
