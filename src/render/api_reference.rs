//! `/api`: the API reference as a page, read from the OpenAPI document (`/api/v1/openapi.json`)
//! so the two never disagree. Each operation shows who may call it, its parameters, its body,
//! and every answer with its schema; shared schemas are listed once at the end and linked.

use maud::{Markup, html};
use serde_json::Value;

use super::layout::{self, Page, PageContext};

/// The methods in the order a reader expects them.
const METHODS: &[&str] = &["get", "head", "post", "put", "patch", "delete"];

/// The whole page for the document `doc` (an OpenAPI 3.1 object as JSON).
pub fn page(ctx: &PageContext<'_>, doc: &Value) -> Markup {
    let empty = serde_json::Map::new();
    let paths = doc["paths"].as_object().unwrap_or(&empty);
    let schemas = doc["components"]["schemas"].as_object().unwrap_or(&empty);
    let tags: Vec<(&str, &str)> = doc["tags"]
        .as_array()
        .map(|tags| {
            tags.iter()
                .map(|t| (text(&t["name"]), text(&t["description"])))
                .collect()
        })
        .unwrap_or_default();
    let main = html! {
        h1 { "API reference" }
        p class="lead" { (text(&doc["info"]["description"])) }
        p {
            "The same as an OpenAPI 3.1 document: "
            a href="/api/v1/openapi.json" { code { "/api/v1/openapi.json" } }
            " (for code generators and API testing tools)."
        }
        nav aria-label="Operations" {
            ul {
                @for (tag, _) in &tags {
                    @for (path, method, _) in operations(paths, tag) {
                        li { a href={ "#" (anchor(method, path)) } { code { (method.to_uppercase()) " " (path) } } }
                    }
                }
            }
        }
        @for (tag, about) in &tags {
            section {
                h2 id={ "tag-" (tag) } { (capitalised(tag)) }
                p { (about) }
                @for (path, method, op) in operations(paths, tag) {
                    (operation(path, method, op))
                }
            }
        }
        section {
            h2 id="schemas" { "Schemas" }
            @for (name, schema) in schemas {
                h3 id={ "schema-" (name) } { code { (name) } }
                (schema_body(schema))
            }
        }
    };
    layout::render(
        ctx,
        Page {
            title: "API reference".into(),
            description: Some(
                "Every route of the JSON API: parameters, bodies, answers and who may call it."
                    .into(),
            ),
            main,
            ..Page::default()
        },
    )
}

/// The operations tagged `tag`, in path order, each path's methods in [`METHODS`] order.
fn operations<'a>(
    paths: &'a serde_json::Map<String, Value>,
    tag: &str,
) -> Vec<(&'a str, &'static str, &'a Value)> {
    let mut out = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            let op = &item[*method];
            let tagged = op["tags"]
                .as_array()
                .is_some_and(|tags| tags.iter().any(|t| t == tag));
            if tagged {
                out.push((path.as_str(), *method, op));
            }
        }
    }
    out
}

fn operation(path: &str, method: &str, op: &Value) -> Markup {
    let access = text(&op["x-access"]);
    html! {
        article class="api-operation" {
            h3 id=(anchor(method, path)) { code { (method.to_uppercase()) " " (path) } }
            @if let Some(summary) = op["summary"].as_str() { p { strong { (summary) } } }
            p { "Who: " (who(access)) }
            @if let Some(description) = op["description"].as_str() { p { (description) } }
            @if let Some(params) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
                h4 { "Parameters" }
                table {
                    thead { tr { th { "name" } th { "in" } th { "type" } th { "required" } th { "meaning" } } }
                    tbody {
                        @for p in params {
                            tr {
                                td { code { (text(&p["name"])) } }
                                td { (text(&p["in"])) }
                                td { (type_of(&p["schema"])) }
                                td { @if p["required"] == Value::Bool(true) { "yes" } @else { "no" } }
                                td { (text(&p["description"])) }
                            }
                        }
                    }
                }
            }
            @if let Some(body) = op["requestBody"]["content"].as_object() {
                h4 { "Body" }
                @for (media, content) in body {
                    p { code { (media) } ": " (type_of(&content["schema"])) }
                }
            }
            h4 { "Answers" }
            table {
                thead { tr { th { "status" } th { "meaning" } th { "body" } } }
                tbody {
                    @if let Some(responses) = op["responses"].as_object() {
                        @for (status, response) in responses {
                            tr {
                                td { (status) }
                                td { (text(&response["description"])) }
                                td {
                                    @if let Some(content) = response["content"].as_object() {
                                        @for (media, c) in content {
                                            code { (media) } " " (type_of(&c["schema"]))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A sentence for an operation's `x-access`.
fn who(access: &str) -> &str {
    match access {
        "anyone" => "anyone, also without signing in (unless the site requires sign-in)",
        "user" => "any signed-in account (API token or session)",
        "owner or admin" => "admins, and accounts that answer for the pages concerned",
        "the learner or an admin" => "the learner named, or an admin",
        "admin" => "admins only",
        "" => "not stated",
        other => other,
    }
}

/// An object schema's fields as a table; anything else as its type.
fn schema_body(schema: &Value) -> Markup {
    let Some(properties) = schema["properties"].as_object() else {
        return html! {
            @if let Some(description) = schema["description"].as_str() { p { (description) } }
            p { (type_of(schema)) }
        };
    };
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    html! {
        @if let Some(description) = schema["description"].as_str() { p { (description) } }
        table {
            thead { tr { th { "field" } th { "type" } th { "always there" } th { "meaning" } } }
            tbody {
                @for (name, field) in properties {
                    tr {
                        td { code { (name) } }
                        td { (type_of(field)) }
                        td { @if required.contains(&name.as_str()) { "yes" } @else { "no" } }
                        td { (text(&field["description"])) }
                    }
                }
            }
        }
    }
}

/// A schema's type in a few words, shared schemas linked.
fn type_of(schema: &Value) -> Markup {
    if let Some(target) = schema["$ref"].as_str() {
        let name = target.rsplit('/').next().unwrap_or(target);
        return html! { a href={ "#schema-" (name) } { code { (name) } } };
    }
    if let Some(values) = schema["enum"].as_array() {
        return html! {
            "one of "
            @for (i, v) in values.iter().enumerate() {
                @if i > 0 { ", " }
                code { (v) }
            }
        };
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(parts) = schema[combinator].as_array() {
            let joiner = if combinator == "allOf" {
                " and "
            } else {
                " or "
            };
            return html! {
                @for (i, part) in parts.iter().enumerate() {
                    @if i > 0 { (joiner) }
                    (type_of(part))
                }
            };
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    html! {
        @for (i, t) in types.iter().enumerate() {
            @if i > 0 { " or " }
            @if *t == "array" {
                "array of " (type_of(&schema["items"]))
            } @else {
                code { (t) }
            }
        }
        @if types.is_empty() { "any JSON" }
        @if let Some(format) = schema["format"].as_str() { " (" (format) ")" }
        @if let (Some(min), Some(max)) = (schema["minimum"].as_i64(), schema["maximum"].as_i64()) {
            " " (min) "–" (max)
        }
    }
}

fn anchor(method: &str, path: &str) -> String {
    let mut out = format!("op-{method}");
    for c in path.chars() {
        out.push(if c.is_ascii_alphanumeric() { c } else { '-' });
    }
    out
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or("")
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
