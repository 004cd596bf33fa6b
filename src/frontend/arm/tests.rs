//! Front-end tests: templates in, model out.

use std::path::{Path, PathBuf};

use super::load_template;
use crate::frontend::{FrontendOptions, UnitOutput};
use crate::model::{Lattice, Lookup, Model, UnitId};
use crate::source::SourceMap;

fn load_at(path: &Path, text: &str, opts: &FrontendOptions) -> (UnitOutput, SourceMap) {
    let sources = SourceMap::new();
    let out = load_template(path, "t.json", text, UnitId(0), &sources, opts);
    (out, sources)
}

fn load(text: &str) -> Model {
    let (out, _) = load_at(
        Path::new("/nonexistent/t.json"),
        text,
        &FrontendOptions::default(),
    );
    assert!(!out.skipped, "skipped: {:?}", out.notes);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    out.model
}

fn tpl(params: &str, variables: &str, resources: &str) -> String {
    format!(
        r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {{ {params} }},
  "variables": {{ {variables} }},
  "resources": [ {resources} ]
}}"#
    )
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("agwlint-arm-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

const GW: &str = r#"{
  "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01",
  "name": "[parameters('gwName')]", "location": "westeurope",
  "properties": {
    "sku": { "name": "[parameters('sku')]", "tier": "Standard_v2", "capacity": 2 },
    "backendAddressPools": [ { "name": "pool", "properties": { "backendAddresses": [
      { "fqdn": "[reference(resourceId('Microsoft.Web/sites', parameters('fn'))).defaultHostName]" } ] } } ],
    "backendHttpSettingsCollection": [ { "name": "s", "properties": {
      "Port": 443, "Protocol": "Https", "PickHostNameFromBackendAddress": false,
      "probe": { "id": "[resourceId('Microsoft.Network/applicationGateways/probes', parameters('gwName'), 'p')]" } } } ],
    "requestRoutingRules": [ { "name": "r", "properties": { "ruleType": "Basic",
      "httpListener": { "id": "[concat(resourceId('Microsoft.Network/applicationGateways', parameters('gwName')), '/httpListeners/l')]" },
      "backendAddressPool": { "id": "[format('{0}/backendAddressPools/{1}', resourceId('Microsoft.Network/applicationGateways', parameters('gwName')), 'pool')]" },
      "backendHttpSettings": { "id": "[resourceId('Microsoft.Network/applicationGateways/probes', parameters('gwName'), 's')]" } } } ]
  }
}"#;

const SITE: &str = r#"{
  "type": "Microsoft.Web/sites", "apiVersion": "2023-01-01", "name": "[parameters('fn')]",
  "kind": "functionapp,linux",
  "properties": { "httpsOnly": true, "siteConfig": { "minTlsVersion": "1.2",
     "appSettings": [ { "name": "FUNCTIONS_EXTENSION_VERSION", "value": "~4" } ] } },
  "resources": [ { "type": "config", "name": "web", "apiVersion": "2023-01-01",
     "properties": { "ipSecurityRestrictionsDefaultAction": "Deny" } } ]
}"#;

#[test]
fn gateway_site_link_params_and_subrefs() {
    let text = tpl(
        r#""gwName": { "type": "string", "defaultValue": "agw" },
           "sku": { "type": "string", "defaultValue": "Standard_v2" },
           "fn": { "type": "string", "defaultValue": "func-a" }"#,
        "",
        &format!("{GW}, {SITE}"),
    );
    let m = load(&text);
    assert_eq!(m.gateways.len(), 1);
    let g = &m.gateways[0];
    assert_eq!(g.res.label, "Microsoft.Network/applicationGateways/agw");
    assert_eq!(g.sku.name.as_str(), Some("Standard_v2"));
    assert_eq!(g.sku.name.origins[0].label, "default of parameter `sku`");
    let pool = &g.pools.items().unwrap()[0];
    let addr = &pool.addresses.items().unwrap()[0];
    assert!(addr.fqdn.is_unknown());
    assert_eq!(addr.source_attribute.as_deref(), Some("defaultHostName"));
    let site = m.site_of_address(addr).found().expect("linked site");
    assert_eq!(
        site.default_host_name.as_str(),
        Some("func-a.azurewebsites.net")
    );
    assert_eq!(site.is_function.get(), Some(&true));
    // config/web child merged; inline app settings kept.
    assert_eq!(site.ip_restriction_default_action.as_str(), Some("Deny"));
    assert_eq!(site.app_settings.items().unwrap().len(), 1);
    // Case-insensitive property names.
    let s = &g.settings.items().unwrap()[0];
    assert_eq!(s.port.get(), Some(&443));
    assert_eq!(s.pick_host_name.get(), Some(&false));
    assert_eq!(s.probe.name.as_str(), Some("p"));
    assert!(s.probe.mismatch.is_none());
    let r = &g.rules.items().unwrap()[0];
    assert_eq!(r.listener.name.as_str(), Some("l"));
    assert_eq!(r.pool.name.as_str(), Some("pool"));
    // A settings reference that points into `probes`.
    assert!(r.settings.mismatch.as_deref().unwrap().contains("probes"));
}

