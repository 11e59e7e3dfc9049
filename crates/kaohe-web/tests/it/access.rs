//! Who may use which route. The test reads the route table itself: a route added
//! without a row in `expected` below fails the test, and so does any answer that differs
//! from the row, for every role, for a reporter's own and another unit, and for a user
//! of another organiser.

use crate::common::*;
use kaohe_storage::testing;
use kaohe_web::routes::{self, Access};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Admin,
    /// An assessor of the organiser's own office (basic.* items are theirs).
    Assessor,
    /// The reporter of the unit in the URL.
    OwnReporter,
    /// A reporter of another unit of the same organiser.
    OtherReporter,
    Viewer,
    Auditor,
    /// The admin of another organiser.
    OtherOrgAdmin,
    /// A reporter of another organiser.
    OtherOrgReporter,
}

const EVERYONE: [Who; 9] = [
    Who::Anonymous,
    Who::Admin,
    Who::Assessor,
    Who::OwnReporter,
    Who::OtherReporter,
    Who::Viewer,
    Who::Auditor,
    Who::OtherOrgAdmin,
    Who::OtherOrgReporter,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Served (a page, a redirect elsewhere than the login page, or a form's own error).
    Ok,
    /// Sent to log in (GET) or told to (POST).
    Login,
    Forbidden,
    NotFound,
}

use Outcome::*;
use Who::*;

/// The expected outcome of every route for every kind of user.
fn expected(method: &str, path: &str, who: Who) -> Option<Outcome> {
    let logged_in = if who == Anonymous { Login } else { Ok };
    let admin_only = match who {
        Anonymous => Login,
        Admin | OtherOrgAdmin => Ok,
        _ => Forbidden,
    };
    // A unit's report: its reporter, the admin, the assessors; another organiser's
    // report does not exist for anyone outside it.
    let report_read = match who {
        Anonymous => Login,
        Admin | Assessor | OwnReporter => Ok,
        OtherReporter | Viewer | Auditor => Forbidden,
        OtherOrgAdmin | OtherOrgReporter => NotFound,
    };
    let report_write = match who {
        Anonymous => Login,
        OwnReporter => Ok,
        OtherOrgReporter => NotFound,
        _ => Forbidden,
    };
    // An admin page about one of the organiser's things (a unit, a user, a rubric, a
    // campaign): another organiser's admin finds nothing there.
    let admin_ids = match who {
        Anonymous => Login,
        Admin => Ok,
        OtherOrgAdmin => NotFound,
        _ => Forbidden,
    };
    Some(match (method, path) {
        ("GET", "/assets/{name}")
        | ("GET", "/healthz")
        | ("GET", "/login")
        | ("POST", "/login") => Ok,
        ("POST", "/logout")
        | ("GET", "/account/password")
        | ("POST", "/account/password")
        | ("GET", "/")
        | ("GET", "/guide")
        | ("GET", "/guide/{role}") => logged_in,
        // How a campaign's score is computed: anyone of its organiser.
        ("GET", "/c/{cid}/rules") => match who {
            Anonymous => Login,
            OtherOrgAdmin | OtherOrgReporter => NotFound,
            _ => Ok,
        },
        ("GET", "/c/{cid}/u/{uid}")
        | ("GET", "/c/{cid}/u/{uid}/i/{item}")
        | ("GET", "/c/{cid}/u/{uid}/print")
        | ("GET", "/c/{cid}/u/{uid}/fill.xlsx") => report_read,
        ("GET", "/c/{cid}/u/{uid}/fill") | ("POST", "/c/{cid}/u/{uid}/fill") => report_write,
        // No import was staged: for the unit, there is none.
        ("POST", "/c/{cid}/u/{uid}/fill/{iid}") => match report_write {
            Ok => NotFound,
            other => other,
        },
        ("POST", "/c/{cid}/u/{uid}/i/{item}/preview") => report_read,
        ("POST", "/c/{cid}/u/{uid}/submit") | ("POST", "/c/{cid}/u/{uid}/i/{item}") => report_write,
        ("POST", "/c/{cid}/u/{uid}/i/{item}/evidence")
        | ("POST", "/c/{cid}/u/{uid}/evidence/{eid}/delete") => report_write,
        ("GET", "/c/{cid}/u/{uid}/evidence/{eid}") => report_read,
        ("GET", "/c/{cid}/review")
        | ("POST", "/c/{cid}/review/confirm")
        | ("GET", "/c/{cid}/u/{uid}/r/{item}")
        | ("POST", "/c/{cid}/u/{uid}/r/{item}")
        | ("POST", "/c/{cid}/u/{uid}/r/{item}/preview")
        | ("GET", "/c/{cid}/review/import")
        | ("GET", "/c/{cid}/review/import/template.xlsx")
        | ("POST", "/c/{cid}/review/import") => match who {
            Anonymous => Login,
            Assessor => Ok,
            _ => Forbidden,
        },
        // No import has been applied here: for those who may reach one, there is none.
        ("POST", "/c/{cid}/review/import/{iid}") => match who {
            Anonymous => Login,
            Assessor => NotFound,
            _ => Forbidden,
        },
        ("GET", "/c/{cid}/imports/{iid}/file") => match who {
            Anonymous => Login,
            Admin | Assessor | OtherOrgAdmin => NotFound,
            _ => Forbidden,
        },
        // Results: computed ones are read by the admin, leaders and assessors; units
        // only after publication (the demo is not published: a page that says so).
        // The documents and print views follow the results pages (not computed in the
        // demo: a page that says so).
        ("GET", "/c/{cid}/results")
        | ("GET", "/c/{cid}/results/u/{uid}")
        | ("GET", "/c/{cid}/results/u/{uid}/table.docx")
        | ("GET", "/c/{cid}/results/u/{uid}/table.xlsx")
        | ("GET", "/c/{cid}/results/u/{uid}/print")
        | ("GET", "/c/{cid}/results/summary.xlsx")
        | ("GET", "/c/{cid}/results/bulletin.docx")
        | ("GET", "/c/{cid}/results/print")
        | ("GET", "/c/{cid}/gaps") => match who {
            Anonymous => Login,
            Admin | Assessor | Viewer | OwnReporter | OtherReporter => Ok,
            Auditor => Forbidden,
            OtherOrgAdmin | OtherOrgReporter => NotFound,
        },
        ("POST", "/admin/c/{cid}/results") => admin_ids,
        // Appeals: filed by the unit's reporter (the demo is not published: a page
        // that says so), read by assessors and the admin, answered by assessors.
        ("GET", "/c/{cid}/u/{uid}/appeal/{item}") | ("POST", "/c/{cid}/u/{uid}/appeal/{item}") => {
            report_write
        }
        ("GET", "/c/{cid}/appeals") => match who {
            Anonymous => Login,
            Admin | Assessor => Ok,
            OtherOrgAdmin => NotFound,
            _ => Forbidden,
        },
        ("POST", "/c/{cid}/appeals/{aid}") => match who {
            Anonymous => Login,
            Assessor => Ok,
            _ => Forbidden,
        },
        // Rectification (the demo is not published: the pages say there is none yet,
        // and every step is refused with a sentence). The unit reads its own problems,
        // assessors their department's items, the admin and leaders all; the auditor
        // reads the audit log instead.
        ("GET", "/c/{cid}/rectify") => match who {
            Anonymous => Login,
            Admin | Assessor | OwnReporter | OtherReporter | Viewer => Ok,
            Auditor => Forbidden,
            OtherOrgAdmin | OtherOrgReporter => NotFound,
        },
        ("GET", "/c/{cid}/rectify/{pid}") => match who {
            Anonymous => Login,
            Admin | Assessor | OwnReporter | Viewer => Ok,
            OtherReporter | Auditor => Forbidden,
            OtherOrgAdmin | OtherOrgReporter => NotFound,
        },
        ("POST", "/c/{cid}/rectify/{pid}/plan") | ("POST", "/c/{cid}/rectify/{pid}/report") => {
            match who {
                Anonymous => Login,
                OwnReporter | OtherReporter => Ok,
                OtherOrgReporter => NotFound,
                _ => Forbidden,
            }
        }
        ("POST", "/c/{cid}/rectify/{pid}/answer") => match who {
            Anonymous => Login,
            Assessor => Ok,
            _ => Forbidden,
        },
        ("POST", "/c/{cid}/rectify/{pid}/drop")
        | ("POST", "/c/{cid}/rectify/{pid}/deadline")
        | ("POST", "/admin/c/{cid}/rectify/deadline")
        | ("POST", "/admin/c/{cid}/rectify/problems") => admin_ids,
        ("GET", "/c/{cid}/u/{uid}/rectify.docx") => match who {
            Anonymous => Login,
            Admin | OwnReporter | Viewer => Ok,
            OtherReporter | Assessor | Auditor => Forbidden,
            OtherOrgAdmin | OtherOrgReporter => NotFound,
        },
        ("GET", "/c/{cid}/rectify.xlsx") => match who {
            Anonymous => Login,
            Admin | Assessor | Viewer => Ok,
            OtherOrgAdmin => NotFound,
            _ => Forbidden,
        },
        // Records kept during the year: the unit its own (another unit's record does not
        // exist for it), the departments the kinds their items count, the admin all.
        ("GET", "/c/{cid}/records") => match who {
            Anonymous => Login,
            Admin | Assessor | OwnReporter | OtherReporter => Ok,
            Viewer | Auditor => Forbidden,
            OtherOrgAdmin | OtherOrgReporter => NotFound,
        },
        ("GET", "/c/{cid}/records/{recid}") | ("GET", "/c/{cid}/records/{recid}/files/{fid}") => {
            match who {
                Anonymous => Login,
                Admin | Assessor | OwnReporter => Ok,
                Viewer | Auditor => Forbidden,
                OtherReporter | OtherOrgAdmin | OtherOrgReporter => NotFound,
            }
        }
        ("POST", "/c/{cid}/u/{uid}/records") | ("POST", "/c/{cid}/u/{uid}/records/{recid}") => {
            match who {
                Anonymous => Login,
                OwnReporter => Ok,
                OtherOrgReporter => NotFound,
                _ => Forbidden,
            }
        }
        ("POST", "/admin/c/{cid}/records")
        | ("POST", "/admin/c/{cid}/records/{recid}")
        | ("POST", "/admin/c/{cid}/records/import")
        | ("POST", "/admin/c/{cid}/records/import/{iid}") => admin_ids,
        ("POST", "/c/{cid}/records/{recid}/answer")
        | ("POST", "/c/{cid}/records/{recid}/like")
        | ("POST", "/c/{cid}/records/confirm") => match who {
            Anonymous => Login,
            Admin | Assessor => Ok,
            OtherOrgAdmin => NotFound,
            _ => Forbidden,
        },
        ("GET", "/admin/history")
        | ("POST", "/admin/history")
        | ("GET", "/admin/whatif")
        | ("GET", "/admin/whatif.xlsx")
        | ("GET", "/admin/whatif/map")
        | ("POST", "/admin/whatif/map") => admin_only,
        ("GET", "/admin") => admin_only,
        ("GET", "/admin/units")
        | ("POST", "/admin/units")
        | ("POST", "/admin/units/import")
        | ("GET", "/admin/departments")
        | ("POST", "/admin/departments")
        | ("GET", "/admin/users")
        | ("POST", "/admin/users")
        | ("GET", "/admin/rubrics")
        | ("POST", "/admin/rubrics")
        | ("POST", "/admin/rubrics/import")
        | ("POST", "/admin/rubrics/import/save")
        | ("GET", "/admin/campaigns/new")
        | ("POST", "/admin/campaigns") => admin_only,
        ("GET", "/admin/units/{uid}")
        | ("POST", "/admin/units/{uid}")
        | ("POST", "/admin/departments/{did}")
        | ("POST", "/admin/departments/{did}/delete")
        | ("POST", "/admin/users/{user}/password")
        | ("POST", "/admin/users/{user}/active")
        | ("POST", "/admin/users/{user}/unlock")
        | ("GET", "/admin/users/{user}/edit")
        | ("POST", "/admin/users/{user}/edit")
        | ("GET", "/admin/rubrics/{rid}")
        | ("GET", "/admin/rubrics/{rid}/diff")
        | ("GET", "/admin/c/{cid}")
        | ("POST", "/admin/c/{cid}/issue")
        | ("POST", "/admin/c/{cid}/settings")
        | ("POST", "/admin/c/{cid}/u/{uid}")
        | ("POST", "/admin/c/{cid}/facts")
        | ("POST", "/admin/c/{cid}/units")
        | ("POST", "/admin/c/{cid}/u/{uid}/withdraw")
        | ("POST", "/admin/c/{cid}/u/{uid}/reinstate")
        | ("POST", "/admin/c/{cid}/delete")
        | ("POST", "/admin/c/{cid}/departments") => admin_ids,
        // Progress, publication and lock: an empty form publishes and locks nothing.
        ("GET", "/admin/c/{cid}/progress")
        | ("POST", "/admin/c/{cid}/publish")
        | ("POST", "/admin/c/{cid}/lock")
        | ("POST", "/admin/c/{cid}/unlock") => admin_ids,
        // The audit log: each organiser's auditor and admin read their own rows.
        ("GET", "/audit") | ("GET", "/audit/export.csv") => match who {
            Anonymous => Login,
            Admin | Auditor | OtherOrgAdmin => Ok,
            _ => Forbidden,
        },
        // Recomputing the whole audit chain now: whoever reads the audit page.
        ("POST", "/audit/verify") => match who {
            Anonymous => Login,
            Admin | Auditor | OtherOrgAdmin => Ok,
            _ => Forbidden,
        },
        // Marking account changes reviewed: the auditor's alone (三员分立).
        ("POST", "/audit/accounts/reviewed") => match who {
            Anonymous => Login,
            Auditor => Ok,
            _ => Forbidden,
        },
        _ => return None,
    })
}

fn username(who: Who) -> Option<&'static str> {
    Some(match who {
        Anonymous => return None,
        Admin => "admin",
        Assessor => "kaoheban",
        OwnReporter => "xinqi",
        OtherReporter => "xiaogang",
        Viewer => "lingdao",
        Auditor => "shenji",
        OtherOrgAdmin => "haishu-admin",
        OtherOrgReporter => "gulou",
    })
}

