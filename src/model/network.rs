//! Networking around the gateway: VNets, subnets, NSGs, route tables, private endpoints, DNS,
//! public IPs, diagnostics, WAF policies.

use super::{Coll, Ref, Resource, Val};
use crate::source::Span;

/// A VNet peering.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Peering {
    /// Name.
    pub name: Val<String>,
    /// The remote VNet.
    pub remote_vnet: Ref,
    /// `allowVirtualNetworkAccess` / `allow_virtual_network_access` (Absent ⇒ true).
    pub allow_access: Val<bool>,
    /// The element.
    pub span: Span,
}

/// A virtual network.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VirtualNetwork {
    /// Common resource header.
    pub res: Resource,
    /// Address space prefixes.
    pub address_space: Coll<Val<String>>,
    /// `dhcpOptions.dnsServers` / `dns_servers` (Absent ⇒ Azure DNS).
    pub dns_servers: Coll<Val<String>>,
    /// Peerings (inline or child).
    pub peerings: Coll<Peering>,
}

/// A subnet delegation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Delegation {
    /// `serviceName` (`Microsoft.Web/serverFarms`...).
    pub service: Val<String>,
    /// The element.
    pub span: Span,
}

/// A subnet (inline in a VNet, `virtualNetworks/subnets`, or `azurerm_subnet`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Subnet {
    /// Common resource header; the name is the subnet's own name.
    pub res: Resource,
    /// The parent VNet.
    pub vnet: Ref,
    /// `addressPrefix` / `addressPrefixes`.
    pub prefixes: Coll<Val<String>>,
    /// NSG attached (ARM `networkSecurityGroup.id`, Terraform association resources).
    pub nsg: Ref,
    /// Where the NSG attachment is written (ARM property or Terraform association).
    pub nsg_span: Option<Span>,
    /// Route table attached.
    pub route_table: Ref,
    /// Where the route table attachment is written.
    pub route_table_span: Option<Span>,
    /// Service endpoints (`Microsoft.Web`...).
    pub service_endpoints: Coll<Val<String>>,
    /// `serviceEndpointPolicies` present.
    pub service_endpoint_policies: Coll<Ref>,
    /// Delegations.
    pub delegations: Coll<Delegation>,
    /// NAT gateway.
    pub nat_gateway: Ref,
}

/// One NSG rule (inline or child resource).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SecurityRule {
    /// Name.
    pub name: Val<String>,
    /// `Inbound` / `Outbound`.
    pub direction: Val<String>,
    /// `Allow` / `Deny`.
    pub access: Val<String>,
    /// 100–4096.
    pub priority: Val<i64>,
    /// `Tcp`, `Udp`, `Icmp`, `*`...
    pub protocol: Val<String>,
    /// Source prefixes (`sourceAddressPrefix` and `sourceAddressPrefixes` merged).
    pub source_prefixes: Coll<Val<String>>,
    /// Destination prefixes (merged).
    pub destination_prefixes: Coll<Val<String>>,
    /// Destination port ranges (merged), e.g. `65200-65535`, `*`.
    pub destination_ports: Coll<Val<String>>,
    /// Source port ranges (merged).
    pub source_ports: Coll<Val<String>>,
    /// The element.
    pub span: Span,
}

/// A network security group with inline and child rules merged.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NetworkSecurityGroup {
    /// Common resource header.
    pub res: Resource,
    /// Rules.
    pub rules: Coll<SecurityRule>,
    /// Terraform: the whole `azurerm_network_security_group` block (header to closing brace),
    /// where an inline `security_rule` can be added. `None` for ARM and Bicep (their inline
    /// list is the span of [`NetworkSecurityGroup::rules`]).
    pub block: Option<Span>,
    /// The rules' prefixes and ports parsed, on first use by an evaluation.
    pub parsed: RulesCache,
}

/// The prefixes and ports of an NSG's rules, parsed once per NSG ([`super::Memo`],
/// [`super::query_network::evaluate`]): three rules evaluate up to a flow per listener against
/// every rule, and parsing every prefix and port range each time was 4 % of a scan's
/// instructions.
#[derive(Default, Clone, PartialEq, Debug)]
pub struct RulesCache(pub(crate) super::Memo<Vec<super::query_network::ParsedRule>>);

/// One route.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Route {
    /// Name.
    pub name: Val<String>,
    /// `addressPrefix`.
    pub address_prefix: Val<String>,
    /// `nextHopType`.
    pub next_hop_type: Val<String>,
    /// `nextHopIpAddress`.
    pub next_hop_ip: Val<String>,
    /// The element.
    pub span: Span,
}

