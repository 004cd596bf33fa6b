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

variable "location" {
  type    = string
  default = "westeurope"
}

resource "azurerm_resource_group" "rg" {
  name     = "scim-rg"
  location = var.location
}

resource "azurerm_service_plan" "plan" {
  name                = "scim-plan"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  os_type             = "Linux"
  sku_name            = "EP1"
}

resource "azurerm_linux_function_app" "fn" {
  name                       = "scim-fn"
  resource_group_name        = azurerm_resource_group.rg.name
  location                   = azurerm_resource_group.rg.location
  service_plan_id            = azurerm_service_plan.plan.id
  storage_account_name       = "scimfnstorage"
  storage_account_access_key = "placeholder"
  https_only                 = true

  site_config {}
}

resource "azurerm_virtual_network" "vnet" {
  name                = "scim-vnet"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  address_space       = ["10.0.0.0/16"]
}

resource "azurerm_subnet" "agw" {
  name                 = "agw-subnet"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.0.0.0/24"]
}

resource "azurerm_public_ip" "agw" {
  name                = "scim-agw-pip"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  allocation_method   = "Static"
  sku                 = "Standard"
}

module "agw" {
  source       = "./modules/agw"
  rg_name      = azurerm_resource_group.rg.name
  location     = azurerm_resource_group.rg.location
  subnet_id    = azurerm_subnet.agw.id
  pip_id       = azurerm_public_ip.agw.id
  backend_fqdn = azurerm_linux_function_app.fn.default_hostname
  capacity     = 200
}