#[test]
fn parameter_without_default_is_unknown_and_parameter_file_wins() {
    let dir = tmpdir("params");
    let text = tpl(
        r#""gwName": { "type": "string", "defaultValue": "agw" },
           "sku": { "type": "string" },
           "fn": { "type": "string", "defaultValue": "func-a" }"#,
        "",
        GW,
    );
    let path = dir.join("main.json");
    let (out, _) = load_at(&path, &text, &FrontendOptions::default());
    assert!(out.model.gateways[0].sku.name.is_unknown());
    std::fs::write(
        dir.join("main.parameters.json"),
        r#"{ "parameters": { "sku": { "value": "WAF_Medium" }, "gwName": { "value": "other" } } }"#,
    )
    .unwrap();
    let (out, _) = load_at(&path, &text, &FrontendOptions::default());
    assert_eq!(out.files, 2);
    let g = &out.model.gateways[0];
    assert_eq!(g.sku.name.as_str(), Some("WAF_Medium"));
    assert_eq!(g.sku.name.origins[0].label, "parameter file value of `sku`");
    assert_eq!(g.res.name.as_str(), Some("other"));
    // An explicit --parameters file applies on top of the one beside the template: its values
    // win, the sibling's other values stay.
    let explicit = dir.join("explicit.json");
    std::fs::write(
        &explicit,
        r#"{ "parameters": { "sku": { "value": "Standard_v2" } } }"#,
    )
    .unwrap();
    let opts = FrontendOptions {
        parameters: vec![explicit],
        ..Default::default()
    };
    let (out, _) = load_at(&path, &text, &opts);
    assert_eq!(out.model.gateways[0].sku.name.as_str(), Some("Standard_v2"));
    assert_eq!(out.model.gateways[0].res.name.as_str(), Some("other"));
}

#[test]
fn variables_copy_variables_and_cycles() {
    let text = tpl(
        "",
        r#""a": "[variables('b')]", "b": "[variables('a')]",
           "base": "nsg", "name": "[concat(variables('base'), '-x')]",
           "copy": [ { "name": "ports", "count": 2, "input": "[add(80, copyIndex('ports'))]" } ]"#,
        r#"{ "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01",
             "name": "[variables('name')]",
             "properties": { "securityRules": [ { "name": "r", "properties": {
               "direction": "[variables('a')]", "destinationPortRanges": "[variables('ports')]" } } ] } }"#,
    );
    let m = load(&text);
    let nsg = &m.nsgs[0];
    assert_eq!(nsg.res.name.as_str(), Some("nsg-x"));
    let rule = &nsg.rules.items().unwrap()[0];
    assert!(rule.direction.is_unknown(), "a cycle is Unknown");
    let ports: Vec<_> = rule
        .destination_ports
        .items()
        .unwrap()
        .iter()
        .map(|p| p.get().cloned().unwrap())
        .collect();
    assert_eq!(ports, ["80", "81"]);
}

