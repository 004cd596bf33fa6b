//! `agwlint lsp`: a Language Server Protocol server over stdio.
//!
//! The server holds the workspace: the open buffers are overlays over the disk content
//! ([`crate::source::SourceMap::set_overlays`]), so a change is linted before it is saved. A
//! change (debounced, [`DEBOUNCE`]) re-lints the units that contain the changed file, and the
//! other files of the published cross-file findings that involve it (`agwlint lint <files>`);
//! the start, a watched file, and a change of the configuration, a parameter file or tfvars
//! re-lint the workspace as `agwlint lint` in its root does. Diagnostics are published for every
//! file whose diagnostics changed, cleared where they disappeared: a cross-file finding appears
//! and disappears in the other file too. A file that does not parse shows AGW000 and keeps its
//! last cross-file findings in the other files until it parses again. A run runs on a worker
//! thread; a run made stale by a
//! newer change is not published. A panic in a run is caught and reported as AGW000 on the
//! changed files; the server stays up. The server never writes a file and never opens a socket
//! (stdio only).
//!
//! Built on `lsp-server` and `lsp-types`, the synchronous pair rust-analyzer uses: no async
//! runtime, and the lint itself is synchronous (rayon inside).

// `lsp_types::Uri` hashes and compares its text only; its cached parse data is a `Cell`.
#![allow(clippy::mutable_key_type)]

mod actions;
mod convert;
mod fix;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    Diagnostic, DiagnosticSeverity, InitializeParams, NumberOrString, Position,
    PublishDiagnosticsParams, Range, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};

use crate::source::{Overlays, SourceMap};

/// How long the server waits after a change before linting (typing coalesces). A client may
/// set another delay with the initialization option `debounceMs`.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// The debounce delay of an `initialize`: `initializationOptions.debounceMs` (at most 10 s),
/// else [`DEBOUNCE`].
fn debounce_of(p: &InitializeParams) -> Duration {
    p.initialization_options
        .as_ref()
        .and_then(|o| o.get("debounceMs"))
        .and_then(serde_json::Value::as_u64)
        .map_or(DEBOUNCE, |ms| Duration::from_millis(ms.min(10_000)))
}

/// Runs the server on stdin/stdout until the client says `exit`; returns the exit code.
pub fn run() -> i32 {
    let (conn, io) = Connection::stdio();
    let code = match serve(conn) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("agwlint lsp: {e}");
            1
        }
    };
    if let Err(e) = io.join() {
        eprintln!("agwlint lsp: {e}");
    }
    code
}

type Error = Box<dyn std::error::Error + Send + Sync>;

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        code_action_provider: Some(lsp_types::CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// The workspace root of an `initialize`: the first workspace folder, else `rootUri`, else
/// `rootPath`, else the working directory.
#[allow(deprecated)]
fn workspace_root(p: &InitializeParams) -> PathBuf {
    let from_uri = p
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| &f.uri)
        .or(p.root_uri.as_ref())
        .and_then(convert::uri_to_path);
    from_uri
        .or_else(|| p.root_path.as_ref().map(PathBuf::from))
        .unwrap_or_else(crate::config::paths::current_dir)
}

/// The files whose change on disk re-lints the workspace: the configuration, parameter files,
/// tfvars, and every kind of file a lint reads.
pub const WATCHED: &[&str] = &[
    "**/.agwlint.yaml",
    "**/*.json",
    "**/*.jsonc",
    "**/*.tf",
    "**/*.tfvars",
    "**/*.tofu",
    "**/*.bicep",
    "**/*.bicepparam",
    "**/*.py",
    "**/*.cs",
];

/// True when the client lets the server register file watchers.
fn watches_files(p: &InitializeParams) -> bool {
    p.capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false)
}

/// Asks the client to report changes of the [`WATCHED`] files (`workspace/didChangeWatchedFiles`).
fn register_watchers(sender: &Sender<Message>) {
    let options = lsp_types::DidChangeWatchedFilesRegistrationOptions {
        watchers: WATCHED
            .iter()
            .map(|g| lsp_types::FileSystemWatcher {
                glob_pattern: lsp_types::GlobPattern::String((*g).to_string()),
                kind: None,
            })
            .collect(),
    };
    let params = lsp_types::RegistrationParams {
        registrations: vec![lsp_types::Registration {
            id: "agwlint-watched-files".into(),
            method: lsp_types::notification::DidChangeWatchedFiles::METHOD.into(),
            register_options: serde_json::to_value(options).ok(),
        }],
    };
    let _ = sender.send(Message::Request(Request::new(
        lsp_server::RequestId::from("agwlint-register-watchers".to_string()),
        lsp_types::request::RegisterCapability::METHOD.into(),
        params,
    )));
}

