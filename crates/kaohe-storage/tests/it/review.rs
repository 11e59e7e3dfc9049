//! Review, results, publication, appeals and locks, on every backend.

use kaohe_storage::change;
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
    let police = kaohe_storage::change!(s, create_department(org.id, "区公安分局")).unwrap();
    let user = kaohe_storage::change!(
        s,
        create_user(&NewUser {
            organiser_id: org.id,
            username: "gongan".into(),
            display_name: "考核员".into(),
            role: Role::Assessor,
            department_id: Some(police.id),
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
        // A page's list of runs reads their dates and reasons, not their snapshots; the
        // latest is read alone.
        let infos = s.result_runs(cid).await.unwrap();
        assert_eq!(
            infos
                .iter()
                .map(|r| (r.id, r.computed_at, r.reason.as_str()))
                .collect::<Vec<_>>(),
            runs.iter()
                .map(|r| (r.id, r.computed_at, r.reason.as_str()))
                .collect::<Vec<_>>()
        );
        assert_eq!(s.latest_result(cid).await.unwrap().as_ref(), runs.last());

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
            events.iter().map(|e| e.lock).collect::<Vec<_>>(),
            vec![true, false]
        );
        assert_eq!(events[1].reason.as_deref(), Some("更正录入错误"));
        db.finish().await;
    }
}

fn evidence(cid: Id, uid: Id) -> NewEvidence {
    NewEvidence {
        campaign_id: cid,
        unit_id: uid,
        item_id: "basic.1".into(),
        filename: "签到表.pdf".into(),
        content_type: "application/pdf".into(),
        sha256: "0".repeat(64),
        data: b"%PDF-1.4".to_vec(),
        uploaded_by: None,
        appeal_id: None,
        problem_id: None,
        personal: false,
    }
}

#[tokio::test]
async fn a_locked_campaign_refuses_every_change_of_its_data_in_storage() {
    use StorageError::Locked;
    for db in testing::all().await {
        let s = &db.store;
        let label = db.label;
        let (cid, uid, assessor) = setup(s).await;
        let facts = RawFacts::from([("basic.1.misses".to_string(), "1".to_string())]);
        let ev = change!(s, add_evidence(&evidence(cid, uid))).unwrap();
        let appeal = change!(s, create_appeal(cid, uid, "basic.2", "理由", assessor)).unwrap();
        change!(s, set_locked(cid, true, None, None)).unwrap();

        let cu = CampaignUnit {
            campaign_id: cid,
            unit_id: uid,
            unit_facts: RawFacts::new(),
            deadline: Some("2027-01-31".into()),
        };
        let refused: Vec<(&str, Result<()>)> = vec![
            (
                "settings",
                change!(
                    s,
                    update_campaign(1, cid, "改名", "2027-01-31", CampaignState::Open)
                ),
            ),
            ("unit facts", change!(s, set_campaign_unit(&cu))),
            (
                "departments",
                change!(s, set_item_department(cid, "basic.1", None)),
            ),
            (
                "facts",
                change!(
                    s,
                    save_report_item(cid, uid, "basic.1", &facts, ItemState::Draft, 0, None)
                )
                .map(drop),
            ),
            (
                "submission",
                change!(
                    s,
                    submit_report(cid, uid, "甲", "0574-1234567", "乙", assessor)
                ),
            ),
            (
                "evidence",
                change!(s, add_evidence(&evidence(cid, uid))).map(drop),
            ),
            ("evidence deleted", change!(s, delete_evidence(ev.id))),
            (
                "review",
                change!(
                    s,
                    save_review(
                        cid,
                        uid,
                        "basic.1",
                        &Overrides::new(),
                        None,
                        ReviewState::Confirmed,
                        None,
                        assessor,
                        0
                    )
                )
                .map(drop),
            ),
            ("return", change!(s, return_report(cid, uid))),
            (
                "results",
                change!(
                    s,
                    add_result(cid, None, "重算", &[], &serde_json::json!({}))
                )
                .map(drop),
            ),
            (
                "publication",
                change!(s, publish(cid, "2027-01-01", "2027-01-07", false)),
            ),
            (
                "appeal",
                change!(s, create_appeal(cid, uid, "basic.3", "理由", assessor)).map(drop),
            ),
            (
                "answer",
                change!(s, answer_appeal(appeal.id, true, "采纳", assessor)),
            ),
        ];
        for (what, result) in refused {
            assert!(
                matches!(result, Err(Locked)),
                "{label}: {what} changed a locked campaign: {result:?}"
            );
        }
        assert!(s.report_items(cid, uid).await.unwrap().is_empty());
        assert_eq!(s.evidence_list(cid, uid).await.unwrap().len(), 1);

        // Unlocked (with a reason), it changes again.
        change!(s, set_locked(cid, false, Some("更正"), None)).unwrap();
        change!(
            s,
            save_report_item(cid, uid, "basic.1", &facts, ItemState::Draft, 0, None)
        )
        .unwrap();
        db.finish().await;
    }
}

