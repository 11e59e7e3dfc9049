//! The shipped Beilun rubric is the seed document, read as the spec says: every
//! criteria text verbatim from the source, and exactly the spec's ids and input keys.

use kaohe_core::Rubric;

const RUBRIC: &str = include_str!("../../../../rubrics/beilun-2026.toml");
const SOURCE: &str = include_str!("../../../../rubrics/source/beilun-assessment-rules.txt");

fn rubric() -> Rubric {
    Rubric::from_toml(RUBRIC, "beilun-2026.toml").unwrap()
}

#[test]
fn every_criteria_text_is_verbatim_from_the_source_document() {
    let rubric = rubric();
    for item in rubric.items() {
        assert!(
            SOURCE.contains(&item.criteria),
            "{}: criteria not found verbatim in the source: {}",
            item.id,
            item.criteria
        );
    }
}

#[test]
fn the_input_keys_are_exactly_those_of_the_spec() {
    let expected = [
        "floating_population",
        "basic.1.misses",
        "basic.2.staff",
        "basic.2.rules",
        "basic.2.funding",
        "basic.2.guidance",
        "basic.3.articles",
        "basic.3.typical_articles",
        "basic.4.sessions",
        "management.1.rental_supply",
        "management.1.rental_supply_prev",
        "management.1.discretionary",
        "management.1.discretionary_reason",
        "management.2.members",
        "management.2.core_members",
        "management.2.volunteer_info_complete",
        "management.3.discretionary",
        "management.3.discretionary_reason",
        "management.4.law_enforcement",
        "management.4.rental_safety",
        "management.4.hotspot_rectification",
        "management.4.landlord_responsibility",
        "management.5.registration_rate",
        "management.5.accuracy_rate",
        "management.5.rental_registration_rate",
        "management.6.sex_ratio_governance",
        "management.6.pregnancy_service_rate",
        "management.6.mental_health_control",
        "management.7.discretionary",
        "management.7.discretionary_reason",
        "service.1.enrolment_rate",
        "service.1.discretionary",
        "service.1.discretionary_reason",
        "service.2.trained",
        "service.2.quizzes",
        "service.2.job_fairs",
        "service.2.discretionary",
        "service.2.discretionary_reason",
        "service.3.legal_training",
        "service.3.anti_fraud",
        "service.3.drowning_prevention",
        "service.3.minor_protection",
        "service.4.culture_sports",
        "service.4.holiday_school",
        "service.4.migrant_children_care",
        "service.5.health_records",
        "service.5.maternal_child_care",
        "service.5.vaccination_rate",
        "innovation.1.media_city",
        "innovation.1.media_province",
        "innovation.1.media_national",
        "innovation.1.instruction_district",
        "innovation.1.instruction_city",
        "innovation.1.instruction_province",
        "innovation.1.instruction_central",
        "innovation.2.discretionary",
        "innovation.2.discretionary_reason",
    ];
    let rubric = rubric();
    let mut keys: Vec<&str> = rubric.inputs().iter().map(|i| i.key.as_str()).collect();
    let mut want = expected.to_vec();
    keys.sort_unstable();
    want.sort_unstable();
    assert_eq!(keys, want);
}

#[test]
fn the_categories_and_points_are_those_of_the_annex() {
    let rubric = rubric();
    let cats: Vec<(&str, Option<String>, usize)> = rubric
        .categories()
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.points.map(|p| p.to_string()),
                c.items.len(),
            )
        })
        .collect();
    assert_eq!(
        cats,
        vec![
            ("基础工作", Some("30".into()), 4),
            ("管理工作", Some("45".into()), 7),
            ("服务工作", Some("25".into()), 5),
            ("创新工作", None, 2),
        ]
    );
    let points: Vec<String> = rubric
        .items()
        .iter()
        .map(|i| i.points.map(|p| p.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(
        points,
        [
            "6", "8", "10", "6", "6", "10", "6", "8", "7", "4", "4", "5", "10", "5", "3", "2", "",
            ""
        ]
    );
    assert!(
        rubric.grades().is_empty(),
        "the annex defines no grade bands"
    );
}