#[test]
fn resource_copy_condition_and_property_copy() {
    let text = tpl(
        r#""n": { "type": "int", "defaultValue": 3 }, "u": { "type": "int" },
           "flag": { "type": "bool" }"#,
        "",
        r#"{ "type": "Microsoft.Network/routeTables", "apiVersion": "2023-09-01",
             "name": "[concat('rt', copyIndex())]", "copy": { "name": "rts", "count": "[parameters('n')]" },
             "properties": { "routes": [] } },
           { "type": "Microsoft.Network/routeTables", "apiVersion": "2023-09-01",
             "name": "[concat('u', copyIndex())]", "copy": { "name": "us", "count": "[parameters('u')]" } },
           { "type": "Microsoft.Network/routeTables", "apiVersion": "2023-09-01", "name": "off",
             "condition": false },
           { "type": "Microsoft.Network/routeTables", "apiVersion": "2023-09-01", "name": "maybe",
             "condition": "[parameters('flag')]" },
           { "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01", "name": "gw",
             "properties": { "copy": [
               { "name": "backendAddressPools", "count": "[parameters('n')]",
                 "input": { "name": "[concat('p', copyIndex('backendAddressPools'))]" } },
               { "name": "probes", "count": "[parameters('u')]", "input": { "name": "x" } } ] } }"#,
    );
    let m = load(&text);
    let names: Vec<_> = m
        .route_tables
        .iter()
        .map(|r| r.res.name.get().cloned().unwrap_or_else(|| "?".into()))
        .collect();
    assert_eq!(names, ["rt0", "rt1", "rt2", "?", "maybe"]);
    assert!(m.route_tables[4].res.condition.is_unknown());
    let g = &m.gateways[0];
    let pools: Vec<_> = g
        .pools
        .items()
        .unwrap()
        .iter()
        .map(|p| p.name.get().cloned().unwrap())
        .collect();
    assert_eq!(pools, ["p0", "p1", "p2"]);
    assert!(g.probes.is_unknown());
}

#[test]
fn nested_deployments_inner_outer_and_outputs() {
    let text = tpl(
        r#""fn": { "type": "string", "defaultValue": "func-b" }"#,
        r#""outerVar": "outer-nsg""#,
        r#"{ "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "siteDeploy",
             "properties": { "mode": "Incremental",
               "expressionEvaluationOptions": { "scope": "inner" },
               "parameters": { "name": { "value": "[parameters('fn')]" } },
               "template": {
                 "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                 "contentVersion": "1.0.0.0",
                 "parameters": { "name": { "type": "string" } },
                 "resources": [ { "type": "Microsoft.Web/sites", "apiVersion": "2023-01-01",
                   "name": "[parameters('name')]", "kind": "functionapp" } ],
                 "outputs": { "host": { "type": "string",
                   "value": "[reference(resourceId('Microsoft.Web/sites', parameters('name'))).defaultHostName]" } } } } },
           { "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "outerDeploy",
             "properties": { "mode": "Incremental",
               "template": {
                 "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                 "contentVersion": "1.0.0.0",
                 "resources": [ { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01",
                   "name": "[variables('outerVar')]" } ] } } },
           { "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01", "name": "gw",
             "properties": { "backendAddressPools": [ { "name": "p", "properties": { "backendAddresses": [
               { "fqdn": "[reference('siteDeploy').outputs.host.value]" },
               { "fqdn": "[reference(resourceId('Microsoft.Resources/deployments', 'siteDeploy'), '2022-09-01').outputs.host.value]" } ] } } ] } }"#,
    );
    let m = load(&text);
    assert_eq!(m.sites[0].res.name.as_str(), Some("func-b"));
    assert_eq!(m.nsgs[0].res.name.as_str(), Some("outer-nsg"));
    let addrs = m.gateways[0].pools.items().unwrap()[0]
        .addresses
        .items()
        .unwrap();
    for a in addrs {
        let site = m
            .site_of_address(a)
            .found()
            .expect("site through deployment outputs");
        assert_eq!(site.res.name.as_str(), Some("func-b"));
    }
}

#[test]
fn linked_relative_path_is_loaded_when_present() {
    let dir = tmpdir("linked");
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    std::fs::write(
        dir.join("nested/gw.json"),
        r#"{ "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
             "contentVersion": "1.0.0.0",
             "parameters": { "sku": { "type": "string" } },
             "resources": [ { "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01",
               "name": "linked-gw", "properties": { "sku": { "name": "[parameters('sku')]" } } } ] }"#,
    )
    .unwrap();
    let text = tpl(
        "",
        "",
        r#"{ "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "[concat('l', copyIndex())]",
             "copy": { "name": "loop", "count": 3 },
             "properties": { "mode": "Incremental", "templateLink": { "relativePath": "nested/gw.json" },
               "parameters": { "sku": { "value": "Standard_Small" } } } },
           { "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "missing",
             "properties": { "mode": "Incremental", "templateLink": { "relativePath": "nested/none.json" } } }"#,
    );
    let (out, sources) = load_at(&dir.join("main.json"), &text, &FrontendOptions::default());
    // Read once although deployed three times.
    assert_eq!(out.files, 2);
    assert_eq!(out.model.gateways.len(), 3);
    let g = &out.model.gateways[0];
    assert_eq!(g.sku.name.as_str(), Some("Standard_Small"));
    assert_eq!(
        g.sku.name.origins[0].label,
        "value of `sku` passed by deployment `l0`"
    );
    assert_eq!(sources.path(g.sku.name.origins[0].span.file), "t.json");
    assert_eq!(sources.path(g.res.span.file), "nested/gw.json");
    assert!(out.notes.iter().any(|n| n.contains("none.json")));
}

