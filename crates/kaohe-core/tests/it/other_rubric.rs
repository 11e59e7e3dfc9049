//! A second rubric, of another (invented) district, scored with no code change.
//!
//! `data/haishu-2027.toml` uses every rule kind of the format, with other categories and
//! other numbers than Beilun's. The cases below give facts and the scores they must
//! produce: item, category, base, bonus, total, grade and veto. If these pass, the rules
//! are data: a district writes its own file and the engine scores it.

use std::collections::BTreeSet;

use kaohe_core::explain::{explain_item, grade_text};
use kaohe_core::rubric::{Apply, Cmp, Direction, ItemMode, RuleKind, Test, VetoEffect};
use kaohe_core::{Decimal, Facts, Rubric, UnitScore, score};

const HAISHU: &str = include_str!("../data/haishu-2027.toml");
const BEILUN: &str = include_str!("../../../../rubrics/beilun-2026.toml");

fn load(text: &str, file: &str) -> Rubric {
    Rubric::from_toml(text, file).unwrap_or_else(|e| panic!("{file} should load:\n{e}"))
}

fn haishu() -> Rubric {
    load(HAISHU, "haishu-2027.toml")
}

fn d(s: &str) -> Decimal {
    s.parse()
        .unwrap_or_else(|_| panic!("bad decimal in test: {s}"))
}

type Pairs = &'static [(&'static str, &'static str)];

/// Sets facts by key, as typed in a form; a later pair overrides an earlier one and an
/// empty string clears the fact.
fn set_all(rubric: &Rubric, facts: &mut Facts, pairs: &[(&str, &str)]) {
    for (key, raw) in pairs {
        let slot = rubric
            .slot(key)
            .unwrap_or_else(|| panic!("no fact {key} in {}", rubric.id()));
        let value = rubric
            .parse_value(slot, raw)
            .unwrap_or_else(|e| panic!("{key} = {raw:?} refused: {e}"));
        facts.set(slot, value);
    }
}

/// A community that meets every rule of the Haishu rubric: base 100, no bonus.
const PERFECT: Pairs = &[
    ("households", "2000"),
    ("org.1.missed_meetings", "0"),
    ("org.2.late_reports", "0"),
    ("org.3.party_branch", "是"),
    ("org.3.residents_council", "是"),
    ("org.3.property_committee", "是"),
    ("org.3.duty_roster", "是"),
    ("org.4.affairs_public", "是"),
    ("org.4.finance_public", "是"),
    ("org.4.hotline", "是"),
    ("service.1.visit_rate", "98"),
    ("service.1.complaint_rate", "3%"),
    ("service.1.volunteers", "200"),
    ("service.1.events", "6"),
    ("service.2.resolved", "19"),
    ("service.2.disputes", "20"),
    ("service.2.mediation_records", "是"),
    ("service.2.satisfaction", "93"),
    ("service.3.drills", "3"),
    ("service.4.volunteer_hours", "1200.5"),
    ("service.4.volunteer_hours_prev", "1100"),
    ("service.5.district_awards", "2"),
    ("service.5.city_awards", "2"),
    ("safety.1.fire_inspection", "是"),
    ("safety.1.patrols", "12"),
    ("safety.1.hazards_open", "1"),
    ("safety.1.major_incidents", "0"),
    ("safety.2.grid_coverage", "100"),
    ("safety.2.mediation_room", "是"),
    ("safety.2.mass_petitions", "0"),
];

fn perfect_plus(rubric: &Rubric, changes: &[(&str, &str)]) -> Facts {
    let mut facts = Facts::new(rubric);
    set_all(rubric, &mut facts, PERFECT);
    set_all(rubric, &mut facts, changes);
    facts
}

/// Facts that lose points all over (org −10 −6 → its floor; service.1 −10; safety −15).
/// Total 60 exactly.
const SIXTY: Pairs = &[
    ("org.1.missed_meetings", "5"),
    ("org.3.property_committee", "否"),
    ("org.3.duty_roster", "否"),
    ("service.1.visit_rate", "90"),
    ("service.1.complaint_rate", "8"),
    ("service.1.volunteers", "100"),
    ("service.1.events", "2"),
    ("safety.1.fire_inspection", "否"),
    ("safety.2.grid_coverage", "99.5"),
    ("safety.2.mediation_room", "否"),
];

struct Case {
    name: &'static str,
    /// Changes to [`PERFECT`].
    facts: &'static [Pairs],
    /// Expected item scores; an item not listed keeps its perfect score (its points,
    /// or 0 for a bonus item).
    items: Pairs,
    /// Expected category scores; a category not listed keeps its points (0 for bonus).
    categories: Pairs,
    /// Items whose indicator is off target.
    flagged: &'static [&'static str],
    base: &'static str,
    bonus: &'static str,
    bonus_uncapped: Option<&'static str>,
    total: &'static str,
    grade: &'static str,
    vetoed: bool,
}

const NONE: Pairs = &[];

