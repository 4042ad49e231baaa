//! What a person does and sees in the browser, as test steps: open an address, type, press
//! keys, click, read text, wait for something to appear. Steps return `anyhow::Result` so a
//! flow can fail with a sentence and still close its browser.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::Locator;
use fantoccini::elements::Element;
use serde_json::Value;

use super::driver::Session;

/// How long a step waits for the page: long enough for a browser starved of CPU by the
/// tests running beside it.
const PATIENCE: Duration = Duration::from_secs(10);

/// A browser session pointed at one server.
pub struct Page {
    /// The session.
    pub session: Session,
    /// `http://127.0.0.1:PORT` of the server under test.
    pub base: String,
}

impl Page {
    /// Opens `path` on the server.
    pub async fn open(&self, path: &str) -> Result<()> {
        self.session
            .client
            .goto(&format!("{}{path}", self.base))
            .await
            .with_context(|| format!("open {path}"))
    }

    /// The current address without the server: `/trees/x?at=y`.
    pub async fn location(&self) -> Result<String> {
        let url = self.session.client.current_url().await?;
        Ok(match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        })
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its value.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        Ok(self.session.client.execute(script, args).await?)
    }

    /// The first element matching `css`.
    pub async fn find(&self, css: &str) -> Result<Element> {
        match self.session.client.find(Locator::Css(css)).await {
            Ok(element) => Ok(element),
            Err(err) => Err(err).context(format!("no `{css}` on {}", self.here().await)),
        }
    }

    /// Every element matching `css`.
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        Ok(self.session.client.find_all(Locator::Css(css)).await?)
    }

    /// Waits up to 10 seconds for a visible element matching `css`.
    pub async fn wait_visible(&self, css: &str) -> Result<Element> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            for element in self.find_all(css).await? {
                if element.is_displayed().await.unwrap_or(false) {
                    return Ok(element);
                }
            }
            if Instant::now() > deadline {
                bail!("`{css}` did not appear on {}", self.here().await);
            }
            actix_rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits up to 10 seconds until the address's path is `path` (any query).
    pub async fn wait_path(&self, path: &str) -> Result<String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let location = self.location().await?;
            if location.split('?').next() == Some(path) {
                return Ok(location);
            }
            if Instant::now() > deadline {
                bail!("expected to arrive at {path}, still at {location}");
            }
            actix_rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The visible text of the first element matching `css`.
    ///
    /// Under load the page a click leads to may still be loading, or an element of the page
    /// it replaces go stale: the element is looked up again for up to 10 seconds.
    pub async fn text(&self, css: &str) -> Result<String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            // Not there yet (the next page still loading) or gone stale: look again.
            let read = match self.find(css).await {
                Ok(element) => element.text().await.map_err(anyhow::Error::from),
                Err(err) => Err(err),
            };
            match read {
                Ok(text) => return Ok(text),
                Err(err) if Instant::now() > deadline => return Err(err),
                Err(_) => actix_rt::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// The whole page's visible text.
    pub async fn body_text(&self) -> Result<String> {
        self.text("body").await
    }

    /// Clicks the first link or button whose visible text contains `label`.
    /// Elements of a page still being replaced by the previous click's navigation go
    /// stale under load; they are looked up again for up to 10 seconds.
    pub async fn click_text(&self, css: &str, label: &str) -> Result<()> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let mut stale = None;
            for element in self.find_all(css).await? {
                match element.text().await {
                    Ok(text) if text.contains(label) => match element.click().await {
                        Ok(()) => return Ok(()),
                        Err(err) => stale = Some(err),
                    },
                    Ok(_) => {}
                    Err(err) => stale = Some(err),
                }
            }
            if Instant::now() > deadline {
                match stale {
                    Some(err) => {
                        return Err(err).context(format!(
                            "`{css}` saying “{label}” kept going stale on {}",
                            self.here().await
                        ));
                    }
                    None => bail!("no `{css}` saying “{label}” on {}", self.here().await),
                }
            }
            actix_rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Types into the field `css` after focusing it with a click.
    /// A field of the page a click is still replacing goes stale: it is looked up again for
    /// up to 10 seconds.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let field = self.find(css).await?;
            match field.click().await {
                Ok(()) => {
                    field.send_keys(text).await?;
                    return Ok(());
                }
                Err(err) if Instant::now() > deadline => {
                    return Err(err).context(format!("`{css}` kept going stale"));
                }
                Err(_) => actix_rt::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Presses one key (a `fantoccini::key::Key`) in the focused element.
    pub async fn press(&self, key: fantoccini::key::Key) -> Result<()> {
        let focused = self.session.client.active_element().await?;
        focused.send_keys(&char::from(key).to_string()).await?;
        Ok(())
    }

    /// Signs in through the form, like a person, and waits for the header to name them.
    pub async fn sign_in(&self, name: &str, password: &str) -> Result<()> {
        self.open("/sign-in").await?;
        self.type_into("#sign-in-name", name).await?;
        self.type_into("#sign-in-password", password).await?;
        self.click_text("main button[type=submit]", "Sign in")
            .await?;
        // The DOM's text: a phone's header may fold the name into its menu.
        let named = format!(
            "const n = document.querySelector('.viewer-name'); return n ? n.textContent === {name:?} : false;"
        );
        self.wait_until(&named)
            .await
            .with_context(|| format!("the header names {name} after signing in"))
    }

    /// Signs out with the header's button and waits for its "Sign in" link.
    pub async fn sign_out(&self) -> Result<()> {
        self.click_text("header button", "Sign out").await?;
        self.wait_until("return document.querySelector('a.sign-in-link') !== null;")
            .await
            .context("the header offers “Sign in” after signing out")
    }

    /// Waits up to 10 seconds for `script` to return true.
    pub async fn wait_until(&self, script: &str) -> Result<()> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            // A navigation under way makes a script fail; try again.
            if let Ok(Value::Bool(true)) = self.js(script, vec![]).await {
                return Ok(());
            }
            if Instant::now() > deadline {
                let text = self.body_text().await.unwrap_or_default();
                let start: String = text.chars().take(300).collect();
                bail!("not so after 10 s at {}: “{start}”", self.here().await);
            }
            actix_rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Why the page scrolls sideways (`scrollWidth > innerWidth`), naming the outermost
    /// elements past the right edge; `None` when it does not.
    pub async fn sideways_overflow(&self) -> Result<Option<String>> {
        let widths = self
            .js(
                "const d = document.documentElement; \
                 const past = e => e.getBoundingClientRect().right > innerWidth + 1; \
                 const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + \
                   (typeof e.className === 'string' && e.className.trim() ? \
                     '.' + e.className.trim().split(/\\s+/).join('.') : ''); \
                 const wide = [...document.querySelectorAll('body *')] \
                   .filter(e => past(e) && !past(e.parentElement)).slice(0, 5).map(name); \
                 return [d.scrollWidth, innerWidth, wide];",
                vec![],
            )
            .await?;
        let scroll = widths[0].as_u64().unwrap_or(0);
        let inner = widths[1].as_u64().unwrap_or(0);
        Ok((scroll > inner).then(|| {
            format!(
                "scrollWidth {scroll} > innerWidth {inner}; past the right edge: {}",
                widths[2]
            )
        }))
    }

    /// `getComputedStyle(body).backgroundColor`.
    pub async fn background(&self) -> Result<String> {
        let value = self
            .js(
                "return getComputedStyle(document.body).backgroundColor;",
                vec![],
            )
            .await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// Where the browser is, for error messages.
    pub async fn here(&self) -> String {
        self.location().await.unwrap_or_else(|e| format!("? ({e})"))
    }
}