#[test]
fn symbolic_names_existing_and_resource_info() {
    let text = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "languageVersion": "2.0", "contentVersion": "1.0.0.0",
  "resources": {
    "vnet": { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "vnet",
      "properties": { "subnets": [ { "name": "agw", "properties": { "addressPrefix": "10.0.0.0/24" } } ] } },
    "sub": { "existing": true, "type": "Microsoft.Network/virtualNetworks/subnets", "apiVersion": "2023-09-01",
      "name": "vnet/agw" },
    "other": { "existing": true, "type": "Microsoft.Web/sites", "apiVersion": "2023-01-01", "name": "ext" },
    "fn": { "type": "Microsoft.Web/sites", "apiVersion": "2023-01-01", "name": "fn-c", "kind": "functionapp" },
    "gw": { "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01", "name": "gw",
      "properties": {
        "gatewayIPConfigurations": [ { "name": "ip", "properties": { "subnet": { "id": "[resourceInfo('sub').id]" } } } ],
        "backendAddressPools": [ { "name": "p", "properties": { "backendAddresses": [
          { "fqdn": "[reference('fn').defaultHostName]" }, { "fqdn": "[reference('other').defaultHostName]" } ] } } ] } }
  }
}"#;
    let m = load(text);
    assert_eq!(m.sites.len(), 1, "existing resources are not modelled");
    assert_eq!(m.subnets.len(), 1);
    let g = &m.gateways[0];
    let sub = &g.gateway_ip_configs.items().unwrap()[0].subnet;
    assert!(matches!(m.subnet(sub), Lookup::Found(_)));
    let addrs = g.pools.items().unwrap()[0].addresses.items().unwrap();
    assert_eq!(
        m.site_of_address(&addrs[0])
            .found()
            .unwrap()
            .res
            .name
            .as_str(),
        Some("fn-c")
    );
    assert!(addrs[1].fqdn.is_unknown());
    assert!(addrs[1].source.is_absent());
}

#[test]
fn child_resources_extension_scope_and_suppressions() {
    let text = tpl(
        "",
        "",
        r#"{ "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01", "name": "nsg",
             "properties": { "securityRules": [ { "name": "inline", "properties": { "priority": 100 } } ] },
             "resources": [ { "type": "securityRules", "name": "nested", "apiVersion": "2023-09-01",
               "properties": { "priority": 200, "sourceAddressPrefix": "*", "sourceAddressPrefixes": ["10.0.0.0/8"] } } ] },
           { "type": "Microsoft.Network/networkSecurityGroups/securityRules", "apiVersion": "2023-09-01",
             "name": "nsg/top", "properties": { "priority": 300 } },
           { "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01", "name": "gw",
             "metadata": { "agwlint": { "ignore": { "AGW010": "custom domain bound elsewhere" } } },
             "resources": [ { "type": "providers/diagnosticSettings", "name": "Microsoft.Insights/d3",
               "apiVersion": "2021-05-01-preview", "properties": { "storageAccountId": "s" } } ] },
           { "type": "Microsoft.Insights/diagnosticSettings", "apiVersion": "2021-05-01-preview", "name": "d1",
             "scope": "[format('Microsoft.Network/applicationGateways/{0}', 'gw')]",
             "properties": { "workspaceId": "x", "logs": [ { "categoryGroup": "allLogs", "enabled": true } ] } },
           { "type": "Microsoft.Network/applicationGateways/providers/diagnosticSettings", "apiVersion": "2021-05-01-preview",
             "name": "gw/Microsoft.Insights/d2", "properties": { } },
           { "type": "Microsoft.Network/privateDnsZones", "apiVersion": "2020-06-01", "name": "privatelink.azurewebsites.net" },
           { "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "apiVersion": "2020-06-01",
             "name": "privatelink.azurewebsites.net/link", "properties": { "virtualNetwork": { "id": "[resourceId('Microsoft.Network/virtualNetworks', 'v')]" } } }"#,
    );
    let m = load(&text);
    let rules = m.nsgs[0].rules.items().unwrap();
    let prios: Vec<_> = rules.iter().map(|r| *r.priority.get().unwrap()).collect();
    assert_eq!(prios, [100, 200, 300]);
    assert_eq!(rules[1].name.as_str(), Some("nested"));
    assert_eq!(rules[1].source_prefixes.items().unwrap().len(), 2);
    assert_eq!(m.gateways[0].res.suppressions[0].rule, "AGW010");
    assert_eq!(m.diagnostic_settings.len(), 3);
    for d in &m.diagnostic_settings {
        assert!(
            matches!(m.gateway(&d.target), Lookup::Found(_)),
            "{:?}",
            d.target
        );
    }
    assert_eq!(m.diagnostic_settings[0].has_destination.get(), Some(&true));
    assert_eq!(m.dns_zones[0].links.items().unwrap().len(), 1);
}

