//! Explanations: every point lost or gained, as a line a person can read.

use rust_decimal::Decimal;

use crate::engine::{CLAMP, Effect, Seen, UnitScore, What};
use crate::facts::Facts;
use crate::num::{fmt as f, fmt_delta, fmt_ratio_percent};
use crate::rubric::{
    Apply, Check, Cmp, Input, InputType, Item, ItemMode, Round, Rubric, RuleKind, Share, Slot,
    Term, Test, TierCmp, VetoEffect,
};

/// The explanation of one item's score, one line per effect, e.g.
/// `信息登记率 93.2% < 95% → −4`.
pub fn explain_item(rubric: &Rubric, facts: &Facts, score: &UnitScore, item: usize) -> Vec<String> {
    let it = &rubric.items()[item];
    let lines: Vec<String> = score
        .effects(item)
        .iter()
        .filter(|e| !is_unreported_optional_zero(rubric, facts, it, e))
        .map(|e| explain_effect(rubric, facts, item, e))
        .collect();
    if lines.is_empty() {
        let nothing = match it.mode {
            ItemMode::Deduct => "无扣分",
            ItemMode::Award => "无加分",
        };
        return vec![format!("{nothing} → 得 {} 分", f(score.items[item].score))];
    }
    lines
}

/// The lines of one rule of an item (what [`explain_item`] says of that rule alone).
pub fn explain_rule(
    rubric: &Rubric,
    facts: &Facts,
    score: &UnitScore,
    item: usize,
    rule: usize,
) -> Vec<String> {
    let it = &rubric.items()[item];
    score
        .effects(item)
        .iter()
        .filter(|e| e.rule as usize == rule && e.rule != CLAMP)
        .filter(|e| !is_unreported_optional_zero(rubric, facts, it, e))
        .map(|e| explain_effect(rubric, facts, item, e))
        .collect()
}

/// An optional count nobody reported (an innovation level with nothing at it) says
/// nothing worth a line.
fn is_unreported_optional_zero(rubric: &Rubric, facts: &Facts, item: &Item, e: &Effect) -> bool {
    let What::Term { term, .. } = e.what else {
        return false;
    };
    let Some(RuleKind::Award { terms, .. }) = item.rules.get(e.rule as usize).map(|r| &r.kind)
    else {
        return false;
    };
    let slot = terms[term as usize].input;
    facts.get(slot).is_none() && !rubric.input(slot).required
}

/// The keys of the required facts that the item is missing.
pub fn missing_keys<'r>(rubric: &'r Rubric, score: &UnitScore, item: usize) -> Vec<&'r str> {
    score
        .missing(item)
        .iter()
        .map(|s| rubric.input(*s).key.as_str())
        .collect()
}

/// The grade's name, with the reason when a veto or downgrade moved it.
pub fn grade_text(rubric: &Rubric, score: &UnitScore) -> String {
    let name = |g: Option<usize>| g.map(|g| rubric.grades()[g].name.clone());
    match (name(score.grade), score.vetoed, score.downgrades) {
        (Some(g), true, _) => format!("{g}（一票否决）"),
        (Some(g), false, n) if n > 0 && score.grade != score.grade_by_total => {
            format!("{g}（降档）")
        }
        (Some(g), _, _) => g,
        (None, true, _) => "一票否决".to_string(),
        (None, false, n) if n > 0 => "降档".to_string(),
        (None, _, _) => String::new(),
    }
}

