//! The quiz item analysis views (issue 16, item 5): every module with its pass rate and
//! hardest question (`/insights/modules`), and one module's questions with facility,
//! discrimination and choice counts (`/insights/modules/{id}`). Pure `model → Markup`.

use maud::{Markup, html};

use super::charts::{Bar, BarChart, bar_chart};
use super::table::{Cell, Column, QueryParams, Table, sortable_table};
use super::{Tab, downloads, page};
use crate::insights::items::{LeftOut, QuestionFigures, flag};
use crate::model::Module;
use crate::render::layout::{Crumb, PageContext};
use crate::render::{TrustedHtml, plural};

/// A module's hardest question, for the overview.
#[derive(Debug, Clone)]
pub struct Hardest {
    /// The module's index of the question (from 0).
    pub index: usize,
    /// Its text (Markdown source, shown as text).
    pub prompt: String,
    /// Its facility.
    pub facility: f64,
}

/// One module's line on the overview.
#[derive(Debug, Clone)]
pub struct ModuleLine {
    /// Its document id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Attempts analysed.
    pub attempts: u64,
    /// Passed ÷ attempts analysed.
    pub pass_rate: Option<f64>,
    /// Its question with the lowest facility.
    pub hardest: Option<Hardest>,
    /// How many of its questions carry a warning (`insights::items::flag`).
    pub flagged: u64,
}

/// What `/insights/modules/{id}` shows.
#[derive(Debug)]
pub struct ModuleView<'a> {
    /// The page's query (sorting).
    pub params: &'a QueryParams,
    /// The module's id.
    pub id: &'a str,
    /// Its title.
    pub title: &'a str,
    /// Its address on the site.
    pub module_url: &'a str,
    /// Its current version.
    pub version: u32,
    /// The module (question and choice texts, keys).
    pub module: &'a Module,
    /// Attempts analysed.
    pub attempts: u64,
    /// Of those, passed.
    pub passed: u64,
    /// What was left out.
    pub left_out: LeftOut,
    /// Per question.
    pub questions: &'a [QuestionFigures],
}

/// The insight page of one module.
pub fn module_insight_url(id: &str) -> String {
    format!("/insights/modules/{id}")
}

const fn col(key: &'static str, label: &'static str, numeric: bool) -> Column {
    Column {
        key,
        label,
        numeric,
    }
}

fn csv_link(path: &str, params: &QueryParams) -> String {
    format!("{path}{}", params.with(&[("format", "csv")]))
}

fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    }
}

/// Which attempts count, in one sentence shared by both pages.
const COUNTED: &str = "Each learner's first attempt at a module's current version counts; retakes and attempts at older versions are left out, since a retake follows the feedback of the attempt before it.";

/// `/insights/modules`.
pub fn modules_page(ctx: &PageContext<'_>, params: &QueryParams, lines: &[ModuleLine]) -> Markup {
    let rows = lines
        .iter()
        .map(|l| {
            vec![
                Cell::Link {
                    text: l.title.clone(),
                    href: module_insight_url(&l.id),
                },
                Cell::count(l.attempts),
                Cell::share(l.pass_rate),
                match &l.hardest {
                    Some(h) => Cell::Text(format!("Q{}: {}", h.index + 1, short(&h.prompt, 80))),
                    None => Cell::Text("—".into()),
                },
                Cell::share(l.hardest.as_ref().map(|h| h.facility)),
                Cell::count(l.flagged),
            ]
        })
        .collect();
    let table = Table {
        id: "modules",
        caption: "Modules with a quiz".into(),
        columns: vec![
            col("module", "Module", false),
            col("attempts", "Attempts", true),
            col("pass", "Pass rate", true),
            col("hardest", "Hardest question", false),
            col("facility", "Its facility", true),
            col("flagged", "Questions to check", true),
        ],
        rows,
        default_sort: ("module", false),
    };
    let chart = BarChart {
        title: "Pass rate of first attempts".into(),
        summary: format!(
            "The share of first attempts that passed, for {}.",
            plural(lines.len(), "module", "modules")
        ),
        bars: lines
            .iter()
            .filter_map(|l| {
                l.pass_rate.map(|value| Bar {
                    label: l.title.clone(),
                    value,
                })
            })
            .collect(),
        percent: true,
    };
    let main = html! {
        p class="insights-lede" {
            "Which quiz questions learners get wrong, and which mislead them. " (COUNTED)
            " Facility is the share of attempts that answered a question fully right; the hardest question is the one with the lowest. "
            "A question to check is one hardly anybody gets right, or one that learners who do well on the rest get wrong more often."
        }
        @if lines.is_empty() {
            p { "You answer for no module with a quiz." }
        } @else {
            (bar_chart(&chart))
            (sortable_table(&table, params))
        }
        (downloads(Some(&csv_link("/insights/modules", params)), None))
    };
    page(
        ctx,
        Tab::Modules,
        "Quiz item analysis",
        vec![Crumb::text("Quizzes")],
        main,
    )
}