#[test]
fn non_templates_are_skipped_and_bad_json_is_agw000() {
    let (out, _) = load_at(
        Path::new("x.json"),
        r#"{ "name": "package", "version": "1.0.0" }"#,
        &FrontendOptions::default(),
    );
    assert!(out.skipped);
    let (out, _) = load_at(
        Path::new("x.json"),
        r#"{ "contentVersion": "1.0.0.0", "resources": [ "#,
        &FrontendOptions::default(),
    );
    assert!(!out.skipped);
    assert!(
        out.diagnostics[0].message.contains("not valid JSON"),
        "{:?}",
        out.diagnostics
    );
    assert_eq!(out.files, 1);
}

#[test]
fn nic_and_vmss_pool_memberships() {
    let text = tpl(
        "",
        "",
        r#"{ "type": "Microsoft.Network/networkInterfaces", "apiVersion": "2023-09-01", "name": "nic",
             "properties": { "ipConfigurations": [ { "name": "c", "properties": {
               "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]" },
               "applicationGatewayBackendAddressPools": [ { "id": "[resourceId('Microsoft.Network/applicationGateways/backendAddressPools', 'gw', 'pool')]" } ] } } ] } },
           { "type": "Microsoft.ContainerService/managedClusters", "apiVersion": "2024-02-01", "name": "aks",
             "properties": { "addonProfiles": { "ingressApplicationGateway": { "enabled": true,
               "config": { "applicationGatewayId": "[resourceId('Microsoft.Network/applicationGateways', 'gw')]" } } },
               "agentPoolProfiles": [ { "name": "np", "vnetSubnetID": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 'aks')]" } ] } },
           { "type": "Microsoft.ContainerInstance/containerGroups", "apiVersion": "2023-05-01", "name": "aci",
             "properties": { "subnetIds": [ { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 'aci')]" } ],
               "containers": [ { "name": "c", "properties": { "image": "x", "command": ["[concat('a', 'b')]"] } } ] } }"#,
    );
    let m = load(&text);
    assert_eq!(m.pool_members.len(), 2);
    // AGIC may fill any pool of its gateway.
    assert!(m.pool_members[1].pool.is_unknown());
    assert!(matches!(&m.pool_members[1].gateway.state, Lattice::Known(k) if k.name == "gw"));
    assert_eq!(m.pool_members[0].pool.as_str(), Some("pool"));
    assert!(matches!(
        &m.pool_members[0].gateway.state,
        Lattice::Known(k) if k.name == "gw"
    ));
    let used: Vec<_> = m
        .subnet_users
        .iter()
        .map(|u| u.subnet.get().unwrap().name.clone())
        .collect();
    assert_eq!(used, ["v/s", "v/aks", "v/aci"]);
}