fn explain_effect(rubric: &Rubric, facts: &Facts, item_index: usize, e: &Effect) -> String {
    let item = &rubric.items()[item_index];
    if e.rule == CLAMP {
        let What::Clamp { raw, to } = e.what else {
            return String::new();
        };
        return explain_clamp(item, raw, to);
    }
    let rule = &item.rules[e.rule as usize];
    match (&rule.kind, &e.what) {
        (RuleKind::PerCount { input, each, .. }, What::Count { value, capped }) => {
            let inp = rubric.input(*input);
            let label = rule.label.as_deref().unwrap_or(&inp.label);
            explain_count(inp, label, *each, *value, *capped, e.delta)
        }
        (RuleKind::Checks { checks, apply, .. }, What::Check { check, seen, met }) => {
            let c = &checks[*check as usize];
            let text = check_text(rubric, facts, c, seen, *met);
            match (met, apply) {
                (true, _) => text,
                (false, Apply::Each) => format!("{text}{}", arrow(e.delta)),
                (false, Apply::Once) => format!("{text}（未达标）"),
            }
        }
        (RuleKind::Checks { checks, .. }, What::AnyUnmet { unmet }) => format!(
            "{} 项中有 {unmet} 项未达标，扣一次{}",
            checks.len(),
            arrow(e.delta)
        ),
        (
            RuleKind::Shortfall {
                input,
                required,
                each,
                step,
                max,
                ..
            },
            What::Shortfall {
                value,
                short,
                steps,
                capped,
            },
        ) => {
            let inp = rubric.input(*input);
            let label = rule.label.as_deref().unwrap_or(&inp.label);
            let counted = Shortfall {
                required: *required,
                each: *each,
                step: *step,
                max: max.filter(|_| *capped),
                value: *value,
                short: *short,
                steps: *steps,
            };
            explain_shortfall(inp, label, counted, e.delta)
        }
        (RuleKind::Proportional { of, max }, What::Proportional { value, den, share }) => {
            let label = rule.label.as_deref();
            explain_proportional(rubric, (of, *max, label), (*value, *den, *share), e.delta)
        }
        (RuleKind::Tiers { input, cmp, tiers }, What::Tier { value, tier }) => {
            let inp = rubric.input(*input);
            let label = rule.label.as_deref().unwrap_or(&inp.label);
            let band = tier.map(|t| &tiers[t as usize]);
            match (value, band) {
                (None, _) => format!("{label} 未填，按最不利一档计{}", arrow(e.delta)),
                (Some(v), Some(t)) => format!(
                    "{label} {}，{} {}的一档扣 {} 分{}",
                    value_text(inp, *v),
                    tier_word(*cmp),
                    value_text(inp, t.bound),
                    f(t.deduct),
                    arrow(e.delta)
                ),
                (Some(v), None) => {
                    let edge = match cmp {
                        TierCmp::Below => tiers.iter().map(|t| t.bound).max(),
                        TierCmp::Above => tiers.iter().map(|t| t.bound).min(),
                    }
                    .unwrap_or_default();
                    let sign = match cmp {
                        TierCmp::Below => "≥",
                        TierCmp::Above => "≤",
                    };
                    format!(
                        "{label} {} {sign} {}，不在扣分档内",
                        value_text(inp, *v),
                        value_text(inp, edge)
                    )
                }
            }
        }
        (
            RuleKind::Below {
                input, reference, ..
            },
            What::Below {
                value,
                reference: r,
                lost,
            },
        ) => {
            let (a, b) = (rubric.input(*input), rubric.input(*reference));
            explain_below((a, *value), (b, *r), *lost, e.delta)
        }
        (RuleKind::Award { terms, .. }, What::Term { term, value }) => {
            let t = &terms[*term as usize];
            explain_term(rubric, facts, t, *value, e.delta)
        }
        (RuleKind::Award { .. }, What::AwardCap { uncapped, cap }) => {
            format!(
                "合计 {} 分，最高得 {} 分{}",
                f(*uncapped),
                f(*cap),
                arrow(e.delta)
            )
        }
        (
            RuleKind::Discretionary {
                reason, direction, ..
            },
            What::Discretionary { amount },
        ) => {
            let word = rule.label.as_deref().unwrap_or(match direction {
                crate::rubric::Direction::Deduct => "酌情扣分",
                crate::rubric::Direction::Add => "适当加分",
            });
            explain_discretionary(facts, word, *reason, *amount, e.delta)
        }
        (RuleKind::Indicator { checks }, What::Check { check, seen, met }) => {
            let c = &checks[*check as usize];
            let text = check_text(rubric, facts, c, seen, *met);
            if *met {
                format!("{text}（目标达成，不计分）")
            } else {
                format!("{text}（未达目标，不计分，已标注）")
            }
        }
        (RuleKind::Veto { checks, effect }, What::Check { check, seen, met }) => {
            let c = &checks[*check as usize];
            let text = check_text(rubric, facts, c, seen, *met);
            let word = match effect {
                VetoEffect::Veto => "一票否决",
                VetoEffect::Downgrade => "降档",
            };
            if *met {
                format!("{text}（未触发{word}）")
            } else {
                format!("{text} → {word}")
            }
        }
        _ => String::new(),
    }
}

