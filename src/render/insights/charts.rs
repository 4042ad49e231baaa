//! Server-drawn SVG charts for the insight pages: no JavaScript, colours from CSS classes
//! (so dark mode recolours them), and a text alternative — the SVG is an `img` named by its
//! title and described by a one-sentence summary, and the figures sit in a table beside it
//! (inside `<details>`, so they are there for screen readers and for copying).

use maud::{Markup, html};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// One line of a [`LineChart`].
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Its name, in the legend and the data table.
    pub name: String,
    /// One value per x label.
    pub values: Vec<f64>,
    /// Which colour: 0..=3 map to `chart-s0`..`chart-s3` in the stylesheet.
    pub colour: u8,
}

/// Values over time (days or weeks), one or more lines.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Names the chart (the SVG's accessible name and the caption).
    pub title: String,
    /// One sentence saying what it shows, for people who cannot see it.
    pub summary: String,
    /// The x axis, oldest first (`2026-11-30`, `week of 30 Nov`).
    pub x_labels: Vec<String>,
    /// The lines.
    pub series: Vec<Series>,
}

/// One bar of a [`BarChart`].
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// What it counts.
    pub label: String,
    /// Its length.
    pub value: f64,
}

/// Horizontal bars, longest first as given.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Names the chart.
    pub title: String,
    /// One sentence saying what it shows.
    pub summary: String,
    /// The bars, in the order to draw them.
    pub bars: Vec<Bar>,
    /// How a value is written (`"{:.0}"` figures or shares as percentages).
    pub percent: bool,
}

fn format_value(value: f64, percent: bool) -> String {
    if percent {
        format!("{:.0}%", value * 100.0)
    } else if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// A round top for the y axis: 1, 2, 5 × 10^n at or above `max`.
fn nice_top(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|top| *top >= max)
        .unwrap_or(10.0 * magnitude)
}

fn slug(title: &str) -> String {
    let slug: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("chart-{}", slug.trim_matches('-'))
}