fn outcome(r: &Resp) -> Outcome {
    match r.status.as_u16() {
        401 => Login,
        303 if r
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with("/login")) =>
        {
            Login
        }
        403 => Forbidden,
        404 => NotFound,
        _ => Ok,
    }
}

#[tokio::test]
async fn every_route_answers_every_kind_of_user_as_the_table_says() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    // A second organiser with its own admin and a reporter.
    let store = &db.store;
    kaohe_web::setup::add_organiser(store, "海曙区", "haishu-admin", "Yinzhou#Reg2026")
        .await
        .unwrap();
    let haishu = store
        .organisers()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name == "海曙区")
        .unwrap();
    let gulou =
        kaohe_storage::change!(store, create_unit(haishu.id, None, "鼓楼街道", None, false))
            .unwrap();
    kaohe_storage::change!(
        store,
        create_user(&kaohe_storage::NewUser {
            organiser_id: haishu.id,
            username: "gulou".into(),
            display_name: "鼓楼填报员".into(),
            role: kaohe_storage::Role::Reporter,
            department_id: None,
            unit_id: Some(gulou.id),
            password_hash: kaohe_web::hash_password(PW).unwrap(),
            must_change_password: false,
            is_demo: false,
        })
    )
    .unwrap();
    let beilun = store.organisers().await.unwrap()[0].clone();
    let campaign = store.campaigns(beilun.id).await.unwrap()[0].clone();
    let xinqi = store
        .units(beilun.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "新碶街道")
        .unwrap();
    let evidence = kaohe_storage::change!(
        store,
        add_evidence(&kaohe_storage::NewEvidence {
            campaign_id: campaign.id,
            unit_id: xinqi.id,
            item_id: "basic.1".into(),
            filename: "季度总结.pdf".into(),
            content_type: "application/pdf".into(),
            sha256: String::new(),
            data: b"%PDF-1.4".to_vec(),
            uploaded_by: None,
            appeal_id: None,
            problem_id: None,
            personal: false,
        })
    )
    .unwrap();
    // A user none of the clients below logs in as: its password may be reset.
    let renshe = store.user_by_username("renshe").await.unwrap().unwrap();
    // A department in use: an empty rename and a delete are refused with a message.
    let police = store.user_by_username("gongan").await.unwrap().unwrap();
    let police = police.department_id.unwrap();

    let appeal = kaohe_storage::change!(
        store,
        create_appeal(campaign.id, xinqi.id, "basic.1", "测试申诉", 1)
    )
    .unwrap();

    let problem = kaohe_storage::change!(
        store,
        add_problem(
            campaign.id,
            &kaohe_storage::NewProblem {
                unit_id: xinqi.id,
                item_id: "basic.1".into(),
                rule_index: None,
                found: "检查中发现的问题".into(),
                points: None,
                remedy: None,
            },
            None
        )
    )
    .unwrap();

    // A record the unit declared, with its file.
    let record = kaohe_storage::change!(
        store,
        add_record(
            beilun.id,
            &kaohe_storage::NewRecord {
                unit_id: xinqi.id,
                kind: "info".into(),
                day: "2026-03-01".into(),
                fields: [("title".to_string(), "新碶街道积分制管理".to_string())]
                    .into_iter()
                    .collect(),
                by_district: false,
            },
            None,
            store.user_by_username("xinqi").await.unwrap().unwrap().id
        )
    )
    .unwrap();
    let record_file = kaohe_storage::change!(
        store,
        add_record_evidence(
            record.id,
            &kaohe_storage::NewEvidence {
                campaign_id: campaign.id,
                unit_id: xinqi.id,
                item_id: "basic.3".into(),
                filename: "录用通知.pdf".into(),
                content_type: "application/pdf".into(),
                sha256: String::new(),
                data: b"%PDF-1.4".to_vec(),
                uploaded_by: None,
                appeal_id: None,
                problem_id: None,
                personal: false,
            }
        )
    )
    .unwrap();

    let mut clients = Vec::new();
    for who in EVERYONE {
        let mut c = Client::new(app.clone());
        if let Some(name) = username(who) {
            let r = c
                .login(
                    name,
                    if who == OtherOrgAdmin {
                        "Yinzhou#Reg2026"
                    } else {
                        PW
                    },
                )
                .await;
            assert_eq!(r.status, 303, "{who:?} logs in: {}", r.body);
        }
        let token = c.get("/login").await.csrf();
        let token = if who == Anonymous {
            token
        } else {
            c.token().await
        };
        clients.push((who, c, token));
    }

    let mut failures = Vec::new();
    for route in routes::table() {
        let method = route.method.as_str();
        let url = route
            .path
            .replace("{name}", "app.css")
            .replace("{cid}", &campaign.id.to_string())
            .replace("{uid}", &xinqi.id.to_string())
            .replace("{item}", "basic.1")
            .replace("{eid}", &evidence.id.to_string())
            .replace("{aid}", &appeal.id.to_string())
            .replace("{pid}", &problem.id.to_string())
            .replace("{recid}", &record.id.to_string())
            .replace("{fid}", &record_file.id.to_string())
            .replace("{iid}", "999999")
            .replace("{user}", &renshe.id.to_string())
            .replace("{did}", &police.to_string())
            .replace("{rid}", &campaign.rubric_id.to_string())
            .replace("{role}", "assessor");
        for (who, client, token) in clients.iter_mut() {
            let Some(want) = expected(method, route.path, *who) else {
                panic!(
                    "route {method} {} has no row in this test's table: add one",
                    route.path
                );
            };
            // Logging out would end the session the next routes need.
            if route.path == "/logout" && *who != Anonymous {
                continue;
            }
            let r = match method {
                "GET" => client.get(&url).await,
                _ if url.ends_with("/evidence")
                    || url.contains("/appeal/")
                    || url.ends_with("/rubrics/import") =>
                {
                    client
                        .post_multipart(&url, &[("csrf", token.as_str())], ("file", "", b""))
                        .await
                }
                _ => client.post(&url, &[("csrf", token.as_str())]).await,
            };
            let got = outcome(&r);
            if got != want {
                failures.push(format!(
                    "{method} {url} as {who:?}: expected {want:?}, got {got:?} ({})",
                    r.status
                ));
            }
        }
        // The table's own rule agrees with the test's for the role check.
        if route.access == Access::Public {
            assert_eq!(expected(method, route.path, Anonymous), Some(Ok));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    db.finish().await;
}

#[tokio::test]
async fn every_form_refuses_a_missing_or_wrong_csrf_token() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let mut admin = Client::new(app.clone());
    admin.login("admin", PW).await;
    let mut reporter = Client::new(app.clone());
    reporter.login("xinqi", PW).await;
    let mut assessor = Client::new(app.clone());
    assessor.login("kaoheban", PW).await;
    let mut auditor = Client::new(app.clone());
    auditor.login("shenji", PW).await;
    let beilun = db.store.organisers().await.unwrap()[0].clone();
    let campaign = db.store.campaigns(beilun.id).await.unwrap()[0].clone();
    let xinqi = db
        .store
        .units(beilun.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "新碶街道")
        .unwrap();
    let mut anonymous = Client::new(app);
    anonymous.get("/login").await;
    // Every change commits an audit row: an unmoved head means nothing changed.
    let head = db.store.audit_head().await.unwrap().seq;
    for route in routes::table()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
    {
        let url = route
            .path
            .replace("{cid}", &campaign.id.to_string())
            .replace("{uid}", &xinqi.id.to_string())
            .replace("{item}", "basic.1")
            .replace("{eid}", "1")
            .replace("{aid}", "1")
            .replace("{pid}", "1")
            .replace("{recid}", "1")
            .replace("{fid}", "1")
            .replace("{iid}", "1")
            .replace("{user}", "1")
            .replace("{did}", "1")
            .replace("{rid}", &campaign.rubric_id.to_string())
            .replace("{role}", "assessor");
        // Whoever may use the route: the reporter for report routes, else the admin.
        let client = if route.path == "/login" {
            &mut anonymous
        } else if route.path.contains("/r/{item}")
            || route.path.ends_with("/review")
            || route.path.contains("/review/")
            || route.path.contains("/appeals/")
            || route.path.ends_with("/answer")
            || route.path.ends_with("/like")
            || route.path.ends_with("/records/confirm")
        {
            &mut assessor
        } else if route.path.ends_with("/rectify/{pid}/drop")
            || route.path.ends_with("/rectify/{pid}/deadline")
        {
            &mut admin
        } else if route.path.starts_with("/c/") {
            &mut reporter
        } else if route.path.starts_with("/audit/") {
            &mut auditor
        } else {
            &mut admin
        };
        for token in ["", "0000"] {
            let r = if url.contains("/appeal/")
                || url.ends_with("/evidence")
                || url.ends_with("/rubrics/import")
            {
                client
                    .post_multipart(&url, &[("csrf", token)], ("file", "a.pdf", b"%PDF-1.4"))
                    .await
            } else {
                client
                    .post(
                        &url,
                        &[("csrf", token), ("username", "admin"), ("password", PW)],
                    )
                    .await
            };
            assert_eq!(r.status, 403, "POST {url} with csrf {token:?}: {}", r.body);
            assert!(r.body.contains("页面已过期"), "{}", r.body);
        }
    }
    assert_eq!(
        db.store.audit_head().await.unwrap().seq,
        head,
        "a forged form changed something"
    );
    db.finish().await;
}

