//! Checks: conditions a unit must meet, each unmet one deducting — 未达标的每项扣N分 (one
//! check per target or duty in scope), 台账不齐全的扣N分 (the one the condition names),
//! …的，该项不得分 (all the item's points, once).

use kaohe_core::Decimal;
use regex_lite::Captures;

use super::Reader;
use super::targets::{Measure, RATE_WORDS, Target, duties};
use super::words::{clean_subject, fmt, parse_num, strip_de, without_year};
use crate::annex::draft::{DraftCheck, DraftKind, DraftRule, Flag, FlagKind, InputKind, Threshold};

regex!(
    NO_SCORE,
    "^(.*?)[，,]?(?:该项|此项|本项|该指标)?(?:不得分|不计分|得0分|计0分|记0分|为0分|得零分)"
);
regex!(
    CHECKS_EACH,
    "^(.*?)[，,]?(?:每(?:一)?(?:项|条|个方面|处)(?:[^，。；扣每]{1,12}?的[，,]?)?|(?:以上)?(?:每)?缺(?:一|1)项)(?:扣|扣除)NUM分"
);
regex!(DEDUCT, "^(.*?)[，,]?(?:扣|扣除)NUM分");
// A target stated in a condition: 信息登记率低于95%的扣2分.
regex!(
    COND_PERCENT,
    "^(.*?)(低于|不足|未达到|达不到|小于|不到|高于|超过|大于)([0-9]+(?:\\.[0-9]+)?)%"
);
// A rate per mille or a plain number in a condition: 发案率高于3‰的, 死亡率高于0.03的.
regex!(
    COND_DECIMAL,
    "^(.*?)(低于|不足|未达到|达不到|小于|不到|高于|超过|大于)([0-9]+(?:\\.[0-9]+)?)(‰)?$"
);
regex!(
    COND_COUNT,
    "^(.*?)(?:少于|不足|不到|低于)NUM(次|期|场|篇|个|名|人|家|户|件|学时|小时|天)"
);
// A duty led by its verb: 成立…, 建立…, 明确…
regex!(
    DUTY_VERBS,
    "^(?:规范|及时|全面|按时|依法|严格|按要求)?(?:成立|建立|明确|落实|配备|配齐|建成|制定|开展|组织|召开|签订|设立|设置|完善|健全|纳入|列入|安排|实行|推行|编制|印发|公布|组建|培育|打造|创建)"
);
regex!(
    DUTY_VERB_IN,
    "成立|建立|明确|落实|配备|配齐|建成|制定|开展|组织|召开|签订|设立|设置|完善|健全|纳入|列入|安排|实行|推行|编制|印发|公布|组建|培育|打造|创建"
);
regex!(
    COUNT_SAID,
    "(NUM)(?:项|个|类)(?:制度|机制|工作|任务|措施)?$"
);
regex!(
    REFERENCE,
    "^(?:按照|根据|依据|对照|围绕)[^，。；]*(?:要求|规定|部署|精神|方案)$"
);
regex!(
    COMPARISON,
    "不得大于|不得高于|不得低于|不得少于|不大于|不高于|不低于|不少于|大于|小于"
);
regex!(LISTED_ABOVE, "^以上(?:[一二三四五六七八九十0-9]+项)?");
regex!(COUNTED, "^(?:有)?[一二两三四五六七八九十0-9]+(?:项|个|条)");
regex!(PARENS, "（[^（）]*）|\\([^()]*\\)|“[^”]*”");
// A condition that only says "not done": the checks are the duties before it.
regex!(
    pub(super) GENERIC,
    "^(?:凡|如|若|对|否则)?(?:有)?(?:未|没有|没|不)?(?:按要求|按时|及时|全面)?(?:落实|开展|完成|达到|达标|做到|执行|建立|到位|实施|超过|超出|超标|突破)?(?:到位)?(?:要求|标准|目标|任务|规定)?(?:的)?(?:或(?:落实|完成|开展|执行)?(?:不佳|不力|不到位))?(?:的)?$"
);

