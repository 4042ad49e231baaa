//! Tables sortable without JavaScript: each column heading is a link that reloads the page
//! sorted by that column (`?sort_TABLE=COLUMN&order_TABLE=asc|desc`), other tables' sorting
//! and the page's own parameters (`days=`) kept. The current column carries `aria-sort`.

use maud::{Markup, html};

/// A column of a [`Table`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Its name in the URL.
    pub key: &'static str,
    /// Its heading.
    pub label: &'static str,
    /// Numbers sort largest first when first chosen and are right-aligned.
    pub numeric: bool,
}

/// One cell: what is shown and what it sorts by.
#[derive(Debug, Clone)]
pub enum Cell {
    /// Text, sorted without case.
    Text(String),
    /// A link, sorted by its text.
    Link {
        /// What is shown.
        text: String,
        /// Where it goes.
        href: String,
    },
    /// A number shown as `shown` and sorted by `value`.
    Num {
        /// The sort key.
        value: f64,
        /// How it is written (`42`, `75%`, `—`).
        shown: String,
    },
    /// Anything else, sorted by `key`.
    Markup {
        /// What is shown.
        html: Markup,
        /// The sort key.
        key: String,
    },
}

impl Cell {
    /// A whole number.
    pub fn count(n: u64) -> Self {
        Self::Num {
            value: n as f64,
            shown: n.to_string(),
        }
    }

    /// A share 0..=1 written as a percentage; `None` is "—" and sorts lowest.
    pub fn share(share: Option<f64>) -> Self {
        match share {
            Some(s) => Self::Num {
                value: s,
                shown: format!("{:.0}%", s * 100.0),
            },
            None => Self::Num {
                value: f64::NEG_INFINITY,
                shown: "—".into(),
            },
        }
    }

    fn text_key(&self) -> String {
        match self {
            Self::Text(t) | Self::Link { text: t, .. } | Self::Markup { key: t, .. } => {
                t.to_lowercase()
            }
            Self::Num { shown, .. } => shown.clone(),
        }
    }

    fn number(&self) -> f64 {
        match self {
            Self::Num { value, .. } => *value,
            _ => 0.0,
        }
    }
}

/// A table whose rows the viewer can sort.
#[derive(Debug, Clone)]
pub struct Table {
    /// Its name in the URL (`sort_{id}`), unique on the page; also its element id.
    pub id: &'static str,
    /// Its caption, which names it.
    pub caption: String,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// The column and direction used when the URL names none (`true`: descending).
    pub default_sort: (&'static str, bool),
}

/// The page's query parameters, to read sorting from and to rebuild links with.
#[derive(Debug, Clone, Default)]
pub struct QueryParams {
    pairs: Vec<(String, String)>,
}

impl QueryParams {
    /// Reads a raw query string (`days=7&sort_top=count`).
    pub fn parse(query: &str) -> Self {
        Self {
            pairs: form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        }
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// This query with `updates` set (replacing earlier values), as `?…`.
    pub fn with(&self, updates: &[(&str, &str)]) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.pairs {
            if !updates.iter().any(|(key, _)| key == k) {
                out.append_pair(k, v);
            }
        }
        for (k, v) in updates {
            out.append_pair(k, v);
        }
        format!("?{}", out.finish())
    }
}

/// Which column a table is sorted by and which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sort<'a> {
    column: &'a Column,
    descending: bool,
}

fn sort_of<'a>(table: &'a Table, params: &QueryParams) -> Option<Sort<'a>> {
    let wanted = params.get(&format!("sort_{}", table.id));
    let column = wanted
        .and_then(|key| table.columns.iter().find(|c| c.key == key))
        .or_else(|| table.columns.iter().find(|c| c.key == table.default_sort.0))?;
    let descending = match params.get(&format!("order_{}", table.id)) {
        Some("asc") if wanted.is_some() => false,
        Some("desc") if wanted.is_some() => true,
        _ if wanted.is_some() => column.numeric,
        _ => table.default_sort.1,
    };
    Some(Sort { column, descending })
}

/// The rows in the order the URL asks for (stable: ties keep the given order).
fn sorted<'a>(table: &'a Table, sort: Option<Sort<'_>>) -> Vec<&'a Vec<Cell>> {
    let mut rows: Vec<&Vec<Cell>> = table.rows.iter().collect();
    let Some(sort) = sort else { return rows };
    let Some(index) = table.columns.iter().position(|c| c.key == sort.column.key) else {
        return rows;
    };
    rows.sort_by(|a, b| {
        let (a, b) = (&a[index], &b[index]);
        let order = if sort.column.numeric {
            a.number().total_cmp(&b.number())
        } else {
            a.text_key().cmp(&b.text_key())
        };
        if sort.descending {
            order.reverse()
        } else {
            order
        }
    });
    rows
}

