# A root module (it configures the provider) that passes the module's `default = null` input.
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

module "agw" {
  source   = "./modules/agw"
  capacity = 2
}
