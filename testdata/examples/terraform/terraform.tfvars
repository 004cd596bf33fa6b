prefix          = "scim-prod"
backend_timeout = 120
