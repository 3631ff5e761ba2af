//! Headless Chromium driven over WebDriver (`chromedriver` and `fantoccini`), for the
//! console's tests. Debian's `chromium` and `chromium-driver` packages, which
//! `scripts/test` installs when missing; a test without them fails, never skips.
//!
//! Screenshots go to `$ERASURE_TEST_SCREENSHOTS`, else `console-screenshots/` in the
//! Cargo target directory.

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// How long a test waits for the page to show something.
pub const WAIT: Duration = Duration::from_secs(20);

/// A browser with its chromedriver, both stopped when dropped.
#[derive(Debug)]
pub struct Browser {
    pub client: Client,
    driver: Child,
    /// The profile and the download directory.
    pub dir: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium (1280×900, a laptop screen) that saves
    /// downloads in [`Browser::downloads`].
    pub async fn start() -> Self {
        for program in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(program).exists(),
                "{program} is missing: the console tests need Debian's chromium and chromium-driver (`apt-get install chromium chromium-driver`; scripts/test installs them)"
            );
        }
        let dir = tempfile::tempdir().expect("browser dir");
        std::fs::create_dir_all(dir.path().join("downloads")).expect("downloads dir");
        let port = crate::free_port();
        // Its own process group, so that the browsers it starts end with it.
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", dir.path().join("profile").display()),
                ],
                "prefs": {
                    "download.default_directory": dir.path().join("downloads"),
                    "download.prompt_for_download": false,
                },
            }
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!("an object")
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(e) if Instant::now() > deadline => panic!("no WebDriver session: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Self {
            client,
            driver,
            dir,
        }
    }

    pub fn downloads(&self) -> PathBuf {
        self.dir.path().join("downloads")
    }

    /// Waits for a file whose name starts with `prefix` to finish downloading.
    pub async fn downloaded(&self, prefix: &str) -> PathBuf {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = std::fs::read_dir(self.downloads())
                .expect("downloads")
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                    name.starts_with(prefix) && !name.ends_with(".crdownload")
                });
            if let Some(path) = found {
                return path;
            }
            assert!(Instant::now() < deadline, "no download named {prefix}*");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    /// The element `css`, once it is there.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    /// Whether `css` matches anything now.
    pub async fn has(&self, css: &str) -> bool {
        !self
            .client
            .find_all(Locator::Css(css))
            .await
            .expect("query")
            .is_empty()
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    /// Chooses the option with `value` in the select `css`.
    pub async fn select(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("no option {value} in {css}: {e}"));
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    /// Clicks the button (or link) whose text is `text`.
    pub async fn click_text(&self, text: &str) {
        let xpath =
            format!("//button[normalize-space()='{text}'] | //a[normalize-space()='{text}']");
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no button or link {text:?}: {e}"))
            .click()
            .await
            .expect("click");
    }

    /// The text of `css`.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    /// Waits until the text of `css` satisfies `ok`; returns it.
    pub async fn wait_text(&self, css: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if ok(&text) {
                return text;
            }
            if Instant::now() > deadline {
                let shot = self.screenshot("failure").await;
                let page = self
                    .client
                    .execute("return document.body.innerText", vec![])
                    .await
                    .unwrap_or_default();
                panic!(
                    "{css} never showed what was expected; last: {text:?}\nthe page ({}):\n{}",
                    shot.display(),
                    page.as_str().unwrap_or_default()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a screenshot of the top of the page as `name`.png in the screenshot directory.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let _ = self
            .client
            .execute(
                "document.activeElement.blur(); window.scrollTo(0, 0)",
                vec![],
            )
            .await;
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// Ends the session (the browser exits); chromedriver ends when dropped.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    /// Kills chromedriver and whatever browser it started (its process group).
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.wait();
    }
}

/// `$ERASURE_TEST_SCREENSHOTS`, else `console-screenshots/` in the target directory.
pub fn screenshot_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ERASURE_TEST_SCREENSHOTS") {
        return PathBuf::from(dir);
    }
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("console-screenshots")
}
