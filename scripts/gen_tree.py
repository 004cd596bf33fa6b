#!/usr/bin/env python3
"""Generates a deterministic tree of ARM templates and Terraform modules for benchmarks.

usage: gen_tree.py OUT_DIR [--templates 5000] [--modules 1000] [--seed 42]
       gen_tree.py OUT_DIR --big-template MB     # one ARM template of about MB megabytes
       gen_tree.py OUT_DIR --big-tf N            # one Terraform file with about N resources

Each template is a Function App behind an Application Gateway with a VNet, NSG and diagnostics
(sizes and details vary with the seed); each Terraform module is the azurerm equivalent, half of
them with `dynamic` blocks over locals. The same seed always writes the same bytes.
"""
import argparse
import json
import os
import random


def arm_template(rnd, i):
    n_pools = rnd.randint(1, 6)
    gw = f"gw{i}"
    pools, settings, probes, rules, listeners, ports = [], [], [], [], [], []
    for p in range(n_pools):
        pools.append({"name": f"pool{p}", "properties": {"backendAddresses": [
            {"fqdn": f"[reference(resourceId('Microsoft.Web/sites', concat(parameters('prefix'), '-fn{p}'))).defaultHostName]"}]}})
        settings.append({"name": f"set{p}", "properties": {
            "port": 443, "protocol": "Https", "cookieBasedAffinity": "Disabled",
            "pickHostNameFromBackendAddress": rnd.random() < 0.8, "requestTimeout": rnd.choice([20, 30, 60, 120]),
            "probe": {"id": f"[resourceId('Microsoft.Network/applicationGateways/probes', '{gw}', 'probe{p}')]"}}})
        probes.append({"name": f"probe{p}", "properties": {
            "protocol": "Https", "path": rnd.choice(["/", "/api/health", "/healthz"]), "interval": 30, "timeout": 30,
            "unhealthyThreshold": 3, "pickHostNameFromBackendHttpSettings": True}})
        ports.append({"name": f"port{p}", "properties": {"port": 8000 + p}})
        listeners.append({"name": f"listener{p}", "properties": {
            "frontendIPConfiguration": {"id": f"[resourceId('Microsoft.Network/applicationGateways/frontendIPConfigurations', '{gw}', 'fe')]"},
            "frontendPort": {"id": f"[resourceId('Microsoft.Network/applicationGateways/frontendPorts', '{gw}', 'port{p}')]"},
            "protocol": "Http"}})
        rules.append({"name": f"rule{p}", "properties": {
            "ruleType": "Basic", "priority": 100 + p,
            "httpListener": {"id": f"[resourceId('Microsoft.Network/applicationGateways/httpListeners', '{gw}', 'listener{p}')]"},
            "backendAddressPool": {"id": f"[resourceId('Microsoft.Network/applicationGateways/backendAddressPools', '{gw}', 'pool{p}')]"},
            "backendHttpSettings": {"id": f"[resourceId('Microsoft.Network/applicationGateways/backendHttpSettingsCollection', '{gw}', 'set{p}')]"}}})
    resources = []
    for p in range(n_pools):
        resources.append({"type": "Microsoft.Web/sites", "apiVersion": "2023-01-01",
                          "name": f"[concat(parameters('prefix'), '-fn{p}')]", "location": "[parameters('location')]",
                          "kind": "functionapp", "properties": {"httpsOnly": True, "siteConfig": {"minTlsVersion": "1.2",
                          "appSettings": [{"name": "AzureFunctionsJobHost__functionTimeout", "value": "00:01:00"}]}}})
    resources.append({"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01", "name": "nsg",
                      "location": "[parameters('location')]", "properties": {"securityRules": [
                          {"name": f"r{k}", "properties": {"direction": "Inbound", "access": "Allow", "priority": 100 + k,
                           "protocol": "Tcp", "sourceAddressPrefix": rnd.choice(["GatewayManager", "Internet", "10.0.0.0/8"]),
                           "sourcePortRange": "*", "destinationAddressPrefix": "*",
                           "destinationPortRange": rnd.choice(["65200-65535", "443", "80"])}} for k in range(rnd.randint(1, 8))]}})
    resources.append({"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "vnet",
                      "location": "[parameters('location')]", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                      "subnets": [{"name": "agw", "properties": {"addressPrefix": "10.0.0.0/24",
                                   "networkSecurityGroup": {"id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg')]"}}}]}})
    resources.append({"type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-09-01", "name": gw,
                      "location": "[parameters('location')]", "properties": {
                          "sku": {"name": rnd.choice(["Standard_v2", "WAF_v2", "Standard_Medium"]),
                                  "tier": "Standard_v2", "capacity": rnd.randint(1, 4)},
                          "gatewayIPConfigurations": [{"name": "ip", "properties": {"subnet": {
                              "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'agw')]"}}}],
                          "frontendIPConfigurations": [{"name": "fe", "properties": {"privateIPAllocationMethod": "Dynamic",
                              "subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'agw')]"}}}],
                          "frontendPorts": ports, "httpListeners": listeners, "backendAddressPools": pools,
                          "backendHttpSettingsCollection": settings, "probes": probes, "requestRoutingRules": rules}})
    return {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0",
            "parameters": {"location": {"type": "string", "defaultValue": "westeurope"},
                           "prefix": {"type": "string", "defaultValue": f"app{i}"}},
            "resources": resources}


