//! `agwlint lsp` spoken to over JSON-RPC: a two-file Terraform workspace (the Function App in
//! `app.tf`, the gateway in `gw.tf`); a change to the buffer of `app.tf` (not saved) introduces
//! and removes a 502 cause whose finding is in `gw.tf` (AGW014: the function may run longer
//! than the gateway waits).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: mpsc::Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for something else.
    backlog: Vec<Value>,
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.parse::<usize>().ok();
        }
    }
    let mut buf = vec![0; len?];
    r.read_exact(&mut buf).ok()?;
    serde_json::from_slice(&buf).ok()
}

impl Client {
    fn start(root: &Path) -> Client {
        Client::start_with(root, json!({}))
    }

    fn start_with(root: &Path, capabilities: Value) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_agwlint"))
            .arg("lsp")
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(m) = read_message(&mut r) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        let mut c = Client {
            child,
            stdin,
            rx,
            next_id: 1,
            backlog: Vec::new(),
        };
        let init = c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "capabilities": capabilities,
            }),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "agwlint", "{init}");
        c.notify("initialized", json!({}));
        c
    }

    fn send(&mut self, v: &Value) {
        let body = serde_json::to_string(v).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.rx.recv_timeout(Duration::from_secs(30)).unwrap();
            if m["id"] == id && m.get("method").is_none() {
                return m;
            }
            self.backlog.push(m);
        }
    }

    /// Waits for a request from the server.
    fn server_request(&mut self, method: &str) -> Value {
        if let Some(i) = self.backlog.iter().position(|m| m["method"] == method) {
            return self.backlog.remove(i);
        }
        loop {
            let m = self.rx.recv_timeout(Duration::from_secs(30)).unwrap();
            if m["method"] == method && m.get("id").is_some() {
                return m;
            }
            self.backlog.push(m);
        }
    }

    /// Waits for the diagnostics of `file` that satisfy `pred`; returns them.
    fn diagnostics_until(&mut self, file: &Path, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let want = uri(file);
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut last = None;
        loop {
            let m = if self.backlog.is_empty() {
                let left = deadline.saturating_duration_since(Instant::now());
                match self.rx.recv_timeout(left) {
                    Ok(m) => m,
                    Err(_) => panic!("no matching diagnostics for {want}; last: {last:?}"),
                }
            } else {
                self.backlog.remove(0)
            };
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == want {
                let d = m["params"]["diagnostics"].as_array().unwrap().clone();
                if pred(&d) {
                    return d;
                }
                last = Some(d);
            }
        }
    }

    /// Waits for a `window/logMessage` whose message satisfies `pred`; returns the message.
    fn log_until(&mut self, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let m = if self.backlog.is_empty() {
                let left = deadline.saturating_duration_since(Instant::now());
                self.rx.recv_timeout(left).expect("no matching log message")
            } else {
                self.backlog.remove(0)
            };
            if m["method"] == "window/logMessage"
                && let Some(text) = m["params"]["message"].as_str()
                && pred(text)
            {
                return text.to_string();
            }
        }
    }

    /// Every `publishDiagnostics` received so far for `file` (the backlog and the queue).
    fn drain_published(&mut self, file: &Path) -> Vec<Vec<Value>> {
        while let Ok(m) = self.rx.recv_timeout(Duration::from_millis(300)) {
            self.backlog.push(m);
        }
        let want = uri(file);
        self.backlog
            .iter()
            .filter(|m| m["method"] == "textDocument/publishDiagnostics")
            .filter(|m| m["params"]["uri"] == want)
            .map(|m| m["params"]["diagnostics"].as_array().unwrap().clone())
            .collect()
    }

    fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status:?}");
    }
}

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

fn workspace(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("agwlint-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let dir = std::fs::canonicalize(&dir).unwrap();
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/base_tf/main.tf"),
    )
    .unwrap();
    let i = base
        .find("resource \"azurerm_linux_function_app\" \"fn\"")
        .unwrap();
    let j = base.find("resource \"azurerm_virtual_network\"").unwrap();
    std::fs::write(dir.join("app.tf"), &base[i..j]).unwrap();
    std::fs::write(dir.join("gw.tf"), format!("{}{}", &base[..i], &base[j..])).unwrap();
    dir
}

