//! Limits: 扣完为止 (the format's default, a note), and a 最多扣N分 or 最高得N分 that
//! bounds the rule before it.

use super::discretionary::DISC_DEDUCT;
use super::words::{fmt, parse_num};
use super::{FLOOR, Reader, SCORE};
use crate::annex::draft::{DraftKind, Flag, FlagKind};

regex!(
    DEDUCT_MAX,
    "(?:最多|最高|至多|累计最多|累计最高)(?:扣|扣除)NUM分|扣分(?:累计)?(?:不超过|最多|最高)NUM分"
);
regex!(
    CAP,
    "(?:最高|最多|至多)(?:可得|可加|得|加|计)?NUM分|(?:加分|得分)上限为?NUM分|NUM分封顶|封顶NUM分|加满NUM分为止|以NUM分为限|(?:累计|合计|总计)?(?:加分)?不超过NUM分"
);

/// The points a cap clause names (最高得5分), if it is one.
pub(super) fn cap_of(clause: &str) -> Option<kaohe_core::Decimal> {
    let c = CAP.captures(clause)?;
    (1..c.len())
        .find_map(|g| c.get(g))
        .and_then(|m| parse_num(m.as_str()))
}

impl Reader<'_> {
    /// 扣完为止 is noted; it reads the clause unless the rest of it scores.
    pub(super) fn floor(&mut self, _: usize, clause: &str) -> bool {
        let Some(m) = FLOOR.find(clause) else {
            return false;
        };
        self.flags.push(Flag::new(
            FlagKind::Note,
            "“扣完为止”即本格式的默认：扣分项最低 0 分，不需要规则",
            Some(m.as_str()),
        ));
        let rest = format!("{}{}", &clause[..m.start()], &clause[m.end()..]);
        !SCORE.is_match(&rest)
    }

    pub(super) fn deduct_max(&mut self, i: usize, clause: &str) -> bool {
        if DISC_DEDUCT.is_match(clause) {
            return false;
        }
        let Some(c) = DEDUCT_MAX.captures(clause) else {
            return false;
        };
        let Some(n) = c
            .get(1)
            .or_else(|| c.get(2))
            .and_then(|m| parse_num(m.as_str()))
        else {
            return false;
        };
        let Some(last) = self.last_rule else {
            return false;
        };
        // One rule per measure of a list (及时受理率、按期办结率均应达到100%，每低1个百分点
        // 扣0.5分): 每项最多扣N分 bounds each; 最多扣N分 may be each's or all's.
        let siblings: Vec<usize> = (0..last)
            .filter(|&r| {
                self.rules[r].source_text == self.rules[last].source_text
                    && matches!(self.rules[r].kind, DraftKind::Shortfall { max: None, .. })
            })
            .collect();
        if !siblings.is_empty() && matches!(self.rules[last].kind, DraftKind::Shortfall { .. }) {
            let each = clause.contains("每项");
            for &r in &siblings {
                if each && let DraftKind::Shortfall { max, .. } = &mut self.rules[r].kind {
                    *max = Some(n);
                    self.extend_source(r, i);
                }
            }
            if !each {
                for r in siblings.iter().copied().chain([last]) {
                    self.rules[r].flag(
                        FlagKind::Review,
                        format!(
                            "「{clause}」只写在最后一项指标上；若是几项合计最多扣 {} 分，请核对各项的 max",
                            fmt(n)
                        ),
                        Some(clause),
                    );
                }
            }
        }
        let rule = &mut self.rules[last];
        match &mut rule.kind {
            DraftKind::PerCount { max, .. } | DraftKind::Shortfall { max, .. } if max.is_none() => {
                *max = Some(n)
            }
            DraftKind::Discretionary {
                add: false, max, ..
            } if max.is_none() => {
                *max = Some(n);
                for f in rule
                    .flags
                    .iter_mut()
                    .filter(|f| f.kind == FlagKind::Discretionary)
                {
                    if let Some(at) = f.message.rfind('，') {
                        f.message = format!("{}，最多 {} 分", &f.message[..at], fmt(n));
                    }
                }
                rule.flags.retain(|f| f.kind != FlagKind::Unsettled);
                rule.recompute();
            }
            _ => return false,
        }
        self.extend_source(last, i);
        true
    }

    pub(super) fn cap(&mut self, i: usize, clause: &str) -> bool {
        if clause.contains('扣') {
            return false;
        }
        let Some(c) = CAP.captures(clause) else {
            return false;
        };
        let Some(n) = (1..c.len())
            .find_map(|g| c.get(g))
            .and_then(|m| parse_num(m.as_str()))
        else {
            return false;
        };
        // 加0.5分；…每项加1分。本项最高加2分: the item's cap, over all its awards.
        let awards = self
            .rules
            .iter()
            .filter(|r| matches!(r.kind, DraftKind::Award { .. } | DraftKind::Tiered { .. }))
            .count();
        if clause.contains("本项") && awards > 1 && self.bonus && self.item_cap.is_none() {
            self.item_cap = Some(n);
            self.flags.push(Flag::new(
                FlagKind::Note,
                format!("「{clause}」是本项各条加分合计的上限"),
                Some(clause),
            ));
            return true;
        }
        if let Some(last) = self.last_rule
            && let DraftKind::Discretionary { add: true, max, .. } = &mut self.rules[last].kind
            && max.is_none()
        {
            *max = Some(n);
            self.extend_source(last, i);
            let rule = &mut self.rules[last];
            rule.flags.retain(|f| f.kind != FlagKind::Unsettled);
            rule.recompute();
            return true;
        }
        let Some(last) = self
            .rules
            .iter()
            .rposition(|r| matches!(r.kind, DraftKind::Award { .. } | DraftKind::Tiered { .. }))
        else {
            return false;
        };
        match &mut self.rules[last].kind {
            DraftKind::Award { cap, .. } | DraftKind::Tiered { cap, .. } if cap.is_none() => {
                *cap = Some(n)
            }
            _ => return false,
        }
        self.extend_source(last, i);
        if let (Some(p), false) = (self.points, self.bonus)
            && n > p
        {
            self.rules[last].flag(
                FlagKind::Review,
                format!(
                    "最高 {} 分超过本项分值 {}；本项得分不会超过其分值",
                    fmt(n),
                    fmt(p)
                ),
                None,
            );
        }
        self.last_rule = Some(last);
        true
    }
}