/// A condition's check: 登记点不规范 → 登记点规范; 发生重大安全事故 → 未发生重大安全事故.
pub(super) fn named_check(cond: &str) -> Option<String> {
    // 一项未完成的, 两项均未完成的: how many of the duties, not a duty.
    if COUNTED.is_match(cond) {
        return None;
    }
    // A number in parentheses only says more (进京赴省集体访（5人以上）).
    let bare = PARENS.replace_all(cond, "");
    if cond.contains('每') || cond.contains("百分点") || bare.chars().any(|c| c.is_ascii_digit())
    {
        return None;
    }
    for event in ["发生", "出现", "被", "受到"] {
        if cond.starts_with(event) {
            return Some(format!("未{cond}"));
        }
    }
    // 辖区内发生…, “两委”班子成员受到…处分, 对事故迟报造成严重后果: an event after who or
    // where it happens.
    if !["没有", "未", "不", "无", "没"]
        .iter()
        .any(|n| cond.contains(n))
    {
        for event in [
            "发生",
            "出现",
            "受到",
            "造成",
            "被",
            "发现",
            "弄虚作假",
            "虚报",
            "瞒报",
            "谎报",
            "造假",
            "挪用",
            "截留",
        ] {
            if let Some(at) = cond.find(event) {
                return Some(format!("{}未{}", &cond[..at], &cond[at..]));
            }
        }
    }
    if let Some(rest) = cond.strip_prefix("存在") {
        return Some(format!("不存在{rest}"));
    }
    // 台账记录缺失 → 台账记录完整.
    for (lack, done) in [
        ("缺失", "完整"),
        ("缺少", "齐全"),
        ("缺位", "到位"),
        ("滞后", "及时"),
    ] {
        if let Some(rest) = cond.strip_suffix(lack)
            && !rest.is_empty()
        {
            return Some(format!("{rest}{done}"));
        }
    }
    if let Some(rest) = cond.strip_prefix('有') {
        return Some(format!("无{rest}"));
    }
    for neg in ["没有", "未", "不", "无", "没"] {
        if let Some(i) = cond.find(neg) {
            let rest = format!("{}{}", &cond[..i], &cond[i + neg.len()..]);
            return (!rest.trim().is_empty()).then(|| rest.trim().to_string());
        }
    }
    None
}

