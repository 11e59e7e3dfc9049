//! The Beilun rubric (北仑区街道流动人口服务管理考核评分细则), item by item.
//!
//! One table per item: facts as a person types them (parsed through
//! `Rubric::parse_value`, so the edge parsing is exercised too) → the item's exact score,
//! and for the rows that matter, the explanation line a person reads. Then the edge
//! parsing itself, the least-favourable reading of missing facts, and whole units.

use kaohe_core::explain::{explain_item, missing_keys};
use kaohe_core::{Decimal, Facts, Rubric, UnitScore, Value, score};

const RUBRIC: &str = include_str!("../../../../rubrics/beilun-2026.toml");

fn rubric() -> Rubric {
    match Rubric::from_toml(RUBRIC, "beilun-2026.toml") {
        Ok(r) => r,
        Err(e) => panic!("the Beilun rubric does not load:\n{e}"),
    }
}

fn dec(s: &str) -> Decimal {
    s.parse()
        .unwrap_or_else(|e| panic!("bad decimal {s:?}: {e}"))
}

fn slot(rubric: &Rubric, key: &str) -> usize {
    rubric
        .slot(key)
        .unwrap_or_else(|| panic!("no fact {key} in the Beilun rubric"))
}

/// Facts from `(key, raw string)` pairs, each parsed as a person would type it.
fn facts(rubric: &Rubric, pairs: &[(&str, &str)]) -> Facts {
    let mut facts = Facts::new(rubric);
    for (key, raw) in pairs {
        let s = slot(rubric, key);
        let value = rubric
            .parse_value(s, raw)
            .unwrap_or_else(|e| panic!("{key} = {raw:?} refused: {e}"));
        facts.set(s, value);
    }
    facts
}

fn item_index(rubric: &Rubric, id: &str) -> usize {
    rubric
        .items()
        .iter()
        .position(|i| i.id == id)
        .unwrap_or_else(|| panic!("no item {id} in the Beilun rubric"))
}

/// Every fact of a unit that does everything the rubric asks, with 100 points of base.
const PERFECT: &[(&str, &str)] = &[
    ("floating_population", "100000"),
    ("basic.1.misses", "0"),
    ("basic.2.staff", "是"),
    ("basic.2.rules", "是"),
    ("basic.2.funding", "是"),
    ("basic.2.guidance", "是"),
    ("basic.3.articles", "20"),
    ("basic.3.typical_articles", "0"),
    ("basic.4.sessions", "2"),
    ("management.1.rental_supply", "1200"),
    ("management.1.rental_supply_prev", "1100"),
    ("management.2.members", "10000"),
    ("management.2.core_members", "3000"),
    ("management.2.volunteer_info_complete", "是"),
    ("management.4.law_enforcement", "是"),
    ("management.4.rental_safety", "是"),
    ("management.4.hotspot_rectification", "是"),
    ("management.4.landlord_responsibility", "是"),
    ("management.5.registration_rate", "95%"),
    ("management.5.accuracy_rate", "90"),
    ("management.5.rental_registration_rate", "95"),
    ("management.6.sex_ratio_governance", "是"),
    ("management.6.pregnancy_service_rate", "90"),
    ("management.6.mental_health_control", "是"),
    ("service.1.enrolment_rate", "100"),
    ("service.2.trained", "30000"),
    ("service.2.quizzes", "1"),
    ("service.2.job_fairs", "2"),
    ("service.3.legal_training", "是"),
    ("service.3.anti_fraud", "是"),
    ("service.3.drowning_prevention", "是"),
    ("service.3.minor_protection", "是"),
    ("service.4.culture_sports", "是"),
    ("service.4.holiday_school", "是"),
    ("service.4.migrant_children_care", "是"),
    ("service.5.health_records", "是"),
    ("service.5.maternal_child_care", "是"),
    ("service.5.vaccination_rate", "85"),
];

/// The perfect unit with some facts replaced (value `""` = not provided).
fn perfect_with(overrides: &[(&str, &str)]) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> =
        PERFECT.iter().map(|(k, v)| (*k, v.to_string())).collect();
    for (key, raw) in overrides {
        match out.iter_mut().find(|(k, _)| k == key) {
            Some(pair) => pair.1 = raw.to_string(),
            None => panic!("{key} is not one of the perfect unit's facts"),
        }
    }
    out
}

// ───────────────────────────── the table machinery ─────────────────────────────

/// One row of an item's table.
struct Row {
    /// What the row shows, in words; printed when the row fails.
    what: &'static str,
    facts: Vec<(&'static str, &'static str)>,
    score: &'static str,
    /// Lines that must appear, each exactly, in the item's explanation.
    lines: Vec<&'static str>,
    /// The whole explanation, exactly and in order.
    all_lines: Option<Vec<&'static str>>,
    /// Parts that must appear in some line (for wording the tests do not pin).
    contains: Vec<&'static str>,
    /// The item's missing required facts; empty unless stated.
    missing: Vec<&'static str>,
    flagged: bool,
}

fn row(what: &'static str, facts: &[(&'static str, &'static str)], score: &'static str) -> Row {
    Row {
        what,
        facts: facts.to_vec(),
        score,
        lines: Vec::new(),
        all_lines: None,
        contains: Vec::new(),
        missing: Vec::new(),
        flagged: false,
    }
}

