# Terraform merges this block into main.tf's gateway: its sku replaces main.tf's.
resource "azurerm_application_gateway" "gw" {
  sku {
    name     = "Standard_v2"
    tier     = "Standard_v2"
    capacity = 200
  }
}