/// The table, sorted as `params` ask; each heading links to sorting by it.
pub fn sortable_table(table: &Table, params: &QueryParams) -> Markup {
    let sort = sort_of(table, params);
    let rows = sorted(table, sort);
    let sort_key = format!("sort_{}", table.id);
    let order_key = format!("order_{}", table.id);
    html! {
        div class="table-scroll" tabindex="0" role="region" aria-labelledby={ (table.id) "-caption" } {
            table class="insights-table" id=(table.id) {
                caption id={ (table.id) "-caption" } { (table.caption) }
                thead { tr {
                    @for column in &table.columns {
                        @let current = sort.filter(|s| s.column.key == column.key);
                        // Choosing the current column again flips it; a new one starts
                        // largest (numbers) or A (text) first.
                        @let next_desc = match current { Some(s) => !s.descending, None => column.numeric };
                        @let href = format!("{}#{}", params.with(&[(&sort_key, column.key), (&order_key, if next_desc { "desc" } else { "asc" })]), table.id);
                        th scope="col" class=[column.numeric.then_some("num")]
                            aria-sort=[current.map(|s| if s.descending { "descending" } else { "ascending" })] {
                            a href=(href) {
                                (column.label)
                                @if let Some(s) = current {
                                    span aria-hidden="true" { @if s.descending { " ▼" } @else { " ▲" } }
                                }
                            }
                        }
                    }
                } }
                tbody {
                    @for row in rows {
                        tr {
                            @for (i, cell) in row.iter().enumerate() {
                                @let numeric = table.columns.get(i).is_some_and(|c| c.numeric);
                                @if i == 0 {
                                    th scope="row" { (cell_html(cell)) }
                                } @else {
                                    td class=[numeric.then_some("num")] { (cell_html(cell)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn cell_html(cell: &Cell) -> Markup {
    match cell {
        Cell::Text(t) => html! { (t) },
        Cell::Link { text, href } => html! { a href=(href) { (text) } },
        Cell::Num { shown, .. } => html! { (shown) },
        Cell::Markup { html, .. } => html.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            id: "top",
            caption: "Top queries".into(),
            columns: vec![
                Column {
                    key: "query",
                    label: "Query",
                    numeric: false,
                },
                Column {
                    key: "count",
                    label: "Searches",
                    numeric: true,
                },
            ],
            rows: vec![
                vec![Cell::Text("beta".into()), Cell::count(2)],
                vec![Cell::Text("Alpha".into()), Cell::count(9)],
                vec![Cell::Text("gamma".into()), Cell::count(5)],
            ],
            default_sort: ("count", true),
        }
    }

    fn first_column(html: &str) -> Vec<String> {
        html.split("<th scope=\"row\">")
            .skip(1)
            .filter_map(|s| s.split('<').next().map(str::to_owned))
            .collect()
    }

    #[test]
    fn default_then_asked_order() {
        let t = table();
        let html = sortable_table(&t, &QueryParams::parse("days=7")).into_string();
        assert_eq!(first_column(&html), ["Alpha", "gamma", "beta"]);
        assert!(html.contains(r#"aria-sort="descending""#));
        let html = sortable_table(&t, &QueryParams::parse("days=7&sort_top=query")).into_string();
        assert_eq!(
            first_column(&html),
            ["Alpha", "beta", "gamma"],
            "text starts at A"
        );
        let html =
            sortable_table(&t, &QueryParams::parse("sort_top=count&order_top=asc")).into_string();
        assert_eq!(first_column(&html), ["beta", "gamma", "Alpha"]);
    }

    #[test]
    fn heading_links_keep_other_parameters_and_flip_the_current_column() {
        let html =
            sortable_table(&table(), &QueryParams::parse("days=7&sort_other=x")).into_string();
        assert!(
            html.contains(
                "href=\"?days=7&amp;sort_other=x&amp;sort_top=count&amp;order_top=asc#top\""
            ),
            "{html}"
        );
        assert!(html.contains(
            "href=\"?days=7&amp;sort_other=x&amp;sort_top=query&amp;order_top=asc#top\""
        ));
    }

    #[test]
    fn unknown_columns_fall_back_to_the_default() {
        let html =
            sortable_table(&table(), &QueryParams::parse("sort_top=%3Cscript%3E")).into_string();
        assert_eq!(first_column(&html), ["Alpha", "gamma", "beta"]);
    }
}