/// Every route, whoever asks and whatever it answers, carries the browser security
/// headers; pages and downloads are never cached (the assets keep their own caching).
#[tokio::test]
async fn every_route_answers_with_the_browser_security_headers() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let beilun = db.store.organisers().await.unwrap()[0].clone();
    let campaign = db.store.campaigns(beilun.id).await.unwrap()[0].clone();
    let mut clients = Vec::new();
    for who in ["admin", "xinqi", "kaoheban"] {
        let mut c = Client::new(app.clone());
        c.login(who, PW).await;
        clients.push(c);
    }
    clients.push(Client::new(app));
    let mut checked = 0;
    let mut wrong = Vec::new();
    for route in routes::table() {
        let url = route
            .path
            .replace("{cid}", &campaign.id.to_string())
            .replace("{uid}", "1")
            .replace("{item}", "basic.1")
            .replace("{eid}", "1")
            .replace("{aid}", "1")
            .replace("{pid}", "1")
            .replace("{recid}", "1")
            .replace("{fid}", "1")
            .replace("{iid}", "1")
            .replace("{user}", "1")
            .replace("{did}", "1")
            .replace("{rid}", &campaign.rubric_id.to_string())
            .replace("{name}", "app.js");
        for client in clients.iter_mut() {
            let r = if route.method.as_str() == "POST" {
                let token = client.token().await;
                client.post(&url, &[("csrf", &token)]).await
            } else {
                client.get(&url).await
            };
            checked += 1;
            let h = |name: &str| {
                r.headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string()
            };
            let csp = h("content-security-policy");
            let cache = h("cache-control");
            let ok = csp.contains("default-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("script-src 'self' 'unsafe-inline'")
                && h("x-frame-options") == "DENY"
                && h("x-content-type-options") == "nosniff"
                && h("referrer-policy") == "same-origin"
                && if url.starts_with("/assets/") {
                    cache.starts_with("public")
                } else {
                    cache.contains("no-store")
                };
            if !ok {
                wrong.push(format!(
                    "{} {url} ({}): csp {csp:?}, cache {cache:?}",
                    route.method, r.status
                ));
            }
        }
    }
    assert!(checked > 200, "{checked}");
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    db.finish().await;
}