const fn case(name: &'static str, facts: &'static [Pairs]) -> Case {
    Case {
        name,
        facts,
        items: NONE,
        categories: NONE,
        flagged: &[],
        base: "100",
        bonus: "0",
        bonus_uncapped: None,
        total: "100",
        grade: "优秀",
        vetoed: false,
    }
}

const CASES: &[Case] = &[
    case("perfect community", &[]),
    // ── per_count without max: −2 each, at most the item's 10 points.
    Case {
        items: &[("org.1", "4")],
        categories: &[("org", "34")],
        base: "94",
        total: "94",
        ..case(
            "per_count: 3 missed meetings × 2",
            &[&[("org.1.missed_meetings", "3")]],
        )
    },
    Case {
        items: &[("org.1", "0")],
        categories: &[("org", "30")],
        base: "90",
        total: "90",
        ..case(
            "per_count without max stops at the item's points (7 × 2 > 10); exactly 90 is 优秀",
            &[&[("org.1.missed_meetings", "7")]],
        )
    },
    // ── per_count with max = 4, and a discretionary deduction beside it.
    Case {
        items: &[("org.2", "4")],
        categories: &[("org", "36")],
        base: "96",
        total: "96",
        ..case(
            "per_count with max: 6 late reports lose only 4",
            &[&[("org.2.late_reports", "6")]],
        )
    },
    Case {
        items: &[("org.2", "3.5")],
        categories: &[("org", "35.5")],
        base: "95.5",
        total: "95.5",
        ..case(
            "per_count 2 × 1 plus discretionary deduction 2.5",
            &[&[
                ("org.2.late_reports", "2"),
                ("org.2.discretionary", "2.5"),
                ("org.2.discretionary_reason", "台账缺少第三季度会议记录"),
            ]],
        )
    },
    // ── checks, apply = "each" (org.3) and apply = "once" (org.4).
    Case {
        items: &[("org.3", "6")],
        categories: &[("org", "34")],
        base: "94",
        total: "94",
        ..case(
            "checks each: 2 unmet × 3",
            &[&[
                ("org.3.property_committee", "否"),
                ("org.3.duty_roster", "否"),
            ]],
        )
    },
    Case {
        items: &[("org.4", "6")],
        categories: &[("org", "36")],
        base: "96",
        total: "96",
        ..case(
            "checks once: 2 unmet lose 4 once",
            &[&[("org.4.finance_public", "否"), ("org.4.hotline", "否")]],
        )
    },
    Case {
        items: &[("org.4", "6")],
        categories: &[("org", "36")],
        base: "96",
        total: "96",
        ..case(
            "checks once: 1 unmet loses the same 4",
            &[&[("org.4.hotline", "否")]],
        )
    },
    // ── the test types: percent at_least, percent at_most, ratio to a unit-level
    // fact, count at_least; thresholds themselves are met.
    Case {
        items: &[("service.1", "10")],
        ..case(
            "every numeric check exactly at its threshold is met",
            &[&[
                ("service.1.visit_rate", "95"),
                ("service.1.complaint_rate", "5%"),
                // 160 / 2000 = 8%
                ("service.1.volunteers", "160"),
                ("service.1.events", "4"),
            ]],
        )
    },
    Case {
        items: &[("service.1", "0")],
        categories: &[("service", "25")],
        base: "90",
        total: "90",
        ..case(
            "every numeric check just past its threshold is unmet",
            &[&[
                ("service.1.visit_rate", "94.9"),
                ("service.1.complaint_rate", "5.1"),
                // 159 / 2000 = 7.95%
                ("service.1.volunteers", "159"),
                ("service.1.events", "3"),
            ]],
        )
    },
    Case {
        items: &[("service.1", "7.5")],
        categories: &[("service", "32.5")],
        base: "97.5",
        total: "97.5",
        ..case(
            "percent at_most: 5.01% > 5%",
            &[&[("service.1.complaint_rate", "5.01")]],
        )
    },
    Case {
        items: &[("service.1", "7.5")],
        categories: &[("service", "32.5")],
        base: "97.5",
        total: "97.5",
        ..case(
            "ratio with a unit-level denominator: 200 volunteers of 2501 households < 8%",
            &[&[("households", "2501")]],
        )
    },
    // ── ratio of two item facts; indicator.
    Case {
        items: &[("service.2", "4")],
        categories: &[("service", "31")],
        flagged: &["service.2"],
        base: "96",
        total: "96",
        ..case(
            "ratio of two item facts 17/20 = 85% < 90%; indicator off target is flagged, worth nothing",
            &[&[
                ("service.2.resolved", "17"),
                ("service.2.satisfaction", "80"),
            ]],
        )
    },
    Case {
        items: &[("service.2", "8")],
        ..case(
            "ratio exactly at its threshold 9/10 = 90%",
            &[&[("service.2.resolved", "9"), ("service.2.disputes", "10")]],
        )
    },
    Case {
        items: &[("service.2", "4")],
        categories: &[("service", "31")],
        base: "96",
        total: "96",
        ..case(
            "ratio with a 0 denominator is unmet",
            &[&[("service.2.resolved", "0"), ("service.2.disputes", "0")]],
        )
    },
    // ── shortfall.
    Case {
        items: &[("service.3", "2")],
        categories: &[("service", "31")],
        base: "96",
        total: "96",
        ..case(
            "shortfall: 1 drill of 3 → −4",
            &[&[("service.3.drills", "1")]],
        )
    },
    Case {
        items: &[("service.3", "0")],
        categories: &[("service", "29")],
        base: "94",
        total: "94",
        ..case("shortfall: no drill → −6", &[&[("service.3.drills", "0")]])
    },
    case(
        "shortfall: more than required loses nothing",
        &[&[("service.3.drills", "5")]],
    ),
    // ── below, and a discretionary deduction bounded by the item's points.
    Case {
        items: &[("service.4", "2")],
        categories: &[("service", "33")],
        base: "98",
        total: "98",
        ..case(
            "below: this year's hours under last year's",
            &[&[("service.4.volunteer_hours", "1099.9")]],
        )
    },
    case(
        "below: equal to last year is not below",
        &[&[("service.4.volunteer_hours", "1100")]],
    ),
    Case {
        items: &[("service.4", "0")],
        categories: &[("service", "31")],
        base: "96",
        total: "96",
        ..case(
            "below −2 and discretionary −4 stop at 0",
            &[&[
                ("service.4.volunteer_hours", "1000"),
                ("service.4.discretionary", "4"),
                ("service.4.discretionary_reason", "志愿服务组织不力"),
            ]],
        )
    },
    // ── award-mode item in a base category, capped at its points.
    Case {
        items: &[("service.5", "4.5")],
        categories: &[("service", "32.5")],
        base: "97.5",
        total: "97.5",
        ..case(
            "award in a base category: 1 × 1.5 + 1 × 3",
            &[&[
                ("service.5.district_awards", "1"),
                ("service.5.city_awards", "1"),
            ]],
        )
    },
    Case {
        items: &[("service.5", "0")],
        categories: &[("service", "28")],
        base: "93",
        total: "93",
        ..case(
            "award in a base category starts at 0",
            &[&[
                ("service.5.district_awards", "0"),
                ("service.5.city_awards", "0"),
            ]],
        )
    },
    case(
        "award in a base category is capped at its 7 points",
        &[&[
            ("service.5.district_awards", "10"),
            ("service.5.city_awards", "3"),
        ]],
    ),
    // ── category max_deduction.
    Case {
        items: &[
            ("org.1", "0"),
            ("org.2", "0"),
            ("org.3", "0"),
            ("org.4", "6"),
        ],
        categories: &[("org", "25")],
        base: "85",
        total: "85",
        grade: "良好",
        ..case(
            "max_deduction: org's items lose 34 but the category loses only 15",
            &[&[
                ("org.1.missed_meetings", "5"),
                ("org.2.late_reports", "8"),
                ("org.2.discretionary", "4"),
                ("org.2.discretionary_reason", "台账不规范"),
                ("org.3.party_branch", "否"),
                ("org.3.residents_council", "否"),
                ("org.3.property_committee", "否"),
                ("org.3.duty_roster", "否"),
                ("org.4.affairs_public", "否"),
            ]],
        )
    },
    Case {
        items: &[("org.1", "0"), ("org.3", "9")],
        categories: &[("org", "27")],
        base: "87",
        total: "87",
        grade: "良好",
        ..case(
            "max_deduction not reached: org loses 13",
            &[&[
                ("org.1.missed_meetings", "5"),
                ("org.3.property_committee", "否"),
            ]],
        )
    },
    // ── bonus: award with cap, discretionary add with max, tiered, category cap,
    // rubric.max_bonus.
    Case {
        items: &[("innovation.1", "2"), ("honors.1", "2")],
        categories: &[("innovation", "2"), ("honors", "2")],
        bonus: "4",
        total: "104",
        ..case(
            "bonus under every cap",
            &[&[
                ("innovation.1.pilot_projects", "1"),
                ("honors.1.honor_district", "2"),
            ]],
        )
    },
    Case {
        items: &[("innovation.1", "5"), ("innovation.2", "2.5")],
        categories: &[("innovation", "6")],
        bonus: "6",
        total: "106",
        ..case(
            "award cap 5 (4 + 3 = 7), then the category cap 6 (5 + 2.5)",
            &[&[
                ("innovation.1.pilot_projects", "2"),
                ("innovation.1.published_cases", "3"),
                ("innovation.2.discretionary", "2.5"),
                (
                    "innovation.2.discretionary_reason",
                    "议事协商经验在全区推广",
                ),
            ]],
        )
    },
    Case {
        items: &[("honors.1", "9")],
        categories: &[("honors", "9")],
        bonus: "9",
        total: "109",
        ..case(
            "tiered: 1 + 3 + 5, no cap on the category",
            &[&[
                ("honors.1.honor_district", "1"),
                ("honors.1.honor_city", "1"),
                ("honors.1.honor_province", "1"),
            ]],
        )
    },
    Case {
        items: &[
            ("innovation.1", "5"),
            ("innovation.2", "2.5"),
            ("honors.1", "8"),
        ],
        categories: &[("innovation", "6"), ("honors", "8")],
        bonus: "10",
        bonus_uncapped: Some("14"),
        total: "110",
        ..case(
            "rubric.max_bonus: 6 + 8 = 14 held to 10",
            &[&[
                ("innovation.1.pilot_projects", "2"),
                ("innovation.1.published_cases", "3"),
                ("innovation.2.discretionary", "2.5"),
                (
                    "innovation.2.discretionary_reason",
                    "议事协商经验在全区推广",
                ),
                ("honors.1.honor_city", "1"),
                ("honors.1.honor_province", "1"),
            ]],
        )
    },
    Case {
        items: &[("org.1", "0"), ("org.3", "9"), ("honors.1", "3")],
        categories: &[("org", "27"), ("honors", "3")],
        base: "87",
        bonus: "3",
        total: "90",
        ..case(
            "the grade is by the grand total: base 87 + bonus 3 = 90 is 优秀",
            &[&[
                ("org.1.missed_meetings", "5"),
                ("org.3.property_committee", "否"),
                ("honors.1.honor_city", "1"),
            ]],
        )
    },
    // ── veto and downgrade.
    Case {
        grade: "不合格（一票否决）",
        vetoed: true,
        ..case(
            "veto: a perfect total of 100 still gets the lowest grade",
            &[&[("safety.1.major_incidents", "1")]],
        )
    },
    Case {
        items: &[
            ("innovation.1", "5"),
            ("innovation.2", "2.5"),
            ("honors.1", "8"),
        ],
        categories: &[("innovation", "6"), ("honors", "8")],
        bonus: "10",
        bonus_uncapped: Some("14"),
        total: "110",
        grade: "不合格（一票否决）",
        vetoed: true,
        ..case(
            "veto: even with the most bonus",
            &[&[
                ("safety.1.major_incidents", "2"),
                ("innovation.1.pilot_projects", "2"),
                ("innovation.1.published_cases", "3"),
                ("innovation.2.discretionary", "2.5"),
                (
                    "innovation.2.discretionary_reason",
                    "议事协商经验在全区推广",
                ),
                ("honors.1.honor_city", "1"),
                ("honors.1.honor_province", "1"),
            ]],
        )
    },
    Case {
        grade: "良好（降档）",
        ..case(
            "downgrade: 100 drops one band, 优秀 → 良好",
            &[&[("safety.2.mass_petitions", "3")]],
        )
    },
    case(
        "downgrade not triggered at its threshold (2 petitions ≤ 2)",
        &[&[("safety.2.mass_petitions", "2")]],
    ),
    Case {
        items: &[("org.1", "0"), ("org.3", "9")],
        categories: &[("org", "27")],
        base: "87",
        total: "87",
        grade: "合格（降档）",
        ..case(
            "downgrade: 87 drops one band, 良好 → 合格",
            &[&[
                ("org.1.missed_meetings", "5"),
                ("org.3.property_committee", "否"),
                ("safety.2.mass_petitions", "4"),
            ]],
        )
    },
    Case {
        items: &[
            ("org.1", "0"),
            ("org.3", "6"),
            ("service.1", "0"),
            ("safety.1", "10"),
            ("safety.2", "0"),
            ("service.4", "3.9"),
        ],
        categories: &[("org", "25"), ("service", "24.9"), ("safety", "10")],
        base: "59.9",
        total: "59.9",
        grade: "不合格",
        ..case(
            "downgrade in the lowest band stays there",
            &[
                SIXTY,
                &[
                    ("service.4.discretionary", "0.1"),
                    ("service.4.discretionary_reason", "活动记录不全"),
                    ("safety.2.mass_petitions", "3"),
                ],
            ],
        )
    },
    Case {
        grade: "不合格（一票否决）",
        vetoed: true,
        ..case(
            "veto and downgrade together: the veto decides",
            &[&[
                ("safety.1.major_incidents", "1"),
                ("safety.2.mass_petitions", "3"),
            ]],
        )
    },
    // ── grade boundaries: each band's minimum belongs to the band.
    Case {
        items: &[("org.1", "0")],
        categories: &[("org", "30")],
        base: "90",
        total: "90",
        ..case("exactly 90 is 优秀", &[&[("org.1.missed_meetings", "5")]])
    },
    Case {
        items: &[("org.1", "0"), ("service.4", "3.9")],
        categories: &[("org", "30"), ("service", "34.9")],
        base: "89.9",
        total: "89.9",
        grade: "良好",
        ..case(
            "89.9 is 良好",
            &[&[
                ("org.1.missed_meetings", "5"),
                ("service.4.discretionary", "0.1"),
                ("service.4.discretionary_reason", "活动记录不全"),
            ]],
        )
    },
    Case {
        items: &[("org.1", "0"), ("service.1", "0")],
        categories: &[("org", "30"), ("service", "25")],
        base: "80",
        total: "80",
        grade: "良好",
        ..case(
            "exactly 80 is 良好",
            &[&[
                ("org.1.missed_meetings", "5"),
                ("service.1.visit_rate", "90"),
                ("service.1.complaint_rate", "8"),
                ("service.1.volunteers", "100"),
                ("service.1.events", "2"),
            ]],
        )
    },
    Case {
        items: &[("org.1", "0"), ("service.1", "0"), ("service.4", "3.9")],
        categories: &[("org", "30"), ("service", "24.9")],
        base: "79.9",
        total: "79.9",
        grade: "合格",
        ..case(
            "79.9 is 合格",
            &[&[
                ("org.1.missed_meetings", "5"),
                ("service.1.visit_rate", "90"),
                ("service.1.complaint_rate", "8"),
                ("service.1.volunteers", "100"),
                ("service.1.events", "2"),
                ("service.4.discretionary", "0.1"),
                ("service.4.discretionary_reason", "活动记录不全"),
            ]],
        )
    },
    Case {
        items: &[
            ("org.1", "0"),
            ("org.3", "6"),
            ("service.1", "0"),
            ("safety.1", "10"),
            ("safety.2", "0"),
        ],
        categories: &[("org", "25"), ("service", "25"), ("safety", "10")],
        base: "60",
        total: "60",
        grade: "合格",
        ..case("exactly 60 is 合格", &[SIXTY])
    },
    Case {
        items: &[
            ("org.1", "0"),
            ("org.3", "6"),
            ("service.1", "0"),
            ("safety.1", "10"),
            ("safety.2", "0"),
            ("service.4", "3.9"),
        ],
        categories: &[("org", "25"), ("service", "24.9"), ("safety", "10")],
        base: "59.9",
        total: "59.9",
        grade: "不合格",
        ..case(
            "59.9 is 不合格",
            &[
                SIXTY,
                &[
                    ("service.4.discretionary", "0.1"),
                    ("service.4.discretionary_reason", "活动记录不全"),
                ],
            ],
        )
    },
];

