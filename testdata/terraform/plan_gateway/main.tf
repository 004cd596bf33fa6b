# A gateway whose SKU, backend FQDNs, probe path and NSG rules come from variables set by the
# pipeline (ci.tfvars, not read by default) and whose second backend is an existing app read
# through a data source. ../plans/plan_gateway.json is a hand-written `terraform show -json` of it.

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

variable "sku" {
  type = object({
    name     = string
    tier     = string
    capacity = number
  })
}

variable "backend_fqdns" {
  type = list(string)
}

variable "probe_path" {
  type = string
}

variable "nsg_rules" {
  type = map(object({
    priority               = number
    direction              = string
    access                 = string
    protocol               = string
    source_address_prefix  = string
    destination_port_range = string
  }))
}

data "azurerm_linux_web_app" "legacy" {
  name                = "legacy-shop"
  resource_group_name = "rg-legacy"
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-shop"
  location = "westeurope"
}

resource "azurerm_virtual_network" "vnet" {
  name                = "vnet-shop"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = ["10.40.0.0/16"]
}

resource "azurerm_subnet" "agw" {
  name                 = "snet-agw"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.40.0.0/24"]
}

resource "azurerm_network_security_group" "agw" {
  name                = "nsg-agw"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name

  dynamic "security_rule" {
    for_each = var.nsg_rules
    content {
      name                       = security_rule.key
      priority                   = security_rule.value.priority
      direction                  = security_rule.value.direction
      access                     = security_rule.value.access
      protocol                   = security_rule.value.protocol
      source_port_range          = "*"
      source_address_prefix      = security_rule.value.source_address_prefix
      destination_port_range     = security_rule.value.destination_port_range
      destination_address_prefix = "*"
    }
  }
}

resource "azurerm_subnet_network_security_group_association" "agw" {
  subnet_id                 = azurerm_subnet.agw.id
  network_security_group_id = azurerm_network_security_group.agw.id
}

resource "azurerm_public_ip" "agw" {
  name                = "pip-agw-shop"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  allocation_method   = "Static"
  sku                 = "Standard"
}

resource "azurerm_application_gateway" "gw" {
  name                = "agw-shop"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name

  sku {
    name     = var.sku.name
    tier     = var.sku.tier
    capacity = var.sku.capacity
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
    name  = "shop"
    fqdns = var.backend_fqdns
  }

  backend_address_pool {
    name  = "legacy"
    fqdns = [data.azurerm_linux_web_app.legacy.default_hostname]
  }

  backend_http_settings {
    name                  = "https"
    cookie_based_affinity = "Disabled"
    port                  = 443
    protocol              = "Https"
    request_timeout       = 30
    probe_name            = "health"
  }

  probe {
    name                                      = "health"
    protocol                                  = "Https"
    path                                      = var.probe_path
    interval                                  = 30
    timeout                                   = 30
    unhealthy_threshold                       = 3
    pick_host_name_from_backend_http_settings = true
  }

  http_listener {
    name                           = "http"
    frontend_ip_configuration_name = "public"
    frontend_port_name             = "http"
    protocol                       = "Http"
  }

  request_routing_rule {
    name                       = "shop"
    rule_type                  = "Basic"
    priority                   = 100
    http_listener_name         = "http"
    backend_address_pool_name  = "shop"
    backend_http_settings_name = "https"
  }

  request_routing_rule {
    name                       = "legacy"
    rule_type                  = "Basic"
    priority                   = 200
    http_listener_name         = "http"
    backend_address_pool_name  = "legacy"
    backend_http_settings_name = "https"
  }
}