/// The load balancer's health check answers without a login, and every response carries
/// a request id (one a proxy set is kept), which is on the request's log lines too.
#[tokio::test]
async fn the_health_check_answers_and_every_response_has_a_request_id() {
    let db = testing::sqlite().await;
    let mut c = Client::new(demo_app(&db).await);
    let r = c.get("/healthz").await;
    assert_eq!((r.status.as_u16(), r.body.as_str()), (200, "ok\n"));
    let first = r
        .headers
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let second = c.get("/login").await;
    let second = second
        .headers
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap();
    assert_ne!(first, second, "each request its own id");
    db.finish().await;
}

/// An address with something that is not a number where an id goes, or a query that
/// does not parse, answers with kaohe's page in Chinese, not the framework's English.
#[tokio::test]
async fn an_unreadable_address_answers_in_chinese() {
    let db = testing::sqlite().await;
    let app = demo_app(&db).await;
    let mut admin = Client::new(app);
    admin.login("admin", PW).await;
    for path in [
        "/c/abc/results",
        "/admin/c/1x/progress",
        "/admin/whatif?rubric=abc&campaign=1",
        "/admin/rubrics/x/diff",
        "/no/such/page",
    ] {
        let r = admin.get(path).await;
        let page = between(&r.body, "<main", "</main>").unwrap_or_default();
        assert!(
            (r.status == 400 && page.contains("地址或提交的内容无法识别"))
                || (r.status == 404 && page.contains("找不到该页面")),
            "{path}: {} {}",
            r.status,
            r.body
        );
    }
    db.finish().await;
}
