sku = {
  name     = "Standard_Medium"
  tier     = "Standard"
  capacity = 2
}
backend_fqdns = ["shop.azurewebsites.net"]
probe_path    = "health"
nsg_rules = {
  deny-all-inbound = {
    priority               = 100
    direction              = "Inbound"
    access                 = "Deny"
    protocol               = "*"
    source_address_prefix  = "*"
    destination_port_range = "*"
  }
}