/// What the worker shares with the request handlers: the diagnostics last published.
#[derive(Default)]
struct Shared {
    /// The generation of the newest run asked for; a run of an older one is not published.
    latest: AtomicU64,
    published: Mutex<HashMap<Uri, Vec<Diagnostic>>>,
}

impl Shared {
    fn published(&self) -> std::sync::MutexGuard<'_, HashMap<Uri, Vec<Diagnostic>>> {
        match self.published.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }
}

/// A lint run to do.
struct Job {
    generation: u64,
    overlays: Arc<Overlays>,
    /// The files whose change asked for the run (a crash is reported on them).
    changed: Vec<Uri>,
    /// Re-lint the whole workspace (start, configuration, parameter files, tfvars, watched
    /// files); else only the units of the changed files ([`partial_paths`]).
    full: bool,
}

/// An open document.
struct Doc {
    path: PathBuf,
    text: Arc<str>,
}

fn serve(conn: Connection) -> Result<(), Error> {
    let caps = serde_json::to_value(capabilities())?;
    let (id, params) = conn.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params)?;
    let root = convert::canonical(&workspace_root(&params));
    let result = lsp_types::InitializeResult {
        capabilities: serde_json::from_value(caps)?,
        server_info: Some(ServerInfo {
            name: "agwlint".into(),
            version: Some(crate::version::LONG.to_string()),
        }),
    };
    conn.initialize_finish(id, serde_json::to_value(result)?)?;
    if watches_files(&params) {
        register_watchers(&conn.sender);
    }
    // Paths print relative to the root and the configuration is found from it, as for
    // `agwlint lint` run there.
    if let Err(e) = std::env::set_current_dir(&root) {
        show_message(
            &conn.sender,
            lsp_types::MessageType::ERROR,
            format!(
                "agwlint: cannot enter the workspace {}: {e}",
                root.display()
            ),
        );
    }
    let shared = Arc::new(Shared::default());
    let (jobs_tx, jobs_rx) = crossbeam_channel::unbounded::<Job>();
    let worker = {
        let shared = Arc::clone(&shared);
        let sender = conn.sender.clone();
        let root = root.clone();
        std::thread::Builder::new()
            .name("agwlint-lsp-lint".into())
            .spawn(move || worker(&root, &jobs_rx, &sender, &shared))?
    };
    let mut server = Server {
        root: root.clone(),
        debounce: debounce_of(&params),
        docs: HashMap::new(),
        shared,
        jobs: jobs_tx,
        generation: 0,
        due: Some(Instant::now()),
        changed: Vec::new(),
        full: true,
    };
    let out = server.main_loop(&conn);
    drop(server);
    let _ = worker.join();
    out
}

struct Server {
    root: PathBuf,
    debounce: Duration,
    docs: HashMap<Uri, Doc>,
    shared: Arc<Shared>,
    jobs: Sender<Job>,
    generation: u64,
    /// When the next run is due (debounce), if one is.
    due: Option<Instant>,
    changed: Vec<Uri>,
    /// The next run re-lints the whole workspace.
    full: bool,
}

impl Server {
    fn main_loop(&mut self, conn: &Connection) -> Result<(), Error> {
        loop {
            let msg = match self.due {
                Some(due) => {
                    match conn
                        .receiver
                        .recv_timeout(due.saturating_duration_since(Instant::now()))
                    {
                        Ok(m) => m,
                        Err(RecvTimeoutError::Timeout) => {
                            self.dispatch();
                            continue;
                        }
                        Err(RecvTimeoutError::Disconnected) => return Ok(()),
                    }
                }
                None => match conn.receiver.recv() {
                    Ok(m) => m,
                    Err(_) => return Ok(()),
                },
            };
            match msg {
                Message::Request(req) => {
                    if conn.handle_shutdown(&req)? {
                        return Ok(());
                    }
                    let resp = self.request(req);
                    conn.sender.send(Message::Response(resp))?;
                }
                Message::Notification(n) => {
                    if n.method == lsp_types::notification::Exit::METHOD {
                        return Ok(());
                    }
                    self.notification(n);
                }
                Message::Response(_) => {}
            }
        }
    }