/// A route table with inline and child routes merged.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RouteTable {
    /// Common resource header.
    pub res: Resource,
    /// Routes.
    pub routes: Coll<Route>,
    /// `disableBgpRoutePropagation` (Terraform v4 `bgp_route_propagation_enabled` inverted).
    pub disable_bgp_route_propagation: Val<bool>,
}

/// A private link connection of a private endpoint.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PrivateLinkConnection {
    /// The target resource (`privateLinkServiceId`).
    pub target: Ref,
    /// `groupIds` / `subresource_names` (`sites`).
    pub group_ids: Coll<Val<String>>,
    /// The element.
    pub span: Span,
}

/// A private endpoint.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PrivateEndpoint {
    /// Common resource header.
    pub res: Resource,
    /// The subnet it sits in.
    pub subnet: Ref,
    /// Connections (manual ones included).
    pub connections: Coll<PrivateLinkConnection>,
    /// Private DNS zones of its zone groups.
    pub dns_zones: Coll<Ref>,
}

/// A VNet link of a private DNS zone.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DnsZoneLink {
    /// Name.
    pub name: Val<String>,
    /// The linked VNet.
    pub vnet: Ref,
    /// Where it is declared.
    pub span: Span,
}

/// An A record of a private DNS zone.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DnsARecord {
    /// Relative name.
    pub name: Val<String>,
    /// IPv4 addresses.
    pub addresses: Coll<Val<String>>,
    /// Where it is declared.
    pub span: Span,
}

/// A private DNS zone (`privatelink.azurewebsites.net`...).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PrivateDnsZone {
    /// Common resource header; the name is the zone name.
    pub res: Resource,
    /// VNet links (child resources or Terraform link resources).
    pub links: Coll<DnsZoneLink>,
    /// A records.
    pub a_records: Coll<DnsARecord>,
}

/// A public IP address.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PublicIp {
    /// Common resource header.
    pub res: Resource,
    /// `zones`.
    pub zones: Coll<Val<String>>,
    /// `sku.name` (`Basic`, `Standard`).
    pub sku: Val<String>,
    /// `publicIPAllocationMethod`.
    pub allocation: Val<String>,
}

/// One log category (or category group) of a diagnostic setting.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DiagnosticLog {
    /// `category` (`ApplicationGatewayAccessLog`...).
    pub category: Val<String>,
    /// `categoryGroup` (`allLogs`...).
    pub category_group: Val<String>,
    /// `enabled` (default true in Terraform `enabled_log`).
    pub enabled: Val<bool>,
    /// The element.
    pub span: Span,
}

/// A diagnostic setting (ARM extension resource with `scope`, `providers/diagnosticSettings`
/// child, `azurerm_monitor_diagnostic_setting`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DiagnosticSetting {
    /// Common resource header.
    pub res: Resource,
    /// The resource it applies to.
    pub target: Ref,
    /// Log categories.
    pub logs: Coll<DiagnosticLog>,
    /// True when a destination (workspace, storage, event hub, partner) is written.
    pub has_destination: Val<bool>,
}

/// A WAF policy (`ApplicationGatewayWebApplicationFirewallPolicies`,
/// `azurerm_web_application_firewall_policy`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WafPolicy {
    /// Common resource header.
    pub res: Resource,
    /// `policySettings.state` mapped to enabled.
    pub enabled: Val<bool>,
    /// `policySettings.mode`.
    pub mode: Val<String>,
    /// `policySettings.requestBodyCheck`.
    pub request_body_check: Val<bool>,
    /// `policySettings.maxRequestBodySizeInKb`.
    pub max_request_body_kb: Val<i64>,
    /// `policySettings.requestBodyInspectLimitInKB`.
    pub request_body_inspect_limit_kb: Val<i64>,
}

/// A NAT gateway.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NatGateway {
    /// Common resource header.
    pub res: Resource,
}

/// Something that puts members into a gateway backend pool from outside the gateway: a NIC
/// ip configuration, a scale set, or a Terraform association resource.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PoolMembership {
    /// Common resource header of the NIC / scale set / association.
    pub res: Resource,
    /// The gateway whose pool is referenced.
    pub gateway: Ref,
    /// The pool name.
    pub pool: Val<String>,
}

/// A virtual network gateway (VPN / ExpressRoute).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VnetGateway {
    /// Common resource header.
    pub res: Resource,
    /// The `GatewaySubnet` it uses.
    pub subnet: Ref,
}

/// A resource other than a gateway that uses a subnet (NIC, private endpoint, VNet integration,
/// container group...). Feeds the subnet-dedication check.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubnetUser {
    /// Common resource header of the user.
    pub res: Resource,
    /// The subnet used.
    pub subnet: Ref,
    /// What kind of use (`network interface`, `VNet integration`...), for messages.
    pub usage: String,
    /// Where the subnet reference is written.
    pub span: Span,
}