fn has(d: &[Value], code: &str) -> bool {
    d.iter().any(|x| x["code"] == code)
}

#[test]
fn a_change_in_one_buffer_shows_and_clears_a_finding_in_the_other_file() {
    let dir = workspace("cross");
    let app = dir.join("app.tf");
    let gw = dir.join("gw.tf");
    let text = std::fs::read_to_string(&app).unwrap();
    let mut c = Client::start(&dir);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&app), "languageId": "terraform", "version": 1, "text": text}}),
    );
    let slow = text.replace("00:02:00", "00:10:00");
    assert_ne!(slow, text);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&app), "version": 2}, "contentChanges": [{"text": slow}]}),
    );
    let d = c.diagnostics_until(&gw, |d| has(d, "AGW014"));
    let f = d.iter().find(|x| x["code"] == "AGW014").unwrap();
    assert_eq!(f["source"], "agwlint");
    // The severity is the CLI's for the same files, mapped (error 1, warning 2, info 3).
    let cli_dir = workspace("cross-cli");
    std::fs::write(cli_dir.join("app.tf"), &slow).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_agwlint"))
        .args(["lint", "--format", "json", "."])
        .current_dir(&cli_dir)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let cli = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "AGW014")
        .unwrap()
        .clone();
    let want = match cli["severity"].as_str().unwrap() {
        "error" => 1,
        "warning" => 2,
        _ => 3,
    };
    assert_eq!(f["severity"], want, "{f} vs {cli}");
    assert_eq!(cli["file"], "gw.tf");
    let _ = std::fs::remove_dir_all(&cli_dir);
    assert!(
        f["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("AGW014.md"),
        "{f}"
    );
    // The line of `request_timeout = 180` in gw.tf (0-based).
    let gw_text = std::fs::read_to_string(&gw).unwrap();
    let line = gw_text
        .lines()
        .position(|l| l.contains("request_timeout"))
        .unwrap();
    assert_eq!(f["range"]["start"]["line"], line, "{f}");
    let related = f["relatedInformation"].as_array().unwrap();
    assert!(
        related.iter().any(|r| r["location"]["uri"] == uri(&app)),
        "{related:?}"
    );
    // Nothing was written: the disk still has the old text.
    assert_eq!(std::fs::read_to_string(&app).unwrap(), text);

    // Hover on the finding shows the rule page.
    let pos = f["range"]["start"].clone();
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&gw)}, "position": pos}),
    );
    let page = h["result"]["contents"]["value"].as_str().unwrap();
    assert!(page.contains("AGW014"), "{page}");

    // A code action inserts a suppression comment in HCL syntax.
    let a = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri(&gw)}, "range": f["range"], "context": {"diagnostics": [f]}}),
    );
    let acts = a["result"].as_array().unwrap();
    let edit = &acts[0]["edit"]["changes"][uri(&gw)][0];
    assert!(
        edit["newText"]
            .as_str()
            .unwrap()
            .trim_start()
            .starts_with("# agwlint-ignore AGW014: "),
        "{edit}"
    );

    // Back to the original text: the finding disappears from gw.tf.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&app), "version": 3}, "contentChanges": [{"text": text}]}),
    );
    c.diagnostics_until(&gw, |d| !has(d, "AGW014"));
    c.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_syntax_error_shows_agw000_keeps_cross_file_findings_and_closing_restores_the_disk() {
    let dir = workspace("parse");
    let app = dir.join("app.tf");
    let gw = dir.join("gw.tf");
    let text = std::fs::read_to_string(&app).unwrap();
    let slow = text.replace("00:02:00", "00:10:00");
    let mut c = Client::start(&dir);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&app), "languageId": "terraform", "version": 1, "text": slow}}),
    );
    let d = c.diagnostics_until(&gw, |d| has(d, "AGW014"));
    let at = d.iter().find(|x| x["code"] == "AGW014").unwrap()["range"]["start"].clone();
    // Half-typed: app.tf does not parse. It shows AGW000; gw.tf keeps AGW014 (what app.tf said
    // when it last parsed).
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&app), "version": 2}, "contentChanges": [{"text": format!("{slow}\nresource \"x\" {{\n")}]}),
    );
    c.diagnostics_until(&app, |d| has(d, "AGW000"));
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&gw)}, "position": at}),
    );
    let page = h["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(page.contains("AGW014"), "gw.tf lost AGW014: {h}");
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&app)}}),
    );
    c.diagnostics_until(&app, |d| !has(d, "AGW000"));
    // The disk content has the short timeout: AGW014 is gone.
    c.diagnostics_until(&gw, |d| !has(d, "AGW014"));
    c.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_host_name_fix_is_a_code_action() {
    let dir = workspace("fix");
    let gw = dir.join("gw.tf");
    let text = std::fs::read_to_string(&gw).unwrap().replace(
        "pick_host_name_from_backend_address = true",
        "pick_host_name_from_backend_address = false",
    );
    let mut c = Client::start(&dir);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&gw), "languageId": "terraform", "version": 1, "text": text}}),
    );
    let d = c.diagnostics_until(&gw, |d| has(d, "AGW010"));
    let f = d.iter().find(|x| x["code"] == "AGW010").unwrap();
    let a = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri(&gw)}, "range": f["range"], "context": {"diagnostics": [f]}}),
    );
    let acts = a["result"].as_array().unwrap();
    let fix = acts
        .iter()
        .find(|a| a["isPreferred"] == true)
        .unwrap_or_else(|| panic!("{acts:?}"));
    let edit = &fix["edit"]["changes"][uri(&gw)][0];
    assert_eq!(edit["newText"], "true");
    let line = edit["range"]["start"]["line"].as_u64().unwrap() as usize;
    let col = edit["range"]["start"]["character"].as_u64().unwrap() as usize;
    let l = text.lines().nth(line).unwrap();
    assert_eq!(&l[col..col + 5], "false", "{l}");
    assert!(l.contains("pick_host_name_from_backend_address"), "{l}");
    c.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_configuration_change_on_disk_relints_the_workspace() {
    let dir = workspace("config");
    let app = dir.join("app.tf");
    let gw = dir.join("gw.tf");
    let text = std::fs::read_to_string(&app).unwrap();
    std::fs::write(&app, text.replace("00:02:00", "00:10:00")).unwrap();
    let mut c = Client::start_with(
        &dir,
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    // The server asks to watch the configuration (and the files a lint reads).
    let reg = c.server_request("client/registerCapability");
    let r = &reg["params"]["registrations"][0];
    assert_eq!(r["method"], "workspace/didChangeWatchedFiles", "{reg}");
    let globs: Vec<&str> = r["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    assert!(globs.contains(&"**/.agwlint.yaml"), "{globs:?}");
    assert!(globs.contains(&"**/*.tfvars"), "{globs:?}");
    let id = reg["id"].clone();
    c.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
    c.diagnostics_until(&gw, |d| has(d, "AGW014"));
    let config = dir.join(".agwlint.yaml");
    std::fs::write(&config, "ignore: [AGW014]\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 1}]}),
    );
    c.diagnostics_until(&gw, |d| !has(d, "AGW014"));
    c.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unused_suppression_is_unnecessary_and_can_be_removed() {
    let dir = workspace("unused");
    let gw = dir.join("gw.tf");
    let disk = std::fs::read_to_string(&gw).unwrap();
    let text = disk.replacen(
        "resource \"azurerm_resource_group\" \"rg\" {",
        "# agwlint-ignore AGW010: nothing here to silence\nresource \"azurerm_resource_group\" \"rg\" {",
        1,
    );
    assert_ne!(text, disk);
    let line = text
        .lines()
        .position(|l| l.starts_with("# agwlint-ignore"))
        .unwrap();
    let mut c = Client::start(&dir);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&gw), "languageId": "terraform", "version": 1, "text": text}}),
    );
    let d = c.diagnostics_until(&gw, |d| has(d, "AGW900"));
    let f = d.iter().find(|x| x["code"] == "AGW900").unwrap();
    assert_eq!(f["tags"], json!([1]), "Unnecessary: {f}");
    assert_eq!(f["range"]["start"]["line"], line, "{f}");
    let a = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri(&gw)}, "range": f["range"], "context": {"diagnostics": [f]}}),
    );
    let acts = a["result"].as_array().unwrap();
    assert_eq!(acts.len(), 1, "{acts:?}");
    let edit = &acts[0]["edit"]["changes"][uri(&gw)][0];
    assert_eq!(edit["newText"], "");
    assert_eq!(
        edit["range"]["start"],
        json!({"line": line, "character": 0})
    );
    assert_eq!(
        edit["range"]["end"],
        json!({"line": line + 1, "character": 0})
    );
    c.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Two Terraform roots, `a/` and `b/`: a change in `b/app.tf` re-lints the unit `b/` only (the
/// server's log says how many files the run started from) and leaves the diagnostics of `a/`
/// alone, while the cross-file finding of `b/gw.tf` appears and disappears.
#[test]
fn a_change_relints_only_the_units_of_the_file() {
    let dir = workspace("partial");
    let text = std::fs::read_to_string(dir.join("app.tf")).unwrap();
    let slow = text.replace("00:02:00", "00:10:00");
    let gw_text = std::fs::read_to_string(dir.join("gw.tf")).unwrap();
    for (sub, app) in [("a", &slow), ("b", &text)] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        std::fs::write(dir.join(sub).join("app.tf"), app).unwrap();
        std::fs::write(dir.join(sub).join("gw.tf"), &gw_text).unwrap();
    }
    std::fs::remove_file(dir.join("app.tf")).unwrap();
    std::fs::remove_file(dir.join("gw.tf")).unwrap();
    let (a_gw, b_app, b_gw) = (
        dir.join("a/gw.tf"),
        dir.join("b/app.tf"),
        dir.join("b/gw.tf"),
    );
    let mut c = Client::start(&dir);
    c.log_until(|m| m.contains("(workspace) linted in"));
    c.diagnostics_until(&a_gw, |d| has(d, "AGW014"));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&b_app), "languageId": "terraform", "version": 1, "text": text}}),
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&b_app), "version": 2}, "contentChanges": [{"text": slow}]}),
    );
    let log = c.log_until(|m| m.contains("linted in") && !m.contains("(workspace)"));
    assert!(log.contains("(1 files)"), "{log}");
    let d = c.diagnostics_until(&b_gw, |d| has(d, "AGW014"));
    let f = d.iter().find(|x| x["code"] == "AGW014").unwrap();
    let related = f["relatedInformation"].as_array().unwrap();
    assert!(related.iter().any(|r| r["location"]["uri"] == uri(&b_app)));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&b_app), "version": 3}, "contentChanges": [{"text": text}]}),
    );
    // The finding of b/gw.tf involves b/app.tf: the run starts from both.
    let log = c.log_until(|m| m.contains("linted in") && !m.contains("(workspace)"));
    assert!(log.contains("(2 files)"), "{log}");
    c.diagnostics_until(&b_gw, |d| !has(d, "AGW014"));
    // a/gw.tf was never published again without its finding.
    let a = c.drain_published(&a_gw);
    assert!(a.iter().all(|d| has(d, "AGW014")), "{a:?}");
    c.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Saving the configuration or a tfvars file re-lints the workspace (`didSave`, also for a
/// client that does not watch files).
#[test]
fn saving_the_configuration_or_tfvars_relints_the_workspace() {
    let dir = workspace("save");
    let app = dir.join("app.tf");
    let gw = dir.join("gw.tf");
    let text = std::fs::read_to_string(&app).unwrap();
    let with_var = format!(
        "variable \"fn_timeout\" {{\n  default = \"00:02:00\"\n}}\n{}",
        text.replace("\"00:02:00\"", "var.fn_timeout")
    );
    std::fs::write(&app, &with_var).unwrap();
    let mut c = Client::start(&dir);
    c.log_until(|m| m.contains("(workspace) linted in"));
    let tfvars = dir.join("terraform.tfvars");
    std::fs::write(&tfvars, "fn_timeout = \"00:10:00\"\n").unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&tfvars)}}),
    );
    c.log_until(|m| m.contains("(workspace) linted in"));
    c.diagnostics_until(&gw, |d| has(d, "AGW014"));
    let config = dir.join(".agwlint.yaml");
    std::fs::write(&config, "ignore: [AGW014]\n").unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&config)}}),
    );
    c.log_until(|m| m.contains("(workspace) linted in"));
    c.diagnostics_until(&gw, |d| !has(d, "AGW014"));
    c.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
