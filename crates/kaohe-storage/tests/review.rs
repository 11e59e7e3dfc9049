//! Review, results, publication, appeals and locks, on every backend.

use kaohe_storage::*;

async fn setup(s: &Store) -> (Id, Id, Id) {
    let org = s.create_organiser("北仑区", false).await.unwrap();
    let unit = s
        .create_unit(org.id, None, "新碶街道", None, false)
        .await
        .unwrap();
    let rubric = s
        .add_rubric_version(org.id, "r", "细则", "text", "h", None)
        .await
        .unwrap();
    let c = s
        .create_campaign(org.id, 2026, "考核", rubric.id, "2026-12-31", false)
        .await
        .unwrap();
    let user = s
        .create_user(&NewUser {
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
        .await
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
        let v = s
            .save_review(
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
            .await
            .unwrap();
        assert_eq!(v, 1);
        assert!(matches!(
            s.save_review(
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
            .await,
            Err(StorageError::Conflict)
        ));
        let v = s
            .save_review(
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
            .await
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
            s.return_report(cid, uid).await,
            Err(StorageError::Conflict)
        ));
        s.submit_report(cid, uid, "张三", "0574-86000000", "李四", assessor)
            .await
            .unwrap();
        s.return_report(cid, uid).await.unwrap();
        assert_eq!(
            s.report(cid, uid).await.unwrap().state,
            ReportState::Returned
        );
        s.submit_report(cid, uid, "张三", "0574-86000000", "李四", assessor)
            .await
            .unwrap();
        assert_eq!(
            s.reports(cid).await.unwrap()[0].state,
            ReportState::Submitted
        );

        // Results: every computation kept.
        s.add_result(
            cid,
            Some(assessor),
            "首次计算",
            &[],
            &serde_json::json!({"units": []}),
        )
        .await
        .unwrap();
        s.add_result(
            cid,
            None,
            "申诉改分",
            &["新碶街道/basic.1".into()],
            &serde_json::json!({"units": [1]}),
        )
        .await
        .unwrap();
        let runs = s.results(cid).await.unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[1].unconfirmed, vec!["新碶街道/basic.1".to_string()]);

        // Publication.
        s.publish(cid, "2026-12-01", "2026-12-07", false)
            .await
            .unwrap();
        let c = s
            .campaigns(s.organisers().await.unwrap()[0].id)
            .await
            .unwrap()
            .remove(0);
        assert!(c.published_at.is_some());
        assert_eq!(c.window_end.as_deref(), Some("2026-12-07"));

        // One appeal per item per unit.
        let a = s
            .create_appeal(cid, uid, "management.5", "登记率应为 95%", assessor)
            .await
            .unwrap();
        assert!(matches!(
            s.create_appeal(cid, uid, "management.5", "again", assessor)
                .await,
            Err(StorageError::Duplicate(_))
        ));
        s.answer_appeal(a.id, true, "核实后采纳", assessor)
            .await
            .unwrap();
        assert!(matches!(
            s.answer_appeal(a.id, false, "x", assessor).await,
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
        let lock = s.set_locked(cid, true, None, Some(assessor)).await.unwrap();
        assert_eq!(lock.audit_seq, s.audit_head().await.unwrap().seq);
        assert!(matches!(
            s.set_locked(cid, true, None, None).await,
            Err(StorageError::Conflict)
        ));
        s.set_locked(cid, false, Some("更正录入错误"), Some(assessor))
            .await
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