    /// Sends the run that is due to the worker.
    fn dispatch(&mut self) {
        self.due = None;
        self.generation += 1;
        self.shared.latest.store(self.generation, Ordering::SeqCst);
        let overlays: Overlays = self
            .docs
            .values()
            .map(|d| (d.path.clone(), Arc::clone(&d.text)))
            .collect();
        let _ = self.jobs.send(Job {
            generation: self.generation,
            overlays: Arc::new(overlays),
            changed: std::mem::take(&mut self.changed),
            full: std::mem::take(&mut self.full),
        });
    }

    /// Schedules a run after the debounce delay: of the units of `uri`, or of the whole
    /// workspace when there is no `uri` or it is configuration ([`is_configuration`]).
    fn touch(&mut self, uri: Option<Uri>) {
        self.due = Some(Instant::now() + self.debounce);
        let config = uri
            .as_ref()
            .and_then(convert::uri_to_path)
            .is_none_or(|p| is_configuration(&p));
        self.full |= config;
        if let Some(u) = uri
            && !self.changed.contains(&u)
        {
            self.changed.push(u);
        }
    }

    fn notification(&mut self, n: Notification) {
        use lsp_types::notification as N;
        match n.method.as_str() {
            N::DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
                {
                    self.set_text(p.text_document.uri, &p.text_document.text);
                }
            }
            N::DidChangeTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                    && let Some(last) = p.content_changes.into_iter().next_back()
                {
                    // Full sync: the last change is the whole text.
                    self.set_text(p.text_document.uri, &last.text);
                }
            }
            N::DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params)
                {
                    // Back to the disk content.
                    self.docs.remove(&p.text_document.uri);
                    self.touch(Some(p.text_document.uri));
                }
            }
            N::DidSaveTextDocument::METHOD => {
                // The configuration, parameter files and tfvars: a save re-lints everything
                // ([`Server::touch`]); another file, its units.
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(n.params)
                {
                    self.touch(Some(p.text_document.uri));
                }
            }
            N::DidChangeWatchedFiles::METHOD | N::DidChangeWorkspaceFolders::METHOD => {
                self.touch(None);
            }
            _ => {}
        }
    }

    fn set_text(&mut self, uri: Uri, text: &str) {
        let Some(path) = convert::uri_to_path(&uri) else {
            return;
        };
        let path = convert::canonical(&path);
        self.docs.insert(
            uri.clone(),
            Doc {
                path,
                text: Arc::from(text),
            },
        );
        self.touch(Some(uri));
    }

    fn request(&mut self, req: Request) -> Response {
        use lsp_types::request as R;
        match req.method.as_str() {
            R::HoverRequest::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::HoverParams>(req.params) else {
                    return invalid(req.id);
                };
                let at = p.text_document_position_params;
                let hover = self
                    .shared
                    .published()
                    .get(&at.text_document.uri)
                    .and_then(|d| actions::hover(d, at.position));
                Response::new_ok(req.id, hover)
            }
            R::CodeActionRequest::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::CodeActionParams>(req.params)
                else {
                    return invalid(req.id);
                };
                let uri = p.text_document.uri;
                let (path, text) = match self.docs.get(&uri) {
                    Some(d) => (d.path.clone(), Some(Arc::clone(&d.text))),
                    // A file that is not open: its disk content, when it is in the workspace.
                    None => {
                        let path = convert::uri_to_path(&uri)
                            .map(|p| convert::canonical(&p))
                            .unwrap_or_default();
                        let text = path
                            .starts_with(&self.root)
                            .then(|| std::fs::read_to_string(&path).ok())
                            .flatten()
                            .map(Arc::from);
                        (path, text)
                    }
                };
                let acts = actions::code_actions(
                    &uri,
                    &path.to_string_lossy(),
                    text.as_deref(),
                    &p.context.diagnostics,
                );
                Response::new_ok(req.id, acts)
            }
            _ => Response::new_err(
                req.id,
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("agwlint lsp does not handle {}", req.method),
            ),
        }
    }
}

