//! Application Gateway and its sub-resources.
//!
//! Sub-resources (pools, settings, probes, listeners...) are collections in the lattice: a
//! `dynamic` block or property `copy` over an Unknown collection makes the whole collection
//! Unknown. Sub-resource references inside a gateway are by name ([`SubRef`]).

use super::{Coll, Ref, Resource, Val};
use crate::source::Span;

/// A reference to a sibling sub-resource of the same gateway, by name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubRef {
    /// The referenced name (ARM: the last segment of the id; Terraform: the `*_name` value).
    pub name: Val<String>,
    /// ARM only: set when the id is Known but points elsewhere than expected, e.g. into another
    /// collection (`.../probes/x` where a pool was expected) or another gateway. Describes the
    /// mismatch for messages. Boxed: it is rare, and a gateway holds dozens of references.
    pub mismatch: Option<Box<str>>,
}

impl SubRef {
    /// A reference that is not written.
    pub fn absent() -> Self {
        SubRef::default()
    }

    /// A reference by name.
    pub fn named(name: Val<String>) -> Self {
        SubRef {
            name,
            mismatch: None,
        }
    }
}

/// `sku`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sku {
    /// `sku.name` (`Standard_v2`, `WAF_Medium`...).
    pub name: Val<String>,
    /// `sku.tier`.
    pub tier: Val<String>,
    /// `sku.capacity` (instance count).
    pub capacity: Val<i64>,
    /// The `sku` object or block, when written.
    pub span: Option<Span>,
}

/// `autoscaleConfiguration` / `autoscale_configuration`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Autoscale {
    /// `minCapacity`.
    pub min_capacity: Val<i64>,
    /// `maxCapacity` (Azure default 10).
    pub max_capacity: Val<i64>,
    /// The object or block.
    pub span: Span,
}

/// `identity`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Identity {
    /// `type` (`UserAssigned`, `SystemAssigned, UserAssigned`...).
    pub kind: Val<String>,
    /// User-assigned identity ids.
    pub ids: Coll<Val<String>>,
    /// The object or block.
    pub span: Span,
}

/// A key/value pair such as a tag or an app setting.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeyValue {
    /// The key as written.
    pub key: String,
    /// The value.
    pub value: Val<String>,
    /// The key's span.
    pub span: Span,
}

/// `gatewayIPConfigurations[]` / `gateway_ip_configuration`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GatewayIpConfig {
    /// Name.
    pub name: Val<String>,
    /// The subnet the gateway is deployed into.
    pub subnet: Ref,
    /// The element.
    pub span: Span,
}

/// `frontendIPConfigurations[]` / `frontend_ip_configuration`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FrontendIp {
    /// Name.
    pub name: Val<String>,
    /// Public IP reference (Absent for a private frontend).
    pub public_ip: Ref,
    /// Static private IP address.
    pub private_ip: Val<String>,
    /// `privateIPAllocationMethod`.
    pub private_allocation: Val<String>,
    /// Subnet (private frontends).
    pub subnet: Ref,
    /// The element.
    pub span: Span,
}

/// `frontendPorts[]` / `frontend_port`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FrontendPort {
    /// Name.
    pub name: Val<String>,
    /// Port number.
    pub port: Val<i64>,
    /// The element.
    pub span: Span,
}

/// `httpListeners[]` / `http_listener`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Listener {
    /// Name.
    pub name: Val<String>,
    /// Frontend IP configuration.
    pub frontend_ip: SubRef,
    /// Frontend port.
    pub frontend_port: SubRef,
    /// `Http` / `Https`.
    pub protocol: Val<String>,
    /// `hostName` (single).
    pub host_name: Val<String>,
    /// `hostNames` (multi).
    pub host_names: Coll<Val<String>>,
    /// SSL certificate.
    pub ssl_certificate: SubRef,
    /// SSL profile.
    pub ssl_profile: SubRef,
    /// `requireServerNameIndication`.
    pub require_sni: Val<bool>,
    /// Per-listener WAF policy.
    pub firewall_policy: Ref,
    /// The element.
    pub span: Span,
}

/// One entry of a backend pool.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BackendAddress {
    /// `fqdn`.
    pub fqdn: Val<String>,
    /// `ipAddress`.
    pub ip_address: Val<String>,
    /// Set when the value is a runtime reference to a resource in the scan
    /// (`reference(site).defaultHostName`, `azurerm_linux_function_app.fn.default_hostname`,
    /// a private endpoint's IP): the resource it came from.
    pub source: Ref,
    /// The attribute the runtime reference read (`defaultHostName`, `default_hostname`,
    /// `private_ip_address`...), when `source` is set.
    pub source_attribute: Option<String>,
    /// The element (ARM: the address object; Terraform: the list element).
    pub span: Span,
}

