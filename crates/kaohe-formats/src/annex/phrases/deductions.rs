//! Deductions counted in a number: 每少一次 (a shortfall from a required count), 少于上一年度
//! (below last year's figure), 每发现一起 (per count).

use kaohe_core::Decimal;

use super::Reader;
use super::targets::{Measure, RATE_WORDS};
use super::words::{clean_subject, fmt, parse_num, strip_de, without_year};
use crate::annex::draft::{DraftKind, DraftRule, Flag, FlagKind, InputKind, Threshold};

regex!(
    SHORTFALL,
    "(?:每)?(?:少|缺|差)(?:一|1)(次|期|场|篇|个|项|人次|批|件|家|户|名|人)(?:的)?(?:扣|扣除)NUM分"
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
    BELOW_DISTRICT,
    "^(.*?)(?:低于|少于|小于|不及)((?:全省|全市|全区|全县|全镇|全街道)[^，。；的]{0,24})的?[，,]?(?:扣|扣除)NUM分|^(.*?)(高于|超过|大于)((?:全省|全市|全区|全县|全镇|全街道)[^，。；的]{0,24})的?[，,]?(?:扣|扣除)NUM分"
);
regex!(
    RISE_CHANGE,
    "^(.*?)(?:比|较|与)(?:上一?年度?|上年度?|去年)(?:同期)?(?:相比)?(?:有所)?(?:上升|增加|增长|升高)的?[，,]?(?:扣|扣除)NUM分"
);
regex!(
    PER_SLASH,
    "^(.*?)[，,]?(?:扣|扣除)NUM分\\s*[/／]\\s*(次|件|起|例|处|宗|个|家|户|人次|人)"
);
regex!(FEWER, "^(.*?)(?:少于|不足|低于)NUM(次|期|场|篇|个|件)的?$");
regex!(
    PER_COUNT,
    "^(.*?)(?:每(发现|出现|发生|缺席|迟报|漏报|错报|少报|有|缺|逾期|超期|延误)?(?:一|1)?|(缺席|迟报|漏报|错报|发现|出现|发生)(?:一|1))(次|起|例|人次|件|处|宗|个|家|户|名|项|亩)([^，。；扣每]{0,20}?)(?:的)?[，,]?(?:扣|扣除)NUM分"
);

regex!(
    PER_STEP,
    "^(.*?)每(?:低于?|少|下降|降低|减少)(?:目标值?|标准值?|要求)?NUM(个百分点|%|分)(?:的)?[，,]?(?:扣|扣除)NUM分"
);
regex!(FULL_SCORE, "满分NUM分|百分制");
regex!(ROUND_UP, "不足.*按.*计");
regex!(ROUND_EXACT, "按比例(?:扣分|扣减|计算|计)");

regex!(
    PROPORTIONAL,
    "^(.*?)按(?:完成)?(?:比例|进度)(?:得分|计分|[计得]NUM分)|^(.*?)按.{1,30}?占.{1,30}?的?比例(?:得分|计分)"
);
// 得分＝实际建成面积÷下达任务面积×5分: (num, den, points).
regex!(
    FORMULA,
    "得分\\s*[＝=]\\s*(.{1,30}?)\\s*[÷/]\\s*(.{1,30}?)\\s*[×xX*]\\s*NUM分"
);
// 区市场监管局下达的食品生产经营主体年度日常监督检查任务: (what was assigned).
regex!(ASSIGNED, "^[^完]*?(?:下达|交办|分解|布置)的(.{2,30})$");
regex!(SHARE_OF, "(按.{1,30}?)占(.{1,30}?)的?比例(?:得分|计分)");

