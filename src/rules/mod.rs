//! The rule trait and the registry.
//!
//! One rule per file (`agw010_host_header_not_set.rs`); each declares a static [`RuleMeta`] and
//! reads only the [`Model`]. Registering a rule is one line in [`REGISTRY`]; `tests/meta.rs`
//! checks that every rule has a page, fixtures and a catalogue name.

use crate::finding::{Finding, Severity};
use crate::model::{Model, Resource, Val};
use std::sync::Arc;

mod options;
pub mod skip;
pub use options::OptionsSpec;
pub use skip::{Skipped, path};

mod agw001_v1_sku_retired;
mod agw006_empty_backend_pool;
mod agw010_host_header_not_set;
mod agw023_dangling_reference;
// rules-a: modules AGW002–AGW022 below
mod agw002_sku_config_invalid;
mod agw003_insufficient_min_instances;
mod agw004_zone_config;
mod agw005_gateway_subnet_too_small;
mod agw007_backend_fqdn_malformed;
mod agw008_app_service_backend_by_ip;
mod agw009_hardcoded_default_hostname;
mod agw011_host_override_not_bound_to_app;
mod agw012_host_override_conflict;
mod agw013_backend_protocol_port_mismatch;
mod agw014_request_timeout_vs_function;
mod agw015_https_backend_trust;
mod agw016_probe_host_unresolvable;
#[cfg(test)]
mod scale_tests;
#[cfg(test)]
mod testkit;
// rules-a end
// rules-c: modules
mod agw017_probe_protocol_mismatch;
mod agw018_probe_path_invalid;
mod agw019_probe_timing_invalid;
mod agw020_probe_match_too_narrow;
mod agw021_probe_unreferenced;
mod agw022_probe_path_requires_auth;
mod agw024_rule_priority_v2;
mod agw025_https_listener_certificate;
mod agw026_duplicate_listener;
mod agw040_function_min_tls_1_3;
mod agw041_function_client_cert_required;
mod agw042_https_only_with_http_backend;
mod agw043_ssl_policy_retired;
mod agw044_diagnostics_missing;
mod agw045_waf_prevention_body_inspection;
mod agw046_probe_min_servers;
mod agw047_custom_domain_https_without_tls_binding;
mod agw048_linux_consumption_functions_v3;
mod agw049_custom_domain_default_probe;
// rules-c end
// app: modules AGW056–AGW058 (the Function App's own code)
mod agw056_probe_path_needs_function_key;
mod agw057_probe_path_no_function_route;
mod agw058_probe_method_not_allowed;
// app end
// rules-b: modules AGW024–AGW045 below
mod agw027_nsg_gatewaymanager_inbound_missing;
mod agw028_nsg_deny_overrides_required_inbound;
mod agw029_nsg_outbound_internet_denied;
mod agw030_udr_forced_tunneling;
mod agw031_gateway_subnet_not_dedicated;
mod agw032_custom_dns_servers;
mod agw033_private_only_gateway_no_egress;
mod agw034_private_endpoint_dns_not_linked;
mod agw035_public_access_disabled_unreachable;
mod agw036_private_endpoint_unsupported_plan;
mod agw037_access_restrictions_block_gateway;
mod agw038_subnet_rule_without_service_endpoint;
mod agw039_service_endpoint_vs_private_endpoint;
// rules-b end

/// Where rule pages are published; `url()` appends `<ID>.md`.
pub const RULES_URL_BASE: &str = "https://github.com/agwlint/agwlint/blob/main/rules/";

/// What every rule declares about itself.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable ID, `AGW010`.
    pub id: &'static str,
    /// Kebab-case name from the catalogue.
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One line for `agwlint rules`.
    pub summary: &'static str,
    /// The rule page (rules/AGWnnn.md), embedded.
    pub page: &'static str,
}

impl RuleMeta {
    /// URL of the rule page.
    pub fn url(&self) -> String {
        rule_url(self.id)
    }

    /// A finding of this rule at its default severity.
    pub fn finding(&self, message: impl Into<String>, primary: crate::source::Span) -> Finding {
        Finding::new(self.id, self.name, self.severity, message, primary)
    }
}

/// URL of a rule's page.
pub fn rule_url(id: &str) -> String {
    format!("{RULES_URL_BASE}{id}.md")
}

/// Facts a template cannot show, set by configuration (`assume:`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Assumptions {
    /// The subscription has Application Gateway network isolation registered.
    pub network_isolation: bool,
    /// Custom DNS servers forward the privatelink zones correctly.
    pub dns_resolves_private_link: bool,
}