fn item_index(rubric: &Rubric, id: &str) -> usize {
    rubric
        .items()
        .iter()
        .position(|i| i.id == id)
        .unwrap_or_else(|| panic!("no item {id}"))
}

fn category_index(rubric: &Rubric, id: &str) -> usize {
    rubric
        .categories()
        .iter()
        .position(|c| c.id == id)
        .unwrap_or_else(|| panic!("no category {id}"))
}

/// Every expectation of a case, against a score; returns the mismatches as text so that
/// one run shows all of them.
fn mismatches(rubric: &Rubric, case: &Case, got: &UnitScore) -> Vec<String> {
    let mut out = Vec::new();
    let mut expect = |what: String, want: String, have: String| {
        if want != have {
            out.push(format!("{what}: expected {want}, got {have}"));
        }
    };
    for (i, item) in rubric.items().iter().enumerate() {
        let want = case
            .items
            .iter()
            .find(|(id, _)| *id == item.id)
            .map(|(_, s)| d(s))
            .unwrap_or_else(|| item.points.unwrap_or_default());
        expect(
            format!("item {}", item.id),
            want.normalize().to_string(),
            got.items[i].score.normalize().to_string(),
        );
        let flagged = case.flagged.contains(&item.id.as_str());
        expect(
            format!("item {} flagged", item.id),
            flagged.to_string(),
            got.items[i].flagged.to_string(),
        );
    }
    for (c, cat) in rubric.categories().iter().enumerate() {
        let want = case
            .categories
            .iter()
            .find(|(id, _)| *id == cat.id)
            .map(|(_, s)| d(s))
            .unwrap_or_else(|| cat.points.unwrap_or_default());
        expect(
            format!("category {}", cat.id),
            want.normalize().to_string(),
            got.categories[c].score.normalize().to_string(),
        );
        let raw: Decimal = cat.items.clone().map(|i| got.items[i].score).sum();
        expect(
            format!("category {} raw", cat.id),
            raw.normalize().to_string(),
            got.categories[c].raw.normalize().to_string(),
        );
    }
    let n = |x: Decimal| x.normalize().to_string();
    expect("base".into(), n(d(case.base)), n(got.base));
    expect("bonus".into(), n(d(case.bonus)), n(got.bonus));
    expect(
        "bonus_uncapped".into(),
        format!("{:?}", case.bonus_uncapped.map(|s| n(d(s)))),
        format!("{:?}", got.bonus_uncapped.map(n)),
    );
    expect("total".into(), n(d(case.total)), n(got.total));
    expect(
        "grade".into(),
        case.grade.to_string(),
        grade_text(rubric, got),
    );
    expect(
        "vetoed".into(),
        case.vetoed.to_string(),
        got.vetoed.to_string(),
    );
    out
}

