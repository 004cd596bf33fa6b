# A user's root module: one ingress per region through the team's own module, which calls the
# Application Gateway registry module (AVM 0.5.x shape, azapi-based) vendored by
# `terraform init`. Every 502 cause is written in modules/ingress/main.tf; agwlint must report
# it there, with this call as a caller, never in .terraform/.

terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
    azapi = {
      source  = "Azure/azapi"
      version = "~> 2.9"
    }
  }
}

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-shop"
  location = "northeurope"
}

resource "azurerm_virtual_network" "vnet" {
  name                = "vnet-shop"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = ["10.30.0.0/16"]
}

resource "azurerm_subnet" "agw" {
  name                 = "snet-agw"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.30.0.0/24"]
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

module "ingress" {
  source   = "./modules/ingress"
  for_each = toset(["northeurope"])

  region            = each.key
  resource_group_id = azurerm_resource_group.rg.id
  subnet_id         = azurerm_subnet.agw.id
  public_ip_id      = azurerm_public_ip.agw.id
  backend_fqdn      = azurerm_linux_web_app.shop.default_hostname
}