/// A discretionary amount with the reason given for it.
fn explain_discretionary(
    facts: &Facts,
    word: &str,
    reason: Slot,
    amount: Decimal,
    delta: Decimal,
) -> String {
    let why = match facts.text(reason) {
        Some(r) if !r.trim().is_empty() => format!("理由：{r}"),
        _ => "未填写理由".to_string(),
    };
    format!("{word} {} 分（{why}）{}", f(amount), arrow(delta))
}

/// The arrow and signed points that end a line: ` → −4`.
fn arrow(delta: Decimal) -> String {
    format!(" → {}", fmt_delta(delta))
}

/// The item's score held to `[0, points or cap]`.
fn explain_clamp(item: &Item, raw: Decimal, to: Decimal) -> String {
    if to.is_zero() && raw < Decimal::ZERO {
        format!(
            "扣分合计超过分值 {}，扣完为止 → 得 0 分",
            f(item.points.unwrap_or_default())
        )
    } else if item.mode == ItemMode::Award {
        format!("合计 {} 分，最高得 {} 分 → 得 {} 分", f(raw), f(to), f(to))
    } else {
        format!("合计 {} 分，按 {} 分计", f(raw), f(to))
    }
}

/// A per_count rule: the count times the points each, or the most it may lose.
fn explain_count(
    inp: &Input,
    label: &str,
    each: Decimal,
    value: Option<Decimal>,
    capped: bool,
    delta: Decimal,
) -> String {
    match value {
        None => format!(
            "{} 未填，按最不利计（扣满 {} 分）{}",
            inp.label,
            f(-delta),
            arrow(delta)
        ),
        Some(v) if v.is_zero() => format!("{label} 0{} → 0", unit(inp)),
        Some(v) if capped => format!(
            "{label} {}{} × {}，最多扣 {} 分{}",
            f(v),
            unit(inp),
            f(each),
            f(-delta),
            arrow(delta)
        ),
        Some(v) => format!(
            "{label} {}{} × {}{}",
            f(v),
            unit(inp),
            f(each),
            arrow(delta)
        ),
    }
}

/// What a shortfall rule asked for and what it counted.
struct Shortfall {
    required: Decimal,
    each: Decimal,
    step: Decimal,
    /// The rule's `max`, when it held the deduction.
    max: Option<Decimal>,
    value: Option<Decimal>,
    short: Decimal,
    steps: Decimal,
}

fn explain_shortfall(inp: &Input, label: &str, s: Shortfall, delta: Decimal) -> String {
    let percent = inp.ty == InputType::Percent;
    let amount = |d: Decimal| {
        if percent {
            format!("{} 个百分点", f(d))
        } else {
            value_text(inp, d)
        }
    };
    let (seen, less) = match s.value {
        None => (format!("{label} 未填，按 0 计"), "少"),
        Some(v) if s.short.is_zero() => {
            return format!(
                "{label} {} ≥ 要求 {}",
                value_text(inp, v),
                value_text(inp, s.required)
            );
        }
        Some(v) => (
            format!("{label} {}", value_text(inp, v)),
            if percent { "低" } else { "少" },
        ),
    };
    let counted = if s.step != Decimal::ONE {
        format!("，每 {} 为一档，计 {} 档", amount(s.step), f(s.steps))
    } else if s.steps != s.short {
        format!("，计 {}", amount(s.steps))
    } else {
        String::new()
    };
    let cap = s
        .max
        .map(|m| format!("，最多扣 {} 分", f(m)))
        .unwrap_or_default();
    format!(
        "{seen}，要求 {}，{less} {}{counted} × {}{cap}{}",
        value_text(inp, s.required),
        amount(s.short),
        f(s.each),
        arrow(delta)
    )
}

