variable "gateway_sku" {
  type    = string
  default = "Standard_v2"
}

resource "azurerm_application_gateway" "gw" {
  name                = "agw-inputs-tf"
  location            = "westeurope"
  resource_group_name = "rg-inputs"

  sku {
    name     = var.gateway_sku
    tier     = var.gateway_sku
    capacity = 2
  }
}
