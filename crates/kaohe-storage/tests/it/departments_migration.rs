//! Departments typed as names before they were a list (migration 0007) become the
//! organiser's departments, and every assessor and item keeps the department it had.

use kaohe_storage::*;
use sqlx::AssertSqlSafe;

async fn run(url: &str, sql: &str) {
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap();
    sqlx::query(AssertSqlSafe(sql.to_string()))
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    pool.close().await;
}

#[tokio::test]
async fn names_typed_before_become_departments_and_keep_their_items_and_assessors() {
    for db in testing::all_migrated_to(6).await {
        db.store.close().await;
        for sql in [
            "INSERT INTO organisers (id, name, is_demo, created_at) VALUES (1, '北仑区', 0, 0)",
            "INSERT INTO organisers (id, name, is_demo, created_at) VALUES (2, '海曙区', 0, 0)",
            "INSERT INTO rubrics (id, organiser_id, code, version, title, source, hash, created_at)
             VALUES (1, 1, 'r', 1, '细则', 'x', 'h', 0)",
            "INSERT INTO campaigns (id, organiser_id, year, title, rubric_id, deadline, state, created_at)
             VALUES (1, 1, 2026, '考核', 1, '2026-12-31', 'open', 0)",
            "INSERT INTO users (id, organiser_id, username, display_name, role, department, password_hash, created_at)
             VALUES (1, 1, 'ga', '甲', 'assessor', '区公安分局', 'x', 0)",
            "INSERT INTO users (id, organiser_id, username, display_name, role, department, password_hash, created_at)
             VALUES (2, 1, 'ga2', '乙', 'assessor', '区公安分局', 'x', 0)",
            "INSERT INTO users (id, organiser_id, username, display_name, role, department, password_hash, created_at)
             VALUES (3, 2, 'hs', '丙', 'assessor', '区公安分局', 'x', 0)",
            "INSERT INTO users (id, organiser_id, username, display_name, role, department, password_hash, created_at)
             VALUES (4, 1, 'admin', '丁', 'admin', NULL, 'x', 0)",
            "INSERT INTO users (id, organiser_id, username, display_name, role, department, password_hash, created_at)
             VALUES (5, 1, 'office', '戊', 'assessor', '北仑区', 'x', 0)",
            "INSERT INTO item_departments (campaign_id, item_id, department) VALUES (1, 'basic.1', '区公安分局')",
            "INSERT INTO item_departments (campaign_id, item_id, department) VALUES (1, 'basic.2', '区人社局')",
            "INSERT INTO item_departments (campaign_id, item_id, department) VALUES (1, 'basic.3', '北仑区')",
        ] {
            run(&db.url, sql).await;
        }
        let s = db.open_again().await.unwrap();
        let label = db.label;
        let beilun = s.departments(1).await.unwrap();
        let names: Vec<(&str, bool)> = beilun
            .iter()
            .map(|d| (d.name.as_str(), d.is_office))
            .collect();
        assert_eq!(
            names,
            vec![("北仑区", true), ("区人社局", false), ("区公安分局", false)],
            "{label}"
        );
        let haishu = s.departments(2).await.unwrap();
        assert_eq!(
            haishu.len(),
            2,
            "{label}: 海曙区's office and its own 区公安分局"
        );
        let police = beilun.iter().find(|d| d.name == "区公安分局").unwrap();
        for id in [1, 2] {
            let u = s.user(id).await.unwrap();
            assert_eq!(u.department_id, Some(police.id), "{label}");
            assert_eq!(u.department.as_deref(), Some("区公安分局"), "{label}");
        }
        let hs = s.user(3).await.unwrap();
        assert_eq!(
            hs.department_id,
            Some(haishu[1].id),
            "{label}: each organiser its own"
        );
        assert_eq!(s.user(4).await.unwrap().department_id, None, "{label}");
        assert_eq!(s.user(5).await.unwrap().department_id, Some(beilun[0].id));
        let a = s.assignment(1, 1).await.unwrap();
        assert_eq!(a.of("basic.1").name, "区公安分局", "{label}");
        assert_eq!(a.of("basic.2").name, "区人社局", "{label}");
        assert!(a.of("basic.3").is_office, "{label}");
        assert!(a.of("basic.4").is_office, "{label}");
        assert!(s.integrity_check().await.unwrap().is_empty(), "{label}");
        s.close().await;
        db.finish().await;
    }
}
