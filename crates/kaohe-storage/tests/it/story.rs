//! One story of a campaign's data, run against every backend: SQLite always, and
//! PostgreSQL when `KAOHE_TEST_DATABASE_URL` is set (CI sets it).

use kaohe_storage::change;
use kaohe_storage::*;

fn facts(pairs: &[(&str, &str)]) -> RawFacts {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn story(db: &testing::TestDb) {
    let s = &db.store;
    let label = db.label;

    // Two organisers, each with units and users.
    let beilun = kaohe_storage::change!(s, create_organiser("北仑区", false)).unwrap();
    let haishu = kaohe_storage::change!(s, create_organiser("海曙区", false)).unwrap();
    assert!(
        matches!(
            kaohe_storage::change!(s, create_organiser("北仑区", false)),
            Err(StorageError::Duplicate(_))
        ),
        "{label}: organiser names are unique"
    );
    let xinqi =
        kaohe_storage::change!(s, create_unit(beilun.id, None, "新碶街道", None, false)).unwrap();
    let community = kaohe_storage::change!(
        s,
        create_unit(
            beilun.id,
            Some(xinqi.id),
            "大港新村社区",
            Some("XQ01"),
            false,
        )
    )
    .unwrap();
    assert_eq!(community.parent_id, Some(xinqi.id));
    let other =
        kaohe_storage::change!(s, create_unit(haishu.id, None, "鼓楼街道", None, false)).unwrap();
    assert!(matches!(
        kaohe_storage::change!(s, create_unit(beilun.id, None, "新碶街道", None, false)),
        Err(StorageError::Duplicate(_))
    ));
    // The same name may exist under another organiser.
    kaohe_storage::change!(s, create_unit(haishu.id, None, "新碶街道", None, false)).unwrap();
    assert!(matches!(
        s.unit(beilun.id, other.id).await,
        Err(StorageError::NotFound)
    ));
    assert_eq!(s.units(beilun.id).await.unwrap().len(), 2);
    kaohe_storage::change!(s, update_unit(beilun.id, xinqi.id, "新碶街道", Some("XQ"))).unwrap();
    assert!(matches!(
        kaohe_storage::change!(s, update_unit(haishu.id, xinqi.id, "x", None)),
        Err(StorageError::NotFound)
    ));

    let reporter = kaohe_storage::change!(
        s,
        create_user(&NewUser {
            organiser_id: beilun.id,
            username: "xinqi".into(),
            display_name: "新碶填报员".into(),
            role: Role::Reporter,
            department_id: None,
            unit_id: Some(xinqi.id),
            password_hash: "hash".into(),
            must_change_password: false,
            is_demo: false,
        })
    )
    .unwrap();
    assert_eq!(reporter.role, Role::Reporter);
    assert_eq!(
        s.user_by_username("xinqi").await.unwrap().unwrap().id,
        reporter.id
    );
    assert!(s.user_by_username("nobody").await.unwrap().is_none());
    kaohe_storage::change!(s, set_password(reporter.id, "hash2", true)).unwrap();
    let again = s.user(reporter.id).await.unwrap();
    assert_eq!(again.password_hash, "hash2");
    assert!(again.must_change_password);

    // Sessions live in the database.
    assert!(
        s.session_create("sid1", "{}", now_ms() + 60_000)
            .await
            .unwrap()
    );
    assert!(
        !s.session_create("sid1", "{}", now_ms() + 60_000)
            .await
            .unwrap()
    );
    s.session_save("sid1", "{\"a\":1}", now_ms() + 60_000)
        .await
        .unwrap();
    assert_eq!(
        s.session_load("sid1", now_ms())
            .await
            .unwrap()
            .map(|(d, _)| d)
            .as_deref(),
        Some("{\"a\":1}")
    );
    s.session_save("old", "{}", now_ms() - 1).await.unwrap();
    assert_eq!(
        s.session_load("old", now_ms()).await.unwrap(),
        None,
        "expired"
    );
    assert_eq!(s.sessions_delete_expired(now_ms()).await.unwrap(), 1);
    s.session_delete("sid1").await.unwrap();
    assert_eq!(s.session_load("sid1", now_ms()).await.unwrap(), None);

    // Rubric versions: each upload is a new version; old ones stay as they were.
    let v1 = kaohe_storage::change!(
        s,
        add_rubric_version(
            beilun.id,
            "beilun-2026",
            "细则",
            "v1 text",
            "h1",
            Some(reporter.id),
        )
    )
    .unwrap();
    let v2 = kaohe_storage::change!(
        s,
        add_rubric_version(beilun.id, "beilun-2026", "细则", "v2 text", "h2", None)
    )
    .unwrap();
    assert_eq!((v1.version, v2.version), (1, 2));
    assert_eq!(s.rubric(beilun.id, v1.id).await.unwrap().source, "v1 text");
    assert!(matches!(
        s.rubric(haishu.id, v1.id).await,
        Err(StorageError::NotFound)
    ));

    // A campaign on version 1.
    let c = kaohe_storage::change!(
        s,
        create_campaign(beilun.id, 2026, "2026年度考核", v1.id, "2026-12-31", false)
    )
    .unwrap();
    assert!(matches!(
        s.campaign(haishu.id, c.id).await,
        Err(StorageError::NotFound)
    ));
    assert!(
        kaohe_storage::change!(
            s,
            create_campaign(haishu.id, 2026, "x", v1.id, "2026-12-31", false)
        )
        .is_err(),
        "{label}: another organiser's rubric cannot be used"
    );
    kaohe_storage::change!(
        s,
        set_campaign_unit(&CampaignUnit {
            campaign_id: c.id,
            unit_id: xinqi.id,
            unit_facts: facts(&[("floating_population", "98200")]),
            deadline: None,
        })
    )
    .unwrap();
    let cus = s.campaign_units(c.id).await.unwrap();
    assert_eq!(cus[0].unit_facts["floating_population"], "98200");
    // Departments: a list the organiser keeps, its office made with it.
    let office = s.departments(beilun.id).await.unwrap();
    assert_eq!(office.len(), 1, "{label}");
    assert!(office[0].is_office && office[0].name == "北仑区", "{label}");
    let centre =
        kaohe_storage::change!(s, create_department(beilun.id, "区流动人口服务中心")).unwrap();
    let zhengfa = kaohe_storage::change!(s, create_department(beilun.id, "区委政法委")).unwrap();
    assert!(
        matches!(
            kaohe_storage::change!(s, create_department(beilun.id, "区委政法委")),
            Err(StorageError::Duplicate(_))
        ),
        "{label}: department names are unique within an organiser"
    );
    let haishu_dept = kaohe_storage::change!(s, create_department(haishu.id, "区委政法委"))
        .expect("another organiser may use the same name");
    kaohe_storage::change!(s, set_item_department(c.id, "basic.1", Some(centre.id))).unwrap();
    kaohe_storage::change!(s, set_item_department(c.id, "basic.1", Some(zhengfa.id))).unwrap();
    assert!(
        matches!(
            kaohe_storage::change!(
                s,
                set_item_department(c.id, "basic.2", Some(haishu_dept.id))
            ),
            Err(StorageError::NotFound)
        ),
        "{label}: another organiser's department cannot review this campaign's items"
    );
    let a = s.assignment(beilun.id, c.id).await.unwrap();
    assert_eq!(a.of("basic.1").id, zhengfa.id, "{label}");
    assert_eq!(
        a.of("basic.2").id,
        office[0].id,
        "{label}: unassigned is the office's"
    );
    assert!(a.reviews(Some(zhengfa.id), "basic.1") && !a.reviews(None, "basic.1"));
    // Renamed, the department keeps its items; used, it cannot be deleted; unused, it can.
    kaohe_storage::change!(
        s,
        rename_department(beilun.id, zhengfa.id, "区委政法委员会")
    )
    .unwrap();
    assert_eq!(
        s.assignment(beilun.id, c.id)
            .await
            .unwrap()
            .of("basic.1")
            .name,
        "区委政法委员会"
    );
    assert!(matches!(
        kaohe_storage::change!(s, delete_department(beilun.id, zhengfa.id)),
        Err(StorageError::InUse(n)) if n == "区委政法委员会"
    ));
    assert!(matches!(
        kaohe_storage::change!(s, delete_department(beilun.id, office[0].id)),
        Err(StorageError::InUse(_))
    ));
    assert!(matches!(
        kaohe_storage::change!(s, delete_department(haishu.id, centre.id)),
        Err(StorageError::NotFound)
    ));
    assert_eq!(
        s.department_uses(beilun.id).await.unwrap()[&zhengfa.id],
        DepartmentUse {
            users: 0,
            items: 1,
            campaigns: 1
        }
    );
    kaohe_storage::change!(s, delete_department(beilun.id, centre.id)).unwrap();
    assert_eq!(s.departments(beilun.id).await.unwrap().len(), 2, "{label}");

    // Reports: versioned saves refuse a stale editor.
    let r = s.report(c.id, xinqi.id).await.unwrap();
    assert_eq!(r.state, ReportState::Draft);
    let f1 = facts(&[("basic.1.misses", "2")]);
    let v = kaohe_storage::change!(
        s,
        save_report_item(
            c.id,
            xinqi.id,
            "basic.1",
            &f1,
            ItemState::Draft,
            0,
            Some(reporter.id),
        )
    )
    .unwrap();
    assert_eq!(v, 1);
    assert!(matches!(
        kaohe_storage::change!(
            s,
            save_report_item(c.id, xinqi.id, "basic.1", &f1, ItemState::Draft, 0, None)
        ),
        Err(StorageError::Conflict)
    ));
    let v = kaohe_storage::change!(
        s,
        save_report_item(c.id, xinqi.id, "basic.1", &f1, ItemState::Done, 1, None)
    )
    .unwrap();
    assert_eq!(v, 2);
    assert!(matches!(
        kaohe_storage::change!(
            s,
            save_report_item(c.id, xinqi.id, "basic.1", &f1, ItemState::Done, 1, None)
        ),
        Err(StorageError::Conflict)
    ));
    let history = s
        .report_item_history(c.id, xinqi.id, "basic.1")
        .await
        .unwrap();
    assert_eq!(
        history.iter().map(|h| h.version).collect::<Vec<_>>(),
        vec![1, 2],
        "{label}"
    );
    let items = s.report_items(c.id, xinqi.id).await.unwrap();
    assert_eq!(items[0].facts["basic.1.misses"], "2");
    assert_eq!(items[0].state, ItemState::Done);
    kaohe_storage::change!(
        s,
        submit_report(c.id, xinqi.id, "张三", "0574-86000000", "李四", reporter.id)
    )
    .unwrap();
    let r = s.report(c.id, xinqi.id).await.unwrap();
    assert_eq!(r.state, ReportState::Submitted);
    assert_eq!(r.approver.as_deref(), Some("李四"));
    assert!(matches!(
        kaohe_storage::change!(
            s,
            submit_report(c.id, xinqi.id, "张三", "1", "李四", reporter.id)
        ),
        Err(StorageError::Conflict)
    ));

    // Evidence, through a second handle: what one app server stores, another serves
    // (of a unit still filling in: a submitted report's evidence is fixed).
    let data = b"%PDF-1.4 test".to_vec();
    let e = kaohe_storage::change!(
        s,
        add_evidence(&NewEvidence {
            campaign_id: c.id,
            unit_id: community.id,
            item_id: "basic.1".into(),
            filename: "季度总结.pdf".into(),
            content_type: "application/pdf".into(),
            sha256: "x".into(),
            data: data.clone(),
            uploaded_by: Some(reporter.id),
            appeal_id: None,
            problem_id: None,
            personal: false,
        })
    )
    .unwrap();
    let second = db.open_again().await.unwrap();
    assert_eq!(second.evidence_data(e.id).await.unwrap(), data);
    assert_eq!(
        second.evidence_list(c.id, community.id).await.unwrap()[0].filename,
        "季度总结.pdf"
    );
    second.close().await;

    // The audit log keeps rows per organiser.
    s.audit(&AuditEntry {
        organiser_id: Some(beilun.id),
        user_id: Some(reporter.id),
        username: Some("xinqi".into()),
        action: "report.save".into(),
        target: "basic.1".into(),
        reason: None,
        changes: serde_json::json!([{"field": "basic.1.misses", "old": null, "new": "2"}]),
    })
    .await
    .unwrap();
    assert_eq!(s.audit_rows(beilun.id, 10).await.unwrap().len(), 1);
    assert!(s.audit_rows(haishu.id, 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_campaign_story_holds_on_every_backend() {
    for db in testing::all().await {
        story(&db).await;
        db.finish().await;
    }
}

#[tokio::test]
async fn failed_logins_counted_by_two_servers_add_up_and_lock() {
    for db in testing::all().await {
        let a = &db.store;
        let b = db.open_again().await.unwrap();
        let now = now_ms();
        let window = 15 * 60_000;
        // Ten failures, five through each server, at the same time.
        let mut tasks = Vec::new();
        for i in 0..10 {
            let s = if i % 2 == 0 { a.clone() } else { b.clone() };
            tasks.push(tokio::spawn(async move {
                s.record_login_failure("pair:xinqi|10.0.0.1", "xinqi", "10.0.0.1", now, window)
                    .await
                    .unwrap()
            }));
        }
        let mut counts = Vec::new();
        for t in tasks {
            counts.push(t.await.unwrap().failures);
        }
        counts.sort();
        assert_eq!(
            counts,
            (1..=10).collect::<Vec<_>>(),
            "{}: every failure counted once",
            db.label
        );
        let t = b.throttle("pair:xinqi|10.0.0.1").await.unwrap();
        assert_eq!((t.failures, t.total), (10, 10));
        assert_eq!(t.last_source, "10.0.0.1");
        a.lock_login("pair:xinqi|10.0.0.1", now + 60_000)
            .await
            .unwrap();
        assert_eq!(
            b.login_locked_until("xinqi", now).await.unwrap(),
            Some(now + 60_000),
            "{}: a lock under any key of the account shows",
            db.label
        );
        assert_eq!(
            b.locked_accounts(now).await.unwrap().get("xinqi"),
            Some(&(now + 60_000))
        );
        // After the window a new count starts; the total goes on.
        let later = now + window + 1;
        let t = a
            .record_login_failure("pair:xinqi|10.0.0.1", "xinqi", "10.0.0.2", later, window)
            .await
            .unwrap();
        assert_eq!((t.failures, t.total), (1, 11));
        a.record_login_failure("account:xinqi", "xinqi", "10.0.0.2", later, window)
            .await
            .unwrap();
        a.clear_login_failures("account:xinqi").await.unwrap();
        assert_eq!(
            b.throttle("account:xinqi").await.unwrap(),
            Throttle::default()
        );
        // An admin's unlock clears every key of the account, and no other account's.
        a.record_login_failure("pair:daqi|10.0.0.1", "daqi", "10.0.0.1", later, window)
            .await
            .unwrap();
        assert_eq!(a.clear_account_throttle("xinqi").await.unwrap(), 1);
        assert_eq!(b.login_locked_until("xinqi", now).await.unwrap(), None);
        assert!(b.locked_accounts(now).await.unwrap().is_empty());
        assert_eq!(b.throttle("pair:daqi|10.0.0.1").await.unwrap().total, 1);
        b.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn a_test_that_panics_leaves_no_database_behind() {
    let places = tokio::spawn(async {
        let dbs = testing::all().await;
        let places: Vec<(&str, String)> = dbs.iter().map(|d| (d.label, d.place())).collect();
        for (label, place) in &places {
            let there = match *label {
                "sqlite" => std::path::Path::new(place).exists(),
                _ => testing::schema_exists(place).await,
            };
            assert!(there, "{label}: {place} exists while the test runs");
        }
        // Hand the places out through the panic's message.
        panic!("{}", serde_json::to_string(&places).unwrap());
    })
    .await
    .expect_err("the task panicked");
    let message = places.into_panic();
    let message = message
        .downcast_ref::<String>()
        .expect("the panic carries the places");
    let places: Vec<(String, String)> = serde_json::from_str(message).unwrap();
    assert!(!places.is_empty());
    for (label, place) in places {
        let left = match label.as_str() {
            "sqlite" => std::path::Path::new(&place).exists(),
            _ => testing::schema_exists(&place).await,
        };
        assert!(
            !left,
            "{label}: {place} was left behind by a panicking test"
        );
    }
}

/// Runs SQL on the database directly, as someone changing it outside kaohe would.
async fn outside(db: &testing::TestDb, sql: &[&str]) -> std::result::Result<(), sqlx::Error> {
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&db.url)
        .await
        .unwrap();
    let mut result = Ok(());
    for s in sql {
        if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(s.to_string()))
            .execute(&pool)
            .await
        {
            result = Err(e);
            break;
        }
    }
    pool.close().await;
    result
}

#[tokio::test]
async fn an_unknown_state_or_role_is_refused_by_the_schema_and_never_read_as_a_default() {
    for db in testing::all().await {
        let s = &db.store;
        let label = db.label;
        let org = change!(s, create_organiser("北仑区", false)).unwrap();
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
                username: "shenji".into(),
                display_name: "审计".into(),
                role: Role::Auditor,
                department_id: None,
                unit_id: None,
                password_hash: "x".into(),
                must_change_password: false,
                is_demo: false,
            })
        )
        .unwrap();
        // The schema refuses words kaohe never writes.
        for sql in [
            format!("UPDATE users SET role = 'boss' WHERE id = {}", user.id),
            format!("UPDATE campaigns SET state = 'paused' WHERE id = {}", c.id),
            format!("UPDATE campaigns SET locked = 2 WHERE id = {}", c.id),
        ] {
            assert!(
                outside(&db, &[&sql]).await.is_err(),
                "{label}: the schema took {sql}"
            );
        }
        // Past the schema (its checks switched off), the code still refuses to guess:
        // an unknown role is not a viewer, an unknown state is not open.
        let off: &[&str] = match label {
            "sqlite" => &["PRAGMA ignore_check_constraints = ON"],
            _ => &[
                "ALTER TABLE users DROP CONSTRAINT users_role_known",
                "ALTER TABLE campaigns DROP CONSTRAINT campaigns_state_known",
            ],
        };
        let role = format!("UPDATE users SET role = 'boss' WHERE id = {}", user.id);
        let state = format!("UPDATE campaigns SET state = 'paused' WHERE id = {}", c.id);
        let mut sql: Vec<&str> = off.to_vec();
        sql.extend([role.as_str(), state.as_str()]);
        outside(&db, &sql).await.unwrap();
        assert!(
            matches!(s.user(user.id).await, Err(StorageError::Corrupt(m)) if m.contains("boss")),
            "{label}: an unknown role was read"
        );
        assert!(
            matches!(s.campaign(org.id, c.id).await, Err(StorageError::Corrupt(m)) if m.contains("paused")),
            "{label}: an unknown campaign state was read"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn security_events_are_counted_by_hour_on_every_backend() {
    for db in testing::all().await {
        let s = &db.store;
        let org = kaohe_storage::change!(s, create_organiser("北仑区", false)).unwrap();
        let hour = 60 * 60 * 1000;
        let t0 = 1_800_000_000_000 - 1_800_000_000_000 % hour;
        for (at, target) in [(t0 + 5, "/admin"), (t0 + 9, "/admin/users")] {
            s.record_security_event(
                Some(org.id),
                SecurityKind::AccessRefused,
                "xinqi",
                "10.0.0.1",
                target,
                at,
            )
            .await
            .unwrap();
        }
        let n = s
            .record_security_event(
                None,
                SecurityKind::LoginFailed,
                "nobody",
                "10.0.0.2",
                "/login",
                t0,
            )
            .await
            .unwrap();
        assert_eq!(n, 1);
        s.record_security_event(
            Some(org.id),
            SecurityKind::AccessRefused,
            "xinqi",
            "10.0.0.1",
            "/admin",
            t0 + hour,
        )
        .await
        .unwrap();
        let events = s.security_events(org.id, 0, 10).await.unwrap();
        assert_eq!(events.len(), 2, "{}: one row per hour", db.label);
        assert_eq!(
            (events[1].count, events[1].last_target.as_str()),
            (2, "/admin/users")
        );
        assert_eq!(events[0].hour, t0 + hour);
        db.finish().await;
    }
}

#[tokio::test]
async fn a_campaign_continued_from_last_year_keeps_its_departments_on_every_backend() {
    for db in testing::all().await {
        let s = &db.store;
        let org = kaohe_storage::change!(s, create_organiser("北仑区", false)).unwrap();
        let other = kaohe_storage::change!(s, create_organiser("海曙区", false)).unwrap();
        let rubric =
            kaohe_storage::change!(s, add_rubric_version(org.id, "r", "细则", "x", "h", None))
                .unwrap();
        let last = kaohe_storage::change!(
            s,
            create_campaign(org.id, 2026, "2026年度", rubric.id, "2026-12-31", false)
        )
        .unwrap();
        let police = kaohe_storage::change!(s, create_department(org.id, "区公安分局")).unwrap();
        kaohe_storage::change!(s, set_item_department(last.id, "a.1", Some(police.id))).unwrap();
        kaohe_storage::change!(s, set_item_department(last.id, "gone.1", Some(police.id))).unwrap();
        let next = kaohe_storage::change!(
            s,
            create_campaign(org.id, 2027, "2027年度", rubric.id, "2027-12-31", false)
        )
        .unwrap();
        let items = vec!["a.1".to_string(), "a.2".to_string()];
        let copied =
            kaohe_storage::change!(s, continue_campaign(org.id, last.id, next.id, &items)).unwrap();
        assert_eq!(copied, 1, "{}: only items the new rubric has", db.label);
        let next = s.campaign(org.id, next.id).await.unwrap();
        assert_eq!(next.predecessor_id, Some(last.id));
        let a = s.assignment(org.id, next.id).await.unwrap();
        assert_eq!(a.of("a.1").id, police.id);
        assert!(a.of("gone.1").is_office);
        assert!(matches!(
            kaohe_storage::change!(s, continue_campaign(other.id, last.id, next.id, &items)),
            Err(StorageError::NotFound)
        ));
        // A draft is deleted with its assignments; the copy forgets it; an issued campaign
        // or another organiser's is not deleted.
        assert!(matches!(
            kaohe_storage::change!(s, delete_draft(other.id, last.id)),
            Err(StorageError::NotFound)
        ));
        kaohe_storage::change!(s, delete_draft(org.id, last.id)).unwrap();
        assert!(matches!(
            s.campaign(org.id, last.id).await,
            Err(StorageError::NotFound)
        ));
        assert_eq!(
            s.campaign(org.id, next.id).await.unwrap().predecessor_id,
            None
        );
        kaohe_storage::change!(s, issue_campaign(org.id, next.id)).unwrap();
        assert!(matches!(
            kaohe_storage::change!(s, delete_draft(org.id, next.id)),
            Err(StorageError::NotFound)
        ));
        db.finish().await;
    }
}

#[tokio::test]
async fn a_unit_withdrawn_keeps_its_data_and_a_weight_follows_the_copy_on_every_backend() {
    for db in testing::all().await {
        let s = &db.store;
        let org = kaohe_storage::change!(s, create_organiser("北仑区", false)).unwrap();
        let rubric =
            kaohe_storage::change!(s, add_rubric_version(org.id, "r", "细则", "x", "h", None))
                .unwrap();
        let c = kaohe_storage::change!(
            s,
            create_campaign(org.id, 2026, "2026年度", rubric.id, "2026-12-31", false)
        )
        .unwrap();
        let unit =
            kaohe_storage::change!(s, create_unit(org.id, None, "小港街道", None, false)).unwrap();
        let mut facts = kaohe_storage::RawFacts::new();
        facts.insert("floating_population".into(), "1000".into());
        let cu = kaohe_storage::CampaignUnit {
            campaign_id: c.id,
            unit_id: unit.id,
            unit_facts: facts.clone(),
            deadline: None,
        };
        kaohe_storage::change!(s, set_campaign_unit(&cu)).unwrap();
        kaohe_storage::change!(s, withdraw_unit(c.id, unit.id, "已撤并")).unwrap();
        assert!(
            s.campaign_units(c.id).await.unwrap().is_empty(),
            "{}",
            db.label
        );
        let w = s.withdrawn_units(c.id).await.unwrap();
        assert_eq!((w[0].unit_id, w[0].reason.as_str()), (unit.id, "已撤并"));
        assert!(matches!(
            kaohe_storage::change!(s, withdraw_unit(c.id, unit.id, "again")),
            Err(StorageError::NotFound)
        ));
        kaohe_storage::change!(s, reinstate_unit(c.id, unit.id)).unwrap();
        let back = s.campaign_units(c.id).await.unwrap();
        assert_eq!(
            back[0].unit_facts, facts,
            "{}: its base data kept",
            db.label
        );
        assert!(s.withdrawn_units(c.id).await.unwrap().is_empty());
        // The weight in the overall assessment is kept by a copy.
        kaohe_storage::change!(s, set_overall_weight(org.id, c.id, Some("5"))).unwrap();
        let next = kaohe_storage::change!(
            s,
            create_campaign(org.id, 2027, "2027年度", rubric.id, "2027-12-31", false)
        )
        .unwrap();
        kaohe_storage::change!(s, continue_campaign(org.id, c.id, next.id, &[])).unwrap();
        let next = s.campaign(org.id, next.id).await.unwrap();
        assert_eq!(next.overall_weight.as_deref(), Some("5"), "{}", db.label);
        db.finish().await;
    }
}