#[test]
fn references_into_modules_and_ase_sites() {
    let text = tpl(
        "",
        "",
        r#"{ "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "mod",
             "properties": { "mode": "Incremental", "expressionEvaluationOptions": { "scope": "inner" },
               "template": {
                 "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                 "contentVersion": "1.0.0.0",
                 "resources": [
                   { "type": "Microsoft.Web/sites", "apiVersion": "2023-01-01", "name": "mod-site" },
                   { "type": "Microsoft.Web/sites", "apiVersion": "2023-01-01", "name": "ase-site",
                     "properties": { "hostingEnvironmentProfile": { "id": "x" } } } ] } } },
           { "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01", "name": "gw",
             "properties": { "backendAddressPools": [ { "name": "p", "properties": { "backendAddresses": [
               { "fqdn": "[reference(resourceId('Microsoft.Web/sites', 'mod-site'), '2023-01-01', 'Full').properties.defaultHostName]" },
               { "fqdn": "[reference(resourceId('Microsoft.Web/sites', 'elsewhere')).defaultHostName]" } ] } } ] } }"#,
    );
    let m = load(&text);
    let addrs = m.gateways[0].pools.items().unwrap()[0]
        .addresses
        .items()
        .unwrap();
    let site = m.site_of_address(&addrs[0]).found().expect("module site");
    assert_eq!(site.res.name.as_str(), Some("mod-site"));
    assert_eq!(
        addrs[0].source_attribute.as_deref(),
        Some("defaultHostName")
    );
    // A site outside the scan stays Unknown.
    assert!(matches!(m.site_of_address(&addrs[1]), Lookup::Unknown));
    let ase = m
        .sites
        .iter()
        .find(|s| s.res.name.as_str() == Some("ase-site"))
        .unwrap();
    assert!(ase.default_host_name.is_unknown());
}

#[test]
fn conditions_of_children_and_parents() {
    let text = tpl(
        r#""flag": { "type": "bool" }"#,
        "",
        r#"{ "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01", "name": "nsg",
             "condition": "[parameters('flag')]",
             "resources": [ { "type": "securityRules", "name": "nested", "apiVersion": "2023-09-01",
               "properties": { "priority": 200 } } ] },
           { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01", "name": "nsg2" },
           { "type": "Microsoft.Network/networkSecurityGroups/securityRules", "apiVersion": "2023-09-01",
             "name": "nsg2/maybe", "condition": "[parameters('flag')]", "properties": { "priority": 300 } },
           { "type": "Microsoft.Web/sites", "apiVersion": "2023-01-01", "name": "app" },
           { "type": "Microsoft.Web/sites/config", "apiVersion": "2023-01-01", "name": "app/web",
             "condition": "[parameters('flag')]",
             "properties": { "ipSecurityRestrictionsDefaultAction": "Deny", "minTlsVersion": "1.2" } },
           { "type": "Microsoft.Web/sites/hostNameBindings", "apiVersion": "2023-01-01",
             "name": "app/www.example.com", "condition": false }"#,
    );
    let m = load(&text);
    // A nested child goes with its parent: its rules are certain if the NSG exists.
    assert!(m.nsgs[0].res.condition.is_unknown());
    assert_eq!(m.nsgs[0].rules.items().unwrap().len(), 1);
    // A child with its own Unknown condition makes the parent's list Unknown.
    assert!(m.nsgs[1].rules.is_unknown());
    let site = &m.sites[0];
    assert!(site.ip_restriction_default_action.is_unknown());
    assert!(site.min_tls_version.is_unknown());
    assert!(
        site.host_bindings.is_absent(),
        "a binding that is never deployed"
    );
}

#[test]
fn references_to_resources_with_computed_unknown_names() {
    let text = tpl(
        "",
        r#""appName": "[format('fn-{0}', uniqueString(resourceGroup().id))]",
           "modName": "[take(format('mod-{0}', deployment().name), 64)]""#,
        r#"{ "type": "Microsoft.Web/sites", "apiVersion": "2023-01-01", "name": "[variables('appName')]",
             "kind": "functionapp" },
           { "type": "Microsoft.Web/sites", "apiVersion": "2023-01-01", "name": "[concat('other-', uniqueString('x'))]" },
           { "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "[variables('modName')]",
             "properties": { "mode": "Incremental", "expressionEvaluationOptions": { "scope": "inner" },
               "template": {
                 "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                 "contentVersion": "1.0.0.0", "resources": [],
                 "outputs": { "pool": { "type": "string", "value": "pool-from-module" } } } } },
           { "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01", "name": "gw",
             "properties": { "backendAddressPools": [
               { "name": "[reference(resourceId('Microsoft.Resources/deployments', variables('modName'))).outputs.pool.value]",
                 "properties": { "backendAddresses": [
                   { "fqdn": "[reference(resourceId('Microsoft.Web/sites', variables( 'appName' )), '2023-01-01').defaultHostName]" },
                   { "fqdn": "[reference(variables('appName')).defaultHostName]" },
                   { "fqdn": "[if(true(), reference(resourceId('Microsoft.Web/sites', variables('appName'))).defaultHostName, reference(resourceId('Microsoft.Web/sites', variables('appName'))).hostNames[0])]" } ] } } ] } }"#,
    );
    let m = load(&text);
    let pool = &m.gateways[0].pools.items().unwrap()[0];
    assert_eq!(pool.name.as_str(), Some("pool-from-module"));
    let addrs = pool.addresses.items().unwrap();
    for a in &addrs[..2] {
        let site = m
            .site_of_address(a)
            .found()
            .expect("site with a computed name");
        assert_eq!(site.res.label, "Microsoft.Web/sites/[variables('appName')]");
        assert!(site.default_host_name.is_unknown());
    }
    // Two reference() calls in one expression: not attributed.
    assert!(addrs[2].source.is_absent());
}

