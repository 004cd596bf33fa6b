//! A finding: what a rule (or a front-end, for AGW000) reports.

use crate::model::Resource;
use crate::source::Span;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;

/// Severity of a finding. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Hygiene or advisory; never fails a run by default.
    Info,
    /// Likely 502 under some conditions.
    Warning,
    /// Certain or very likely 502, or a failed deployment.
    Error,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary location: where a value came from, or the other side of a cross-resource
/// conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// Where.
    pub span: Span,
    /// What it shows.
    pub message: String,
}

/// A mechanical fix a rule can describe from the model alone, without the file's syntax (a
/// rule never sees JSON or HCL): what to add and where. The language server renders it as a
/// text edit in the file's own syntax (`src/lsp/fix.rs`); a fix it cannot render safely is not
/// offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// Add a security rule to a network security group's inline rules (boxed: few findings
    /// have a fix, and inline it made every finding 200 bytes larger).
    AddSecurityRule(Box<NewSecurityRule>),
}

/// A security rule to add to a network security group ([`Fix::AddSecurityRule`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSecurityRule {
    /// The resource's dialect: ARM (JSON or Bicep `securityRules` array) or Terraform
    /// (`security_rule` block).
    pub dialect: crate::model::Dialect,
    /// Where the rule goes: the inline `securityRules` array (ARM, Bicep), or the whole
    /// `azurerm_network_security_group` block (Terraform).
    pub into: Span,
    /// The last inline rule element of the array, when there is one: the new rule follows it
    /// (ARM, Bicep).
    pub after: Option<Span>,
    /// `name`, not used by another rule of the group.
    pub name: String,
    /// `direction` (`Inbound`).
    pub direction: String,
    /// `access` (`Allow`).
    pub access: String,
    /// `priority`, free in the group.
    pub priority: i64,
    /// `protocol` (`Tcp`).
    pub protocol: String,
    /// `sourceAddressPrefix` (a service tag such as `GatewayManager`).
    pub source_prefix: String,
    /// `sourcePortRange` (`*`).
    pub source_ports: String,
    /// `destinationAddressPrefix` (`*`).
    pub destination_prefix: String,
    /// `destinationPortRange` (`65200-65535`).
    pub destination_ports: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Rule ID (`AGW010`).
    pub rule: &'static str,
    /// Rule name (`app-service-host-header-not-set`).
    pub name: &'static str,
    /// Severity (the rule's default unless the rule or the configuration says otherwise).
    pub severity: Severity,
    /// The message: names the resource and the sub-resource, lower-case, no trailing period.
    pub message: String,
    /// How to fix it. Shared: the help of a rule reads the same on many findings, and one
    /// scan shares each text among its findings ([`Finding::share_help`]).
    pub help: Option<Arc<str>>,
    /// The property or element that is wrong.
    pub primary: Span,
    /// Label on the primary span.
    pub primary_label: Option<String>,
    /// Secondary labels.
    pub related: Vec<Related>,
    /// The resource, as `Microsoft.Network/applicationGateways/scim-agw` or
    /// `azurerm_application_gateway.gw`.
    pub resource: Option<String>,
    /// Logical property path (`backendHttpSettingsCollection[func-https].pickHostNameFromBackendAddress`),
    /// used with rule, file and resource for fingerprints that survive line shifts.
    pub property: Option<String>,
    /// The mechanical fix, when the rule can describe one ([`Fix`]).
    pub fix: Option<Fix>,
}

impl Finding {
    /// A finding with the required parts; add the rest with the builder methods.
    pub fn new(
        rule: &'static str,
        name: &'static str,
        severity: Severity,
        message: impl Into<String>,
        primary: Span,
    ) -> Self {
        Finding {
            rule,
            name,
            severity,
            message: message.into(),
            help: None,
            primary,
            primary_label: None,
            related: Vec::new(),
            resource: None,
            property: None,
            fix: None,
        }
    }

    /// Sets the help text.
    pub fn help(mut self, help: impl Into<Arc<str>>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Makes the help text the one in `texts` when it is there, else adds it: the findings of
    /// a large scan hold each help text once (about 200 bytes a finding otherwise).
    pub fn share_help<S: std::hash::BuildHasher>(&mut self, texts: &mut HashSet<Arc<str>, S>) {
        if let Some(h) = &mut self.help {
            match texts.get(h) {
                Some(t) => *h = Arc::clone(t),
                None => {
                    texts.insert(Arc::clone(h));
                }
            }
        }
    }

    /// Sets the label on the primary span.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.primary_label = Some(label.into());
        self
    }

    /// Adds a secondary label.
    pub fn related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    /// Adds secondary labels for the origins of a value (parameter defaults, tfvars...).
    pub fn origins<T>(mut self, v: &crate::model::Val<T>) -> Self {
        for o in &v.origins {
            self.related.push(Related {
                span: o.span,
                message: format!("value comes from the {} here", o.label),
            });
        }
        self
    }

    /// Names the resource.
    pub fn resource(mut self, res: &Resource) -> Self {
        self.resource = Some(res.label.clone());
        self
    }

    /// Sets the logical property path.
    pub fn property(mut self, path: impl Into<String>) -> Self {
        self.property = Some(path.into());
        self
    }

    /// Attaches a mechanical fix.
    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// Overrides the severity (rules with error / warning variants).
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}