/// What a rule gets besides the model: its options and a place to put findings.
#[derive(Debug)]
pub struct RuleCx<'a> {
    /// The running rule.
    pub meta: &'static RuleMeta,
    /// The rule's own options from configuration (`rules: { AGW014: { ... } }`), if any.
    pub options: Option<&'a serde_json::Value>,
    /// Assumptions from configuration.
    pub assume: Assumptions,
    findings: Vec<Finding>,
    skipped: Vec<Skipped>,
}

impl<'a> RuleCx<'a> {
    /// A context for one rule.
    pub fn new(
        meta: &'static RuleMeta,
        options: Option<&'a serde_json::Value>,
        assume: Assumptions,
    ) -> Self {
        RuleCx {
            meta,
            options,
            assume,
            findings: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// The rule's typed options (`Options` of the rule file), defaults when none are
    /// configured. Configuration has already checked them against the type.
    pub fn options_as<T: serde::de::DeserializeOwned + Default>(&self) -> T {
        options::parse(self.options)
    }

    /// A finding of the running rule at its default severity; push it with [`RuleCx::emit`].
    pub fn finding(&self, message: impl Into<String>, primary: crate::source::Span) -> Finding {
        self.meta.finding(message, primary)
    }

    /// Reports a finding.
    pub fn emit(&mut self, mut f: Finding) {
        // Backstop: no single message over MAX_MESSAGE characters, whatever the input.
        cap_text(&mut f.message);
        if let Some(h) = &mut f.help
            && h.chars().count() > MAX_MESSAGE
        {
            let mut t = h.to_string();
            cap_text(&mut t);
            *h = Arc::from(t);
        }
        if let Some(l) = &mut f.primary_label {
            cap_text(l);
        }
        for r in &mut f.related {
            cap_text(&mut r.message);
            r.message.shrink_to_fit();
        }
        // Kept to the end of the scan: without the room `format!` left.
        f.message.shrink_to_fit();
        for t in [&mut f.primary_label, &mut f.resource, &mut f.property]
            .into_iter()
            .flatten()
        {
            t.shrink_to_fit();
        }
        f.related.shrink_to_fit();
        self.findings.push(f);
    }

    /// Records a check skipped because `value`, the `property` of `resource` the check needs,
    /// is Unknown (`--verbose` and the JSON `skipped` list show the rule, resource, property
    /// and the expression that made the value Unknown). `property` is written as in findings
    /// (`probes[p].host`).
    pub fn skip<T>(&mut self, resource: &Resource, property: impl Into<String>, value: &Val<T>) {
        self.skipped
            .push(Skipped::of(self.meta.id, resource, property.into(), value));
    }

    /// Records a skipped check whose Unknown input is not one value at hand (a model query
    /// answered "unknown"); `at` is where the undecidable part is written, else the resource.
    pub fn skip_at(
        &mut self,
        resource: &Resource,
        property: impl Into<String>,
        at: Option<crate::source::Span>,
    ) {
        self.skipped.push(Skipped {
            rule: self.meta.id,
            resource: resource.label.clone(),
            property: property.into(),
            // Without a location there is no expression to quote.
            reason: at
                .is_none()
                .then(|| "the values this check needs are not known before deployment".into()),
            at: at.unwrap_or(resource.span),
            quoted: false,
        });
    }

    /// Records a skipped check with a reason the rule states itself ("subnet `x` is not in
    /// the scan"), written at `at` (else the resource).
    pub fn skip_because(
        &mut self,
        resource: &Resource,
        property: impl Into<String>,
        reason: String,
        at: Option<crate::source::Span>,
    ) {
        self.skipped.push(Skipped {
            rule: self.meta.id,
            resource: resource.label.clone(),
            property: property.into(),
            reason: Some(reason),
            at: at.unwrap_or(resource.span),
            quoted: false,
        });
    }

    /// Takes the result of a model query that answers `Err(true)` when the answer is Unknown and
    /// `Err(false)` when there is nothing to check (e.g. `query_network::gateway_nsg`): the value,
    /// or `None` after recording an Unknown skip of `property` of `resource`.
    pub fn resolved<T>(
        &mut self,
        resource: &Resource,
        property: &str,
        r: Result<T, bool>,
    ) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(unknown) => {
                if unknown {
                    self.skip_at(resource, property, None);
                }
                None
            }
        }
    }

    /// The findings and the skipped checks.
    pub fn finish(mut self) -> (Vec<Finding>, Vec<Skipped>) {
        // Kept to the end of the scan: without the room `format!` left.
        for k in &mut self.skipped {
            k.property.shrink_to_fit();
            if let Some(r) = &mut k.reason {
                r.shrink_to_fit();
            }
        }
        (self.findings, self.skipped)
    }
}

