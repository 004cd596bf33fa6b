variable "rg_name" {
  type = string
}

variable "location" {
  type = string
}

variable "subnet_id" {
  type = string
}

variable "pip_id" {
  type = string
}

variable "backend_fqdn" {
  type = string
}

variable "capacity" {
  type = number
}

resource "azurerm_application_gateway" "gw" {
  name                = "scim-agw"
  resource_group_name = var.rg_name
  location            = var.location

  sku {
    name     = "Standard_v2"
    tier     = "Standard_v2"
    capacity = var.capacity
  }

  gateway_ip_configuration {
    name      = "gw-ipcfg"
    subnet_id = var.subnet_id
  }

  frontend_ip_configuration {
    name                 = "fe-public"
    public_ip_address_id = var.pip_id
  }

  frontend_port {
    name = "port-80"
    port = 80
  }

  backend_address_pool {
    name  = "func-pool"
    fqdns = [var.backend_fqdn]
  }

  backend_http_settings {
    name                                = "func-https"
    port                                = 443
    protocol                            = "Https"
    cookie_based_affinity               = "Disabled"
    pick_host_name_from_backend_address = true
    request_timeout                     = 60
    probe_name                          = "func-probe"
  }

  probe {
    name                                      = "func-probe"
    protocol                                  = "Https"
    path                                      = "/api/health"
    interval                                  = 30
    timeout                                   = 30
    unhealthy_threshold                       = 3
    pick_host_name_from_backend_http_settings = true

    match {
      status_code = ["200-399"]
    }
  }

  http_listener {
    name                           = "http-listener"
    frontend_ip_configuration_name = "fe-public"
    frontend_port_name             = "port-80"
    protocol                       = "Http"
  }

  request_routing_rule {
    name                       = "func-rule"
    rule_type                  = "Basic"
    priority                   = 100
    http_listener_name         = "http-listener"
    backend_address_pool_name  = "func-pool"
    backend_http_settings_name = "func-https"
  }
}

resource "azurerm_monitor_diagnostic_setting" "agw" {
  name                       = "agw-diagnostics"
  target_resource_id         = azurerm_application_gateway.gw.id
  log_analytics_workspace_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ops-rg/providers/Microsoft.OperationalInsights/workspaces/ops-law"

  enabled_log {
    category_group = "allLogs"
  }
}
