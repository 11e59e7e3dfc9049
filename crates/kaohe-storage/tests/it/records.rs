//! Records kept during the year, on every backend: declared, confirmed, rejected,
//! edited after confirmation, withdrawn, flagged and decided; a record dated in a locked
//! campaign's period no longer changes.

use kaohe_storage::*;

fn fields(title: &str) -> RawFacts {
    [("title".to_string(), title.to_string())]
        .into_iter()
        .collect()
}

#[tokio::test]
async fn a_record_moves_through_its_states_and_the_lock_freezes_its_period() {
    for db in testing::all().await {
        let s = &db.store;
        let label = db.label;
        let org = change!(s, create_organiser("北仑区", false)).unwrap();
        let unit = change!(s, create_unit(org.id, None, "新碶街道", None, false)).unwrap();
        let rubric = change!(
            s,
            add_rubric_version(org.id, "r", "细则", "text", "h", None)
        )
        .unwrap();
        let c = change!(
            s,
            create_campaign(org.id, 2026, "考核", rubric.id, "2026-12-31", false)
        )
        .unwrap();
        let user = change!(
            s,
            create_user(&NewUser {
                organiser_id: org.id,
                username: "xinqi".into(),
                display_name: "填报员".into(),
                role: Role::Reporter,
                department_id: None,
                unit_id: Some(unit.id),
                password_hash: "x".into(),
                must_change_password: false,
                is_demo: false,
            })
        )
        .unwrap()
        .id;
        let new = |day: &str, title: &str| NewRecord {
            unit_id: unit.id,
            kind: "info".into(),
            day: day.into(),
            fields: fields(title),
            by_district: false,
        };
        let a = change!(
            s,
            add_record(org.id, &new("2026-03-01", "积分制管理见成效"), None, user)
        )
        .unwrap();
        assert_eq!(a.state, RecordState::Declared, "{label}");
        assert!(
            a.counts(false) && !a.counts(true),
            "{label}: declared counts in the self-check only"
        );

        // Confirmed: both columns. Edited afterwards: waiting again.
        let (_, a) = change!(s, answer_record(a.id, RecordState::Confirmed, None, user)).unwrap();
        assert!(a.counts(true), "{label}");
        let (before, after) = change!(
            s,
            edit_record(
                a.id,
                a.version,
                "2026-03-02",
                &fields("积分制管理见实效"),
                None,
                user
            )
        )
        .unwrap();
        assert_eq!(before.state, RecordState::Confirmed, "{label}");
        assert_eq!(
            after.state,
            RecordState::Declared,
            "{label}: an edit after confirmation waits again"
        );
        assert_eq!(after.day, "2026-03-02", "{label}");
        // A stale version is refused, not lost silently.
        assert!(
            matches!(
                change!(
                    s,
                    edit_record(a.id, a.version, "2026-03-03", &fields("x"), None, user)
                ),
                Err(StorageError::Conflict)
            ),
            "{label}"
        );

        // A second declaration flagged as the first one again: counts nowhere until decided.
        let b = change!(
            s,
            add_record(
                org.id,
                &new("2026-03-02", "《积分制管理见实效》"),
                Some(Like {
                    flagged: 0,
                    of: a.id,
                    likeness: "twice"
                }),
                user
            )
        )
        .unwrap();
        assert_eq!(b.like_of, Some(a.id), "{label}");
        assert!(!b.counts(false), "{label}: a flagged record counts nowhere");
        let (_, b) = change!(s, decide_like(b.id, LikeState::Different, user)).unwrap();
        assert!(
            b.counts(false),
            "{label}: decided as a record of its own, it counts"
        );

        // Rejected with a reason; the department may change its answer (on appeal), never
        // from a withdrawn record.
        let (_, b) = change!(
            s,
            answer_record(b.id, RecordState::Rejected, Some("未见录用通知"), user)
        )
        .unwrap();
        assert!(
            !b.counts(false) && b.answer.as_deref() == Some("未见录用通知"),
            "{label}"
        );
        let (_, again) =
            change!(s, answer_record(b.id, RecordState::Confirmed, None, user)).unwrap();
        assert!(again.counts(true), "{label}: confirmed on appeal");
        let (_, b) = change!(
            s,
            answer_record(
                b.id,
                RecordState::Rejected,
                Some("再次核实仍不予认可"),
                user
            )
        )
        .unwrap();
        assert!(!b.counts(false), "{label}");

        // The district's record is confirmed from the start.
        let d = change!(
            s,
            add_record(
                org.id,
                &NewRecord {
                    by_district: true,
                    ..new("2026-05-01", "季度总结缺失")
                },
                None,
                user
            )
        )
        .unwrap();
        assert!(d.counts(true), "{label}");

        // Locked: nothing dated in its year changes; next year's records still do.
        change!(s, set_locked(c.id, true, Some("定稿"), None)).unwrap();
        assert!(s.day_locked(org.id, "2026-05-01").await.unwrap(), "{label}");
        assert!(
            matches!(
                change!(s, answer_record(a.id, RecordState::Confirmed, None, user)),
                Err(StorageError::Locked)
            ),
            "{label}"
        );
        assert!(
            matches!(
                change!(
                    s,
                    add_record(org.id, &new("2026-12-31", "年底的信息"), None, user)
                ),
                Err(StorageError::Locked)
            ),
            "{label}"
        );
        assert!(
            change!(
                s,
                add_record(org.id, &new("2027-01-05", "新年的信息"), None, user)
            )
            .is_ok(),
            "{label}"
        );
        let all = s.unit_records(org.id, unit.id).await.unwrap();
        assert_eq!(all.len(), 4, "{label}");
        db.finish().await;
    }
}