/// An omitted nullable parameter and a `"defaultValue": null` are null in a defined
/// deployment (a parameter file applies), and Unknown otherwise: a root template deployed
/// without parameter values is a reusable template whose deployment supplies them.
#[test]
fn null_defaults_and_omitted_nullable_parameters() {
    // `definitions` sits beside `parameters`: build the template by hand.
    let text = r##"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "definitions": { "listType": { "type": "array", "nullable": true } },
  "parameters": {
    "direct": { "type": "array", "nullable": true },
    "viaRef": { "$ref": "#/definitions/listType" },
    "nullDefault": { "type": "array", "defaultValue": null },
    "required": { "type": "array" }
  },
  "resources": [
    { "type": "Microsoft.Network/routeTables", "apiVersion": "2023-09-01",
      "name": "[concat('d', copyIndex())]",
      "copy": { "name": "d", "count": "[length(coalesce(parameters('direct'), createArray('x')))]" } },
    { "type": "Microsoft.Network/routeTables", "apiVersion": "2023-09-01",
      "name": "[concat('r', copyIndex())]",
      "copy": { "name": "r", "count": "[length(coalesce(parameters('viaRef'), createArray()))]" } },
    { "type": "Microsoft.Network/routeTables", "apiVersion": "2023-09-01",
      "name": "[concat('n', copyIndex())]",
      "copy": { "name": "n", "count": "[length(coalesce(parameters('nullDefault'), createArray('x', 'y')))]" } },
    { "type": "Microsoft.Network/routeTables", "apiVersion": "2023-09-01",
      "name": "[concat('q', copyIndex())]",
      "copy": { "name": "q", "count": "[length(parameters('required'))]" } }
  ]
}"##;
    let names = |m: &Model| -> Vec<String> {
        m.route_tables
            .iter()
            .map(|r| r.res.name.get().cloned().unwrap_or_else(|| "?".into()))
            .collect()
    };
    // No parameter file: every one of them is Unknown.
    assert_eq!(names(&load(text)), ["?", "?", "?", "?"]);
    // A parameter file (setting none of them): `direct` is null → one `d0`; `viaRef` is null
    // → no `r*`; `nullDefault` is null → `n0`, `n1`; `required` stays Unknown.
    let dir = tmpdir("nulls");
    std::fs::write(dir.join("t.json"), text).unwrap();
    std::fs::write(
        dir.join("t.parameters.json"),
        r#"{ "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {} }"#,
    )
    .unwrap();
    let (out, _) = load_at(&dir.join("t.json"), text, &FrontendOptions::default());
    assert_eq!(names(&out.model), ["d0", "n0", "n1", "?"]);
}

#[test]
fn merged_address_lists_hold_no_unused_room() {
    use super::tree::{Ev, EvKind, merged_strs};
    let sp = crate::source::Span::new(crate::source::FileId(0), 0..1);
    let one = Ev::new(sp, EvKind::Str("10.0.0.0/24".into()));
    let many = Ev::new(
        sp,
        EvKind::Arr(vec![
            Ev::new(sp, EvKind::Str("10.1.0.0/24".into())),
            Ev::new(sp, EvKind::Str("10.2.0.0/24".into())),
        ]),
    );
    for (a, b, n) in [
        (Some(&one), None, 1),
        (None, Some(&many), 2),
        (Some(&one), Some(&many), 3),
    ] {
        let v = merged_strs(a, b);
        let Lattice::Known(items) = &v.state else {
            panic!("not Known: {v:?}")
        };
        assert_eq!(items.len(), n);
        assert_eq!(items.capacity(), n);
    }
    assert!(merged_strs(None, None).is_absent());
}