impl Row {
    fn line(mut self, line: &'static str) -> Row {
        self.lines.push(line);
        self
    }
    fn exactly(mut self, lines: &[&'static str]) -> Row {
        self.all_lines = Some(lines.to_vec());
        self
    }
    fn containing(mut self, part: &'static str) -> Row {
        self.contains.push(part);
        self
    }
    fn missing(mut self, keys: &[&'static str]) -> Row {
        self.missing = keys.to_vec();
        self
    }
    fn flagged(mut self) -> Row {
        self.flagged = true;
        self
    }
}

/// Runs an item's table and reports every failing row at once.
fn check_table(item_id: &str, rows: Vec<Row>) {
    let rubric = rubric();
    let index = item_index(&rubric, item_id);
    let mut failures = Vec::new();
    for row in &rows {
        let facts = facts(&rubric, &row.facts);
        let unit = score(&rubric, &facts);
        let got = unit.items[index].score;
        let lines = explain_item(&rubric, &facts, &unit, index);
        let missing = missing_keys(&rubric, &unit, index);
        let mut wrong = Vec::new();
        if got != dec(row.score) {
            wrong.push(format!("score {got}, expected {}", row.score));
        }
        for want in &row.lines {
            if !lines.iter().any(|l| l == want) {
                wrong.push(format!("no line `{want}`"));
            }
        }
        if let Some(all) = &row.all_lines
            && lines != *all
        {
            wrong.push(format!("explanation is not exactly {all:#?}"));
        }
        for part in &row.contains {
            if !lines.iter().any(|l| l.contains(part)) {
                wrong.push(format!("no line containing `{part}`"));
            }
        }
        if missing != row.missing {
            wrong.push(format!("missing {missing:?}, expected {:?}", row.missing));
        }
        if unit.items[index].flagged != row.flagged {
            wrong.push(format!(
                "flagged {}, expected {}",
                unit.items[index].flagged, row.flagged
            ));
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{item_id}: {}\n  facts {:?}\n  {}\n  explanation:\n    {}",
                row.what,
                row.facts,
                wrong.join("\n  "),
                lines.join("\n    ")
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

// ───────────────────────────── 基础工作 ─────────────────────────────

#[test]
fn basic_1_loses_one_point_per_miss_and_stops_at_zero() {
    check_table(
        "basic.1",
        vec![
            row("no miss", &[("basic.1.misses", "0")], "6").exactly(&["未落实 0 次 → 0"]),
            row("one miss", &[("basic.1.misses", "1")], "5").exactly(&["未落实 1 次 × 1 → −1"]),
            row("two misses", &[("basic.1.misses", "2")], "4").line("未落实 2 次 × 1 → −2"),
            row(
                "six misses take all six points",
                &[("basic.1.misses", "6")],
                "0",
            )
            .exactly(&["未落实 6 次 × 1 → −6"]),
            row("nine misses stop at 0", &[("basic.1.misses", "9")], "0")
                .exactly(&["未落实 9 次 × 1，最多扣 6 分 → −6"]),
            row("misses not provided take all the points", &[], "0")
                .containing("未填")
                .containing("→ −6")
                .missing(&["basic.1.misses"]),
        ],
    );
}

#[test]
fn basic_2_loses_two_points_per_unmet_aspect() {
    let all = |staff, rules, funding, guidance| {
        vec![
            ("basic.2.staff", staff),
            ("basic.2.rules", rules),
            ("basic.2.funding", funding),
            ("basic.2.guidance", guidance),
        ]
    };
    let mut rows = vec![
        row(
            "all four aspects in place",
            &all("是", "是", "是", "是"),
            "8",
        )
        .exactly(&[
            "落实工作人员：是",
            "落实工作制度：是",
            "落实工作经费：是",
            "对社区（村）的指导和督查：是",
        ]),
        row("no funding", &all("是", "是", "否", "是"), "6").line("落实工作经费：否 → −2"),
        row("two aspects unmet", &all("否", "是", "是", "否"), "4")
            .line("落实工作人员：否 → −2")
            .line("对社区（村）的指导和督查：否 → −2"),
        row(
            "all four unmet take all 8 points",
            &all("否", "否", "否", "否"),
            "0",
        ),
        row("true/false accepted", &all("true", "1", "false", "0"), "4"),
    ];
    let mut no_staff = all("是", "是", "是", "是");
    no_staff.remove(0);
    rows.push(
        row("staff not provided: check unmet", &no_staff, "6")
            .containing("未填，按未达标计 → −2")
            .missing(&["basic.2.staff"]),
    );
    check_table("basic.2", rows);
}

#[test]
fn basic_3_adds_half_a_point_per_article_and_one_per_typical_article_up_to_10() {
    check_table(
        "basic.3",
        vec![
            row(
                "nothing adopted",
                &[("basic.3.articles", "0"), ("basic.3.typical_articles", "0")],
                "0",
            )
            .exactly(&["录用信息 0 篇 → 0", "录用典型经验综合类信息 0 篇 → 0"]),
            row(
                "3 articles = 1.5",
                &[("basic.3.articles", "3"), ("basic.3.typical_articles", "0")],
                "1.5",
            )
            .line("录用信息 3 篇 × 0.5 → +1.5"),
            row(
                "a typical article earns 1, not 1.5",
                &[("basic.3.articles", "0"), ("basic.3.typical_articles", "1")],
                "1",
            )
            .line("录用典型经验综合类信息 1 篇 × 1 → +1"),
            row(
                "3 articles and 2 typical = 3.5",
                &[("basic.3.articles", "3"), ("basic.3.typical_articles", "2")],
                "3.5",
            ),
            row(
                "20 articles reach the cap exactly, no cap line",
                &[
                    ("basic.3.articles", "20"),
                    ("basic.3.typical_articles", "0"),
                ],
                "10",
            )
            .exactly(&[
                "录用信息 20 篇 × 0.5 → +10",
                "录用典型经验综合类信息 0 篇 → 0",
            ]),
            row(
                "30 articles are capped at 10",
                &[
                    ("basic.3.articles", "30"),
                    ("basic.3.typical_articles", "0"),
                ],
                "10",
            )
            .exactly(&[
                "录用信息 30 篇 × 0.5 → +15",
                "录用典型经验综合类信息 0 篇 → 0",
                "合计 15 分，最高得 10 分 → 得 10 分",
            ]),
            row(
                "10.5 is capped at 10",
                &[("basic.3.articles", "3"), ("basic.3.typical_articles", "9")],
                "10",
            )
            .line("合计 10.5 分，最高得 10 分 → 得 10 分"),
            row(
                "articles not provided count 0 and are listed",
                &[("basic.3.typical_articles", "2")],
                "2",
            )
            .line("录用信息 0 篇（未填，按 0 计） → 0")
            .missing(&["basic.3.articles"]),
        ],
    );
}

#[test]
fn basic_4_loses_two_points_per_session_short_of_two_read_literally() {
    check_table(
        "basic.4",
        vec![
            row("two sessions", &[("basic.4.sessions", "2")], "6")
                .exactly(&["业务培训 2 次 ≥ 要求 2 次"]),
            row("more than two", &[("basic.4.sessions", "5")], "6"),
            row("one session", &[("basic.4.sessions", "1")], "4")
                .exactly(&["业务培训 1 次，要求 2 次，少 1 次 × 2 → −2"]),
            row(
                "no session still keeps 2 points",
                &[("basic.4.sessions", "0")],
                "2",
            )
            .exactly(&["业务培训 0 次，要求 2 次，少 2 次 × 2 → −4"]),
            row("sessions not provided count as 0", &[], "2")
                .containing("未填")
                .containing("→ −4")
                .missing(&["basic.4.sessions"]),
        ],
    );
}

// ───────────────────────────── 管理工作 ─────────────────────────────

#[test]
fn management_1_loses_three_below_last_year_and_a_discretionary_amount_with_reason() {
    const NOW: &str = "management.1.rental_supply";
    const PREV: &str = "management.1.rental_supply_prev";
    const AMOUNT: &str = "management.1.discretionary";
    const REASON: &str = "management.1.discretionary_reason";
    check_table(
        "management.1",
        vec![
            row("more than last year", &[(NOW, "7"), (PREV, "6")], "6")
                .exactly(&["本年度合法合规出租房屋供应量 7 套 ≥ 上一年度供应量 6 套"]),
            row(
                "as many as last year is not less",
                &[(NOW, "6"), (PREV, "6")],
                "6",
            ),
            row("one fewer than last year", &[(NOW, "5"), (PREV, "6")], "3")
                .exactly(&["本年度合法合规出租房屋供应量 5 套 < 上一年度供应量 6 套 → −3"]),
            row(
                "a discretionary deduction with its reason",
                &[
                    (NOW, "7"),
                    (PREV, "6"),
                    (AMOUNT, "1.5"),
                    (REASON, "登记点台账不全"),
                ],
                "4.5",
            )
            .line("登记点不规范，酌情扣分 1.5 分（理由：登记点台账不全） → −1.5"),
            row(
                "below last year and 3 discretionary = 0, exactly",
                &[(NOW, "5"), (PREV, "6"), (AMOUNT, "3"), (REASON, "不规范")],
                "0",
            ),
            row(
                "below last year and the full 6 discretionary stop at 0",
                &[(NOW, "5"), (PREV, "6"), (AMOUNT, "6"), (REASON, "不规范")],
                "0",
            )
            .line("扣分合计超过分值 6，扣完为止 → 得 0 分"),
            row(
                "this year not provided: comparison lost",
                &[(PREV, "6")],
                "3",
            )
            .exactly(&["本年度合法合规出租房屋供应量 未填，按少于上一年度供应量计 → −3"])
            .missing(&[NOW]),
            row(
                "last year not provided: comparison lost",
                &[(NOW, "7")],
                "3",
            )
            .exactly(&["上一年度供应量 未填，按少于上一年度供应量计 → −3"])
            .missing(&[PREV]),
            row("neither provided: lost once", &[], "3")
                .exactly(&["本年度合法合规出租房屋供应量、上一年度供应量 未填，按少于上一年度供应量计 → −3"])
                .missing(&[NOW, PREV]),
        ],
    );
}

#[test]
fn management_2_loses_five_per_unmet_membership_target() {
    const POP: &str = "floating_population";
    const MEMBERS: &str = "management.2.members";
    const CORE: &str = "management.2.core_members";
    const INFO: &str = "management.2.volunteer_info_complete";
    check_table(
        "management.2",
        vec![
            row(
                "members exactly 10% and core exactly 30% meet both",
                &[
                    (POP, "100000"),
                    (MEMBERS, "10000"),
                    (CORE, "3000"),
                    (INFO, "是"),
                ],
                "10",
            )
            .exactly(&[
                "会员数占流动人口 10000/100000 = 10% ≥ 10%",
                "骨干会员占会员 3000/10000 = 30% ≥ 30%",
                "会员在微志愿上信息齐全：是",
            ]),
            row(
                "one member fewer than 10% does not meet, and the ratio shows it",
                &[
                    (POP, "100000"),
                    (MEMBERS, "9999"),
                    (CORE, "3000"),
                    (INFO, "是"),
                ],
                "5",
            )
            .line("会员数占流动人口 9999/100000 = 9.999% < 10% → −5")
            .line("骨干会员占会员 3000/9999 = 30.003% ≥ 30%"),
            row(
                "9996 of 100000 shows 9.996%, not 10.0%",
                &[
                    (POP, "100000"),
                    (MEMBERS, "9996"),
                    (CORE, "3000"),
                    (INFO, "是"),
                ],
                "5",
            )
            .line("会员数占流动人口 9996/100000 = 9.996% < 10% → −5"),
            row(
                "one core member short of 30%",
                &[
                    (POP, "100000"),
                    (MEMBERS, "10000"),
                    (CORE, "2999"),
                    (INFO, "是"),
                ],
                "5",
            )
            .line("骨干会员占会员 2999/10000 = 29.99% < 30% → −5"),
            row(
                "small population, 10% exactly",
                &[(POP, "1000"), (MEMBERS, "100"), (CORE, "30"), (INFO, "是")],
                "10",
            ),
            row(
                "info incomplete",
                &[(POP, "1000"), (MEMBERS, "100"), (CORE, "30"), (INFO, "否")],
                "5",
            )
            .line("会员在微志愿上信息齐全：否 → −5"),
            row(
                "0 members: the core ratio has denominator 0 and is unmet",
                &[(POP, "1000"), (MEMBERS, "0"), (CORE, "0"), (INFO, "是")],
                "0",
            )
            .line("会员数占流动人口 0/1000 = 0% < 10% → −5")
            .line("骨干会员占会员：会员数为 0，无法计算比例，按未达标计 → −5"),
            row(
                "all three unmet stop at 0",
                &[(POP, "1000"), (MEMBERS, "0"), (CORE, "0"), (INFO, "否")],
                "0",
            )
            .line("扣分合计超过分值 10，扣完为止 → 得 0 分"),
            row(
                "floating population not provided: the 10% check is unmet",
                &[(MEMBERS, "100"), (CORE, "30"), (INFO, "是")],
                "5",
            )
            .containing("未填，按未达标计 → −5")
            .missing(&[POP]),
        ],
    );
}

#[test]
fn management_3_is_a_discretionary_deduction_up_to_6() {
    const AMOUNT: &str = "management.3.discretionary";
    const REASON: &str = "management.3.discretionary_reason";
    check_table(
        "management.3",
        vec![
            row("nothing entered", &[], "6").exactly(&["无扣分 → 得 6 分"]),
            row("0 entered", &[(AMOUNT, "0")], "6"),
            row(
                "2.5 with a reason",
                &[(AMOUNT, "2.5"), (REASON, "两家企业未落实")],
                "3.5",
            )
            .exactly(&["企业主体责任未开展，酌情扣分 2.5 分（理由：两家企业未落实） → −2.5"]),
            row("the whole bound", &[(AMOUNT, "6"), (REASON, "未开展")], "0"),
        ],
    );
}

#[test]
fn management_4_loses_two_points_per_duty_not_carried_out() {
    let all = |a, b, c, d| {
        vec![
            ("management.4.law_enforcement", a),
            ("management.4.rental_safety", b),
            ("management.4.hotspot_rectification", c),
            ("management.4.landlord_responsibility", d),
        ]
    };
    let mut partial = all("是", "是", "是", "是");
    partial.pop();
    check_table(
        "management.4",
        vec![
            row("all four duties", &all("是", "是", "是", "是"), "8"),
            row("no rental safety checks", &all("是", "否", "是", "是"), "6")
                .line("开展出租房屋安全检查：否 → −2"),
            row(
                "none of the four: exactly 0",
                &all("否", "否", "否", "否"),
                "0",
            ),
            row("landlord duty not provided: unmet", &partial, "6")
                .containing("未填，按未达标计 → −2")
                .missing(&["management.4.landlord_responsibility"]),
        ],
    );
}

#[test]
fn management_5_loses_four_per_rate_below_its_threshold_and_stops_at_zero() {
    let rates = |reg, acc, rental| {
        vec![
            ("management.5.registration_rate", reg),
            ("management.5.accuracy_rate", acc),
            ("management.5.rental_registration_rate", rental),
        ]
    };
    check_table(
        "management.5",
        vec![
            row(
                "all three exactly at threshold",
                &rates("95", "90", "95"),
                "7",
            )
            .exactly(&[
                "信息登记率 95% ≥ 95%",
                "信息准确率 90% ≥ 90%",
                "出租房屋登记率 95% ≥ 95%",
            ]),
            row("written with a % sign", &rates("95%", "90%", "95％"), "7"),
            row("all 100%", &rates("100", "100", "100"), "7"),
            row("registration 93.2%", &rates("93.2", "90", "95"), "3").exactly(&[
                "信息登记率 93.2% < 95% → −4",
                "信息准确率 90% ≥ 90%",
                "出租房屋登记率 95% ≥ 95%",
            ]),
            row(
                "registration 94.99% is not 95%",
                &rates("94.99", "90", "95"),
                "3",
            )
            .line("信息登记率 94.99% < 95% → −4"),
            row("accuracy 89.99%", &rates("95", "89.99", "95"), "3")
                .line("信息准确率 89.99% < 90% → −4"),
            row(
                "two misses (8 of 7) stop at 0",
                &rates("95", "89", "94"),
                "0",
            )
            .line("出租房屋登记率 94% < 95% → −4")
            .line("扣分合计超过分值 7，扣完为止 → 得 0 分"),
            row("three misses stop at 0", &rates("0", "0%", "0.5%"), "0")
                .line("出租房屋登记率 0.5% < 95% → −4")
                .line("扣分合计超过分值 7，扣完为止 → 得 0 分"),
            row(
                "a rate not provided is not met",
                &[
                    ("management.5.registration_rate", "99"),
                    ("management.5.accuracy_rate", "99"),
                ],
                "3",
            )
            .containing("未填，按未达标计 → −4")
            .missing(&["management.5.rental_registration_rate"]),
        ],
    );
}

#[test]
fn management_6_loses_two_per_unmet_duty_or_rate() {
    let all = |sex, rate, mental| {
        vec![
            ("management.6.sex_ratio_governance", sex),
            ("management.6.pregnancy_service_rate", rate),
            ("management.6.mental_health_control", mental),
        ]
    };
    check_table(
        "management.6",
        vec![
            row("all met, rate exactly 90%", &all("是", "90", "是"), "4")
                .line("怀孕生育对象管理服务率 90% ≥ 90%"),
            row("rate 89.9%", &all("是", "89.9", "是"), "2")
                .line("怀孕生育对象管理服务率 89.9% < 90% → −2"),
            row("no sex-ratio governance", &all("否", "95", "是"), "2")
                .line("开展出生人口性别比综合治理：否 → −2"),
            row("all three unmet stop at 0", &all("否", "50", "否"), "0")
                .line("扣分合计超过分值 4，扣完为止 → 得 0 分"),
        ],
    );
}

#[test]
fn management_7_is_a_discretionary_deduction_up_to_4() {
    const AMOUNT: &str = "management.7.discretionary";
    const REASON: &str = "management.7.discretionary_reason";
    check_table(
        "management.7",
        vec![
            row("nothing entered", &[], "4").exactly(&["无扣分 → 得 4 分"]),
            row(
                "0.1 with a reason",
                &[(AMOUNT, "0.1"), (REASON, "预案未更新")],
                "3.9",
            )
            .exactly(&["未落实，酌情扣分 0.1 分（理由：预案未更新） → −0.1"]),
            row("the whole bound", &[(AMOUNT, "4"), (REASON, "未建立")], "0"),
        ],
    );
}

// ───────────────────────────── 服务工作 ─────────────────────────────

#[test]
fn service_1_flags_enrolment_below_100_percent_without_taking_points() {
    const RATE: &str = "service.1.enrolment_rate";
    const AMOUNT: &str = "service.1.discretionary";
    const REASON: &str = "service.1.discretionary_reason";
    check_table(
        "service.1",
        vec![
            row("100% enrolment", &[(RATE, "100")], "5")
                .exactly(&["流动人口子女义务教育普及率 100% ≥ 100%（目标达成，不计分）"]),
            row(
                "99.5% is flagged but worth no points",
                &[(RATE, "99.5")],
                "5",
            )
            .exactly(&["流动人口子女义务教育普及率 99.5% < 100%（未达目标，不计分，已标注）"])
            .flagged(),
            row(
                "the deduction is discretionary",
                &[(RATE, "99.5"), (AMOUNT, "1"), (REASON, "个别子女未入学")],
                "4",
            )
            .line("未落实或落实不佳，酌情扣分 1 分（理由：个别子女未入学） → −1")
            .flagged(),
            row(
                "the whole bound",
                &[(RATE, "100"), (AMOUNT, "5"), (REASON, "落实不佳")],
                "0",
            ),
            row("rate not provided: flagged and listed", &[], "5")
                .containing("未填")
                .missing(&[RATE])
                .flagged(),
        ],
    );
}

#[test]
fn service_2_loses_three_per_unmet_task_and_a_discretionary_amount() {
    const POP: &str = "floating_population";
    const TRAINED: &str = "service.2.trained";
    const QUIZ: &str = "service.2.quizzes";
    const FAIRS: &str = "service.2.job_fairs";
    const AMOUNT: &str = "service.2.discretionary";
    const REASON: &str = "service.2.discretionary_reason";
    check_table(
        "service.2",
        vec![
            row(
                "30% trained exactly, one quiz, two fairs",
                &[(POP, "1000"), (TRAINED, "300"), (QUIZ, "1"), (FAIRS, "2")],
                "10",
            )
            .exactly(&[
                "培训人数占流动人口 300/1000 = 30% ≥ 30%",
                "“法治安全文明”知识竞赛 1 期 ≥ 1 期",
                "劳动就业招聘专场 2 次 ≥ 2 次",
            ]),
            row(
                "one trainee short of 30%",
                &[(POP, "1000"), (TRAINED, "299"), (QUIZ, "1"), (FAIRS, "2")],
                "7",
            )
            .line("培训人数占流动人口 299/1000 = 29.9% < 30% → −3"),
            row(
                "29999 of 100000 shows 29.999%, not 30.0%",
                &[
                    (POP, "100000"),
                    (TRAINED, "29999"),
                    (QUIZ, "1"),
                    (FAIRS, "2"),
                ],
                "7",
            )
            .line("培训人数占流动人口 29999/100000 = 29.999% < 30% → −3"),
            row(
                "no quiz",
                &[(POP, "1000"), (TRAINED, "300"), (QUIZ, "0"), (FAIRS, "2")],
                "7",
            )
            .line("“法治安全文明”知识竞赛 0 期 < 1 期 → −3"),
            row(
                "one job fair",
                &[(POP, "1000"), (TRAINED, "300"), (QUIZ, "1"), (FAIRS, "1")],
                "7",
            )
            .line("劳动就业招聘专场 1 次 < 2 次 → −3"),
            row(
                "all three unmet leave 1",
                &[(POP, "1000"), (TRAINED, "0"), (QUIZ, "0"), (FAIRS, "0")],
                "1",
            ),
            row(
                "all three unmet and 5 discretionary stop at 0",
                &[
                    (POP, "1000"),
                    (TRAINED, "0"),
                    (QUIZ, "0"),
                    (FAIRS, "0"),
                    (AMOUNT, "5"),
                    (REASON, "劳动监察不力"),
                ],
                "0",
            )
            .line("落实不力，酌情扣分 5 分（理由：劳动监察不力） → −5")
            .line("扣分合计超过分值 10，扣完为止 → 得 0 分"),
            row(
                "floating population not provided: the 30% check is unmet",
                &[(TRAINED, "300"), (QUIZ, "1"), (FAIRS, "2")],
                "7",
            )
            .containing("未填，按未达标计 → −3")
            .missing(&[POP]),
            row(
                "quizzes not provided: unmet",
                &[(POP, "1000"), (TRAINED, "300"), (FAIRS, "2")],
                "7",
            )
            .missing(&[QUIZ]),
        ],
    );
}

#[test]
fn service_3_loses_three_per_task_not_performed() {
    let all = |a, b, c, d| {
        vec![
            ("service.3.legal_training", a),
            ("service.3.anti_fraud", b),
            ("service.3.drowning_prevention", c),
            ("service.3.minor_protection", d),
        ]
    };
    check_table(
        "service.3",
        vec![
            row("all four tasks", &all("是", "是", "是", "是"), "5"),
            row("no drowning prevention", &all("是", "是", "否", "是"), "2").exactly(&[
                "开展法制安全培训：是",
                "开展反电信诈骗工作：是",
                "开展防溺水工作：否 → −3",
                "推进未成年保护工作：是",
            ]),
            row(
                "two missed tasks stop at 0",
                &all("否", "是", "否", "是"),
                "0",
            )
            .line("扣分合计超过分值 5，扣完为止 → 得 0 分"),
        ],
    );
}

#[test]
fn service_4_loses_three_for_any_care_task_not_carried_out() {
    let all = |a, b, c| {
        vec![
            ("service.4.culture_sports", a),
            ("service.4.holiday_school", b),
            ("service.4.migrant_children_care", c),
        ]
    };
    check_table(
        "service.4",
        vec![
            row("all three", &all("是", "是", "是"), "3"),
            row("no holiday school", &all("是", "否", "是"), "0").line("办好假日学校：否 → −3"),
            row("two missing stop at 0", &all("否", "否", "是"), "0")
                .line("扣分合计超过分值 3，扣完为止 → 得 0 分"),
        ],
    );
}

#[test]
fn service_5_loses_two_per_unmet_health_duty() {
    let all = |a, b, rate| {
        vec![
            ("service.5.health_records", a),
            ("service.5.maternal_child_care", b),
            ("service.5.vaccination_rate", rate),
        ]
    };
    check_table(
        "service.5",
        vec![
            row(
                "all met, vaccination exactly 85%",
                &all("是", "是", "85"),
                "2",
            )
            .line("一类疫苗接种率 85% ≥ 85%"),
            row("vaccination 84.99%", &all("是", "是", "84.99"), "0").exactly(&[
                "建立电子健康档案：是",
                "落实孕产妇和适龄儿童保健服务：是",
                "一类疫苗接种率 84.99% < 85% → −2",
            ]),
            row("no health records", &all("否", "是", "90"), "0").line("建立电子健康档案：否 → −2"),
        ],
    );
}

// ───────────────────────────── 创新工作（加分） ─────────────────────────────

#[test]
fn innovation_1_adds_per_level_with_no_cap() {
    check_table(
        "innovation.1",
        vec![
            row("nothing reported: 0, not missing", &[], "0").exactly(&["无加分 → 得 0 分"]),
            row(
                "one province media piece and one city instruction = 5 + 4",
                &[
                    ("innovation.1.media_province", "1"),
                    ("innovation.1.instruction_city", "1"),
                ],
                "9",
            )
            .exactly(&[
                "省级主流媒体发表 1 篇 × 5 → +5",
                "获市领导批示 1 次 × 4 → +4",
            ]),
            row(
                "one at every level = 2 + 5 + 8 + 2 + 4 + 6 + 8",
                &[
                    ("innovation.1.media_city", "1"),
                    ("innovation.1.media_province", "1"),
                    ("innovation.1.media_national", "1"),
                    ("innovation.1.instruction_district", "1"),
                    ("innovation.1.instruction_city", "1"),
                    ("innovation.1.instruction_province", "1"),
                    ("innovation.1.instruction_central", "1"),
                ],
                "35",
            ),
            row(
                "ten national pieces: 80, no cap",
                &[("innovation.1.media_national", "10")],
                "80",
            )
            .exactly(&["国家级主流媒体发表 10 篇 × 8 → +80"]),
            row(
                "an explicit 0 is shown",
                &[("innovation.1.media_city", "0")],
                "0",
            )
            .exactly(&["市级主流媒体发表 0 篇 → 0"]),
            row(
                "two district instructions",
                &[("innovation.1.instruction_district", "2")],
                "4",
            )
            .line("获区主要领导批示 2 次 × 2 → +4"),
        ],
    );
}

#[test]
fn innovation_2_is_a_discretionary_bonus_from_0_to_5() {
    const AMOUNT: &str = "innovation.2.discretionary";
    const REASON: &str = "innovation.2.discretionary_reason";
    check_table(
        "innovation.2",
        vec![
            row("nothing entered: 0, not missing", &[], "0").exactly(&["无加分 → 得 0 分"]),
            row(
                "2.5 with a reason",
                &[(AMOUNT, "2.5"), (REASON, "在全区推广")],
                "2.5",
            )
            .exactly(&["区级以上典型经验推广，适当加分 2.5 分（理由：在全区推广） → +2.5"]),
            row(
                "the whole bound",
                &[(AMOUNT, "5"), (REASON, "在全市推广")],
                "5",
            ),
        ],
    );
    let rubric = rubric();
    let s = slot(&rubric, AMOUNT);
    assert!(
        rubric.parse_value(s, "5.1").is_err(),
        "5.1 is over the bound"
    );
    assert!(rubric.parse_value(s, "7").is_err(), "7 is over the bound");
}

// ───────────────────────────── boundaries named by the spec ─────────────────────────────

fn m5_score(registration_rate: &str) -> Decimal {
    let rubric = rubric();
    let facts = facts(
        &rubric,
        &[
            ("management.5.registration_rate", registration_rate),
            ("management.5.accuracy_rate", "90"),
            ("management.5.rental_registration_rate", "95"),
        ],
    );
    score(&rubric, &facts).items[item_index(&rubric, "management.5")].score
}

#[test]
fn exactly_95_percent_meets_95_percent_or_more() {
    assert_eq!(m5_score("95"), dec("7"));
    assert_eq!(m5_score("95%"), dec("7"));
    assert_eq!(m5_score("95.00"), dec("7"));
}

#[test]
fn ninety_four_point_99_percent_does_not_meet_95_percent_or_more() {
    assert_eq!(m5_score("94.99"), dec("3"));
    assert_eq!(m5_score("94.99%"), dec("3"));
}

#[test]
fn members_at_exactly_10_percent_meet_and_one_fewer_does_not() {
    let rubric = rubric();
    let i = item_index(&rubric, "management.2");
    for (pop, members, want) in [
        ("100000", "10000", "10"),
        ("100000", "9999", "5"),
        ("7", "1", "10"), // 1/7 = 14.28…% ≥ 10%
        ("10", "1", "10"),
        ("11", "1", "5"), // 9.09…%
        ("123457", "12346", "10"),
        ("123457", "12345", "5"), // 9.99943…%
    ] {
        let facts = facts(
            &rubric,
            &[
                ("floating_population", pop),
                ("management.2.members", members),
                ("management.2.core_members", members),
                ("management.2.volunteer_info_complete", "是"),
            ],
        );
        let got = score(&rubric, &facts).items[i].score;
        assert_eq!(got, dec(want), "{members} members of {pop}");
    }
}

#[test]
fn a_ratio_just_below_its_threshold_never_shows_as_the_threshold() {
    let rubric = rubric();
    let i = item_index(&rubric, "management.2");
    let facts = facts(
        &rubric,
        &[
            ("floating_population", "123457"),
            ("management.2.members", "12345"),
            ("management.2.core_members", "3704"),
            ("management.2.volunteer_info_complete", "是"),
        ],
    );
    let unit = score(&rubric, &facts);
    let lines = explain_item(&rubric, &facts, &unit, i);
    assert_eq!(
        lines[0],
        "会员数占流动人口 12345/123457 = 9.999% < 10% → −5"
    );
    // 3704/12345 = 30.004…%: met, and shown above 30 rather than as 30.0%.
    assert_eq!(lines[1], "骨干会员占会员 3704/12345 = 30.004% ≥ 30%");
}

// ───────────────────────────── missing and optional facts ─────────────────────────────

#[test]
fn an_empty_report_is_read_as_least_favourable_item_by_item() {
    let rubric = rubric();
    let facts = Facts::new(&rubric);
    let unit = score(&rubric, &facts);
    let want = [
        ("basic.1", "0"),      // a count of misses takes all the points
        ("basic.2", "0"),      // checks unmet
        ("basic.3", "0"),      // award counts 0
        ("basic.4", "2"),      // shortfall counted from 0 sessions
        ("management.1", "3"), // comparison lost
        ("management.2", "0"),
        ("management.3", "6"), // discretionary only: nothing to be missing
        ("management.4", "0"),
        ("management.5", "0"), // rates unmet
        ("management.6", "0"),
        ("management.7", "4"),
        ("service.1", "5"), // indicator worth no points
        ("service.2", "1"),
        ("service.3", "0"),
        ("service.4", "0"),
        ("service.5", "0"),
        ("innovation.1", "0"),
        ("innovation.2", "0"),
    ];
    assert_eq!(want.len(), rubric.items().len());
    for (id, points) in want {
        let i = item_index(&rubric, id);
        assert_eq!(unit.items[i].score, dec(points), "{id}");
    }
    assert_eq!(unit.base, dec("21"));
    assert_eq!(unit.bonus, Decimal::ZERO);
    assert_eq!(unit.total, dec("21"));
}

#[test]
fn every_required_fact_not_provided_is_listed_and_no_optional_one_is() {
    let rubric = rubric();
    let facts = Facts::new(&rubric);
    let unit = score(&rubric, &facts);
    let mut listed: Vec<&str> = unit
        .all_missing()
        .iter()
        .map(|s| rubric.input(*s).key.as_str())
        .collect();
    listed.sort_unstable();
    listed.dedup();
    let mut required: Vec<&str> = rubric
        .inputs()
        .iter()
        .filter(|i| i.required)
        .map(|i| i.key.as_str())
        .collect();
    required.sort_unstable();
    assert_eq!(listed, required);
    for input in rubric.inputs() {
        let optional = input.key.starts_with("innovation.") || input.key.contains("discretionary");
        assert_eq!(
            input.required, !optional,
            "{} required = {}",
            input.key, input.required
        );
    }
    for (i, item) in rubric.items().iter().enumerate() {
        let missing = missing_keys(&rubric, &unit, i);
        match item.id.as_str() {
            "management.3" | "management.7" | "innovation.1" | "innovation.2" => {
                assert!(missing.is_empty(), "{}: {missing:?}", item.id)
            }
            _ => assert!(!missing.is_empty(), "{} lists nothing missing", item.id),
        }
        if !missing.is_empty() {
            let lines = explain_item(&rubric, &facts, &unit, i);
            assert!(
                lines.iter().any(|l| l.contains("未填")),
                "{}: the explanation does not say a fact is missing: {lines:?}",
                item.id
            );
        }
    }
}

#[test]
fn optional_facts_default_to_zero_and_are_never_listed_as_missing() {
    let rubric = rubric();
    let pairs = perfect_with(&[]);
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let facts = facts(&rubric, &pairs);
    let unit = score(&rubric, &facts);
    assert!(unit.all_missing().is_empty(), "{:?}", unit.all_missing());
    assert_eq!(unit.bonus, Decimal::ZERO);
    for id in ["management.3", "management.7", "service.1"] {
        let i = item_index(&rubric, id);
        assert_eq!(Some(unit.items[i].score), rubric.items()[i].points, "{id}");
    }
}

#[test]
fn a_unit_fact_not_provided_is_a_problem_and_listed_where_it_is_used() {
    let rubric = rubric();
    let pairs = perfect_with(&[("floating_population", "")]);
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let facts = facts(&rubric, &pairs);
    let problems = facts.problems(&rubric);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, slot(&rubric, "floating_population"));
    // In words, as a person reads it: the fact's label, not its key.
    assert!(
        problems[0].1.contains("区域流动人口数"),
        "{}",
        problems[0].1
    );
    assert!(!problems[0].1.contains("floating_population"));
    let unit = score(&rubric, &facts);
    for id in ["management.2", "service.2"] {
        let i = item_index(&rubric, id);
        assert_eq!(
            missing_keys(&rubric, &unit, i),
            ["floating_population"],
            "{id}"
        );
    }
    assert_eq!(unit.base, dec("92")); // −5 (management.2) −3 (service.2)
}

// ───────────────────────────── edge parsing ─────────────────────────────

fn parse(rubric: &Rubric, key: &str, raw: &str) -> Result<Option<Value>, String> {
    rubric
        .parse_value(slot(rubric, key), raw)
        .map_err(|e| e.message)
}

fn number(raw: &str) -> Result<Option<Value>, String> {
    Ok(Some(Value::Number(dec(raw))))
}

#[test]
fn a_percent_written_with_or_without_the_sign_is_the_same_value() {
    let rubric = rubric();
    let key = "management.5.registration_rate";
    assert_eq!(parse(&rubric, key, "95"), number("95"));
    assert_eq!(parse(&rubric, key, "95%"), parse(&rubric, key, "95"));
    assert_eq!(parse(&rubric, key, "95％"), parse(&rubric, key, "95"));
    assert_eq!(parse(&rubric, key, " 95 % "), parse(&rubric, key, "95"));
    assert_eq!(parse(&rubric, key, "93.2"), number("93.2"));
    assert_eq!(parse(&rubric, key, "100"), number("100"));
}

#[test]
fn a_bare_fraction_is_refused_with_the_question_did_you_mean_95_percent() {
    let rubric = rubric();
    let key = "management.5.registration_rate";
    let err = parse(&rubric, key, "0.95").unwrap_err();
    assert!(err.contains("95%"), "{err}");
    assert!(err.contains("是否指"), "{err}");
    let err = parse(&rubric, key, "1").unwrap_err();
    assert!(err.contains("100%"), "{err}");
}

#[test]
fn zero_and_small_percents_written_with_the_sign_are_accepted_as_written() {
    let rubric = rubric();
    let key = "management.5.registration_rate";
    assert_eq!(parse(&rubric, key, "0"), number("0"));
    assert_eq!(parse(&rubric, key, "0%"), number("0"));
    assert_eq!(parse(&rubric, key, "0.5%"), number("0.5"));
    assert_eq!(parse(&rubric, key, "0.95%"), number("0.95"));
}

#[test]
fn a_percent_outside_0_to_100_is_refused() {
    let rubric = rubric();
    let key = "management.5.registration_rate";
    for raw in ["101", "100.01", "101%", "-1", "-5%"] {
        assert!(parse(&rubric, key, raw).is_err(), "{raw} accepted");
    }
    assert!(parse(&rubric, key, "abc").is_err());
}

#[test]
fn a_misplaced_comma_is_refused_with_what_it_may_have_meant_never_read_as_a_bigger_number() {
    let rubric = rubric();
    let rate = "management.5.registration_rate";
    let err = parse(&rubric, rate, "9,5").unwrap_err();
    assert!(err.contains("是否指 9.5？"), "{err}");
    let err = parse(&rubric, "basic.1.misses", "1,5").unwrap_err();
    assert!(err.contains("是否指 1.5？"), "{err}");
    assert!(parse(&rubric, "basic.1.misses", "12,34").is_err());
    // Thousands separators in groups of three are what people write for big counts.
    assert_eq!(
        parse(&rubric, "floating_population", "52,000"),
        number("52000")
    );
    assert_eq!(
        parse(&rubric, "floating_population", "52，000"),
        number("52000")
    );
}

#[test]
fn a_discretionary_amount_must_be_a_multiple_of_a_tenth() {
    let rubric = rubric();
    let key = "management.3.discretionary";
    let err = parse(&rubric, key, "0.15").unwrap_err();
    assert!(err.contains("0.1"), "{err}");
    assert_eq!(parse(&rubric, key, "0.1"), number("0.1"));
    assert_eq!(parse(&rubric, key, "2.5"), number("2.5"));
    assert_eq!(parse(&rubric, key, "6"), number("6"));
}

#[test]
fn a_discretionary_amount_over_its_bound_is_refused_never_clamped() {
    let rubric = rubric();
    let err = parse(&rubric, "management.3.discretionary", "7").unwrap_err();
    assert!(err.contains('6'), "{err}");
    assert!(parse(&rubric, "management.3.discretionary", "6.1").is_err());
    assert!(parse(&rubric, "management.3.discretionary", "-1").is_err());
    assert!(parse(&rubric, "management.7.discretionary", "4.1").is_err());
    assert!(parse(&rubric, "service.1.discretionary", "5.1").is_err());
    assert!(parse(&rubric, "service.2.discretionary", "10.1").is_err());
    assert_eq!(
        parse(&rubric, "service.2.discretionary", "10"),
        number("10")
    );
}

#[test]
fn a_yes_no_fact_accepts_chinese_english_and_digits() {
    let rubric = rubric();
    let key = "basic.2.staff";
    for raw in ["是", "true", "TRUE", "1", " 是 "] {
        assert_eq!(
            parse(&rubric, key, raw),
            Ok(Some(Value::Bool(true))),
            "{raw}"
        );
    }
    for raw in ["否", "false", "False", "0"] {
        assert_eq!(
            parse(&rubric, key, raw),
            Ok(Some(Value::Bool(false))),
            "{raw}"
        );
    }
    assert!(parse(&rubric, key, "也许").is_err());
}

#[test]
fn a_count_must_be_a_whole_number_of_zero_or_more() {
    let rubric = rubric();
    let key = "basic.1.misses";
    assert_eq!(parse(&rubric, key, "0"), number("0"));
    assert_eq!(parse(&rubric, key, "1,000"), number("1000"));
    for raw in ["1.5", "-1", "两次"] {
        assert!(parse(&rubric, key, raw).is_err(), "{raw} accepted");
    }
    assert_eq!(parse(&rubric, key, ""), Ok(None));
    assert_eq!(parse(&rubric, key, "  "), Ok(None));
}

#[test]
fn a_floating_population_of_zero_is_refused() {
    let rubric = rubric();
    assert!(parse(&rubric, "floating_population", "0").is_err());
    assert_eq!(parse(&rubric, "floating_population", "1"), number("1"));
}

#[test]
fn a_discretionary_amount_without_its_reason_is_a_problem() {
    let rubric = rubric();
    let amount = "management.3.discretionary";
    let reason = "management.3.discretionary_reason";

    let f = facts(&rubric, &[("floating_population", "1000"), (amount, "2")]);
    let problems = f.problems(&rubric);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, slot(&rubric, reason));
    // The item as people number it and the facts by their labels; no keys.
    let message = &problems[0].1;
    assert!(message.starts_with("管理工作第3项的“"), "{message}");
    assert!(message.contains("为 2 分，须填写“"), "{message}");
    assert!(
        !message.contains(amount) && !message.contains(reason),
        "{message}"
    );

    let mut blank = f.clone();
    blank.set(slot(&rubric, reason), Some(Value::Text("   ".into())));
    assert_eq!(
        blank.problems(&rubric).len(),
        1,
        "a blank reason is no reason"
    );

    let given = facts(
        &rubric,
        &[
            ("floating_population", "1000"),
            (amount, "2"),
            (reason, "未开展"),
        ],
    );
    assert!(given.problems(&rubric).is_empty());

    let zero = facts(&rubric, &[("floating_population", "1000"), (amount, "0")]);
    assert!(zero.problems(&rubric).is_empty(), "0 needs no reason");
}

// ───────────────────────────── whole units ─────────────────────────────

#[test]
fn a_complete_perfect_unit_scores_base_100() {
    let rubric = rubric();
    let pairs = perfect_with(&[]);
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let facts = facts(&rubric, &pairs);
    assert!(facts.problems(&rubric).is_empty());
    let unit = score(&rubric, &facts);
    for (i, item) in rubric.items().iter().enumerate() {
        if let Some(points) = item.points {
            assert_eq!(unit.items[i].score, points, "{}", item.id);
        }
        assert!(!unit.items[i].flagged, "{}", item.id);
    }
    assert_eq!(unit.base, dec("100"));
    assert_eq!(Some(unit.base), rubric.total());
    assert_eq!(unit.bonus, Decimal::ZERO);
    assert_eq!(unit.total, dec("100"));
    let category_points: Vec<Decimal> = unit.categories.iter().map(|c| c.score).collect();
    assert_eq!(
        category_points,
        [dec("30"), dec("45"), dec("25"), Decimal::ZERO]
    );
}

#[test]
fn the_total_is_base_plus_bonus() {
    let rubric = rubric();
    let pairs = perfect_with(&[
        ("basic.1.misses", "2"),
        ("management.5.accuracy_rate", "80"),
    ]);
    let mut pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    pairs.extend([
        ("innovation.1.media_province", "1"),
        ("innovation.1.instruction_city", "1"),
        ("innovation.2.discretionary", "2.5"),
        ("innovation.2.discretionary_reason", "在全市推广"),
    ]);
    let facts = facts(&rubric, &pairs);
    let unit = score(&rubric, &facts);
    assert_eq!(unit.base, dec("94")); // −2, −4
    assert_eq!(unit.bonus, dec("11.5")); // 5 + 4 + 2.5
    assert_eq!(unit.total, dec("105.5"));
    assert_eq!(unit.total, unit.base + unit.bonus);
    assert_eq!(unit.bonus_uncapped, None);
}

#[test]
fn the_same_facts_scored_twice_give_equal_scores() {
    let rubric = rubric();
    let pairs = perfect_with(&[
        ("management.2.members", "9996"),
        ("service.1.enrolment_rate", "99.5"),
        ("basic.4.sessions", ""),
    ]);
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a: UnitScore = score(&rubric, &facts(&rubric, &pairs));
    let b: UnitScore = score(&rubric, &facts(&rubric, &pairs));
    assert_eq!(a, b);
    assert_eq!(a, score(&rubric, &facts(&rubric, &pairs)));
}

#[test]
fn the_rubric_has_the_eighteen_items_of_the_annex_in_order() {
    let rubric = rubric();
    let ids: Vec<&str> = rubric.items().iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "basic.1",
            "basic.2",
            "basic.3",
            "basic.4",
            "management.1",
            "management.2",
            "management.3",
            "management.4",
            "management.5",
            "management.6",
            "management.7",
            "service.1",
            "service.2",
            "service.3",
            "service.4",
            "service.5",
            "innovation.1",
            "innovation.2",
        ]
    );
    assert_eq!(rubric.total(), Some(dec("100")));
    assert!(
        rubric.grades().is_empty(),
        "the annex defines no grade bands"
    );
}