#[tokio::test]
async fn a_save_that_arrives_after_the_submission_is_refused_in_storage() {
    for db in testing::all().await {
        let s = &db.store;
        let label = db.label;
        let (cid, uid, user) = setup(s).await;
        let facts = RawFacts::from([("basic.1.misses".to_string(), "1".to_string())]);
        // The reporter opened the item while the report was a draft; the submission
        // lands first; the save, checked against what it saw, must not land after it.
        let v = change!(
            s,
            save_report_item(cid, uid, "basic.1", &facts, ItemState::Done, 0, Some(user))
        )
        .unwrap();
        change!(s, submit_report(cid, uid, "甲", "0574-1234567", "乙", user)).unwrap();
        let late = change!(
            s,
            save_report_item(cid, uid, "basic.1", &facts, ItemState::Done, v, Some(user))
        );
        assert!(
            matches!(late, Err(StorageError::Submitted)),
            "{label}: {late:?}"
        );
        assert_eq!(s.report_items(cid, uid).await.unwrap()[0].version, v);
        // Returned, the unit may save again.
        change!(s, return_report(cid, uid)).unwrap();
        change!(
            s,
            save_report_item(cid, uid, "basic.1", &facts, ItemState::Done, v, Some(user))
        )
        .unwrap();
        db.finish().await;
    }
}