def tf_module(rnd, i):
    n = rnd.randint(1, 6)
    dynamic = i % 2 == 0
    out = [f'variable "prefix" {{\n  default = "app{i}"\n}}\n',
           'locals {\n  backends = {\n' + "".join(
               f'    b{p} = {{ port = 443, timeout = {rnd.choice([20, 30, 60])}, path = "/api/health" }}\n' for p in range(n)) + '  }\n}\n']
    for p in range(n):
        out.append(f'resource "azurerm_linux_function_app" "fn{p}" {{\n  name = "${{var.prefix}}-fn{p}"\n  https_only = true\n'
                   f'  site_config {{\n    minimum_tls_version = "1.2"\n  }}\n}}\n')
    blocks = []
    if dynamic:
        blocks.append('  dynamic "backend_http_settings" {\n    for_each = local.backends\n    content {\n'
                      '      name = backend_http_settings.key\n      port = backend_http_settings.value.port\n'
                      '      protocol = "Https"\n      cookie_based_affinity = "Disabled"\n'
                      '      request_timeout = backend_http_settings.value.timeout\n'
                      '      pick_host_name_from_backend_address = true\n    }\n  }\n')
    for p in range(n):
        blocks.append(f'  backend_address_pool {{\n    name = "b{p}"\n    fqdns = [azurerm_linux_function_app.fn{p}.default_hostname]\n  }}\n')
        if not dynamic:
            blocks.append(f'  backend_http_settings {{\n    name = "b{p}"\n    port = 443\n    protocol = "Https"\n'
                          f'    cookie_based_affinity = "Disabled"\n    pick_host_name_from_backend_address = {str(rnd.random() < 0.8).lower()}\n  }}\n')
        blocks.append(f'  frontend_port {{\n    name = "p{p}"\n    port = {8000 + p}\n  }}\n')
        blocks.append(f'  http_listener {{\n    name = "l{p}"\n    frontend_ip_configuration_name = "fe"\n'
                      f'    frontend_port_name = "p{p}"\n    protocol = "Http"\n  }}\n')
        blocks.append(f'  request_routing_rule {{\n    name = "r{p}"\n    rule_type = "Basic"\n    priority = {100 + p}\n'
                      f'    http_listener_name = "l{p}"\n    backend_address_pool_name = "b{p}"\n'
                      f'    backend_http_settings_name = "b{p}"\n  }}\n')
    out.append('resource "azurerm_application_gateway" "gw" {\n  name = "${var.prefix}-agw"\n'
               f'  sku {{\n    name = "{rnd.choice(["Standard_v2", "WAF_v2", "Standard_Small"])}"\n    tier = "Standard_v2"\n    capacity = 2\n  }}\n'
               '  frontend_ip_configuration {\n    name = "fe"\n    private_ip_address_allocation = "Dynamic"\n  }\n'
               + "".join(blocks) + '}\n')
    return "\n".join(out)


def big_template(rnd, out, megabytes):
    """One template of about `megabytes` MB: many gateway-and-sites groups in one file."""
    path = os.path.join(out, "big.json")
    os.makedirs(out, exist_ok=True)
    target = megabytes * 1_000_000
    with open(path, "w") as f:
        f.write('{\n  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",\n'
                '  "contentVersion": "1.0.0.0",\n'
                '  "parameters": {"location": {"type": "string", "defaultValue": "westeurope"},\n'
                '                 "prefix": {"type": "string", "defaultValue": "big"}},\n  "resources": [\n')
        written, i, first = 0, 0, True
        while written < target:
            t = arm_template(rnd, i)
            for r in t["resources"]:
                # Unique names per group so the resources do not collide.
                if r["name"] in ("nsg", "vnet"):
                    r["name"] = f"{r['name']}{i}"
                text = json.dumps(r, indent=2).replace("'vnet'", f"'vnet{i}'").replace("'nsg'", f"'nsg{i}'")
                chunk = ("" if first else ",\n") + text
                first = False
                f.write(chunk)
                written += len(chunk)
            i += 1
        f.write("\n  ]\n}\n")
    return path


def big_tf(rnd, out, resources):
    """One main.tf with about `resources` resources (function apps, NSGs and gateways)."""
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "main.tf")
    with open(path, "w") as f:
        f.write('variable "prefix" {\n  default = "big"\n}\n\n')
        n, i = 0, 0
        while n < resources:
            text = tf_module(rnd, i)
            # Distinct resource names per group; the `locals` and `variable` blocks once.
            body = text.split("\n\n", 2)[2]
            body = body.replace('" "fn', f'" "g{i}_fn').replace("_function_app.fn", f"_function_app.g{i}_fn")
            body = body.replace('"azurerm_application_gateway" "gw"', f'"azurerm_application_gateway" "gw{i}"')
            body = body.replace("local.backends", f"local.backends{i}")
            locals_block = text.split("\n\n", 2)[1].replace("backends =", f"backends{i} =")
            f.write(locals_block + "\n" + body + "\n")
            n += body.count("\nresource ") + (1 if body.startswith("resource ") else 0)
            i += 1
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--templates", type=int, default=5000)
    ap.add_argument("--modules", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--big-template", type=int, metavar="MB", help="write one template of about MB megabytes instead")
    ap.add_argument("--big-tf", type=int, metavar="N", help="write one main.tf with about N resources instead")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    if a.big_template or a.big_tf:
        if a.big_template:
            print(big_template(rnd, a.out, a.big_template))
        if a.big_tf:
            print(big_tf(rnd, os.path.join(a.out, "tf"), a.big_tf))
        return
    for i in range(a.templates):
        d = os.path.join(a.out, "arm", f"{i // 100:03d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"t{i:05d}.json"), "w") as f:
            json.dump(arm_template(rnd, i), f, indent=2)
    for i in range(a.modules):
        d = os.path.join(a.out, "tf", f"m{i:05d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(tf_module(rnd, i))


if __name__ == "__main__":
    main()
