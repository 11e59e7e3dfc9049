//! A draft imported from next year's annex has keys of its own: the what-if's mapping
//! suggests last year's facts for it (the same item by its criteria, the fact by its
//! label), a person confirms, and the same facts then score under both.

use kaohe_core::compare::{Mapping, carry_with, items_matched, suggest};
use kaohe_core::{Facts, Rubric, engine::score};

fn rubrics() -> (Rubric, Rubric) {
    let old = Rubric::from_toml(
        include_str!("../../../../rubrics/beilun-2026.toml"),
        "beilun-2026.toml",
    )
    .unwrap();
    let draft = kaohe_formats::annex::import_annex(
        "beilun-2027-draft-annex.txt",
        include_bytes!("../../../../rubrics/source/beilun-2027-draft-annex.txt"),
    )
    .unwrap();
    let new = Rubric::from_toml(&draft.to_toml(), "draft.toml").unwrap();
    (old, new)
}

#[test]
fn each_imported_item_continues_last_years_item_but_the_new_one() {
    let (old, new) = rubrics();
    let matched = items_matched(&old, &new);
    for (ni, m) in matched.iter().enumerate() {
        let people = new.item_ref(ni);
        match m {
            // The imported draft numbers items by their place, as last year's did.
            Some(oi) => assert_eq!(old.item_ref(*oi), people),
            None => assert_eq!(people, "创新工作第3项"),
        }
    }
    assert_eq!(matched.iter().filter(|m| m.is_none()).count(), 1);
}

#[test]
fn last_years_facts_are_suggested_for_an_imported_draft() {
    let (old, new) = rubrics();
    let auto = Mapping::auto(&old, &new);
    // Only the unit-level fact has the same label outside any item.
    let linked: Vec<_> = auto.links.iter().flatten().collect();
    assert_eq!(linked.len(), 1, "{linked:?}");
    let suggested = suggest(&old, &new, &auto);
    let named = |new_label: &str| -> Option<String> {
        let slot = (0..new.inputs().len()).find(|&s| new.input(s).label == new_label)?;
        suggested
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, from)| old.input(*from).key.clone())
    };
    for (label, key) in [
        ("信息登记率", "management.5.registration_rate"),
        ("出租房屋登记率", "management.5.rental_registration_rate"),
        ("市主流媒体发表", "innovation.1.media_city"),
        ("省主流媒体发表", "innovation.1.media_province"),
        // The best pair alone would take this year's supply for last year's.
        ("合法合规的出租房屋供应量", "management.1.rental_supply"),
        (
            "上一年度合法合规的出租房屋供应量",
            "management.1.rental_supply_prev",
        ),
        ("未落实次数", "basic.1.misses"),
    ] {
        assert_eq!(named(label).as_deref(), Some(key), "{label}");
    }
    // The new item has nothing to take; a ratio is not suggested for a count.
    assert_eq!(named("开展推广活动"), None);
    assert_eq!(named("会员数占比"), None);
    // Each old fact is suggested once.
    let mut froms: Vec<_> = suggested.iter().map(|(_, f)| *f).collect();
    froms.sort_unstable();
    froms.dedup();
    assert_eq!(froms.len(), suggested.len());
}

#[test]
fn confirmed_suggestions_carry_the_facts_and_the_new_threshold_bites() {
    let (old, new) = rubrics();
    let auto = Mapping::auto(&old, &new);
    let chosen: Vec<(String, Option<String>)> = suggest(&old, &new, &auto)
        .into_iter()
        .map(|(s, f)| (new.input(s).key.clone(), Some(old.input(f).key.clone())))
        .chain([(new.input(new.inputs().len() - 1).key.clone(), None)])
        .collect();
    let (mapping, unknown) = auto.with_hand(&old, &new, &chosen);
    assert!(unknown.is_empty());
    let last = new.inputs().len() - 1;
    assert_eq!(new.input(last).label, "开展推广活动");
    assert!(mapping.none_by_hand[last], "a person said it is new");
    assert!(mapping.open().all(|s| s != last));

    let mut facts = Facts::new(&old);
    for (key, value) in [
        ("management.5.registration_rate", "96%"),
        ("management.5.accuracy_rate", "95%"),
        ("management.5.rental_registration_rate", "96%"),
    ] {
        let slot = old.slot(key).unwrap();
        facts.set(slot, old.parse_value(slot, value).unwrap());
    }
    let rate = old.slot("management.5.registration_rate").unwrap();
    let carried = carry_with(&old, &facts, &new, &mapping);
    let new_rate = new
        .slot(
            &chosen
                .iter()
                .find(|(_, o)| o.as_deref() == Some("management.5.registration_rate"))
                .unwrap()
                .0,
        )
        .unwrap();
    assert_eq!(carried.facts.get(new_rate), facts.get(rate));
    // 96% met 95% last year; the draft asks 97%.
    let item = |r: &Rubric, name: &str| {
        r.items()
            .iter()
            .position(|i| i.criteria.contains(name))
            .unwrap()
    };
    let before = score(&old, &facts).items[item(&old, "信息登记率95%")].score;
    let after = score(&new, &carried.facts).items[item(&new, "信息登记率97%")].score;
    assert_eq!(
        (before, after),
        (7.into(), 3.into()),
        "one target missed: −4"
    );

    // A hand choice of a key neither rubric has is returned, not applied.
    let odd = vec![("nope".to_string(), Some("basic.1.misses".to_string()))];
    let (_, unknown) = Mapping::auto(&old, &new).with_hand(&old, &new, &odd);
    assert_eq!(unknown, vec!["nope"]);
}
