# Terraform merges this block into main.tf's gateway: the sku without capacity is replaced.
resource "azurerm_application_gateway" "gw" {
  sku {
    name     = "Standard_v2"
    tier     = "Standard_v2"
    capacity = 2
  }
}