fn invalid(id: lsp_server::RequestId) -> Response {
    Response::new_err(
        id,
        lsp_server::ErrorCode::InvalidParams as i32,
        "invalid parameters".into(),
    )
}

fn show_message(sender: &Sender<Message>, typ: lsp_types::MessageType, message: String) {
    let params = lsp_types::ShowMessageParams { typ, message };
    let _ = sender.send(Message::Notification(Notification::new(
        lsp_types::notification::ShowMessage::METHOD.into(),
        params,
    )));
}

fn log_message(sender: &Sender<Message>, message: String) {
    let params = lsp_types::LogMessageParams {
        typ: lsp_types::MessageType::LOG,
        message,
    };
    let _ = sender.send(Message::Notification(Notification::new(
        lsp_types::notification::LogMessage::METHOD.into(),
        params,
    )));
}

/// What the worker knows of the workspace from its runs.
#[derive(Default)]
struct Known {
    /// A whole run succeeded: the published diagnostics cover the workspace, and a change
    /// re-lints only its units.
    whole: bool,
    /// A run read Functions app code: the projects are found from the directories linted, so
    /// every run is a whole one.
    app_code: bool,
}

/// The worker: runs the newest job, publishes what changed.
fn worker(root: &Path, jobs: &Receiver<Job>, sender: &Sender<Message>, shared: &Shared) {
    // A configuration error is shown once, not on every keystroke.
    let mut last_error: Option<String> = None;
    let mut known = Known::default();
    // The changes of runs that were not published (stale or failed): the next run covers them.
    let mut carried: (Vec<Uri>, bool) = (Vec::new(), false);
    while let Ok(mut job) = jobs.recv() {
        // Only the newest job matters; the files of the skipped ones changed too.
        while let Ok(newer) = jobs.try_recv() {
            carried.0.append(&mut job.changed);
            carried.1 |= job.full;
            job = newer;
        }
        for u in std::mem::take(&mut carried.0) {
            if !job.changed.contains(&u) {
                job.changed.push(u);
            }
        }
        job.full |= std::mem::take(&mut carried.1);
        let paths = if job.full || !known.whole || known.app_code {
            None
        } else {
            partial_paths(root, &job.changed, &shared.published())
        };
        let started = Instant::now();
        let result = guarded(|| lint_workspace(root, &job.overlays, paths.as_deref()));
        log_message(
            sender,
            format!(
                "agwlint: run {} ({}) linted in {} ms",
                job.generation,
                paths
                    .as_ref()
                    .map_or_else(|| "workspace".to_string(), |p| format!("{} files", p.len())),
                started.elapsed().as_millis()
            ),
        );
        if shared.latest.load(Ordering::SeqCst) != job.generation {
            // Stale: a newer run is coming; it covers these changes too.
            carried = (job.changed, job.full);
            continue;
        }
        let next = match result {
            Ok(Ok(run)) => {
                last_error = None;
                known.app_code |= run.app_code;
                if paths.is_none() {
                    known.whole = true;
                    run.diagnostics
                } else {
                    merge(&shared.published(), run)
                }
            }
            Ok(Err(message)) => {
                if last_error.as_ref() != Some(&message) {
                    show_message(sender, lsp_types::MessageType::ERROR, message.clone());
                    last_error = Some(message);
                }
                carried = (job.changed, true);
                continue;
            }
            Err(panic) => {
                let mut map = shared.published().clone();
                let crash = crash_diagnostic(&panic);
                for uri in &job.changed {
                    let list = map.entry(uri.clone()).or_default();
                    if !list.contains(&crash) {
                        list.push(crash.clone());
                    }
                }
                map
            }
        };
        publish(sender, shared, next);
    }
}

/// The extensions of the files a partial run can start from (a unit's own sources).
const UNIT_SOURCES: &[&str] = &["tf", "tofu", "json", "jsonc", "bicep"];

/// The extensions and names of Functions app code files.
const APP_CODE: &[&str] = &["py", "cs", "csx", "js", "mjs", "cjs", "ts", "java", "kt"];