fn tier_word(cmp: TierCmp) -> &'static str {
    match cmp {
        TierCmp::Below => "低于",
        TierCmp::Above => "高于",
    }
}

/// A proportional rule: the value against its target, the share reached and what it is
/// worth of the points at stake.
fn explain_proportional(
    rubric: &Rubric,
    (of, max, label): (&Share, Decimal, Option<&str>),
    (value, den, share): (Option<Decimal>, Option<Decimal>, Decimal),
    delta: Decimal,
) -> String {
    let worth = crate::engine::proportional_points(max, share);
    let seen = match (*of, value, den) {
        (Share::Value { input, target }, Some(v), _) => {
            let inp = rubric.input(input);
            format!(
                "{} {}，目标 {}",
                label.unwrap_or(&inp.label),
                value_text(inp, v),
                value_text(inp, target)
            )
        }
        (Share::Ratio { den: d, .. }, Some(_), Some(z)) if z.is_zero() => {
            format!("{}为 0，无法计算比例", rubric.input(d).label)
        }
        (Share::Ratio { num, target, .. }, Some(n), Some(z)) => format!(
            "{} {}/{} = {}，目标 {}%",
            label.unwrap_or(&rubric.input(num).label),
            f(n),
            f(z),
            fmt_ratio_percent(n, z, target),
            f(target)
        ),
        (Share::Value { input, .. }, None, _) | (Share::Ratio { num: input, .. }, None, _) => {
            format!("{} 未填，按 0 计", rubric.input(input).label)
        }
        (Share::Ratio { den: d, .. }, Some(_), None) => {
            format!("{} 未填，无法计算比例", rubric.input(d).label)
        }
    };
    let percent = (share * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    format!(
        "{seen}，完成 {}%，按比例得 {} × {}% = {} 分{}",
        f(percent),
        f(max),
        f(percent),
        f(worth),
        arrow(delta)
    )
}

/// A below rule: this year's figure `a` against the reference `b`, each with its value.
fn explain_below(
    (a, value): (&Input, Option<Decimal>),
    (b, r): (&Input, Option<Decimal>),
    lost: bool,
    delta: Decimal,
) -> String {
    match (value, r) {
        (Some(v), Some(r)) if lost => format!(
            "{} {}{} < {} {}{}{}",
            a.label,
            f(v),
            unit(a),
            b.label,
            f(r),
            unit(b),
            arrow(delta)
        ),
        (Some(v), Some(r)) => format!(
            "{} {}{} ≥ {} {}{}",
            a.label,
            f(v),
            unit(a),
            b.label,
            f(r),
            unit(b)
        ),
        _ => {
            let which: Vec<&str> = [(value, a), (r, b)]
                .iter()
                .filter(|(v, _)| v.is_none())
                .map(|(_, i)| i.label.as_str())
                .collect();
            format!(
                "{} 未填，按少于{}计{}",
                which.join("、"),
                b.label,
                arrow(delta)
            )
        }
    }
}

/// One term of an award rule: its count times its points each.
fn explain_term(
    rubric: &Rubric,
    facts: &Facts,
    t: &Term,
    value: Decimal,
    delta: Decimal,
) -> String {
    let inp = rubric.input(t.input);
    if value.is_zero() {
        let note = if facts.get(t.input).is_none() {
            "（未填，按 0 计）"
        } else {
            ""
        };
        format!("{} 0{}{note} → 0", t.label, unit(inp))
    } else {
        format!(
            "{} {}{} × {}{}",
            t.label,
            f(value),
            unit(inp),
            f(t.each),
            arrow(delta)
        )
    }
}

fn unit(input: &Input) -> String {
    match (&input.unit, input.ty) {
        (_, InputType::Percent) => "%".to_string(),
        (Some(u), _) => format!(" {u}"),
        (None, _) => String::new(),
    }
}

fn value_text(input: &Input, v: Decimal) -> String {
    format!("{}{}", f(v), unit(input))
}

/// A check's outcome in words: `信息登记率 93.2% < 95%`, `落实工作经费：否`.
pub fn check_text(rubric: &Rubric, facts: &Facts, check: &Check, seen: &Seen, met: bool) -> String {
    let label = &check.label;
    match (&check.test, seen) {
        (_, Seen::Missing) => {
            let which = missing_of(rubric, facts, check);
            if which == *label {
                format!("{label} 未填，按未达标计")
            } else {
                format!("{label}：{which} 未填，按未达标计")
            }
        }
        (Test::Yes { .. }, Seen::Bool(b)) => format!("{label}：{}", if *b { "是" } else { "否" }),
        (
            Test::Value {
                input,
                cmp,
                threshold,
            },
            Seen::Number(v),
        ) => {
            let inp = rubric.input(*input);
            format!(
                "{label} {} {} {}",
                value_text(inp, *v),
                cmp.symbol(met),
                value_text(inp, *threshold)
            )
        }
        (
            Test::Ratio {
                den, cmp, percent, ..
            },
            Seen::Ratio(n, d),
        ) => {
            if d.is_zero() {
                format!(
                    "{label}：{}为 0，无法计算比例，按未达标计",
                    rubric.input(*den).label
                )
            } else {
                format!(
                    "{label} {}/{} = {} {} {}%",
                    f(*n),
                    f(*d),
                    fmt_ratio_percent(*n, *d, *percent),
                    cmp.symbol(met),
                    f(*percent)
                )
            }
        }
        _ => label.clone(),
    }
}

/// The labels of the facts a check needed and did not get.
fn missing_of(rubric: &Rubric, facts: &Facts, check: &Check) -> String {
    let slots: Vec<Slot> = match check.test {
        Test::Yes { input } | Test::Value { input, .. } => vec![input],
        Test::Ratio { num, den, .. } => vec![num, den],
    };
    let labels: Vec<&str> = slots
        .iter()
        .filter(|s| facts.get(**s).is_none())
        .map(|s| rubric.input(*s).label.as_str())
        .collect();
    labels.join("、")
}

/// A rule in words, for showing a rubric: `每次扣 1 分（未落实次数）`.
pub fn describe_rule(rubric: &Rubric, item: usize, rule: usize) -> String {
    let it = &rubric.items()[item];
    let r = &it.rules[rule];
    let label = |slot: Slot| rubric.input(slot).label.clone();
    let check = |c: &Check| match &c.test {
        Test::Yes { .. } => c.label.clone(),
        Test::Value {
            input,
            cmp,
            threshold,
        } => format!(
            "{} {} {}",
            c.label,
            cmp_word(*cmp),
            value_text(rubric.input(*input), *threshold)
        ),
        Test::Ratio { cmp, percent, .. } => {
            format!("{} {} {}%", c.label, cmp_word(*cmp), f(*percent))
        }
    };
    let list = |cs: &[Check]| cs.iter().map(check).collect::<Vec<_>>().join("；");
    match &r.kind {
        RuleKind::PerCount { input, each, max } => {
            let cap = max
                .map(|m| format!("，最多扣 {} 分", f(m)))
                .unwrap_or_default();
            format!("按次扣分：{} 每次扣 {} 分{cap}", label(*input), f(*each))
        }
        RuleKind::Checks {
            checks,
            each,
            apply,
        } => match apply {
            Apply::Each => format!("逐项检查，每项未达标扣 {} 分：{}", f(*each), list(checks)),
            Apply::Once => format!(
                "检查，有任一项未达标扣 {} 分（只扣一次）：{}",
                f(*each),
                list(checks)
            ),
        },
        RuleKind::Shortfall {
            input,
            required,
            each,
            step,
            round,
            max,
        } => {
            let inp = rubric.input(*input);
            let per = if inp.ty == InputType::Percent {
                format!("每低 {} 个百分点", f(*step))
            } else if *step == Decimal::ONE && inp.ty == InputType::Count {
                "每少一次".to_string()
            } else {
                format!("每少 {}", value_text(inp, *step))
            };
            let part = match (round, *step == Decimal::ONE && inp.ty == InputType::Count) {
                (_, true) => "",
                (Round::Down, false) => "（不足一档的不扣）",
                (Round::Up, false) => "（不足一档的按一档计）",
                (Round::Exact, false) => "（按比例）",
            };
            let cap = max
                .map(|m| format!("，最多扣 {} 分", f(m)))
                .unwrap_or_default();
            format!(
                "{} 要求 {}以上，{per}扣 {} 分{part}{cap}",
                label(*input),
                value_text(inp, *required),
                f(*each)
            )
        }
        RuleKind::Proportional { of, max } => match of {
            Share::Value { input, target } => format!(
                "按完成比例得分：{} 达到 {} 得满分 {} 分，不足的按比例得分（四舍五入到 0.01 分）",
                label(*input),
                value_text(rubric.input(*input), *target),
                f(*max)
            ),
            Share::Ratio { num, den, target } => format!(
                "按完成比例得分：{}/{} 达到 {}% 得满分 {} 分，不足的按比例得分（四舍五入到 0.01 分）",
                label(*num),
                label(*den),
                f(*target),
                f(*max)
            ),
        },
        RuleKind::Tiers { input, cmp, tiers } => {
            let inp = rubric.input(*input);
            let bands: Vec<String> = tiers
                .iter()
                .map(|t| {
                    format!(
                        "{} {}，扣 {} 分",
                        tier_word(*cmp),
                        value_text(inp, t.bound),
                        f(t.deduct)
                    )
                })
                .collect();
            format!(
                "分档扣分：{} {}（落在几档的，按扣分最多的一档扣一次）",
                label(*input),
                bands.join("；")
            )
        }
        RuleKind::Below {
            input,
            reference,
            deduct,
        } => format!(
            "{} 少于 {} 扣 {} 分",
            label(*input),
            label(*reference),
            f(*deduct)
        ),
        RuleKind::Award { terms, cap, tiered } => {
            let parts: Vec<String> = terms
                .iter()
                .map(|t| format!("{} 每个加 {} 分", t.label, f(t.each)))
                .collect();
            let cap = cap
                .or(it.cap)
                .map(|c| format!("，最高得 {} 分", f(c)))
                .unwrap_or_else(|| "，不封顶".to_string());
            let word = if *tiered { "分级加分" } else { "加分" };
            format!("{word}：{}{cap}", parts.join("；"))
        }
        RuleKind::Discretionary { max, direction, .. } => match direction {
            crate::rubric::Direction::Deduct => format!("酌情扣分，0 至 {} 分，须写理由", f(*max)),
            crate::rubric::Direction::Add => format!("适当加分，0 至 {} 分，须写理由", f(*max)),
        },
        RuleKind::Indicator { checks } => format!("指标，不计分，未达目标时标注：{}", list(checks)),
        RuleKind::Veto { checks, effect } => match effect {
            VetoEffect::Veto => format!("一票否决：{}", list(checks)),
            VetoEffect::Downgrade => format!("未达到则降一档：{}", list(checks)),
        },
    }
}

fn cmp_word(cmp: Cmp) -> &'static str {
    match cmp {
        Cmp::AtLeast => "≥",
        Cmp::AtMost => "≤",
    }
}