#[test]
fn the_haishu_rubric_scores_every_rule_kind_as_written() {
    let rubric = haishu();
    let mut failures = Vec::new();
    for case in CASES {
        let changes: Vec<(&str, &str)> =
            case.facts.iter().flat_map(|p| p.iter().copied()).collect();
        let facts = perfect_plus(&rubric, &changes);
        assert!(
            facts.problems(&rubric).is_empty(),
            "{}: facts have problems: {:?}",
            case.name,
            facts.problems(&rubric)
        );
        let got = score(&rubric, &facts);
        assert!(
            got.all_missing().is_empty(),
            "{}: a fact is missing",
            case.name
        );
        let wrong = mismatches(&rubric, case, &got);
        if !wrong.is_empty() {
            failures.push(format!("{}:\n  {}", case.name, wrong.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_haishu_file_uses_every_rule_kind_and_variant() {
    let rubric = haishu();
    let mut seen = BTreeSet::new();
    for item in rubric.items() {
        for rule in &item.rules {
            let mut tests = |checks: &[kaohe_core::rubric::Check]| {
                for c in checks {
                    let name = match &c.test {
                        Test::Yes { .. } => "test bool".to_string(),
                        Test::Value { input, cmp, .. } => format!(
                            "test {} {}",
                            rubric.input(*input).ty.name(),
                            match cmp {
                                Cmp::AtLeast => "at_least",
                                Cmp::AtMost => "at_most",
                            }
                        ),
                        Test::Ratio { den, .. } => {
                            if rubric.input(*den).item.is_none() {
                                "test ratio of unit fact".to_string()
                            } else {
                                "test ratio of item facts".to_string()
                            }
                        }
                    };
                    seen.insert(name);
                }
            };
            let name = match &rule.kind {
                RuleKind::PerCount { max: None, .. } => "per_count".into(),
                RuleKind::PerCount { max: Some(_), .. } => "per_count max".into(),
                RuleKind::Checks { checks, apply, .. } => {
                    tests(checks);
                    match apply {
                        Apply::Each => "checks each".into(),
                        Apply::Once => "checks once".into(),
                    }
                }
                RuleKind::Shortfall { .. } => "shortfall".into(),
                // Tried on their own rubric: new_kinds.rs.
                RuleKind::Proportional { .. } => "proportional".into(),
                RuleKind::Tiers { .. } => "tiers".into(),
                RuleKind::Below { .. } => "below".into(),
                RuleKind::Award {
                    tiered: true, cap, ..
                } => format!("tiered cap={}", cap.is_some()),
                RuleKind::Award {
                    tiered: false, cap, ..
                } => format!(
                    "award cap={} in {:?} item with points={}",
                    cap.is_some(),
                    item.mode,
                    item.points.is_some()
                ),
                RuleKind::Discretionary { direction, .. } => match direction {
                    Direction::Deduct => "discretionary deduct".into(),
                    Direction::Add => "discretionary add".into(),
                },
                RuleKind::Indicator { checks } => {
                    tests(checks);
                    "indicator".into()
                }
                RuleKind::Veto { checks, effect } => {
                    tests(checks);
                    match effect {
                        VetoEffect::Veto => "veto".into(),
                        VetoEffect::Downgrade => "downgrade".into(),
                    }
                }
            };
            seen.insert(name);
        }
    }
    let want = [
        "per_count",
        "per_count max",
        "checks each",
        "checks once",
        "shortfall",
        "below",
        "award cap=true in Award item with points=false",
        "award cap=false in Award item with points=true",
        "tiered cap=false",
        "discretionary deduct",
        "discretionary add",
        "indicator",
        "veto",
        "downgrade",
        "test bool",
        "test count at_least",
        "test count at_most",
        "test percent at_least",
        "test percent at_most",
        "test ratio of unit fact",
        "test ratio of item facts",
    ];
    for w in want {
        assert!(
            seen.contains(w),
            "the Haishu file no longer has: {w}; has {seen:?}"
        );
    }

    // And the file's settings around the rules.
    assert_eq!(rubric.id(), "haishu-2027");
    assert_eq!(rubric.total(), Some(d("100")));
    assert_eq!(rubric.max_bonus(), Some(d("10")));
    let org = &rubric.categories()[category_index(&rubric, "org")];
    assert_eq!(org.max_deduction, Some(d("15")));
    let innovation = &rubric.categories()[category_index(&rubric, "innovation")];
    assert_eq!(innovation.cap, Some(d("6")));
    let service5 = &rubric.items()[item_index(&rubric, "service.5")];
    assert_eq!(
        (service5.mode, service5.cap),
        (ItemMode::Award, Some(d("7")))
    );
    let grades: Vec<(&str, String)> = rubric
        .grades()
        .iter()
        .map(|g| (g.name.as_str(), g.min.normalize().to_string()))
        .collect();
    assert_eq!(
        grades,
        [
            ("优秀", "90".to_string()),
            ("良好", "80".to_string()),
            ("合格", "60".to_string()),
            ("不合格", "0".to_string())
        ]
    );
}

#[test]
fn a_community_that_reports_nothing_gets_the_least_favourable_reading() {
    let rubric = haishu();
    let mut facts = Facts::new(&rubric);
    set_all(&rubric, &mut facts, &[("households", "2000")]);
    let got = score(&rubric, &facts);
    let case = Case {
        items: &[
            ("org.1", "0"),
            // per_count with max takes its max, not the item's points
            ("org.2", "4"),
            ("org.3", "0"),
            // checks once: −4 once
            ("org.4", "6"),
            ("service.1", "0"),
            ("service.2", "0"),
            ("service.3", "0"),
            ("service.4", "2"),
            ("service.5", "0"),
            ("safety.1", "0"),
            ("safety.2", "0"),
        ],
        categories: &[("org", "25"), ("service", "2"), ("safety", "0")],
        flagged: &["service.2"],
        base: "27",
        total: "27",
        grade: "不合格（一票否决）",
        vetoed: true,
        ..case("nothing reported", &[])
    };
    let wrong = mismatches(&rubric, &case, &got);
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    let required_item_facts = rubric
        .inputs()
        .iter()
        .filter(|i| i.required && i.item.is_some())
        .count();
    assert_eq!(got.all_missing().len(), required_item_facts);
    assert_eq!(required_item_facts, 29);
    assert_eq!(got.downgrades, 1);
}

fn switch(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "expected exactly one {from:?} in the rubric text"
    );
    text.replace(from, to)
}

#[test]
fn once_and_each_read_the_same_unmet_checks_differently() {
    let once = haishu();
    // org.4 as written: apply = "once". The other reading, switched in the file's text.
    let each_text = switch(HAISHU, "apply = \"once\"", "apply = \"each\"");
    let each = load(&each_text, "haishu-2027.toml");
    // org.3 as written: apply = "each"; switched to once.
    let org3_once_text = switch(
        HAISHU,
        "each = 3, apply = \"each\"",
        "each = 3, apply = \"once\"",
    );
    let org3_once = load(&org3_once_text, "haishu-2027.toml");

    let org4_unmet = [("org.4.finance_public", "否"), ("org.4.hotline", "否")];
    let org3_unmet = [
        ("org.3.party_branch", "否"),
        ("org.3.property_committee", "否"),
        ("org.3.duty_roster", "否"),
    ];
    let item_score = |r: &Rubric, changes: &[(&str, &str)], id: &str| {
        let facts = perfect_plus(r, changes);
        score(r, &facts).items[item_index(r, id)].score.normalize()
    };
    // Two unmet checks: −4 once, or −4 each.
    assert_eq!(item_score(&once, &org4_unmet, "org.4"), d("6"));
    assert_eq!(item_score(&each, &org4_unmet, "org.4"), d("2"));
    // One unmet check: the readings agree.
    assert_eq!(item_score(&once, &org4_unmet[1..], "org.4"), d("6"));
    assert_eq!(item_score(&each, &org4_unmet[1..], "org.4"), d("6"));
    // Three unmet checks of org.3: −9 each, or −3 once.
    assert_eq!(item_score(&once, &org3_unmet, "org.3"), d("3"));
    assert_eq!(item_score(&org3_once, &org3_unmet, "org.3"), d("9"));

    // The explanation says which reading was applied.
    let facts = perfect_plus(&once, &org4_unmet);
    let got = score(&once, &facts);
    let lines = explain_item(&once, &facts, &got, item_index(&once, "org.4"));
    assert!(
        lines
            .iter()
            .any(|l| l == "3 项中有 2 项未达标，扣一次 → −4"),
        "{lines:#?}"
    );
    let facts = perfect_plus(&each, &org4_unmet);
    let got = score(&each, &facts);
    let lines = explain_item(&each, &facts, &got, item_index(&each, "org.4"));
    assert!(lines.iter().any(|l| l == "财务公开：否 → −4"), "{lines:#?}");
    assert!(
        lines.iter().any(|l| l == "开通服务热线：否 → −4"),
        "{lines:#?}"
    );
}

#[test]
fn changing_a_threshold_in_the_beilun_text_changes_the_score() {
    let as_shipped = load(BEILUN, "beilun-2026.toml");
    let stricter_text = switch(
        BEILUN,
        "{ input = \"registration_rate\", at_least = 95 },",
        "{ input = \"registration_rate\", at_least = 96 },",
    );
    let stricter = load(&stricter_text, "beilun-2026.toml");
    assert_ne!(as_shipped.hash(), stricter.hash());

    let unit = [
        ("floating_population", "50000"),
        ("management.5.registration_rate", "95.5%"),
        ("management.5.accuracy_rate", "92"),
        ("management.5.rental_registration_rate", "96"),
    ];
    let scored = |r: &Rubric| {
        let mut facts = Facts::new(r);
        set_all(r, &mut facts, &unit);
        let got = score(r, &facts);
        let i = item_index(r, "management.5");
        let lines = explain_item(r, &facts, &got, i);
        (got.items[i].score.normalize(), got.total, lines)
    };
    let (before, total_before, lines_before) = scored(&as_shipped);
    let (after, total_after, lines_after) = scored(&stricter);
    assert_eq!(before, d("7"), "{lines_before:#?}");
    assert_eq!(after, d("3"), "{lines_after:#?}");
    assert_eq!(total_before - total_after, d("4"));
    assert!(
        lines_after
            .iter()
            .any(|l| l == "信息登记率 95.5% < 96% → −4"),
        "{lines_after:#?}"
    );
}

#[test]
fn the_same_rubric_text_gives_the_same_hash() {
    let a = haishu();
    let b = haishu();
    assert_eq!(a.hash(), b.hash());
    assert_eq!(a.hash().len(), 64);
    let beilun = load(BEILUN, "beilun-2026.toml");
    assert_ne!(a.hash(), beilun.hash());
}

/// The Haishu rubric with every item fact optional (`required = false`): what a district
/// writes when it wants an empty answer to mean 0 or 否.
fn haishu_all_optional() -> Rubric {
    load(
        &HAISHU.replace("{ key = ", "{ required = false, key = "),
        "haishu-2027-optional.toml",
    )
}

#[test]
fn an_optional_count_left_empty_passes_a_check_of_at_most_zero() {
    let rubric = haishu_all_optional();
    let mut facts = perfect_plus(&rubric, &[]);
    set_all(&rubric, &mut facts, &[("safety.1.major_incidents", "")]);
    let got = score(&rubric, &facts);
    assert!(!got.vetoed, "an empty optional count read as unmet");
    let safety1 = item_index(&rubric, "safety.1");
    let lines = explain_item(&rubric, &facts, &got, safety1).join("\n");
    assert!(!lines.contains("未填"), "{lines}");
    assert_eq!(got.total, score(&rubric, &perfect_plus(&rubric, &[])).total);
}

mod optional_empty {
    use super::*;
    use kaohe_core::rubric::InputType;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    static RUBRIC: LazyLock<Rubric> = LazyLock::new(haishu_all_optional);

    /// What a person types for "nothing": 0 for numbers, 否 for yes/no.
    fn zero(ty: InputType) -> &'static str {
        if ty == InputType::Bool { "否" } else { "0" }
    }

    /// The optional facts for which 0 (or 否) is a value the rubric accepts.
    fn optional_slots() -> Vec<usize> {
        (0..RUBRIC.inputs().len())
            .filter(|&s| {
                let input = RUBRIC.input(s);
                !input.required
                    && input.ty != InputType::Text
                    && RUBRIC.parse_value(s, zero(input.ty)).is_ok()
            })
            .collect()
    }

    fn value_for(slot: usize) -> BoxedStrategy<String> {
        let input = RUBRIC.input(slot);
        match input.ty {
            InputType::Count if input.item.is_none() => {
                (1u32..=5000).prop_map(|n| n.to_string()).boxed()
            }
            InputType::Count => (0u32..30).prop_map(|n| n.to_string()).boxed(),
            InputType::Percent => (0u32..=100).prop_map(|n| format!("{n}%")).boxed(),
            InputType::Bool => prop::sample::select(vec!["是", "否"])
                .prop_map(str::to_string)
                .boxed(),
            InputType::Decimal => (0u32..=30)
                .prop_map(|t| Decimal::new(i64::from(t), 1).normalize().to_string())
                .boxed(),
            InputType::Text => Just(String::new()).boxed(),
        }
    }

    fn facts_of(raw: &[Option<String>]) -> Facts {
        let mut facts = Facts::new(&RUBRIC);
        for (slot, value) in raw.iter().enumerate() {
            if let Some(text) = value {
                let parsed = RUBRIC.parse_value(slot, text).unwrap_or_else(|e| {
                    panic!("{} = {text:?} refused: {e}", RUBRIC.input(slot).key)
                });
                facts.set(slot, parsed);
            }
        }
        facts
    }

    proptest! {
        /// The gap advisor holds on the second rubric too, whose rules use every kind.
        #[test]
        fn the_advisor_holds_on_random_haishu_reports(
            raw in (0..RUBRIC.inputs().len())
                .map(|s| prop::option::weighted(0.8, value_for(s)))
                .collect::<Vec<_>>()
        ) {
            crate::gaps::advisor_holds(&RUBRIC, &facts_of(&raw))?;
        }

        /// Every rule kind reads an optional fact left empty exactly as the same fact
        /// given as 0 or 否: the same scores, effects, grade and missing list.
        #[test]
        fn an_optional_fact_left_empty_scores_as_zero_or_no(
            raw in (0..RUBRIC.inputs().len())
                .map(|s| prop::option::weighted(0.7, value_for(s)))
                .collect::<Vec<_>>()
        ) {
            let slots = optional_slots();
            prop_assert!(slots.len() > 30, "only {} optional slots", slots.len());
            for slot in slots {
                let mut empty = raw.clone();
                empty[slot] = None;
                let mut typed = raw.clone();
                typed[slot] = Some(zero(RUBRIC.input(slot).ty).to_string());
                let (a, b) = (score(&RUBRIC, &facts_of(&empty)), score(&RUBRIC, &facts_of(&typed)));
                prop_assert_eq!(a, b, "{} empty and {} differ", RUBRIC.input(slot).key,
                    zero(RUBRIC.input(slot).ty));
            }
        }
    }
}
