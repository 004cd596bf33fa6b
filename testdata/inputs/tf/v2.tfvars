gateway_sku = "Standard_v2"