/// `backendAddressPools[]` / `backend_address_pool`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BackendPool {
    /// Name.
    pub name: Val<String>,
    /// Addresses (FQDNs and IPs, in order).
    pub addresses: Coll<BackendAddress>,
    /// The element.
    pub span: Span,
}

/// `backendHttpSettingsCollection[]` / `backend_http_settings`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BackendSettings {
    /// Name.
    pub name: Val<String>,
    /// Port.
    pub port: Val<i64>,
    /// `Http` / `Https`.
    pub protocol: Val<String>,
    /// `cookieBasedAffinity`.
    pub cookie_based_affinity: Val<String>,
    /// `requestTimeout` seconds (ARM omitted ⇒ 30 observed; Terraform default 30).
    pub request_timeout: Val<i64>,
    /// `pickHostNameFromBackendAddress` (default false).
    pub pick_host_name: Val<bool>,
    /// `hostName` override.
    pub host_name: Val<String>,
    /// `path` override.
    pub path: Val<String>,
    /// Custom probe.
    pub probe: SubRef,
    /// `probeEnabled` (legacy).
    pub probe_enabled: Val<bool>,
    /// Trusted root certificates (v2).
    pub trusted_root_certificates: Coll<SubRef>,
    /// Authentication certificates (v1).
    pub authentication_certificates: Coll<SubRef>,
    /// `validateCertChainAndExpiry` / `certificate_chain_validation_enabled`.
    pub validate_cert_chain: Val<bool>,
    /// `validateSNI` / `sni_validation_enabled`.
    pub validate_sni: Val<bool>,
    /// `sniName`.
    pub sni_name: Val<String>,
    /// The element.
    pub span: Span,
}

/// `probes[]` / `probe`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Probe {
    /// Name.
    pub name: Val<String>,
    /// `Http` / `Https` / `Tcp` / `Tls`.
    pub protocol: Val<String>,
    /// `host`.
    pub host: Val<String>,
    /// `path`.
    pub path: Val<String>,
    /// `interval` seconds (default 30).
    pub interval: Val<i64>,
    /// `timeout` seconds (default 30).
    pub timeout: Val<i64>,
    /// `unhealthyThreshold` (default 3).
    pub unhealthy_threshold: Val<i64>,
    /// `pickHostNameFromBackendHttpSettings` (default false).
    pub pick_host_from_settings: Val<bool>,
    /// `port` (v2).
    pub port: Val<i64>,
    /// `minServers`.
    pub min_servers: Val<i64>,
    /// `match` present at all.
    pub has_match: Val<bool>,
    /// `match.statusCodes` (default 200-399).
    pub match_status_codes: Coll<Val<String>>,
    /// `match.body`.
    pub match_body: Val<String>,
    /// The element.
    pub span: Span,
}

/// `requestRoutingRules[]` / `request_routing_rule`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RoutingRule {
    /// Name.
    pub name: Val<String>,
    /// `Basic` / `PathBasedRouting`.
    pub rule_type: Val<String>,
    /// `priority`.
    pub priority: Val<i64>,
    /// Listener.
    pub listener: SubRef,
    /// Backend pool (Basic).
    pub pool: SubRef,
    /// Backend settings (Basic).
    pub settings: SubRef,
    /// URL path map (PathBasedRouting).
    pub url_path_map: SubRef,
    /// Redirect configuration.
    pub redirect: SubRef,
    /// Rewrite rule set.
    pub rewrite_rule_set: SubRef,
    /// The element.
    pub span: Span,
}

/// `urlPathMaps[].pathRules[]` / `path_rule`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PathRule {
    /// Name.
    pub name: Val<String>,
    /// Paths.
    pub paths: Coll<Val<String>>,
    /// Backend pool.
    pub pool: SubRef,
    /// Backend settings.
    pub settings: SubRef,
    /// Redirect configuration.
    pub redirect: SubRef,
    /// Rewrite rule set.
    pub rewrite_rule_set: SubRef,
    /// The element.
    pub span: Span,
}

/// `urlPathMaps[]` / `url_path_map`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UrlPathMap {
    /// Name.
    pub name: Val<String>,
    /// Default backend pool.
    pub default_pool: SubRef,
    /// Default backend settings.
    pub default_settings: SubRef,
    /// Default redirect configuration.
    pub default_redirect: SubRef,
    /// Default rewrite rule set.
    pub default_rewrite_rule_set: SubRef,
    /// Path rules.
    pub path_rules: Coll<PathRule>,
    /// The element.
    pub span: Span,
}

/// `redirectConfigurations[]` / `redirect_configuration`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Redirect {
    /// Name.
    pub name: Val<String>,
    /// Target listener.
    pub target_listener: SubRef,
    /// Target URL.
    pub target_url: Val<String>,
    /// The element.
    pub span: Span,
}

