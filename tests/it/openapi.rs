//! The OpenAPI document stays true: every API route registered in `src/web` (each has its row
//! in tests/it/routes.rs, which fails otherwise) is an operation of the document with the same
//! method, and the document has no operation the server does not route. The served document,
//! the `/api` page and the `Allow` of a 405 come from it. Schemathesis checks the answers
//! against it (tests/it/schemathesis.rs).

use std::collections::BTreeSet;

use selfserve::web::api::document;

use crate::routes::methods_and_patterns;
use crate::support::TestApp;

/// `{id:.*}` → `{id}`: the router's pattern as an OpenAPI path template.
fn template(pattern: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    let mut skipping = false;
    for c in pattern.chars() {
        match c {
            '{' => in_param = true,
            ':' if in_param => skipping = true,
            '}' if in_param => {
                in_param = false;
                skipping = false;
            }
            _ if skipping => continue,
            _ => {}
        }
        if !skipping || c == '}' {
            out.push(c);
        }
    }
    out
}

fn is_api(pattern: &str) -> bool {
    pattern.starts_with("/api/v1/") || pattern == "/healthz"
}

#[test]
fn every_api_route_is_an_operation_of_the_document_and_no_other() {
    assert_eq!(
        template("/api/v1/docs/{id:.*}/feedback"),
        "/api/v1/docs/{id}/feedback"
    );
    assert_eq!(template("/a/{n:[0-9]+}"), "/a/{n}");
    let routed: BTreeSet<(String, String)> = methods_and_patterns()
        .into_iter()
        .filter(|(_, pattern)| is_api(pattern))
        .map(|(method, pattern)| (method.to_ascii_lowercase(), template(pattern)))
        .collect();
    assert!(routed.len() >= 20, "{routed:?}");
    let doc = document();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            documented.insert((method.clone(), path.clone()));
        }
    }
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routes without a #[utoipa::path] listed in src/web/api/openapi.rs: {undocumented:?}"
    );
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        unrouted.is_empty(),
        "operations the server does not route (or without a row in tests/it/routes.rs): {unrouted:?}"
    );
}

#[test]
fn the_document_the_page_and_a_405_are_served() {
    let app = TestApp::start("site-basic");
    let res = app.get("/api/v1/openapi.json");
    assert_eq!(res.status, 200);
    assert!(
        res.header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "{:?}",
        res.header("content-type")
    );
    let served = res.json();
    assert_eq!(&served, document());
    assert_eq!(served["openapi"], "3.1.0");
    assert_eq!(
        served["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );

    let page = app.get("/api");
    assert_eq!(page.status, 200);
    for path in served["paths"].as_object().expect("paths").keys() {
        let shown = path.replace('&', "&amp;");
        assert!(page.body.contains(&shown), "/api does not show {path}");
    }
    assert!(page.body.contains("admins only"), "access is not shown");
    assert!(
        page.body.contains("id=\"schema-Error\""),
        "schemas are not listed"
    );

    let res = app.request("DELETE", "/api/v1/search", &[], b"");
    assert_eq!(res.status, 405);
    assert_eq!(res.header("allow"), Some("GET"));
    assert!(res.json()["error"].as_str().is_some());
    let res = app.request("GET", "/api/v1/modules/k8s-basics/attempts", &[], b"");
    assert_eq!(res.status, 405);
    assert_eq!(res.header("allow"), Some("POST"));
}