fn left_out_sentence(v: &ModuleView<'_>) -> String {
    let mut parts = Vec::new();
    if v.left_out.retakes > 0 {
        parts.push(plural(v.left_out.retakes as usize, "retake", "retakes"));
    }
    if v.left_out.older_versions > 0 {
        parts.push(format!(
            "{} at older versions",
            plural(v.left_out.older_versions as usize, "attempt", "attempts")
        ));
    }
    if v.left_out.unreadable > 0 {
        parts.push(format!(
            "{} that no longer match the questions (the key changed without a new version)",
            plural(v.left_out.unreadable as usize, "attempt", "attempts")
        ));
    }
    if parts.is_empty() {
        "Nothing was left out.".into()
    } else {
        format!("Left out: {}.", parts.join(", "))
    }
}

fn discrimination_cell(d: Option<f64>) -> Cell {
    match d {
        Some(d) => Cell::Num {
            value: d,
            shown: format!("{d:.2}"),
        },
        None => Cell::Num {
            value: f64::NEG_INFINITY,
            shown: "—".into(),
        },
    }
}

fn choices_list(module: &Module, q: &QuestionFigures) -> Markup {
    let question = module.questions.get(q.index);
    html! {
        ul class="insights-choices" {
            @for (i, count) in q.chosen.iter().enumerate() {
                @let right = question.is_some_and(|question| question.answer.contains(&i));
                li class=[right.then_some("insights-choice-right")] {
                    @if let Some(text) = question.and_then(|question| question.html.choices.get(i)) {
                        (TrustedHtml(text))
                    } @else {
                        "Choice " (i + 1)
                    }
                    ": " strong { (count) }
                    @if right { " " span class="insights-right-mark" { "✓ right answer" } }
                }
            }
        }
    }
}