impl Reader<'_> {
    /// Checks from the scope for a condition that only says "not done" (未落实的…):
    /// targets-only when the condition speaks of reaching (未达到, 未达标, 未完成) and the
    /// scope has targets, else every clause (a target as a numeric check, any other as a
    /// yes/no duty). Returns the checks and the clauses left out.
    pub(super) fn scope_checks(&mut self, cond: &str) -> (Vec<DraftCheck>, Vec<String>) {
        let targets = self.scope_targets();
        let reaching = [
            "达到",
            "达标",
            "完成",
            "达不到",
            "超过",
            "超出",
            "超标",
            "突破",
        ]
        .iter()
        .any(|w| cond.contains(w));
        let mut checks = Vec::new();
        let mut left_out = Vec::new();
        for &i in &self.scope.clone() {
            let clause = self.clause(i).to_string();
            let start = self.clauses[i].start;
            // 台账齐全且每日记录完整: two duties; 队伍不少于30人且每月开展训练: a target and
            // a duty.
            // 按照乡镇、村两级田长制组织体系要求: what the duties follow, not a duty.
            if REFERENCE.is_match(&clause) {
                continue;
            }
            for (at, part) in duties(&clause) {
                let (from, to) = (start + at, start + at + part.len());
                let own: Vec<Target> = targets
                    .iter()
                    .filter(|t| t.start >= from && t.end <= to)
                    .cloned()
                    .collect();
                if !own.is_empty() {
                    for t in own {
                        checks.push(self.target_check(&t));
                    }
                } else if reaching && !targets.is_empty() {
                    left_out.push(part.to_string());
                } else {
                    let label = strip_de(part).to_string();
                    let key = self.input(&label, InputKind::Bool, None, part);
                    checks.push(DraftCheck {
                        input: Some(key),
                        ratio: None,
                        threshold: None,
                        label: None,
                        source_text: part.to_string(),
                    });
                }
            }
        }
        (checks, left_out)
    }

    pub(super) fn no_score(&mut self, i: usize, clause: &str) -> bool {
        let Some(c) = NO_SCORE.captures(clause) else {
            return false;
        };
        let Some(points) = self.points.filter(|_| !self.bonus) else {
            return false;
        };
        let at = c.get(1).map(|m| m.end()).unwrap_or(0);
        self.make_checks(i, clause, at, points, true)
    }

    pub(super) fn checks(&mut self, i: usize, clause: &str) -> bool {
        let (c, per_item) = match CHECKS_EACH.captures(clause) {
            Some(c) => (c, true),
            None => match DEDUCT.captures(clause) {
                Some(c) => (c, false),
                None => return false,
            },
        };
        let Some(each) = parse_num(&c[2]) else {
            return false;
        };
        let at = c.get(1).map(|m| m.end()).unwrap_or(0);
        self.per_item = per_item;
        let made = self.make_checks(i, clause, at, each, false);
        self.per_item = false;
        if !made {
            return false;
        }
        self.listed_duty(per_item);
        let rule = self.rules.last_mut().expect("make_checks pushed a rule");
        if let DraftKind::Checks { checks, once, .. } = &rule.kind
            && checks.len() > 1
            && !per_item
            && !*once
        {
            let words = clause.to_string();
            rule.flag(
                FlagKind::Review,
                format!(
                    "「{words}」读作每项未做到各扣 {} 分；若指有一项未做到即扣 {} 分（只扣一次），改为 apply = \"once\"",
                    fmt(each),
                    fmt(each)
                ),
                Some(&words),
            );
        }
        true
    }

    /// Yes/no duties of the checks rule just made that list several things with 、
    /// (配齐协管员、信息员; 蚊、蝇、蟑螂密度均应达到C级以上; 成立…、建立…、明确…). With
    /// 每项, a list whose parts each lead with their verb (or whose count is said: 三项制度)
    /// is a check per part; a list that is the rule's only duty is split too, flagged,
    /// since where the parts end and what they are called are guesses; any other list
    /// stays one check, flagged. Without 每项, a list that is the only duty stays one
    /// check, flagged (the deduction may be per part).
    fn listed_duty(&mut self, per_item: bool) {
        let Some(rule) = self.rules.last() else {
            return;
        };
        let DraftKind::Checks { checks, .. } = &rule.kind else {
            return;
        };
        let only = checks.len() == 1;
        let old = checks.clone();
        let mut new = Vec::new();
        let mut notes = Vec::new();
        let mut reviews = Vec::new();
        for check in old {
            let whole = check.source_text.clone();
            if check.threshold.is_some() || !whole.contains('、') {
                new.push(check);
                continue;
            }
            let parts: Vec<String> = whole.split('、').map(|p| p.trim().to_string()).collect();
            let mut labels = parts.clone();
            let n = parts.len();
            // 建立风险源清单、应急物资储备点、应急处置队伍: one verb for every part (not
            // 开展校园、集体聚餐等专项整治, whose parts qualify the noun at its end).
            let shared = DUTY_VERBS.find(&parts[0]).map(|m| m.as_str().to_string());
            // Each part a thing of its own (three characters at least, no 的, not 两级 /
            // 相结合: 建立街道、社区两级网格 and 自治、法治、德治相结合的体系 qualify one
            // thing).
            let thing = |p: &str| {
                p.chars().count() >= 3
                    && !p.contains(['的', '等'])
                    && !p.contains("级")
                    && !p.contains("结合")
                    && !DUTY_VERB_IN.is_match(p)
            };
            let distributes = per_item
                && shared.as_ref().is_some_and(|v| thing(&parts[0][v.len()..]))
                && parts[1..].iter().all(|p| thing(p));
            if distributes && let Some(verb) = &shared {
                for l in labels.iter_mut().skip(1) {
                    *l = format!("{verb}{l}");
                }
            }
            // The first part may open with who does it (镇（街道）成立…, 将…纳入…).
            let sure = distributes
                || DUTY_VERB_IN.is_match(&parts[0])
                    && parts[1..].iter().all(|p| DUTY_VERBS.is_match(p))
                || COUNT_SAID
                    .captures(&whole)
                    .and_then(|c| parse_num(&c[1]))
                    .is_some_and(|k| k == Decimal::from(n));
            if !per_item {
                if only {
                    reviews.push(format!("「{whole}」列了几件事，读作一个检查项（都做到才不扣分）；若每件分别扣分，请拆成几个检查项"));
                }
                new.push(check);
                continue;
            }
            if !sure && !only {
                reviews.push(format!(
                    "「{whole}」列了几件事，读作一个检查项；若“每项”指其中每一件，请拆成几个检查项"
                ));
                new.push(check);
                continue;
            }
            self.inputs.retain(|i| Some(&i.key) != check.input.as_ref());
            for (part, label) in parts.iter().zip(&labels) {
                // 配备2名以上专职统计人员: a count among the duties.
                let base = self.text.find(part.as_str());
                if let Some(base) = base
                    && let Some(t) = super::targets::targets_in(part, base).into_iter().next()
                {
                    let mut c = self.target_check(&t);
                    let said = self.text[t.start..t.end].to_string();
                    if let Some(inp) = c
                        .input
                        .as_ref()
                        .and_then(|k| self.inputs.iter_mut().find(|i| &i.key == k))
                    {
                        inp.source_text = said.clone();
                    }
                    c.source_text = said;
                    new.push(c);
                    continue;
                }
                let key = self.input(strip_de(label), InputKind::Bool, None, part);
                new.push(DraftCheck {
                    input: Some(key),
                    ratio: None,
                    threshold: None,
                    label: None,
                    source_text: part.clone(),
                });
            }
            if sure {
                notes.push(format!(
                    "「{whole}」按“、”拆成 {n} 个检查项，每项未做到各扣"
                ));
            } else {
                reviews.push(format!(
                    "「{whole}」按“、”拆成 {n} 个检查项，每项未做到各扣；请核对各项的名称和项数"
                ));
            }
        }
        let rule = self.rules.last_mut().expect("a rule");
        if let DraftKind::Checks { checks, .. } = &mut rule.kind {
            *checks = new;
        }
        if !notes.is_empty() && reviews.is_empty() && only {
            rule.flags
                .retain(|f| !f.message.starts_with("检查项按前文各句拟出"));
            rule.recompute();
        }
        for note in notes {
            rule.flags.push(Flag::new(FlagKind::Note, note, None));
        }
        for review in reviews {
            rule.flag(FlagKind::Review, review, None);
        }
    }

    /// A checks rule for the condition before byte `at` of clause `i`.
    fn make_checks(
        &mut self,
        i: usize,
        clause: &str,
        at: usize,
        each: Decimal,
        once: bool,
    ) -> bool {
        let (cond, first) = self.condition(i, at);
        // 以上三项每缺一项: the duties before, counted.
        let cond = match LISTED_ABOVE.find(&cond) {
            Some(m) => cond[m.end()..].to_string(),
            None => cond,
        };
        let source = self.span(first, i).to_string();
        let mut flags = Vec::new();
        // 未配齐的: a verb alone names no duty; the scope says what.
        let bare_verb =
            named_check(&cond).is_some_and(|l| l.chars().count() <= 2) && !self.scope.is_empty();
        let checks = if GENERIC.is_match(&cond) || bare_verb {
            let mut checks = self.generic_checks(&cond, clause, &mut flags);
            // 纳入重点工作并签订责任书，未签订的: the duty the verb names (not a verb that
            // says any duty: 未落实的, 未开展的).
            if bare_verb && !GENERIC.is_match(&cond) {
                let verb = named_check(&cond).unwrap_or_default();
                let named: Vec<usize> = (0..checks.len())
                    .filter(|&k| checks[k].source_text.contains(verb.as_str()))
                    .collect();
                if named.len() == 1 && checks.len() > 1 {
                    let keep = checks.swap_remove(named[0]);
                    let dropped: Vec<String> =
                        checks.iter().map(|c| c.source_text.clone()).collect();
                    self.inputs
                        .retain(|i| !checks.iter().any(|c| c.input.as_ref() == Some(&i.key)));
                    checks = vec![keep];
                    flags.retain(|(_, m)| !m.starts_with("检查项按前文各句拟出"));
                    flags.push((
                        FlagKind::Note,
                        format!(
                            "「{cond}」只考核「{verb}」这一项；{}未列入",
                            dropped
                                .iter()
                                .map(|d| format!("「{d}」"))
                                .collect::<String>()
                        ),
                    ));
                }
            }
            checks
        } else if let Some(c) = COND_PERCENT.captures(&cond) {
            let Some(check) = self.percent_condition(&cond, &c) else {
                return false;
            };
            vec![check]
        } else if let Some(c) = COND_DECIMAL.captures(&cond) {
            let Some(check) = self.decimal_condition(&cond, &c) else {
                return false;
            };
            vec![check]
        } else if let Some(c) = COND_COUNT.captures(&cond) {
            let Some(check) = self.count_condition(&cond, &c, &mut flags) else {
                return false;
            };
            vec![check]
        } else if cond.contains('或') && cond.split('或').all(|p| named_check(p).is_some()) {
            // 未建立台账或台账不完整的: either fails, one deduction.
            let parts: Vec<String> = cond.split('或').map(str::to_string).collect();
            let mut checks = Vec::new();
            for part in parts {
                let label = named_check(&part).expect("checked above");
                let key = self.input(&label, InputKind::Bool, None, &part);
                checks.push(DraftCheck {
                    input: Some(key),
                    ratio: None,
                    threshold: None,
                    label: None,
                    source_text: part,
                });
            }
            self.push_checks(checks, &source, flags, each, true);
            if let Some(rule) = self.rules.last_mut() {
                rule.label = None;
            }
            return true;
        } else if let Some(label) = named_check(&cond) {
            // 流出面积不得大于流入面积，未实现平衡的: a comparison of two figures before a
            // condition that names it otherwise.
            if let Some(&last) = self.scope.last()
                && COMPARISON.is_match(self.clause(last))
                && !self.clause(last).contains(|c: char| c.is_ascii_digit())
            {
                let before = self.clause(last).to_string();
                flags.push((
                    FlagKind::Review,
                    format!("「{before}」是两个数的比较，读作是/否「{label}」；若要由这两个数比较，改为 below 规则（input 与 reference）"),
                ));
            }
            let key = self.input(&label, InputKind::Bool, None, &cond);
            vec![DraftCheck {
                input: Some(key),
                ratio: None,
                threshold: None,
                label: None,
                source_text: cond.clone(),
            }]
        } else {
            return false;
        };
        self.push_checks(checks, &source, flags, each, once);
        true
    }

    /// The checks of a condition that only says "not done" (未落实的), from the scope, with
    /// the flags asking a person to confirm them.
    fn generic_checks(
        &mut self,
        cond: &str,
        clause: &str,
        flags: &mut Vec<(FlagKind, String)>,
    ) -> Vec<DraftCheck> {
        let (mut checks, left_out) = self.scope_checks(cond);
        // 建立矛盾纠纷排查化解制度（5分）。未建立的扣5分: the title is the duty.
        if checks.is_empty()
            && let Some(title) = self.title.clone()
            && DUTY_VERB_IN.is_match(&title)
        {
            let key = self.input(&title, InputKind::Bool, None, clause);
            checks.push(DraftCheck {
                input: Some(key),
                ratio: None,
                threshold: None,
                label: None,
                source_text: clause.to_string(),
            });
            flags.push((FlagKind::Note, format!("检查项取自本项标题「{title}」")));
            return checks;
        }
        let bools = checks.iter().filter(|c| c.threshold.is_none()).count();
        // 以上每缺一项扣3分 after duties each led by its verb: the duties are the checks.
        let duties = self.per_item
            && checks
                .iter()
                .all(|c| c.threshold.is_some() || DUTY_VERB_IN.is_match(&c.source_text));
        // One duty before 未落实的 (须于6月30日前全部开工): it is the check.
        let one_duty = checks.len() == 1
            && bools == 1
            && !checks[0]
                .source_text
                .contains(['、', '和', '及', '与', '或']);
        if bools > 0 {
            flags.push((
                if duties || one_duty {
                    FlagKind::Note
                } else {
                    FlagKind::Review
                },
                format!(
                    "检查项按前文各句拟出（{} 项），请核对：删去不考核的，拆分或合并句子",
                    checks.len()
                ),
            ));
        }
        if !left_out.is_empty() {
            // 未达到的 names the targets; the sentences around them say what they measure
            // (推行网上信访，网上信访占比达到80%以上). 未完成的 may mean the tasks too.
            let named = ["达到", "达标", "达不到", "超过", "超出", "超标"]
                .iter()
                .any(|w| cond.contains(w));
            flags.push((
                if named {
                    FlagKind::Note
                } else {
                    FlagKind::Review
                },
                format!(
                    "只把有指标的句子列为检查项；以下句子未列入，若也应考核请加上：{}",
                    left_out
                        .iter()
                        .map(|c| format!("「{c}」"))
                        .collect::<Vec<_>>()
                        .join("")
                ),
            ));
        }
        if checks.is_empty() {
            flags.push((
                FlagKind::Unsettled,
                format!(
                    "「{clause}」前没有读出检查项：请在 checks 中列出（如 {{ input = \"…\" }}）"
                ),
            ));
        }
        checks
    }

    /// 经费到位率低于90%: the percentage the condition names, as a check.
    fn percent_condition(&mut self, cond: &str, c: &Captures<'_>) -> Option<DraftCheck> {
        let mut label = clean_subject(&c[1]);
        let n = c[3].parse::<Decimal>().ok()?;
        if label.is_empty() {
            // 低于80%的扣6分，低于90%的扣3分: the measure of the band before.
            let (before, kind) = self.measure_before()?;
            if kind != InputKind::Percent {
                return None;
            }
            label = before;
        }
        let threshold = if matches!(&c[2], "高于" | "超过" | "大于") {
            Threshold::AtMost(n)
        } else {
            Threshold::AtLeast(n)
        };
        let based = RATE_WORDS.iter().any(|w| label.ends_with(w)) || label.ends_with("占比");

        let t = Target {
            start: 0,
            end: 0,
            label,
            measure: Measure::Percent { based },
            threshold,
        };
        let mut check = self.target_check(&t);
        check.source_text = cond.to_string();
        if let Some(inp) = self.inputs.last_mut() {
            inp.source_text = cond.to_string();
        }
        Some(check)
    }

    /// The measure of the single check the rule before this one made, for a condition
    /// that names none (发案率高于3‰的扣6分，高于2‰的扣3分): its label and kind.
    pub(super) fn measure_before(&self) -> Option<(String, InputKind)> {
        self.input_before().map(|(_, label, kind)| (label, kind))
    }

    /// The input of the single check the rule before this one made: (key, label, kind).
    pub(super) fn input_before(&self) -> Option<(String, String, InputKind)> {
        let rule = self.rules.last()?;
        // 高于全区平均值的扣3分，比去年同期上升的扣2分: the unit's own figure of a below.
        if let DraftKind::Below {
            input, reference, ..
        } = &rule.kind
        {
            return [input, reference].into_iter().find_map(|k| {
                self.inputs
                    .iter()
                    .find(|i| &i.key == k)
                    .map(|i| (i.key.clone(), i.label.clone(), i.kind))
            });
        }
        let DraftKind::Checks { checks, .. } = &rule.kind else {
            return None;
        };
        let [check] = checks.as_slice() else {
            return None;
        };
        let key = check.input.as_ref()?;
        check.threshold?;
        self.inputs
            .iter()
            .find(|i| &i.key == key)
            .map(|i| (i.key.clone(), i.label.clone(), i.kind))
    }

    /// 发案率高于3‰, 死亡率高于0.03: a number with no unit or per mille, as a check on a
    /// decimal input (a rate per mille is entered as the number of ‰).
    fn decimal_condition(&mut self, cond: &str, c: &Captures<'_>) -> Option<DraftCheck> {
        let n = c[3].parse::<Decimal>().ok()?;
        let mille = c.get(4).is_some();
        let mut label = clean_subject(&c[1]);
        if label.is_empty() {
            let (before, kind) = self.measure_before()?;
            if kind != InputKind::Decimal {
                return None;
            }
            label = before;
        } else if mille {
            label = format!("{label}（‰）");
        }
        // A plain number needs a measure that reads as one: a rate, an index, a score.
        if !mille
            && !["率", "指数", "得分", "分数", "（‰）"]
                .iter()
                .any(|w| label.ends_with(w))
        {
            return None;
        }
        let threshold = if matches!(&c[2], "高于" | "超过" | "大于") {
            Threshold::AtMost(n)
        } else {
            Threshold::AtLeast(n)
        };
        let key = self.input(&label, InputKind::Decimal, None, cond);
        Some(DraftCheck {
            input: Some(key),
            ratio: None,
            threshold: Some(threshold),
            label: None,
            source_text: cond.to_string(),
        })
    }

    /// 业务培训次数少于3次: the count the condition names, as a check.
    fn count_condition(
        &mut self,
        cond: &str,
        c: &Captures<'_>,
        flags: &mut Vec<(FlagKind, String)>,
    ) -> Option<DraftCheck> {
        let mut label = without_year(&clean_subject(&c[1]));
        let n = parse_num(&c[2])?;
        if label.is_empty() {
            // 未开展的扣5分，全年少于4次的扣2分: the count of what the rule before checks,
            // as a guess.
            let before = match self.rules.last().map(|r| &r.kind) {
                Some(DraftKind::Checks { checks, .. }) => {
                    checks.last().map(|c| strip_de(&c.source_text).to_string())
                }
                _ => None,
            };
            label = format!("{}次数", before.unwrap_or_default());
            flags.push((
                FlagKind::Review,
                format!(
                    "「{cond}」没写明是什么的次数：拟为「{label}」；若它与前一句是同一事项的两档（未开展的扣…，不足…次的扣…），请合并为一条 tiers 规则"
                ),
            ));
        }
        let key = self.input(&label, InputKind::Count, Some(&c[3]), cond);
        Some(DraftCheck {
            input: Some(key),
            ratio: None,
            threshold: Some(Threshold::AtLeast(n)),
            label: None,
            source_text: cond.to_string(),
        })
    }

    /// Pushes the checks rule, with its flags and a warning when its checks can deduct
    /// more than the item's points.
    fn push_checks(
        &mut self,
        checks: Vec<DraftCheck>,
        source: &str,
        flags: Vec<(FlagKind, String)>,
        each: Decimal,
        once: bool,
    ) {
        let n = checks.len();
        let mut rule = DraftRule::new(
            DraftKind::Checks {
                checks: checks.clone(),
                each,
                once,
            },
            source,
        );
        for (kind, message) in flags {
            rule.flag(kind, message, None);
        }
        self.flag_unbased(&mut rule, &checks);
        if let Some(p) = self.points
            && !once
            && n > 1
            && Decimal::from(n) * each > p
        {
            rule.flag(
                FlagKind::Review,
                format!(
                    "{n} 项 × {} 分 = {} 分，超过本项分值 {}（扣完为止）；请核对是否有句子不是检查项",
                    fmt(each),
                    fmt(Decimal::from(n) * each),
                    fmt(p)
                ),
                None,
            );
        }
        if once {
            rule.label = Some("不得分".to_string());
        }
        self.rules.push(rule);
    }
}