/// True for a file whose change re-lints the whole workspace: the configuration
/// (`.agwlint.yaml`), parameter files (`*.parameters.json`, `.bicepparam`) and tfvars, which
/// the configuration may map to any unit.
pub fn is_configuration(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name == ".agwlint.yaml"
        || name.ends_with(".tfvars")
        || name.ends_with(".tfvars.json")
        || name.ends_with(".bicepparam")
        || (name.ends_with(".json") && name.contains(".parameters"))
}

fn extension_in(p: &Path, list: &[&str]) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| list.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// The files a partial run lints for a change of `changed` (relative to `root`; `lint` takes
/// each through the whole units that contain it): the changed files, and every file of a
/// published cross-file finding that involves one of them (its primary file or a related
/// location), so such a finding is re-decided in the other unit too. `None` (lint the
/// whole workspace) when a file is not a unit source on disk in the workspace (a new buffer,
/// app code, configuration).
fn partial_paths(
    root: &Path,
    changed: &[Uri],
    published: &HashMap<Uri, Vec<Diagnostic>>,
) -> Option<Vec<PathBuf>> {
    if changed.is_empty() {
        return None;
    }
    let changed_set: HashSet<&Uri> = changed.iter().collect();
    let mut uris: Vec<&Uri> = changed.iter().collect();
    for (uri, diags) in published {
        for d in diags {
            let related = d
                .related_information
                .iter()
                .flatten()
                .map(|r| &r.location.uri);
            let mut all = std::iter::once(uri).chain(related);
            if all.clone().any(|u| changed_set.contains(u)) {
                uris.extend(all.by_ref());
            }
        }
    }
    let mut paths: Vec<PathBuf> = Vec::new();
    for u in uris {
        let path = convert::canonical(&convert::uri_to_path(u)?);
        let rel = path.strip_prefix(root).ok()?;
        if !extension_in(&path, UNIT_SOURCES) || is_configuration(&path) || !path.is_file() {
            return None;
        }
        paths.push(rel.to_path_buf());
    }
    paths.sort();
    paths.dedup();
    Some(paths)
}

/// The published diagnostics with those of a partial run's units replaced: a published
/// diagnostic whose files (its own and its related locations) were all read by the run is the
/// run's to decide, and is dropped; the run's diagnostics are added. (A file read by two
/// units, such as a local module of two roots, gets the findings of the run's units only
/// until the next whole run.)
fn merge(published: &HashMap<Uri, Vec<Diagnostic>>, run: Run) -> HashMap<Uri, Vec<Diagnostic>> {
    let mut next = published.clone();
    for (uri, list) in &mut next {
        if !run.files.contains(uri) {
            continue;
        }
        list.retain(|d| {
            !d.related_information
                .iter()
                .flatten()
                .all(|r| run.files.contains(&r.location.uri))
        });
    }
    for (uri, diags) in run.diagnostics {
        let list = next.entry(uri).or_default();
        for d in diags {
            if !list.contains(&d) {
                list.push(d);
            }
        }
        sort_diagnostics(list);
    }
    next
}

/// Diagnostics in the order of their position, then rule.
fn sort_diagnostics(list: &mut [Diagnostic]) {
    let key = |d: &Diagnostic| {
        let code = match &d.code {
            Some(NumberOrString::String(s)) => s.clone(),
            _ => String::new(),
        };
        (
            d.range.start.line,
            d.range.start.character,
            code,
            d.message.clone(),
        )
    };
    list.sort_by_key(key);
}

/// Runs `f`, catching a panic (its message as `Err`).
fn guarded<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|e| {
        e.downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| e.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into())
    })
}

fn crash_diagnostic(panic: &str) -> Diagnostic {
    Diagnostic {
        range: Range::new(Position::new(0, 0), Position::new(0, 0)),
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String(crate::rules::AGW000.id.into())),
        source: Some(convert::SOURCE.into()),
        message: format!(
            "agwlint crashed while linting the workspace after this change (please report it): {panic}"
        ),
        ..Diagnostic::default()
    }
}

