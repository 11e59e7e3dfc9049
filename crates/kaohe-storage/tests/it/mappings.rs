//! A what-if's mapping by hand, on every backend: kept per pair of rubric versions,
//! replaced whole, and only between one organiser's versions.

use kaohe_storage::*;

#[tokio::test]
async fn a_mapping_is_kept_per_pair_of_versions_and_replaced_whole() {
    for db in testing::all().await {
        let s = &db.store;
        let label = db.label;
        let org = change!(s, create_organiser("北仑区", false)).unwrap();
        let other = change!(s, create_organiser("镇海区", false)).unwrap();
        let add = |o: Id, code: &'static str| async move {
            change!(s, add_rubric_version(o, code, "细则", "text", code, None)).unwrap()
        };
        let (old, new, theirs) = (
            add(org.id, "a").await,
            add(org.id, "b").await,
            add(other.id, "c").await,
        );
        let admin = change!(
            s,
            create_user(&NewUser {
                organiser_id: org.id,
                username: "admin".into(),
                display_name: "管理员".into(),
                role: Role::Admin,
                department_id: None,
                unit_id: None,
                password_hash: "x".into(),
                must_change_password: false,
                is_demo: false,
            })
        )
        .unwrap()
        .id;
        let pairs = vec![
            ("x.1.a".to_string(), Some("basic.1.misses".to_string())),
            ("x.9.new".to_string(), None),
        ];
        change!(s, set_fact_mappings(org.id, old.id, new.id, &pairs, admin)).unwrap();
        let kept = s.fact_mappings(org.id, old.id, new.id).await.unwrap();
        let got: Vec<_> = kept
            .iter()
            .map(|m| (m.new_key.clone(), m.old_key.clone()))
            .collect();
        assert_eq!(got, pairs, "{label}");
        assert_eq!(kept[0].set_by, admin, "{label}");
        // The other direction is another mapping.
        assert!(
            s.fact_mappings(org.id, new.id, old.id)
                .await
                .unwrap()
                .is_empty(),
            "{label}"
        );
        // Saved again: replaced, not added to.
        let pairs = vec![("x.9.new".to_string(), Some("basic.4.sessions".to_string()))];
        change!(s, set_fact_mappings(org.id, old.id, new.id, &pairs, admin)).unwrap();
        let kept = s.fact_mappings(org.id, old.id, new.id).await.unwrap();
        assert_eq!(kept.len(), 1, "{label}");
        assert_eq!(
            kept[0].old_key.as_deref(),
            Some("basic.4.sessions"),
            "{label}"
        );
        // Another organiser's version is not found.
        let r = change!(
            s,
            set_fact_mappings(org.id, old.id, theirs.id, &pairs, admin)
        );
        assert!(matches!(r, Err(StorageError::NotFound)), "{label}: {r:?}");
        assert!(
            s.fact_mappings(other.id, old.id, new.id)
                .await
                .unwrap()
                .is_empty(),
            "{label}"
        );
    }
}
