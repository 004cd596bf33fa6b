# A user's root module calling the Application Gateway registry module (AVM 0.4.x shape),
# vendored by `terraform init` under .terraform/modules. Every 502 cause below is written
# here, in the module call; agwlint must report it here, not in .terraform/.

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
  name     = "rg-shop"
  location = "westeurope"
}

resource "azurerm_virtual_network" "vnet" {
  name                = "vnet-shop"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = ["10.20.0.0/16"]
}

resource "azurerm_subnet" "agw" {
  name                 = "snet-agw"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.20.0.0/24"]
}

resource "azurerm_public_ip" "agw" {
  name                = "pip-agw-shop"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  allocation_method   = "Static"
  sku                 = "Standard"
}

resource "azurerm_service_plan" "plan" {
  name                = "asp-shop"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  os_type             = "Linux"
  sku_name            = "P1v3"
}

resource "azurerm_linux_web_app" "shop" {
  name                = "app-shop"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  service_plan_id     = azurerm_service_plan.plan.id
  https_only          = true

  site_config {
    minimum_tls_version = "1.3"
  }
}

module "app_gateway" {
  source  = "Azure/avm-res-network-applicationgateway/azurerm"
  version = "0.4.3"

  name                = "agw-shop"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name

  sku = {
    name     = "Standard_v2"
    tier     = "Standard_v2"
    capacity = 2
  }

  gateway_ip_configuration = {
    subnet_id = azurerm_subnet.agw.id
  }
  public_ip_resource_id = azurerm_public_ip.agw.id

  frontend_ports = {
    http = {
      name = "http"
      port = 80
    }
  }

  backend_address_pools = {
    shop = {
      name  = "shop-pool"
      fqdns = [azurerm_linux_web_app.shop.default_hostname]
    }
  }

  backend_http_settings = {
    shop = {
      name                                = "shop-https"
      port                                = 443
      protocol                            = "Https"
      pick_host_name_from_backend_address = false
      probe_name                          = "shop-probe"
      request_timeout                     = 30
    }
  }

  probe_configurations = {
    shop = {
      name                = "shop-probe"
      protocol            = "Https"
      path                = "healthz"
      interval            = 30
      timeout             = 30
      unhealthy_threshold = 3
      pick_host_name_from_backend_http_settings = true
    }
  }

  http_listeners = {
    http = {
      name               = "http"
      frontend_port_name = "http"
    }
  }

  request_routing_rules = {
    shop = {
      name                       = "shop"
      rule_type                  = "Basic"
      http_listener_name         = "http"
      backend_address_pool_name  = "shop-pool"
      backend_http_settings_name = "shop-https"
      priority                   = 100
    }
  }
}
