gateway_sku = "Standard_Medium"