/// A line chart with its legend and data table.
pub fn line_chart(chart: &LineChart) -> Markup {
    let id = slug(&chart.title);
    let points = chart.x_labels.len();
    let max = chart
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0, f64::max);
    let top = nice_top(max);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |i: usize| {
        if points <= 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (points - 1) as f64
        }
    };
    let y = |v: f64| TOP + plot_h * (1.0 - v / top);
    // At most about eight x labels, evenly spread, the last always shown.
    let step = points.div_ceil(8).max(1);
    html! {
        figure class="chart" {
            figcaption id={ (id) "-title" } { (chart.title) }
            svg class="chart-svg" viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img"
                aria-labelledby={ (id) "-title " (id) "-desc" } {
                desc id={ (id) "-desc" } { (chart.summary) }
                @for tick in 0..=4 {
                    @let value = top * f64::from(tick) / 4.0;
                    line class="chart-grid" x1=(LEFT) x2=(WIDTH - RIGHT) y1=(y(value)) y2=(y(value)) {}
                    text class="chart-label" x=(LEFT - 6.0) y=(y(value) + 4.0) text-anchor="end" { (format_value(value, false)) }
                }
                @for (i, label) in chart.x_labels.iter().enumerate() {
                    @if i % step == 0 || i + 1 == points {
                        text class="chart-label" x=(x(i)) y=(HEIGHT - 8.0) text-anchor="middle" { (label) }
                    }
                }
                @for series in &chart.series {
                    @let path = series.values.iter().enumerate()
                        .map(|(i, v)| format!("{}{:.1},{:.1}", if i == 0 { "M" } else { " L" }, x(i), y(*v)))
                        .collect::<String>();
                    path class={ "chart-line chart-s" (series.colour.min(3)) } d=(path) {}
                    @if points == 1 {
                        circle class={ "chart-dot chart-s" (series.colour.min(3)) } cx=(x(0)) cy=(y(series.values.first().copied().unwrap_or(0.0))) r="3" {}
                    }
                }
            }
            @if chart.series.len() > 1 {
                ul class="chart-legend" {
                    @for series in &chart.series {
                        li { span class={ "chart-key chart-s" (series.colour.min(3)) } aria-hidden="true" {} (series.name) }
                    }
                }
            }
            details class="chart-data" {
                summary { "The figures" }
                div class="table-scroll" tabindex="0" role="region" aria-label={ (chart.title) ", figures" } {
                    table {
                        thead { tr {
                            th scope="col" { "Period" }
                            @for series in &chart.series { th scope="col" { (series.name) } }
                        } }
                        tbody {
                            @for (i, label) in chart.x_labels.iter().enumerate() {
                                tr {
                                    th scope="row" { (label) }
                                    @for series in &chart.series {
                                        td class="num" { (format_value(series.values.get(i).copied().unwrap_or(0.0), false)) }
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

/// A horizontal bar chart; the figures are written at the end of each bar, so the SVG's
/// text is its own data table.
pub fn bar_chart(chart: &BarChart) -> Markup {
    let id = slug(&chart.title);
    let max = chart.bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let top = if chart.percent { 1.0 } else { nice_top(max) };
    let row_h = 22.0;
    let label_w = 220.0;
    let height = (chart.bars.len() as f64 * row_h + 8.0).max(30.0);
    let bar_w = WIDTH - label_w - 60.0;
    html! {
        figure class="chart" {
            figcaption id={ (id) "-title" } { (chart.title) }
            svg class="chart-svg" viewBox={ "0 0 " (WIDTH) " " (height) } role="img"
                aria-labelledby={ (id) "-title " (id) "-desc" } {
                desc id={ (id) "-desc" } { (chart.summary) }
                @for (i, bar) in chart.bars.iter().enumerate() {
                    @let y = 4.0 + i as f64 * row_h;
                    @let w = (bar_w * (bar.value / top).clamp(0.0, 1.0)).max(1.0);
                    text class="chart-label" x=(label_w - 8.0) y=(y + 14.0) text-anchor="end" { (truncate(&bar.label, 34)) }
                    rect class="chart-bar chart-s0" x=(label_w) y=(y + 3.0) width=(format!("{w:.1}")) height=(row_h - 8.0) {}
                    text class="chart-label" x=(label_w + w + 6.0) y=(y + 14.0) { (format_value(bar.value, chart.percent)) }
                }
            }
        }
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tops_are_round() {
        assert_eq!(nice_top(0.0), 1.0);
        assert_eq!(nice_top(3.0), 5.0);
        assert_eq!(nice_top(17.0), 20.0);
        assert_eq!(nice_top(100.0), 100.0);
        assert_eq!(nice_top(101.0), 200.0);
    }

    #[test]
    fn a_line_chart_is_a_named_image_with_its_figures() {
        let chart = LineChart {
            title: "Searches per day".into(),
            summary: "Searches rose from 3 to 9.".into(),
            x_labels: vec!["2026-11-30".into(), "2026-12-01".into()],
            series: vec![Series {
                name: "Searches".into(),
                values: vec![3.0, 9.0],
                colour: 0,
            }],
        };
        let html = line_chart(&chart).into_string();
        assert!(html.contains(r#"role="img""#), "{html}");
        assert!(html.contains(
            r#"aria-labelledby="chart-searches-per-day-title chart-searches-per-day-desc""#
        ));
        assert!(html.contains(
            "<desc id=\"chart-searches-per-day-desc\">Searches rose from 3 to 9.</desc>"
        ));
        assert!(html.contains("<td class=\"num\">9</td>"), "{html}");
        assert!(!html.contains("style="), "no inline styles under the CSP");
    }

    #[test]
    fn bars_show_their_values_as_text() {
        let chart = BarChart {
            title: "Helpful".into(),
            summary: "Two pages.".into(),
            bars: vec![
                Bar {
                    label: "Deploying".into(),
                    value: 0.25,
                },
                Bar {
                    label: "Rolling back".into(),
                    value: 1.0,
                },
            ],
            percent: true,
        };
        let html = bar_chart(&chart).into_string();
        assert!(html.contains(">25%<") && html.contains(">100%<"), "{html}");
    }
}