/// A rule.
pub trait Rule: Send + Sync {
    /// Its metadata.
    fn meta(&self) -> &'static RuleMeta;
    /// Checks the model and emits findings into `cx`. Never fires on an Unknown value.
    fn check(&self, model: &Model, cx: &mut RuleCx<'_>);
    /// The options the rule accepts in configuration (`OptionsSpec::of::<Options>()` for a
    /// rule with an `Options` type); none by default. Configuration rejects any other key.
    fn options(&self) -> OptionsSpec {
        OptionsSpec::NONE
    }
}

/// AGW000: a file that cannot be parsed or evaluated. Not a [`Rule`]; front-ends emit it.
pub static AGW000: RuleMeta = RuleMeta {
    id: "AGW000",
    name: "parse-error",
    severity: Severity::Error,
    summary: "A file could not be parsed; the other files are still linted",
    page: include_str!("../../rules/AGW000.md"),
};

/// AGW901: a reference in repository content that was not followed because it points outside
/// the scan root or at a special file. Not a [`Rule`]; front-ends report it.
pub static AGW901: RuleMeta = RuleMeta {
    id: "AGW901",
    name: "reference-outside-scan-root",
    severity: Severity::Warning,
    summary: "A path in a template, module or configuration points outside the scan root and was not read",
    page: include_str!("../../rules/AGW901.md"),
};

/// Every rule. Listed in blocks; [`all_meta`] sorts by ID.
pub static REGISTRY: &[&dyn Rule] = &[
    &agw001_v1_sku_retired::V1SkuRetired,
    &agw006_empty_backend_pool::EmptyBackendPool,
    &agw010_host_header_not_set::HostHeaderNotSet,
    &agw023_dangling_reference::DanglingReference,
    // rules-a: registry lines AGW002–AGW022 below (keep ID order within the block)
    &agw002_sku_config_invalid::SkuConfigInvalid,
    &agw003_insufficient_min_instances::InsufficientMinInstances,
    &agw004_zone_config::ZoneConfig,
    &agw005_gateway_subnet_too_small::GatewaySubnetTooSmall,
    &agw007_backend_fqdn_malformed::BackendFqdnMalformed,
    &agw008_app_service_backend_by_ip::AppServiceBackendByIp,
    &agw009_hardcoded_default_hostname::HardcodedDefaultHostname,
    &agw011_host_override_not_bound_to_app::HostOverrideNotBound,
    &agw012_host_override_conflict::HostOverrideConflict,
    &agw013_backend_protocol_port_mismatch::BackendProtocolPortMismatch,
    &agw014_request_timeout_vs_function::RequestTimeoutVsFunction,
    &agw015_https_backend_trust::HttpsBackendTrust,
    &agw016_probe_host_unresolvable::ProbeHostUnresolvable,
    // rules-a end
    // rules-c: registry
    &agw017_probe_protocol_mismatch::ProbeProtocolMismatch,
    &agw018_probe_path_invalid::ProbePathInvalid,
    &agw019_probe_timing_invalid::ProbeTimingInvalid,
    &agw020_probe_match_too_narrow::ProbeMatchTooNarrow,
    &agw021_probe_unreferenced::ProbeUnreferenced,
    &agw022_probe_path_requires_auth::ProbePathRequiresAuth,
    &agw024_rule_priority_v2::RulePriorityV2,
    &agw025_https_listener_certificate::HttpsListenerCertificate,
    &agw026_duplicate_listener::DuplicateListener,
    &agw040_function_min_tls_1_3::FunctionMinTls13,
    &agw041_function_client_cert_required::FunctionClientCertRequired,
    &agw042_https_only_with_http_backend::HttpsOnlyWithHttpBackend,
    &agw043_ssl_policy_retired::SslPolicyRetired,
    &agw044_diagnostics_missing::DiagnosticsMissing,
    &agw045_waf_prevention_body_inspection::WafPreventionBodyInspection,
    &agw046_probe_min_servers::ProbeMinServers,
    &agw047_custom_domain_https_without_tls_binding::CustomDomainHttpsWithoutTlsBinding,
    &agw048_linux_consumption_functions_v3::LinuxConsumptionFunctionsV3,
    &agw049_custom_domain_default_probe::CustomDomainDefaultProbe,
    // rules-c end
    // app: registry AGW056–AGW058
    &agw056_probe_path_needs_function_key::ProbePathNeedsFunctionKey,
    &agw057_probe_path_no_function_route::ProbePathNoFunctionRoute,
    &agw058_probe_method_not_allowed::ProbeMethodNotAllowed,
    // app end
    // rules-b: registry lines AGW024–AGW045 below (keep ID order within the block)
    &agw027_nsg_gatewaymanager_inbound_missing::NsgGatewayManagerInboundMissing,
    &agw028_nsg_deny_overrides_required_inbound::NsgDenyOverridesRequiredInbound,
    &agw029_nsg_outbound_internet_denied::NsgOutboundInternetDenied,
    &agw030_udr_forced_tunneling::UdrForcedTunneling,
    &agw031_gateway_subnet_not_dedicated::GatewaySubnetNotDedicated,
    &agw032_custom_dns_servers::CustomDnsServers,
    &agw033_private_only_gateway_no_egress::PrivateOnlyGatewayNoEgress,
    &agw034_private_endpoint_dns_not_linked::PrivateEndpointDnsNotLinked,
    &agw035_public_access_disabled_unreachable::PublicAccessDisabledUnreachable,
    &agw036_private_endpoint_unsupported_plan::PrivateEndpointUnsupportedPlan,
    &agw037_access_restrictions_block_gateway::AccessRestrictionsBlockGateway,
    &agw038_subnet_rule_without_service_endpoint::SubnetRuleWithoutServiceEndpoint,
    &agw039_service_endpoint_vs_private_endpoint::ServiceEndpointVsPrivateEndpoint,
    // rules-b end
];

/// Metadata of every rule (with AGW000, AGW900 and AGW901, which no [`Rule`] emits), sorted by ID.
pub fn all_meta() -> Vec<&'static RuleMeta> {
    let mut v: Vec<&'static RuleMeta> = [&AGW000, &crate::suppress::AGW900, &AGW901]
        .into_iter()
        .chain(REGISTRY.iter().map(|r| r.meta()))
        .collect();
    v.sort_by_key(|m| m.id);
    v
}

