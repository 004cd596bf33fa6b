variable "managed_identities" {
  type = object({
    system_assigned            = optional(bool, false)
    user_assigned_resource_ids = optional(set(string), [])
  })
  default = {}
}
locals {
  managed_identities = {
    user_assigned = length(var.managed_identities.user_assigned_resource_ids) > 0 ? {
      this = { type = "UserAssigned", user_assigned_resource_ids = var.managed_identities.user_assigned_resource_ids }
    } : {}
  }
}
resource "azurerm_application_gateway" "this" {
  name                = "agw"
  location            = "westeurope"
  resource_group_name = "rg"
  sku {
    name     = "Standard_v2"
    tier     = "Standard_v2"
    capacity = 2
  }
  dynamic "identity" {
    for_each = local.managed_identities.user_assigned
    content {
      type         = identity.value.type
      identity_ids = identity.value.user_assigned_resource_ids
    }
  }
  ssl_certificate {
    name                = "kv"
    key_vault_secret_id = "https://kv.vault.azure.net/secrets/x"
  }
  gateway_ip_configuration {
    name      = "g"
    subnet_id = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"
  }
  frontend_ip_configuration {
    name                 = "fe"
    public_ip_address_id = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/p"
  }
  frontend_port {
    name = "p443"
    port = 443
  }
  backend_address_pool {
    name  = "pool"
    fqdns = ["app.contoso.com"]
  }
  backend_http_settings {
    name                  = "s"
    port                  = 80
    protocol              = "Http"
    cookie_based_affinity = "Disabled"
  }
  http_listener {
    name                           = "l"
    frontend_ip_configuration_name = "fe"
    frontend_port_name             = "p443"
    protocol                       = "Https"
    ssl_certificate_name           = "kv"
  }
  request_routing_rule {
    name                       = "r"
    rule_type                  = "Basic"
    priority                   = 10
    http_listener_name         = "l"
    backend_address_pool_name  = "pool"
    backend_http_settings_name = "s"
  }
}

resource "azurerm_monitor_diagnostic_setting" "agw" {
  name                       = "agw-diagnostics"
  target_resource_id         = azurerm_application_gateway.this.id
  log_analytics_workspace_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ops-rg/providers/Microsoft.OperationalInsights/workspaces/ops-law"

  enabled_log {
    category_group = "allLogs"
  }
}