#[tokio::test]
async fn a_save_and_a_submission_at_the_same_moment_never_leave_a_save_after_the_submission() {
    for db in testing::all().await {
        let (cid, uid, user) = setup(&db.store).await;
        let facts = RawFacts::from([("basic.1.misses".to_string(), "1".to_string())]);
        let mut v = change!(
            db.store,
            save_report_item(cid, uid, "basic.1", &facts, ItemState::Done, 0, Some(user))
        )
        .unwrap();
        let other = db.open_again().await.unwrap();
        let submitted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = submitted.clone();
        let submit = tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(15)).await;
            let r = change!(
                other,
                submit_report(cid, uid, "甲", "0574-1234567", "乙", user)
            );
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
            r
        });
        // The unit keeps saving until the submission stops it (a short pause between
        // saves, as between a person's clicks, lets SQLite's waiting writer in). A save
        // that begins after the submission has committed must be refused.
        let mut refused = false;
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(20) {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            let after = submitted.load(std::sync::atomic::Ordering::SeqCst);
            match change!(
                db.store,
                save_report_item(cid, uid, "basic.1", &facts, ItemState::Done, v, Some(user))
            ) {
                Ok(next) => {
                    assert!(!after, "{}: a save landed after the submission", db.label);
                    v = next;
                }
                Err(StorageError::Submitted) => {
                    refused = true;
                    break;
                }
                Err(e) => panic!("{}: {e}", db.label),
            }
        }
        submit.await.unwrap().unwrap();
        assert!(
            refused,
            "{}: the submission never stopped the saves",
            db.label
        );
        assert_eq!(
            db.store
                .report_item_history(cid, uid, "basic.1")
                .await
                .unwrap()
                .len() as i64,
            v,
            "{}: every acknowledged save is kept",
            db.label
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn two_changes_of_one_campaign_at_once_wait_for_each_other_and_both_land() {
    for db in testing::all().await {
        let (cid, _, _) = setup(&db.store).await;
        let org = db.store.organisers().await.unwrap()[0].id;
        let mut tasks = Vec::new();
        for i in 0..8 {
            let s = if i % 2 == 0 {
                db.store.clone()
            } else {
                db.open_again().await.unwrap()
            };
            tasks.push(tokio::spawn(async move {
                if i % 3 == 0 {
                    change!(s, publish(cid, "2027-01-01", "2027-01-07", i % 2 == 0))
                } else {
                    let title = format!("考核 {i}");
                    change!(
                        s,
                        update_campaign(org, cid, &title, "2026-12-31", CampaignState::Open)
                    )
                }
            }));
        }
        for t in tasks {
            t.await
                .unwrap()
                .unwrap_or_else(|e| panic!("{}: {e}", db.label));
        }
        assert!(db.store.audit_verify().await.unwrap().problems.is_empty());
        db.finish().await;
    }
}

#[tokio::test]
async fn self_check_evidence_cannot_change_once_the_report_is_submitted() {
    for db in testing::all().await {
        let s = &db.store;
        let (cid, uid, user) = setup(s).await;
        let kept = change!(s, add_evidence(&evidence(cid, uid))).unwrap();
        change!(s, submit_report(cid, uid, "甲", "0574-1234567", "乙", user)).unwrap();
        assert!(matches!(
            change!(s, add_evidence(&evidence(cid, uid))),
            Err(StorageError::Submitted)
        ));
        assert!(matches!(
            change!(s, delete_evidence(kept.id)),
            Err(StorageError::Submitted)
        ));
        // An appeal's evidence comes after the results, submitted or not.
        let appeal = change!(s, create_appeal(cid, uid, "basic.1", "理由", user)).unwrap();
        let mut for_appeal = evidence(cid, uid);
        for_appeal.appeal_id = Some(appeal.id);
        change!(s, add_evidence(&for_appeal)).unwrap();
        db.finish().await;
    }
}

/// A rectification problem moves only along the steps its state allows
/// (`ProblemState::after`): a step from any other state is `Conflict` and changes
/// nothing; the lock does not stop it; a generated problem is kept once per rule and
/// follows its unit's results (`sync_problems`).
#[tokio::test]
async fn a_problem_moves_only_as_its_state_allows_and_the_lock_does_not_stop_it() {
    for db in testing::all().await {
        let s = &db.store;
        let (cid, uid, user) = setup(s).await;
        let generated = |rule: i64, found: &str| NewProblem {
            unit_id: uid,
            item_id: "basic.1".into(),
            rule_index: Some(rule),
            found: found.into(),
            points: Some("3".into()),
            remedy: Some("未落实次数从 3 次减到 0 次".into()),
        };
        let p = change!(s, add_problem(cid, &generated(0, "未落实 3 次"), None)).unwrap();
        assert!(matches!(
            change!(s, add_problem(cid, &generated(0, "again"), None)),
            Err(StorageError::Duplicate(_))
        ));
        change!(s, set_locked(cid, true, Some("定稿"), None)).unwrap();
        let state = |id| async move { s.problem(id).await.unwrap().state };
        // From 待制定计划: only a plan (or a drop).
        assert!(matches!(
            change!(s, report_problem(p.id, "done")),
            Err(StorageError::Conflict)
        ));
        assert!(matches!(
            change!(s, answer_problem(p.id, true, "", user)),
            Err(StorageError::Conflict)
        ));
        assert_eq!(state(p.id).await, ProblemState::Open);
        change!(s, plan_problem(p.id, "补齐台账", "王五", "2027-03-01")).unwrap();
        assert_eq!(state(p.id).await, ProblemState::Planned);
        change!(s, report_problem(p.id, "已补齐")).unwrap();
        assert!(matches!(
            change!(s, plan_problem(p.id, "x", "y", "2027-03-01")),
            Err(StorageError::Conflict)
        ));
        change!(s, answer_problem(p.id, false, "请补充", user)).unwrap();
        assert_eq!(state(p.id).await, ProblemState::Returned);
        assert!(matches!(
            change!(s, answer_problem(p.id, true, "", user)),
            Err(StorageError::Conflict)
        ));
        change!(s, report_problem(p.id, "已补充")).unwrap();
        let done = change!(s, answer_problem(p.id, true, "到位", user)).unwrap();
        assert_eq!(done.before.state, ProblemState::Reported);
        assert_eq!(done.after.state, ProblemState::SignedOff);
        assert_eq!(done.after.answered_by, Some(user));
        for refused in [
            change!(s, plan_problem(p.id, "x", "y", "2027-03-01")).err(),
            change!(s, report_problem(p.id, "x")).err(),
        ] {
            assert!(matches!(refused, Some(StorageError::Conflict)));
        }
        // Dropping changes the list, which is final at the lock.
        assert!(matches!(
            change!(s, drop_problem(p.id, "x", None, Some(user))),
            Err(StorageError::Locked)
        ));
        // Every (state, step) pair that `after` refuses is refused by storage: checked
        // above for each state a problem passed through; the table itself:
        for st in ProblemState::ALL {
            for step in [
                ProblemStep::Plan,
                ProblemStep::Report,
                ProblemStep::SignOff,
                ProblemStep::Return,
                ProblemStep::Drop,
            ] {
                if st.closed() {
                    assert_eq!(st.after(step), None, "{st:?} is finished");
                }
            }
        }

        // The list is final at the lock: nothing is added while locked.
        assert!(matches!(
            change!(s, add_problem(cid, &generated(5, "定稿后"), None)),
            Err(StorageError::Locked)
        ));
        change!(s, set_locked(cid, false, Some("复查"), None)).unwrap();

        // Syncing with the unit's results as they now stand: rule 0 no longer takes
        // points but was signed off (kept); rule 1 is new; a problem found by hand is
        // left alone; then rule 1 goes away and is dropped with the reason.
        let by_hand = change!(
            s,
            add_problem(
                cid,
                &NewProblem {
                    rule_index: None,
                    found: "检查中发现".into(),
                    points: None,
                    remedy: None,
                    ..generated(0, "")
                },
                None
            )
        )
        .unwrap();
        let now = vec![generated(1, "信息登记率 94.9% < 95% → −4")];
        let got = change!(s, sync_problems(cid, uid, &now, Some(user))).unwrap();
        assert_eq!(got, (1, 0, 0));
        let again = change!(s, sync_problems(cid, uid, &now, Some(user))).unwrap();
        assert_eq!(again, (0, 0, 0), "a second sync changes nothing");
        let got = change!(s, sync_problems(cid, uid, &[], Some(user))).unwrap();
        assert_eq!(got, (0, 0, 1));
        let all = s.unit_problems(cid, uid).await.unwrap();
        let rule1 = all.iter().find(|q| q.rule_index == Some(1)).unwrap();
        assert_eq!(rule1.state, ProblemState::Dropped);
        assert_eq!(rule1.answer.as_deref(), Some(NO_LONGER_LOST));
        assert_eq!(state(p.id).await, ProblemState::SignedOff);
        assert_eq!(state(by_hand.id).await, ProblemState::Open);
        // Its rule takes points again (a later recomputation): back on the list.
        let got = change!(s, sync_problems(cid, uid, &now, Some(user))).unwrap();
        assert_eq!(got, (1, 0, 0));
        assert_eq!(state(rule1.id).await, ProblemState::Open);
        // Merged only into an unfinished problem of the same unit.
        assert!(matches!(
            change!(s, drop_problem(rule1.id, "合并", Some(p.id), Some(user))),
            Err(StorageError::Conflict)
        ));
        db.finish().await;
    }
}