/// The model, notes and findings of a root template evaluated with its resources left in
/// the tree (`own: false`) or owned by the scope and dropped once expanded (`own: true`).
fn evaluated(path: &Path, text: &str, own: bool) -> Option<String> {
    use super::{json, map, template};
    let sources = SourceMap::new();
    let id = sources.add("t.json", text);
    let mut doc = json::parse(text, id).ok()?;
    doc.root.get("resources")?;
    let resources = if own {
        Some(template::take_resources(&mut doc.root)?)
    } else {
        None
    };
    let loader = template::Loader::new(UnitId(0), &sources);
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let tpl = template::Tpl::new(
        &loader,
        &doc.root,
        id,
        dir,
        0,
        std::collections::HashMap::new(),
        None,
        None,
        false,
    );
    let tpl = match resources {
        Some(r) => tpl.own_resources(r),
        None => tpl,
    };
    tpl.run();
    drop(tpl);
    let model = loader.mapper.replace(map::Mapper::new(UnitId(0))).finish();
    let m = &model;
    let fields = [
        format!("{:?}", m.gateways),
        format!("{:?}", m.sites),
        format!("{:?}", m.plans),
        format!("{:?}", m.vnets),
        format!("{:?}", m.subnets),
        format!("{:?}", m.nsgs),
        format!("{:?}", m.route_tables),
        format!("{:?}", m.private_endpoints),
        format!("{:?}", m.dns_zones),
        format!("{:?}", m.public_ips),
        format!("{:?}", m.diagnostic_settings),
        format!("{:?}", m.waf_policies),
        format!("{:?}", m.nat_gateways),
        format!("{:?}", m.pool_members),
        format!("{:?}", m.vnet_gateways),
        format!("{:?}", m.subnet_users),
        format!("{:?}", m.opaque_refs),
    ];
    Some(format!(
        "{fields:?}\n{:?}\n{:?}\n{:?}",
        loader.notes.borrow(),
        loader.findings.borrow(),
        loader.sensitive.borrow()
    ))
}

/// Resources owned by the scope and dropped once expanded evaluate exactly as resources
/// borrowed from the tree: every template of the test data (loops, conditions, children,
/// nested and linked deployments, `reference()` to resources expanded before or after,
/// `resourceInfo()`).
#[test]
fn owned_resources_evaluate_as_borrowed_ones() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut compared = 0;
    for e in walkdir::WalkDir::new(root).into_iter().flatten() {
        let path = e.path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let text = text.trim_start_matches('\u{feff}');
        let borrowed = evaluated(path, text, false);
        let owned = evaluated(path, text, true);
        if let (Some(b), Some(o)) = (&borrowed, &owned) {
            assert_eq!(b, o, "{}", path.display());
            compared += 1;
        }
    }
    assert!(compared > 150, "{compared}");
}

#[test]
fn take_resources_takes_the_member_get_finds_and_leaves_it_empty() {
    use super::json::{JKind, parse};
    use super::template::take_resources;
    let mut d = parse(
        r#"{"Resources": [1], "resources": {"a": {"type": "x"}}, "RESOURCES": [2]}"#,
        crate::source::FileId(0),
    )
    .unwrap();
    let taken = take_resources(&mut d.root).unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].0.as_deref(), Some("a"));
    assert!(matches!(&d.root.get("resources").unwrap().kind, JKind::Object(o) if o.is_empty()));
    assert_eq!(
        d.root.get("Resources").unwrap().as_array().unwrap().len(),
        1
    );
    let mut d = parse(
        r#"{"Resources": [1], "RESOURCES": [2, 3]}"#,
        crate::source::FileId(0),
    )
    .unwrap();
    let taken = take_resources(&mut d.root).unwrap();
    assert_eq!(taken.len(), 2);
    assert!(taken.iter().all(|(s, _)| s.is_none()));
    assert!(matches!(&d.root.get("resources").unwrap().kind, JKind::Array(a) if a.is_empty()));
    let mut d = parse(r#"{"resources": "x"}"#, crate::source::FileId(0)).unwrap();
    assert!(take_resources(&mut d.root).is_none());
}
