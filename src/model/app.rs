//! The Function App's own code: its HTTP surface (routes, auth levels, methods) and host
//! settings, read from `host.json`, `function.json` and code-first trigger declarations, and
//! linked to a site of the scan.

use super::{ResourceKey, Val};
use crate::source::Span;

/// An HTTP trigger's authorization level (`authLevel`, `AuthorizationLevel.X`,
/// `func.AuthLevel.X`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthLevel {
    /// No key needed.
    Anonymous,
    /// A function key (or host key) is needed.
    Function,
    /// The master key is needed.
    Admin,
}

impl AuthLevel {
    /// Parses a level as the programming models write it (case-insensitive); `None` for a word
    /// this linter does not recognise (then the level is Unknown).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "anonymous" => Some(AuthLevel::Anonymous),
            "function" => Some(AuthLevel::Function),
            "admin" => Some(AuthLevel::Admin),
            _ => None,
        }
    }

    /// The level as `function.json` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthLevel::Anonymous => "anonymous",
            AuthLevel::Function => "function",
            AuthLevel::Admin => "admin",
        }
    }

    /// True when a request without a key is refused (401).
    pub fn needs_key(self) -> bool {
        !matches!(self, AuthLevel::Anonymous)
    }
}

/// Where a function's declaration was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProgModel {
    /// `function.json` (C# script, JavaScript v3, Python v1, PowerShell, custom handlers).
    FunctionJson,
    /// C# class library (in-process `[FunctionName]` or isolated `[Function]`).
    CSharp,
    /// Python v2 (`@app.route`).
    Python,
    /// Node.js v4 (`app.http(...)`).
    Node,
    /// Java (`@HttpTrigger`).
    Java,
}

impl ProgModel {
    /// The auth level when none is written (Learn, "Azure Functions HTTP trigger",
    /// Authorization level: `function` for every model except Node.js v4, where it is
    /// `anonymous`).
    pub fn default_auth(self) -> AuthLevel {
        match self {
            ProgModel::Node => AuthLevel::Anonymous,
            _ => AuthLevel::Function,
        }
    }

    /// The methods allowed when none are written: `None` = every method; Node.js v4 defaults
    /// to GET and POST (Learn, `HttpTriggerOptions.methods`).
    pub fn default_methods(self) -> Option<&'static [&'static str]> {
        match self {
            ProgModel::Node => Some(&["GET", "POST"]),
            _ => None,
        }
    }

    /// A name for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ProgModel::FunctionJson => "function.json",
            ProgModel::CSharp => "C#",
            ProgModel::Python => "Python v2",
            ProgModel::Node => "Node.js v4",
            ProgModel::Java => "Java",
        }
    }
}

/// One HTTP-triggered function.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpFunction {
    /// The function name (the default route).
    pub name: Val<String>,
    /// `route` as written (without the prefix); Absent = the function name.
    pub route: Val<String>,
    /// The auth level as written; Absent = [`ProgModel::default_auth`]. A value the reader
    /// does not recognise, or one computed at run time, is Unknown.
    pub auth_level: Val<AuthLevel>,
    /// Allowed methods, upper-case; Absent = [`ProgModel::default_methods`].
    pub methods: Val<Vec<String>>,
    /// The declaration (the binding object, the attribute, the decorator, the call).
    pub span: Span,
    /// Where it was read from.
    pub model: ProgModel,
}

impl HttpFunction {
    /// The auth level in force: the written one, else the model's default. `None` when
    /// Unknown.
    pub fn effective_auth(&self) -> Option<AuthLevel> {
        self.auth_level
            .or_default(&self.model.default_auth())
            .copied()
    }

    /// The route template in force (written, else the function name). `None` when Unknown.
    pub fn effective_route(&self) -> Option<&str> {
        match self.route.get() {
            Some(r) => Some(r.as_str()),
            None if self.route.is_absent() => self.name.get().map(String::as_str),
            None => None,
        }
    }

    /// Whether the function accepts `method` (upper-case). `None` when the methods are Unknown.
    pub fn allows(&self, method: &str) -> Option<bool> {
        match self.methods.get() {
            Some(m) if m.is_empty() => Some(true),
            Some(m) => Some(m.iter().any(|x| x.eq_ignore_ascii_case(method))),
            None if self.methods.is_absent() => Some(
                self.model
                    .default_methods()
                    .is_none_or(|d| d.iter().any(|x| x.eq_ignore_ascii_case(method))),
            ),
            None => None,
        }
    }
}

/// `host.json` settings that shape the HTTP surface.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HostSettings {
    /// The file.
    pub span: Span,
    /// `version` (`2.0`; Absent = the 1.x schema).
    pub version: Val<String>,
    /// `extensions.http.routePrefix` (2.x) or `http.routePrefix` (1.x); Absent = `api`.
    pub route_prefix: Val<String>,
    /// `functionTimeout` (`hh:mm:ss`, `-1`); Absent = the plan's default.
    pub function_timeout: Val<String>,
}

impl HostSettings {
    /// The route prefix in force, without slashes (`api` by default). `None` when Unknown.
    pub fn effective_prefix(&self) -> Option<String> {
        self.route_prefix
            .or_default(&"api".to_string())
            .map(|p| p.trim_matches('/').to_string())
    }
}

/// How code was linked to a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppLink {
    /// `apps:` in the configuration.
    Config,
    /// An `azure.yaml` service matched by the `azd-service-name` tag.
    Azd(String),
    /// The only Function App and the only Functions project of the scan.
    Single,
}

/// A Functions project linked to a site.
#[derive(Debug, Clone, PartialEq)]
pub struct AppSurface {
    /// The site the code is deployed to.
    pub site: ResourceKey,
    /// The project directory, as printed.
    pub dir: String,
    /// How the link was made.
    pub link: AppLink,
    /// `host.json`.
    pub host: HostSettings,
    /// HTTP-triggered functions.
    pub functions: Vec<HttpFunction>,
    /// True when every source file that may declare functions was read and every route is
    /// Known: "no route matches" is then a fact, not a gap in reading.
    pub complete: bool,
}
