//! Searching the audit log: by user, action (exact or a group), target text, unit,
//! item and time, newest first with paging, only within one organiser; typed text is a
//! value, never SQL or a wildcard. On every backend.

use kaohe_storage::*;

fn entry(org: Id, user: &str, action: &str, target: &str) -> AuditEntry {
    AuditEntry {
        organiser_id: Some(org),
        user_id: None,
        username: Some(user.into()),
        action: action.into(),
        target: target.into(),
        reason: None,
        changes: serde_json::json!([{"field": "x", "old": 1, "new": 2}]),
    }
}

fn targets(hits: &[AuditHit]) -> Vec<&str> {
    hits.iter().map(|h| h.row.entry.target.as_str()).collect()
}

#[tokio::test]
async fn the_audit_log_is_searched_in_sql_by_each_filter_within_one_organiser() {
    for db in testing::all().await {
        let s = &db.store;
        let label = db.label;
        let beilun = kaohe_storage::change!(s, create_organiser("北仑区", false))
            .unwrap()
            .id;
        let haishu = kaohe_storage::change!(s, create_organiser("海曙区", false))
            .unwrap()
            .id;
        let rows = [
            (beilun, "admin", "campaign.update", "campaign:1"),
            (beilun, "admin", "campaign.lock", "campaign:1"),
            (
                beilun,
                "xinqi",
                "report.item",
                "campaign:1/unit:3/item:basic.1",
            ),
            (
                beilun,
                "xinqi",
                "report.item",
                "campaign:1/unit:31/item:basic.10",
            ),
            (
                beilun,
                "Gongan",
                "review.confirm",
                "campaign:1/unit:3/item:basic_1",
            ),
            (beilun, "admin", "unit.update", "unit:3"),
            (haishu, "admin", "campaign.lock", "campaign:2"),
        ];
        let start = now_ms();
        for (org, user, action, target) in rows {
            s.audit(&entry(org, user, action, target)).await.unwrap();
        }
        let all = AuditFilter::default();
        let found = s.audit_search(beilun, &all, 100, 0).await.unwrap();
        assert_eq!(found.len(), 6, "{label}: only the organiser's own rows");
        assert_eq!(s.audit_count(beilun, &all).await.unwrap(), 6, "{label}");
        assert_eq!(found[0].row.entry.target, "unit:3", "{label}: newest first");
        assert!(
            found.windows(2).all(|w| w[0].seq > w[1].seq),
            "{label}: in chain order"
        );

        // Paging.
        let page2 = s.audit_search(beilun, &all, 4, 4).await.unwrap();
        assert_eq!(
            targets(&page2),
            ["campaign:1", "campaign:1"],
            "{label}: the last page"
        );

        let search = |f: AuditFilter| async move {
            targets(&s.audit_search(beilun, &f, 100, 0).await.unwrap())
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>()
        };
        // An action exactly, or a group of actions.
        let f = AuditFilter {
            action: Some("campaign.lock".into()),
            ..AuditFilter::default()
        };
        assert_eq!(search(f).await, ["campaign:1"], "{label}");
        let f = AuditFilter {
            action: Some("campaign".into()),
            ..AuditFilter::default()
        };
        assert_eq!(search(f).await.len(), 2, "{label}: campaign.*");
        // A user, letter case aside.
        let f = AuditFilter {
            username: Some("gongan".into()),
            ..AuditFilter::default()
        };
        assert_eq!(search(f).await.len(), 1, "{label}");
        // A unit is a whole part of the target: unit:3, not unit:31.
        let f = AuditFilter {
            unit: Some(3),
            ..AuditFilter::default()
        };
        assert_eq!(
            search(f).await,
            [
                "unit:3",
                "campaign:1/unit:3/item:basic_1",
                "campaign:1/unit:3/item:basic.1"
            ],
            "{label}"
        );
        // An item likewise; `_` typed is a character, not a wildcard.
        let f = AuditFilter {
            item: Some("basic.1".into()),
            ..AuditFilter::default()
        };
        assert_eq!(
            search(f).await,
            ["campaign:1/unit:3/item:basic.1"],
            "{label}"
        );
        let f = AuditFilter {
            target: Some("BASIC_".into()),
            ..AuditFilter::default()
        };
        assert_eq!(
            search(f).await,
            ["campaign:1/unit:3/item:basic_1"],
            "{label}: contains, letter case aside, literally"
        );
        let f = AuditFilter {
            target: Some("%".into()),
            ..AuditFilter::default()
        };
        assert!(search(f).await.is_empty(), "{label}: % is a character");
        // Text that looks like SQL is only text.
        let f = AuditFilter {
            username: Some("admin' OR '1'='1".into()),
            ..AuditFilter::default()
        };
        assert!(search(f).await.is_empty(), "{label}");
        // Several filters at once.
        let f = AuditFilter {
            username: Some("xinqi".into()),
            unit: Some(31),
            ..AuditFilter::default()
        };
        assert_eq!(
            search(f).await,
            ["campaign:1/unit:31/item:basic.10"],
            "{label}"
        );
        // Time: from (included) and until (excluded).
        let f = AuditFilter {
            from: Some(start),
            until: Some(now_ms() + 1),
            ..AuditFilter::default()
        };
        assert_eq!(search(f).await.len(), 6, "{label}");
        let f = AuditFilter {
            until: Some(start),
            ..AuditFilter::default()
        };
        assert!(search(f).await.is_empty(), "{label}");
        let f = AuditFilter {
            from: Some(now_ms() + 60_000),
            ..AuditFilter::default()
        };
        assert_eq!(s.audit_count(beilun, &f).await.unwrap(), 0, "{label}");

        let (actions, users) = s.audit_vocabulary(beilun).await.unwrap();
        assert_eq!(
            actions,
            [
                "campaign.lock",
                "campaign.update",
                "report.item",
                "review.confirm",
                "unit.update"
            ],
            "{label}"
        );
        assert_eq!(users, ["Gongan", "admin", "xinqi"], "{label}");
        db.finish().await;
    }
}