/// A file that does not parse (AGW000) keeps its last cross-file findings elsewhere: the
/// published diagnostics of other files with related information in a file that has AGW000
/// now are carried into `next` (the run could not see what that file says).
fn keep_across_parse_errors(
    previous: &HashMap<Uri, Vec<Diagnostic>>,
    next: &mut HashMap<Uri, Vec<Diagnostic>>,
) {
    let agw000 =
        |d: &Diagnostic| d.code == Some(NumberOrString::String(crate::rules::AGW000.id.into()));
    let broken: HashSet<Uri> = next
        .iter()
        .filter(|(_, ds)| ds.iter().any(agw000))
        .map(|(u, _)| u.clone())
        .collect();
    if broken.is_empty() {
        return;
    }
    for (uri, old) in previous {
        if broken.contains(uri) {
            continue;
        }
        for d in old {
            let related_to_broken = d
                .related_information
                .iter()
                .flatten()
                .any(|r| broken.contains(&r.location.uri));
            if !related_to_broken || agw000(d) {
                continue;
            }
            let list = next.entry(uri.clone()).or_default();
            if !list.contains(d) {
                list.push(d.clone());
            }
        }
    }
}

/// Publishes the diagnostics of every file whose diagnostics changed (an empty list for the
/// files that have none any more) and records them.
fn publish(sender: &Sender<Message>, shared: &Shared, mut next: HashMap<Uri, Vec<Diagnostic>>) {
    let mut published = shared.published();
    keep_across_parse_errors(&published, &mut next);
    let uris: HashSet<Uri> = published.keys().chain(next.keys()).cloned().collect();
    let mut uris: Vec<Uri> = uris.into_iter().collect();
    uris.sort();
    for uri in uris {
        let new = next.get(&uri).cloned().unwrap_or_default();
        if published
            .get(&uri)
            .map_or(new.is_empty(), |old| *old == new)
        {
            continue;
        }
        let params = PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics: new,
            version: None,
        };
        let _ = sender.send(Message::Notification(Notification::new(
            lsp_types::notification::PublishDiagnostics::METHOD.into(),
            params,
        )));
    }
    *published = next;
    published.retain(|_, d| !d.is_empty());
}

/// The result of a run.
struct Run {
    /// The diagnostics by file.
    diagnostics: HashMap<Uri, Vec<Diagnostic>>,
    /// Every file the run read.
    files: HashSet<Uri>,
    /// The run read Functions app code.
    app_code: bool,
}

/// Lints the workspace as `agwlint lint` in its root does, with the overlays; with `paths`,
/// only the units that contain them (`agwlint lint <files>`). `Err`: a message for the user (a
/// configuration or usage error).
fn lint_workspace(
    root: &Path,
    overlays: &Arc<Overlays>,
    paths: Option<&[PathBuf]>,
) -> Result<Run, String> {
    let sources = SourceMap::new();
    sources.set_overlays(Arc::clone(overlays));
    let mut opts = crate::LintOptions::default();
    if let Err(e) = crate::config::configure(&crate::config::ConfigArgs::default(), &mut opts) {
        return Err(format!("agwlint: configuration: {}", e.message));
    }
    let whole = [PathBuf::from(".")];
    let report = crate::lint(paths.unwrap_or(&whole), &opts, &sources)
        .map_err(|e| format!("agwlint: {e}"))?;
    let mut files = convert::Files::new(root, &sources);
    let mut diagnostics: HashMap<Uri, Vec<Diagnostic>> = HashMap::new();
    for f in &report.findings {
        if let Some((uri, d)) = convert::diagnostic(f, &mut files) {
            diagnostics.entry(uri).or_default().push(d);
        }
    }
    diagnostics.values_mut().for_each(|l| sort_diagnostics(l));
    let mut read = HashSet::new();
    let mut app_code = false;
    for id in 0..u32::try_from(sources.len()).unwrap_or(u32::MAX) {
        let path = PathBuf::from(sources.path(crate::source::FileId(id)));
        app_code |=
            extension_in(&path, APP_CODE) || path.file_name().is_some_and(|n| n == "host.json");
        if let Some(uri) = files.uri(crate::source::FileId(id)) {
            read.insert(uri);
        }
    }
    Ok(Run {
        diagnostics,
        files: read,
        app_code,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn a_panic_is_caught_with_its_message() {
        let r: Result<(), String> = guarded(|| panic!("boom {}", 7));
        assert_eq!(r, Err("boom 7".to_string()));
        assert_eq!(guarded(|| 3), Ok(3));
        let d = crash_diagnostic("boom");
        assert_eq!(d.code, Some(NumberOrString::String("AGW000".into())));
    }
}