/// `/insights/modules/{id}`.
pub fn module_page(ctx: &PageContext<'_>, v: &ModuleView<'_>) -> Markup {
    let rows = v
        .questions
        .iter()
        .map(|q| {
            let prompt = v.module.questions.get(q.index).map(|question| question.html.prompt.as_str());
            vec![
                Cell::Markup {
                    html: html! {
                        span class="insights-qnum" { "Q" (q.index + 1) } " "
                        @if let Some(prompt) = prompt { (TrustedHtml(prompt)) }
                    },
                    key: format!("{:06}", q.index),
                },
                Cell::count(q.answered),
                Cell::share(q.facility),
                discrimination_cell(q.discrimination),
                Cell::Markup {
                    html: html! { @if let Some(f) = flag(q) { strong class="insights-flag" { (f) } } },
                    key: flag(q).unwrap_or_default().to_owned(),
                },
                Cell::Markup {
                    html: choices_list(v.module, q),
                    key: String::new(),
                },
            ]
        })
        .collect();
    let table = Table {
        id: "questions",
        caption: format!("Questions of “{}”", v.title),
        columns: vec![
            col("question", "Question", false),
            col("answered", "Answered", true),
            col("facility", "Facility", true),
            col("discrimination", "Discrimination", true),
            col("flag", "Check", false),
            col("choices", "Chosen", false),
        ],
        rows,
        default_sort: ("question", false),
    };
    let chart = BarChart {
        title: "Facility per question".into(),
        summary: "The share of analysed attempts that answered each question fully right.".into(),
        bars: v
            .questions
            .iter()
            .filter_map(|q| {
                q.facility.map(|value| Bar {
                    label: format!(
                        "Q{}: {}",
                        q.index + 1,
                        v.module
                            .questions
                            .get(q.index)
                            .map(|question| question.prompt.as_str())
                            .unwrap_or_default()
                    ),
                    value,
                })
            })
            .collect(),
        percent: true,
    };
    let here = module_insight_url(v.id);
    let pass_rate = (v.attempts > 0).then(|| v.passed as f64 / v.attempts as f64);
    let main = html! {
        p class="insights-lede" {
            "Counted: each learner's first attempt at version " (v.version) " of "
            a href=(v.module_url) { "this module" } " — "
            (plural(v.attempts as usize, "attempt", "attempts")) ". " (left_out_sentence(v))
        }
        dl class="insights-totals" {
            div { dt { "Attempts" } dd { (v.attempts) } }
            div { dt { "Pass rate" } dd { (pass_rate.map_or_else(|| "—".to_owned(), |r| format!("{:.0}%", r * 100.0))) } }
        }
        (bar_chart(&chart))
        (sortable_table(&table, v.params))
        details class="insights-help" {
            summary { "What the figures mean" }
            p {
                strong { "Facility" } " is the share of the attempts that showed a question and answered it fully right. "
                "Below 20% the question is flagged (once at least " (crate::insights::items::MIN_ANSWERS_TO_FLAG) " attempts answered it): when nobody gets it right, the question is usually what is wrong."
            }
            p {
                strong { "Discrimination" } " (−1 to 1) is the correlation between getting this question right and the share right on the attempt's other questions: "
                "near 1, learners who know the rest get it right; below 0, they get it wrong more often than the others — check the key. "
                "It is left blank with fewer than two attempts, or when everybody scored the same."
            }
        }
        (downloads(
            Some(&csv_link(&here, v.params)),
            Some(&format!("/api/v1/insights/modules/{}", v.id)),
        ))
    };
    page(
        ctx,
        Tab::Modules,
        &format!("Quiz: {}", v.title),
        vec![
            Crumb::link("Quizzes", "/insights/modules"),
            Crumb::text(v.title.to_owned()),
        ],
        main,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qualify::test_support::site;

    const QUIZ: &str = "---\nid: m\ntitle: M\n---\n## A\n\nA.\n\n```quiz\n\
- question: One?\n  choices: [yes, no]\n  answer: 0\n```\n";

    #[test]
    fn a_question_nobody_gets_right_is_flagged_and_its_key_marked() {
        let site = site(&[("training/modules/m.md", QUIZ)]);
        let module = site
            .get_str("m")
            .and_then(|d| d.module().cloned())
            .expect("module m");
        let questions = [QuestionFigures {
            index: 0,
            answered: 10,
            right: 1,
            facility: Some(0.1),
            discrimination: None,
            chosen: vec![1, 9],
        }];
        let ctx = PageContext {
            site_title: "KB",
            nav: &[],
            current_url: "/insights/modules/m".into(),
            viewer: None,
            csrf_token: None,
            today: time::macros::date!(2026 - 01 - 01),
            query: String::new(),
            live_generation: None,
        };
        let params = QueryParams::default();
        let html = module_page(
            &ctx,
            &ModuleView {
                params: &params,
                id: "m",
                title: "M",
                module_url: "/modules/m",
                version: 1,
                module: &module,
                attempts: 10,
                passed: 1,
                left_out: LeftOut {
                    retakes: 2,
                    ..LeftOut::default()
                },
                questions: &questions,
            },
        )
        .into_string();
        assert!(html.contains("Hardly anybody gets this right"), "{html}");
        assert!(html.contains(r#"<li class="insights-choice-right">yes: <strong>1</strong> <span class="insights-right-mark">✓ right answer</span></li>"#), "{html}");
        assert!(html.contains("Left out: 2 retakes."), "{html}");
        assert!(html.contains(">10%<"), "{html}");
        assert!(!html.contains("style="));
    }
}
