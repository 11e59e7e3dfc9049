//! Review, results, publication, appeals and locks, on every backend.

use kaohe_storage::*;

async fn setup(s: &Store) -> (Id, Id, Id) {
    let org = kaohe_storage::change!(s, create_organiser("北仑区", false)).unwrap();
    let unit =
        kaohe_storage::change!(s, create_unit(org.id, None, "新碶街道", None, false)).unwrap();
    let rubric = kaohe_storage::change!(
        s,
        add_rubric_version(org.id, "r", "细则", "text", "h", None)
    )
    .unwrap();
    let c = kaohe_storage::change!(
        s,
        create_campaign(org.id, 2026, "考核", rubric.id, "2026-12-31", false)
    )
    .unwrap();
    let user = kaohe_storage::change!(
        s,
        create_user(&NewUser {
            organiser_id: org.id,
            username: "gongan".into(),
            display_name: "考核员".into(),
            role: Role::Assessor,
            department: Some("区公安分局".into()),
            unit_id: None,
            password_hash: "x".into(),
            must_change_password: false,
            is_demo: false,
        })
    )
    .unwrap();
    (c.id, unit.id, user.id)
}

#[tokio::test]
async fn reviews_results_appeals_and_locks_keep_their_history() {
    for db in testing::all().await {
        let s = &db.store;
        let label = db.label;
        let (cid, uid, assessor) = setup(s).await;

        let mut o = Overrides::new();
        o.insert(
            "management.5.registration_rate".into(),
            Override {
                value: "93".into(),
                reason: "系统导出数据为 93%".into(),
            },
        );
        let v = kaohe_storage::change!(
            s,
            save_review(
                cid,
                uid,
                "management.5",
                &o,
                Some("登记率核实为 93%"),
                ReviewState::Confirmed,
                None,
                assessor,
                0,
            )
        )
        .unwrap();
        assert_eq!(v, 1);
        assert!(matches!(
            kaohe_storage::change!(
                s,
                save_review(
                    cid,
                    uid,
                    "management.5",
                    &o,
                    None,
                    ReviewState::Confirmed,
                    None,
                    assessor,
                    0
                )
            ),
            Err(StorageError::Conflict)
        ));
        let v = kaohe_storage::change!(
            s,
            save_review(
                cid,
                uid,
                "management.5",
                &o,
                None,
                ReviewState::Returned,
                Some("请补充台账"),
                assessor,
                1,
            )
        )
        .unwrap();
        assert_eq!(v, 2);
        let r = &s.reviews(cid, uid).await.unwrap()[0];
        assert_eq!(r.state, ReviewState::Returned);
        assert_eq!(
            r.overrides["management.5.registration_rate"].value, "93",
            "{label}"
        );

        // Return only a submitted report.
        assert!(matches!(
            kaohe_storage::change!(s, return_report(cid, uid)),
            Err(StorageError::Conflict)
        ));
        kaohe_storage::change!(
            s,
            submit_report(cid, uid, "张三", "0574-86000000", "李四", assessor)
        )
        .unwrap();
        kaohe_storage::change!(s, return_report(cid, uid)).unwrap();
        assert_eq!(
            s.report(cid, uid).await.unwrap().state,
            ReportState::Returned
        );
        kaohe_storage::change!(
            s,
            submit_report(cid, uid, "张三", "0574-86000000", "李四", assessor)
        )
        .unwrap();
        assert_eq!(
            s.reports(cid).await.unwrap()[0].state,
            ReportState::Submitted
        );

        // Results: every computation kept.
        kaohe_storage::change!(
            s,
            add_result(
                cid,
                Some(assessor),
                "首次计算",
                &[],
                &serde_json::json!({"units": []}),
            )
        )
        .unwrap();
        kaohe_storage::change!(
            s,
            add_result(
                cid,
                None,
                "申诉改分",
                &["新碶街道/basic.1".into()],
                &serde_json::json!({"units": [1]}),
            )
        )
        .unwrap();
        let runs = s.results(cid).await.unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[1].unconfirmed, vec!["新碶街道/basic.1".to_string()]);

        // Publication.
        kaohe_storage::change!(s, publish(cid, "2026-12-01", "2026-12-07", false)).unwrap();
        let c = s
            .campaigns(s.organisers().await.unwrap()[0].id)
            .await
            .unwrap()
            .remove(0);
        assert!(c.published_at.is_some());
        assert_eq!(c.window_end.as_deref(), Some("2026-12-07"));

        // One appeal per item per unit.
        let a = kaohe_storage::change!(
            s,
            create_appeal(cid, uid, "management.5", "登记率应为 95%", assessor)
        )
        .unwrap();
        assert!(matches!(
            kaohe_storage::change!(
                s,
                create_appeal(cid, uid, "management.5", "again", assessor)
            ),
            Err(StorageError::Duplicate(_))
        ));
        kaohe_storage::change!(s, answer_appeal(a.id, true, "核实后采纳", assessor)).unwrap();
        assert!(matches!(
            kaohe_storage::change!(s, answer_appeal(a.id, false, "x", assessor)),
            Err(StorageError::Conflict)
        ));
        assert_eq!(
            s.appeals(cid).await.unwrap()[0].state,
            AppealState::Accepted
        );

        // Lock and unlock, each with the audit head at the time.
        s.audit(&AuditEntry {
            organiser_id: None,
            user_id: None,
            username: None,
            action: "x".into(),
            target: "y".into(),
            reason: None,
            changes: serde_json::json!([]),
        })
        .await
        .unwrap();
        let lock = kaohe_storage::change!(s, set_locked(cid, true, None, Some(assessor))).unwrap();
        // The anchor is the head before the lock; the lock's own row follows it.
        assert_eq!(lock.audit_seq + 1, s.audit_head().await.unwrap().seq);
        assert!(matches!(
            kaohe_storage::change!(s, set_locked(cid, true, None, None)),
            Err(StorageError::Conflict)
        ));
        kaohe_storage::change!(
            s,
            set_locked(cid, false, Some("更正录入错误"), Some(assessor))
        )
        .unwrap();
        let events = s.lock_events(cid).await.unwrap();
        assert_eq!(
            events.iter().map(|e| e.locked).collect::<Vec<_>>(),
            vec![true, false]
        );
        assert_eq!(events[1].reason.as_deref(), Some("更正录入错误"));
        db.finish().await;
    }
}
