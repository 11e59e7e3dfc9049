//! The audit chain finds an edited row, a deleted row in the middle, and a deleted
//! newest row; appends from two servers at once leave it whole. On every backend.

use kaohe_storage::*;
use sqlx::AssertSqlSafe;

fn entry(i: usize) -> AuditEntry {
    AuditEntry {
        organiser_id: Some(1),
        user_id: None,
        username: Some("tester".into()),
        action: "test".into(),
        target: format!("thing:{i}"),
        reason: None,
        changes: serde_json::json!([{"field": "x", "old": i, "new": i + 1}]),
    }
}

/// Runs SQL directly on the database, as someone tampering with it would.
async fn tamper(db: &testing::TestDb, sql: &str) {
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&db.url)
        .await
        .unwrap();
    sqlx::query(AssertSqlSafe(sql.to_string()))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

/// The organiser the rows belong to, made without an audit row of its own so that the
/// chain holds exactly the rows a test appends.
async fn org(db: &testing::TestDb) {
    tamper(
        db,
        "INSERT INTO organisers (name, is_demo, created_at) VALUES ('北仑区', 0, 0)",
    )
    .await;
}

#[tokio::test]
async fn an_untouched_chain_verifies_and_its_head_moves_with_each_row() {
    for db in testing::all().await {
        let s = &db.store;
        org(&db).await;
        let empty = s.audit_verify().await.unwrap();
        assert!(empty.problems.is_empty(), "{:?}", empty.problems);
        for i in 0..5 {
            s.audit(&entry(i)).await.unwrap();
        }
        let check = s.audit_verify().await.unwrap();
        assert!(
            check.problems.is_empty(),
            "{}: {:?}",
            db.label,
            check.problems
        );
        assert_eq!(check.rows, 5);
        assert_eq!(check.head, s.audit_head().await.unwrap());
        assert_eq!(check.head.seq, 5);
        db.finish().await;
    }
}

