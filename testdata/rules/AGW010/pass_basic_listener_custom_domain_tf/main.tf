terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-scim-prod"
  location = "westeurope"
}

resource "azurerm_virtual_network" "vnet" {
  name                = "vnet-scim"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = ["10.10.0.0/16"]
}

resource "azurerm_subnet" "agw" {
  name                 = "snet-agw"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.10.0.0/24"]
}

resource "azurerm_public_ip" "agw" {
  name                = "pip-agw-scim"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  allocation_method   = "Static"
  sku                 = "Standard"
}

resource "azurerm_service_plan" "plan" {
  name                = "asp-scim"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  os_type             = "Linux"
  sku_name            = "EP1"
}

resource "azurerm_storage_account" "fn" {
  name                     = "stscimfn"
  resource_group_name      = azurerm_resource_group.rg.name
  location                 = azurerm_resource_group.rg.location
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

resource "azurerm_linux_function_app" "fn" {
  name                       = "func-scim"
  location                   = azurerm_resource_group.rg.location
  resource_group_name        = azurerm_resource_group.rg.name
  service_plan_id            = azurerm_service_plan.plan.id
  storage_account_name       = azurerm_storage_account.fn.name
  storage_account_access_key = azurerm_storage_account.fn.primary_access_key
  https_only                 = true

  site_config {
    minimum_tls_version = "1.2"
    application_stack {
      python_version = "3.11"
    }
  }
}

# Clients call the gateway by www.contoso.com (its DNS points to the gateway); the app answers
# to that custom domain, so forwarding the client's Host through a listener without host name
# reaches the app by a host it serves.
resource "azurerm_app_service_custom_hostname_binding" "www" {
  hostname            = "www.contoso.com"
  app_service_name    = azurerm_linux_function_app.fn.name
  resource_group_name = azurerm_resource_group.rg.name
}

locals {
  pool_name     = "func-pool"
  settings_name = "func-https"
  listener_name = "http-listener"
}

resource "azurerm_application_gateway" "gw" {
  name                = "agw-scim"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name

  sku {
    name     = "Standard_v2"
    tier     = "Standard_v2"
    capacity = 2
  }

  gateway_ip_configuration {
    name      = "gw-ip"
    subnet_id = azurerm_subnet.agw.id
  }

  frontend_port {
    name = "http"
    port = 80
  }

  frontend_ip_configuration {
    name                 = "public"
    public_ip_address_id = azurerm_public_ip.agw.id
  }

  backend_address_pool {
    name = local.pool_name
    fqdns = [azurerm_linux_function_app.fn.default_hostname]
  }

  backend_http_settings {
    name                  = local.settings_name
    cookie_based_affinity = "Disabled"
    port                  = 443
    protocol              = "Https"
    request_timeout       = 60
    pick_host_name_from_backend_address = false
    probe_name                          = "probe-api"
  }

  probe {
    name                = "probe-api"
    protocol            = "Https"
    host                = "www.contoso.com"
    path                = "/"
    interval            = 30
    timeout             = 30
    unhealthy_threshold = 3
  }

  http_listener {
    name                           = local.listener_name
    frontend_ip_configuration_name = "public"
    frontend_port_name             = "http"
    protocol                       = "Http"
  }

  request_routing_rule {
    name                       = "func-rule"
    priority                   = 100
    rule_type                  = "Basic"
    http_listener_name         = local.listener_name
    backend_address_pool_name  = local.pool_name
    backend_http_settings_name = local.settings_name
  }
}

resource "azurerm_monitor_diagnostic_setting" "gw_logs" {
  name                       = "gw-logs"
  target_resource_id         = azurerm_application_gateway.gw.id
  log_analytics_workspace_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/logs"

  enabled_log {
    category_group = "allLogs"
  }
}