/// `sslCertificates[]` / `ssl_certificate`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SslCertificate {
    /// Name.
    pub name: Val<String>,
    /// `data` (only whether it is written matters; the value is a secret).
    pub data: Val<String>,
    /// `keyVaultSecretId`.
    pub key_vault_secret_id: Val<String>,
    /// The element.
    pub span: Span,
}

/// A sub-resource the model only needs by name (rewrite rule sets, trusted roots, SSL profiles...).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Named {
    /// Name.
    pub name: Val<String>,
    /// The element.
    pub span: Span,
}

/// `sslPolicy` / `ssl_policy`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SslPolicy {
    /// `policyType` (`Predefined`, `Custom`, `CustomV2`).
    pub policy_type: Val<String>,
    /// `policyName` (`AppGwSslPolicy20220101`...).
    pub policy_name: Val<String>,
    /// `minProtocolVersion`.
    pub min_protocol_version: Val<String>,
    /// `disabledSslProtocols`.
    pub disabled_protocols: Coll<Val<String>>,
    /// `cipherSuites`.
    pub cipher_suites: Coll<Val<String>>,
    /// The object or block.
    pub span: Span,
}

/// `webApplicationFirewallConfiguration` / `waf_configuration`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WafConfig {
    /// `enabled`.
    pub enabled: Val<bool>,
    /// `firewallMode` (`Detection` / `Prevention`).
    pub mode: Val<String>,
    /// `ruleSetType`.
    pub rule_set_type: Val<String>,
    /// `ruleSetVersion`.
    pub rule_set_version: Val<String>,
    /// `requestBodyCheck`.
    pub request_body_check: Val<bool>,
    /// `maxRequestBodySizeInKb`.
    pub max_request_body_kb: Val<i64>,
    /// The object or block.
    pub span: Span,
}

/// An Application Gateway.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Gateway {
    /// Common resource header.
    pub res: Resource,
    /// ARM `apiVersion` (Absent for Terraform).
    pub api_version: Val<String>,
    /// `sku`.
    pub sku: Sku,
    /// `autoscaleConfiguration` (Absent when not written).
    pub autoscale: Val<Autoscale>,
    /// Top-level `zones`.
    pub zones: Coll<Val<String>>,
    /// `identity`.
    pub identity: Val<Identity>,
    /// `tags`.
    pub tags: Coll<KeyValue>,
    /// `enableHttp2` / `http2_enabled`.
    pub http2: Val<bool>,
    /// Gateway IP configurations (the subnet).
    pub gateway_ip_configs: Coll<GatewayIpConfig>,
    /// Frontend IP configurations.
    pub frontend_ips: Coll<FrontendIp>,
    /// Frontend ports.
    pub frontend_ports: Coll<FrontendPort>,
    /// HTTP listeners.
    pub listeners: Coll<Listener>,
    /// Backend address pools.
    pub pools: Coll<BackendPool>,
    /// Backend HTTP settings.
    pub settings: Coll<BackendSettings>,
    /// Health probes.
    pub probes: Coll<Probe>,
    /// Request routing rules.
    pub rules: Coll<RoutingRule>,
    /// URL path maps.
    pub url_path_maps: Coll<UrlPathMap>,
    /// Redirect configurations.
    pub redirects: Coll<Redirect>,
    /// Rewrite rule sets.
    pub rewrite_rule_sets: Coll<Named>,
    /// SSL certificates.
    pub ssl_certificates: Coll<SslCertificate>,
    /// SSL profiles.
    pub ssl_profiles: Coll<Named>,
    /// Trusted root certificates (v2).
    pub trusted_root_certificates: Coll<Named>,
    /// Authentication certificates (v1).
    pub authentication_certificates: Coll<Named>,
    /// `sslPolicy` (Absent ⇒ service default).
    pub ssl_policy: Val<SslPolicy>,
    /// Inline WAF configuration.
    pub waf: Val<WafConfig>,
    /// `firewallPolicy` / `firewall_policy_id`.
    pub firewall_policy: Ref,
    /// The routed pairs by position, computed on first use of [`Gateway::pairs`].
    pub pairs_cache: PairsCache,
}

/// Where one routed (listener, pool, settings) tuple is: positions in the gateway's
/// collections.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PairAt {
    pub(crate) listener: Option<usize>,
    pub(crate) pool: usize,
    pub(crate) settings: usize,
    pub(crate) via_span: Span,
    pub(crate) source: super::query::PairSource,
}

/// [`Gateway::pairs`], computed once per gateway ([`super::Memo`]): a dozen rules ask for the
/// pairs of every gateway, and resolving every rule's names each time was a few percent of a
/// scan.
#[derive(Default, Clone, PartialEq, Debug)]
pub struct PairsCache(pub(crate) super::Memo<(Vec<PairAt>, bool)>);