impl Reader<'_> {
    /// 下达的任务，按完成比例得分（满分5分）: a completion rate against 100%, flagged, since
    /// the measure may as well be a count against its task.
    pub(super) fn proportional(&mut self, i: usize, clause: &str) -> bool {
        let Some(c) = PROPORTIONAL.captures(clause) else {
            return false;
        };
        let at = c.get(1).or_else(|| c.get(3)).map_or(0, |m| m.end());
        let (mut cond, mut first) = self.condition(i, at);
        // 区里下达的检查任务，按完成比例得分: the task stands in the clause before.
        if cond.is_empty()
            && let Some(&last) = self.scope.last()
        {
            cond = strip_de(self.clause(last)).to_string();
            first = last;
            self.scope.pop();
        }
        let subject = clean_subject(&cond);
        let named_rate = subject.ends_with('率');
        let label = if subject.is_empty() || named_rate {
            if subject.is_empty() {
                "完成率".to_string()
            } else {
                subject.clone()
            }
        } else {
            format!("{subject}完成率")
        };
        let source = self.span(first, i).to_string();
        // 按已兑现事项数占应兑现事项数的比例计分: a share of two counts the unit reports.
        let share = SHARE_OF.captures(clause).map(|c| {
            (
                clean_subject(&c[1]).trim_start_matches('按').to_string(),
                c[2].trim().to_string(),
            )
        });
        // 区文明办年初下达的公益广告设置任务，按完成比例得分: what is done against the task
        // the district assigned (a unit-level fact it sets for each unit).
        let assigned = ASSIGNED
            .captures(&subject)
            .filter(|_| !named_rate && share.is_none())
            .map(|c| c[1].trim_end_matches("任务").to_string())
            .filter(|what| !what.is_empty());
        let (key, ratio) = match &share {
            Some((num, den)) if !num.is_empty() && !den.is_empty() => {
                let n = self.input(num, InputKind::Count, None, &source);
                let d = self.input(den, InputKind::Count, None, &source);
                (None, Some((n, d)))
            }
            _ if assigned.is_some() => {
                let what = assigned.clone().expect("checked");
                let n = self.input(&format!("已完成的{what}"), InputKind::Count, None, &source);
                let d = self.units.key_for(&format!("{what}任务"), &source);
                self.keys.reserve(&d);
                (None, Some((n, d)))
            }
            _ => (
                Some(self.input(&label, InputKind::Percent, None, &source)),
                None,
            ),
        };
        // 满分N分 in the clause or the next: the points at stake; 达标率100%的得满分 after
        // it says what the rule says.
        let mut max = c.get(2).and_then(|n| parse_num(n.as_str()));
        let mut consumed = Vec::new();
        if let Some(j) = (i + 1 < self.clauses.len()).then_some(i + 1)
            && self.clause(j).ends_with("得满分")
        {
            self.consumed.push(j);
            consumed.push(self.clause(j).to_string());
        }
        for j in i..(i + 2).min(self.clauses.len()) {
            if let Some(f) = FULL_SCORE.captures(self.clause(j))
                && let Some(n) = f.get(1).and_then(|n| parse_num(n.as_str()))
            {
                max = Some(n);
                if j > i {
                    self.consumed.push(j);
                    consumed.push(self.clause(j).to_string());
                }
            }
        }
        let mut rule = DraftRule::new(
            DraftKind::Proportional {
                input: key,
                target: if ratio.is_some() {
                    None
                } else {
                    Some(Decimal::ONE_HUNDRED)
                },
                ratio,
                max,
            },
            &source,
        );
        // A rate named (水质达标率按完成比例得分) or a share of two counts is what it says;
        // a task (下达的检查任务，按完成比例得分) may be a rate or a count against the task.
        for words in consumed {
            rule.flags.push(Flag::new(
                FlagKind::Note,
                format!("「{words}」属于本条规则"),
                Some(&words),
            ));
        }
        // Careful readers differ here (a count against the task, or a completion rate the
        // unit reports): flagged.
        if let Some(what) = &assigned {
            rule.flag(
                FlagKind::Review,
                format!("读作已完成的{what}对区里下达的{what}任务之比（任务数是单位级事实，由区里为每个单位填写）；若由单位直接填报完成率，改为 input = 完成率、target = 100"),
                Some(&source),
            );
        } else if !named_rate && share.is_none() {
            rule.flag(
                FlagKind::Review,
                "按完成比例得分：读作“完成率”对 100% 的比例；若完成的是数量对任务数，改为 ratio = [\"完成数\", \"任务数\"]（任务数可设为单位基础数据）",
                Some(&source),
            );
        }
        self.rules.push(rule);
        true
    }

    /// 完成率达到95%，每低于目标值1个百分点扣0.5分 / 测评得分（满分100分）每少1分扣0.2分.
    pub(super) fn shortfall_per_step(&mut self, i: usize, clause: &str) -> bool {
        let Some(c) = PER_STEP.captures(clause) else {
            return false;
        };
        let (Some(step), Some(each)) = (parse_num(&c[2]), parse_num(&c[4])) else {
            return false;
        };
        let percent = &c[3] != "分";
        let own = self.clauses[i].start;
        let subject = strip_de(&c[1]).trim_end_matches(['，', ',']).to_string();
        let mut in_clause = super::targets::targets_in(&c[1], own);
        let mut targets = self.scope_targets();
        targets.append(&mut in_clause);
        let mut measures = Vec::new();
        let (label, required, words) = if percent {
            let last = targets
                .iter()
                .rev()
                .find(|t| matches!(t.measure, Measure::Percent { .. }))
                .cloned();
            match last {
                Some(t) => {
                    // The measures of one list (及时受理率、按期办结率均应达到100%): a rule each.
                    measures = targets
                        .iter()
                        .filter(|s| {
                            s.start == t.start
                                && s.end == t.end
                                && matches!(s.measure, Measure::Percent { .. })
                        })
                        .cloned()
                        .collect();
                    let n = match t.threshold {
                        Threshold::AtLeast(n) | Threshold::AtMost(n) => n,
                    };
                    let words = self.text[t.start..t.end].to_string();
                    (t.label, Some(n), Some(words))
                }
                None => (clean_subject(&subject), None, None),
            }
        } else {
            let scope_text: String = self
                .scope
                .iter()
                .map(|&s| self.clause(s).to_string())
                .chain([clause.to_string()])
                .collect();
            let full = FULL_SCORE.captures(&scope_text).map(|f| match f.get(1) {
                Some(n) => parse_num(n.as_str()),
                None => Some(Decimal::ONE_HUNDRED),
            });
            let label = clean_subject(
                &FULL_SCORE
                    .replace_all(&subject, "")
                    .replace(['（', '）', '(', ')'], ""),
            );
            (label, full.flatten(), None)
        };
        let label = if label.is_empty() {
            "完成值".to_string()
        } else {
            label
        };
        let source = self.span(i, i).to_string();
        let kind = if percent {
            InputKind::Percent
        } else {
            InputKind::Decimal
        };
        let key = self.input(&label, kind, None, words.as_deref().unwrap_or(&source));
        if !percent && let Some(inp) = self.inputs.last_mut() {
            inp.min = Some(Decimal::ZERO);
            inp.max = required;
        }
        // How a part of a step counts, said in the clauses after it.
        let mut round = "down";
        let mut said = None;
        for j in i + 1..(i + 3).min(self.clauses.len()) {
            let next = self.clause(j).to_string();
            if ROUND_UP.is_match(&next) {
                round = "up";
            } else if ROUND_EXACT.is_match(&next) {
                round = "exact";
            } else {
                continue;
            }
            self.consumed.push(j);
            said = Some(next);
            break;
        }
        let mut rule = DraftRule::new(
            DraftKind::Shortfall {
                input: key,
                required,
                each,
                step,
                round,
                max: None,
            },
            &source,
        );
        match (&words, required) {
            (Some(w), Some(n)) => rule.flags.push(Flag::new(
                FlagKind::Note,
                format!("目标值 {}% 取自「{w}」", fmt(n)),
                Some(w),
            )),
            (None, Some(_)) => {}
            (_, None) => rule.flag(
                FlagKind::Unsettled,
                "没有读出目标值（如“完成率达到95%”或“满分100分”）：请填上 required = …",
                Some(&source),
            ),
        }
        if label.contains('、') {
            // 及时受理率、按期办结率均应达到100%: each measure may count on its own.
            rule.flag(
                FlagKind::Review,
                format!("「{label}」是几项指标：若各自计算（每项最多扣…），请为每项写一条 shortfall 规则"),
                Some(&label),
            );
        }
        if let Some(next) = said {
            rule.flags.push(Flag::new(
                FlagKind::Note,
                format!("不足一档如何计取自「{next}」"),
                Some(&next),
            ));
        }
        // The other measures of the list, each its own rule, before the last one (which
        // a 最多扣N分 after it bounds).
        for m in measures.iter().filter(|m| m.label != label) {
            let at = words.as_deref().unwrap_or(&source);
            let k = self.input(&m.label, kind, None, at);
            let mut other = rule.clone();
            if let DraftKind::Shortfall {
                input, required, ..
            } = &mut other.kind
            {
                *input = k;
                *required = Some(match m.threshold {
                    Threshold::AtLeast(n) | Threshold::AtMost(n) => n,
                });
            }
            self.rules.push(other);
        }
        self.rules.push(rule);
        true
    }

    pub(super) fn shortfall(&mut self, i: usize, clause: &str) -> bool {
        let Some(c) = SHORTFALL.captures(clause) else {
            return false;
        };
        let Some(each) = parse_num(&c[2]) else {
            return false;
        };
        let unit = c[1].to_string();
        // 缺一项扣N分 is a check per missing duty.
        if unit == "项" && clause.contains('缺') {
            return false;
        }
        let source = self.span(i, i).to_string();
        let targets = self.scope_targets();
        let target = targets
            .iter()
            .rev()
            .find(|t| matches!(t.measure, Measure::Count { .. }))
            .cloned();
        // 召开党员大会不少于4次、讲党课不少于4次，每少一次扣1分: a rule for each count of
        // the clause (the last one below).
        if let Some(last) = &target {
            let clause_of = |t: &super::targets::Target| {
                self.clauses
                    .iter()
                    .position(|c| c.start <= t.start && t.end <= c.end)
            };
            let siblings: Vec<super::targets::Target> = targets
                .iter()
                .filter(|t| {
                    matches!(t.measure, Measure::Count { .. })
                        && t.start != last.start
                        && clause_of(t) == clause_of(last)
                })
                .cloned()
                .collect();
            for t in siblings {
                let rule = self.count_shortfall(&t, &unit, each, &source);
                self.rules.push(rule);
            }
        }
        // 全年少于12次的，每少一次扣0.5分: the count in the condition before.
        let target = target.or_else(|| {
            let &last = self.scope.last()?;
            let text = self.clause(last);
            let c = FEWER.captures(text)?;
            let n = parse_num(&c[2])?;
            let label = without_year(&clean_subject(&c[1]));
            let start = self.clauses[last].start;
            Some(super::targets::Target {
                start,
                end: start + text.len(),
                label: if label.is_empty() {
                    format!("{}数", &c[3])
                } else {
                    label
                },
                measure: Measure::Count {
                    unit: c[3].to_string(),
                },
                threshold: Threshold::AtLeast(n),
            })
        });
        let mut rule;
        match target {
            Some(t) => rule = self.count_shortfall(&t, &unit, each, &source),
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

    /// 得分率低于全市平均水平的扣5分 / 增幅低于全县农村居民人均可支配收入增幅的扣4分: below
    /// a figure of the district, the same for every unit (a unit-level fact it sets).
    pub(super) fn below_district(&mut self, i: usize, clause: &str) -> bool {
        let Some(m) = BELOW_DISTRICT.captures(clause) else {
            return false;
        };
        // The two alternatives as one: (subject, district figure, amount, comparison).
        let c: Vec<String> = if m.get(1).is_some() {
            vec![
                m[0].to_string(),
                m[1].to_string(),
                m[2].to_string(),
                m[3].to_string(),
                "低于".to_string(),
            ]
        } else {
            vec![
                m[0].to_string(),
                m[4].to_string(),
                m[6].to_string(),
                m[7].to_string(),
                m[5].to_string(),
            ]
        };
        let Some(deduct) = parse_num(&c[3]) else {
            return false;
        };
        let subject = clean_subject(&c[1]);
        if subject.is_empty() {
            return false;
        }
        let source = self.span(i, i).to_string();
        let reference = c[2].to_string();
        // 高于全区平均值的: the district's figure below the unit's.
        let above = matches!(c[4].as_str(), "高于" | "超过" | "大于");
        let kind = if subject.ends_with('数') || subject.ends_with("数量") {
            InputKind::Count
        } else if RATE_WORDS.iter().any(|w| subject.ends_with(w)) {
            InputKind::Percent
        } else {
            InputKind::Decimal
        };
        let input = self.input(&subject, kind, None, &source);
        let reference = self.units.key_for(&reference, &source);
        self.keys.reserve(&reference);
        let (input, reference) = if above {
            (reference, input)
        } else {
            (input, reference)
        };
        let mut rule = DraftRule::new(
            DraftKind::Below {
                input,
                reference,
                deduct,
            },
            &source,
        );
        rule.flags.push(Flag::new(
            FlagKind::Note,
            format!("「{}」读作单位级事实：由区里为每个单位填同一个数", &c[2]),
            Some(&c[2]),
        ));
        self.rules.push(rule);
        true
    }

    /// A shortfall from the count a target states (业务培训1年2次以上), noted where the
    /// count was read.
    fn count_shortfall(
        &mut self,
        t: &super::targets::Target,
        unit: &str,
        each: Decimal,
        source: &str,
    ) -> DraftRule {
        let words = self.text[t.start..t.end].to_string();
        let key = self.input(&t.label, InputKind::Count, Some(unit), &words);
        let required = match t.threshold {
            Threshold::AtLeast(n) | Threshold::AtMost(n) => n,
        };
        let mut rule = DraftRule::new(
            DraftKind::Shortfall {
                input: key,
                required: Some(required),
                each,
                step: Decimal::ONE,
                round: "down",
                max: None,
            },
            source,
        );
        rule.flags.push(Flag::new(
            FlagKind::Note,
            format!("应达次数 {} 取自「{words}」", fmt(required)),
            Some(&words),
        ));
        rule
    }

    pub(super) fn below(&mut self, i: usize, clause: &str) -> bool {
        let Some(c) = BELOW
            .captures(clause)
            .or_else(|| BELOW_CHANGE.captures(clause))
            .or_else(|| RISE_CHANGE.captures(clause))
        else {
            return false;
        };
        // 比去年同期上升的: this year's above last year's, last year's below this year's.
        let rising = RISE_CHANGE.is_match(clause) && !BELOW_CHANGE.is_match(clause);
        let Some(deduct) = parse_num(&c[2]) else {
            return false;
        };
        let subject = clean_subject(&c[1]);
        let source = self.span(i, i).to_string();
        if subject.is_empty() {
            // 达到32%以上，未达到的扣3分，比上年下降的扣3分: the measure of the rule before.
            let Some((input, label, kind)) = self.input_before() else {
                return false;
            };
            let reference = self.input(&format!("上一年度{label}"), kind, None, &source);
            let (input, reference) = if rising {
                (reference, input)
            } else {
                (input, reference)
            };
            self.rules.push(DraftRule::new(
                DraftKind::Below {
                    input,
                    reference,
                    deduct,
                },
                &source,
            ));
            return true;
        }
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
        let (input, reference) = if rising {
            (reference, input)
        } else {
            (input, reference)
        };
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

    /// 得分＝实际建成面积÷下达任务面积×5分（最高得5分）: a share of two figures, the
    /// task the district's when it is 下达.
    pub(super) fn formula(&mut self, i: usize, clause: &str) -> bool {
        let Some(c) = FORMULA.captures(clause) else {
            return false;
        };
        let (num, den) = (c[1].trim().to_string(), c[2].trim().to_string());
        let Some(points) = parse_num(&c[3]) else {
            return false;
        };
        if num.is_empty() || den.is_empty() {
            return false;
        }
        let mut first = i;
        // The task named in the clause before (县下达的年度高标准农田建设任务).
        if let Some(&last) = self.scope.last() {
            first = last;
        }
        let source = self.span(first, i).to_string();
        let n = self.input(&num, InputKind::Decimal, None, &source);
        let d = if den.contains("下达") || den.contains("任务") {
            let key = self.units.key_for(&den, &source);
            self.keys.reserve(&key);
            key
        } else {
            self.input(&den, InputKind::Decimal, None, &source)
        };
        // 最高得5分 after it: the same bound.
        let mut rule = DraftRule::new(
            DraftKind::Proportional {
                input: None,
                ratio: Some((n, d)),
                target: None,
                max: Some(points),
            },
            &source,
        );
        if let Some(j) = (i + 1 < self.clauses.len()).then_some(i + 1)
            && let Some(m) = super::bounds::cap_of(self.clause(j))
            && m == points
        {
            self.consumed.push(j);
            let words = self.clause(j).to_string();
            rule.flags.push(Flag::new(
                FlagKind::Note,
                format!("「{words}」即公式的上限"),
                Some(&words),
            ));
        }
        self.rules.push(rule);
        true
    }

    /// 未按时上报的，扣1分/次: a deduction per occurrence written as a rate.
    pub(super) fn per_count_slash(&mut self, i: usize, clause: &str) -> bool {
        let Some(c) = PER_SLASH.captures(clause) else {
            return false;
        };
        let Some(each) = parse_num(&c[2]) else {
            return false;
        };
        let unit = c[3].to_string();
        let (cond, first) = self.condition(i, c.get(1).map_or(0, |m| m.end()));
        if cond.is_empty() || cond.contains('每') {
            return false;
        }
        let source = self.span(first, i).to_string();
        let label = format!("{cond}（{unit}）");
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

    pub(super) fn per_count(&mut self, i: usize, clause: &str) -> bool {
        let Some(c) = PER_COUNT.captures(clause) else {
            return false;
        };
        let Some(each) = parse_num(&c[6]) else {
            return false;
        };
        let cond = strip_de(&c[1]).to_string();
        if cond.contains('每') || cond.contains("百分点") || c[5].starts_with("方面") {
            return false;
        }
        let verb = c
            .get(2)
            .or_else(|| c.get(3))
            .map(|m| m.as_str())
            .unwrap_or("");
        let unit = c[4].to_string();
        // 每项扣N分 is a check per unmet item; 每发现一项 counts what is found.
        if unit == "项" && !matches!(verb, "发现" | "出现" | "发生") {
            return false;
        }
        let noun = strip_de(&c[5]).to_string();
        // 学校周边200米范围内存在网吧违规接纳未成年人的，每发现一家扣2分: the clause before
        // says what is counted.
        let (cond, first) = if cond.is_empty() {
            match self.condition(i, 0) {
                // 低于20万元的村，每个扣1分: the clause before names what is counted.
                (c, f) if c.is_empty() && noun.is_empty() => match self.scope.last() {
                    Some(&last) => (strip_de(self.clause(last)).to_string(), last),
                    None => (c, f),
                },
                found => found,
            }
        } else {
            (cond, i)
        };
        let label = match (noun.is_empty(), cond.is_empty(), verb.is_empty()) {
            (false, _, _) => format!("{noun}{unit}数"),
            (true, false, _) if first < i => cond.clone(),
            (true, false, _) => format!("{cond}{verb}次数"),
            (true, true, false) => format!("{verb}次数"),
            (true, true, true) => "扣分次数".to_string(),
        };
        let source = self.span(first, i).to_string();
        let key = self.input(&label, InputKind::Count, Some(&unit), &source);
        let mut rule = DraftRule::new(
            DraftKind::PerCount {
                input: key,
                each,
                max: None,
            },
            &source,
        );
        // 每亩扣0.5分，不足1亩的按1亩计: the area is entered in whole 亩, rounded up.
        if let Some(j) = (i + 1 < self.clauses.len()).then_some(i + 1)
            && ROUND_UP.is_match(self.clause(j))
        {
            self.consumed.push(j);
            let words = self.clause(j).to_string();
            rule.flags.push(Flag::new(
                FlagKind::Note,
                format!("「{words}」：填报时按整{unit}向上取整"),
                Some(&words),
            ));
        }
        self.rules.push(rule);
        true
    }
}