#[tokio::test]
async fn an_edited_row_is_found() {
    for db in testing::all().await {
        org(&db).await;
        for i in 0..5 {
            db.store.audit(&entry(i)).await.unwrap();
        }
        tamper(
            &db,
            "UPDATE audit_log SET target = 'thing:99' WHERE seq = 3",
        )
        .await;
        let check = db.store.audit_verify().await.unwrap();
        assert!(
            check
                .problems
                .iter()
                .any(|p| p.contains("第 3 条") && p.contains("改动")),
            "{}: {:?}",
            db.label,
            check.problems
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn a_deleted_row_in_the_middle_is_found() {
    for db in testing::all().await {
        org(&db).await;
        for i in 0..5 {
            db.store.audit(&entry(i)).await.unwrap();
        }
        tamper(&db, "DELETE FROM audit_log WHERE seq = 2").await;
        let check = db.store.audit_verify().await.unwrap();
        assert!(
            check
                .problems
                .iter()
                .any(|p| p.contains("第 2 至 2 条") && p.contains("缺失")),
            "{}: {:?}",
            db.label,
            check.problems
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn a_deleted_newest_row_is_found_by_the_head_and_by_an_anchor() {
    for db in testing::all().await {
        org(&db).await;
        for i in 0..5 {
            db.store.audit(&entry(i)).await.unwrap();
        }
        let anchor = db.store.audit_head().await.unwrap();
        tamper(&db, "DELETE FROM audit_log WHERE seq = 5").await;
        let check = db.store.audit_verify().await.unwrap();
        assert!(
            check
                .problems
                .iter()
                .any(|p| p.contains("最新的记录被删除")),
            "{}: {:?}",
            db.label,
            check.problems
        );
        // Even when the head is rewound to hide it, the anchor kept elsewhere differs.
        tamper(
            &db,
            "UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4) WHERE id = 1",
        )
        .await;
        let check = db.store.audit_verify().await.unwrap();
        assert!(
            check.problems.is_empty(),
            "{}: the chain alone looks whole: {:?}",
            db.label,
            check.problems
        );
        assert_ne!(
            check.head, anchor,
            "{}: but the anchor does not match",
            db.label
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn two_servers_appending_at_once_leave_one_whole_chain() {
    for db in testing::all().await {
        org(&db).await;
        let a = db.store.clone();
        let b = db.open_again().await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..40 {
            let s = if i % 2 == 0 { a.clone() } else { b.clone() };
            tasks.push(tokio::spawn(async move { s.audit(&entry(i)).await }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let check = a.audit_verify().await.unwrap();
        assert!(
            check.problems.is_empty(),
            "{}: {:?}",
            db.label,
            check.problems
        );
        assert_eq!(check.rows, 40);
        b.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn a_change_and_its_audit_row_land_together_or_not_at_all() {
    for db in testing::all().await {
        let s = &db.store;
        org(&db).await;
        let before = s.audit_head().await.unwrap();
        let mut w = s.begin().await.unwrap();
        w.create_unit(1, None, "新碶街道", None, false)
            .await
            .unwrap();
        w.fail_before_append();
        assert!(matches!(
            w.commit(&entry(1)).await,
            Err(StorageError::Injected)
        ));
        assert!(
            s.units(1).await.unwrap().is_empty(),
            "{}: the change without its audit row was kept",
            db.label
        );
        assert_eq!(s.audit_head().await.unwrap(), before, "{}", db.label);

        // Dropped without a commit (the handler returned early): nothing either.
        let mut w = s.begin().await.unwrap();
        w.create_unit(1, None, "大碶街道", None, false)
            .await
            .unwrap();
        drop(w);
        assert!(s.units(1).await.unwrap().is_empty(), "{}", db.label);

        // Committed: both.
        let mut w = s.begin().await.unwrap();
        w.create_unit(1, None, "小港街道", None, false)
            .await
            .unwrap();
        let head = w.commit(&entry(2)).await.unwrap();
        assert_eq!(s.units(1).await.unwrap().len(), 1, "{}", db.label);
        assert_eq!(head.seq, before.seq + 1, "{}", db.label);
        assert!(s.audit_verify().await.unwrap().problems.is_empty());
        db.finish().await;
    }
}

#[tokio::test]
async fn a_row_slipped_in_outside_the_chain_fails_verification_and_stays_out() {
    for db in testing::all().await {
        org(&db).await;
        for i in 0..3 {
            db.store.audit(&entry(i)).await.unwrap();
        }
        tamper(
            &db,
            "INSERT INTO audit_log (organiser_id, at, user_id, username, action, target, reason, changes)
             VALUES (1, 0, NULL, 'admin', 'campaign.lock', 'campaign:1', NULL, '[]')",
        )
        .await;
        // A restart does not give it a place in the chain as if it were genuine.
        let again = db.open_again().await.unwrap();
        let check = again.audit_verify().await.unwrap();
        assert!(
            check.problems.iter().any(|p| p.contains("不在链中")),
            "{}: {:?}",
            db.label,
            check.problems
        );
        assert_eq!(check.head.seq, 3, "{}", db.label);
        again.close().await;
        db.finish().await;
    }
}

/// SM3 for 密评: a deployment that switches its chain to SM3 goes on from the SHA-256 rows
/// before; the switch is itself a chained row; the whole chain verifies, an SM3 row's
/// hash is SM3's (`sm3:` and the known test vector's algorithm), and an edited SM3 row is
/// found as a SHA-256 one is.
#[tokio::test]
async fn a_chain_switched_to_sm3_verifies_whole_and_finds_an_edited_row() {
    use sm3::{Digest, Sm3};
    // GM/T 0004-2012's own example: SM3("abc").
    let abc: String = Sm3::digest(b"abc")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        abc,
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    );
    for db in testing::all().await {
        let s = &db.store;
        org(&db).await;
        assert_eq!(s.audit_hash().await.unwrap(), HashAlg::Sha256);
        for i in 0..3 {
            s.audit(&entry(i)).await.unwrap();
        }
        s.set_audit_hash(HashAlg::Sm3, &entry(100)).await.unwrap();
        assert_eq!(s.audit_hash().await.unwrap(), HashAlg::Sm3);
        for i in 3..6 {
            s.audit(&entry(i)).await.unwrap();
        }
        let check = s.audit_verify().await.unwrap();
        assert!(
            check.problems.is_empty(),
            "{}: {:?}",
            db.label,
            check.problems
        );
        assert_eq!(check.rows, 7);
        assert!(check.head.hash.starts_with("sm3:"), "{}", check.head.hash);
        assert_eq!(check.head.hash.len(), 4 + 64);
        // The rows before the switch keep their SHA-256 hashes.
        let first = s.audit_verify_at(1).await.unwrap().unwrap();
        assert!(!first.starts_with("sm3:") && first.len() == 64, "{first}");
        tamper(
            &db,
            "UPDATE audit_log SET target = 'thing:99' WHERE seq = 6",
        )
        .await;
        let check = s.audit_verify().await.unwrap();
        assert!(
            check
                .problems
                .iter()
                .any(|p| p.contains("第 6 条") && p.contains("改动")),
            "{}: {:?}",
            db.label,
            check.problems
        );
        db.finish().await;
    }
}

/// Verifying since a whole verification's head rereads only the rows added since, and
/// the head's own row: an edit among those is found; an edit before it is left to the
/// next whole verification, which finds it. The last whole result is kept.
#[tokio::test]
async fn verifying_since_a_checkpoint_rereads_only_what_came_after() {
    for db in testing::all().await {
        let s = &db.store;
        org(&db).await;
        for i in 0..4 {
            s.audit(&entry(i)).await.unwrap();
        }
        let whole = s.audit_verify().await.unwrap();
        s.set_audit_verified(1, &whole).await.unwrap();
        let (at, kept) = s.audit_verified().await.unwrap().unwrap();
        assert_eq!((at, &kept), (1, &whole));
        for i in 4..7 {
            s.audit(&entry(i)).await.unwrap();
        }
        let since = s.audit_verify_since(&kept.head).await.unwrap();
        assert!(
            since.problems.is_empty(),
            "{}: {:?}",
            db.label,
            since.problems
        );
        assert_eq!(since.rows, 3);
        assert_eq!(since.head, s.audit_head().await.unwrap());
        // Before the checkpoint: not reread since, found by the whole.
        tamper(
            &db,
            "UPDATE audit_log SET target = 'thing:99' WHERE seq = 2",
        )
        .await;
        assert!(
            s.audit_verify_since(&kept.head)
                .await
                .unwrap()
                .problems
                .is_empty()
        );
        assert!(!s.audit_verify().await.unwrap().problems.is_empty());
        // The checkpoint's own row, and a row after it.
        tamper(
            &db,
            "UPDATE audit_log SET target = 'thing:98' WHERE seq = 4",
        )
        .await;
        let found = s.audit_verify_since(&kept.head).await.unwrap().problems;
        assert!(
            found.iter().any(|p| p.contains("第 4 条")),
            "{}: {found:?}",
            db.label
        );
        tamper(
            &db,
            "UPDATE audit_log SET target = 'thing:97' WHERE seq = 6",
        )
        .await;
        let found = s.audit_verify_since(&kept.head).await.unwrap().problems;
        assert!(
            found.iter().any(|p| p.contains("第 6 条")),
            "{}: {found:?}",
            db.label
        );
        db.finish().await;
    }
}

/// Forty units of work at once on one server: every one commits and the chain stays
/// whole. On SQLite (four connections, one writer) they take turns before taking a
/// connection, so a reader is answered at once while they wait (it used to queue behind
/// the writers, each holding a connection while SQLite's busy handler slept).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_units_of_work_at_once_all_commit_and_readers_are_answered_meanwhile() {
    for db in testing::all().await {
        org(&db).await;
        let mut tasks = Vec::new();
        for i in 0..40 {
            let s = db.store.clone();
            tasks.push(tokio::spawn(async move {
                let work = s.begin().await?;
                // Hold the write a moment, as a handler's change does.
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                work.commit(&entry(i)).await
            }));
        }
        // Read while they queue (40 × 20 ms of writing): a connection is free for it.
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        let wait = if db.label == "sqlite" { 200 } else { 5_000 };
        let read = tokio::time::timeout(
            std::time::Duration::from_millis(wait),
            db.store.audit_head(),
        )
        .await;
        assert!(
            read.as_ref().is_ok_and(|r| r.is_ok()),
            "{}: a read while writers wait: {read:?}",
            db.label
        );
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let check = db.store.audit_verify().await.unwrap();
        assert!(
            check.problems.is_empty(),
            "{}: {:?}",
            db.label,
            check.problems
        );
        assert_eq!(check.rows, 40, "{}", db.label);
        db.finish().await;
    }
}