/// The rule (of the registry) with this ID; `None` for AGW000, AGW900, AGW901 and unknown IDs.
pub fn find_rule(id: &str) -> Option<&'static dyn Rule> {
    REGISTRY.iter().copied().find(|r| r.meta().id == id)
}

/// Metadata by ID or name (case-insensitive).
pub fn find_meta(id_or_name: &str) -> Option<&'static RuleMeta> {
    all_meta()
        .into_iter()
        .find(|m| m.id.eq_ignore_ascii_case(id_or_name) || m.name.eq_ignore_ascii_case(id_or_name))
}

/// Runs every rule on the model: findings and skipped checks.
pub fn run_all(model: &Model, assume: Assumptions) -> (Vec<Finding>, Vec<Skipped>) {
    let mut findings = Vec::new();
    let mut skipped = Vec::new();
    for rule in REGISTRY {
        let mut cx = RuleCx::new(rule.meta(), None, assume);
        rule.check(model, &mut cx);
        let (f, s) = cx.finish();
        findings.extend(f);
        skipped.extend(s);
    }
    (findings, skipped)
}

/// The longest message, help or label text a finding carries (characters).
pub const MAX_MESSAGE: usize = 2000;

/// Shortens `t` to at most [`MAX_MESSAGE`] characters, ending in `…` when cut.
fn cap_text(t: &mut String) {
    if t.chars().count() <= MAX_MESSAGE {
        return;
    }
    let cut: String = t.chars().take(MAX_MESSAGE - 1).collect();
    *t = cut + "…";
}

/// How many items an enumerating message lists before "and N more".
pub const LIST_CAP: usize = 10;

/// Joins `items` with ", " for a message: duplicates removed (first kept), at most
/// [`LIST_CAP`] shown, then "and N more".
pub fn capped_list<S: AsRef<str>>(items: &[S]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for i in items {
        let i = i.as_ref();
        if !seen.contains(&i) {
            seen.push(i);
        }
    }
    let more = seen.len().saturating_sub(LIST_CAP);
    let mut out = seen
        .iter()
        .take(LIST_CAP)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if more > 0 {
        out.push_str(&format!(" and {more} more"));
    }
    out
}

#[cfg(test)]
mod cap_tests {
    use super::*;

    #[test]
    fn lists_are_deduplicated_and_capped() {
        let items: Vec<String> = (0..47).map(|i| format!("r{i}")).collect();
        let mut with_dups = items.clone();
        with_dups.extend(items.iter().cloned());
        let s = capped_list(&with_dups);
        assert!(s.starts_with("r0, r1,"), "{s}");
        assert!(s.ends_with("r9 and 37 more"), "{s}");
        assert_eq!(capped_list(&["a", "a", "b"]), "a, b");
    }

    #[test]
    fn long_text_is_cut() {
        let mut t = "x".repeat(5000);
        cap_text(&mut t);
        assert_eq!(t.chars().count(), MAX_MESSAGE);
        assert!(t.ends_with('…'));
    }
}
